//! Ticket attachments: files go from the browser straight to S3 and back, never through a
//! function. Three steps: ask for an upload (a presigned POST pinning the exact key, type and size,
//! plus a signed token describing it), upload, then confirm with the token; the confirm checks the
//! object with HeadObject before the ticket lists it. Downloads redirect to a short-lived presigned
//! GET that forces `Content-Disposition: attachment`.

use aws_credential_types::provider::ProvideCredentials;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::aws::s3::pending_key;
use portal::aws::upload::{PresignedPost, SigningCredentials, UploadRule, presign_post};
use portal::domain::audit::AuditAction;
use portal::domain::roles::Capability;
use portal::domain::tickets::{Attachment, Ticket};
use portal::domain::{CompanyId, UserId, files, random_hex};
use portal::store::keys;
use portal::web::error::FieldError;
use portal::web::files::download_redirect;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{visible_attachment, visible_ticket};

/// How long a presigned POST may start, a token may be confirmed, a download link works.
const UPLOAD_WINDOW: time::Duration = time::Duration::minutes(10);
const CONFIRM_WINDOW: time::Duration = time::Duration::hours(1);
const MAX_FILE_NAME: usize = 150;
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

/// A file name safe to store and show: its last path component, no control characters, at most
/// `MAX_FILE_NAME` characters (keeping the extension).
pub fn clean_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    if name.is_empty() {
        return None;
    }
    if name.chars().count() <= MAX_FILE_NAME {
        return Some(name);
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 10)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let stem: String = name
        .chars()
        .take(MAX_FILE_NAME - ext.chars().count())
        .collect();
    Some(format!("{stem}{ext}"))
}

/// A media type `type/subtype` (parameters dropped, lower-cased); empty is `application/octet-stream`.
pub fn clean_content_type(raw: &str) -> Option<String> {
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence.is_empty() {
        return Some("application/octet-stream".into());
    }
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match essence.split_once('/') {
        Some((t, sub)) if essence.len() <= 100 && token(t) && token(sub) => Some(essence),
        _ => None,
    }
}

/// Bytes of randomness in an attachment id (hex: twice as many digits).
const ID_BYTES: usize = 12;

