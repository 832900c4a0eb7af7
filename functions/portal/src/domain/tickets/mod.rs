//! Ticket domain: statuses, priorities, and the MSP's ticket settings (request types, the statuses
//! clients may set, the reopen window, the attachment size limit).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;

use crate::domain::validate::schema::{self, Chars};

use crate::domain::{CompanyId, UserId, iso_date};
use crate::domain::{DomainError, FieldError};

mod approval;
mod client_status;
mod closing;
mod people;
mod row;
mod search;
mod settings;
mod statuses;
mod targets;
mod tasks;
pub use approval::{
    ApprovalAnswerBody, ApprovalRequestBody, ApprovalState, NOT_WAITING, TicketApproval,
};
pub use client_status::{Refusal, client_may_set};
pub use closing::{MAX_SIGNER_NAME, Resolution, Signoff, SignoffBody, SignoffRefusal};
pub use people::{
    MAX_RATING_COMMENT, MAX_WATCHERS, Rating, RatingBody, RatingRefusal, Watcher, WatcherBody,
};
pub use row::TicketRow;
pub use search::{
    MAX_TICKET_WORDS, MAX_WORD_LEN, MAX_WORDS, Search, summary_words, ticket_words, words,
};
pub use settings::{
    MAX_ATTACHMENT_MB, MAX_REOPEN_DAYS, MAX_REQUEST_TYPE_LEN, MAX_REQUEST_TYPES, TicketSettings,
};
pub use statuses::{CustomStatus, MAX_STATUSES, StatusDef};
pub use targets::{
    BusinessHours, Calendar, Holiday, MAX_TARGET_MINUTES, OpenHours, PriorityTarget, TicketTargets,
    Weekday, check_targets, default_targets, plan_targets,
};
pub use tasks::{MAX_TASK_TEXT, MAX_TASKS, NewTaskBody, Task, TaskChange, task_text_checked};

/// Where a ticket is in its life. The first five are "open", the rest "closed".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    InProgress,
    WaitingOnClient,
    Scheduled,
    /// A technician asked the client's approvers to approve the work (`Ticket::approval`); set
    /// only by asking for approval.
    WaitingForApproval,
    Resolved,
    Closed,
    Cancelled,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 8] = [
        TicketStatus::New,
        TicketStatus::InProgress,
        TicketStatus::WaitingOnClient,
        TicketStatus::Scheduled,
        TicketStatus::WaitingForApproval,
        TicketStatus::Resolved,
        TicketStatus::Closed,
        TicketStatus::Cancelled,
    ];

    pub fn is_open(self) -> bool {
        matches!(
            self,
            TicketStatus::New
                | TicketStatus::InProgress
                | TicketStatus::WaitingOnClient
                | TicketStatus::Scheduled
                | TicketStatus::WaitingForApproval
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            TicketStatus::New => "New",
            TicketStatus::InProgress => "In progress",
            TicketStatus::WaitingOnClient => "Waiting on client",
            TicketStatus::Scheduled => "Scheduled",
            TicketStatus::Resolved => "Resolved",
            TicketStatus::Closed => "Closed",
            TicketStatus::Cancelled => "Cancelled",
            TicketStatus::WaitingForApproval => "Waiting for approval",
        }
    }
}

/// Where a ticket is: what the search index points at.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct TicketRef {
    pub company_id: CompanyId,
    pub number: u64,
}

#[cfg(test)]
mod tests;

/// How urgent a ticket is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
    Critical,
}

/// A support ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ticket {
    pub number: u64,
    pub company_id: CompanyId,
    pub summary: String,
    pub description: String,
    pub request_type: String,
    pub priority: Priority,
    pub emergency: bool,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<time::Date>,
    pub po_number: Option<String>,
    pub status: TicketStatus,
    pub contact_id: UserId,
    pub contact_name: String,
    pub created_by_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<OffsetDateTime>,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    /// The technician's company (the MSP's): where their user item is, to email them.
    #[serde(default)]
    pub assignee_company: Option<CompanyId>,
    /// The project and phase the ticket was raised in (tickets of a project's plan).
    #[serde(default)]
    pub project: Option<crate::domain::projects::TicketProject>,
    /// The configuration (device, licence, …) the ticket is about.
    #[serde(default)]
    pub configuration: Option<crate::domain::configurations::TicketConfiguration>,
    /// The issued invoices that bill it (seed 004's cart marker), oldest first.
    #[serde(default)]
    pub invoices: Vec<InvoiceMark>,
    /// The latest request for the client's approval, and its answer.
    #[serde(default)]
    pub approval: Option<TicketApproval>,
    /// Its resolution, sign-off, tasks, watchers, rating and latest public note (stored and sent
    /// as fields of the ticket itself).
    #[serde(flatten)]
    pub work: TicketWork,
    pub version: u64,
}

