//! The `kb` function: the knowledge base's articles, their images and what readers do with them.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(kb::handle(app, req))).await
}
