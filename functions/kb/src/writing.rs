//! Writing articles (MSP staff): create a draft, change it (each change of content a new
//! revision, the earlier ones kept and readable), publish and unpublish. The Markdown is rendered
//! and sanitised here, once, so every reader gets the stored HTML.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::kb::{Article, ArticleBody, ArticleFields, ArticleStatus};
use portal::domain::roles::Capability;
use portal::domain::{ArticleId, CompanyKind, FieldError};
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::article_id;
use crate::markdown;

/// The largest article a writer sends, in bytes: 50,000 characters of Markdown, each up to four
/// bytes, with room for the JSON around it.
const MAX_ARTICLE_JSON: usize = 256 * 1024;

/// Staff only (403 otherwise).
async fn writer(ctx: &Ctx<'_>) -> Result<Principal, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageKnowledgeBase)?;
    Ok(principal)
}

/// The article a create with `Idempotency-Key` makes: the same id for the same writer and key,
/// so a retried create finds the first.
fn id_for(principal: &Principal, once: Option<&str>) -> ArticleId {
    match once {
        None => ArticleId::generate(),
        Some(key) => {
            let digest = portal::domain::sha256_hex(
                format!("kb-article:{}:{key}", principal.user.id).as_bytes(),
                16,
            );
            ArticleId::parse(&digest).unwrap_or_else(|_| ArticleId::generate())
        }
    }
}

/// The fields checked, with the named companies checked to be client companies (422 on
/// `companies` otherwise), in the one read the save needs (`id`: the article changed).
async fn checked(
    ctx: &Ctx<'_>,
    body: ArticleBody,
    id: Option<&ArticleId>,
) -> Result<(ArticleFields, Option<Article>), ApiError> {
    let fields = body.validated()?;
    let (before, found) = ctx
        .app
        .store
        .article_save_context(id, &fields.companies)
        .await?;
    let clients = found
        .iter()
        .filter(|c| c.kind == CompanyKind::Client)
        .count();
    if clients != fields.companies.len() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "companies",
            "Choose client companies from the list",
        )]));
    }
    Ok((fields, before))
}

/// Write a new article: a draft until published.
#[utoipa::path(post, path = "/api/kb/articles", tag = "knowledge base", request_body = ArticleBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "A retried create with the same key answers the article made first", max_length = 100)),
    responses(
        (status = 201, body = Article),
        (status = 200, description = "Made already by an earlier request with this Idempotency-Key", body = Article),
        (status = 400, description = "Not JSON, unknown fields, or a bad Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields, each named", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = writer(ctx).await?;
    let body: ArticleBody = ctx.json_up_to(MAX_ARTICLE_JSON)?;
    if body.version.is_some() {
        return Err(ApiError::invalid(
            "version",
            "A new article has no version yet",
        ));
    }
    let once = ctx.idempotency_key()?;
    let id = id_for(&principal, once);
    if once.is_some()
        && let Some(earlier) = ctx.app.store.get_article(&id).await?
    {
        return json(StatusCode::OK, &earlier);
    }
    let (fields, _) = checked(ctx, body, None).await?;
    let html = markdown::render(&fields.body);
    let text = markdown::plain_text(&fields.body);
    let article = Article::new(id, fields, html, &text, ctx.app.now(), &principal.user.name);
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ArticleWritten,
        Some(article.id.to_string()),
        format!("Wrote article {} (draft)", article.fields.title),
    );
    if !ctx
        .app
        .store
        .save_article(&article, None, true, &audit)
        .await?
    {
        // A concurrent create with the same key made it.
        let earlier = ctx.app.store.get_article(&article.id).await?;
        return earlier.map_or(Err(ApiError::Conflict), |a| json(StatusCode::OK, &a));
    }
    json(StatusCode::CREATED, &article)
}

/// Change an article's content: a new revision (the earlier kept), live at once if it is
/// published. `version` is the one read: a stale one is a 409 and changes nothing.
#[utoipa::path(patch, path = "/api/kb/articles/{id}", tag = "knowledge base", request_body = ArticleBody,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = Article),
        (status = 400, description = "Not JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since `version`", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad fields, each named; `version` missing", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = writer(ctx).await?;
    let id = article_id(id)?;
    let body: ArticleBody = ctx.json_up_to(MAX_ARTICLE_JSON)?;
    let Some(version) = body.version else {
        return Err(ApiError::invalid("version", "Send the version you read"));
    };
    let (fields, before) = checked(ctx, body, Some(&id)).await?;
    let before = before.ok_or(ApiError::NotFound)?;
    if before.version != version {
        return Err(ApiError::Conflict);
    }
    if fields == before.fields {
        return json(StatusCode::OK, &before);
    }
    let html = markdown::render(&fields.body);
    let text = markdown::plain_text(&fields.body);
    let article = before.rewritten(fields, html, &text, ctx.app.now(), &principal.user.name);
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::ArticleChanged,
        Some(article.id.to_string()),
        format!(
            "Changed article {} (revision {})",
            article.fields.title, article.revision
        ),
    );
    if !ctx
        .app
        .store
        .save_article(&article, Some(&before), true, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &article)
}

/// What `PUT /api/kb/articles/{id}/status` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub status: ArticleStatus,
    /// The version read.
    pub version: u64,
}

/// Publish an article (its readers see it at once) or take it back to a draft (they stop).
#[utoipa::path(put, path = "/api/kb/articles/{id}/status", tag = "knowledge base", request_body = StatusBody,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = Article),
        (status = 400, description = "Not JSON, unknown fields or an unknown status", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since `version`", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn set_status(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = writer(ctx).await?;
    let id = article_id(id)?;
    let body: StatusBody = ctx.json()?;
    let before = ctx
        .app
        .store
        .get_article(&id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if before.status == body.status {
        return json(StatusCode::OK, &before);
    }
    if before.version != body.version {
        return Err(ApiError::Conflict);
    }
    let article = before.with_status(body.status, ctx.app.now());
    let (action, done) = match body.status {
        ArticleStatus::Published => (AuditAction::ArticlePublished, "Published"),
        ArticleStatus::Draft => (AuditAction::ArticleUnpublished, "Unpublished"),
    };
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        action,
        Some(article.id.to_string()),
        format!("{done} article {}", article.fields.title),
    );
    if !ctx
        .app
        .store
        .save_article(&article, Some(&before), false, &audit)
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &article)
}

/// Every revision of an article kept, newest first (the current one among them).
#[utoipa::path(get, path = "/api/kb/articles/{id}/revisions", tag = "knowledge base",
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = Vec<portal::domain::kb::RevisionSummary>),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn revisions(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    writer(ctx).await?;
    let id = article_id(id)?;
    let all = ctx.app.store.article_revisions(&id).await?;
    if all.is_empty() {
        return Err(ApiError::NotFound);
    }
    json(StatusCode::OK, &all)
}

/// One kept revision of an article, as it was saved.
#[utoipa::path(get, path = "/api/kb/articles/{id}/revisions/{n}", tag = "knowledge base",
    params(
        ("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$"),
        ("n" = u32, Path, description = "The revision: 1, 2, …"),
    ),
    responses(
        (status = 200, body = portal::domain::kb::ArticleRevision),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn revision(ctx: &Ctx<'_>, id: &str, n: &str) -> Result<Response<Body>, ApiError> {
    writer(ctx).await?;
    let id = article_id(id)?;
    let n: u32 = n.parse().map_err(|_| ApiError::NotFound)?;
    let found = ctx.app.store.article_revision(&id, n).await?;
    json(StatusCode::OK, &found.ok_or(ApiError::NotFound)?)
}