/// What has been done on a ticket and who follows it (issue 22): a part of `Ticket`, flattened, so
/// a new ticket starts from `TicketWork::default()`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketWork {
    /// What fixed it (a public note), once someone resolved it; cleared when it is reopened.
    #[serde(default)]
    pub resolution: Option<Resolution>,
    /// The client's sign-off, once signed (it closed the ticket; it never changes).
    #[serde(default)]
    pub signoff: Option<Signoff>,
    /// The checklist staff keep on it (clients see it).
    #[serde(default)]
    pub tasks: Vec<Task>,
    /// Colleagues emailed on its updates.
    #[serde(default)]
    pub watchers: Vec<Watcher>,
    /// The contact's rating, once given.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// The latest public note (for the list's summary view; internal notes never).
    #[serde(default)]
    pub last_note: Option<NoteExcerpt>,
    /// The MSP's own status the ticket is in (its stage is `status`); absent in a built-in one.
    #[serde(default)]
    pub custom_status: Option<CustomStatus>,
    /// Its response and resolution targets and how it stands against them (absent when none
    /// applied when it was raised).
    #[serde(default)]
    pub targets: Option<TicketTargets>,
    /// When the MSP first replied in public (the reports' first response time).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub first_response_at: Option<OffsetDateTime>,
    /// When it was resolved or closed (kept while it stays done; cleared when it is reopened):
    /// the reports' resolution time.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<OffsetDateTime>,
}

/// An issued invoice that bills a ticket: set when the invoice is issued, taken off if it is voided.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceMark {
    pub invoice_id: crate::domain::billing::BillingId,
    pub number: u64,
}

impl Ticket {
    /// The ticket once `note` is added to it: updated at the note's time, one version on.
    pub fn with_note(&self, note: &Note) -> Ticket {
        let mut touched = self.with_note_at(note.created_at);
        touched.note_seen(note);
        touched
    }

    /// Keep `note` as the latest public one, if it is public; the MSP's first public reply meets
    /// the response target; a target passed unmet is marked.
    pub fn note_seen(&mut self, note: &Note) {
        if !note.internal {
            self.work.last_note = Some(NoteExcerpt::of(note));
        }
        if note.from_msp && !note.internal {
            self.work.first_response_at.get_or_insert(note.created_at);
        }
        if let Some(targets) = &mut self.work.targets {
            if note.from_msp && !note.internal {
                targets.responded(note.created_at);
            }
            // Any change marks the targets it comes too late for.
            if self.status.is_open() {
                targets.mark(note.created_at);
            }
        }
    }

    /// Move the ticket to `status` at `now`: its stage, the MSP's own status if it is one, when
    /// it closed, the resolution target met (or, reopened, not yet); reopening clears the
    /// resolution (what was said to fix it did not).
    pub fn set_status(&mut self, status: &StatusDef, now: OffsetDateTime) {
        let stage = status.stage;
        self.status = stage;
        self.work.custom_status = status.custom();
        self.closed_at = if stage.is_open() { None } else { Some(now) };
        match stage {
            TicketStatus::Resolved | TicketStatus::Closed => {
                self.work.resolved_at.get_or_insert(now);
            }
            TicketStatus::Cancelled => {}
            _ => self.work.resolved_at = None,
        }
        if stage.is_open() {
            self.work.resolution = None;
        }
        if let Some(targets) = &mut self.work.targets {
            match stage {
                TicketStatus::Resolved | TicketStatus::Closed => {
                    targets.resolved_at.get_or_insert(now);
                }
                TicketStatus::Cancelled => {}
                _ => targets.resolved_at = None,
            }
            if stage != TicketStatus::Cancelled {
                targets.mark(now);
            }
        }
    }

    /// The name of the status it is in: the MSP's own status's (as it was set), or the stage's
    /// under the MSP's name for it (`settings`), or the stage's own.
    pub fn status_name(&self, settings: Option<&TicketSettings>) -> String {
        match (&self.work.custom_status, settings) {
            (Some(custom), Some(s)) => s.status(&custom.id).map_or(&custom.name, |d| &d.name),
            (Some(custom), None) => &custom.name,
            (None, Some(s)) => s
                .status(self.status.id())
                .map_or(self.status.label(), |d| d.name.as_str()),
            (None, None) => self.status.label(),
        }
        .to_owned()
    }

