//! What an approval sets off, as the MSP chose when sending the quote: the ticket for the work,
//! the project, the deposit invoice — each built here from the quote and the approver, written by
//! the store in the approval's own transaction.

use time::{Duration, OffsetDateTime};

use super::Quote;
use crate::domain::account::{Company, User};
use crate::domain::billing::{Invoice, InvoiceStatus, Line, Quantity, format_money};
use crate::domain::projects::{Project, ProjectStatus};
use crate::domain::tickets::{MAX_DESCRIPTION, MAX_SUMMARY, Priority, Ticket, TicketStatus};

/// How long a project created from a quote is planned to take until its manager plans it.
pub const PROJECT_WEEKS: i64 = 4;

/// `text` cut to `max` characters.
fn cut(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl Quote {
    /// What the lines are, one per line, for a ticket's or a project's description.
    fn lines_text(&self) -> String {
        self.lines
            .iter()
            .map(|l| {
                format!(
                    "- {} × {} ({})",
                    l.line.quantity,
                    l.line.description,
                    format_money(l.line.amount, &self.currency)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn approved_text(&self, approver: &User) -> String {
        let mut text = format!(
            "{} approved {} ({}) for {}.\n\n{}",
            approver.name,
            self.label(),
            self.title,
            self.totals_text(),
            self.lines_text()
        );
        if !self.introduction.is_empty() {
            text = format!("{text}\n\n{}", self.introduction);
        }
        text
    }

    /// The ticket for the work, numbered `number`, if the MSP asked for one: the approver is its
    /// contact.
    pub fn work_ticket(&self, number: u64, approver: &User, now: OffsetDateTime) -> Option<Ticket> {
        let request_type = self.on_approval.ticket_request_type.clone()?;
        Some(self.ticket(
            number,
            format!("Approved quote {}: {}", self.label(), self.title),
            self.approved_text(approver),
            request_type,
            approver,
            now,
        ))
    }

    /// The ticket asking the MSP to renew this expired quote, numbered `number`, of
    /// `request_type`, raised by `asker` (its contact).
    pub fn renewal_request(
        &self,
        number: u64,
        request_type: String,
        asker: &User,
        now: OffsetDateTime,
    ) -> Ticket {
        self.ticket(
            number,
            format!("Please renew quote {}: {}", self.label(), self.title),
            format!(
                "{} asks to renew {} ({}), which expired on {}: {}.",
                asker.name,
                self.label(),
                self.title,
                self.valid_until,
                self.totals_text()
            ),
            request_type,
            asker,
            now,
        )
    }

    fn ticket(
        &self,
        number: u64,
        summary: String,
        description: String,
        request_type: String,
        contact: &User,
        now: OffsetDateTime,
    ) -> Ticket {
        Ticket {
            number,
            company_id: self.company_id.clone(),
            summary: cut(&summary, MAX_SUMMARY),
            description: cut(&description, MAX_DESCRIPTION),
            request_type,
            priority: Priority::Medium,
            emergency: false,
            due_date: None,
            po_number: None,
            status: TicketStatus::New,
            contact_id: contact.id.clone(),
            contact_name: contact.name.clone(),
            created_by_id: contact.id.clone(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            assignee_id: None,
            assignee_name: None,
            project: None,
            configuration: None,
            invoices: Vec::new(),
            approval: None,
            work: Default::default(),
            assignee_company: None,
            version: 1,
        }
    }

    /// The project, numbered `number`, if the MSP asked for one: managed by the quote's owner,
    /// the approver its client contact, planned from today for `PROJECT_WEEKS` weeks.
    pub fn project(&self, number: u64, approver: &User, now: OffsetDateTime) -> Option<Project> {
        if !self.on_approval.create_project {
            return None;
        }
        let start = now.date();
        let end = start + Duration::weeks(PROJECT_WEEKS);
        Some(Project {
            number,
            company_id: self.company_id.clone(),
            company_name: self.company_name.clone(),
            name: cut(&self.title, crate::domain::validate::MAX_NAME),
            description: cut(
                &self.approved_text(approver),
                crate::domain::projects::MAX_DESCRIPTION,
            ),
            status: ProjectStatus::Planned,
            manager_id: self.owner_id.clone(),
            manager_name: self.owner_name.clone(),
            contact_id: Some(approver.id.clone()),
            contact_name: Some(approver.name.clone()),
            start,
            planned_completion: end,
            expected_completion: end,
            completion_changes: Vec::new(),
            phases: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }

    /// The deposit invoice, issued as number `number` and due today, if the MSP asked for one:
    /// one line, untaxed (the deposit is a share of the taxed one-off total).
    pub fn deposit_invoice(
        &self,
        company: &Company,
        number: u64,
        now: OffsetDateTime,
    ) -> Option<Invoice> {
        let amount = self.deposit();
        if amount <= 0 {
            return None;
        }
        let mut invoice = Invoice::draft(company, now);
        invoice.id = crate::domain::billing::BillingId::derived(&["deposit", self.id.as_str()]);
        invoice.currency = self.currency.clone();
        invoice.lines = vec![Line {
            description: cut(
                &format!("Deposit on quote {}: {}", self.label(), self.title),
                crate::domain::billing::MAX_LINE_DESCRIPTION,
            ),
            quantity: Quantity(1000),
            unit_price: amount,
            amount: 0,
        }];
        invoice.notes = format!(
            "The deposit on quote {}, approved: {} of {}.",
            self.label(),
            format_money(amount, &self.currency),
            self.totals_text()
        );
        invoice.recompute();
        invoice.status = InvoiceStatus::Issued;
        invoice.number = Some(number);
        invoice.issue_date = Some(now.date());
        invoice.due_date = Some(now.date());
        Some(invoice)
    }
}
