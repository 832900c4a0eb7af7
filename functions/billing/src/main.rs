//! The `billing` function: invoices, their PDFs, payments through Stripe, payment methods and
//! autopay, and Stripe's webhook.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    portal::app::run(|app, req| Box::pin(billing::handle(app, req))).await
}
