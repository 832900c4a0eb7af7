//! Documents' files: asking to upload a new document or a new version (a presigned POST and a
//! sealed token), and confirming it once S3 holds the file exactly as granted (`web::uploads`, as
//! ticket attachments do).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::aws::upload::PresignedPost;
use portal::domain::audit::AuditAction;
use portal::domain::documents::{self, Document, DocumentVersion, Visibility};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, DocumentId, UserId};
use portal::store::keys;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::web::uploads::{
    bad_token, check_announced, confirm_by, grant_upload, new_file_id, opened_grant, receive,
    still_valid,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::company;
use crate::documents::{audience, may_give, visible};

const TOKEN_PURPOSE: &str = "document";

/// What `POST /api/documents/uploads` takes: the file, and how to file the new document.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDocumentUpload {
    pub file_name: String,
    /// The file's media type; empty means `application/octet-stream`.
    #[serde(default)]
    pub content_type: String,
    /// Bytes; at least 1, at most the MSP's attachment limit.
    pub size: u64,
    /// Blank: the file's name.
    #[schema(schema_with = name_or_null)]
    pub name: Option<String>,
    /// Blank: "General".
    #[schema(schema_with = folder_or_null)]
    pub folder: Option<String>,
    pub visibility: Visibility,
}

fn name_or_null() -> utoipa::openapi::schema::Object {
    portal::domain::validate::schema::or_null(portal::domain::validate::schema::text(
        false,
        documents::MAX_NAME,
        portal::domain::validate::schema::Chars::NoControls,
    ))
}
fn folder_or_null() -> utoipa::openapi::schema::Object {
    portal::domain::validate::schema::or_null(documents::folder_schema())
}

/// What `POST /api/documents/{id}/uploads` takes: the new version's file.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionUpload {
    pub file_name: String,
    #[serde(default)]
    pub content_type: String,
    pub size: u64,
}

/// Where and how to upload: post `upload.fields` then the file (as the last field, `file`) to
/// `upload.url`, then confirm with `token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentUploadGrant {
    pub document_id: DocumentId,
    pub upload: PresignedPost,
    pub token: String,
    pub max_bytes: u64,
}

/// What `POST /api/documents` and `POST /api/documents/{id}/versions` take.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmDocument {
    pub token: String,
}

/// What the token vouches for: the upload exactly as granted.
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    company_id: CompanyId,
    document_id: DocumentId,
    /// The version the file becomes (1: a new document).
    number: u32,
    file_id: String,
    file_name: String,
    content_type: String,
    size: u64,
    name: String,
    folder: String,
    visibility: Visibility,
    user_id: UserId,
    expires: i64,
}

