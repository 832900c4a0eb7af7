//! The emails billing sends, to a company's billing contacts: its billing email address, and its
//! active users who see invoices and have not turned invoice emails off (`notify.invoices`).

use portal::App;
use portal::aws::mail::Outgoing;
use portal::domain::account::Company;
use portal::domain::billing::{Invoice, Payment, PaymentMethod, format_money, invoice_label};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, Email};

/// Who hears about a company's invoices and payments.
pub async fn billing_contacts(app: &App, company: &Company) -> Vec<Email> {
    let mut to: Vec<Email> = company.billing_email.iter().cloned().collect();
    to.extend(
        app.recipients(&company.id, |u| {
            u.role.can(Capability::ViewInvoices) && u.notify.invoices
        })
        .await,
    );
    to.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    to.dedup();
    to
}

/// Mail a company's billing contacts, reading the company first.
async fn send(app: &App, company_id: &CompanyId, subject: String, text: String) {
    if let Ok(Some(company)) = app.store.get_company(company_id).await {
        send_to(app, &company, subject, text).await;
    }
}

async fn send_to(app: &App, company: &Company, subject: String, text: String) {
    let to = billing_contacts(app, company).await;
    if to.is_empty() {
        tracing::info!(company = %company.id, subject, "no billing contact to email");
        return;
    }
    app.send_mail(&Outgoing {
        to,
        subject,
        text,
        html: None,
    })
    .await;
}

pub fn invoice_link(app: &App, invoice: &Invoice) -> String {
    format!("{}/invoices/view/?id={}", app.config.origin, invoice.id)
}

fn footer() -> &'static str {
    "\n\nYou get this email as a billing contact of your company on the client portal. Turn invoice emails off under My account."
}

/// A credit note was issued: the company's store credit went up.
pub async fn credit_note(app: &App, company: &Company, note: &portal::domain::billing::CreditNote) {
    let amount = format_money(note.amount, &note.currency);
    let about = note
        .invoice
        .as_ref()
        .map(|i| format!(" against {}", i.label))
        .unwrap_or_default();
    send_to(
        app,
        company,
        format!("Credit note {}: {amount} of store credit", note.label()),
        format!(
            "{msp} issued credit note {label} of {amount}{about} to {company}.\n\nReason: {reason}\n\nIt is \
             added to your store credit, which pays your next invoices: apply it on an invoice's page.\n\n\
             Your credit notes: {origin}/credit-notes/{footer}",
            msp = app.branding.name,
            label = note.label(),
            company = company.name,
            reason = note.reason,
            origin = app.config.origin,
            footer = footer(),
        ),
    )
    .await;
}

/// A new invoice was issued.
pub async fn invoice_issued(app: &App, company: &Company, invoice: &Invoice, autopay: bool) {
    let label = invoice.label();
    let due = invoice
        .due_date
        .map(portal::domain::display_date)
        .unwrap_or_default();
    let how = if autopay {
        "It will be charged to your default payment method (autopay)."
    } else {
        "You can pay it online from the portal."
    };
    send_to(
        app,
        company,
        format!(
            "Invoice {label}: {} due {due}",
            format_money(invoice.total, &invoice.currency)
        ),
        format!(
            "Invoice {label} for {} is ready: {} due on {due}.\n{how}\n\nView and pay it: {}{}",
            invoice.company_name,
            format_money(invoice.total, &invoice.currency),
            invoice_link(app, invoice),
            footer()
        ),
    )
    .await;
}

/// A payment went through.
pub async fn receipt(app: &App, payment: &Payment) {
    let paid: Vec<String> = payment
        .allocations
        .iter()
        .filter(|a| a.amount > 0)
        .map(|a| {
            format!(
                "  {}  {}",
                invoice_label(a.number),
                format_money(a.amount, &payment.currency)
            )
        })
        .collect();
    send(
        app,
        &payment.company_id,
        format!(
            "Payment received: {}",
            format_money(payment.amount, &payment.currency)
        ),
        format!(
            "Thank you: we received {} ({}).\n\n{}\n\nReceipt: {}/payments/receipt/?id={}{}",
            format_money(payment.amount, &payment.currency),
            payment.method,
            paid.join("\n"),
            app.config.origin,
            payment.id,
            footer()
        ),
    )
    .await;
}

