//! The demo invoices: one paid by bank transfer, one overdue, one due and one draft for Acme Dental,
//! one due for Globex; and Acme's credit note (store credit it has not used yet).

use super::*;

/// `(company, description lines (text, quantity, unit price in cents), days ago issued, paid by
/// bank transfer, tickets it bills)`. The last one stays a draft.
type DemoInvoice = (
    &'static str,
    &'static [(&'static str, &'static str, i64)],
    i64,
    bool,
    &'static [u64],
);

const DEMO_INVOICES: &[DemoInvoice] = &[
    (
        "acme-dental",
        &[
            ("Managed IT services, 18 seats (monthly)", "18", 4_500),
            ("Offsite backup, 500 GB", "1", 12_000),
        ],
        75,
        true,
        &[],
    ),
    (
        "acme-dental",
        &[
            ("Managed IT services, 18 seats (monthly)", "18", 4_500),
            ("Offsite backup, 500 GB", "1", 12_000),
        ],
        45,
        false,
        &[],
    ),
    (
        "acme-dental",
        &[
            (
                "Front desk PC and second monitor: labour (hours)",
                "3.5",
                12_500,
            ),
            ("Dell OptiPlex 7020 with Windows 11 Pro", "1", 84_900),
        ],
        5,
        false,
        // "Second monitor for the front desk": its cart marker links here.
        &[13],
    ),
    (
        "globex-logistics",
        &[("Managed IT services, 42 seats (monthly)", "42", 4_200)],
        4,
        false,
        &[],
    ),
    (
        "acme-dental",
        &[("Firewall licence renewal (12 months)", "1", 39_900)],
        0,
        false,
        &[],
    ),
];

/// Write the demo invoices (Acme Dental: one paid by bank transfer, one overdue, one due, one
/// draft; Globex: one due), unless an invoice was ever issued.
pub async fn seed_invoices(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
    use portal::domain::billing::*;
    if store.last_invoice_number().await? > 0 {
        return Ok(());
    }
    let admin = find("admin@northwind.example")?;
    let msp = CompanyId::parse("northwind-it").map_err(anyhow::Error::msg)?;
    let admin_user = store
        .get_user(&msp, &demo_user_id(admin.email))
        .await?
        .context("demo users are seeded first")?;
    let meta = RequestMeta::system(now);
    let audit = |action, summary: String| {
        AuditEntry::new(&meta, &msp, Some(&admin_user), action, None, summary)
    };
    let drafts = DEMO_INVOICES.len() - 1;
    for (i, (company, lines, days_ago, paid, tickets)) in DEMO_INVOICES.iter().enumerate() {
        let company_id = CompanyId::parse(company).map_err(anyhow::Error::msg)?;
        let company = store
            .get_company(&company_id)
            .await?
            .context("demo companies are seeded first")?;
        let issued = now - time::Duration::days(*days_ago);
        let mut invoice = Invoice::draft(&company, issued);
        invoice.lines = lines
            .iter()
            .map(|(description, quantity, unit_price)| {
                Ok(Line {
                    description: (*description).into(),
                    quantity: Quantity::parse(quantity).context("demo quantity")?,
                    unit_price: *unit_price,
                    amount: 0,
                })
            })
            .collect::<anyhow::Result<_>>()?;
        invoice.tax_rate_bp = 825;
        invoice.notes = "Thank you for your business.".into();
        invoice.tickets = tickets.to_vec();
        invoice.recompute();
        store
            .create_invoice(
                &invoice,
                &audit(AuditAction::InvoiceCreated, "Drafted a demo invoice".into()),
            )
            .await?;
        if i == drafts {
            continue;
        }
        let number = i as u64 + 1;
        let mut sent = invoice.clone();
        sent.number = Some(number);
        sent.status = InvoiceStatus::Issued;
        sent.issue_date = Some(issued.date());
        sent.due_date =
            Some(issued.date() + time::Duration::days(i64::from(company.payment_terms_days)));
        sent.version += 1;
        let summary = format!("Issued {}", invoice_label(number));
        let saved = store
            .issue_invoice(
                &sent,
                number - 1,
                Some(invoice.version),
                &audit(AuditAction::InvoiceIssued, summary),
            )
            .await?;
        anyhow::ensure!(
            matches!(saved, portal::store::Saved::Done),
            "demo invoice {number} was taken meanwhile"
        );
        if *paid {
            let at = issued + time::Duration::days(12);
            let (payment, settled) = Payment::manual(
                &sent,
                sent.total,
                "Bank transfer ACME-7731".into(),
                (&demo_user_id(admin.email), admin.name),
                at,
            );
            let summary = format!("Recorded a bank transfer against {}", invoice_label(number));
            store
                .create_payment(
                    &payment,
                    &[(settled, sent.version)],
                    &audit(AuditAction::PaymentRecorded, summary),
                )
                .await?;
        }
    }
    // A goodwill credit against the overdue invoice: Acme's store credit.
    let acme = store
        .get_company(&CompanyId::parse("acme-dental").map_err(anyhow::Error::msg)?)
        .await?
        .context("demo companies are seeded first")?;
    let (_, overdue) = store
        .invoice_by_number(2)
        .await?
        .context("the demo's second invoice")?;
    let note = CreditNote {
        number: store.last_credit_number().await? + 1,
        company_id: acme.id.clone(),
        company_name: acme.name.clone(),
        currency: acme.currency.clone(),
        amount: 5_000,
        reason: "Goodwill credit for the reception printer outage".into(),
        invoice: Some(CreditedInvoice {
            invoice_id: overdue,
            label: invoice_label(2),
        }),
        issued_by_name: admin.name.into(),
        created_at: now - time::Duration::days(20),
        version: 1,
    };
    let summary = format!("Issued {}", note.label());
    anyhow::ensure!(
        store
            .issue_credit_note(
                &note,
                note.number - 1,
                None,
                &audit(AuditAction::CreditNoteIssued, summary)
            )
            .await?,
        "the demo credit note's number was taken meanwhile"
    );
    Ok(())
}
