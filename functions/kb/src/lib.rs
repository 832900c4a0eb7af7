//! The `kb` function: the knowledge base (docs/kb.md). MSP staff write articles in Markdown
//! (rendered and sanitised on save: `markdown`), keep their earlier revisions, publish, unpublish
//! and pin them; clients read the published ones shown to every client or to their company, by
//! category or by search, vote on them once each, see them suggested while raising a ticket (an
//! opened suggestion that ends without a ticket counts as a deflection), and see the most useful
//! on their home page. An article's images are uploaded like attachments and served through this
//! function, from the portal's own origin.

use lambda_http::http::Method;
use lambda_http::{Body, Request, Response};
use portal::domain::ArticleId;
use portal::domain::kb::Article;
use portal::domain::roles::Capability;
use portal::web::http::Ctx;
use portal::web::principal::Principal;
use portal::web::routes::Routes;
use portal::{ApiError, App};

mod counters;
mod images;
pub mod markdown;
mod reading;
mod writing;

/// The methods each of this function's paths answers (from its OpenAPI document): 405 otherwise.
static ROUTES: std::sync::LazyLock<Routes> =
    std::sync::LazyLock::new(|| Routes::from_openapi(&<ApiDoc as utoipa::OpenApi>::openapi()));

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    portal::web::http::serve(app, &req, &ROUTES, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["kb", "articles"]) => reading::list(ctx).await,
        (&Method::POST, ["kb", "articles"]) => writing::create(ctx).await,
        (&Method::GET, ["kb", "categories"]) => reading::categories(ctx).await,
        (&Method::GET, ["kb", "suggestions"]) => reading::suggestions(ctx).await,
        (&Method::GET, ["kb", "top"]) => reading::top(ctx).await,
        (&Method::GET, ["kb", "articles", id]) => reading::detail(ctx, id).await,
        (&Method::PATCH, ["kb", "articles", id]) => writing::change(ctx, id).await,
        (&Method::PUT, ["kb", "articles", id, "status"]) => writing::set_status(ctx, id).await,
        (&Method::GET, ["kb", "articles", id, "revisions"]) => writing::revisions(ctx, id).await,
        (&Method::GET, ["kb", "articles", id, "revisions", n]) => {
            writing::revision(ctx, id, n).await
        }
        (&Method::PUT, ["kb", "articles", id, "vote"]) => counters::vote(ctx, id).await,
        (&Method::POST, ["kb", "articles", id, "deflections"]) => {
            counters::deflection(ctx, id).await
        }
        (&Method::PUT, ["kb", "articles", id, "pin"]) => counters::pin(ctx, id).await,
        (&Method::POST, ["kb", "articles", id, "images"]) => images::request(ctx, id).await,
        (&Method::POST, ["kb", "articles", id, "images", "confirm"]) => {
            images::confirm(ctx, id).await
        }
        (&Method::GET, ["kb", "images", id, file]) => images::serve(ctx, id, file).await,
        _ => Err(ApiError::NotFound),
    }
}

/// Who reads the knowledge base: anyone signed in; MSP staff read every article.
fn reader(principal: &Principal) -> Result<bool, ApiError> {
    principal.require(Capability::ReadKnowledgeBase)?;
    Ok(principal.can(Capability::ManageKnowledgeBase))
}

/// Article `id` if `principal` reads it (a draft, an internal article or one for other
/// companies is a 404 for a client, exactly as one that does not exist).
fn readable(principal: &Principal, staff: bool, a: Option<Article>) -> Result<Article, ApiError> {
    a.filter(|a| a.visible_to(&principal.company.id, staff))
        .ok_or(ApiError::NotFound)
}

fn article_id(raw: &str) -> Result<ArticleId, ApiError> {
    Ok(ArticleId::parse(raw)?)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    reading::list,
    reading::categories,
    reading::suggestions,
    reading::top,
    reading::detail,
    writing::create,
    writing::change,
    writing::set_status,
    writing::revisions,
    writing::revision,
    counters::vote,
    counters::deflection,
    counters::pin,
    images::request,
    images::confirm,
    images::serve,
))]
pub struct ApiDoc;
