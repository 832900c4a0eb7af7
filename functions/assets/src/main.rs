//! The `assets` function: client configurations (devices, licences, domains, certificates).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(assets::handle(app, req))).await
}
