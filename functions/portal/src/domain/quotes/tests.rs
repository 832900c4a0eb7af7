use time::macros::{date, datetime};

use super::*;
use crate::domain::DomainError;
use crate::domain::billing::Quantity;

fn quote() -> Quote {
    use crate::domain::account::{Company, User};
    let at = datetime!(2026-12-01 9:00 UTC);
    let acme = Company::new(
        CompanyId::parse("acme-dental").unwrap(),
        "Acme Dental",
        crate::domain::CompanyKind::Client,
        at,
    );
    let owner = User::new(
        CompanyId::parse("northwind-it").unwrap(),
        crate::domain::Email::parse("admin@northwind.example").unwrap(),
        "Nadia Admin",
        crate::domain::roles::Role::MspAdmin,
        crate::domain::UserStatus::Active,
        at,
    );
    let mut quote = Quote::draft(&acme, &owner, date!(2026 - 12 - 31), at);
    quote.id = BillingId::derived(&["q"]);
    quote
}

fn line(
    description: &str,
    quantity: &str,
    unit_price: i64,
    recurrence: Recurrence,
) -> QuoteLineBody {
    QuoteLineBody::new(
        LineBody {
            description: description.into(),
            quantity: Quantity::parse(quantity).unwrap(),
            unit_price,
        },
        recurrence,
    )
}

fn body(lines: Vec<QuoteLineBody>) -> QuoteBody {
    QuoteBody {
        title: "New firewall".into(),
        introduction: "Replacing the end-of-life firewall.".into(),
        terms: "Payment 50 % on approval.".into(),
        valid_until: "2026-12-31".into(),
        currency: None,
        lines,
        tax_rate_bp: 1_000,
        on_approval: OnApproval {
            ticket_request_type: Some("Change request".into()),
            create_project: false,
            deposit: Some(Deposit::Percent(5_000)),
        },
        version: None,
    }
}

const TODAY: Date = date!(2026 - 12 - 03);

fn types() -> Vec<String> {
    vec!["Change request".into(), "Problem".into()]
}

#[test]
fn totals_are_kept_per_recurrence_with_their_tax_and_read_as_a_sentence() {
    let mut q = quote();
    body(vec![
        line("FortiGate 60F", "1", 99_900, Recurrence::OneTime),
        line("Installation (hours)", "3", 12_500, Recurrence::OneTime),
        line("Firewall monitoring", "1", 8_900, Recurrence::Monthly),
        line("Licence renewal", "1", 30_000, Recurrence::Annually),
    ])
    .apply(&mut q, &Currency::usd(), TODAY, &types())
    .unwrap();
    let totals: Vec<(Recurrence, i64, i64, i64)> = q
        .totals
        .iter()
        .map(|t| (t.recurrence, t.subtotal, t.tax, t.total))
        .collect();
    assert_eq!(
        totals,
        [
            (Recurrence::OneTime, 137_400, 13_740, 151_140),
            (Recurrence::Monthly, 8_900, 890, 9_790),
            (Recurrence::Annually, 30_000, 3_000, 33_000),
        ]
    );
    assert_eq!(
        q.totals_text(),
        "$1,511.40 one-off, $97.90 a month and $330.00 a year"
    );
    assert_eq!(q.deposit(), 75_570, "half the one-off total");
    q.number = Some(7);
    assert_eq!(
        q.consent(),
        "I approve Q-0007 for $1,511.40 one-off, $97.90 a month and $330.00 a year on the terms above, on behalf of Acme Dental."
    );
    q.revision = 2;
    assert_eq!(q.label(), "Q-0007 rev 2");
}

#[test]
fn only_a_sent_quote_in_date_is_answered() {
    let mut q = quote();
    assert_eq!(q.answerable(TODAY), Err(Refusal::NotSent));
    q.status = QuoteStatus::Sent;
    assert_eq!(q.answerable(TODAY), Ok(()));
    assert_eq!(q.answerable(date!(2027 - 01 - 01)), Err(Refusal::Expired));
    assert!(q.expired(date!(2027 - 01 - 01)));
    for (status, refusal) in [
        (QuoteStatus::Approved, Refusal::Approved),
        (QuoteStatus::Declined, Refusal::Declined),
        (QuoteStatus::Superseded, Refusal::Superseded),
    ] {
        q.status = status;
        assert_eq!(q.answerable(TODAY), Err(refusal));
        assert!(refusal.problem().starts_with("/problems/quote-"));
    }
}

#[test]
fn a_bad_quote_is_refused_whole_and_left_unchanged() {
    let fields = |r: Result<(), DomainError>| -> Vec<String> {
        match r {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    };
    let mut q = quote();
    let before = q.clone();
    let mut bad = body(vec![line("", "1", 100, Recurrence::OneTime)]);
    bad.title = "  ".into();
    bad.valid_until = "2026-12-01".into();
    bad.tax_rate_bp = 10_001;
    bad.on_approval.ticket_request_type = Some("Toasters".into());
    assert_eq!(
        fields(bad.apply(&mut q, &Currency::usd(), TODAY, &types())),
        [
            "title",
            "valid_until",
            "lines[0].description",
            "tax_rate_bp",
            "on_approval.ticket_request_type"
        ]
    );
    assert_eq!(q, before);
    // A monthly discount bigger than the monthly lines: that total is not more than zero.
    let negative = body(vec![
        line("Setup", "1", 10_000, Recurrence::OneTime),
        line("Discount", "1", -500, Recurrence::Monthly),
    ]);
    assert_eq!(
        fields(negative.apply(&mut q, &Currency::usd(), TODAY, &types())),
        ["lines"]
    );
    // A deposit needs one-off lines.
    let monthly_only = body(vec![line("Monitoring", "1", 8_900, Recurrence::Monthly)]);
    assert_eq!(
        fields(monthly_only.apply(&mut q, &Currency::usd(), TODAY, &types())),
        ["on_approval.deposit"]
    );
    let approve = ApproveBody {
        name: " ".into(),
        consent: false,
        version: 1,
    };
    assert!(matches!(approve.check(), Err(DomainError::Validation(e)) if e.len() == 2));
}
