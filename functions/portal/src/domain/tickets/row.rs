//! A ticket as a list shows it.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::*;

/// A ticket as a list row: everything but the description.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketRow {
    pub number: u64,
    pub company_id: CompanyId,
    pub summary: String,
    pub request_type: String,
    pub status: TicketStatus,
    /// The MSP's own status it is in, if any.
    pub custom_status: Option<CustomStatus>,
    pub priority: Priority,
    pub emergency: bool,
    pub contact_id: UserId,
    pub contact_name: String,
    pub assignee_name: Option<String>,
    #[serde(with = "crate::domain::iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<time::Date>,
    /// The latest public note (the summary view).
    pub last_note: Option<NoteExcerpt>,
    /// Its targets (the queue marks misses and sorts by the nearest).
    pub targets: Option<TicketTargets>,
    /// Tasks done, of how many.
    pub tasks_done: usize,
    pub tasks_total: usize,
    /// The project the ticket belongs to (a badge on the list).
    pub project: Option<crate::domain::projects::TicketProject>,
    /// The configuration the ticket is about (staff see it in the queue).
    pub configuration: Option<crate::domain::configurations::TicketConfiguration>,
    /// The issued invoices that bill it (the list's cart marker).
    pub invoices: Vec<InvoiceMark>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl From<Ticket> for TicketRow {
    fn from(t: Ticket) -> Self {
        let (tasks_done, tasks_total) = t.task_progress();
        Self {
            number: t.number,
            company_id: t.company_id,
            summary: t.summary,
            request_type: t.request_type,
            status: t.status,
            custom_status: t.work.custom_status,
            priority: t.priority,
            emergency: t.emergency,
            contact_id: t.contact_id,
            contact_name: t.contact_name,
            assignee_name: t.assignee_name,
            due_date: t.due_date,
            last_note: t.work.last_note,
            targets: t.work.targets,
            tasks_done,
            tasks_total,
            project: t.project,
            configuration: t.configuration,
            invoices: t.invoices,
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}
