//! Routes of the `reports` function (docs/reports.md): service request trends for this year and
//! last (opened and closed by month, by request type, priority and contact; CSV) and
//! responsiveness (first response and resolution times, targets met) — for a client company's
//! Full Admins and Ticket Managers, and for MSP staff for any company or all of them. Every figure
//! comes from the month counters kept on write (`store::reports`): one Query of at most 24 small
//! items, whatever the number of tickets.

use std::collections::BTreeMap;

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::CompanyId;
use portal::domain::reports::{self, MonthCounts, Responsiveness};
use portal::domain::roles::Capability;
use portal::store::ReportMonths;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    portal::web::http::serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["reports", "trends"]) => trends(ctx).await,
        (&Method::GET, ["reports", "trends", "export"]) => export(ctx).await,
        (&Method::GET, ["reports", "responsiveness"]) => responsiveness(ctx).await,
        (&Method::GET, ["reports", "executive"]) => executive::executive(ctx).await,
        _ => Err(ApiError::NotFound),
    }
}

mod executive;
pub mod monthly;

/// Minutes as people say them: "25 min", "1 h 40 min", "2 d 3 h"; "—" for none.
pub(crate) fn duration(minutes: Option<i64>) -> String {
    let Some(m) = minutes else {
        return "—".into();
    };
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    match m {
        0..60 => format!("{sign}{m} min"),
        60..1440 if m % 60 == 0 => format!("{sign}{} h", m / 60),
        60..1440 => format!("{sign}{} h {} min", m / 60, m % 60),
        _ if (m % 1440) / 60 == 0 => format!("{sign}{} d", m / 1440),
        _ => format!("{sign}{} d {} h", m / 1440, (m % 1440) / 60),
    }
}

/// `2026-11` as "November 2026".
pub(crate) fn month_label(month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap_or((month, "1"));
    let name = m
        .parse::<u8>()
        .ok()
        .and_then(|m| time::Month::try_from(m.clamp(1, 12)).ok())
        .unwrap_or(time::Month::January);
    format!("{name} {y}")
}

/// Whose reports: a client's own company; MSP staff the company `?company=` names, or (none
/// named) every company.
pub(crate) fn scope(ctx: &Ctx<'_>, principal: &Principal) -> Result<Option<CompanyId>, ApiError> {
    principal.require(Capability::ViewReports)?;
    match ctx.query("company").filter(|c| !c.is_empty()) {
        None if principal.can(Capability::AllCompanies) => Ok(None),
        named => principal.company_param(named).map(Some),
    }
}

/// The year asked for (`?year=`, 2000–2100), else this one.
fn year(ctx: &Ctx<'_>) -> Result<i32, ApiError> {
    match ctx.query("year") {
        None => Ok(ctx.app.now().year()),
        Some(raw) => match raw.parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => Ok(y),
            _ => Err(ApiError::BadRequest(
                "year must be a year from 2000 to 2100".into(),
            )),
        },
    }
}

/// One month's tickets.
#[derive(Serialize, ToSchema)]
pub struct MonthTrend {
    /// `yyyy-mm`.
    pub month: String,
    pub opened: i64,
    pub closed: i64,
}

/// Tickets opened and closed by one thing (a request type, a priority, a contact or, in the MSP's
/// view, a company).
#[derive(Serialize, ToSchema)]
pub struct Breakdown {
    /// The request type, the priority's wire name, or the contact's or company's id.
    pub key: String,
    /// The contact's name (for contacts), else the key.
    pub name: String,
    pub opened: i64,
    pub closed: i64,
}

/// A year of service requests.
#[derive(Serialize, ToSchema)]
pub struct YearTrend {
    pub year: i32,
    /// January to December (months to come count zero).
    pub months: Vec<MonthTrend>,
    pub opened: i64,
    pub closed: i64,
    /// Most opened first.
    pub by_type: Vec<Breakdown>,
    pub by_priority: Vec<Breakdown>,
    /// By contact (a company's), or by company (the MSP's view of every company).
    pub by_contact: Vec<Breakdown>,
}

/// Service request trends: the year asked for and the one before.
#[derive(Serialize, ToSchema)]
pub struct Trends {
    /// The company, or `null` for every company (MSP staff).
    #[schema(value_type = Option<String>)]
    pub company: Option<CompanyId>,
    /// The year asked for, then the year before.
    pub years: Vec<YearTrend>,
}

fn year_trend(year: i32, read: &ReportMonths, per: &str) -> YearTrend {
    let empty = MonthCounts::new();
    let months: Vec<MonthTrend> = (1..=12)
        .map(|m| {
            let month = format!("{year:04}-{m:02}");
            let counts = read.months.get(&month).unwrap_or(&empty);
            MonthTrend {
                opened: counts.get("opened").copied().unwrap_or(0),
                closed: counts.get("closed").copied().unwrap_or(0),
                month,
            }
        })
        .collect();
    let of_year = || {
        read.months
            .iter()
            .filter(move |(m, _)| m.starts_with(&format!("{year:04}-")))
            .map(|(_, c)| c)
    };
    let by = |what: &str| -> Vec<Breakdown> {
        let (mut opened, mut closed) = (BTreeMap::new(), BTreeMap::new());
        for counts in of_year() {
            reports::breakdown(counts, &format!("opened.{what}."), &mut opened);
            reports::breakdown(counts, &format!("closed.{what}."), &mut closed);
        }
        let mut keys: Vec<String> = opened.keys().chain(closed.keys()).cloned().collect();
        keys.sort();
        keys.dedup();
        let mut rows: Vec<Breakdown> = keys
            .into_iter()
            .map(|key| Breakdown {
                name: read.names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                opened: opened.get(&key).copied().unwrap_or(0),
                closed: closed.get(&key).copied().unwrap_or(0),
                key,
            })
            .filter(|b| b.opened != 0 || b.closed != 0)
            .collect();
        rows.sort_by(|a, b| b.opened.cmp(&a.opened).then_with(|| a.name.cmp(&b.name)));
        rows
    };
    YearTrend {
        year,
        opened: months.iter().map(|m| m.opened).sum(),
        closed: months.iter().map(|m| m.closed).sum(),
        months,
        by_type: by("type"),
        by_priority: by("priority"),
        by_contact: by(per),
    }
}

