//! The demo quotes and the ticket that waits for approval: for Acme Dental, a new firewall waiting
//! for its approvers (one-off and monthly lines; its approval raises a ticket and invoices a
//! 50 % deposit), a laptop refresh approved, a phone system declined, and the MSP's draft of a
//! Wi-Fi survey; ticket "Appointment reminders not sent by SMS" waits for approval.

use super::*;
use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use portal::domain::billing::{LineBody, Quantity};
use portal::domain::quotes::*;
use portal::store::Saved;

/// `(title, introduction, lines (text, quantity, unit price in cents, recurrence), days ago
/// written, days valid, what becomes of it)`.
type DemoQuote = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, i64, Recurrence)],
    i64,
    i64,
    Fate,
);

#[derive(Clone, Copy, PartialEq)]
enum Fate {
    Draft,
    Waiting,
    Approved,
    Declined,
}

const DEMO_QUOTES: &[DemoQuote] = &[
    (
        "Laptop refresh for the treatment rooms",
        "Four new laptops to replace the 2019 models, set up with your practice software.",
        &[
            (
                "Dell Latitude 5450, 16 GB, 512 GB SSD",
                "4",
                119_900,
                Recurrence::OneTime,
            ),
            (
                "Set-up and data transfer (hours)",
                "6",
                12_500,
                Recurrence::OneTime,
            ),
        ],
        40,
        30,
        Fate::Approved,
    ),
    (
        "Hosted phone system",
        "Move the practice's phones to a hosted system with call recording.",
        &[
            ("Yealink T54W desk phone", "8", 18_900, Recurrence::OneTime),
            (
                "Hosted seat with call recording",
                "8",
                2_400,
                Recurrence::Monthly,
            ),
        ],
        25,
        30,
        Fate::Declined,
    ),
    (
        "New firewall",
        "Your router is out of support. This replaces it with a managed firewall we monitor \
         around the clock, with web filtering for the practice network.",
        &[
            ("FortiGate 60F firewall", "1", 99_900, Recurrence::OneTime),
            (
                "Installation and configuration (hours)",
                "3",
                12_500,
                Recurrence::OneTime,
            ),
            (
                "Firewall monitoring and updates",
                "1",
                8_900,
                Recurrence::Monthly,
            ),
        ],
        3,
        30,
        Fate::Waiting,
    ),
    (
        "Wi-Fi survey",
        "A site survey of the practice's Wi-Fi, with a report and recommendations.",
        &[(
            "Wi-Fi site survey and report",
            "1",
            45_000,
            Recurrence::OneTime,
        )],
        1,
        30,
        Fate::Draft,
    ),
];

const TERMS: &str = "Prices exclude work outside business hours. Hardware is ordered once the \
                     quote is approved; delivery usually takes five working days.";

