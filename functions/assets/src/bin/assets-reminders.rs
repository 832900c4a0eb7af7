//! The `assets-reminders` function: run daily by a schedule, it emails each client company's Full
//! Admins the month's digest of configurations that expired or expire within 45 days (once a month
//! per company). `--once` runs it once from a shell (local development).

#[tokio::main]
async fn main() -> Result<(), lambda_http::lambda_runtime::Error> {
    portal::app::run_job(async |app| {
        let sent = assets::reminders::expiry_digests(app, app.now().date()).await?;
        Ok(serde_json::json!({ "digests": sent }))
    })
    .await
}
