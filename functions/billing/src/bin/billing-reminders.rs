//! The `billing-reminders` function: run daily by a schedule, it emails the billing contacts of
//! overdue invoices (1, 7, 14 and 30 days late) and of cards that expire this month. `--once` runs
//! it once from a shell (local development).

use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_http::lambda_runtime::Error> {
    portal::app::run_job(async |app| {
        let (overdue, cards) = run(app).await?;
        Ok(serde_json::json!({ "overdue": overdue, "cards": cards }))
    })
    .await
}

/// Both kinds of reminder, for today (UTC).
async fn run(app: &App) -> anyhow::Result<(usize, usize)> {
    let today = portal::domain::billing::today(app.now());
    let overdue = billing::overdue_reminders(app, today).await?;
    let cards = billing::card_reminders(app, today).await?;
    Ok((overdue, cards))
}
