//! The MSP's records: create and change a configuration of a client company, and the list of
//! configuration types (read by everyone, edited by the MSP admin).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::account::User;
use portal::domain::audit::AuditAction;
use portal::domain::configurations::{
    Configuration, ConfigurationBody, ConfigurationFields, ConfigurationTypes, ConfigurationView,
    TypesBody,
};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, ConfigurationId, UserStatus};
use portal::store::keys::Identifier;
use portal::store::{ConfigurationContext, ConfigurationRefused};
use portal::web::http::{Ctx, json};

use crate::company;

/// The contact named in `fields`, checked: an active user of `company` (422 otherwise).
fn checked_contact(
    fields: &ConfigurationFields,
    found: Option<User>,
    company: &CompanyId,
    field: &str,
) -> Result<Option<User>, ApiError> {
    match &fields.contact_id {
        None => Ok(None),
        Some(_) => found
            .filter(|u| u.status == UserStatus::Active && u.company_id == *company)
            .map(Some)
            .ok_or_else(|| ApiError::invalid(field, "Choose an active user of the client company")),
    }
}

/// What a create or change (of configuration `id`) reads, in one call, and the body's fields
/// checked against it: the MSP's types, and the contact an active user of the company.
async fn checked(
    ctx: &Ctx<'_>,
    company: &CompanyId,
    id: Option<&ConfigurationId>,
    body: &ConfigurationBody,
) -> Result<(ConfigurationContext, ConfigurationFields, Option<User>), ApiError> {
    let contact_id = body
        .contact_id
        .as_deref()
        .and_then(|c| portal::domain::UserId::parse(c.trim()).ok());
    let mut found = ctx
        .app
        .store
        .configuration_context(company, id, contact_id.as_ref())
        .await?;
    if id.is_some() && found.configuration.is_none() {
        return Err(ApiError::NotFound);
    }
    let fields = body.check(&found.types)?;
    let contact = checked_contact(&fields, found.contact.take(), company, "contact_id")?;
    Ok((found, fields, contact))
}

/// The 409 of a serial number or tag another configuration of the company has.
fn taken(which: Identifier, value: &str) -> ApiError {
    ApiError::State("/problems/identifier-taken", which.taken_message(value))
}

/// Record a configuration for a client company (MSP staff).
#[utoipa::path(post, path = "/api/configurations", tag = "configurations", request_body = ConfigurationBody,
    params(("company" = String, Query, description = "The client company")),
    responses(
        (status = 201, body = ConfigurationView),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company; no `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another configuration of the company has this serial number or tag (`/problems/identifier-taken`)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (an unknown type, a contact who is not an active user of the company, a malformed date)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageConfigurations)?;
    let company = company(ctx, &principal)?;
    let body: ConfigurationBody = ctx.json()?;
    if body.version.is_some() {
        return Err(ApiError::invalid(
            "version",
            "Leave the version out of a new configuration",
        ));
    }
    let (found, fields, contact) = checked(ctx, &company, None, &body).await?;
    crate::client_company(found.company.as_ref())?;
    let now = ctx.app.now();
    let c = Configuration {
        id: ConfigurationId::generate(),
        company_id: company.clone(),
        contact_name: contact.map(|u| u.name),
        fields,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::ConfigurationCreated,
        Some(c.id.to_string()),
        format!("Added configuration {} ({})", c.fields.name, c.fields.kind),
    );
    match ctx.app.store.create_configuration(&c, &audit).await? {
        Ok(()) => json(
            StatusCode::CREATED,
            &ConfigurationView::of(c, now.date(), true),
        ),
        Err(ConfigurationRefused::Taken(w)) => Err(taken(w, w.of(&c))),
        Err(ConfigurationRefused::Changed) => Err(ApiError::Conflict),
    }
}

/// Change a configuration (MSP staff): every field, over the `version` read.
#[utoipa::path(patch, path = "/api/configurations/{id}", tag = "configurations", request_body = ConfigurationBody,
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = String, Query, description = "The client company"),
    ),
    responses(
        (status = 200, body = ConfigurationView),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such configuration of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since it was read (`/problems/conflict`), or the serial number or tag is another configuration's (`/problems/identifier-taken`)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no `version`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageConfigurations)?;
    let company = company(ctx, &principal)?;
    let id = ConfigurationId::parse(id)?;
    let body: ConfigurationBody = ctx.json()?;
    let Some(version) = body.version else {
        return Err(ApiError::invalid("version", "Send the version you read"));
    };
    let (found, fields, contact) = checked(ctx, &company, Some(&id), &body).await?;
    let before = found.configuration.ok_or(ApiError::NotFound)?;
    if before.version != version {
        return Err(ApiError::Conflict);
    }
    let now = ctx.app.now();
    let c = Configuration {
        contact_name: contact.map(|u| u.name),
        fields,
        updated_at: now,
        version: before.version + 1,
        ..before.clone()
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::ConfigurationChanged,
        Some(c.id.to_string()),
        format!("Changed configuration {}", c.fields.name),
    );
    match ctx
        .app
        .store
        .save_configuration(&c, &before, &audit)
        .await?
    {
        Ok(()) => json(StatusCode::OK, &ConfigurationView::of(c, now.date(), true)),
        Err(ConfigurationRefused::Taken(w)) => Err(taken(w, w.of(&c))),
        Err(ConfigurationRefused::Changed) => Err(ApiError::Conflict),
    }
}

/// The MSP's list of configuration types (every signed-in user: the search and the forms).
#[utoipa::path(get, path = "/api/configuration-types", tag = "configurations",
    responses((status = 200, body = ConfigurationTypes)))]
pub(crate) async fn types(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    ctx.principal().await?;
    json(StatusCode::OK, &ctx.app.store.configuration_types().await?)
}

/// Replace the list of configuration types (MSP admin). Configurations keep the type they have
/// when it leaves the list; a change to them must choose one of the list.
#[utoipa::path(put, path = "/api/configuration-types", tag = "configurations", request_body = TypesBody,
    responses(
        (status = 200, body = ConfigurationTypes),
        (status = 403, description = "Not the MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since it was read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "No type, too many, or one too long", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn save_types(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageSettings)?;
    let body: TypesBody = ctx.json()?;
    let version = body.version;
    let types = ConfigurationTypes {
        types: body.check()?,
        version: version + 1,
    };
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ConfigurationTypesChanged,
        None,
        format!("Configuration types: {}", types.types.join(", ")),
    );
    if !ctx
        .app
        .store
        .save_configuration_types(&types, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &types)
}