#[utoipa::path(post, path = "/api/documents/uploads", tag = "documents", request_body = NewDocumentUpload,
    params(("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)")),
    responses(
        (status = 201, body = DocumentUploadGrant),
        (status = 403, description = "May not add documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad name, type or folder, a size over the limit, or an internal document from a client", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request_new(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: NewDocumentUpload = ctx.json()?;
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    may_give(&principal, body.visibility)?;
    let (settings, found, _) = ctx
        .app
        .store
        .document_upload_context(&company, None)
        .await?;
    crate::client_company(found.as_ref())?;
    let announced = check_announced(
        &body.file_name,
        &body.content_type,
        body.size,
        settings.attachment_max_mb,
    )?;
    let mut errors = Vec::new();
    let name = documents::name(body.name.as_deref(), &announced.file_name, &mut errors);
    let folder = documents::folder(body.folder.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let grant = Grant {
        company_id: company,
        document_id: DocumentId::generate(),
        number: 1,
        file_id: new_file_id(),
        file_name: announced.file_name,
        content_type: announced.content_type,
        size: body.size,
        name,
        folder,
        visibility: body.visibility,
        user_id: principal.user.id.clone(),
        expires: confirm_by(ctx.app.now()),
    };
    granted(ctx, &grant, settings.attachment_max_mb).await
}

#[utoipa::path(post, path = "/api/documents/{id}/uploads", tag = "documents", request_body = VersionUpload,
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)"),
    ),
    responses(
        (status = 201, body = DocumentUploadGrant),
        (status = 403, description = "May not add documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The document has the most versions it keeps", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad name or type, or a size over the limit", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request_version(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let body: VersionUpload = ctx.json()?;
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    let id = DocumentId::parse(id)?;
    let (settings, _, doc) = ctx
        .app
        .store
        .document_upload_context(&company, Some(&id))
        .await?;
    let doc = doc
        .filter(|d| d.visibility.seen_by(audience(&principal)))
        .ok_or(ApiError::NotFound)?;
    if doc.versions.len() >= documents::MAX_VERSIONS {
        return Err(ApiError::State(
            "/problems/too-many-versions",
            format!(
                "This document keeps {} versions already; upload the new file as a new document",
                documents::MAX_VERSIONS
            ),
        ));
    }
    let announced = check_announced(
        &body.file_name,
        &body.content_type,
        body.size,
        settings.attachment_max_mb,
    )?;
    let grant = Grant {
        company_id: company,
        number: u32::try_from(doc.versions.len() + 1).unwrap_or(u32::MAX),
        document_id: doc.id,
        file_id: new_file_id(),
        file_name: announced.file_name,
        content_type: announced.content_type,
        size: body.size,
        name: doc.name,
        folder: doc.folder,
        visibility: doc.visibility,
        user_id: principal.user.id.clone(),
        expires: confirm_by(ctx.app.now()),
    };
    granted(ctx, &grant, settings.attachment_max_mb).await
}

/// The presigned POST and token of `grant`.
async fn granted(ctx: &Ctx<'_>, grant: &Grant, max_mb: u32) -> Result<Response<Body>, ApiError> {
    let key = keys::document_object(&grant.company_id, &grant.document_id, &grant.file_id);
    let (upload, token) = grant_upload(
        ctx.app,
        &key,
        &grant.content_type,
        grant.size,
        TOKEN_PURPOSE,
        grant,
    )
    .await?;
    json(
        StatusCode::CREATED,
        &DocumentUploadGrant {
            document_id: grant.document_id.clone(),
            upload,
            token,
            max_bytes: u64::from(max_mb) * 1024 * 1024,
        },
    )
}

/// The grant of a token sent to `company` by `principal`, if it is theirs and still valid.
fn grant_of(ctx: &Ctx<'_>, principal: &Principal, token: &str) -> Result<Grant, ApiError> {
    let grant: Grant = opened_grant(ctx.app, TOKEN_PURPOSE, token)?;
    if grant.user_id != principal.user.id || !still_valid(ctx.app, grant.expires) {
        return Err(bad_token());
    }
    Ok(grant)
}

/// The version a confirmed upload adds.
fn version_of(principal: &Principal, grant: &Grant, now: time::OffsetDateTime) -> DocumentVersion {
    DocumentVersion {
        number: grant.number,
        file_id: grant.file_id.clone(),
        file_name: grant.file_name.clone(),
        content_type: grant.content_type.clone(),
        size: grant.size,
        uploaded_by_name: principal.user.name.clone(),
        from_msp: principal.can(Capability::AllCompanies),
        uploaded_at: now,
    }
}

/// Confirm a new document's upload: it is listed once S3 holds the file with the size and type
/// granted. Confirming twice answers the same document.
#[utoipa::path(post, path = "/api/documents", tag = "documents", request_body = ConfirmDocument,
    params(("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)")),
    responses(
        (status = 201, body = Document),
        (status = 200, description = "Already confirmed", body = Document),
        (status = 400, description = "Not a token for this company or caller, or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not add documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The upload never arrived, or differs from what was granted", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn confirm_new(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let body: ConfirmDocument = ctx.json()?;
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    let grant = grant_of(ctx, &principal, &body.token)?;
    if grant.company_id != company || grant.number != 1 {
        return Err(bad_token());
    }
    if let Some(existing) = ctx
        .app
        .store
        .get_document(&company, &grant.document_id)
        .await?
    {
        return json(StatusCode::OK, &existing);
    }
    let key = keys::document_object(&company, &grant.document_id, &grant.file_id);
    receive(ctx.app, &key, grant.size, &grant.content_type).await?;
    let now = ctx.app.now();
    let doc = Document {
        id: grant.document_id.clone(),
        company_id: company.clone(),
        name: grant.name.clone(),
        folder: grant.folder.clone(),
        visibility: grant.visibility,
        versions: vec![version_of(&principal, &grant, now)],
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::DocumentAdded,
        Some(doc.id.to_string()),
        format!(
            "Added document {} to {} ({})",
            doc.name,
            doc.folder,
            doc.visibility.label()
        ),
    );
    if !ctx.app.store.create_document(&doc, &audit).await? {
        // A concurrent confirm of the same token made it.
        let existing = ctx.app.store.get_document(&company, &doc.id).await?;
        return existing.map_or(Err(ApiError::Conflict), |d| json(StatusCode::OK, &d));
    }
    json(StatusCode::CREATED, &doc)
}

/// Confirm a new version's upload: the document's newest version, the earlier ones kept.
#[utoipa::path(post, path = "/api/documents/{id}/versions", tag = "documents", request_body = ConfirmDocument,
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)"),
    ),
    responses(
        (status = 201, body = Document),
        (status = 200, description = "Already confirmed", body = Document),
        (status = 400, description = "Not a token for this document or caller, or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not add documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another version was added since this upload was granted; upload again", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The upload never arrived, or differs from what was granted", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn confirm_version(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let body: ConfirmDocument = ctx.json()?;
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    let before = visible(ctx, &principal, &company, id).await?;
    let grant = grant_of(ctx, &principal, &body.token)?;
    if grant.company_id != company || grant.document_id != before.id || grant.number < 2 {
        return Err(bad_token());
    }
    if before.versions.iter().any(|v| v.file_id == grant.file_id) {
        return json(StatusCode::OK, &before);
    }
    if usize::try_from(grant.number).ok() != Some(before.versions.len() + 1) {
        return Err(ApiError::Conflict);
    }
    let key = keys::document_object(&company, &before.id, &grant.file_id);
    receive(ctx.app, &key, grant.size, &grant.content_type).await?;
    let now = ctx.app.now();
    let mut doc = before.clone();
    doc.versions.push(version_of(&principal, &grant, now));
    doc.updated_at = now;
    doc.version += 1;
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::DocumentChanged,
        Some(doc.id.to_string()),
        format!("Uploaded version {} of document {}", grant.number, doc.name),
    );
    if !ctx.app.store.save_document(&doc, &before, &audit).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::CREATED, &doc)
}
