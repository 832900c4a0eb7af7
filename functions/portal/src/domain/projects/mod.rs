//! Projects: a client company's project with its phases (one level of sub-phases), the summary of
//! each ticket raised inside a phase, and the rules for % complete and for being late
//! (docs/projects.md). Names neither HTTP nor DynamoDB.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::domain::tickets::TicketStatus;
use crate::domain::{CompanyId, UserId, iso_date};

mod plan;
pub use plan::{
    MAX_DESCRIPTION, MAX_PHASES, MAX_REASON, NewProject, NewProjectBody, PhaseBody, PlanBody,
    ProjectChange,
};

/// Where a project is in its life. The first three are "open", the others "closed".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProjectStatus {
    Planned,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
}

impl ProjectStatus {
    pub const ALL: [ProjectStatus; 5] = [
        Self::Planned,
        Self::InProgress,
        Self::OnHold,
        Self::Completed,
        Self::Cancelled,
    ];

    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress | Self::OnHold)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Planned => "Planned",
            Self::InProgress => "In progress",
            Self::OnHold => "On hold",
            Self::Completed => "Completed",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// Where a phase is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhaseStatus {
    NotStarted,
    InProgress,
    Completed,
}

impl PhaseStatus {
    pub const ALL: [PhaseStatus; 3] = [Self::NotStarted, Self::InProgress, Self::Completed];

    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Completed => "Completed",
        }
    }
}

/// A phase of a project's plan, or (with `parent`) a sub-phase of one. The plan is one ordered
/// list: each sub-phase follows its parent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Phase {
    /// 8 hexadecimal characters, given by the server; kept when the phase is renamed or moved.
    pub id: String,
    pub name: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub end: Date,
    pub status: PhaseStatus,
    /// The phase this one is a sub-phase of.
    pub parent: Option<String>,
}

/// A change of a project's expected completion date, with its reason: slips stay visible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CompletionChange {
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub from: Date,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub to: Date,
    pub reason: String,
    pub by_name: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// A client company's project.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Project {
    /// Unique across the portal (`P-12` on the pages).
    pub number: u64,
    pub company_id: CompanyId,
    pub company_name: String,
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    /// A technician of the MSP.
    pub manager_id: UserId,
    pub manager_name: String,
    /// The client's contact for the project (told of phases completed and of date changes).
    pub contact_id: Option<UserId>,
    pub contact_name: Option<String>,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start: Date,
    /// The completion date first planned; never changes.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub planned_completion: Date,
    /// The completion date expected now.
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub expected_completion: Date,
    /// Every change of the expected completion, oldest first.
    pub completion_changes: Vec<CompletionChange>,
    pub phases: Vec<Phase>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Increases with every change of the project or its plan (not with its tickets').
    pub version: u64,
}

impl Project {
    pub fn phase(&self, id: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.id == id)
    }
}

/// A ticket raised in a project, as the project page lists it. Kept in the same transaction as
/// every change of the ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProjectTicket {
    pub number: u64,
    pub summary: String,
    pub status: TicketStatus,
    pub phase_id: String,
    /// The ticket's contact: roles that see only their own tickets open only theirs.
    pub contact_id: UserId,
}

impl ProjectTicket {
    pub fn closed(&self) -> bool {
        !self.status.is_open()
    }
}

/// Where a ticket sits in a project (on the ticket).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketProject {
    pub number: u64,
    /// The project's name when the ticket was placed in it.
    pub name: String,
    pub phase_id: String,
}

/// Where a project is: what its number pointer and an idempotency key point at.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProjectRef {
    pub company_id: CompanyId,
    pub number: u64,
}

/// Tickets in one phase: all, and closed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TicketCount {
    pub total: u32,
    pub closed: u32,
}

/// A phase's ticket counts, by phase id (a phase's own tickets, not its sub-phases').
pub type Counts = HashMap<String, TicketCount>;

/// The counts of a project's tickets.
pub fn count(tickets: &[ProjectTicket]) -> Counts {
    let mut counts = Counts::new();
    for t in tickets {
        let c = counts.entry(t.phase_id.clone()).or_default();
        c.total += 1;
        c.closed += u32::from(t.closed());
    }
    counts
}

/// A phase as the pages show it: with its progress and whether it is late.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct PhaseProgress {
    #[serde(flatten)]
    pub phase: Phase,
    /// Its tickets, its sub-phases' included.
    pub tickets: TicketCount,
    /// 0–100, rounded down (docs/projects.md).
    pub percent_complete: u32,
    /// Not completed and its end date has passed.
    pub late: bool,
}

