//! The `projects` function: client projects, their plans and progress.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(projects::handle(app, req))).await
}
