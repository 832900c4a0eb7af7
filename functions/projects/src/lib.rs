//! Routes of the `projects` function: a client's projects (list, summary for the home page, the
//! project page with its plan, progress and tickets) and the MSP's planner (create, change, plan).
//! The rules of progress and lateness are in `portal::domain::projects`; docs/projects.md says
//! them in words.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::CompanyId;
use portal::domain::projects::{
    self, Counts, Milestone, PhaseProgress, Progress, Project, ProjectStatus, ProjectTicket,
    Schedule,
};
use portal::domain::roles::Capability;
use portal::store::keys::ProjectList;
use portal::web::http::{Ctx, json, serve};
use portal::web::principal::Principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

mod manage;
mod notify;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["projects"]) => list(ctx).await,
        (&Method::POST, ["projects"]) => manage::create(ctx).await,
        (&Method::GET, ["projects", "summary"]) => summary(ctx).await,
        (&Method::GET, ["projects", number]) => detail(ctx, number).await,
        (&Method::PATCH, ["projects", number]) => manage::change(ctx, number).await,
        (&Method::PUT, ["projects", number, "phases"]) => manage::plan(ctx, number).await,
        _ => Err(ApiError::NotFound),
    }
}

/// Rows per page of a project list.
pub const PAGE_SIZE: i32 = 50;
/// Most Query calls one list page makes to fill itself when a search filters rows out.
const SEARCH_READS: usize = 3;

/// A project as a list row: its fields and progress, without its plan.
#[derive(Serialize, ToSchema)]
pub struct ProjectRow {
    pub number: u64,
    pub company_id: CompanyId,
    pub company_name: String,
    pub name: String,
    pub status: ProjectStatus,
    pub manager_name: String,
    #[serde(with = "portal::domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start: time::Date,
    #[serde(with = "portal::domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub planned_completion: time::Date,
    #[serde(with = "portal::domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub expected_completion: time::Date,
    pub percent_complete: u32,
    pub schedule: Schedule,
    pub slip_days: i64,
    pub next_milestone: Option<Milestone>,
}

impl ProjectRow {
    fn new(project: Project, progress: Progress) -> Self {
        Self {
            number: project.number,
            company_id: project.company_id,
            company_name: project.company_name,
            name: project.name,
            status: project.status,
            manager_name: project.manager_name,
            start: project.start,
            planned_completion: project.planned_completion,
            expected_completion: project.expected_completion,
            percent_complete: progress.percent_complete,
            schedule: progress.schedule,
            slip_days: progress.slip_days,
            next_milestone: progress.next_milestone,
        }
    }
}

/// One page of projects.
#[derive(Serialize, ToSchema)]
pub struct ProjectPage {
    pub items: Vec<ProjectRow>,
    /// Pass as `?cursor=` (with the same filters) for the next page; absent on the last page. A
    /// searched page may hold fewer than 50 rows and still have a next page.
    pub next_cursor: Option<String>,
}

/// A ticket of the project as its page lists it.
#[derive(Serialize, ToSchema)]
pub struct ProjectTicketRow {
    #[serde(flatten)]
    pub ticket: ProjectTicket,
    /// Closed, resolved or cancelled (the page strikes it through).
    pub closed: bool,
    /// Whether the caller may open the ticket (roles that see only their own tickets see the
    /// others' rows, not the tickets).
    pub may_open: bool,
}

/// A project with its plan, progress and tickets.
#[derive(Serialize, ToSchema)]
pub struct ProjectDetail {
    pub project: Project,
    pub percent_complete: u32,
    pub schedule: Schedule,
    pub slip_days: i64,
    pub next_milestone: Option<Milestone>,
    /// The plan in order (each sub-phase after its phase), with each phase's progress.
    pub phases: Vec<PhaseProgress>,
    /// By number.
    pub tickets: Vec<ProjectTicketRow>,
}

/// The home page's project tile.
#[derive(Serialize, ToSchema)]
pub struct ProjectSummary {
    /// Open projects (planned, in progress, on hold).
    pub open: u64,
    /// The soonest phase end not completed, across open projects.
    pub next_milestone: Option<SummaryMilestone>,
}

#[derive(Serialize, ToSchema)]
pub struct SummaryMilestone {
    pub project_number: u64,
    pub project_name: String,
    #[serde(flatten)]
    pub milestone: Milestone,
}

