//! Who follows a ticket besides its contact: watchers (colleagues who may see it, emailed on its
//! updates; each can leave), and the contact's rating of how it went ("How did we do?").

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Ticket, TicketStatus};
use crate::domain::account::{User, UserStatus};
use crate::domain::roles::Capability;
use crate::domain::validate::{self, schema};
use crate::domain::{DomainError, FieldError, UserId};

pub const MAX_WATCHERS: usize = 20;
pub const MAX_RATING_COMMENT: usize = 2_000;

/// A colleague emailed on a ticket's updates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Watcher {
    pub user_id: UserId,
    pub name: String,
}

/// What `POST /api/tickets/{number}/watchers` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatcherBody {
    /// A user of the ticket's company who may see it.
    #[schema(pattern = "^[A-Za-z0-9_-]{1,64}$")]
    pub user_id: String,
}

/// How the contact rated the work on a resolved ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    pub good: bool,
    pub comment: String,
    pub by_id: UserId,
    pub by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// What `POST /api/tickets/{number}/rating` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingBody {
    /// Good (`true`) or bad (`false`).
    pub good: bool,
    /// Optional: what went well or what did not.
    #[schema(schema_with = comment)]
    #[serde(default)]
    pub comment: String,
}

fn comment() -> utoipa::openapi::schema::Object {
    schema::text(false, MAX_RATING_COMMENT, schema::Chars::Lines)
}

impl RatingBody {
    /// The comment, checked.
    pub fn comment(&self) -> Result<String, DomainError> {
        let mut errors = Vec::new();
        let comment = validate::text("comment", &self.comment, MAX_RATING_COMMENT, &mut errors);
        validate::done(errors)?;
        Ok(comment)
    }
}

/// Why a rating is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum RatingRefusal {
    /// Only the ticket's contact rates it.
    NotTheContact,
    /// Not resolved or closed (cancelled tickets are not rated).
    NotDone,
    /// Rated already (a rating is given once).
    Rated,
}

impl Ticket {
    /// Whether `user` (active, of the ticket's company) may see this ticket: the company's tickets,
    /// or their own (or one waiting for their approval).
    pub fn visible_to(&self, user: &User) -> bool {
        user.status == UserStatus::Active
            && user.company_id == self.company_id
            && (user.can(Capability::ViewCompanyTickets)
                || (user.can(Capability::ViewOwnTickets)
                    && (self.contact_id == user.id
                        || (self.approval.is_some() && user.can(Capability::ApproveQuotes)))))
    }

    /// The ticket with `user` watching it: 422 when they may not see it, are its contact (who
    /// hears of it anyway), or the list is full. Watching already: the ticket unchanged.
    pub fn with_watcher(&self, user: &User) -> Result<Ticket, DomainError> {
        let refuse = |why: String| DomainError::Validation(vec![FieldError::new("user_id", why)]);
        if !self.visible_to(user) {
            return Err(refuse(format!(
                "{} cannot see this ticket, so cannot watch it",
                user.name
            )));
        }
        if user.id == self.contact_id {
            return Err(refuse(format!(
                "{} is the ticket's contact and hears of it anyway",
                user.name
            )));
        }
        let mut next = self.clone();
        if next.work.watchers.iter().any(|w| w.user_id == user.id) {
            return Ok(next);
        }
        if next.work.watchers.len() >= MAX_WATCHERS {
            return Err(refuse(format!("At most {MAX_WATCHERS} watchers")));
        }
        next.work.watchers.push(Watcher {
            user_id: user.id.clone(),
            name: user.name.clone(),
        });
        Ok(next)
    }

    /// The ticket without watcher `id`; `None` when they are not watching.
    pub fn without_watcher(&self, id: &UserId) -> Option<Ticket> {
        let mut next = self.clone();
        let before = next.work.watchers.len();
        next.work.watchers.retain(|w| w.user_id != *id);
        (next.work.watchers.len() < before).then_some(next)
    }

    /// Whether `user` may rate this ticket now.
    pub fn may_rate(&self, user: &UserId) -> Result<(), RatingRefusal> {
        if self.contact_id != *user {
            Err(RatingRefusal::NotTheContact)
        } else if !matches!(self.status, TicketStatus::Resolved | TicketStatus::Closed) {
            Err(RatingRefusal::NotDone)
        } else if self.work.rating.is_some() {
            Err(RatingRefusal::Rated)
        } else {
            Ok(())
        }
    }
}