/// Write the demo quotes and the ticket waiting for approval, unless a quote was ever sent.
pub async fn seed_quotes(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    if store.last_quote_number().await? > 0 {
        return Ok(());
    }
    let msp = CompanyId::parse("northwind-it").map_err(anyhow::Error::msg)?;
    let acme_id = CompanyId::parse("acme-dental").map_err(anyhow::Error::msg)?;
    let user = async |company: &CompanyId, email: &str| {
        store
            .get_user(company, &demo_user_id(email))
            .await?
            .context("demo users are seeded first")
    };
    let admin = user(&msp, "admin@northwind.example").await?;
    let tech = user(&msp, "tech@northwind.example").await?;
    let (fiona, bella) = (
        user(&acme_id, "fulladmin@acme.example").await?,
        user(&acme_id, "billing@acme.example").await?,
    );
    let acme = store
        .get_company(&acme_id)
        .await?
        .context("demo companies are seeded first")?;
    let meta = RequestMeta::system(now);
    let audit = |who: &portal::domain::account::User, action, summary: String| {
        AuditEntry::new(&meta, &who.company_id, Some(who), action, None, summary)
    };
    let settings = store.ticket_settings().await?;
    for (title, introduction, lines, days_ago, valid_days, fate) in DEMO_QUOTES {
        let written = now - time::Duration::days(*days_ago);
        let mut quote = Quote::draft(&acme, &admin, written.date(), written);
        let on_approval = if *fate == Fate::Waiting {
            OnApproval {
                ticket_request_type: Some("Service request".into()),
                create_project: false,
                deposit: Some(Deposit::Percent(5_000)),
            }
        } else {
            OnApproval::default()
        };
        QuoteBody {
            title: (*title).into(),
            introduction: (*introduction).into(),
            terms: TERMS.into(),
            valid_until: (written.date() + time::Duration::days(*valid_days)).to_string(),
            currency: None,
            lines: lines
                .iter()
                .map(|(description, quantity, unit_price, recurrence)| {
                    Ok(QuoteLineBody::new(
                        LineBody {
                            description: (*description).into(),
                            quantity: Quantity::parse(quantity).context("demo quantity")?,
                            unit_price: *unit_price,
                        },
                        *recurrence,
                    ))
                })
                .collect::<anyhow::Result<_>>()?,
            tax_rate_bp: 825,
            on_approval,
            version: None,
        }
        .apply(
            &mut quote,
            &acme.currency,
            written.date(),
            &settings.request_types,
        )
        .map_err(|e| anyhow::anyhow!("demo quote {title}: {e:?}"))?;
        let drafted = format!("Drafted a quote for Acme Dental: {title}");
        store
            .create_quote(&quote, &audit(&admin, AuditAction::QuoteCreated, drafted))
            .await?;
        if *fate == Fate::Draft {
            continue;
        }
        let last = store.last_quote_number().await?;
        let mut sent = quote.clone();
        sent.number = Some(last + 1);
        sent.status = QuoteStatus::Sent;
        sent.version += 1;
        let summary = format!("Sent {}", sent.label());
        let saved = store
            .send_quote(
                &sent,
                last,
                quote.version,
                &audit(&admin, AuditAction::QuoteSent, summary),
            )
            .await?;
        anyhow::ensure!(matches!(saved, Saved::Done), "demo quote number taken");
        let answered_at = written + time::Duration::days(2);
        let mut answer = sent.clone();
        answer.version += 1;
        answer.updated_at = answered_at;
        let (who, action) = match fate {
            Fate::Approved => {
                answer.status = QuoteStatus::Approved;
                answer.approval = Some(Approval {
                    name: fiona.name.clone(),
                    user_id: fiona.id.clone(),
                    user_name: fiona.name.clone(),
                    at: answered_at,
                    ip: "203.0.113.24".into(),
                    revision: sent.revision,
                    totals: sent.totals.clone(),
                    consent: sent.consent(),
                });
                answer.outcome = Some(Outcome::default());
                (&fiona, AuditAction::QuoteApproved)
            }
            Fate::Declined => {
                answer.status = QuoteStatus::Declined;
                answer.decline = Some(Decline {
                    reason: "We are staying with our current phone provider this year.".into(),
                    user_id: bella.id.clone(),
                    user_name: bella.name.clone(),
                    at: answered_at,
                });
                (&bella, AuditAction::QuoteDeclined)
            }
            Fate::Waiting | Fate::Draft => continue,
        };
        let summary = format!("Answered {}", sent.label());
        let saved = store
            .answer_quote(
                &answer,
                sent.version,
                answered_at.date(),
                &Default::default(),
                &audit(who, action, summary),
            )
            .await?;
        anyhow::ensure!(matches!(saved, Saved::Done), "demo quote answer refused");
    }
    // The ticket that waits for approval: Acme's "Appointment reminders not sent by SMS".
    // The demo tickets are the first few dozen numbers.
    for number in 1..=100 {
        let Some(ticket) = store.get_ticket(&acme_id, number).await? else {
            continue;
        };
        if ticket.summary != "Appointment reminders not sent by SMS" || !ticket.status.is_open() {
            continue;
        }
        let body = portal::domain::tickets::ApprovalRequestBody {
            message: "Fixing this needs the SMS gateway add-on of your practice software: \
                      billable work outside your agreement, about 3 hours ($375.00), and the \
                      add-on's $25.00 a month. Approve it and we will set it up this week."
                .into(),
            version: ticket.version,
        };
        if let Ok(Ok(asked)) = ticket.ask_approval(&body, &tech, now - time::Duration::hours(20)) {
            let summary = format!("Asked for approval of ticket #{number}");
            let audit = audit(&tech, AuditAction::TicketApprovalRequested, summary);
            store
                .save_ticket(&asked, &ticket, Some(&audit), None)
                .await?;
        }
        break;
    }
    Ok(())
}