/// To the MSP's support mailbox: money arrived that no open invoice could take (it was paid by
/// other means or voided meanwhile), so it became the company's store credit.
pub async fn unapplied(app: &App, payment: &Payment) {
    let Some(support) = app.config.support_email.clone() else {
        tracing::warn!(payment = %payment.id, "unapplied money and no support mailbox to tell");
        return;
    };
    let company = match app.store.get_company(&payment.company_id).await {
        Ok(Some(company)) => company.name,
        _ => payment.company_id.to_string(),
    };
    let amount = format_money(payment.unapplied, &payment.currency);
    app.send_mail(&Outgoing {
        to: vec![support],
        subject: format!("Unapplied payment: {amount} from {company}"),
        text: format!(
            "Stripe took {total} from {company} ({method}), and {amount} of it paid no invoice: the \
             invoices it was for were paid by other means or voided before the payment arrived.\n\n\
             It is now the company's store credit and pays its next invoices: do not refund it in \
             Stripe as well.\n\n\
             Payment: {origin}/payments/receipt/?id={id}&company={company_id}",
            total = format_money(payment.amount, &payment.currency),
            method = payment.method,
            origin = app.config.origin,
            id = payment.id,
            company_id = payment.company_id,
        ),
        html: None,
    })
    .await;
}

/// Autopay could not charge the default method: pay by hand.
pub async fn autopay_failed(app: &App, invoice: &Invoice, why: &str) {
    send(
        app,
        &invoice.company_id,
        format!("Autopay failed for invoice {}", invoice.label()),
        format!(
            "We could not charge your default payment method for invoice {} ({}): {why}\n\nPay it here: {}{}",
            invoice.label(),
            format_money(invoice.balance, &invoice.currency),
            invoice_link(app, invoice),
            footer()
        ),
    )
    .await;
}

/// An invoice is `late` days past its due date and not fully paid.
pub async fn overdue(app: &App, company: &Company, invoice: &Invoice, late: i64) {
    let due = invoice
        .due_date
        .map(portal::domain::display_date)
        .unwrap_or_default();
    let days = if late == 1 {
        "1 day".into()
    } else {
        format!("{late} days")
    };
    send_to(
        app,
        company,
        format!("Reminder: invoice {} is {days} overdue", invoice.label()),
        format!(
            "Invoice {} for {} was due on {due}; {} is still to pay.\n\nPay it here: {}\n\nIf you have paid it in the meantime, thank you, and please ignore this reminder.{}",
            invoice.label(),
            invoice.company_name,
            format_money(invoice.balance, &invoice.currency),
            invoice_link(app, invoice),
            footer()
        ),
    )
    .await;
}

/// A saved card expires at the end of this month.
pub async fn card_expiring(app: &App, method: &PaymentMethod) {
    send(
        app,
        &method.company_id,
        format!("{} expires soon", method.describe()),
        format!(
            "{} (nickname: {}) expires at the end of {:02}/{}. Add a new card so autopay and payments keep working: {}/payment-methods/{}",
            method.describe(),
            if method.nickname.is_empty() { "none" } else { &method.nickname },
            method.exp_month.unwrap_or_default(),
            method.exp_year.unwrap_or_default(),
            app.config.origin,
            footer()
        ),
    )
    .await;
}

/// Where a quote's page is.
pub fn quote_link(app: &App, quote: &portal::domain::quotes::Quote) -> String {
    format!("{}/quotes/view/?id={}", app.config.origin, quote.id)
}

