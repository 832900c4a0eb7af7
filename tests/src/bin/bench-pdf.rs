//! Prints how long the billing function takes to render an invoice PDF of 100 lines, and its size.
//! Run optimised for figures that mean something: `cargo run --release -p portal-tests --bin bench-pdf`.

use portal::domain::account::Company;
use portal::domain::billing::{Invoice, InvoiceStatus, Line, Quantity};
use portal::domain::{CompanyId, CompanyKind};
use std::time::Instant;

fn main() {
    let now = time::OffsetDateTime::now_utc();
    let company = Company::new(
        CompanyId::parse("acme-dental").unwrap(),
        "Acme Dental",
        CompanyKind::Client,
        now,
    );
    let mut invoice = Invoice::draft(&company, now);
    invoice.number = Some(42);
    invoice.status = InvoiceStatus::Issued;
    invoice.lines = (1..=100)
        .map(|i| Line {
            description: format!(
                "Line {i}: managed workstation, patching and monitoring for the month"
            ),
            quantity: Quantity(1500),
            unit_price: 4_250,
            amount: 0,
        })
        .collect();
    invoice.tax_rate_bp = 825;
    invoice.issue_date = Some(now.date());
    invoice.due_date = Some(now.date() + time::Duration::days(30));
    invoice.notes = "Thank you for your business.".into();
    invoice.tickets = vec![1042, 1043];
    invoice.version = 2;
    invoice.recompute();
    let brand = portal::domain::branding::Branding::embedded().expect("branding");
    let runs = 20;
    let mut times = Vec::new();
    let mut size = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let pdf = billing::pdf::render(&brand, &invoice, &company, now.date()).expect("render");
        times.push(start.elapsed());
        size = pdf.len();
    }
    times.sort();
    println!(
        "invoice PDF, 100 lines: median {:.1} ms, max {:.1} ms over {runs} renders; {size} bytes",
        times[runs / 2].as_secs_f64() * 1000.0,
        times[runs - 1].as_secs_f64() * 1000.0
    );
}
