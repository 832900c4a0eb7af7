//! Tickets that wait for the client's go-ahead (issue 19, seed 001's "open unapproved tickets"):
//! a technician asks the company's approvers with a message ("billable work outside your
//! agreement, about 3 hours"); the ticket waits for approval until one of them approves or
//! rejects it with a comment, and then goes back to In progress for the technician.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{Ticket, TicketStatus};
use crate::domain::account::User;
use crate::domain::validate::{self, schema};
use crate::domain::{CompanyId, DomainError, FieldError, UserId};

/// Longest request message and answer comment.
pub const MAX_APPROVAL_TEXT: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Waiting for an approver.
    Pending,
    Approved,
    Rejected,
    /// The ticket's status was changed before anyone answered.
    Withdrawn,
}

/// A request for approval and its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketApproval {
    /// What the technician wrote: the work, why it needs approval, what it costs.
    pub message: String,
    pub requested_by_id: UserId,
    pub requested_by_name: String,
    /// The requester's company (the MSP's): where to find them to tell them the answer.
    pub requested_by_company: CompanyId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: OffsetDateTime,
    pub state: ApprovalState,
    pub answered_by_id: Option<UserId>,
    pub answered_by_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub answered_at: Option<OffsetDateTime>,
    /// The approver's comment (required to reject).
    pub comment: Option<String>,
}

fn text_schema() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_APPROVAL_TEXT, schema::Chars::Lines)
}

fn comment_schema() -> utoipa::openapi::schema::Object {
    schema::text(false, MAX_APPROVAL_TEXT, schema::Chars::Lines)
}

/// What a technician sends to ask for approval.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequestBody {
    #[schema(schema_with = text_schema)]
    pub message: String,
    /// The ticket's version read.
    pub version: u64,
}

/// What an approver sends.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalAnswerBody {
    /// `true` to approve, `false` to reject.
    pub approve: bool,
    /// Optional to approve, required to reject.
    #[serde(default)]
    #[schema(schema_with = comment_schema)]
    pub comment: String,
    /// The ticket's version read.
    pub version: u64,
}

/// Why a ticket cannot take an approval request or answer now.
pub const NOT_OPEN: &str = "This ticket is closed: reopen it before asking for approval";
pub const ALREADY_WAITING: &str = "This ticket already waits for approval";
pub const NOT_WAITING: &str =
    "This ticket is not waiting for approval (it was answered or withdrawn)";

impl Ticket {
    /// Whether it waits for its approvers.
    pub fn awaits_approval(&self) -> bool {
        self.status == TicketStatus::WaitingForApproval
            && self
                .approval
                .as_ref()
                .is_some_and(|a| a.state == ApprovalState::Pending)
    }

    /// Ask for approval (by MSP staff `by` at `now`): the next version, waiting. `Err`: why not
    /// (the problem's message; the ticket is closed, or waits already).
    pub fn ask_approval(
        &self,
        body: &ApprovalRequestBody,
        by: &User,
        now: OffsetDateTime,
    ) -> Result<Result<Ticket, &'static str>, DomainError> {
        let mut errors = Vec::new();
        let message = validate::text("message", &body.message, MAX_APPROVAL_TEXT, &mut errors);
        if message.is_empty() {
            errors.push(FieldError::new(
                "message",
                "Say what needs approving and why (the client reads it)",
            ));
        }
        validate::done(errors)?;
        if !self.status.is_open() {
            return Ok(Err(NOT_OPEN));
        }
        if self.status == TicketStatus::WaitingForApproval {
            return Ok(Err(ALREADY_WAITING));
        }
        let mut next = self.clone();
        next.status = TicketStatus::WaitingForApproval;
        next.work.custom_status = None;
        next.approval = Some(TicketApproval {
            message,
            requested_by_id: by.id.clone(),
            requested_by_name: by.name.clone(),
            requested_by_company: by.company_id.clone(),
            requested_at: now,
            state: ApprovalState::Pending,
            answered_by_id: None,
            answered_by_name: None,
            answered_at: None,
            comment: None,
        });
        next.updated_at = now;
        next.version = self.version + 1;
        Ok(Ok(next))
    }

    /// An approver's answer (by `by` at `now`): the next version, back in progress. `Err`: why
    /// not (it does not wait for approval).
    pub fn answer_approval(
        &self,
        body: &ApprovalAnswerBody,
        by: &User,
        now: OffsetDateTime,
    ) -> Result<Result<Ticket, &'static str>, DomainError> {
        let mut errors = Vec::new();
        let comment = validate::text("comment", &body.comment, MAX_APPROVAL_TEXT, &mut errors);
        if !body.approve && comment.is_empty() {
            errors.push(FieldError::new(
                "comment",
                "Say why, so the technician knows what to do instead",
            ));
        }
        validate::done(errors)?;
        let Some(asked) = self.approval.as_ref().filter(|_| self.awaits_approval()) else {
            return Ok(Err(NOT_WAITING));
        };
        let mut next = self.clone();
        next.status = TicketStatus::InProgress;
        next.work.custom_status = None;
        next.approval = Some(TicketApproval {
            state: if body.approve {
                ApprovalState::Approved
            } else {
                ApprovalState::Rejected
            },
            answered_by_id: Some(by.id.clone()),
            answered_by_name: Some(by.name.clone()),
            answered_at: Some(now),
            comment: (!comment.is_empty()).then_some(comment),
            ..asked.clone()
        });
        next.updated_at = now;
        next.version = self.version + 1;
        Ok(Ok(next))
    }

    /// After a status change from `before`: a pending request is withdrawn if the ticket left
    /// waiting for approval.
    pub fn withdraw_unanswered(&mut self, before: &Ticket) {
        if before.awaits_approval()
            && self.status != TicketStatus::WaitingForApproval
            && let Some(a) = &mut self.approval
        {
            a.state = ApprovalState::Withdrawn;
        }
    }
}
