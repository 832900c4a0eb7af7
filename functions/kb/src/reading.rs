//! Reading the knowledge base: the lists by category, search, the categories, an article's page,
//! the suggestions for a ticket's summary and the most useful for the home page. A client reads
//! the published articles shown to every client or to their company by name; MSP staff read
//! every article. Nothing else is listed, found, suggested or served (404).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::kb::{
    self, ArticleCard, ArticleEntry, ArticleStats, ArticleStatus, ArticleVisibility,
};
use portal::domain::{CompanyId, UserId};
use portal::store::ArticleList;
use portal::web::http::{Ctx, json};
use portal::web::principal::Principal;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{article_id, readable, reader};

const PAGE_SIZE: i32 = 50;
/// Word entries read per searched word (a search shows the matches among them).
const SEARCH_READ: i32 = 100;
/// Most results a search shows.
const SEARCH_SHOWN: usize = 50;
/// Words of a search looked up (the longest: the most telling).
const SEARCHED_WORDS: usize = 3;
/// Suggestions for a ticket's summary.
const SUGGESTIONS: usize = 3;
/// Words of a summary looked up for suggestions (the longest: the most telling).
const SUGGESTION_WORDS: usize = 3;
/// The home page's list.
const TOP: usize = 5;

/// An article in a list; MSP staff also see what readers did with it.
#[derive(Serialize, ToSchema)]
pub struct ArticleItem {
    #[serde(flatten)]
    pub card: ArticleCard,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<ArticleStats>,
}

/// One page of articles.
#[derive(Serialize, ToSchema)]
pub struct ArticlePage {
    pub items: Vec<ArticleItem>,
    /// `null` on the last page (and for a search, which shows its best matches on one page).
    pub next_cursor: Option<String>,
}

fn items(cards: impl IntoIterator<Item = ArticleCard>) -> Vec<ArticleItem> {
    cards
        .into_iter()
        .map(|card| ArticleItem { card, stats: None })
        .collect()
}