/// A quote (or a new revision of one) was sent: to the company's approvers (its active Full
/// Admins and Billing Admins), whatever their invoice emails — a quote waits for their answer.
pub async fn quote_sent(app: &App, quote: &portal::domain::quotes::Quote) {
    let to = app
        .recipients(&quote.company_id, |u| u.role.can(Capability::ApproveQuotes))
        .await;
    if to.is_empty() {
        tracing::info!(company = %quote.company_id, "no approver to email a quote to");
        return;
    }
    let label = quote.label();
    let revised = if quote.revision > 1 {
        " (a revision: it replaces the earlier one)"
    } else {
        ""
    };
    app.send_mail(&Outgoing {
        to,
        subject: format!("Quote {label} for your approval: {}", quote.title),
        text: format!(
            "{msp} sent {company} quote {label}{revised}: {title}.\n\n{totals}, valid until {until}.\n\n\
             Read it, download the PDF, and approve or decline it: {link}\n\n\
             You get this email as one of your company's approvers on the client portal.",
            msp = app.branding.name,
            company = quote.company_name,
            title = quote.title,
            totals = quote.totals_text(),
            until = portal::domain::display_date(quote.valid_until),
            link = quote_link(app, quote),
        ),
        html: None,
    })
    .await;
}

/// To the MSP (its support mailbox and the quote's owner): `text` about `quote`.
async fn to_msp(app: &App, quote: &portal::domain::quotes::Quote, subject: String, text: String) {
    let mut to: Vec<Email> = app.config.support_email.iter().cloned().collect();
    to.push(quote.owner_email.clone());
    to.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    to.dedup();
    app.send_mail(&Outgoing {
        to,
        subject,
        text: format!(
            "{text}\n\nThe quote: {}/quotes/view/?id={}&company={}",
            app.config.origin, quote.id, quote.company_id
        ),
        html: None,
    })
    .await;
}

/// An approver approved or declined `quote`.
pub async fn quote_answered(app: &App, quote: &portal::domain::quotes::Quote) {
    let label = quote.label();
    let (subject, text) = match (&quote.approval, &quote.decline) {
        (Some(a), _) => {
            let mut did = Vec::new();
            if let Some(outcome) = &quote.outcome {
                did.extend(
                    outcome
                        .ticket
                        .map(|n| format!("ticket #{n} was raised for the work")),
                );
                did.extend(
                    outcome
                        .project
                        .map(|n| format!("project P-{n} was created")),
                );
                did.extend(
                    outcome
                        .deposit_label
                        .as_ref()
                        .map(|l| format!("deposit invoice {l} was issued")),
                );
            }
            let did = if did.is_empty() {
                String::new()
            } else {
                format!("\n\nOn approval, {}.", did.join("; "))
            };
            (
                format!("{} approved {label}: {}", quote.company_name, quote.title),
                format!(
                    "{} ({}) approved {label} ({}) for {}, signing “{}”.{did}",
                    a.user_name,
                    quote.company_name,
                    quote.title,
                    quote.totals_text(),
                    a.name
                ),
            )
        }
        (None, Some(d)) => (
            format!("{} declined {label}: {}", quote.company_name, quote.title),
            format!(
                "{} ({}) declined {label} ({}).\n\nReason: {}",
                d.user_name, quote.company_name, quote.title, d.reason
            ),
        ),
        (None, None) => return,
    };
    to_msp(app, quote, subject, text).await;
}

/// An approver asked to renew expired `quote`: ticket `ticket` was raised.
pub async fn renewal_asked(
    app: &App,
    quote: &portal::domain::quotes::Quote,
    ticket: &portal::domain::tickets::Ticket,
) {
    to_msp(
        app,
        quote,
        format!(
            "{} asks to renew {}: ticket #{}",
            quote.company_name,
            quote.label(),
            ticket.number
        ),
        ticket.description.clone(),
    )
    .await;
}