/// The company whose project `number` the principal asks for: through the number pointer for MSP
/// staff, the principal's own otherwise (where a project of another company is simply absent).
pub(crate) async fn project_company(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<(CompanyId, u64), ApiError> {
    principal.require(Capability::ViewProjects)?;
    let number = projects::parse_number(number)?;
    let company = if principal.can(Capability::AllCompanies) {
        ctx.app
            .store
            .project_company(number)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        principal.company.id.clone()
    };
    Ok((company, number))
}

/// Which list a request reads: a company's (clients; staff with `?company=`) or the MSP's
/// across companies.
fn chosen_list(ctx: &Ctx<'_>, principal: &Principal, open: bool) -> Result<ProjectList, ApiError> {
    let named = ctx.query("company").filter(|c| !c.is_empty());
    Ok(match named {
        Some(company) => ProjectList::Company {
            company: principal.scope(&company)?,
            open,
        },
        None if principal.can(Capability::AllCompanies) => ProjectList::Queue { open },
        None => ProjectList::Company {
            company: principal.company.id.clone(),
            open,
        },
    })
}

fn row(ctx: &Ctx<'_>, (project, counts): (Project, Counts)) -> ProjectRow {
    let progress = projects::progress(&project, &counts, ctx.app.now().date());
    ProjectRow::new(project, progress)
}

/// One tab of projects, soonest expected completion first; `q` finds a number (`12`, `P-12`) or
/// names holding every word.
#[utoipa::path(get, path = "/api/projects", tag = "projects",
    params(
        ("tab" = Option<String>, Query, description = "`open` (default) or `closed`", pattern = "^(open|closed)?$"),
        ("q" = Option<String>, Query, description = "A project number, or words of its name", max_length = 100),
        ("company" = Option<String>, Query, description = "One client company (MSP staff; clients: their own)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`"),
    ),
    responses(
        (status = 200, body = ProjectPage),
        (status = 400, description = "An unknown tab, or a cursor of another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that does not see projects", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ViewProjects)?;
    let open = ctx
        .choice("tab", &["open", "closed"])?
        .is_none_or(|t| t == "open");
    let list = chosen_list(ctx, &principal, open)?;
    let q = ctx.query("q").unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(ApiError::BadRequest("q is at most 100 characters".into()));
    }
    if let Ok(number) = projects::parse_number(&q) {
        return json(
            StatusCode::OK,
            &by_number(ctx, &principal, &list, number).await?,
        );
    }
    let words: Vec<String> = q
        .to_lowercase()
        .split_whitespace()
        .take(5)
        .map(str::to_owned)
        .collect();
    let name = list.name();
    let mut start = ctx.start_after(&name)?;
    let mut items = Vec::new();
    let mut reads = 0;
    let next = loop {
        let room = PAGE_SIZE - i32::try_from(items.len()).unwrap_or(PAGE_SIZE);
        let page = ctx
            .app
            .store
            .list_projects(&list, &words, start, room)
            .await?;
        reads += 1;
        let next = ctx.next_cursor(&page, &name);
        items.extend(page.items.into_iter().map(|p| row(ctx, p)));
        let room = PAGE_SIZE - i32::try_from(items.len()).unwrap_or(PAGE_SIZE);
        match page.last_key {
            Some(key) if !words.is_empty() && room > 0 && reads < SEARCH_READS => {
                start = Some(key);
            }
            _ => break next,
        }
    };
    json(
        StatusCode::OK,
        &ProjectPage {
            items,
            next_cursor: next,
        },
    )
}

/// A search by number: the one project, if it is in `list`.
async fn by_number(
    ctx: &Ctx<'_>,
    principal: &Principal,
    list: &ProjectList,
    number: u64,
) -> Result<ProjectPage, ApiError> {
    let company = match list {
        ProjectList::Company { company, .. } => Some(company.clone()),
        ProjectList::Queue { .. } if principal.can(Capability::AllCompanies) => {
            ctx.app.store.project_company(number).await?
        }
        ProjectList::Queue { .. } => None,
    };
    let found = match company {
        Some(company) => ctx.app.store.get_project(&company, number).await?,
        None => None,
    };
    let items = found
        .filter(|(p, _)| ProjectList::of(p).contains(list))
        .map(|p| row(ctx, p))
        .into_iter()
        .collect();
    Ok(ProjectPage {
        items,
        next_cursor: None,
    })
}

/// The home page's tile: how many projects are open and the next milestone due.
#[utoipa::path(get, path = "/api/projects/summary", tag = "projects",
    params(("company" = Option<String>, Query, description = "One client company (MSP staff, who otherwise get every company's; clients: their own)")),
    responses(
        (status = 200, body = ProjectSummary),
        (status = 403, description = "A role that does not see projects", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn summary(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ViewProjects)?;
    let company = match chosen_list(ctx, &principal, true)? {
        ProjectList::Company { company, .. } => Some(company),
        ProjectList::Queue { .. } => None,
    };
    let (open, first) = ctx.app.store.project_summary(company.as_ref()).await?;
    let next_milestone = first.and_then(|p| {
        projects::next_milestone(&p).map(|milestone| SummaryMilestone {
            project_number: p.number,
            project_name: p.name,
            milestone,
        })
    });
    json(
        StatusCode::OK,
        &ProjectSummary {
            open,
            next_milestone,
        },
    )
}

/// A project with its plan, each phase's progress, and its tickets.
#[utoipa::path(get, path = "/api/projects/{number}", tag = "projects",
    params(("number" = String, Path, description = "`12` or `P-12`")),
    responses(
        (status = 200, body = ProjectDetail),
        (status = 403, description = "A role that does not see projects", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project, or another company's", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn detail(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let (company, number) = project_company(ctx, &principal, number).await?;
    let (project, tickets) = ctx
        .app
        .store
        .project_detail(&company, number)
        .await?
        .ok_or(ApiError::NotFound)?;
    json(
        StatusCode::OK,
        &detail_of(ctx, &principal, project, tickets),
    )
}

/// The project page's answer, for `principal`.
pub(crate) fn detail_of(
    ctx: &Ctx<'_>,
    principal: &Principal,
    project: Project,
    tickets: Vec<ProjectTicket>,
) -> ProjectDetail {
    let progress = projects::progress(&project, &projects::count(&tickets), ctx.app.now().date());
    let own_only = principal.ticket_contact_scope().ok().flatten().cloned();
    let tickets = tickets
        .into_iter()
        .map(|ticket| ProjectTicketRow {
            closed: ticket.closed(),
            may_open: own_only.as_ref().is_none_or(|me| *me == ticket.contact_id),
            ticket,
        })
        .collect();
    ProjectDetail {
        project,
        percent_complete: progress.percent_complete,
        schedule: progress.schedule,
        slip_days: progress.slip_days,
        next_milestone: progress.next_milestone,
        phases: progress.phases,
        tickets,
    }
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, summary, detail, manage::create, manage::change, manage::plan))]
pub struct ApiDoc;
