//! The `tickets-targets` function: run hourly by a schedule, it marks the response and resolution
//! targets that passed on tickets nobody touched since (a change marks its own). `--once` runs it
//! once from a shell (local development).

#[tokio::main]
async fn main() -> Result<(), lambda_http::lambda_runtime::Error> {
    portal::app::run_job(async |app| {
        let marked = tickets::targets::mark_missed(app, app.now()).await?;
        Ok(serde_json::json!({ "marked": marked }))
    })
    .await
}
