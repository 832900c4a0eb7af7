//! The MSP's status list: the built-in statuses (one per lifecycle stage, which the portal reasons
//! with) under names the MSP may change, and the MSP's own statuses, each counting as one of the
//! stages ("No Action Required" counts as closed). A ticket keeps its stage in `status` and, when
//! in one of the MSP's own statuses, that status's id and name in `custom_status`; so renaming or
//! retiring a status never breaks a ticket.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;

use super::TicketStatus;
use crate::domain::FieldError;
use crate::domain::validate::schema::{self, Chars};

pub const MAX_STATUSES: usize = 30;
pub const MAX_STATUS_NAME: usize = 40;

/// One status of the MSP's list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusDef {
    /// A built-in status's id is its stage (`new`, `in_progress`, …); the MSP's own start with
    /// `x-`. Ids never change.
    #[schema(pattern = "^([a-z_]{1,24}|x-[a-z0-9-]{1,40})$")]
    pub id: String,
    /// What staff and clients read.
    #[schema(schema_with = status_name)]
    pub name: String,
    /// What it counts as. The MSP's own cannot be `new` or `waiting_for_approval` (the portal
    /// sets those).
    pub stage: TicketStatus,
    /// No longer offered; tickets in it keep it. `new`, `in_progress`, `waiting_for_approval`,
    /// `resolved` and `closed` cannot be retired (the portal moves tickets there itself).
    #[serde(default)]
    pub retired: bool,
}

fn status_name() -> Object {
    schema::text(true, MAX_STATUS_NAME, Chars::Any)
}

/// One of the MSP's own statuses, as a ticket in it keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CustomStatus {
    pub id: String,
    /// Its name when it was set (the settings have the current one).
    pub name: String,
}

impl StatusDef {
    /// The built-in status of `stage`, under its own name.
    pub fn builtin(stage: TicketStatus) -> Self {
        Self {
            id: stage.id().to_owned(),
            name: stage.label().to_owned(),
            stage,
            retired: false,
        }
    }

    pub fn is_builtin(&self) -> bool {
        !self.id.starts_with("x-")
    }

    /// What a ticket set to this status keeps: nothing for a built-in one.
    pub fn custom(&self) -> Option<CustomStatus> {
        (!self.is_builtin()).then(|| CustomStatus {
            id: self.id.clone(),
            name: self.name.clone(),
        })
    }
}

impl TicketStatus {
    /// The stage's id, as the API and the built-in status write it.
    pub fn id(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::InProgress => "in_progress",
            TicketStatus::WaitingOnClient => "waiting_on_client",
            TicketStatus::Scheduled => "scheduled",
            TicketStatus::WaitingForApproval => "waiting_for_approval",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
            TicketStatus::Cancelled => "cancelled",
        }
    }

    /// Whether the portal itself moves tickets to this stage (so its status cannot be retired).
    fn kept(self) -> bool {
        matches!(
            self,
            TicketStatus::New
                | TicketStatus::InProgress
                | TicketStatus::WaitingForApproval
                | TicketStatus::Resolved
                | TicketStatus::Closed
        )
    }
}

/// The built-in list, in lifecycle order.
pub fn builtin_statuses() -> Vec<StatusDef> {
    TicketStatus::ALL.map(StatusDef::builtin).to_vec()
}

fn is_custom_id(id: &str) -> bool {
    id.strip_prefix("x-").is_some_and(|rest| {
        (1..=40).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    })
}

/// Names trimmed; the errors of the list under `statuses`.
pub fn check_statuses(statuses: &mut [StatusDef]) -> Vec<FieldError> {
    let mut problems: Vec<String> = Vec::new();
    if statuses.len() > MAX_STATUSES {
        problems.push(format!("At most {MAX_STATUSES} statuses"));
    }
    for s in statuses.iter_mut() {
        if s.name.chars().count() > MAX_STATUS_NAME {
            problems.push(format!(
                "\"{}\" is longer than {MAX_STATUS_NAME} characters",
                s.name
            ));
        }
        s.name = s.name.trim().to_owned();
        if s.name.is_empty() {
            problems.push("Name every status".into());
        }
        if s.is_builtin() {
            if s.id != s.stage.id() {
                problems.push(format!(
                    "\"{}\" is not a status id (the MSP's own start with x-)",
                    s.id
                ));
            } else if s.retired && s.stage.kept() {
                problems.push(format!(
                    "{} cannot be retired: the portal moves tickets there itself",
                    s.name
                ));
            }
        } else if !is_custom_id(&s.id) {
            problems.push(format!("\"{}\" is not a status id", s.id));
        } else if matches!(
            s.stage,
            TicketStatus::New | TicketStatus::WaitingForApproval
        ) {
            problems.push(format!(
                "{} cannot count as {}: the portal sets that stage itself",
                s.name,
                s.stage.label()
            ));
        }
    }
    for stage in TicketStatus::ALL {
        if !statuses.iter().any(|s| s.id == stage.id()) {
            problems.push(format!(
                "The built-in status {} cannot be removed (retire or rename it)",
                stage.label()
            ));
        }
    }
    let mut ids = std::collections::HashSet::new();
    let mut names = std::collections::HashSet::new();
    for s in statuses.iter() {
        if !ids.insert(s.id.as_str()) {
            problems.push(format!("The id {} is listed twice", s.id));
        }
        if !s.name.is_empty() && !names.insert(s.name.to_lowercase()) {
            problems.push(format!("\"{}\" is listed twice", s.name));
        }
    }
    problems.dedup();
    problems
        .into_iter()
        .map(|p| FieldError::new("statuses", p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(id: &str, name: &str, stage: TicketStatus) -> StatusDef {
        StatusDef {
            id: id.into(),
            name: name.into(),
            stage,
            retired: false,
        }
    }

    #[test]
    fn the_builtins_rename_and_some_retire_the_msps_own_count_as_a_stage() {
        let mut list = builtin_statuses();
        assert!(check_statuses(&mut list).is_empty());
        list[1].name = "  Working on it ".into();
        list[3].retired = true; // Scheduled
        list.push(custom(
            "x-no-action",
            "No Action Required",
            TicketStatus::Closed,
        ));
        assert!(check_statuses(&mut list).is_empty());
        assert_eq!(list[1].name, "Working on it");
        assert_eq!(list[8].custom().unwrap().id, "x-no-action");
        assert_eq!(list[1].custom(), None);

        for (bad, why) in [
            (
                {
                    let mut l = builtin_statuses();
                    l.remove(2);
                    l
                },
                "cannot be removed",
            ),
            (
                {
                    let mut l = builtin_statuses();
                    l[5].retired = true;
                    l
                },
                "cannot be retired",
            ),
            (
                {
                    let mut l = builtin_statuses();
                    l.push(custom("x-a", "Waiting", TicketStatus::New));
                    l
                },
                "cannot count as New",
            ),
            (
                {
                    let mut l = builtin_statuses();
                    l.push(custom("x-a", "new", TicketStatus::Closed));
                    l
                },
                "listed twice",
            ),
            (
                {
                    let mut l = builtin_statuses();
                    l.push(custom("Bad Id", "Other", TicketStatus::Closed));
                    l
                },
                "not a status id",
            ),
            (
                {
                    let mut l = builtin_statuses();
                    l[0].id = "resolved".into();
                    l
                },
                "not a status id",
            ),
        ] {
            let mut bad = bad;
            let errors = check_statuses(&mut bad);
            assert!(
                errors.iter().any(|e| e.message.contains(why)),
                "{why}: {errors:?}"
            );
            assert!(errors.iter().all(|e| e.field == "statuses"));
        }
    }
}