    /// The ticket once a note is added to it at `at`: updated then, one version on.
    pub fn with_note_at(&self, at: OffsetDateTime) -> Ticket {
        let mut touched = self.clone();
        touched.updated_at = at;
        touched.version = self.version + 1;
        touched
    }
}

/// A note on a ticket: public (the conversation) or internal (MSP staff only, never in any client
/// answer).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Note {
    pub id: String,
    pub ticket_number: u64,
    pub internal: bool,
    pub author_id: UserId,
    pub author_name: String,
    /// Whether the author is MSP staff (the site shows whose side spoke).
    pub from_msp: bool,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// The start of a public note, as a list's summary view shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NoteExcerpt {
    pub author_name: String,
    pub from_msp: bool,
    /// The first `NOTE_EXCERPT` characters, with `…` when cut.
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// How much of a note a summary view shows.
pub const NOTE_EXCERPT: usize = 280;

impl NoteExcerpt {
    pub fn of(note: &Note) -> Self {
        let mut text: String = note.text.chars().take(NOTE_EXCERPT).collect();
        if note.text.chars().count() > NOTE_EXCERPT {
            text.push('…');
        }
        Self {
            author_name: note.author_name.clone(),
            from_msp: note.from_msp,
            text,
            at: note.created_at,
        }
    }
}

/// A file on a ticket, kept in S3. Listed only once its upload is confirmed (the object exists with
/// the declared size and type). Internal attachments are MSP staff only, like internal notes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: String,
    pub ticket_number: u64,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub internal: bool,
    pub uploaded_by_id: UserId,
    pub uploaded_by_name: String,
    pub from_msp: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

pub const MAX_SUMMARY: usize = 200;
pub const MAX_DESCRIPTION: usize = 10_000;
pub const MAX_NOTE: usize = 10_000;
pub const MAX_PO_NUMBER: usize = 50;

/// What `POST /api/tickets` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicketBody {
    /// One of the MSP's request types (`GET /api/tickets/settings`), in any case.
    pub request_type: String,
    #[schema(schema_with = summary)]
    pub summary: String,
    #[schema(schema_with = description)]
    pub description: String,
    pub priority: Priority,
    #[serde(default)]
    pub emergency: bool,
    /// `YYYY-MM-DD`, today or later; blank for none.
    #[schema(schema_with = due_date)]
    pub due_date: Option<String>,
    #[schema(schema_with = po_number)]
    pub po_number: Option<String>,
    /// A colleague to raise the ticket for (roles that may submit on behalf); default: oneself.
    /// MSP staff raising a ticket for a client must name the client contact.
    pub contact_id: Option<String>,
    /// The client company (MSP staff only; clients raise tickets in their own company).
    pub company_id: Option<String>,
    /// MSP staff only: raise the ticket in this project of the company (needs `phase_id`).
    pub project: Option<u64>,
    /// MSP staff only: the phase (or sub-phase) of `project`.
    pub phase_id: Option<String>,
    /// A configuration of the company the ticket is about (one the raiser may see).
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub configuration_id: Option<String>,
}

/// A new ticket's fields, checked.
pub struct NewTicket {
    pub request_type: String,
    pub summary: String,
    pub description: String,
    pub priority: Priority,
    pub emergency: bool,
    pub due_date: Option<time::Date>,
    pub po_number: Option<String>,
    pub contact_id: Option<UserId>,
}

fn summary() -> Object {
    schema::text(true, MAX_SUMMARY, Chars::Any)
}
fn description() -> Object {
    schema::text(true, MAX_DESCRIPTION, Chars::Any)
}
fn note() -> Object {
    schema::text(true, MAX_NOTE, Chars::Any)
}
fn optional_note() -> Object {
    schema::or_null(note())
}
fn po_number() -> Object {
    schema::or_null(schema::text(false, MAX_PO_NUMBER, Chars::Any))
}
fn due_date() -> Object {
    let pattern = schema::trimmed("([0-9]{4}-[0-9]{2}-[0-9]{2})?");
    schema::or_null(schema::string(0, None, Some(pattern)))
}
/// Whether `value` (as sent, white space around included) is longer than `max` characters.
fn too_long(field: &str, value: &str, max: usize) -> Option<FieldError> {
    (value.chars().count() > max)
        .then(|| FieldError::new(field, format!("At most {max} characters")))
}

