//! Finding configurations: the search (each criterion the ConnectWise guide names), its CSV
//! export, and the expiry warnings of the home page. Each search is one Query of the index made
//! for it (docs/configurations.md); a serial number or tag is looked up through its pointer.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::configurations::{ConfigurationStatus, ConfigurationView, warning_horizon};
use portal::domain::{UserId, display_date};
use portal::store::ConfigurationSearch;
use portal::store::keys::Identifier;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{company, view_of};

/// Rows per page.
pub const PAGE_SIZE: i32 = 50;
/// Most rows one CSV export holds.
pub const MAX_EXPORT_ROWS: usize = 10_000;

/// One page of a search.
#[derive(Serialize, ToSchema)]
pub struct ConfigurationPage {
    pub items: Vec<ConfigurationView>,
    /// Pass as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

/// A search as a request asks it.
struct Asked {
    company: portal::domain::CompanyId,
    search: ConfigurationSearch,
    /// An exact serial number or tag, looked up through its pointer.
    identifier: Option<(Identifier, String)>,
    /// A contact asked for whom the caller may not see (nothing matches).
    nothing: bool,
}

fn date(ctx: &Ctx<'_>, name: &str) -> Result<Option<time::Date>, ApiError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    ctx.query_text(name, 10)?
        .map(|v| {
            time::Date::parse(&v, &format)
                .map_err(|_| ApiError::BadRequest(format!("{name} is a date like 2026-12-31")))
        })
        .transpose()
}

impl Asked {
    fn parse(ctx: &Ctx<'_>, principal: &Principal) -> Result<Self, ApiError> {
        let company = company(ctx, principal)?;
        let status = ctx
            .choice("status", &["active", "inactive"])?
            .map(|s| match s.as_str() {
                "active" => ConfigurationStatus::Active.wire(),
                _ => ConfigurationStatus::Inactive.wire(),
            });
        let by_expiry = ctx.choice("sort", &["name", "expires"])?.as_deref() == Some("expires");
        let descending = ctx.choice("order", &["asc", "desc"])?.as_deref() == Some("desc");
        let contact = ctx
            .query_text("contact", 64)?
            .map(|c| {
                UserId::parse(&c).map_err(|_| ApiError::BadRequest("contact is a user id".into()))
            })
            .transpose()?;
        let mut nothing = false;
        let contact = match principal.configuration_contact_scope() {
            None => contact,
            Some(me) => {
                nothing = contact.as_ref().is_some_and(|c| c != me);
                Some(me.clone())
            }
        };
        let identifier = match (ctx.query_text("serial", 100)?, ctx.query_text("tag", 100)?) {
            (Some(s), _) => Some((Identifier::Serial, s)),
            (None, Some(t)) => Some((Identifier::Tag, t)),
            (None, None) => None,
        };
        Ok(Self {
            company,
            search: ConfigurationSearch {
                name: ctx.query_text("q", 100)?,
                status,
                kind: ctx.query_text("type", 40)?,
                contact,
                model: ctx.query_text("model", 100)?,
                expires_before: date(ctx, "expires_before")?,
                expires_after: date(ctx, "expires_after")?,
                by_expiry,
                descending,
            },
            identifier,
            nothing,
        })
    }

    /// The list's name, which its cursors are bound to (the index, partition and filters).
    fn name(&self) -> String {
        format!("CFG#{}#{:?}", self.company, self.search)
    }

    /// One page from `start`: the identifier's one configuration (if it meets the other
    /// criteria), or a page of the index search.
    async fn page(
        &self,
        ctx: &Ctx<'_>,
        principal: &Principal,
        start: Option<portal::store::Item>,
        limit: i32,
    ) -> Result<portal::store::Page<ConfigurationView>, ApiError> {
        if self.nothing {
            return Ok(portal::store::Page {
                items: Vec::new(),
                last_key: None,
            });
        }
        if let Some((which, value)) = &self.identifier {
            let found = ctx
                .app
                .store
                .configuration_by_identifier(&self.company, *which, value)
                .await?;
            let items = found
                .filter(|c| self.matches(c))
                .and_then(|c| view_of(ctx, principal, c).ok())
                .into_iter()
                .collect();
            return Ok(portal::store::Page {
                items,
                last_key: None,
            });
        }
        let page = ctx
            .app
            .store
            .search_configurations(&self.company, &self.search, start, limit)
            .await?;
        let items = page
            .items
            .into_iter()
            .filter_map(|c| view_of(ctx, principal, c).ok())
            .collect();
        Ok(portal::store::Page {
            items,
            last_key: page.last_key,
        })
    }