/// Whether a project is on schedule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Schedule {
    OnTrack,
    /// Open, and its expected completion has passed or slipped past the plan.
    Late,
    /// Completed or cancelled.
    Closed,
}

/// A project's progress: per phase, overall, and against its dates.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Progress {
    pub percent_complete: u32,
    pub schedule: Schedule,
    /// Days the expected completion moved past the planned one (0 if not).
    pub slip_days: i64,
    pub phases: Vec<PhaseProgress>,
    /// The end of the next phase not completed, if any.
    pub next_milestone: Option<Milestone>,
}

#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Milestone {
    pub phase_id: String,
    pub phase_name: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
}

/// `done` of `of` as a whole percentage, rounded down (0 of nothing is 0).
fn percent(done: u64, of: u64) -> u32 {
    (done * 100)
        .checked_div(of)
        .map_or(0, |p| u32::try_from(p).unwrap_or(100))
}

/// The progress of `project`, whose tickets are counted in `counts`, on `today`. The rule
/// (docs/projects.md): a phase with tickets is as complete as the share of them closed (its
/// sub-phases' tickets included); a phase without tickets is 100 % when completed and 0 %
/// otherwise; the project is the phases' average weighted by their ticket counts (a phase without
/// tickets weighs one). A project without phases is 100 % when completed.
pub fn progress(project: &Project, counts: &Counts, today: Date) -> Progress {
    let mut phases = Vec::with_capacity(project.phases.len());
    for phase in &project.phases {
        let mut tickets = counts.get(&phase.id).copied().unwrap_or_default();
        if phase.parent.is_none() {
            for sub in project
                .phases
                .iter()
                .filter(|p| p.parent.as_deref() == Some(&phase.id))
            {
                let c = counts.get(&sub.id).copied().unwrap_or_default();
                tickets.total += c.total;
                tickets.closed += c.closed;
            }
        }
        let percent_complete = if tickets.total > 0 {
            percent(tickets.closed.into(), tickets.total.into())
        } else if phase.status == PhaseStatus::Completed {
            100
        } else {
            0
        };
        phases.push(PhaseProgress {
            late: phase.status != PhaseStatus::Completed && phase.end < today,
            phase: phase.clone(),
            tickets,
            percent_complete,
        });
    }
    let (mut done, mut weight) = (0u64, 0u64);
    for p in phases.iter().filter(|p| p.phase.parent.is_none()) {
        let w = u64::from(p.tickets.total.max(1));
        let d = if p.tickets.total > 0 {
            u64::from(p.tickets.closed)
        } else {
            u64::from(p.percent_complete == 100)
        };
        done += d;
        weight += w;
    }
    let percent_complete = if weight > 0 {
        percent(done, weight)
    } else if project.status == ProjectStatus::Completed {
        100
    } else {
        0
    };
    let slip_days = (project.expected_completion - project.planned_completion)
        .whole_days()
        .max(0);
    let schedule = if !project.status.is_open() {
        Schedule::Closed
    } else if project.expected_completion < today || slip_days > 0 {
        Schedule::Late
    } else {
        Schedule::OnTrack
    };
    let next_milestone = next_milestone(project);
    Progress {
        percent_complete,
        schedule,
        slip_days,
        phases,
        next_milestone,
    }
}

/// The end of the first phase not completed, of an open project: its next milestone. It changes
/// only with the project's plan or status, never with its tickets.
pub fn next_milestone(project: &Project) -> Option<Milestone> {
    if !project.status.is_open() {
        return None;
    }
    project
        .phases
        .iter()
        .filter(|p| p.status != PhaseStatus::Completed)
        .min_by_key(|p| p.end)
        .map(|p| Milestone {
            phase_id: p.id.clone(),
            phase_name: p.name.clone(),
            date: p.end,
        })
}

/// A project number as pages and people write it: `12`, `#12` or `P-12` (no leading zeros, at
/// most ten digits); 404 for anything else. The OpenAPI document states it as the pattern
/// `^(([Pp]-?)?#?[1-9][0-9]{0,9})?$` (blank: none).
pub fn parse_number(raw: &str) -> Result<u64, crate::domain::DomainError> {
    let digits = raw
        .trim()
        .trim_start_matches(['P', 'p'])
        .trim_start_matches('-')
        .trim_start_matches('#');
    let plain = (1..=10).contains(&digits.len())
        && !digits.starts_with('0')
        && digits.bytes().all(|b| b.is_ascii_digit());
    match digits.parse::<u64>() {
        Ok(n) if plain => Ok(n),
        _ => Err(crate::domain::DomainError::NotFound),
    }
}

#[cfg(test)]
mod tests;
