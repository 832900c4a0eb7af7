//! Documents: a client company's library in folders, newest first, searchable by name; each
//! document readable by the audience its visibility names (all users, admins only, the MSP alone),
//! with every version kept; renamed, moved, or deleted with all its files. Files go from the
//! browser straight to S3 and back (`document_uploads`).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::documents::{self, Audience, Document, DocumentChange, Folder, Visibility};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, DocumentId};
use portal::store::keys;
use portal::web::files::download_redirect;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::Principal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::company;

const PAGE_SIZE: i32 = 50;

/// Whose documents the principal reads: MSP staff all, a client's admins theirs and everyone's,
/// everyone else everyone's.
pub(crate) fn audience(principal: &Principal) -> Audience {
    if principal.can(Capability::AllCompanies) {
        Audience::Staff
    } else if principal.can(Capability::ManageDocuments) {
        Audience::Admins
    } else {
        Audience::Users
    }
}

/// Document `id` of `company` if the principal reads it; 404 otherwise (another company's, one
/// for admins only, an internal one, or none).
pub(crate) async fn visible(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &CompanyId,
    id: &str,
) -> Result<Document, ApiError> {
    let id = DocumentId::parse(id)?;
    ctx.app
        .store
        .get_document(company, &id)
        .await?
        .filter(|d| d.visibility.seen_by(audience(principal)))
        .ok_or(ApiError::NotFound)
}

/// The visibility a principal may give: clients never file internal documents.
pub(crate) fn may_give(principal: &Principal, visibility: Visibility) -> Result<(), ApiError> {
    if visibility == Visibility::Internal && !principal.can(Capability::AllCompanies) {
        return Err(ApiError::invalid(
            "visibility",
            "Only the MSP files internal documents: choose all users or admins only",
        ));
    }
    Ok(())
}

/// One page of documents.
#[derive(Serialize, ToSchema)]
pub struct DocumentPage {
    pub items: Vec<Document>,
    pub next_cursor: Option<String>,
}