/// Whether `id` has the form of an attachment id; anything else names no file (and is never part
/// of a key: a key has a length limit, and `#` would leave the attachment's range).
pub fn is_attachment_id(id: &str) -> bool {
    id.len() == 2 * ID_BYTES && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
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
    let mut errors = Vec::new();
    let file_name = clean_file_name(&body.file_name);
    if file_name.is_none() {
        errors.push(FieldError::new("file_name", "The file needs a name"));
    }
    let content_type = match (&file_name, clean_content_type(&body.content_type)) {
        (_, None) => {
            errors.push(FieldError::new("content_type", "Not a media type"));
            None
        }
        (None, Some(_)) => None,
        (Some(name), Some(declared)) => match files::media_type(name, &declared) {
            Ok(stored) => Some(stored.to_owned()),
            Err(refusal) => {
                errors.push(FieldError::new(refusal.field(), refusal.message()));
                None
            }
        },
    };
    if body.size == 0 {
        errors.push(FieldError::new("size", "The file is empty"));
    } else if body.size > max_bytes {
        errors.push(FieldError::new(
            "size",
            format!("Files can be at most {} MB", settings.attachment_max_mb),
        ));
    }
    let (Some(file_name), Some(content_type), true) = (file_name, content_type, errors.is_empty())
    else {
        return Err(ApiError::Validation(errors));
    };
    let now = ctx.app.now();
    let grant = Grant {
        company_id: ticket.company_id.clone(),
        number: ticket.number,
        id: random_hex(ID_BYTES),
        file_name,
        content_type,
        size: body.size,
        internal: body.internal,
        user_id: principal.user.id.clone(),
        expires: (now + CONFIRM_WINDOW).unix_timestamp(),
    };
    let app = ctx.app;
    let credentials = app
        .aws
        .credentials_provider()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no AWS credentials")))?
        .provide_credentials()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let region = app
        .aws
        .region()
        .map_or("us-east-1".into(), |r| r.to_string());
    let key = pending_key(&keys::attachment_object(
        &grant.company_id,
        grant.number,
        &grant.id,
    ));
    let upload = presign_post(
        &UploadRule {
            bucket: app.files.bucket()?,
            key: &key,
            content_type: &grant.content_type,
            min_bytes: grant.size,
            max_bytes: grant.size,
            expires_at: now + UPLOAD_WINDOW,
        },
        &SigningCredentials::from(&credentials),
        &region,
        app.config
            .s3_public_endpoint
            .as_deref()
            .or(app.aws.endpoint_url()),
        now,
    )
    .map_err(ApiError::Internal)?;
    let token = app
        .uploads
        .seal(TOKEN_PURPOSE, &grant)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("sealing upload token")))?;
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
    let bad_token = || {
        ApiError::BadRequest(
            "the upload token is not valid for this ticket or has expired; upload the file again"
                .into(),
        )
    };
    let grant: Grant = ctx
        .app
        .uploads
        .open(TOKEN_PURPOSE, &body.token)
        .ok_or_else(bad_token)?;
    let principal = ctx.principal().await?;
    may_add_files(&principal, grant.internal)?;
    let (ticket, existing) = visible_attachment(ctx, &principal, number, &grant.id).await?;
    still_open(&ticket)?;
    if grant.number != ticket.number
        || grant.company_id != ticket.company_id
        || grant.user_id != principal.user.id
        || grant.expires < ctx.app.now().unix_timestamp()
    {
        return Err(bad_token());
    }
    if let Some(existing) = existing {
        return json(StatusCode::OK, &existing);
    }
    let files = &ctx.app.files;
    let key = keys::attachment_object(&grant.company_id, grant.number, &grant.id);
    let pending = pending_key(&key);
    let Some(arrived) = files.arrived(&pending).await? else {
        return Err(ApiError::Validation(vec![FieldError::new(
            "token",
            "The file has not arrived; upload it again",
        )]));
    };
    let type_ok = arrived
        .content_type
        .is_some_and(|t| t.eq_ignore_ascii_case(&grant.content_type));
    if arrived.size != grant.size || !type_ok {
        files.remove(&pending).await?;
        return Err(ApiError::Validation(vec![FieldError::new(
            "token",
            "The file that arrived is not the one announced (size or type); upload it again",
        )]));
    }
    // From here the file is out of reach of the presigned POST, which names the pending key only.
    files.promote(&pending, &key).await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_ids_are_what_uploads_are_given() {
        for _ in 0..100 {
            assert!(is_attachment_id(&random_hex(ID_BYTES)));
        }
        let id = random_hex(ID_BYTES);
        for bad in [
            String::new(),
            id[1..].to_owned(),
            format!("{id}0"),
            id.to_uppercase().replace(char::is_numeric, "A"),
            format!("#A#{}", &id[3..]),
        ] {
            assert!(!is_attachment_id(&bad), "{bad}");
        }
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_file_name("C:\\Users\\me\\report.pdf").unwrap(),
            "report.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("  a\u{0}b.txt ").unwrap(), "ab.txt");
        assert_eq!(clean_file_name("..."), None);
        assert_eq!(clean_file_name(""), None);
        let long = format!("{}.png", "x".repeat(300));
        let cut = clean_file_name(&long).unwrap();
        assert_eq!(cut.chars().count(), MAX_FILE_NAME);
        assert!(cut.ends_with(".png"));
    }

    #[test]
    fn content_types_are_checked() {
        assert_eq!(clean_content_type("Image/PNG").unwrap(), "image/png");
        assert_eq!(
            clean_content_type("text/plain; charset=utf-8").unwrap(),
            "text/plain"
        );
        assert_eq!(clean_content_type("").unwrap(), "application/octet-stream");
        assert_eq!(clean_content_type("text"), None);
        assert_eq!(clean_content_type("text/html\r\nx: y"), None);
    }
}
