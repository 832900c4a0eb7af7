//! The `reports` function: service request trends and responsiveness, for a client company or the
//! MSP's every company.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(reports::handle(app, req))).await
}
