//! Time on tickets: what a technician logs (date, whole minutes as entered, work type, billable,
//! a note, the agreement it counts against), what a client sees of it, and how a change moves
//! the agreements' month counters.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::{Agreement, AgreementKind, default_agreement};
use crate::domain::billing::BillingId;
use crate::domain::validate::{self, schema};
use crate::domain::{CompanyId, DomainError, FieldError, UserId, iso_date};

/// Longest entry: a day.
pub const MAX_ENTRY_MINUTES: i64 = 1440;
pub const MAX_ENTRY_NOTE: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkType {
    Remote,
    Onsite,
    Travel,
    Project,
    Consulting,
}

/// The invoice that billed an entry (its number, once issued, is on the ticket's `invoices`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BilledBy {
    pub invoice_id: BillingId,
}

/// Time logged on a ticket.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct TimeEntry {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub ticket_number: u64,
    /// The ticket's summary (which never changes): an invoice line names the ticket with it.
    #[serde(default)]
    pub ticket_summary: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// Whole minutes, exactly as entered.
    pub minutes: i64,
    pub work_type: WorkType,
    pub billable: bool,
    /// Shown to the client unless `internal`.
    pub note: String,
    /// The note is for MSP staff only: clients see the entry without it.
    pub internal: bool,
    pub agreement_id: Option<BillingId>,
    pub agreement_name: Option<String>,
    /// The kind of that agreement (which never changes once time counts against it).
    #[serde(default)]
    pub agreement_kind: Option<AgreementKind>,
    pub by_id: UserId,
    pub by_name: String,
    /// Set when an invoice bills it; a billed entry no longer changes.
    #[serde(default)]
    pub billed: Option<BilledBy>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

impl TimeEntry {
    /// Whether an invoice bills it entry by entry: billable, not billed yet, and not covered by
    /// what the client pays for anyway (a block's or retainer's hours, a managed-services fee;
    /// hours past those are billed as a whole, per period).
    pub fn to_invoice(&self) -> bool {
        self.billable
            && self.billed.is_none()
            && self
                .agreement_kind
                .is_none_or(|k| k == AgreementKind::TimeAndMaterials)
    }

    /// As a client sees it: an internal note left out, and no draft invoice named (the ticket's
    /// `invoices` name the issued ones).
    pub fn for_client(mut self) -> Self {
        if self.internal {
            self.note.clear();
        }
        self.billed = None;
        self
    }
}

/// The time on one ticket.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct TicketTime {
    pub total_minutes: i64,
    pub billable_minutes: i64,
    /// Oldest first.
    pub entries: Vec<TimeEntry>,
}

impl TicketTime {
    /// The time as a client sees it: internal entries' notes and billing marks left out.
    pub fn for_client(entries: Vec<TimeEntry>) -> Self {
        Self::of(entries.into_iter().map(TimeEntry::for_client).collect())
    }

    pub fn of(mut entries: Vec<TimeEntry>) -> Self {
        entries.sort_by_key(|e| (e.date, e.created_at));
        Self {
            total_minutes: entries.iter().map(|e| e.minutes).sum(),
            billable_minutes: entries
                .iter()
                .filter(|e| e.billable)
                .map(|e| e.minutes)
                .sum(),
            entries,
        }
    }
}

/// What a technician sends to log time (or, with `version`, to change an entry).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeEntryBody {
    /// `YYYY-MM-DD`, not in the future.
    #[schema(format = Date)]
    pub date: String,
    /// Whole minutes, 1 to 1,440, recorded exactly (the form steps by 6 minutes, a tenth of an hour).
    #[schema(minimum = 1, maximum = 1440)]
    pub minutes: i64,
    pub work_type: WorkType,
    /// Default: billable.
    pub billable: Option<bool>,
    #[serde(default)]
    #[schema(schema_with = entry_note)]
    pub note: String,
    #[serde(default)]
    pub internal: bool,
    /// Absent or null: the company's agreement in force that covers the ticket's request type
    /// (prepaid hours first); empty: none; else an agreement of the ticket's company.
    pub agreement_id: Option<String>,
    /// Change only: the version read.
    pub version: Option<u64>,
}

fn entry_note() -> utoipa::openapi::schema::Object {
    schema::text(false, MAX_ENTRY_NOTE, schema::Chars::Any)
}

/// An entry's fields, checked; the agreement chosen.
pub struct CheckedEntry<'a> {
    pub date: Date,
    pub minutes: i64,
    pub work_type: WorkType,
    pub billable: bool,
    pub note: String,
    pub internal: bool,
    pub agreement: Option<&'a Agreement>,
}

impl TimeEntryBody {
    /// Check every field against `today` and choose the agreement among the company's, for a
    /// ticket of `request_type`.
    pub fn check<'a>(
        &self,
        today: Date,
        agreements: &'a [Agreement],
        request_type: &str,
    ) -> Result<CheckedEntry<'a>, DomainError> {
        let mut errors = Vec::new();
        let date = validate::date("date", &self.date, &mut errors);
        if let Some(d) = date
            && (d > today.next_day().unwrap_or(today) || d.year() < 2000)
        {
            errors.push(FieldError::new("date", "Log time on a day that has come"));
        }
        if !(1..=MAX_ENTRY_MINUTES).contains(&self.minutes) {
            errors.push(FieldError::new(
                "minutes",
                "Enter 1 minute to 24 hours (1,440 minutes)",
            ));
        }
        let note = validate::text("note", &self.note, MAX_ENTRY_NOTE, &mut errors);
        let agreement = match (self.agreement_id.as_deref().map(str::trim), date) {
            (_, None) => None,
            (None, Some(d)) => default_agreement(agreements, request_type, d),
            (Some(""), _) => None,
            (Some(id), Some(d)) => match agreements.iter().find(|a| a.id.as_str() == id) {
                None => {
                    errors.push(FieldError::new(
                        "agreement_id",
                        "Choose one of the company's agreements",
                    ));
                    None
                }
                Some(a) if !a.in_force(d) => {
                    errors.push(FieldError::new(
                        "agreement_id",
                        format!("{} is not in force on that date", a.name),
                    ));
                    None
                }
                Some(a) if !a.covers(request_type) => {
                    errors.push(FieldError::new(
                        "agreement_id",
                        format!("{} does not cover {request_type} tickets", a.name),
                    ));
                    None
                }
                Some(a) => Some(a),
            },
        };
        validate::done(errors)?;
        Ok(CheckedEntry {
            date: date.unwrap_or(today),
            minutes: self.minutes,
            work_type: self.work_type,
            billable: self.billable.unwrap_or(true),
            note,
            internal: self.internal,
            agreement,
        })
    }
}

impl CheckedEntry<'_> {
    /// Write these fields into `entry`.
    pub fn write(self, entry: &mut TimeEntry) {
        entry.date = self.date;
        entry.minutes = self.minutes;
        entry.work_type = self.work_type;
        entry.billable = self.billable;
        entry.note = self.note;
        entry.internal = self.internal;
        entry.agreement_id = self.agreement.map(|a| a.id.clone());
        entry.agreement_name = self.agreement.map(|a| a.name.clone());
        entry.agreement_kind = self.agreement.map(|a| a.kind);
    }
}
