//! Quotes (docs/quotes.md): MSP admins draft, send (taking the next gapless number), revise and
//! delete them; a client company's approvers (Full Admins, Billing Admins) list, read and download
//! them. Approving, declining and asking for a renewal: `quote_answers`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::audit::AuditAction;
use portal::domain::billing::{BillingId, Currency, iso_date, today};
use portal::domain::quotes::{
    OnApproval, Quote, QuoteBody, QuoteLineBody, QuoteStatus, QuoteTab, QuoteTotal, Refusal,
};
use portal::domain::roles::Capability;
use portal::domain::{CompanyId, CompanyKind};
use portal::store::Saved;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::Principal;
use portal::{ApiError, App};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::issuing::VersionBody;
use crate::notify;

const PAGE_SIZE: i32 = 50;

/// A quote in a list.
#[derive(Serialize, ToSchema)]
pub struct QuoteRow {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub number: Option<u64>,
    /// `Q-0007`, `Q-0007 rev 2`, or `Draft`.
    pub label: String,
    pub revision: u32,
    pub status: QuoteStatus,
    /// Sent, and past its valid-until date.
    pub expired: bool,
    pub title: String,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub totals: Vec<QuoteTotal>,
    /// `$1,299.00 one-off and $89.00 a month`.
    pub totals_text: String,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub valid_until: Date,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

impl QuoteRow {
    fn from(quote: Quote, today: Date) -> Self {
        Self {
            expired: quote.expired(today),
            label: quote.label(),
            totals_text: quote.totals_text(),
            id: quote.id,
            company_id: quote.company_id,
            company_name: quote.company_name,
            number: quote.number,
            revision: quote.revision,
            status: quote.status,
            title: quote.title,
            currency: quote.currency,
            totals: quote.totals,
            valid_until: quote.valid_until,
            updated_at: quote.updated_at,
            version: quote.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct QuoteList {
    pub items: Vec<QuoteRow>,
    pub next_cursor: Option<String>,
}

/// A quote with what its page shows beside it.
#[derive(Serialize, ToSchema)]
pub struct QuoteView {
    #[serde(flatten)]
    pub quote: Quote,
    pub label: String,
    pub expired: bool,
    pub totals_text: String,
    /// The sentence an approver ticks to approve (it names the quote and its totals).
    pub consent: String,
    /// Whether the one asking may approve or decline it now.
    pub may_answer: bool,
    /// Why it cannot be answered (not sent, approved, declined, superseded, expired), if not.
    pub refusal: Option<String>,
    /// The deposit its approval invoices, in minor units (0: none).
    pub deposit: i64,
    /// Whether clients can pay online (a deposit invoice through Stripe Checkout).
    pub online_payment: bool,
}

pub(crate) fn view(app: &App, principal: &Principal, quote: Quote) -> QuoteView {
    let today = today(app.now());
    let refusal = quote.answerable(today).err();
    QuoteView {
        label: quote.label(),
        expired: quote.expired(today),
        totals_text: quote.totals_text(),
        consent: quote.consent(),
        may_answer: refusal.is_none() && approver(principal).is_ok(),
        refusal: refusal.map(|r| r.message().to_owned()),
        deposit: quote.deposit(),
        online_payment: app.stripe.is_some(),
        quote,
    }
}

/// A client company's own approvers only (MSP staff never answer for a client).
pub(crate) fn approver(principal: &Principal) -> Result<(), ApiError> {
    principal.require(Capability::ApproveQuotes)?;
    if principal.company.kind == CompanyKind::Client {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// The company a quote request is about: an approver's own (naming another answers 404), or for
/// MSP admins the one `?company=` names. Nobody else sees quotes.
fn quote_company(ctx: &Ctx<'_>, principal: &Principal) -> Result<CompanyId, ApiError> {
    if !principal.can(Capability::ApproveQuotes) && !principal.can(Capability::ManageBilling) {
        return Err(ApiError::Forbidden);
    }
    principal.company_param(ctx.query("company"))
}

/// A quote revision the principal may see (clients never see drafts), with the principal.
pub(crate) async fn visible_quote(ctx: &Ctx<'_>, id: &str) -> Result<(Principal, Quote), ApiError> {
    let principal = ctx.principal().await?;
    let company = quote_company(ctx, &principal)?;
    let id = BillingId::parse(id)?;
    let quote = ctx
        .app
        .store
        .get_quote(&company, &id)
        .await?
        .filter(|q| q.status != QuoteStatus::Draft || principal.can(Capability::ManageBilling))
        .ok_or(ApiError::NotFound)?;
    Ok((principal, quote))
}

/// `Q-0007`, `#7` or `7` (any case); anything else is no number.
fn parse_number(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    let digits = raw
        .strip_prefix("Q-")
        .or_else(|| raw.strip_prefix("q-"))
        .or_else(|| raw.strip_prefix('#'))
        .unwrap_or(raw);
    digits.parse().ok().filter(|n| *n > 0)
}

/// A company's quotes, one tab at a time: `waiting` (sent and in date, soonest to expire first),
/// `approved`, `declined`, `expired` (newest first) or, for MSP admins, `draft`. `q` finds one
/// quote by number (its latest revision) in any tab.
#[utoipa::path(get, path = "/api/quotes", tag = "billing",
    params(
        ("tab" = Option<String>, Query, description = "`waiting` (default), `approved`, `declined`, `expired`, or `draft` (MSP admins; 403 for others)", pattern = "^(waiting|approved|declined|expired|draft)?$"),
        ("company" = Option<String>, Query, description = "MSP admins: the company (required)"),
        ("q" = Option<String>, Query, description = "A quote number: `Q-0007`, `#7` or `7` (anything else finds nothing)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = QuoteList),
        (status = 400, description = "Unknown tab or a cursor from another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role that does not see quotes (only approvers and MSP admins do)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company, or MSP admins naming none", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = quote_company(ctx, &principal)?;
    let tab = match ctx
        .choice(
            "tab",
            &["waiting", "approved", "declined", "expired", "draft"],
        )?
        .as_deref()
    {
        None | Some("waiting") => QuoteTab::Waiting,
        Some("approved") => QuoteTab::Approved,
        Some("declined") => QuoteTab::Declined,
        Some("expired") => QuoteTab::Expired,
        Some(_) => QuoteTab::Draft,
    };
    if tab == QuoteTab::Draft {
        principal.require(Capability::ManageBilling)?;
    }
    let app = ctx.app;
    let today = today(app.now());
    let name = format!("quotes#{company}#{tab:?}");
    let start = ctx.start_after(&name)?;
    if let Some(q) = ctx.query("q").filter(|q| !q.trim().is_empty()) {
        let found = match parse_number(&q) {
            Some(n) => match app.store.quote_by_number(n).await? {
                Some((c, id)) if c == company => app.store.get_quote(&c, &id).await?,
                _ => None,
            },
            None => None,
        };
        let items = found
            .into_iter()
            .map(|q| QuoteRow::from(q, today))
            .collect();
        return json(
            StatusCode::OK,
            &QuoteList {
                items,
                next_cursor: None,
            },
        );
    }
    let page = app
        .store
        .list_quotes(&company, tab, today, start, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &name);
    let items = page
        .items
        .into_iter()
        .map(|q| QuoteRow::from(q, today))
        .collect();
    json(StatusCode::OK, &QuoteList { items, next_cursor })
}

/// One revision of a quote, with the consent sentence its approvers tick.
#[utoipa::path(get, path = "/api/quotes/{id}", tag = "billing",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP admins: the quote's company")),
    responses(
        (status = 200, body = QuoteView),
        (status = 403, description = "A role that does not see quotes", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company, or a draft (clients)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn detail(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, quote) = visible_quote(ctx, id).await?;
    json(StatusCode::OK, &view(ctx.app, &principal, quote))
}

/// The quote as a PDF: a redirect to a presigned download (rendered once per version, kept in S3).
#[utoipa::path(get, path = "/api/quotes/{id}/pdf", tag = "billing",
    params(("id" = String, Path), ("company" = Option<String>, Query, description = "MSP admins: the quote's company")),
    responses(
        (status = 303, description = "`Location`: the PDF, for five minutes"),
        (status = 403, description = "A role that does not see quotes", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn pdf(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (_, quote) = visible_quote(ctx, id).await?;
    let app = ctx.app;
    let key = portal::store::keys::quote_pdf_object(&quote.company_id, &quote.id, quote.version);
    portal::web::files::stored_pdf(app, &key, &format!("{}.pdf", quote.label()), async || {
        let client = app
            .store
            .get_company(&quote.company_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        crate::pdf::render_quote(&app.branding, &quote, &client, today(app.now()))
            .map_err(ApiError::Internal)
    })
    .await
}

/// What `POST /api/quotes` takes: the draft's fields (`QuoteBody`'s, without a version) and its
/// company, written out so the document describes one object a client can send.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQuote {
    pub company_id: String,
    #[schema(schema_with = portal::domain::quotes::title_schema)]
    pub title: String,
    #[serde(default)]
    #[schema(schema_with = portal::domain::quotes::text_schema)]
    pub introduction: String,
    #[serde(default)]
    #[schema(schema_with = portal::domain::quotes::text_schema)]
    pub terms: String,
    /// `YYYY-MM-DD`, today or later.
    #[schema(format = Date)]
    pub valid_until: String,
    /// Defaults to the company's currency.
    #[schema(schema_with = portal::domain::validate::schema::currency_or_null)]
    pub currency: Option<String>,
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<QuoteLineBody>,
    /// Basis points: 825 is 8.25 %.
    #[serde(default)]
    #[schema(maximum = 10_000)]
    pub tax_rate_bp: u32,
    #[serde(default)]
    pub on_approval: OnApproval,
}

/// Draft a quote for a client company (MSP admins).
#[utoipa::path(post, path = "/api/quotes", tag = "billing", request_body = NewQuote,
    responses(
        (status = 201, body = QuoteView),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid lines, totals, dates, currency, request type or deposit", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageBilling)?;
    let new: NewQuote = ctx.json()?;
    let app = ctx.app;
    let company = CompanyId::parse(&new.company_id)?;
    let (company, settings) =
        tokio::try_join!(app.store.get_company(&company), app.store.ticket_settings())?;
    let company = company
        .filter(|c| c.kind == CompanyKind::Client)
        .ok_or(ApiError::NotFound)?;
    let now = app.now();
    let mut quote = Quote::draft(&company, &principal.user, today(now), now);
    let body = QuoteBody {
        title: new.title,
        introduction: new.introduction,
        terms: new.terms,
        valid_until: new.valid_until,
        currency: new.currency,
        lines: new.lines,
        tax_rate_bp: new.tax_rate_bp,
        on_approval: new.on_approval,
        version: None,
    };
    body.apply(
        &mut quote,
        &company.currency,
        today(now),
        &settings.request_types,
    )?;
    let audit = principal.audit(
        ctx,
        &principal.company.id,
        AuditAction::QuoteCreated,
        Some(format!("quote:{}", quote.id)),
        format!(
            "Drafted a quote for {}: {} ({})",
            quote.company_name,
            quote.title,
            quote.totals_text()
        ),
    );
    if !app.store.create_quote(&quote, &audit).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::CREATED, &view(app, &principal, quote))
}

/// A quote of the company `?company=` names, for MSP admins to change.
async fn managed_quote(ctx: &Ctx<'_>, id: &str) -> Result<(Principal, Quote), ApiError> {
    let (principal, quote) = visible_quote(ctx, id).await?;
    principal.require(Capability::ManageBilling)?;
    Ok((principal, quote))
}

fn final_quote(quote: &Quote) -> ApiError {
    ApiError::State(
        "/problems/quote-final",
        format!(
            "{} is {}: it can no longer change; draft a new quote instead",
            quote.label(),
            match quote.status {
                QuoteStatus::Approved => "approved",
                _ => "superseded by a newer revision",
            }
        ),
    )
}

/// Change a quote (MSP admins), with the `version` read: a draft is changed in place; a sent or
/// declined one becomes a new revision (same number, sent to the approvers again) and the old
/// one is superseded. Approved and superseded quotes never change.
#[utoipa::path(patch, path = "/api/quotes/{id}", tag = "billing", request_body = QuoteBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, description = "The draft, or the new revision", body = QuoteView),
        (status = 400, description = "Broken JSON or unknown fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or approved or superseded", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or no version", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, quote) = managed_quote(ctx, id).await?;
    let body: QuoteBody = ctx.json()?;
    let version = body
        .version
        .ok_or_else(|| ApiError::invalid("version", "Send the version you read"))?;
    if matches!(
        quote.status,
        QuoteStatus::Approved | QuoteStatus::Superseded
    ) {
        return Err(final_quote(&quote));
    }
    if version != quote.version {
        return Err(ApiError::Conflict);
    }
    let app = ctx.app;
    let settings = app.store.ticket_settings().await?;
    let now = app.now();
    let currency = quote.currency.clone();
    if quote.status == QuoteStatus::Draft {
        let mut draft = quote.clone();
        body.apply(&mut draft, &currency, today(now), &settings.request_types)?;
        draft.version += 1;
        draft.updated_at = now;
        let audit = quote_audit(
            ctx,
            &principal,
            AuditAction::QuoteChanged,
            &draft,
            "Changed",
        );
        return match app.store.save_quote(&draft, version, &audit).await? {
            Saved::Done => json(StatusCode::OK, &view(app, &principal, draft)),
            Saved::Stale => Err(ApiError::Conflict),
        };
    }
    let mut next = quote.next_revision(&principal.user, now);
    body.apply(&mut next, &currency, today(now), &settings.request_types)?;
    let mut old = quote.clone();
    if old.status == QuoteStatus::Sent {
        old.status = QuoteStatus::Superseded;
    }
    old.replaced_by = Some(next.id.clone());
    old.version += 1;
    old.updated_at = now;
    let audit = quote_audit(
        ctx,
        &principal,
        AuditAction::QuoteRevised,
        &next,
        "Sent a revision of",
    );
    match app.store.revise_quote(&old, version, &next, &audit).await? {
        Saved::Done => {
            notify::quote_sent(app, &next).await;
            json(StatusCode::OK, &view(app, &principal, next))
        }
        Saved::Stale => Err(ApiError::Conflict),
    }
}

/// The audit entry of an MSP admin's change to `quote`: "{verb} Q-0007 for Acme: title".
fn quote_audit(
    ctx: &Ctx<'_>,
    principal: &Principal,
    action: AuditAction,
    quote: &Quote,
    verb: &str,
) -> portal::domain::audit::AuditEntry {
    principal.audit(
        ctx,
        &principal.company.id,
        action,
        Some(format!("quote:{}", quote.id)),
        format!(
            "{verb} {} for {}: {} ({})",
            if quote.number.is_some() {
                quote.label()
            } else {
                "a draft quote".into()
            },
            quote.company_name,
            quote.title,
            quote.totals_text()
        ),
    )
}

/// Send a draft (MSP admins, with the `version` read): it takes the next quote number (gapless,
/// even when several are sent at once) and its approvers are emailed a link.
#[utoipa::path(post, path = "/api/quotes/{id}/send", tag = "billing", request_body = VersionBody,
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 200, body = QuoteView),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or not a draft", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Its valid-until date has passed", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn send(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut quote) = managed_quote(ctx, id).await?;
    let body: VersionBody = ctx.json()?;
    let app = ctx.app;
    for _ in 0..50 {
        if quote.status != QuoteStatus::Draft {
            return Err(ApiError::State(
                "/problems/quote-sent",
                format!("{} was sent already", quote.label()),
            ));
        }
        if quote.version != body.version {
            return Err(ApiError::Conflict);
        }
        let now = app.now();
        if quote.valid_until < today(now) {
            return Err(ApiError::invalid(
                "valid_until",
                "Its valid-until date has passed: change it before sending",
            ));
        }
        let last = app.store.last_quote_number().await?;
        let mut sent = quote.clone();
        sent.number = Some(last + 1);
        sent.status = QuoteStatus::Sent;
        sent.version += 1;
        sent.updated_at = now;
        let audit = quote_audit(ctx, &principal, AuditAction::QuoteSent, &sent, "Sent");
        match app
            .store
            .send_quote(&sent, last, quote.version, &audit)
            .await?
        {
            Saved::Done => {
                notify::quote_sent(app, &sent).await;
                return json(StatusCode::OK, &view(app, &principal, sent));
            }
            // Another quote took the number, or this one changed: read it again.
            Saved::Stale => {
                quote = app
                    .store
                    .get_quote(&quote.company_id, &quote.id)
                    .await?
                    .ok_or(ApiError::NotFound)?;
            }
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!(
        "could not take a quote number after 50 tries"
    )))
}

/// Delete a draft (MSP admins). Sent quotes are revised or left to expire, never deleted.
#[utoipa::path(delete, path = "/api/quotes/{id}", tag = "billing",
    params(("id" = String, Path), ("company" = String, Query)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such quote of the company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a draft, or changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, quote) = managed_quote(ctx, id).await?;
    if quote.status != QuoteStatus::Draft {
        return Err(ApiError::State(
            "/problems/quote-sent",
            format!(
                "{} was sent: revise it instead of deleting it",
                quote.label()
            ),
        ));
    }
    let audit = quote_audit(
        ctx,
        &principal,
        AuditAction::QuoteDeleted,
        &quote,
        "Deleted",
    );
    match ctx
        .app
        .store
        .delete_quote(&quote, quote.version, &audit)
        .await?
    {
        Saved::Done => no_content(),
        Saved::Stale => Err(ApiError::Conflict),
    }
}

/// Why `quote` cannot be answered on `today`, as a 409 with the refusal's problem type.
pub(crate) fn refused(quote: &Quote, today: Date) -> Option<ApiError> {
    quote
        .answerable(today)
        .err()
        .map(|r: Refusal| ApiError::State(r.problem(), r.message().to_owned()))
}
