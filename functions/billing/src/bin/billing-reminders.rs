//! The `billing-reminders` function: run daily by a schedule, it emails the billing contacts of
//! overdue invoices (1, 7, 14 and 30 days late) and of cards that expire this month. `--once` runs
//! it once from a shell (local development).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    if std::env::args().any(|a| a == "--once") {
        let (overdue, cards) = run(&app).await?;
        println!("sent {overdue} overdue invoice reminders and {cards} card expiry reminders");
        return Ok(());
    }
    let app = &app;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let (overdue, cards) = run(app).await?;
            Ok::<_, lambda_runtime::Error>(
                serde_json::json!({ "overdue": overdue, "cards": cards }),
            )
        },
    ))
    .await
}

/// Both kinds of reminder, for today (UTC).
async fn run(app: &App) -> anyhow::Result<(usize, usize)> {
    let today = portal::domain::billing::today(app.now());
    let overdue = billing::overdue_reminders(app, today).await?;
    let cards = billing::card_reminders(app, today).await?;
    Ok((overdue, cards))
}