impl NewTicketBody {
    /// Checked against the settings (request types) and today's date; 422 names each bad field.
    pub fn validate(
        self,
        settings: &TicketSettings,
        today: time::Date,
    ) -> Result<NewTicket, DomainError> {
        let mut errors = Vec::new();
        let summary = self.summary.trim().to_owned();
        let description = self.description.trim().to_owned();
        if summary.is_empty() {
            errors.push(FieldError::new(
                "summary",
                "Give the ticket a short summary",
            ));
        }
        errors.extend(too_long("summary", &self.summary, MAX_SUMMARY));
        if description.is_empty() {
            errors.push(FieldError::new(
                "description",
                "Describe the problem or request",
            ));
        }
        errors.extend(too_long("description", &self.description, MAX_DESCRIPTION));
        let request_type = settings
            .request_types
            .iter()
            .find(|t| t.eq_ignore_ascii_case(self.request_type.trim()))
            .cloned();
        if request_type.is_none() {
            errors.push(FieldError::new(
                "request_type",
                "Choose one of the request types offered",
            ));
        }
        let due_date = match self
            .due_date
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some(raw) => match time::Date::parse(
                raw,
                time::macros::format_description!("[year]-[month]-[day]"),
            ) {
                Ok(d) if d >= today => Some(d),
                Ok(_) => {
                    errors.push(FieldError::new(
                        "due_date",
                        "The due date cannot be in the past",
                    ));
                    None
                }
                Err(_) => {
                    errors.push(FieldError::new("due_date", "Use a date like 2026-12-31"));
                    None
                }
            },
        };
        if let Some(po) = &self.po_number {
            errors.extend(too_long("po_number", po, MAX_PO_NUMBER));
        }
        let po_number = self
            .po_number
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        let contact_id = match self
            .contact_id
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            None => None,
            Some(raw) => match UserId::parse(raw) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new(
                        "contact_id",
                        "Choose a colleague from the list",
                    ));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        Ok(NewTicket {
            request_type: request_type.unwrap_or_default(),
            summary,
            description,
            priority: self.priority,
            emergency: self.emergency,
            due_date,
            po_number,
            contact_id,
        })
    }
}

/// What `POST /api/tickets/{number}/notes` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    #[schema(schema_with = note)]
    pub text: String,
    /// MSP staff only: a note no client user ever sees.
    #[serde(default)]
    pub internal: bool,
    /// MSP staff only: this (public) note is the ticket's resolution, shown above the
    /// conversation and on the sign-off form.
    #[serde(default)]
    pub resolution: bool,
}

impl NoteBody {
    pub fn text(&self) -> Result<String, DomainError> {
        note_text("text", &self.text)
    }
}

/// A note's text sent as `field`: trimmed, not blank, at most `MAX_NOTE` characters.
pub fn note_text(field: &str, raw: &str) -> Result<String, DomainError> {
    let text = raw.trim().to_owned();
    let mut errors = Vec::new();
    if text.is_empty() {
        errors.push(FieldError::new(field, "Write the note"));
    }
    errors.extend(too_long(field, raw, MAX_NOTE));
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// A ticket number from a path segment; anything else is 404.
pub fn parse_number(raw: &str) -> Result<u64, DomainError> {
    raw.parse::<u64>()
        .ok()
        .filter(|n| (1..10_000_000_000).contains(n))
        .ok_or(DomainError::NotFound)
}

/// What `PATCH /api/tickets/{number}` takes: only the fields to change, and the `version` read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketChange {
    /// A built-in status, by its stage (under the MSP's name for it).
    pub status: Option<TicketStatus>,
    /// Any status of the MSP's list (`GET /api/tickets/settings`), by id; instead of `status`.
    #[schema(pattern = "^([a-z_]{1,24}|x-[a-z0-9-]{1,40})$")]
    pub status_id: Option<String>,
    /// MSP staff only.
    pub priority: Option<Priority>,
    /// MSP staff only: a technician's user id, or `""` to unassign.
    pub assignee_id: Option<String>,
    /// MSP staff only: move the ticket to this phase of its project (with `project`, into a
    /// project of the ticket's company).
    pub phase_id: Option<String>,
    /// MSP staff only: the project (of the ticket's company) to place the ticket in; needs
    /// `phase_id`.
    pub project: Option<u64>,
    /// A public note written with the change, in the same request. Clients must write one when
    /// they change the status; resolving a ticket that has no resolution yet needs one (it becomes
    /// the resolution).
    #[schema(schema_with = optional_note)]
    pub note: Option<String>,
    pub version: u64,
}
