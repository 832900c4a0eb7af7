//! How a ticket ends: the resolution (a public note staff — or the client resolving it — mark as
//! what fixed it), and the client's sign-off of a resolved ticket (a typed name and a consent
//! sentence, recorded with user, time and IP; immutable once made; it closes the ticket).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Note, Ticket, TicketStatus};
use crate::domain::validate::{self, schema};
use crate::domain::{DomainError, FieldError, UserId};

/// What fixed the ticket: a public note of its conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    pub note_id: String,
    pub text: String,
    pub author_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

impl Resolution {
    pub fn of(note: &Note) -> Self {
        Self {
            note_id: note.id.clone(),
            text: note.text.clone(),
            author_name: note.author_name.clone(),
            at: note.created_at,
        }
    }
}

/// A client's signed sign-off of a resolved ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signoff {
    /// As the signer typed it.
    pub name: String,
    pub user_id: UserId,
    pub user_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    pub ip: String,
    /// The sentence the signer ticked, as shown.
    pub consent: String,
    /// The signed form's file (kept as it was signed; never rendered again).
    #[schema(pattern = "^[0-9a-f]{16}$")]
    pub file_id: String,
}

pub const MAX_SIGNER_NAME: usize = 100;

/// What a client sends to sign a resolved ticket off.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignoffBody {
    /// Their name, as they type it.
    #[schema(schema_with = signer_name)]
    pub name: String,
    /// The consent sentence was ticked.
    pub consent: bool,
    /// The ticket's version when the sign-off page was opened: if it changed since, 409.
    pub version: u64,
}

fn signer_name() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_SIGNER_NAME, schema::Chars::NoControls)
}

impl SignoffBody {
    /// The typed name, checked.
    pub fn check(&self) -> Result<String, DomainError> {
        let mut errors = Vec::new();
        let name = validate::text("name", &self.name, MAX_SIGNER_NAME, &mut errors);
        if name.chars().count() < 2 {
            errors.push(FieldError::new("name", "Type your name to sign"));
        } else if name.contains(['\n', '\r']) {
            errors.push(FieldError::new("name", "Type your name on one line"));
        }
        if !self.consent {
            errors.push(FieldError::new("consent", "Tick the sentence to sign off"));
        }
        validate::done(errors)?;
        Ok(name)
    }
}

/// Why a ticket cannot be signed off now.
#[derive(Debug, PartialEq, Eq)]
pub enum SignoffRefusal {
    /// Already signed (the sign-off never changes).
    Signed,
    /// Not resolved (open, or closed without a resolution).
    NotResolved,
    /// Changed since the signer opened it.
    Changed,
}

impl Ticket {
    /// The sentence a signer ticks, naming the ticket and the company.
    pub fn signoff_consent(&self, company_name: &str) -> String {
        format!(
            "I confirm that the work on ticket #{} (“{}”) is complete and resolved as described above, on behalf of {company_name}.",
            self.number, self.summary
        )
    }

    /// Whether this ticket, read at `version`, may be signed off now.
    pub fn may_sign_off(&self, version: u64) -> Result<(), SignoffRefusal> {
        if self.work.signoff.is_some() {
            Err(SignoffRefusal::Signed)
        } else if self.status != TicketStatus::Resolved || self.work.resolution.is_none() {
            Err(SignoffRefusal::NotResolved)
        } else if self.version != version {
            Err(SignoffRefusal::Changed)
        } else {
            Ok(())
        }
    }

    /// The ticket once `signoff` is made at its time: closed, one version on.
    pub fn signed_off(&self, signoff: Signoff) -> Ticket {
        let mut next = self.clone();
        next.set_status(&super::StatusDef::builtin(TicketStatus::Closed), signoff.at);
        next.updated_at = signoff.at;
        next.work.signoff = Some(signoff);
        next.version = self.version + 1;
        next
    }
}
