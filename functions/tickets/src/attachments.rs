//! Ticket attachments: files go from the browser straight to S3 and back, never through a
//! function. Three steps: ask for an upload (a presigned POST pinning the exact key, type and size,
//! plus a signed token describing it), upload, then confirm with the token; the confirm checks the
//! object with HeadObject before the ticket lists it. Downloads redirect to a short-lived presigned
//! GET that forces `Content-Disposition: attachment`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::aws::upload::PresignedPost;
use portal::domain::audit::AuditAction;
use portal::domain::roles::Capability;
use portal::domain::tickets::{Attachment, Ticket};
use portal::domain::{CompanyId, UserId};
use portal::store::keys;
use portal::web::files::download_redirect;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use portal::web::uploads::{
    bad_token, check_announced, confirm_by, grant_upload, new_file_id, opened_grant, receive,
    still_valid,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{visible_attachment, visible_ticket};

const TOKEN_PURPOSE: &str = "upload";

/// What `POST /api/tickets/{number}/uploads` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadRequest {
    pub file_name: String,
    /// The file's media type; empty means `application/octet-stream`.
    #[serde(default)]
    pub content_type: String,
    /// Bytes; at least 1, at most the MSP's attachment limit.
    pub size: u64,
    /// MSP staff only: a file no client user ever sees.
    #[serde(default)]
    pub internal: bool,
}

/// Where and how to upload: post `upload.fields` then the file (as the last field, `file`) to
/// `upload.url`, then confirm with `token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadGrant {
    pub id: String,
    pub upload: PresignedPost,
    pub token: String,
    pub max_bytes: u64,
}

/// What `POST /api/tickets/{number}/attachments` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmUpload {
    pub token: String,
}

/// What the token vouches for: the upload exactly as granted.
#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    company_id: CompanyId,
    number: u64,
    id: String,
    file_name: String,
    content_type: String,
    size: u64,
    internal: bool,
    user_id: UserId,
    /// Unix seconds.
    expires: i64,
}

/// Whether the principal may add files to tickets (internal ones only as MSP staff).
fn may_add_files(principal: &Principal, internal: bool) -> Result<(), ApiError> {
    principal.require(Capability::AddNotes)?;
    if internal && !principal.can(Capability::AllCompanies) {
        return Err(ApiError::Forbidden);
    }
    Ok(())
}

/// A closed ticket takes no more files.
fn still_open(ticket: &Ticket) -> Result<(), ApiError> {
    if ticket.status.is_open() {
        Ok(())
    } else {
        Err(ApiError::State(
            "/problems/ticket-closed",
            "This ticket is closed, so it takes no more files. Reopen it if that is offered, or raise a new ticket and mention this one's number.".into(),
        ))
    }
}

