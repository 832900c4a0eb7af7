//! The `billing-reminders` function: run daily by a schedule, it emails the billing contacts of
//! cards that expire this month. `--once` runs it once from a shell (local development).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    if std::env::args().any(|a| a == "--once") {
        let sent = billing::card_reminders(&app, app.now().date()).await?;
        println!("sent {sent} card expiry reminders");
        return Ok(());
    }
    let app = &app;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let sent = billing::card_reminders(app, app.now().date()).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::json!({ "sent": sent }))
        },
    ))
    .await
}