/// The articles the caller reads, by category and title: one category or all, or those whose
/// words start with every word of `q`.
#[utoipa::path(get, path = "/api/kb/articles", tag = "knowledge base",
    params(
        ("category" = Option<String>, Query, description = "One category (any case)", max_length = 60),
        ("q" = Option<String>, Query, description = "Words that must each start a word of the article's title, tags or most telling body words (the three longest are looked up)", max_length = 100),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor`"),
    ),
    responses(
        (status = 200, body = ArticlePage),
        (status = 400, description = "A filter too long, or a cursor of another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let category = ctx.query_text("category", kb::MAX_CATEGORY)?;
    if let Some(q) = ctx.query_text("q", 100)? {
        let found = search(ctx, &principal, staff, &q).await?;
        return json(
            StatusCode::OK,
            &ArticlePage {
                items: items(found),
                next_cursor: None,
            },
        );
    }
    let list = match staff {
        true => format!("KB#S#{category:?}"),
        false => format!("KB#C#{}#{category:?}", principal.company.id),
    };
    let start = ctx.start_after(&list)?;
    let store = &ctx.app.store;
    let (items, next_cursor) = if staff {
        let page = store
            .list_articles(ArticleList::Staff, category.as_deref(), start, PAGE_SIZE)
            .await?;
        let next = ctx.next_cursor(&page, &list);
        let rows = page.items.into_iter().map(|r| ArticleItem {
            card: r.card,
            stats: Some(r.stats),
        });
        (rows.collect(), next)
    } else {
        let page = store
            .client_article_page(&principal.company.id, category.as_deref(), start, PAGE_SIZE)
            .await?;
        let next = ctx.next_cursor(&page, &list);
        (items(page.items), next)
    };
    json(StatusCode::OK, &ArticlePage { items, next_cursor })
}

/// The entries that could match `words` for this reader: the index's for the longest word, and
/// for a client the articles shown to their company by name.
async fn candidates(
    ctx: &Ctx<'_>,
    principal: &Principal,
    staff: bool,
    words: &[String],
) -> Result<Vec<ArticleEntry>, ApiError> {
    let store = &ctx.app.store;
    let list = if staff {
        ArticleList::Staff
    } else {
        ArticleList::Clients
    };
    let mut found = Vec::new();
    for word in words {
        found.extend(store.search_articles(list, word, SEARCH_READ).await?);
    }
    if !staff {
        found.extend(store.company_articles(&principal.company.id).await?);
    }
    // An article may come once per word it has that starts like the searched one.
    let mut seen = std::collections::HashSet::new();
    found.retain(|e| seen.insert(e.card.id.clone()));
    Ok(found)
}

/// The articles whose words start with every word of `q` (its three most telling), by title.
/// Each word is looked up, so a rare word finds its article even beside a common one.
async fn search(
    ctx: &Ctx<'_>,
    principal: &Principal,
    staff: bool,
    q: &str,
) -> Result<Vec<ArticleCard>, ApiError> {
    let words = kb::searched_words(q, SEARCHED_WORDS);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut found: Vec<ArticleCard> = candidates(ctx, principal, staff, &words)
        .await?
        .into_iter()
        .filter(|e| kb::matches_all(&words, &e.words))
        .map(|e| e.card)
        .collect();
    found.sort_by_key(|c| c.title.to_lowercase());
    found.truncate(SEARCH_SHOWN);
    Ok(found)
}

/// A category and how many articles the caller reads in it.
#[derive(Serialize, ToSchema)]
pub struct CategoryView {
    pub name: String,
    pub articles: u64,
}

/// The categories holding articles the caller reads, by name.
#[utoipa::path(get, path = "/api/kb/categories", tag = "knowledge base",
    responses((status = 200, body = Vec<CategoryView>)))]
pub(crate) async fn categories(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let store = &ctx.app.store;
    let mut all: Vec<CategoryView> = Vec::new();
    for c in store.article_categories().await? {
        let n = if staff { c.staff } else { c.clients };
        if let Ok(articles @ 1..) = u64::try_from(n) {
            all.push(CategoryView {
                name: c.name,
                articles,
            });
        }
    }
    if !staff {
        for e in store.company_articles(&principal.company.id).await? {
            let key = e.card.category.to_lowercase();
            match all.iter_mut().find(|c| c.name.to_lowercase() == key) {
                Some(c) => c.articles += 1,
                None => all.push(CategoryView {
                    name: e.card.category,
                    articles: 1,
                }),
            }
        }
    }
    all.sort_by_key(|c| c.name.to_lowercase());
    json(StatusCode::OK, &all)
}

/// Up to three articles for what a ticket's summary says: those matching most of its (up to
/// three most telling) words first.
#[utoipa::path(get, path = "/api/kb/suggestions", tag = "knowledge base",
    params(("q" = Option<String>, Query, description = "The summary typed so far (none: no suggestions)", max_length = 200)),
    responses(
        (status = 200, body = Vec<ArticleCard>),
        (status = 400, description = "`q` too long", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn suggestions(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let q = ctx.query_text("q", 200)?.unwrap_or_default();
    let words = kb::searched_words(&q, SUGGESTION_WORDS);
    if words.is_empty() {
        return json(StatusCode::OK, &Vec::<ArticleCard>::new());
    }
    let mut ranked: Vec<(usize, ArticleCard)> = candidates(ctx, &principal, staff, &words)
        .await?
        .into_iter()
        .filter(|e| !staff || e.card.status == ArticleStatus::Published)
        .map(|e| (kb::matching(&words, &e.words), e.card))
        .filter(|(n, _)| *n > 0)
        .collect();
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.title.to_lowercase().cmp(&b.1.title.to_lowercase()))
    });
    let shown: Vec<ArticleCard> = ranked
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, c)| c)
        .collect();
    json(StatusCode::OK, &shown)
}

/// The five most useful articles for the caller's company: those the MSP pinned, then by yes
/// votes and deflections less no votes.
#[utoipa::path(get, path = "/api/kb/top", tag = "knowledge base",
    responses((status = 200, body = Vec<ArticleCard>)))]
pub(crate) async fn top(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let store = &ctx.app.store;
    let mut rows = store.top_articles(TOP as i32).await?;
    if !staff {
        let named: Vec<_> = store
            .company_articles(&principal.company.id)
            .await?
            .into_iter()
            .map(|e| e.card.id)
            .collect();
        rows.extend(store.article_rows(&named).await?);
    }
    rows.sort_by_key(|r| std::cmp::Reverse((r.stats.pinned, r.stats.score())));
    let shown: Vec<ArticleCard> = rows.into_iter().take(TOP).map(|r| r.card).collect();
    json(StatusCode::OK, &shown)
}

/// An article as its page shows it.
#[derive(Serialize, ToSchema)]
pub struct ArticleView {
    #[serde(flatten)]
    pub card: ArticleCard,
    /// The article, rendered and sanitised when it was saved.
    pub html: String,
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<time::OffsetDateTime>,
    /// The caller's "Was this helpful?" answer, if they gave one.
    pub my_vote: Option<bool>,
    /// MSP staff only: what the editor needs and what readers did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<StaffDetails>,
}

/// What MSP staff see of an article beyond its page.
#[derive(Serialize, ToSchema)]
pub struct StaffDetails {
    /// The Markdown as written.
    pub body: String,
    #[schema(value_type = Vec<String>)]
    pub companies: Vec<CompanyId>,
    pub version: u64,
    pub revision: u32,
    pub updated_by: String,
    pub stats: ArticleStats,
}

/// An article the caller reads, with their vote.
#[utoipa::path(get, path = "/api/kb/articles/{id}", tag = "knowledge base",
    params(("id" = String, Path, pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses(
        (status = 200, body = ArticleView),
        (status = 404, description = "No such article, or one the caller does not read (a draft, internal, or for other companies)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = reader(&principal)?;
    let id = article_id(id)?;
    let me: (&CompanyId, &UserId) = (&principal.company.id, &principal.user.id);
    let Some(page) = ctx.app.store.article_page(&id, me).await? else {
        return Err(ApiError::NotFound);
    };
    let a = readable(&principal, staff, Some(page.article))?;
    let staff_details = staff.then(|| StaffDetails {
        body: a.fields.body.clone(),
        companies: match a.fields.visibility {
            ArticleVisibility::Companies => a.fields.companies.clone(),
            _ => Vec::new(),
        },
        version: a.version,
        revision: a.revision,
        updated_by: a.updated_by.clone(),
        stats: page.stats,
    });
    json(
        StatusCode::OK,
        &ArticleView {
            card: a.card(),
            html: a.html,
            published_at: a.published_at,
            my_vote: page.my_vote,
            staff: staff_details,
        },
    )
}
