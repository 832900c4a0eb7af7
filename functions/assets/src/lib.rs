//! Routes of the `assets` function: a client company's configurations (devices, licences,
//! domains, certificates) — searched, exported, shown with their tickets, warned of before they
//! expire — and the MSP's records of them (create, change, CSV import, the list of types); and
//! each company's document library (folders, visibility, versions, files through S3).
//! docs/configurations.md says it in words.

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::configurations::{ConfigurationTicket, ConfigurationView};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, ConfigurationId};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

mod document_uploads;
mod documents;
mod import;
mod manage;
pub mod reminders;
mod search;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    portal::web::http::serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["configurations"]) => search::list(ctx).await,
        (&Method::POST, ["configurations"]) => manage::create(ctx).await,
        (&Method::GET, ["configurations", "export"]) => search::export(ctx).await,
        (&Method::GET, ["configurations", "expiring"]) => search::expiring(ctx).await,
        (&Method::POST, ["configurations", "import"]) => import::import(ctx).await,
        (&Method::GET, ["configurations", id]) => detail(ctx, id).await,
        (&Method::PATCH, ["configurations", id]) => manage::change(ctx, id).await,
        (&Method::GET, ["documents"]) => documents::list(ctx).await,
        (&Method::POST, ["documents"]) => document_uploads::confirm_new(ctx).await,
        (&Method::GET, ["documents", "folders"]) => documents::folders(ctx).await,
        (&Method::POST, ["documents", "uploads"]) => document_uploads::request_new(ctx).await,
        (&Method::GET, ["documents", id]) => documents::detail(ctx, id).await,
        (&Method::PATCH, ["documents", id]) => documents::change(ctx, id).await,
        (&Method::DELETE, ["documents", id]) => documents::delete(ctx, id).await,
        (&Method::POST, ["documents", id, "uploads"]) => {
            document_uploads::request_version(ctx, id).await
        }
        (&Method::POST, ["documents", id, "versions"]) => {
            document_uploads::confirm_version(ctx, id).await
        }
        (&Method::GET, ["documents", id, "versions", n]) => documents::download(ctx, id, n).await,
        (&Method::GET, ["configuration-types"]) => manage::types(ctx).await,
        (&Method::PUT, ["configuration-types"]) => manage::save_types(ctx).await,
        _ => Err(ApiError::NotFound),
    }
}

/// The company a request is about: a client's own (naming another answers 404), or for MSP
/// staff the one `?company=` names.
fn company(ctx: &Ctx<'_>, principal: &Principal) -> Result<CompanyId, ApiError> {
    principal.company_param(ctx.query("company"))
}

/// The company a create or an upload names, which must be a client company that exists (404
/// otherwise, as for another company's).
fn client_company(found: Option<&portal::domain::account::Company>) -> Result<(), ApiError> {
    match found {
        Some(c) if c.kind == portal::domain::CompanyKind::Client => Ok(()),
        _ => Err(ApiError::NotFound),
    }
}

/// Whether `principal` sees internal notes (MSP staff).
fn staff(principal: &Principal) -> bool {
    principal.can(Capability::ManageConfigurations)
}

/// What `principal` sees of `c`: 404 for a configuration it may not see (a Standard User's
/// colleague's), exactly as for one that does not exist.
fn view_of(
    ctx: &Ctx<'_>,
    principal: &Principal,
    c: portal::domain::configurations::Configuration,
) -> Result<ConfigurationView, ApiError> {
    if let Some(me) = principal.configuration_contact_scope()
        && c.fields.contact_id.as_ref() != Some(me)
    {
        return Err(ApiError::NotFound);
    }
    Ok(ConfigurationView::of(
        c,
        ctx.app.now().date(),
        staff(principal),
    ))
}

/// Most ticket rows the configuration page shows (the newest).
const DETAIL_TICKETS: i32 = 200;

/// The configuration page: the configuration and the tickets about it.
#[derive(Serialize, ToSchema)]
pub struct ConfigurationDetail {
    pub configuration: ConfigurationView,
    /// Newest first.
    pub tickets: Vec<ConfigurationTicketRow>,
}

#[derive(Serialize, ToSchema)]
pub struct ConfigurationTicketRow {
    #[serde(flatten)]
    pub ticket: ConfigurationTicket,
    /// Whether the caller may open the ticket (a Standard User opens only their own).
    pub may_open: bool,
}

/// A configuration with the tickets about it.
#[utoipa::path(get, path = "/api/configurations/{id}", tag = "configurations",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)"),
    ),
    responses(
        (status = 200, body = ConfigurationDetail),
        (status = 404, description = "No such configuration, another company's, or one the caller may not see; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    let id = ConfigurationId::parse(id)?;
    let (c, tickets) = ctx
        .app
        .store
        .configuration_page(&company, &id, DETAIL_TICKETS)
        .await?
        .ok_or(ApiError::NotFound)?;
    let configuration = view_of(ctx, &principal, c)?;
    let scope = principal.ticket_contact_scope();
    let mut tickets: Vec<_> = tickets
        .into_iter()
        .map(|ticket| ConfigurationTicketRow {
            may_open: match scope {
                Ok(None) => true,
                Ok(Some(me)) => *me == ticket.contact_id,
                Err(_) => false,
            },
            ticket,
        })
        .collect();
    tickets.reverse();
    json(
        StatusCode::OK,
        &ConfigurationDetail {
            configuration,
            tickets,
        },
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    search::list,
    search::export,
    search::expiring,
    detail,
    manage::create,
    manage::change,
    manage::types,
    manage::save_types,
    import::import,
    documents::list,
    documents::folders,
    documents::detail,
    documents::download,
    document_uploads::request_new,
    document_uploads::request_version,
    document_uploads::confirm_new,
    document_uploads::confirm_version,
    documents::change,
    documents::delete,
))]
pub struct ApiDoc;
