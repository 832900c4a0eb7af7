//! The `reports-monthly` function: run daily by a schedule, it emails each client company's
//! subscribed Full Admins the executive report of the month before (once a month per company).
//! `--once` runs it once from a shell (local development).

#[tokio::main]
async fn main() -> Result<(), lambda_http::lambda_runtime::Error> {
    portal::app::run_job(async |app| {
        let sent = reports::monthly::executive_reports(app, app.now().date()).await?;
        Ok(serde_json::json!({ "companies": sent }))
    })
    .await
}