/// Ask to upload a file to an open ticket: a presigned POST for one exact object, and the token to
/// confirm it with.
#[utoipa::path(post, path = "/api/tickets/{number}/uploads", tag = "tickets", request_body = UploadRequest,
    params(("number" = u64, Path)),
    responses(
        (status = 201, body = UploadGrant),
        (status = 403, description = "May not add to tickets, or an internal file as a client", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad name, type, or a size over the limit", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn request_upload(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let body: UploadRequest = ctx.json()?;
    let principal = ctx.principal().await?;
    may_add_files(&principal, body.internal)?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    still_open(&ticket)?;
    let settings = ctx.app.store.ticket_settings().await?;
    let max_bytes = u64::from(settings.attachment_max_mb) * 1024 * 1024;
    let announced = check_announced(
        &body.file_name,
        &body.content_type,
        body.size,
        settings.attachment_max_mb,
    )?;
    let now = ctx.app.now();
    let grant = Grant {
        company_id: ticket.company_id.clone(),
        number: ticket.number,
        id: new_file_id(),
        file_name: announced.file_name,
        content_type: announced.content_type,
        size: body.size,
        internal: body.internal,
        user_id: principal.user.id.clone(),
        expires: confirm_by(now),
    };
    let key = keys::attachment_object(&grant.company_id, grant.number, &grant.id);
    let (upload, token) = grant_upload(
        ctx.app,
        &key,
        &grant.content_type,
        grant.size,
        TOKEN_PURPOSE,
        &grant,
    )
    .await?;
    json(
        StatusCode::CREATED,
        &UploadGrant {
            id: grant.id,
            upload,
            token,
            max_bytes,
        },
    )
}

/// Confirm an upload: the ticket lists the file once S3 holds it with the size and type granted.
/// Confirming twice answers the same attachment.
#[utoipa::path(post, path = "/api/tickets/{number}/attachments", tag = "tickets", request_body = ConfirmUpload,
    params(("number" = u64, Path)),
    responses(
        (status = 201, body = Attachment),
        (status = 200, description = "Already confirmed", body = Attachment),
        (status = 400, description = "Not a token for this ticket, or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The upload never arrived, or differs from what was granted", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn confirm_upload(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let body: ConfirmUpload = ctx.json()?;
    let grant: Grant = opened_grant(ctx.app, TOKEN_PURPOSE, &body.token)?;
    let principal = ctx.principal().await?;
    may_add_files(&principal, grant.internal)?;
    let (ticket, existing) = visible_attachment(ctx, &principal, number, &grant.id).await?;
    still_open(&ticket)?;
    if grant.number != ticket.number
        || grant.company_id != ticket.company_id
        || grant.user_id != principal.user.id
        || !still_valid(ctx.app, grant.expires)
    {
        return Err(bad_token());
    }
    if let Some(existing) = existing {
        return json(StatusCode::OK, &existing);
    }
    let key = keys::attachment_object(&grant.company_id, grant.number, &grant.id);
    receive(ctx.app, &key, grant.size, &grant.content_type).await?;
    let attachment = Attachment {
        id: grant.id,
        ticket_number: grant.number,
        file_name: grant.file_name,
        content_type: grant.content_type,
        size: grant.size,
        internal: grant.internal,
        uploaded_by_id: principal.user.id.clone(),
        uploaded_by_name: principal.user.name.clone(),
        from_msp: principal.can(Capability::AllCompanies),
        created_at: ctx.app.now(),
    };
    if !ctx
        .app
        .store
        .add_attachment(
            &grant.company_id,
            &attachment,
            Some(&crate::ticket_audit(
                ctx,
                &principal,
                attachment.ticket_number,
                AuditAction::AttachmentAdded,
                format!(
                    "Attached {} to ticket #{}",
                    attachment.file_name, attachment.ticket_number
                ),
            )),
        )
        .await?
    {
        return Err(ApiError::Conflict);
    }
    tracing::info!(
        ticket = attachment.ticket_number,
        size = attachment.size,
        "attachment confirmed"
    );
    json(StatusCode::CREATED, &attachment)
}

/// Download an attachment: a redirect to a presigned GET valid for five minutes, which makes the
/// browser save the file rather than show it.
#[utoipa::path(get, path = "/api/tickets/{number}/attachments/{id}", tag = "tickets",
    params(("number" = u64, Path), ("id" = String, Path, description = "The attachment's id: 24 hexadecimal digits", pattern = "^[0-9a-f]{24}$")),
    responses(
        (status = 303, description = "`Location`: the file, for five minutes"),
        (status = 404, description = "No such file, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn download(ctx: &Ctx<'_>, number: &str, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let (ticket, attachment) = visible_attachment(ctx, &principal, number, id).await?;
    let attachment = attachment.ok_or(ApiError::NotFound)?;
    let key = keys::attachment_object(&ticket.company_id, ticket.number, id);
    download_redirect(
        ctx.app,
        &key,
        &attachment.file_name,
        &attachment.content_type,
    )
    .await
}
