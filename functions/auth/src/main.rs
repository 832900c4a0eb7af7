//! The `auth` function: sign-in, sign-out and `GET /api/me`.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(auth::handle(app, req))).await
}
