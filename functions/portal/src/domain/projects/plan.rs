//! What the MSP sends to create a project, change it, or replace its plan, and the checks each
//! passes before anything is written: dates that make sense, a sub-phase inside its parent, every
//! phase within the project's dates (or the expected completion moved, with a reason).

use serde::Deserialize;
use time::Date;
use utoipa::ToSchema;

use super::{CompletionChange, Counts, Phase, PhaseStatus, Project, ProjectStatus};
use crate::domain::validate::{self, date as parse_date};
use crate::domain::{DomainError, FieldError, random_hex};

pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_REASON: usize = 500;
/// Phases and sub-phases together, per project.
pub const MAX_PHASES: usize = 100;

/// A new project, as the MSP sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectBody {
    /// The client company.
    pub company_id: String,
    #[schema(max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    pub description: String,
    /// An active technician of the MSP.
    pub manager_id: String,
    /// An active user of the client company; blank or absent for none.
    pub contact_id: Option<String>,
    /// Default: planned.
    pub status: Option<ProjectStatus>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub start: String,
    /// `YYYY-MM-DD`, on or after `start`.
    #[schema(format = Date)]
    pub expected_completion: String,
}

/// A new project's own fields, checked (who the manager and contact are is the caller's to check).
pub struct NewProject {
    pub name: String,
    pub description: String,
    pub status: ProjectStatus,
    pub start: Date,
    pub expected_completion: Date,
}

fn check_dates(start: Option<Date>, end: Option<Date>, errors: &mut Vec<FieldError>) {
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        errors.push(FieldError::new(
            "expected_completion",
            "The expected completion cannot be before the start",
        ));
    }
}

impl NewProjectBody {
    pub fn validate(&self) -> Result<NewProject, DomainError> {
        let mut errors = Vec::new();
        let name = validate::name("name", &self.name, &mut errors);
        let description = validate::text(
            "description",
            &self.description,
            MAX_DESCRIPTION,
            &mut errors,
        );
        let start = parse_date("start", &self.start, &mut errors);
        let end = parse_date(
            "expected_completion",
            &self.expected_completion,
            &mut errors,
        );
        check_dates(start, end, &mut errors);
        validate::done(errors)?;
        let (Some(start), Some(expected_completion)) = (start, end) else {
            unreachable!("both dates parsed when there are no errors")
        };
        Ok(NewProject {
            name,
            description,
            status: self.status.unwrap_or(ProjectStatus::Planned),
            start,
            expected_completion,
        })
    }
}

/// A change to a project's own fields (MSP staff). Absent fields stay as they are. Moving the
/// expected completion needs a `reason`, kept with the project and told to its client contact.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectChange {
    /// The version you read; a stale one is a 409.
    pub version: u64,
    #[schema(max_length = 100)]
    pub name: Option<String>,
    #[schema(max_length = 4000)]
    pub description: Option<String>,
    pub status: Option<ProjectStatus>,
    pub manager_id: Option<String>,
    /// Blank for none.
    pub contact_id: Option<String>,
    #[schema(format = Date)]
    pub start: Option<String>,
    #[schema(format = Date)]
    pub expected_completion: Option<String>,
    /// Why the expected completion moved (required when it does).
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

/// A reason, required when `needed`: not blank, at most `MAX_REASON` characters.
fn reason(raw: Option<&str>, needed: bool, errors: &mut Vec<FieldError>) -> String {
    let text = validate::text("reason", raw.unwrap_or(""), MAX_REASON, errors);
    if needed && text.is_empty() {
        errors.push(FieldError::new(
            "reason",
            "Say why the expected completion moves: the client sees it",
        ));
    }
    text
}

/// The first phase outside `start..=end`, as a field error on `field`.
fn phases_outside(phases: &[Phase], start: Date, end: Date, field: &str) -> Option<FieldError> {
    let outside = phases
        .iter()
        .find(|p| p.parent.is_none() && (p.start < start || p.end > end))?;
    Some(FieldError::new(
        field,
        format!(
            "Phase \"{}\" runs {} to {}, outside the project's {start} to {end}: change the plan first",
            outside.name, outside.start, outside.end
        ),
    ))
}

