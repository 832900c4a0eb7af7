//! The MSP's ticket settings: request types, the status list and which statuses clients may set,
//! the reopen window, the attachment size limit, business hours and the response and resolution
//! targets per priority.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::statuses::{builtin_statuses, check_statuses};
use super::targets::{BusinessHours, Calendar, PriorityTarget, check_targets, default_targets};
use super::{Priority, StatusDef, TicketStatus};
use crate::domain::validate::schema::{self, Chars};
use crate::domain::{DomainError, FieldError};

/// The MSP's ticket settings. Updates carry the `version` they were based on; a stale version is a
/// 409, so two admins cannot overwrite each other unknowingly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSettings {
    /// What clients choose from when they raise a ticket (trimmed; blank ones are dropped; no two
    /// the same in any case).
    #[schema(schema_with = request_types)]
    pub request_types: Vec<String>,
    /// The statuses offered, in order: the built-in ones (renamed, retired) and the MSP's own.
    /// Stored settings from before the list read as the built-in list.
    #[serde(default = "builtin_statuses")]
    #[schema(max_items = 30)]
    pub statuses: Vec<StatusDef>,
    /// Ids of the statuses a client may set on an open ticket they can see.
    pub client_statuses: Vec<String>,
    /// Days after resolution during which a client may reopen a ticket (0: never).
    #[schema(maximum = 365)]
    pub reopen_days: u32,
    /// Largest attachment, in megabytes.
    #[schema(minimum = 1, maximum = 100)]
    pub attachment_max_mb: u32,
    /// When the MSP works: targets count only these hours.
    #[serde(default)]
    pub business_hours: BusinessHours,
    /// Response and resolution targets per priority (a priority not listed has none; an
    /// agreement may set its own).
    #[serde(default = "default_targets")]
    #[schema(max_items = 4)]
    pub targets: Vec<PriorityTarget>,
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
            statuses: builtin_statuses(),
            client_statuses: [TicketStatus::Resolved, TicketStatus::Cancelled]
                .map(|s| s.id().to_owned())
                .to_vec(),
            reopen_days: 7,
            attachment_max_mb: 25,
            business_hours: BusinessHours::default(),
            targets: default_targets(),
            version: 0,
        }
    }
}

pub const MAX_REQUEST_TYPES: usize = 50;
pub const MAX_REQUEST_TYPE_LEN: usize = 60;
pub const MAX_REOPEN_DAYS: u32 = 365;
pub const MAX_ATTACHMENT_MB: u32 = 100;

impl TicketSettings {
    /// The status with this id.
    pub fn status(&self, id: &str) -> Option<&StatusDef> {
        self.statuses.iter().find(|s| s.id == id)
    }

    /// The calendar of the business hours (checked when saved; `None` only for hours stored
    /// before a check this strict).
    pub fn calendar(&self) -> Option<Calendar> {
        self.business_hours.calendar("business_hours").ok()
    }

    /// The targets of `priority`: the agreement's, if it sets any for it, else the MSP's.
    pub fn target<'a>(
        &'a self,
        priority: Priority,
        agreement: Option<&'a [PriorityTarget]>,
    ) -> Option<&'a PriorityTarget> {
        let find = |list: &'a [PriorityTarget]| list.iter().find(|t| t.priority == priority);
        agreement.and_then(find).or_else(|| find(&self.targets))
    }

    /// Trimmed, checked settings, or 422 naming each bad field.
    pub fn validated(mut self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let sent = self.request_types.len();
        let too_long = self
            .request_types
            .iter()
            .find(|t| t.chars().count() > MAX_REQUEST_TYPE_LEN)
            .cloned();
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
        } else if sent > MAX_REQUEST_TYPES {
            errors.push(FieldError::new(
                "request_types",
                format!("At most {MAX_REQUEST_TYPES} request types"),
            ));
        } else if let Some(long) = too_long {
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
        errors.extend(check_statuses(&mut self.statuses));
        let order = |id: &String| self.statuses.iter().position(|s| s.id == *id);
        self.client_statuses.sort_by_key(order);
        self.client_statuses.dedup();
        for id in &self.client_statuses {
            match self.status(id) {
                None => errors.push(FieldError::new(
                    "client_statuses",
                    format!("{id} is not in the status list"),
                )),
                Some(s) if s.stage == TicketStatus::WaitingForApproval => {
                    errors.push(FieldError::new(
                        "client_statuses",
                        "Waiting for approval is set by asking for approval, not by clients",
                    ))
                }
                Some(s) if s.retired => errors.push(FieldError::new(
                    "client_statuses",
                    format!("{} is retired", s.name),
                )),
                Some(_) => {}
            }
        }
        self.business_hours = self.business_hours.tidied();
        if let Err(bad) = self.business_hours.calendar("business_hours") {
            errors.extend(bad);
        }
        errors.extend(check_targets("targets", &self.targets));
        self.targets
            .sort_by_key(|t| std::cmp::Reverse(t.priority as u8));
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
            Err(DomainError::Validation(errors))
        }
    }
}

/// At most `MAX_REQUEST_TYPES` names of at most `MAX_REQUEST_TYPE_LEN` characters, one not blank
/// at least (blank ones are dropped).
fn request_types() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    let item = schema::text(false, MAX_REQUEST_TYPE_LEN, Chars::Any);
    let named = schema::text(true, MAX_REQUEST_TYPE_LEN, Chars::Any);
    schema::json(serde_json::json!({
        "type": "array",
        "items": item,
        "maxItems": MAX_REQUEST_TYPES,
        "contains": named,
    }))
}
