//! The CSV import (MSP staff): every row is checked first — its fields, its contact (an active
//! user of the company, by email), its serial number and tag (unique in the file and in the
//! company) — and each bad row reported with its line; then all rows are written or none.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::configurations::import::{self, MAX_REPORTED, RowError};
use portal::domain::configurations::{Configuration, identifier_key};
use portal::domain::roles::Capability;
use portal::domain::{ConfigurationId, Email, UserStatus};
use portal::store::ImportClaim;
use portal::store::keys::{self, Identifier};
use portal::web::http::{Ctx, json};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

use crate::company;

/// Largest file an import takes (5,000 rows of a wide RMM export fit).
pub const MAX_IMPORT_BYTES: usize = 4 * 1024 * 1024;

/// What an import did.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ImportOutcome {
    /// Configurations added.
    pub imported: usize,
    /// Header cells that name no column the portal knows (their values were not imported).
    pub ignored_columns: Vec<String>,
}

/// Import configurations for a client company from a CSV file (`Content-Type: text/csv`): a
/// header row naming the columns — Name and Type required; Status, Manufacturer, Model, Serial,
/// Tag, Contact (a portal user's email), Location, Purchase date, Expires, Notes, Internal notes
/// (usual spellings such as "Serial #", "Asset tag", "Warranty expires" too) — then up to 5,000
/// rows. Every row is checked first; if any is bad nothing is written and the answer lists each
/// bad row's line and reason. Send an `Idempotency-Key` and a retry answers the first import.
#[utoipa::path(post, path = "/api/configurations/import", tag = "configurations",
    request_body(content = String, content_type = "text/csv", description = "The file, at most 4 MiB"),
    params(
        ("company" = String, Query, description = "The client company"),
        ("Idempotency-Key" = Option<String>, Header, description = "Unique per import; a retry with the same key answers the first import (for a day)", pattern = "^[A-Za-z0-9._:-]{0,100}$"),
    ),
    responses(
        (status = 201, description = "Every row imported (or imported before with this Idempotency-Key)", body = ImportOutcome),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company; no `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A serial number or tag was taken while the import ran; nothing was imported", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 4 MiB", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not `text/csv`", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Rows that cannot be imported (`/problems/import-rejected`, with `rows`: line, column, reason); nothing was imported", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn import(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageConfigurations)?;
    let company = company(ctx, &principal)?;
    let bytes = ctx.body_of("text/csv", MAX_IMPORT_BYTES)?;
    let once = ctx
        .idempotency_key()?
        .map(|key| keys::configuration_import(&company, &principal.user.id, key));
    if let Some(record) = &once
        && let Some(earlier) = claim(ctx, record).await?
    {
        return json(StatusCode::CREATED, &earlier);
    }
    let outcome = run(ctx, &principal, &company, bytes, once.as_ref()).await;
    if let (Err(_), Some(record)) = (&outcome, &once) {
        // Refused: nothing was written; a retry with the key runs again.
        ctx.app.store.release_import(record).await?;
    }
    json(StatusCode::CREATED, &outcome?)
}

/// Claim the import's key: `Some` with the outcome of the request that ran it (waiting up to
/// 20 seconds for one still running: a retry sent while the first is at work), `None` when this
/// request runs it.
async fn claim(ctx: &Ctx<'_>, record: &keys::Key) -> Result<Option<ImportOutcome>, ApiError> {
    for _ in 0..100 {
        match ctx.app.store.claim_import(record, ctx.app.now()).await? {
            ImportClaim::Claimed => return Ok(None),
            ImportClaim::Done(outcome) => return Ok(Some(outcome)),
            ImportClaim::Running => tokio::time::sleep(std::time::Duration::from_millis(200)).await,
        }
    }
    Err(ApiError::State(
        "/problems/import-running",
        "An import with this Idempotency-Key is still running; try again in a minute".into(),
    ))
}

/// Check every row, then write them all (with `record`, the claimed key's outcome).
async fn run(
    ctx: &Ctx<'_>,
    principal: &portal::web::principal::Principal,
    company: &portal::domain::CompanyId,
    bytes: &[u8],
    record: Option<&keys::Key>,
) -> Result<ImportOutcome, ApiError> {
    let company = company.clone();
    let found = ctx
        .app
        .store
        .configuration_context(&company, None, None)
        .await?;
    crate::client_company(found.company.as_ref())?;
    let mut parsed = import::parse(bytes, &found.types);
    let people = contacts(ctx, &company, &parsed.rows).await?;
    let wanted: Vec<(Identifier, String)> = parsed
        .rows
        .iter()
        .flat_map(|r| Identifier::BOTH.map(|w| (w, w.value(&r.fields).to_owned())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let taken: Vec<(Identifier, String)> = ctx
        .app
        .store
        .identifiers_taken(&company, &wanted)
        .await?
        .into_iter()
        .map(|(w, v)| (w, identifier_key(&v)))
        .collect();
    let now = ctx.app.now();
    let mut all = Vec::new();
    for row in parsed.rows.drain(..) {
        let mut bad = false;
        for w in Identifier::BOTH {
            let value = w.value(&row.fields);
            if !value.is_empty() && taken.contains(&(w, identifier_key(value))) {
                parsed.errors.push(RowError {
                    line: row.line,
                    column: w.field().into(),
                    message: w.taken_message(value),
                });
                bad = true;
            }
        }
        let contact = match &row.contact_email {
            None => None,
            Some(email) => match people.get(email) {
                Some(user) => Some(user),
                None => {
                    parsed.errors.push(RowError {
                        line: row.line,
                        column: "contact".into(),
                        message: format!("{email} is not an active portal user of this company"),
                    });
                    bad = true;
                    None
                }
            },
        };
        if bad {
            continue;
        }
        let mut fields = row.fields;
        fields.contact_id = contact.map(|u| u.id.clone());
        all.push((
            row.line,
            Configuration {
                id: ConfigurationId::generate(),
                company_id: company.clone(),
                contact_name: contact.map(|u| u.name.clone()),
                fields,
                created_at: now,
                updated_at: now,
                version: 1,
            },
        ));
    }
    if !parsed.errors.is_empty() {
        let mut rows = parsed.errors;
        rows.sort_by_key(|e| e.line);
        let bad = {
            let mut lines: Vec<u64> = rows.iter().map(|e| e.line).collect();
            lines.dedup();
            lines.len()
        };
        rows.truncate(MAX_REPORTED);
        return Err(ApiError::ImportRejected { rows, bad });
    }
    let outcome = ImportOutcome {
        imported: all.len(),
        ignored_columns: parsed.ignored_columns,
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::ConfigurationsImported,
        None,
        format!("Imported {} configurations from a CSV file", all.len()),
    );
    let mut last = vec![ctx.app.store.audit_part(&audit)?];
    if let Some(record) = record {
        last.push(ctx.app.store.finish_import_part(record, &outcome, now)?);
    }
    let configurations: Vec<Configuration> = all.iter().map(|(_, c)| c.clone()).collect();
    if let Err(at) = ctx
        .app
        .store
        .import_configurations(&configurations, last)
        .await?
    {
        let line = all.get(at).map_or(0, |(line, _)| *line);
        return Err(ApiError::State(
            "/problems/import-conflict",
            format!(
                "A serial number or tag near line {line} was taken while the import ran; nothing was imported. Import the file again."
            ),
        ));
    }
    tracing::info!(company_id = %company, imported = outcome.imported, "configurations imported");
    Ok(outcome)
}

/// The company's active users by email, when any row names a contact (one Query per 1,000
/// users).
async fn contacts(
    ctx: &Ctx<'_>,
    company: &portal::domain::CompanyId,
    rows: &[import::ImportRow],
) -> Result<HashMap<Email, portal::domain::account::User>, ApiError> {
    let mut people = HashMap::new();
    if rows.iter().all(|r| r.contact_email.is_none()) {
        return Ok(people);
    }
    let mut start = None;
    loop {
        let page = ctx.app.store.list_users(company, start, 1000).await?;
        for user in page.items {
            if user.status == UserStatus::Active {
                people.insert(user.email.clone(), user);
            }
        }
        match page.last_key {
            Some(k) => start = Some(k),
            None => return Ok(people),
        }
    }
}
