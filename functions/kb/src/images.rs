//! An article's images: uploaded by MSP staff straight to S3 like attachments (ask, post the file,
//! confirm), then served through this function from the portal's own origin, so the site's CSP
//! stays `img-src 'self'` and a reader sees an image only if they read its article.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::aws::upload::PresignedPost;
use portal::domain::roles::Capability;
use portal::domain::{ArticleId, FieldError, UserId};
use portal::store::keys;
use portal::web::http::{Ctx, json};
use portal::web::uploads::{
    bad_token, check_announced, confirm_by, grant_upload, new_file_id, opened_grant, receive,
    still_valid,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::markdown::IMAGE_PATH;
use crate::{article_id, readable, reader};

const TOKEN_PURPOSE: &str = "kb-image";
/// The largest image, in MB.
pub const MAX_IMAGE_MB: u32 = 5;
/// The images an article may show, by extension, with the type they are served as (no SVG: it
/// can carry script).
const IMAGE_TYPES: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
];

fn image_type(ext: &str) -> Option<&'static str> {
    IMAGE_TYPES
        .iter()
        .find(|(e, _)| e.eq_ignore_ascii_case(ext))
        .map(|(_, t)| *t)
}

/// What `POST /api/kb/articles/{id}/images` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageUpload {
    pub file_name: String,
    #[serde(default)]
    pub content_type: String,
    /// Bytes: at least 1, at most 5 MB.
    pub size: u64,
}

/// Where and how to upload the image: post `upload.fields` then the file (the last field,
/// `file`) to `upload.url`, then confirm with `token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageGrant {
    pub upload: PresignedPost,
    pub token: String,
    /// Where the image will be served, for the article's Markdown.
    pub path: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    article_id: ArticleId,
    file: String,
    content_type: String,
    size: u64,
    user_id: UserId,
    expires: i64,
}

/// Ask to upload an image for an article (MSP staff).
#[utoipa::path(post, path = "/api/kb/articles/{id}/images", tag = "knowledge base", request_body = ImageUpload,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 201, body = ImageGrant),
        (status = 400, description = "Not JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a PNG, JPEG, GIF or WebP image, or over 5 MB", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn request(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageKnowledgeBase)?;
    let id = article_id(id)?;
    let body: ImageUpload = ctx.json()?;
    let announced = check_announced(&body.file_name, &body.content_type, body.size, MAX_IMAGE_MB)?;
    let ext = announced
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| image_type(e) == Some(announced.content_type.as_str()))
        .ok_or_else(|| {
            ApiError::Validation(vec![FieldError::new(
                "file_name",
                "Choose a PNG, JPEG, GIF or WebP image",
            )])
        })?;
    ctx.app
        .store
        .get_article(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let grant = Grant {
        file: format!("{}.{ext}", new_file_id()),
        article_id: id,
        content_type: announced.content_type,
        size: body.size,
        user_id: principal.user.id.clone(),
        expires: confirm_by(ctx.app.now()),
    };
    let key = keys::article_image_object(&grant.article_id, &grant.file);
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
        &ImageGrant {
            upload,
            token,
            path: format!("{IMAGE_PATH}{}/{}", grant.article_id, grant.file),
        },
    )
}

/// What `POST /api/kb/articles/{id}/images/confirm` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmImage {
    pub token: String,
}

/// A confirmed image.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    pub path: String,
}

/// Confirm an image's upload: served from `path` once S3 holds the file granted. Confirming
/// twice answers the same.
#[utoipa::path(post, path = "/api/kb/articles/{id}/images/confirm", tag = "knowledge base", request_body = ConfirmImage,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = ImageView),
        (status = 400, description = "Not a token for this article or caller, or expired", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The upload never arrived, or differs from what was granted", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn confirm(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageKnowledgeBase)?;
    let id = article_id(id)?;
    let body: ConfirmImage = ctx.json()?;
    let grant: Grant = opened_grant(ctx.app, TOKEN_PURPOSE, &body.token)?;
    if grant.user_id != principal.user.id
        || grant.article_id != id
        || !still_valid(ctx.app, grant.expires)
    {
        return Err(bad_token());
    }
    let key = keys::article_image_object(&id, &grant.file);
    let path = format!("{IMAGE_PATH}{id}/{}", grant.file);
    if ctx.app.files.arrived(&key).await?.is_none() {
        receive(ctx.app, &key, grant.size, &grant.content_type).await?;
    }
    json(StatusCode::OK, &ImageView { path })
}

/// An article's image, for those who read the article (from the portal's origin; cached by the
/// browser: an image's path never changes what it holds).
#[utoipa::path(get, path = "/api/kb/images/{id}/{file}", tag = "knowledge base",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("file" = String, Path, description = "The image's file: its id and extension", pattern = "^[0-9a-f]{32}\\.(png|jpg|jpeg|gif|webp)$"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "image/*"),
        (status = 404, description = "No such image, or one of an article the caller does not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn serve(ctx: &Ctx<'_>, id: &str, file: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let id = article_id(id)?;
    let content_type = file
        .split_once('.')
        .filter(|(name, _)| portal::web::uploads::is_file_id(name))
        .and_then(|(_, ext)| image_type(ext))
        .ok_or(ApiError::NotFound)?;
    readable(&principal, staff, ctx.app.store.get_article(&id).await?)?;
    let bytes = ctx
        .app
        .files
        .get(&keys::article_image_object(&id, file))
        .await?
        .ok_or(ApiError::NotFound)?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CACHE_CONTROL, "private, max-age=86400, immutable")
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(Body::Binary(bytes))
        .map_err(|e| ApiError::Internal(e.into()))
}
