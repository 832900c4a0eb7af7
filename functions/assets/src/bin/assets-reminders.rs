//! The `assets-reminders` function: run daily by a schedule, it emails each client company's Full
//! Admins the month's digest of configurations that expired or expire within 45 days (once a month
//! per company). `--once` runs it once from a shell (local development).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    let today = |app: &App| app.now().date();
    if std::env::args().any(|a| a == "--once") {
        let sent = assets::reminders::expiry_digests(&app, today(&app)).await?;
        println!("sent {sent} expiry digests");
        return Ok(());
    }
    let app = &app;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let sent = assets::reminders::expiry_digests(app, today(app)).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::json!({ "digests": sent }))
        },
    ))
    .await
}
