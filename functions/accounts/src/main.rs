//! The `accounts` function: client companies and their portal users.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(accounts::handle(app, req))).await
}