async fn read_trends(ctx: &Ctx<'_>) -> Result<Trends, ApiError> {
    let principal = ctx.principal().await?;
    let company = scope(ctx, &principal)?;
    let year = year(ctx)?;
    let read = ctx
        .app
        .store
        .report_months(
            company.as_ref(),
            &format!("{:04}-01", year - 1),
            &format!("{year:04}-12"),
        )
        .await?;
    let per = if company.is_some() {
        "contact"
    } else {
        "company"
    };
    Ok(Trends {
        years: vec![
            year_trend(year, &read, per),
            year_trend(year - 1, &read, per),
        ],
        company,
    })
}

/// Tickets opened and closed by month, request type, priority and contact, for a year and the
/// year before.
#[utoipa::path(get, path = "/api/reports/trends", tag = "reports",
    params(
        ("company" = Option<String>, Query, description = "The client company (MSP staff; none: every company); clients: their own"),
        ("year" = Option<i32>, Query, description = "The year (default: this one); the year before comes with it", minimum = 2000, maximum = 2100),
    ),
    responses(
        (status = 200, body = Trends),
        (status = 400, description = "A year out of range", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role without reports (Full Admins, Ticket Managers and MSP staff have them)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn trends(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    json(StatusCode::OK, &read_trends(ctx).await?)
}

/// The trends as CSV: one row per month, request type, priority and contact of each year.
#[utoipa::path(get, path = "/api/reports/trends/export", tag = "reports",
    params(
        ("company" = Option<String>, Query, description = "The client company (MSP staff; none: every company); clients: their own"),
        ("year" = Option<i32>, Query, description = "The year (default: this one); the year before comes with it", minimum = 2000, maximum = 2100),
    ),
    responses(
        (status = 200, description = "CSV: year, breakdown, name, opened, closed", content_type = "text/csv"),
        (status = 400, description = "A year out of range", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role without reports", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn export(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let t = read_trends(ctx).await?;
    let per = if t.company.is_some() {
        "contact"
    } else {
        "company"
    };
    let mut rows = Vec::new();
    for y in &t.years {
        let row = |kind: &str, name: &str, opened: i64, closed: i64| {
            vec![
                y.year.to_string(),
                kind.to_owned(),
                name.to_owned(),
                opened.to_string(),
                closed.to_string(),
            ]
        };
        rows.extend(
            y.months
                .iter()
                .map(|m| row("month", &m.month, m.opened, m.closed)),
        );
        for (kind, list) in [
            ("request type", &y.by_type),
            ("priority", &y.by_priority),
            (per, &y.by_contact),
        ] {
            rows.extend(list.iter().map(|b| row(kind, &b.name, b.opened, b.closed)));
        }
    }
    let body = portal::web::csv::document(&["year", "breakdown", "name", "opened", "closed"], rows);
    let name = match &t.company {
        Some(c) => format!("service-requests-{c}-{}.csv", t.years[0].year),
        None => format!("service-requests-{}.csv", t.years[0].year),
    };
    portal::web::csv::download(&name, body)
}

/// Responsiveness, month by month.
#[derive(Serialize, ToSchema)]
pub struct ResponsivenessReport {
    #[schema(value_type = Option<String>)]
    pub company: Option<CompanyId>,
    /// The last twelve months, oldest first (this month last).
    pub months: Vec<Responsiveness>,
    /// Durations are minutes, estimated within buckets of 15, 30 and 60 minutes, 2, 4, 8 and 16
    /// hours, 1, 2, 3, 5, 7, 14 and 30 days.
    pub buckets: Vec<i64>,
}

/// The median and 90th percentile of first response and resolution times by month, and the
/// share of tickets within their targets, for the last twelve months.
#[utoipa::path(get, path = "/api/reports/responsiveness", tag = "reports",
    params(("company" = Option<String>, Query, description = "The client company (MSP staff; none: every company); clients: their own")),
    responses(
        (status = 200, body = ResponsivenessReport),
        (status = 403, description = "A role without reports", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn responsiveness(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = scope(ctx, &principal)?;
    let months = reports::last_months(ctx.app.now().date(), 12);
    let read = ctx
        .app
        .store
        .report_months(company.as_ref(), &months[0], &months[months.len() - 1])
        .await?;
    let empty = MonthCounts::new();
    json(
        StatusCode::OK,
        &ResponsivenessReport {
            company,
            months: months
                .iter()
                .map(|m| Responsiveness::of(m, read.months.get(m).unwrap_or(&empty)))
                .collect(),
            buckets: reports::BUCKETS.to_vec(),
        },
    )
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(trends, export, responsiveness, executive::executive))]
pub struct ApiDoc;
