//! The `tickets-targets` function: run hourly by a schedule, it marks the response and resolution
//! targets that passed on tickets nobody touched since (a change marks its own). `--once` runs it
//! once from a shell (local development).

use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use portal::App;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    if std::env::args().any(|a| a == "--once") {
        let marked = tickets::targets::mark_missed(&app, app.now()).await?;
        println!("marked {marked} tickets past their targets");
        return Ok(());
    }
    let app = &app;
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            let marked = tickets::targets::mark_missed(app, app.now()).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::json!({ "marked": marked }))
        },
    ))
    .await
}
