//! Tickets in projects: where MSP staff place a ticket (a phase of a project of the ticket's
//! company), checked against the project as it is now. The store writes the ticket with its
//! project row and phase counters, on condition that the plan is still the one checked here.

use portal::ApiError;
use portal::domain::CompanyId;
use portal::domain::projects::TicketProject;
use portal::web::http::Ctx;

/// The project and phase a ticket of `company` goes in, and the plan version they were checked
/// at; 422 for a project not of that company or a phase not of that project.
pub async fn place(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    project: u64,
    phase: &str,
) -> Result<(TicketProject, u64), ApiError> {
    let Some((found, _)) = ctx.app.store.get_project(company, project).await? else {
        return Err(ApiError::invalid(
            "project",
            "Choose a project of the ticket's company",
        ));
    };
    if found.phase(phase).is_none() {
        return Err(ApiError::invalid(
            "phase_id",
            "Choose a phase of the project",
        ));
    }
    Ok((
        TicketProject {
            number: found.number,
            name: found.name,
            phase_id: phase.to_owned(),
        },
        found.version,
    ))
}

/// Where a change asks a ticket to go (`project`, `phase_id` as sent), given where it is now:
/// `None` when it stays. A ticket stays in its project; moving it needs a phase.
pub async fn moved(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    now: Option<&TicketProject>,
    project: Option<u64>,
    phase: Option<&str>,
) -> Result<Option<(TicketProject, u64)>, ApiError> {
    let target = match (project, now) {
        (Some(p), Some(at)) if p != at.number => {
            return Err(ApiError::invalid(
                "project",
                "A ticket stays in the project it was raised in",
            ));
        }
        (Some(p), _) => Some(p),
        (None, at) => at.map(|a| a.number),
    };
    match (target, phase) {
        (_, None) if project.is_none() => Ok(None),
        (Some(p), Some(phase)) => place(ctx, company, p, phase).await.map(Some),
        (None, Some(_)) => Err(ApiError::invalid(
            "project",
            "Choose the project the phase is in",
        )),
        (_, None) => Err(ApiError::invalid(
            "phase_id",
            "Choose a phase of the project",
        )),
    }
}
