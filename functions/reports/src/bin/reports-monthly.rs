//! The `reports-monthly` function: run daily by a schedule, it emails each client company's
//! subscribed Full Admins the executive report of the month before (once a month per company).
//! `--once` runs it once from a shell (local development).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    let today = |app: &App| app.now().date();
    if std::env::args().any(|a| a == "--once") {
        let sent = reports::monthly::executive_reports(&app, today(&app)).await?;
        println!("sent {sent} companies' executive reports");
        return Ok(());
    }
    let app = &app;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let sent = reports::monthly::executive_reports(app, today(app)).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::json!({ "companies": sent }))
        },
    ))
    .await
}
