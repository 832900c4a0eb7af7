//! Reading a company's audit trail: Full Admins their own company's, MSP staff any company's; entries
//! about billing only for those who see billing (not technicians). There is no route that changes or
//! deletes an entry.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, UserId};
use portal::store::{AuditQuery, Item};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::PAGE_SIZE;

/// Most rows one export holds.
pub const MAX_EXPORT_ROWS: usize = 10_000;

/// One page of the trail, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditList {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

/// The filters of a request, checked, and the name of the list they make (cursors are bound to
/// it).
fn filters(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &CompanyId,
) -> Result<(AuditQuery, String), ApiError> {
    let bad = |what: &str| ApiError::BadRequest(what.to_owned());
    // A date and an action are given or left out (an empty one is malformed, as the document says:
    // `format: date`, an enum); the site leaves out what is not chosen.
    let date = |name: &str| -> Result<Option<OffsetDateTime>, ApiError> {
        ctx.query(name)
            .map(|v| {
                let format = time::macros::format_description!("[year]-[month]-[day]");
                time::Date::parse(&v, &format)
                    .map(|d| d.midnight().assume_utc())
                    .map_err(|_| bad(&format!("{name} must be a date like 2026-01-31")))
            })
            .transpose()
    };
    let query = AuditQuery {
        actor: ctx
            .query("user")
            .filter(|v| !v.is_empty())
            .map(|v| UserId::parse(&v).map_err(|_| bad("user must be a user id")))
            .transpose()?,
        action: ctx
            .query("action")
            .map(|v| AuditAction::parse(&v).ok_or_else(|| bad("unknown action")))
            .transpose()?,
        from: date("from")?,
        // `to` is inclusive for people: up to the end of that day.
        to: date("to")?.map(|d| d + time::Duration::days(1)),
        // Invoices, payments and cards are billing: technicians do not read them here either.
        without_billing: !principal.can(Capability::ViewInvoices),
    };
    let list = format!(
        "audit#{company}#{}#{}#{:?}#{:?}#{}",
        query.actor.as_ref().map_or("", |a| a.as_str()),
        query.action.map(|a| a.as_str()).unwrap_or_default(),
        query.from.map(|t| t.unix_timestamp()),
        query.to.map(|t| t.unix_timestamp()),
        query.without_billing,
    );
    Ok((query, list))
}

async fn scoped(ctx: &Ctx<'_>, company: &str) -> Result<(Principal, CompanyId), ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ViewAudit)?;
    Ok((principal, company))
}

/// A company's audit trail, newest first, filterable by who, what and when.
#[utoipa::path(get, path = "/api/companies/{company_id}/audit", tag = "accounts",
    params(
        ("company_id" = String, Path),
        ("user" = Option<String>, Query, description = "Only this user's actions", pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("action" = Option<AuditAction>, Query),
        ("from" = Option<String>, Query, description = "First day, `YYYY-MM-DD` (UTC)", format = Date),
        ("to" = Option<String>, Query, description = "Last day, `YYYY-MM-DD` (UTC)", format = Date),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = AuditList),
        (status = 400, description = "A filter is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not read the trail", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = scoped(ctx, company).await?;
    let (query, list) = filters(ctx, &principal, &company)?;
    let page = ctx
        .app
        .store
        .list_audit(&company, &query, ctx.start_after(&list)?, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &list);
    json(
        StatusCode::OK,
        &AuditList {
            items: page.items,
            next_cursor,
        },
    )
}

/// The trail with the same filters, every page up to 10,000 entries, as CSV.
#[utoipa::path(get, path = "/api/companies/{company_id}/audit/export", tag = "accounts",
    params(
        ("company_id" = String, Path),
        ("user" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{0,64}$"), ("action" = Option<AuditAction>, Query),
        ("from" = Option<String>, Query, format = Date), ("to" = Option<String>, Query, format = Date),
    ),
    responses(
        (status = 200, description = "`text/csv`, as a download", content_type = "text/csv", body = String),
        (status = 403, description = "May not read the trail", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn export(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = scoped(ctx, company).await?;
    let (query, _) = filters(ctx, &principal, &company)?;
    let mut entries = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let page = ctx
            .app
            .store
            .list_audit(&company, &query, start, 500)
            .await?;
        entries.extend(page.items);
        match page.last_key {
            Some(last) if entries.len() < MAX_EXPORT_ROWS => start = Some(last),
            _ => break,
        }
    }
    entries.truncate(MAX_EXPORT_ROWS);
    let rows = entries.into_iter().map(|e| {
        vec![
            portal::web::csv::time(e.at),
            e.action.as_str(),
            e.actor_name,
            e.actor_email.map(|m| m.to_string()).unwrap_or_default(),
            e.target.unwrap_or_default(),
            e.summary,
            e.source_ip.unwrap_or_default(),
            e.user_agent.unwrap_or_default(),
        ]
    });
    let body = portal::web::csv::document(
        &[
            "Time (UTC)",
            "Action",
            "Who",
            "Email",
            "Target",
            "What",
            "IP address",
            "Browser",
        ],
        rows,
    );
    portal::web::csv::download(
        &format!("audit-{company}-{}.csv", ctx.app.now().date()),
        body,
    )
}