    /// Whether `c` meets the criteria besides the identifier.
    fn matches(&self, c: &portal::domain::configurations::Configuration) -> bool {
        let s = &self.search;
        let f = &c.fields;
        s.name
            .as_ref()
            .is_none_or(|n| f.name.to_lowercase().starts_with(&n.to_lowercase()))
            && s.status.is_none_or(|st| f.status.wire() == st)
            && s.kind
                .as_ref()
                .is_none_or(|k| f.kind.eq_ignore_ascii_case(k))
            && s.contact
                .as_ref()
                .is_none_or(|u| f.contact_id.as_ref() == Some(u))
            && s.model
                .as_ref()
                .is_none_or(|m| f.model.eq_ignore_ascii_case(m))
            && s.expires_before
                .is_none_or(|d| f.expires.is_some_and(|e| e <= d))
            && s.expires_after
                .is_none_or(|d| f.expires.is_some_and(|e| e >= d))
    }
}

/// Search a company's configurations: by the start of the name (`q`), status, type, contact,
/// model number, expiry range, or an exact serial number or tag (any case); sorted by name or
/// expiry date. Full Admins, Ticket Managers and MSP staff see all of the company's; other
/// roles those they are the contact of.
#[utoipa::path(get, path = "/api/configurations", tag = "configurations",
    params(
        ("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)"),
        ("q" = Option<String>, Query, description = "The start of the name, any case", max_length = 100),
        ("status" = Option<String>, Query, pattern = "^(active|inactive)?$"),
        ("type" = Option<String>, Query, description = "One of the MSP's types, any case", max_length = 40),
        ("contact" = Option<String>, Query, description = "A contact's user id", pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("serial" = Option<String>, Query, description = "An exact serial number, any case", max_length = 100),
        ("tag" = Option<String>, Query, description = "An exact tag, any case", max_length = 100),
        ("model" = Option<String>, Query, description = "An exact model number, any case", max_length = 100),
        ("expires_before" = Option<String>, Query, description = "Expiring on or before (`YYYY-MM-DD`)", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
        ("expires_after" = Option<String>, Query, description = "Expiring on or after (`YYYY-MM-DD`)", pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
        ("sort" = Option<String>, Query, description = "`name` (default) or `expires` (none last)", pattern = "^(name|expires)?$"),
        ("order" = Option<String>, Query, pattern = "^(asc|desc)?$"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`"),
    ),
    responses(
        (status = 200, body = ConfigurationPage),
        (status = 400, description = "A malformed filter, or a cursor of another search", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let asked = Asked::parse(ctx, &principal)?;
    let name = asked.name();
    let start = ctx.start_after(&name)?;
    let page = asked.page(ctx, &principal, start, PAGE_SIZE).await?;
    let next_cursor = ctx.next_cursor(&page, &name);
    json(
        StatusCode::OK,
        &ConfigurationPage {
            items: page.items,
            next_cursor,
        },
    )
}

/// The search with the same parameters as `GET /api/configurations` (without `cursor`), every
/// page of it up to 10,000 rows, as CSV. Internal notes only for MSP staff.
#[utoipa::path(get, path = "/api/configurations/export", tag = "configurations",
    params(
        ("company" = Option<String>, Query), ("q" = Option<String>, Query, max_length = 100),
        ("status" = Option<String>, Query, pattern = "^(active|inactive)?$"),
        ("type" = Option<String>, Query, max_length = 40),
        ("contact" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("serial" = Option<String>, Query, max_length = 100), ("tag" = Option<String>, Query, max_length = 100),
        ("model" = Option<String>, Query, max_length = 100),
        ("expires_before" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
        ("expires_after" = Option<String>, Query, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"),
        ("sort" = Option<String>, Query, pattern = "^(name|expires)?$"),
        ("order" = Option<String>, Query, pattern = "^(asc|desc)?$"),
    ),
    responses(
        (status = 200, description = "`text/csv`, as a download", content_type = "text/csv", body = String),
        (status = 400, description = "A malformed filter", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn export(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let asked = Asked::parse(ctx, &principal)?;
    let mut rows = Vec::new();
    let mut start = None;
    loop {
        let page = asked.page(ctx, &principal, start, 500).await?;
        rows.extend(page.items);
        match page.last_key {
            Some(last) if rows.len() < MAX_EXPORT_ROWS => start = Some(last),
            _ => break,
        }
    }
    rows.truncate(MAX_EXPORT_ROWS);
    let body = csv(&rows, crate::staff(&principal));
    let file = format!("configurations-{}.csv", ctx.app.now().date());
    portal::web::csv::download(&file, body)
}

/// The export: a header row (the import's columns, so an export imports again), one row each.
fn csv(rows: &[ConfigurationView], staff: bool) -> String {
    let mut header = vec![
        "Name",
        "Type",
        "Status",
        "Manufacturer",
        "Model",
        "Serial",
        "Tag",
        "Contact",
        "Location",
        "Purchase date",
        "Expires",
        "Notes",
    ];
    if staff {
        header.push("Internal notes");
    }
    let date = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    let rows = rows.iter().map(|c| {
        let mut row = vec![
            c.name.clone(),
            c.kind.clone(),
            c.status.label().to_owned(),
            c.manufacturer.clone(),
            c.model.clone(),
            c.serial.clone(),
            c.tag.clone(),
            c.contact_name.clone().unwrap_or_default(),
            c.location.clone(),
            date(c.purchase_date),
            date(c.expires),
            c.notes.clone(),
        ];
        if staff {
            row.push(c.internal_notes.clone().unwrap_or_default());
        }
        row
    });
    portal::web::csv::document(&header, rows)
}

/// The home page's warnings.
#[derive(Serialize, ToSchema)]
pub struct ExpiringConfigurations {
    /// Active configurations expired or expiring by `horizon`, soonest first (at most 50).
    pub items: Vec<ConfigurationView>,
    #[serde(with = "portal::domain::iso_date")]
    #[schema(value_type = String, format = Date)]
    pub horizon: time::Date,
    /// `horizon` as people read it.
    pub horizon_label: String,
}

/// Configurations expired or expiring within 45 days (active ones; a Standard User's own).
#[utoipa::path(get, path = "/api/configurations/expiring", tag = "configurations",
    params(("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)")),
    responses(
        (status = 200, body = ExpiringConfigurations),
        (status = 404, description = "Another company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn expiring(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    let today = ctx.app.now().date();
    let horizon = warning_horizon(today);
    let found = ctx
        .app
        .store
        .configurations_expiring(
            &company,
            horizon,
            principal.configuration_contact_scope(),
            PAGE_SIZE,
        )
        .await?;
    let items = found
        .into_iter()
        .filter_map(|c| view_of(ctx, &principal, c).ok())
        .collect();
    json(
        StatusCode::OK,
        &ExpiringConfigurations {
            items,
            horizon,
            horizon_label: display_date(horizon),
        },
    )
}
