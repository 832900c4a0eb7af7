//! The `tickets` function: support tickets and their settings.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(tickets::handle(app, req))).await
}
