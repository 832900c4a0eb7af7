//! Ticket domain: statuses, priorities, and the MSP's ticket settings (request types, the statuses
//! clients may set, the reopen window, the attachment size limit).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

/// Where a ticket is in its life. The first four are "open", the rest "closed".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    New,
    InProgress,
    WaitingOnClient,
    Scheduled,
    Resolved,
    Closed,
    Cancelled,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 7] = [
        TicketStatus::New,
        TicketStatus::InProgress,
        TicketStatus::WaitingOnClient,
        TicketStatus::Scheduled,
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
        }
    }
}

/// The MSP's ticket settings. Updates carry the `version` they were based on; a stale version is a
/// 409, so two admins cannot overwrite each other unknowingly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSettings {
    /// What clients choose from when they raise a ticket.
    pub request_types: Vec<String>,
    /// Statuses a client may set on a ticket they can see.
    pub client_statuses: Vec<TicketStatus>,
    /// Days after resolution during which a client may reopen a ticket (0: never).
    pub reopen_days: u32,
    /// Largest attachment, in megabytes.
    pub attachment_max_mb: u32,
    /// Increases with every change.
    pub version: u64,
}

impl Default for TicketSettings {
    fn default() -> Self {
        Self {
            request_types: [
                "Problem",
                "Service request",
                "Question",
                "New or departing staff",
                "Order hardware or software",
            ]
            .map(String::from)
            .to_vec(),
            client_statuses: vec![TicketStatus::Resolved, TicketStatus::Cancelled],
            reopen_days: 7,
            attachment_max_mb: 25,
            version: 0,
        }
    }
}

pub const MAX_REQUEST_TYPES: usize = 50;
pub const MAX_REQUEST_TYPE_LEN: usize = 60;
pub const MAX_REOPEN_DAYS: u32 = 365;
pub const MAX_ATTACHMENT_MB: u32 = 100;

impl TicketSettings {
    /// Trimmed, checked settings, or 422 naming each bad field.
    pub fn validated(mut self) -> Result<Self, ApiError> {
        let mut errors = Vec::new();
        self.request_types = self
            .request_types
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        let mut seen = std::collections::HashSet::new();
        if self.request_types.is_empty() {
            errors.push(FieldError::new(
                "request_types",
                "Give at least one request type",
            ));
        } else if self.request_types.len() > MAX_REQUEST_TYPES {
            errors.push(FieldError::new(
                "request_types",
                format!("At most {MAX_REQUEST_TYPES} request types"),
            ));
        } else if let Some(long) = self
            .request_types
            .iter()
            .find(|t| t.chars().count() > MAX_REQUEST_TYPE_LEN)
        {
            errors.push(FieldError::new(
                "request_types",
                format!("\"{long}\" is longer than {MAX_REQUEST_TYPE_LEN} characters"),
            ));
        } else if let Some(dup) = self
            .request_types
            .iter()
            .find(|t| !seen.insert(t.to_lowercase()))
        {
            errors.push(FieldError::new(
                "request_types",
                format!("\"{dup}\" is listed twice"),
            ));
        }
        self.client_statuses
            .sort_by_key(|s| TicketStatus::ALL.iter().position(|a| a == s));
        self.client_statuses.dedup();
        if self.reopen_days > MAX_REOPEN_DAYS {
            errors.push(FieldError::new(
                "reopen_days",
                format!("At most {MAX_REOPEN_DAYS} days"),
            ));
        }
        if !(1..=MAX_ATTACHMENT_MB).contains(&self.attachment_max_mb) {
            errors.push(FieldError::new(
                "attachment_max_mb",
                format!("Between 1 and {MAX_ATTACHMENT_MB} MB"),
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_let_clients_cancel_and_resolve_and_are_valid() {
        let d = TicketSettings::default();
        assert_eq!(
            d.client_statuses,
            [TicketStatus::Resolved, TicketStatus::Cancelled]
        );
        assert_eq!(d.attachment_max_mb, 25);
        assert_eq!(d.clone().validated().unwrap(), d);
    }

    #[test]
    fn validation_names_each_bad_field() {
        let bad = TicketSettings {
            request_types: vec!["Problem".into(), " problem ".into()],
            reopen_days: 999,
            attachment_max_mb: 0,
            ..TicketSettings::default()
        };
        let Err(ApiError::Validation(errors)) = bad.validated() else {
            panic!("expected 422")
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["request_types", "reopen_days", "attachment_max_mb"]
        );
    }

    #[test]
    fn open_and_closed_statuses() {
        let open: Vec<_> = TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        assert_eq!(open.len(), 4);
        assert!(!TicketStatus::Resolved.is_open() && !TicketStatus::Cancelled.is_open());
    }
}
