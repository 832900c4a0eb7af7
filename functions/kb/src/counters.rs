//! What readers do with an article, counted exactly once: "Was this helpful?" (one answer per
//! user, which they may change), deflections (a suggestion opened while raising a ticket that was
//! then not raised: once per user, article and day), and the MSP's pin. Each reads the counters
//! and writes them back only if nobody changed them meanwhile, retrying a few times under a race.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::audit::AuditAction;
use portal::domain::kb::ArticleStats;
use portal::domain::roles::Capability;
use portal::store::CounterChange;
use portal::web::http::{Ctx, json, no_content};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{article_id, readable, reader};

/// Tries of a counter change under a race before answering 409.
const TRIES: usize = 5;

/// What `PUT /api/kb/articles/{id}/vote` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// Whether the article helped.
    pub helpful: bool,
}

/// The caller's answer as counted.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteView {
    pub helpful: bool,
}

/// Answer "Was this helpful?" for an article the caller reads: counted once per user (a second
/// answer replaces the first; the same answer again changes nothing).
#[utoipa::path(put, path = "/api/kb/articles/{id}/vote", tag = "knowledge base", request_body = VoteBody,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = VoteView),
        (status = 400, description = "Not JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or one the caller does not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many answers at once; try again", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn vote(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let id = article_id(id)?;
    let body: VoteBody = ctx.json()?;
    let me = (&principal.company.id, &principal.user.id);
    for _ in 0..TRIES {
        let page = ctx
            .app
            .store
            .article_page(&id, me)
            .await?
            .ok_or(ApiError::NotFound)?;
        readable(&principal, staff, Some(page.article))?;
        if page.my_vote == Some(body.helpful) {
            return json(
                StatusCode::OK,
                &VoteView {
                    helpful: body.helpful,
                },
            );
        }
        let after = page.stats.voted(page.my_vote, body.helpful);
        let change = CounterChange::Vote {
            company: principal.company.id.clone(),
            user: principal.user.id.clone(),
            helpful: body.helpful,
        };
        if ctx
            .app
            .store
            .change_article_counters(&id, &page.stats, &after, &change, None)
            .await?
        {
            return json(
                StatusCode::OK,
                &VoteView {
                    helpful: body.helpful,
                },
            );
        }
    }
    Err(ApiError::Conflict)
}

/// A client opened this article as a suggestion while raising a ticket, and left without raising
/// it: the article answered them. Counted once per user, article and day; sent again, nothing
/// more is counted.
#[utoipa::path(post, path = "/api/kb/articles/{id}/deflections", tag = "knowledge base",
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 204, description = "Counted (or counted already today)"),
        (status = 403, description = "MSP staff (deflections are the clients')", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article, or one the caller does not read", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many at once; try again", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn deflection(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    if reader(&principal)? {
        return Err(ApiError::Forbidden);
    }
    let id = article_id(id)?;
    let day = ctx.app.now().date();
    let (company, user) = (&principal.company.id, &principal.user.id);
    for _ in 0..TRIES {
        let (article, stats, counted) = ctx
            .app
            .store
            .deflection_context(&id, company, user, day)
            .await?;
        readable(&principal, false, article)?;
        if counted {
            return no_content();
        }
        let after = ArticleStats {
            deflections: stats.deflections + 1,
            stamp: stats.stamp + 1,
            ..stats
        };
        let change = CounterChange::Deflection {
            company: company.clone(),
            user: user.clone(),
            day,
        };
        if ctx
            .app
            .store
            .change_article_counters(&id, &stats, &after, &change, None)
            .await?
        {
            return no_content();
        }
    }
    Err(ApiError::Conflict)
}

/// What `PUT /api/kb/articles/{id}/pin` takes.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinBody {
    /// Pinned articles come first on the clients' home pages.
    pub pinned: bool,
}

/// Pin an article to the top of the clients' home lists, or unpin it (MSP staff).
#[utoipa::path(put, path = "/api/kb/articles/{id}/pin", tag = "knowledge base", request_body = PinBody,
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = PinBody),
        (status = 400, description = "Not JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not MSP staff", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many changes at once; try again", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn pin(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageKnowledgeBase)?;
    let id = article_id(id)?;
    let body: PinBody = ctx.json()?;
    let me = (&principal.company.id, &principal.user.id);
    for _ in 0..TRIES {
        let page = ctx
            .app
            .store
            .article_page(&id, me)
            .await?
            .ok_or(ApiError::NotFound)?;
        if page.stats.pinned == body.pinned {
            return json(StatusCode::OK, &body);
        }
        let after = ArticleStats {
            pinned: body.pinned,
            stamp: page.stats.stamp + 1,
            ..page.stats
        };
        let audit = principal.audit(
            ctx,
            &principal.company.id,
            AuditAction::ArticlePinned,
            Some(id.to_string()),
            format!(
                "{} article {}",
                if body.pinned { "Pinned" } else { "Unpinned" },
                page.article.fields.title
            ),
        );
        if ctx
            .app
            .store
            .change_article_counters(&id, &page.stats, &after, &CounterChange::Pin, Some(&audit))
            .await?
        {
            return json(StatusCode::OK, &body);
        }
    }
    Err(ApiError::Conflict)
}
