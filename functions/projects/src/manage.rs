//! The MSP's planner: create a project for a client company, change its fields (a moved expected
//! completion keeps its reason and is told to the client contact), and replace its plan of phases
//! (phases completed are told to the client contact).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::{Company, User};
use portal::domain::audit::AuditAction;
use portal::domain::projects::{
    NewProjectBody, PhaseStatus, PlanBody, Project, ProjectChange, ProjectRef,
};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, FieldError, UserId, UserStatus};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;

use crate::{detail_of, notify, project_company};

/// A user id sent in `field`: blank is none; a malformed one is the field's 422.
fn user_id(field: &str, raw: Option<&str>) -> Result<Option<UserId>, ApiError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(raw) => UserId::parse(raw)
            .map(Some)
            .map_err(|_| ApiError::invalid(field, "Choose someone from the list")),
    }
}

/// The manager and contact named, checked: the manager an active MSP user who plans projects,
/// the contact an active user of the project's company.
struct People {
    company: Option<Company>,
    manager: Option<User>,
    contact: Option<User>,
}

async fn people(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &CompanyId,
    manager: Option<&UserId>,
    contact: Option<&UserId>,
) -> Result<People, ApiError> {
    let (found_company, found_manager, found_contact) = ctx
        .app
        .store
        .project_people(company, &principal.company.id, manager, contact)
        .await?;
    let mut errors = Vec::new();
    let manager = match manager {
        None => None,
        Some(_) => {
            let m = found_manager.filter(|u| {
                u.status == UserStatus::Active
                    && u.company_id == principal.company.id
                    && u.role.can(Capability::ManageProjects)
            });
            if m.is_none() {
                errors.push(FieldError::new(
                    "manager_id",
                    "Choose an active technician of the MSP",
                ));
            }
            m
        }
    };
    let contact = match contact {
        None => None,
        Some(_) => {
            let c = found_contact
                .filter(|u| u.status == UserStatus::Active && u.company_id == *company);
            if c.is_none() {
                errors.push(FieldError::new(
                    "contact_id",
                    "Choose an active user of the client company",
                ));
            }
            c
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    Ok(People {
        company: found_company,
        manager,
        contact,
    })
}

/// Project `number` of `company` with its phase counters, if it is still at the `version` the
/// change was based on: 404 if there is none, 409 if it changed since.
async fn at_version(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    number: u64,
    version: u64,
) -> Result<(Project, portal::domain::projects::Counts), ApiError> {
    let (project, counts) = ctx
        .app
        .store
        .get_project(company, number)
        .await?
        .ok_or(ApiError::NotFound)?;
    if version != project.version {
        return Err(ApiError::Conflict);
    }
    Ok((project, counts))
}

/// The answer to a repeated create: the project the first one made.
async fn earlier_project(
    ctx: &Ctx<'_>,
    principal: &Principal,
    at: &ProjectRef,
) -> Result<Response<Body>, ApiError> {
    let (project, tickets) = ctx
        .app
        .store
        .project_detail(&at.company_id, at.number)
        .await?
        .ok_or(ApiError::Conflict)?;
    json(
        StatusCode::CREATED,
        &detail_of(ctx, principal, project, tickets),
    )
}

/// Create a project for a client company (MSP staff). Send an `Idempotency-Key` header (unique
/// per project, reused on retry) and a retried create answers the project the first made.
#[utoipa::path(post, path = "/api/projects", tag = "projects", request_body = NewProjectBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per project being created; a retry with the same key answers the same project (for a day)", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, description = "Created (or created before with this Idempotency-Key)", body = crate::ProjectDetail),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: name, dates (completion before start), an unknown company, manager or contact", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageProjects)?;
    let body: NewProjectBody = ctx.json()?;
    let once = ctx.idempotency_key()?;
    if let Some(key) = once
        && let Some(earlier) = ctx
            .app
            .store
            .idempotent_project(&principal.user.id, key)
            .await?
    {
        return earlier_project(ctx, &principal, &earlier).await;
    }
    let new = body.validate()?;
    let company = CompanyId::parse(body.company_id.trim())
        .ok()
        .filter(|c| *c != principal.company.id)
        .ok_or_else(|| ApiError::invalid("company_id", "Choose a client company"))?;
    let manager = user_id("manager_id", Some(&body.manager_id))?
        .ok_or_else(|| ApiError::invalid("manager_id", "Choose the project's manager"))?;
    let contact = user_id("contact_id", body.contact_id.as_deref())?;
    let found = people(ctx, &principal, &company, Some(&manager), contact.as_ref()).await?;
    let (Some(client), Some(manager)) = (found.company, found.manager) else {
        return Err(ApiError::invalid("company_id", "Choose a client company"));
    };
    let now = ctx.app.now();
    let number = ctx.app.store.next_number("PROJECT").await?;
    let project = Project {
        number,
        company_id: company.clone(),
        company_name: client.name,
        name: new.name,
        description: new.description,
        status: new.status,
        manager_id: manager.id,
        manager_name: manager.name,
        contact_id: found.contact.as_ref().map(|c| c.id.clone()),
        contact_name: found.contact.map(|c| c.name),
        start: new.start,
        planned_completion: new.expected_completion,
        expected_completion: new.expected_completion,
        completion_changes: Vec::new(),
        phases: Vec::new(),
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ProjectCreated,
        Some(format!("project:{number}")),
        format!(
            "Created project P-{number} for {}: {}",
            project.company_name, project.name
        ),
    );
    let remembered = once.map(|key| (&principal.user.id, key, now + time::Duration::days(1)));
    if !ctx
        .app
        .store
        .create_project(&project, remembered, Some(&audit))
        .await?
    {
        let earlier = match once {
            Some(key) => {
                ctx.app
                    .store
                    .idempotent_project(&principal.user.id, key)
                    .await?
            }
            None => None,
        };
        return match earlier {
            Some(earlier) => earlier_project(ctx, &principal, &earlier).await,
            None => Err(ApiError::Conflict),
        };
    }
    tracing::info!(project = number, company_id = %company, "project created");
    json(
        StatusCode::CREATED,
        &detail_of(ctx, &principal, project, Vec::new()),
    )
}

/// Change a project's own fields (MSP staff). Moving the expected completion needs a `reason`;
/// the client contact is told. Send the `version` you read; a stale one is a 409.
#[utoipa::path(patch, path = "/api/projects/{number}", tag = "projects", request_body = ProjectChange,
    params(("number" = String, Path, description = "`12` or `P-12`")),
    responses(
        (status = 200, description = "The changed project", body = Project),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you read it", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: dates, a phase outside the new dates, a moved completion without a reason, an unknown manager or contact", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn change(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageProjects)?;
    let body: ProjectChange = ctx.json()?;
    let (company, number) = project_company(ctx, &principal, number).await?;
    let (project, _) = at_version(ctx, &company, number, body.version).await?;
    let now = ctx.app.now();
    let mut changed = body.apply(&project, &principal.user.name, now)?;
    let manager = user_id("manager_id", body.manager_id.as_deref())?;
    let contact = user_id("contact_id", body.contact_id.as_deref())?;
    if manager.is_some() || contact.is_some() {
        let found = people(
            ctx,
            &principal,
            &company,
            manager.as_ref(),
            contact.as_ref(),
        )
        .await?;
        if let Some(m) = found.manager {
            (changed.manager_id, changed.manager_name) = (m.id, m.name);
        }
        if let Some(c) = found.contact {
            (changed.contact_id, changed.contact_name) = (Some(c.id), Some(c.name));
        }
    }
    if body
        .contact_id
        .as_deref()
        .is_some_and(|c| c.trim().is_empty())
    {
        (changed.contact_id, changed.contact_name) = (None, None);
    }
    if changed == project {
        return json(StatusCode::OK, &project);
    }
    changed.version = project.version + 1;
    changed.updated_at = now;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ProjectUpdated,
        Some(format!("project:{number}")),
        format!("Changed project P-{number}: {}", changed.name),
    );
    if !ctx
        .app
        .store
        .save_project(&changed, &project, &[], Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    notify::changes(ctx.app, &project, &changed).await;
    json(StatusCode::OK, &changed)
}

/// Replace a project's plan (MSP staff): its phases in order, each with its sub-phases. Phases
/// sent with their `id` keep it (and their tickets); phases left out are removed, which a phase
/// with tickets refuses. A phase ending after the expected completion moves it when a `reason`
/// is given. Send the `version` you read; a stale one is a 409.
#[utoipa::path(put, path = "/api/projects/{number}/phases", tag = "projects", request_body = PlanBody,
    params(("number" = String, Path, description = "`12` or `P-12`")),
    responses(
        (status = 200, description = "The project with its new plan", body = Project),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you read it, or a ticket was just raised in a phase being removed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid phases, per field: end before start, a sub-phase outside its phase, outside the project, a removed phase with tickets, too many", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn plan(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageProjects)?;
    let body: PlanBody = ctx.json()?;
    let (company, number) = project_company(ctx, &principal, number).await?;
    let (project, counts) = at_version(ctx, &company, number, body.version).await?;
    let now = ctx.app.now();
    let mut changed = body.apply(&project, &counts, &principal.user.name, now)?;
    if changed == project {
        return json(StatusCode::OK, &project);
    }
    let removed: Vec<String> = project
        .phases
        .iter()
        .filter(|p| changed.phase(&p.id).is_none())
        .map(|p| p.id.clone())
        .collect();
    changed.version = project.version + 1;
    changed.updated_at = now;
    let completed = changed
        .phases
        .iter()
        .filter(|p| {
            p.status == PhaseStatus::Completed
                && project
                    .phase(&p.id)
                    .is_some_and(|was| was.status != PhaseStatus::Completed)
        })
        .count();
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ProjectPlanChanged,
        Some(format!("project:{number}")),
        format!(
            "Changed the plan of project P-{number}: {} phases, {completed} newly completed",
            changed.phases.len()
        ),
    );
    if !ctx
        .app
        .store
        .save_project(&changed, &project, &removed, Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    notify::changes(ctx.app, &project, &changed).await;
    json(StatusCode::OK, &changed)
}