/// Record, on `changed`, that its expected completion moved from `before`'s (if it did), why, by
/// whom and when: slips stay visible.
fn keep_move(
    changed: &mut Project,
    before: &Project,
    reason: String,
    by_name: &str,
    now: time::OffsetDateTime,
) {
    if changed.expected_completion != before.expected_completion {
        changed.completion_changes.push(CompletionChange {
            from: before.expected_completion,
            to: changed.expected_completion,
            reason,
            by_name: by_name.to_owned(),
            at: now,
        });
    }
}

impl ProjectChange {
    /// `project` with this change applied (its fields only: who the manager and contact are is the
    /// caller's to fill in), by `by_name` at `now`.
    pub fn apply(
        &self,
        project: &Project,
        by_name: &str,
        now: time::OffsetDateTime,
    ) -> Result<Project, DomainError> {
        let mut errors = Vec::new();
        let mut changed = project.clone();
        if let Some(name) = &self.name {
            changed.name = validate::name("name", name, &mut errors);
        }
        if let Some(description) = &self.description {
            changed.description =
                validate::text("description", description, MAX_DESCRIPTION, &mut errors);
        }
        if let Some(status) = self.status {
            changed.status = status;
        }
        if let Some(start) = &self.start
            && let Some(d) = parse_date("start", start, &mut errors)
        {
            changed.start = d;
        }
        if let Some(end) = &self.expected_completion
            && let Some(d) = parse_date("expected_completion", end, &mut errors)
        {
            changed.expected_completion = d;
        }
        let moved = changed.expected_completion != project.expected_completion;
        let why = reason(self.reason.as_deref(), moved, &mut errors);
        check_dates(
            Some(changed.start),
            Some(changed.expected_completion),
            &mut errors,
        );
        if errors.is_empty() {
            errors.extend(phases_outside(
                &changed.phases,
                changed.start,
                changed.expected_completion,
                if changed.start != project.start && !moved {
                    "start"
                } else {
                    "expected_completion"
                },
            ));
        }
        validate::done(errors)?;
        keep_move(&mut changed, project, why, by_name, now);
        Ok(changed)
    }
}

/// A phase in a plan as the MSP sends it; a phase may hold sub-phases, a sub-phase may not.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseBody {
    /// The phase's id, to keep it (and its tickets); absent for a new phase.
    pub id: Option<String>,
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(format = Date)]
    pub start: String,
    /// On or after `start`.
    #[schema(format = Date)]
    pub end: String,
    pub status: PhaseStatus,
    /// Within this phase's dates; none of their own.
    #[serde(default)]
    #[schema(no_recursion)]
    pub sub_phases: Vec<PhaseBody>,
}

/// A project's whole plan, in order. Phases left out are removed (only those without tickets).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The version of the project you read; a stale one is a 409.
    pub version: u64,
    #[schema(max_items = 100)]
    pub phases: Vec<PhaseBody>,
    /// When a phase ends after the expected completion: why the completion moves with it.
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