/// The documents the caller reads, newest first: one folder or all, `q` filtering each page by
/// words of the name.
#[utoipa::path(get, path = "/api/documents", tag = "documents",
    params(
        ("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)"),
        ("folder" = Option<String>, Query, description = "One folder (any case)", max_length = 60),
        ("q" = Option<String>, Query, description = "Words of the name (any case)", max_length = 100),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`"),
    ),
    responses(
        (status = 200, body = DocumentPage),
        (status = 400, description = "A filter too long, or a cursor of another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    let folder = ctx.query_text("folder", documents::MAX_FOLDER)?;
    let words = ctx.query_text("q", 100)?;
    let audience = audience(&principal);
    let list = format!("DOC#{company}#{}#{folder:?}#{words:?}", audience.code());
    let start = ctx.start_after(&list)?;
    let page = ctx
        .app
        .store
        .list_documents(
            &company,
            audience,
            folder.as_deref(),
            words.as_deref(),
            start,
            PAGE_SIZE,
        )
        .await?;
    let next_cursor = ctx.next_cursor(&page, &list);
    json(
        StatusCode::OK,
        &DocumentPage {
            items: page.items,
            next_cursor,
        },
    )
}

/// The folders holding documents the caller reads, by name, with how many.
#[utoipa::path(get, path = "/api/documents/folders", tag = "documents",
    params(("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)")),
    responses(
        (status = 200, body = Vec<Folder>),
        (status = 404, description = "Another company; MSP staff without `company`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn folders(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    let audience = audience(&principal);
    let mut folders: Vec<Folder> = ctx
        .app
        .store
        .document_folders(&company)
        .await?
        .into_iter()
        .filter_map(|f| {
            let documents = u64::try_from(f.seen_by(audience)).ok().filter(|n| *n > 0)?;
            Some(Folder {
                name: f.name,
                documents,
            })
        })
        .collect();
    folders.sort_by_key(|f| f.name.to_lowercase());
    json(StatusCode::OK, &folders)
}

/// A document with its versions.
#[utoipa::path(get, path = "/api/documents/{id}", tag = "documents",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)"),
    ),
    responses(
        (status = 200, body = Document),
        (status = 404, description = "No such document, another company's, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    json(
        StatusCode::OK,
        &visible(ctx, &principal, &company, id).await?,
    )
}

/// Download version `n` of a document: a redirect to a presigned GET valid for five minutes that
/// makes the browser save the file.
#[utoipa::path(get, path = "/api/documents/{id}/versions/{n}", tag = "documents",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("n" = u32, Path, description = "The version: 1, 2, …"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; clients: their own)"),
    ),
    responses(
        (status = 303, description = "`Location`: the file, for five minutes"),
        (status = 404, description = "No such document or version, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn download(ctx: &Ctx<'_>, id: &str, n: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = company(ctx, &principal)?;
    let doc = visible(ctx, &principal, &company, id).await?;
    let number: u32 = n.parse().map_err(|_| ApiError::NotFound)?;
    let file = doc.file(number).ok_or(ApiError::NotFound)?;
    let key = keys::document_object(&company, &doc.id, &file.file_id);
    download_redirect(ctx.app, &key, &file.file_name, &file.content_type).await
}

/// Rename a document, move it to another folder or change who reads it (over the `version` read).
#[utoipa::path(patch, path = "/api/documents/{id}", tag = "documents", request_body = DocumentChange,
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)"),
    ),
    responses(
        (status = 200, body = Document),
        (status = 403, description = "May not file documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed since it was read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A blank or long name or folder, or an internal document from a client", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let body: DocumentChange = ctx.json()?;
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    may_give(&principal, body.visibility)?;
    let (name, folder) = body.check()?;
    let before = visible(ctx, &principal, &company, id).await?;
    if before.version != body.version {
        return Err(ApiError::Conflict);
    }
    let doc = Document {
        name,
        folder,
        visibility: body.visibility,
        updated_at: ctx.app.now(),
        version: before.version + 1,
        ..before.clone()
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::DocumentChanged,
        Some(doc.id.to_string()),
        format!(
            "Filed document {} in {} ({})",
            doc.name,
            doc.folder,
            doc.visibility.label()
        ),
    );
    if !ctx.app.store.save_document(&doc, &before, &audit).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &doc)
}

/// Delete a document with every version: its item, list entries and folder count go in one
/// transaction (over the version read), then its files.
#[utoipa::path(delete, path = "/api/documents/{id}", tag = "documents",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("company" = Option<String>, Query, description = "The client company (MSP staff; Full Admins: their own)"),
    ),
    responses(
        (status = 204, description = "Deleted, with all its versions"),
        (status = 403, description = "May not file documents", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such document, or one the caller may not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed while it was being deleted; look again", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageDocuments)?;
    let company = company(ctx, &principal)?;
    let doc = visible(ctx, &principal, &company, id).await?;
    let versions = match doc.versions.len() {
        1 => "its one version".to_owned(),
        n => format!("its {n} versions"),
    };
    let audit = principal.audit(
        ctx,
        &company,
        AuditAction::DocumentDeleted,
        Some(doc.id.to_string()),
        format!(
            "Deleted document {} from {} with {versions}",
            doc.name, doc.folder
        ),
    );
    if !ctx.app.store.delete_document(&doc, &audit).await? {
        return Err(ApiError::Conflict);
    }
    // The record is gone, so no route reaches the files any more; a file S3 fails to remove is
    // logged and left (its key is unguessable and named nowhere).
    for version in &doc.versions {
        let key = keys::document_object(&company, &doc.id, &version.file_id);
        if let Err(err) = ctx.app.files.remove(&key).await {
            tracing::error!(error = format!("{err:#}"), key, "document file left behind");
        }
    }
    tracing::info!(document = %doc.id, versions = doc.versions.len(), "document deleted");
    no_content()
}