impl PlanBody {
    /// `project` with this plan, by `by_name` at `now`: the phases checked (ids kept or new, dates
    /// in order and inside their parent and the project), phases with tickets (`counts`) kept, and
    /// the expected completion moved to the last phase's end when a reason is given.
    pub fn apply(
        &self,
        project: &Project,
        counts: &Counts,
        by_name: &str,
        now: time::OffsetDateTime,
    ) -> Result<Project, DomainError> {
        let mut errors = Vec::new();
        let mut phases = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, body) in self.phases.iter().enumerate() {
            let field = format!("phases[{i}]");
            let Some(parent) = body.checked(&field, project, &mut seen, &mut errors) else {
                continue;
            };
            let parent_id = parent.id.clone();
            let (start, end) = (parent.start, parent.end);
            phases.push(parent);
            for (j, sub) in body.sub_phases.iter().enumerate() {
                let field = format!("{field}.sub_phases[{j}]");
                if !sub.sub_phases.is_empty() {
                    errors.push(FieldError::new(
                        &format!("{field}.sub_phases"),
                        "A sub-phase cannot have sub-phases of its own",
                    ));
                }
                let Some(mut phase) = sub.checked(&field, project, &mut seen, &mut errors) else {
                    continue;
                };
                if phase.start < start || phase.end > end {
                    errors.push(FieldError::new(
                        &format!("{field}.end"),
                        format!(
                            "A sub-phase runs inside its phase ({start} to {end}); this one runs {} to {}",
                            phase.start, phase.end
                        ),
                    ));
                }
                phase.parent = Some(parent_id.clone());
                phases.push(phase);
            }
        }
        if phases.len() > super::MAX_PHASES {
            errors.push(FieldError::new(
                "phases",
                format!("At most {} phases and sub-phases", super::MAX_PHASES),
            ));
        }
        for gone in project.phases.iter().filter(|p| !seen.contains(&p.id)) {
            if counts.get(&gone.id).is_some_and(|c| c.total > 0) {
                errors.push(FieldError::new(
                    "phases",
                    format!(
                        "Phase \"{}\" has tickets: move them to another phase before removing it",
                        gone.name
                    ),
                ));
            }
        }
        let mut changed = project.clone();
        let last_end = phases.iter().map(|p| p.end).max();
        let wants_move = self.reason.as_deref().is_some_and(|r| !r.trim().is_empty());
        let why = reason(self.reason.as_deref(), false, &mut errors);
        if let Some(first) = phases.iter().find(|p| p.start < project.start) {
            errors.push(FieldError::new(
                "phases",
                format!(
                    "Phase \"{}\" starts on {}, before the project starts ({})",
                    first.name, first.start, project.start
                ),
            ));
        }
        if let Some(end) = last_end.filter(|e| *e > project.expected_completion) {
            if wants_move {
                changed.expected_completion = end;
            } else {
                errors.push(FieldError::new(
                    "reason",
                    format!(
                        "A phase ends on {end}, after the expected completion ({}): give a reason to move the completion, or end the phase earlier",
                        project.expected_completion
                    ),
                ));
            }
        }
        validate::done(errors)?;
        keep_move(&mut changed, project, why, by_name, now);
        changed.phases = phases;
        Ok(changed)
    }
}

impl PhaseBody {
    /// This phase's own fields checked, with its id kept (if it is one of `project`'s and not
    /// seen before in the plan) or new; the caller sets its parent.
    fn checked(
        &self,
        field: &str,
        project: &Project,
        seen: &mut std::collections::HashSet<String>,
        errors: &mut Vec<FieldError>,
    ) -> Option<Phase> {
        let before = errors.len();
        let name = validate::name(&format!("{field}.name"), &self.name, errors);
        let start = parse_date(&format!("{field}.start"), &self.start, errors);
        let end = parse_date(&format!("{field}.end"), &self.end, errors);
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            errors.push(FieldError::new(
                &format!("{field}.end"),
                "The end cannot be before the start",
            ));
        }
        let id = match self.id.as_deref() {
            Some(id) if project.phase(id).is_none() => {
                errors.push(FieldError::new(
                    &format!("{field}.id"),
                    "Not a phase of this project: leave the id out for a new phase",
                ));
                None
            }
            Some(id) if !seen.insert(id.to_owned()) => {
                errors.push(FieldError::new(
                    &format!("{field}.id"),
                    "This phase is in the plan twice",
                ));
                None
            }
            Some(id) => Some(id.to_owned()),
            None => Some(random_hex(4)),
        };
        if errors.len() > before {
            return None;
        }
        Some(Phase {
            id: id?,
            name,
            start: start?,
            end: end?,
            status: self.status,
            parent: None,
        })
    }
}
