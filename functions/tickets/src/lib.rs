//! Routes of the `tickets` function: raising tickets, reading one with its conversation, adding
//! notes, and the MSP's ticket settings. Lists, status changes, attachments and emails follow
//! (docs/tickets.md).

use lambda_http::http::{Method, StatusCode};
use lambda_http::{Body, Request, Response};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::roles::Capability;
use portal::domain::tickets::{
    Attachment, NewTicketBody, Note, NoteBody, Ticket, TicketSettings, TicketStatus, parse_number,
};
use portal::domain::tickets::{Priority, Search, TicketChange, TicketRow};
use portal::domain::{CompanyId, UserId, UserStatus, random_hex};
use portal::store::Item;
use portal::store::keys::{self, TicketOrder};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, serve};
use portal::web::principal::Principal;

mod attachments;
mod csv;
mod notify;
use portal::{ApiError, App};
use serde::Serialize;
use utoipa::ToSchema;

pub async fn handle(app: &App, req: Request) -> Response<Body> {
    serve(app, &req, route).await
}

async fn route(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    match (ctx.method(), ctx.segments().as_slice()) {
        (&Method::GET, ["tickets", "settings"]) => get_settings(ctx).await,
        (&Method::PUT, ["tickets", "settings"]) => put_settings(ctx).await,
        (_, ["tickets", "settings"]) => Err(ApiError::MethodNotAllowed),
        (&Method::GET, ["tickets", "stats"]) => stats(ctx).await,
        (&Method::GET, ["tickets", "export"]) => export(ctx).await,
        (&Method::GET, ["tickets", "people"]) => people(ctx).await,
        (_, ["tickets", "stats" | "export" | "people"]) => Err(ApiError::MethodNotAllowed),
        (&Method::POST, ["tickets"]) => create(ctx).await,
        (&Method::GET, ["tickets"]) => list(ctx).await,
        (&Method::GET, ["tickets", number]) => detail(ctx, number).await,
        (&Method::PATCH, ["tickets", number]) => change(ctx, number).await,
        (&Method::POST, ["tickets", number, "notes"]) => add_note(ctx, number).await,
        (&Method::POST, ["tickets", number, "uploads"]) => {
            attachments::request_upload(ctx, number).await
        }
        (&Method::POST, ["tickets", number, "attachments"]) => {
            attachments::confirm_upload(ctx, number).await
        }
        (&Method::GET, ["tickets", number, "attachments", id]) => {
            attachments::download(ctx, number, id).await
        }
        (
            _,
            ["tickets"]
            | ["tickets", _]
            | ["tickets", _, "notes" | "uploads" | "attachments"]
            | ["tickets", _, "attachments", _],
        ) => Err(ApiError::MethodNotAllowed),
        _ => Err(ApiError::NotFound),
    }
}

/// One page of tickets.
#[derive(Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketRow>,
    /// Pass as `?cursor=` (with the same filters) for the next page; absent on the last page. A
    /// filtered page may hold fewer than 50 rows and still have a next page.
    pub next_cursor: Option<String>,
}

/// A query parameter that must be one of a few words; anything else is a 400 naming them.
fn choice(ctx: &Ctx<'_>, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
    match ctx.query(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
        Some(v) => Err(ApiError::BadRequest(format!(
            "{name}={v} is not one of: {}",
            allowed.join(", ")
        ))),
    }
}

/// A query parameter holding an enum value (`status`, `priority`); 400 if it is not one.
fn enum_param<T: serde::de::DeserializeOwned>(
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    ctx.query(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.clone()))
                .map_err(|_| ApiError::BadRequest(format!("{name}={v} is not a known {name}")))
        })
        .transpose()
}

/// Which tickets a list (or export) asks for, once who may see what is settled.
struct Listing {
    open: bool,
    /// How the tab is sorted (a search sorts what it found the same way).
    order: TicketOrder,
    ascending: bool,
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    /// The plain list (a search reads the word index instead).
    list: keys::TicketList,
    /// One company, or `None` for the MSP's queue across companies.
    company: Option<CompanyId>,
    /// One contact's tickets (a filter, or all an own-only role may see).
    contact: Option<UserId>,
    /// MSP staff: one technician's tickets, or (`Some(None)`) unassigned ones.
    assignee: Option<Option<UserId>>,
    search: Option<Search>,
}

/// Most tickets one CSV export holds.
pub const MAX_EXPORT_ROWS: usize = 5_000;

impl Listing {
    fn parse(ctx: &Ctx<'_>, principal: &Principal) -> Result<Self, ApiError> {
        let open = choice(ctx, "tab", &["open", "closed"])?.is_none_or(|t| t == "open");
        let order = match choice(ctx, "sort", &["number", "updated"])?.as_deref() {
            Some("updated") => TicketOrder::Updated,
            _ => TicketOrder::Number,
        };
        let ascending = choice(ctx, "order", &["asc", "desc"])?.is_some_and(|o| o == "asc");
        let status: Option<TicketStatus> = enum_param(ctx, "status")?;
        let priority: Option<Priority> = enum_param(ctx, "priority")?;
        let search = Search::parse(&ctx.query("q").unwrap_or_default())?;
        let user = |raw: String| {
            UserId::parse(&raw).map_err(|_| ApiError::BadRequest(format!("{raw} is not a user id")))
        };
        let contact = ctx
            .query("contact")
            .filter(|c| !c.is_empty())
            .map(user)
            .transpose()?;
        let staff = principal.can(Capability::AllCompanies);
        let company = ctx
            .query("company")
            .filter(|c| !c.is_empty())
            .map(|c| principal.scope(&c))
            .transpose()?;
        let mut listing = Self {
            open,
            order,
            ascending,
            status,
            priority,
            list: keys::TicketList::Queue { open, order },
            company: None,
            contact: None,
            assignee: None,
            search,
        };
        if staff && company.is_none() {
            listing.assignee = match ctx.query("assignee").filter(|a| !a.is_empty()) {
                Some(a) if a == "none" => Some(None),
                Some(a) => Some(Some(user(a)?)),
                None => None,
            };
            if let Some(assignee) = &listing.assignee {
                listing.list = keys::TicketList::Assignee {
                    assignee: assignee.clone(),
                    open,
                };
            }
            return Ok(listing);
        }
        let company = company.unwrap_or_else(|| principal.company.id.clone());
        listing.contact = match principal.ticket_contact_scope()? {
            None => contact,
            Some(me) => Some(me.clone()),
        };
        listing.list = match &listing.contact {
            Some(contact) => keys::TicketList::Contact {
                company: company.clone(),
                contact: contact.clone(),
                open,
                order,
            },
            None => keys::TicketList::Company {
                company: company.clone(),
                open,
                order,
            },
        };
        listing.company = Some(company);
        Ok(listing)
    }

    /// Whether this listing may show `ticket` at all (company and contact).
    fn may_show(&self, ticket: &Ticket) -> bool {
        self.company
            .as_ref()
            .is_none_or(|c| *c == ticket.company_id)
            && self
                .contact
                .as_ref()
                .is_none_or(|c| *c == ticket.contact_id)
    }

    /// Whether a ticket a search found belongs in this listing's tab and filters.
    fn admits(&self, ticket: &Ticket) -> bool {
        self.may_show(ticket)
            && ticket.status.is_open() == self.open
            && self.status.is_none_or(|s| s == ticket.status)
            && self.priority.is_none_or(|p| p == ticket.priority)
            && self
                .assignee
                .as_ref()
                .is_none_or(|a| *a == ticket.assignee_id)
    }

    /// The list a cursor belongs to.
    fn name(&self) -> String {
        match &self.search {
            Some(Search::Words(words)) => format!(
                "search#{}#{}",
                self.company.as_ref().map_or("*", |c| c.as_str()),
                search_word(words)
            ),
            _ => self.list.name(),
        }
    }

    /// One page: at most `limit` items read, in one Query (a word search adds one BatchGetItem; a
    /// number search is one or two GetItems and ignores the tab, as a "go to #1042" should).
    async fn page(
        &self,
        ctx: &Ctx<'_>,
        start: Option<Item>,
        limit: i32,
    ) -> Result<(Vec<Ticket>, Option<Item>), ApiError> {
        let store = &ctx.app.store;
        match &self.search {
            None => {
                let page = store
                    .list_tickets(
                        &self.list,
                        self.ascending,
                        self.status,
                        self.priority,
                        start,
                        limit,
                    )
                    .await?;
                Ok((page.items, page.last_key))
            }
            Some(Search::Number(number)) => {
                let company = match &self.company {
                    Some(c) => Some(c.clone()),
                    None => store.ticket_company(*number).await?,
                };
                let ticket = match company {
                    Some(c) => store.get_ticket(&c, *number).await?,
                    None => None,
                };
                Ok((
                    ticket.filter(|t| self.may_show(t)).into_iter().collect(),
                    None,
                ))
            }
            Some(Search::Words(words)) => {
                let hits = store
                    .search_words(self.company.as_ref(), search_word(words), start, limit)
                    .await?;
                let mut tickets: Vec<Ticket> = store
                    .get_tickets(&hits.items)
                    .await?
                    .into_iter()
                    .filter(|t| self.admits(t) && Search::matches(words, &t.summary))
                    .collect();
                tickets.sort_by(|a, b| {
                    let order = if self.order == TicketOrder::Updated {
                        (a.updated_at, a.number).cmp(&(b.updated_at, b.number))
                    } else {
                        a.number.cmp(&b.number)
                    };
                    if self.ascending {
                        order
                    } else {
                        order.reverse()
                    }
                });
                Ok((tickets, hits.last_key))
            }
        }
    }
}

/// The word a search looks up in the index: its longest (most selective); the others are checked
/// on the tickets found.
fn search_word(words: &[String]) -> &str {
    words
        .iter()
        .max_by_key(|w| w.chars().count())
        .map_or("", String::as_str)
}

/// Tickets, one tab at a time, or a search. Clients see their company's tickets or, for roles
/// that see only their own, their own; MSP staff see the queue across companies, or one
/// company's, or one technician's (`assignee`, or `none` for unassigned; sorted by last update).
#[utoipa::path(get, path = "/api/tickets", tag = "tickets",
    params(
        ("tab" = Option<String>, Query, description = "`open` (default) or `closed`"),
        ("sort" = Option<String>, Query, description = "`number` (= submitted, default) or `updated`"),
        ("order" = Option<String>, Query, description = "`desc` (default) or `asc`"),
        ("status" = Option<TicketStatus>, Query),
        ("priority" = Option<Priority>, Query),
        ("contact" = Option<String>, Query, description = "A contact's user id (roles that see the company's tickets)"),
        ("company" = Option<String>, Query, description = "MSP staff: one company"),
        ("assignee" = Option<String>, Query, description = "MSP staff: a technician's user id, or `none`"),
        ("q" = Option<String>, Query, description = "A ticket number (`1042` or `#1042`, any tab) or words: tickets whose summary has a word starting with each"),
        ("cursor" = Option<String>, Query),
    ),
    responses(
        (status = 200, body = TicketList),
        (status = 400, description = "Unknown filter value or a cursor from another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A search with no usable word", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let listing = Listing::parse(ctx, &principal)?;
    let name = listing.name();
    let start = ctx.start_after(&name)?;
    let (tickets, last) = listing.page(ctx, start, PAGE_SIZE).await?;
    json(
        StatusCode::OK,
        &TicketList {
            items: tickets.into_iter().map(TicketRow::from).collect(),
            next_cursor: ctx.app.cursors.encode(last.as_ref(), &name),
        },
    )
}

/// The list with the same parameters as `GET /api/tickets` (without `cursor`), every page of it up
/// to 5,000 tickets, as CSV. Cells a spreadsheet would run as a formula are neutralised.
#[utoipa::path(get, path = "/api/tickets/export", tag = "tickets",
    params(
        ("tab" = Option<String>, Query), ("sort" = Option<String>, Query),
        ("order" = Option<String>, Query), ("status" = Option<TicketStatus>, Query),
        ("priority" = Option<Priority>, Query), ("contact" = Option<String>, Query),
        ("company" = Option<String>, Query), ("assignee" = Option<String>, Query),
        ("q" = Option<String>, Query),
    ),
    responses(
        (status = 200, description = "`text/csv`, as a download", content_type = "text/csv", body = String),
        (status = 400, description = "Unknown filter value", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn export(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let listing = Listing::parse(ctx, &principal)?;
    let mut tickets = Vec::new();
    let mut start = None;
    loop {
        let (page, last) = listing.page(ctx, start, 200).await?;
        tickets.extend(page);
        match last {
            Some(last) if tickets.len() < MAX_EXPORT_ROWS => start = Some(last),
            _ => break,
        }
    }
    tickets.truncate(MAX_EXPORT_ROWS);
    let staff = principal.can(Capability::AllCompanies);
    let body = csv::tickets(&tickets, staff);
    let file = format!(
        "tickets-{}-{}.csv",
        if listing.open { "open" } else { "closed" },
        ctx.app.now().date()
    );
    portal::web::csv::download(&file, body)
}

/// Someone a ticket can name: a contact or a technician.
#[derive(Serialize, ToSchema)]
pub struct Person {
    pub id: UserId,
    pub name: String,
}

/// Most people a picker lists.
const MAX_PEOPLE: usize = 1_000;

/// The active users of a company, by name, for the pickers of the ticket pages: a client's
/// colleagues (contact filter, raising on behalf), or, for MSP staff, a client's contacts
/// (`company`) or the MSP's own technicians (no `company`). Roles that see only their own tickets
/// and cannot raise for others get 403.
#[utoipa::path(get, path = "/api/tickets/people", tag = "tickets",
    params(("company" = Option<String>, Query, description = "MSP staff: a client company (default: the MSP's technicians)")),
    responses(
        (status = 200, body = Vec<Person>),
        (status = 403, description = "Sees only their own tickets", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn people(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = principal.can(Capability::AllCompanies);
    if !staff
        && !principal.can(Capability::ViewCompanyTickets)
        && !principal.can(Capability::SubmitOnBehalf)
    {
        return Err(ApiError::Forbidden);
    }
    let company = match ctx.query("company").filter(|c| !c.is_empty()) {
        Some(c) => principal.scope(&c)?,
        None => principal.company.id.clone(),
    };
    let mut people = Vec::new();
    let mut start = None;
    loop {
        let page = ctx.app.store.list_users(&company, start, 100).await?;
        people.extend(
            page.items
                .into_iter()
                .filter(|u| u.status == UserStatus::Active)
                .map(|u| Person {
                    id: u.id,
                    name: u.name,
                }),
        );
        match page.last_key {
            Some(last) if people.len() < MAX_PEOPLE => start = Some(last),
            _ => break,
        }
    }
    people.sort_by_cached_key(|p| p.name.to_lowercase());
    json(StatusCode::OK, &people)
}

/// Ticket counts for the home page, maintained on every write (never counted by reading tickets).
#[derive(Serialize, ToSchema)]
pub struct TicketStats {
    pub open: i64,
    pub this_month: i64,
    pub this_year: i64,
    /// The last 12 months, oldest first (`yyyy-mm`), every month present.
    pub months: Vec<MonthCount>,
}

#[derive(Serialize, ToSchema)]
pub struct MonthCount {
    pub month: String,
    pub created: i64,
}

/// The last `n` months up to and including `today`'s, oldest first, as `yyyy-mm`.
fn last_months(today: time::Date, n: i32) -> Vec<String> {
    let index = today.year() * 12 + i32::from(u8::from(today.month())) - 1;
    (index - n + 1..=index)
        .map(|i| format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1))
        .collect()
}

/// Open tickets, tickets this month and year, and the last 12 months: the company's for roles that
/// see its tickets, one's own for the others; MSP staff name a `company`.
#[utoipa::path(get, path = "/api/tickets/stats", tag = "tickets",
    params(("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses(
        (status = 200, body = TicketStats),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "MSP staff without a company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn stats(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let staff = principal.can(Capability::AllCompanies);
    let company = match ctx.query("company").filter(|c| !c.is_empty()) {
        Some(c) => principal.scope(&c)?,
        None if staff => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "company",
                "Choose a company",
            )]));
        }
        None => principal.company.id.clone(),
    };
    let contact = principal.ticket_contact_scope()?;
    let today = ctx.app.now().date();
    let months = last_months(today, 12);
    let (open, counted) = ctx
        .app
        .store
        .ticket_stats_since(&company, contact, &months[0])
        .await?;
    let count = |m: &str| {
        counted
            .iter()
            .find(|(month, _)| month == m)
            .map_or(0, |(_, n)| *n)
    };
    let year = format!("{:04}-", today.year());
    let months: Vec<MonthCount> = months
        .iter()
        .map(|m| MonthCount {
            month: m.clone(),
            created: count(m),
        })
        .collect();
    json(
        StatusCode::OK,
        &TicketStats {
            open,
            this_month: months.last().map_or(0, |m| m.created),
            this_year: months
                .iter()
                .filter(|m| m.month.starts_with(&year))
                .map(|m| m.created)
                .sum(),
            months,
        },
    )
}

/// Rows per page of a ticket list.
pub const PAGE_SIZE: i32 = 50;

/// A ticket with its conversation (and, for MSP staff, internal notes), oldest first.
#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    /// Confirmed files, oldest first (internal ones for MSP staff only).
    pub attachments: Vec<Attachment>,
}

/// The ticket `number` as the principal may see it: another company's ticket, or a colleague's for
/// someone who sees only their own, is 404 exactly as a number that does not exist.
async fn visible_ticket(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: &str,
) -> Result<TicketDetail, ApiError> {
    let number = parse_number(number)?;
    let staff = principal.can(Capability::AllCompanies);
    let company = if staff {
        ctx.app
            .store
            .ticket_company(number)
            .await?
            .ok_or(ApiError::NotFound)?
    } else {
        principal.company.id.clone()
    };
    let (ticket, notes, attachments) = ctx
        .app
        .store
        .ticket_detail(&company, number, staff)
        .await?
        .ok_or(ApiError::NotFound)?;
    if principal.may_see_ticket(&ticket) {
        Ok(TicketDetail {
            ticket,
            notes,
            attachments,
        })
    } else {
        Err(ApiError::NotFound)
    }
}

/// The answer to a repeated create: the ticket the first one made.
async fn earlier_ticket(
    ctx: &Ctx<'_>,
    earlier: &portal::domain::tickets::TicketRef,
) -> Result<Response<Body>, ApiError> {
    let ticket = ctx
        .app
        .store
        .get_ticket(&earlier.company_id, earlier.number)
        .await?
        .ok_or(ApiError::Conflict)?;
    json(StatusCode::CREATED, &ticket)
}

/// The email of a ticket's contact, if they are still an active user.
/// The contact's address, if they are active and want this kind of email.
async fn contact_email(
    ctx: &Ctx<'_>,
    ticket: &Ticket,
    wants: fn(&portal::domain::NotifyPrefs) -> bool,
) -> Result<Option<portal::domain::Email>, ApiError> {
    Ok(ctx
        .app
        .store
        .get_user(&ticket.company_id, &ticket.contact_id)
        .await?
        .filter(|u| u.status == UserStatus::Active && wants(&u.notify))
        .map(|u| u.email))
}

/// An audit entry for a ticket event, in the acting user's company's trail (so MSP staff's work,
/// internal notes included, stays in the MSP's trail).
pub(crate) fn ticket_audit(
    ctx: &Ctx<'_>,
    principal: &Principal,
    number: u64,
    action: AuditAction,
    summary: String,
) -> AuditEntry {
    principal.audit(
        ctx,
        &principal.company.id,
        action,
        Some(format!("ticket:{number}")),
        summary,
    )
}

/// Raise a ticket. Clients raise it in their own company, for themselves or (roles that may) for
/// a colleague; MSP staff name the client company and contact. Send an `Idempotency-Key` header
/// (unique per attempt, reused on retry) and a retried create answers the ticket the first made.
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body = NewTicketBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per ticket being raised; a retry with the same key answers the same ticket (for a day)")),
    responses(
        (status = 201, description = "Raised (or raised before with this Idempotency-Key); the answer carries its number", body = Ticket),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not raise tickets (or not for a colleague)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::SubmitTicket)?;
    let body: NewTicketBody = ctx.json()?;
    // A retry of a create whose answer was lost sends the same key: answer the same ticket.
    let once = ctx.idempotency_key()?;
    if let Some(key) = once
        && let Some(earlier) = ctx
            .app
            .store
            .idempotent_ticket(&principal.user.id, key)
            .await?
    {
        return earlier_ticket(ctx, &earlier).await;
    }
    let staff = principal.can(Capability::AllCompanies);
    let company = match body.company_id.as_deref() {
        Some(id) => principal.scope(id)?,
        None if staff => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "company_id",
                "Choose the client company",
            )]));
        }
        None => principal.company.id.clone(),
    };
    if staff && company == principal.company.id {
        return Err(ApiError::Validation(vec![FieldError::new(
            "company_id",
            "Raise tickets for a client company",
        )]));
    }
    let now = ctx.app.now();
    let contact_id = body.contact_id.clone();
    let wanted_contact = contact_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && *c != principal.user.id.as_str());
    if wanted_contact.is_some() {
        principal.require(Capability::SubmitOnBehalf)?;
    }
    let contact_key = wanted_contact.and_then(|c| UserId::parse(c).ok());
    let (settings, contact) = ctx
        .app
        .store
        .load_for_new_ticket(contact_key.as_ref().map(|u| (&company, u)))
        .await?;
    let new = body.validate(&settings, now.date())?;
    let contact = match (
        new.contact_id.as_ref().filter(|c| **c != principal.user.id),
        contact,
    ) {
        (None, _) if staff => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "contact_id",
                "Choose the client contact",
            )]));
        }
        (None, _) => principal.user.clone(),
        (Some(_), Some(user)) if user.status == UserStatus::Active => user,
        (Some(_), _) => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "contact_id",
                "Choose an active colleague from the list",
            )]));
        }
    };
    let number = ctx.app.store.next_number("TICKET").await?;
    let ticket = Ticket {
        number,
        company_id: company.clone(),
        summary: new.summary,
        description: new.description,
        request_type: new.request_type,
        priority: new.priority,
        emergency: new.emergency,
        due_date: new.due_date,
        po_number: new.po_number,
        status: TicketStatus::New,
        contact_id: contact.id.clone(),
        contact_name: contact.name.clone(),
        created_by_id: principal.user.id.clone(),
        created_at: now,
        updated_at: now,
        closed_at: None,
        assignee_id: None,
        assignee_name: None,
        version: 1,
    };
    let remembered = once.map(|key| (&principal.user.id, key, now + time::Duration::days(1)));
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketCreated,
        format!("Raised ticket #{}: {}", ticket.number, ticket.summary),
    );
    if !ctx
        .app
        .store
        .create_ticket_once(&ticket, remembered, Some(&audit))
        .await?
    {
        // A concurrent retry with the same key won; answer its ticket.
        let earlier = match once {
            Some(key) => {
                ctx.app
                    .store
                    .idempotent_ticket(&principal.user.id, key)
                    .await?
            }
            None => None,
        };
        return match earlier {
            Some(earlier) => earlier_ticket(ctx, &earlier).await,
            None => Err(ApiError::Conflict),
        };
    }
    tracing::info!(ticket = number, company_id = %company, "ticket raised");
    let company_name = if company == principal.company.id {
        principal.company.name.clone()
    } else {
        company.to_string()
    };
    notify::new_ticket(ctx.app, &ticket, &company_name).await;
    json(StatusCode::CREATED, &ticket)
}

/// One ticket with its conversation. Internal notes appear only for MSP staff.
#[utoipa::path(get, path = "/api/tickets/{number}", tag = "tickets",
    params(("number" = u64, Path)),
    responses(
        (status = 200, body = TicketDetail),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn detail(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    json(
        StatusCode::OK,
        &visible_ticket(ctx, &principal, number).await?,
    )
}

/// Add a note to an open ticket. MSP staff may make it internal.
#[utoipa::path(post, path = "/api/tickets/{number}/notes", tag = "tickets", request_body = NoteBody,
    params(("number" = u64, Path)),
    responses(
        (status = 201, body = Note),
        (status = 403, description = "May not add notes, or an internal note as a client", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ticket is closed, or changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or oversized note", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn add_note(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AddNotes)?;
    let body: NoteBody = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    if body.internal && !staff {
        return Err(ApiError::Forbidden);
    }
    let text = body.text()?;
    let TicketDetail { ticket, .. } = visible_ticket(ctx, &principal, number).await?;
    if !ticket.status.is_open() {
        return Err(ApiError::State(
            "/problems/ticket-closed",
            "This ticket is closed, so it takes no more notes. Reopen it if that is offered, or raise a new ticket and mention this one's number.".into(),
        ));
    }
    let note = Note {
        id: random_hex(8),
        ticket_number: ticket.number,
        internal: body.internal,
        author_id: principal.user.id.clone(),
        author_name: principal.user.name.clone(),
        from_msp: staff,
        text,
        created_at: ctx.app.now(),
    };
    let audit = ticket_audit(
        ctx,
        &principal,
        ticket.number,
        AuditAction::TicketNoteAdded,
        format!(
            "Added {} note to ticket #{}",
            if note.internal { "an internal" } else { "a" },
            ticket.number
        ),
    );
    let touched = ticket.with_note(&note);
    if !ctx
        .app
        .store
        .add_note(&ticket, &touched, &note, Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    if !note.internal {
        if staff {
            if let Some(contact) = contact_email(ctx, &ticket, |n| n.ticket_replies).await? {
                notify::msp_reply(ctx.app, &ticket, &note, contact).await;
            }
        } else {
            notify::client_note(ctx.app, &ticket, &note).await;
        }
    }
    json(StatusCode::CREATED, &note)
}

/// Change a ticket's status (clients: only the statuses the MSP allows, and reopening a resolved
/// ticket within the reopen window), and, for MSP staff, its priority and technician. Send the
/// `version` you read; a stale one is a 409.
#[utoipa::path(patch, path = "/api/tickets/{number}", tag = "tickets", request_body = TicketChange,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The changed ticket", body = Ticket),
        (status = 403, description = "A status the MSP does not let clients set, or a staff-only change", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or closed for good", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a technician", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn change(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: TicketChange = ctx.json()?;
    let staff = principal.can(Capability::AllCompanies);
    if !staff && (body.priority.is_some() || body.assignee_id.is_some()) {
        return Err(ApiError::Forbidden);
    }
    if !staff {
        principal.require(Capability::AddNotes)?;
    }
    let TicketDetail { ticket, .. } = visible_ticket(ctx, &principal, number).await?;
    if body.version != ticket.version {
        return Err(ApiError::Conflict);
    }
    let now = ctx.app.now();
    let mut changed = ticket.clone();
    if let Some(status) = body.status.filter(|s| *s != ticket.status) {
        if !staff {
            let settings = ctx.app.store.ticket_settings().await?;
            let reopening = ticket.status == TicketStatus::Resolved && status == TicketStatus::New;
            if reopening {
                let resolved = ticket.closed_at.unwrap_or(ticket.updated_at);
                if now - resolved > time::Duration::days(i64::from(settings.reopen_days)) {
                    return Err(ApiError::State(
                        "/problems/ticket-closed",
                        format!(
                            "This ticket was resolved more than {} days ago and can no longer be reopened. Raise a new ticket and mention this one's number.",
                            settings.reopen_days
                        ),
                    ));
                }
            } else if !ticket.status.is_open() {
                return Err(ApiError::State(
                    "/problems/ticket-closed",
                    "This ticket is closed. Raise a new ticket and mention this one's number."
                        .into(),
                ));
            } else if !settings.client_statuses.contains(&status) {
                return Err(ApiError::Forbidden);
            }
        }
        changed.closed_at = if status.is_open() { None } else { Some(now) };
        changed.status = status;
    }
    if let Some(priority) = body.priority {
        changed.priority = priority;
    }
    if let Some(raw) = body.assignee_id.as_deref() {
        if raw.is_empty() {
            (changed.assignee_id, changed.assignee_name) = (None, None);
        } else {
            let technician = match UserId::parse(raw) {
                Ok(id) => ctx.app.store.get_user(&principal.company.id, &id).await?,
                Err(_) => None,
            }
            .filter(|u| u.status == UserStatus::Active && u.role.can(Capability::AllCompanies));
            let Some(technician) = technician else {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "assignee_id",
                    "Choose a technician of the MSP",
                )]));
            };
            (changed.assignee_id, changed.assignee_name) =
                (Some(technician.id), Some(technician.name));
        }
    }
    if changed == ticket {
        return json(StatusCode::OK, &ticket);
    }
    changed.updated_at = now;
    changed.version = ticket.version + 1;
    let audit = if changed.status != ticket.status {
        ticket_audit(
            ctx,
            &principal,
            ticket.number,
            AuditAction::TicketStatusChanged,
            format!(
                "Changed ticket #{} from {} to {}",
                ticket.number,
                ticket.status.label(),
                changed.status.label()
            ),
        )
    } else {
        ticket_audit(
            ctx,
            &principal,
            ticket.number,
            AuditAction::TicketUpdated,
            format!(
                "Changed the priority or technician of ticket #{}",
                ticket.number
            ),
        )
    };
    if !ctx
        .app
        .store
        .save_ticket(&changed, &ticket, Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    tracing::info!(ticket = changed.number, status = ?changed.status, "ticket changed");
    if changed.status != ticket.status
        && changed.contact_id != principal.user.id
        && let Some(contact) = contact_email(ctx, &changed, |n| n.status_changes).await?
    {
        notify::status_changed(ctx.app, &changed, &principal.user.name, contact).await;
    }
    json(StatusCode::OK, &changed)
}

/// The MSP's ticket settings.
#[utoipa::path(get, path = "/api/tickets/settings", tag = "tickets",
    responses(
        (status = 200, body = TicketSettings),
        (status = 401, description = "Not signed in", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn get_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    ctx.principal().await?;
    json(StatusCode::OK, &ctx.app.store.ticket_settings().await?)
}

/// Replace the ticket settings (MSP admins). Send the `version` you read; a stale one is a 409.
#[utoipa::path(put, path = "/api/tickets/settings", tag = "tickets", request_body = TicketSettings,
    responses(
        (status = 200, description = "Saved; the answer carries the new version", body = TicketSettings),
        (status = 403, description = "Not an MSP admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed by someone else since you read it", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings, per field", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
async fn put_settings(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::ManageSettings)?;
    let body: TicketSettings = ctx.json()?;
    let mut settings = body.validated()?;
    settings.version += 1;
    if !ctx.app.store.put_ticket_settings(&settings).await? {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &settings)
}

/// This function's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    export,
    people,
    stats,
    create,
    detail,
    change,
    add_note,
    attachments::request_upload,
    attachments::confirm_upload,
    attachments::download,
    get_settings,
    put_settings
))]
pub struct ApiDoc;

#[cfg(test)]
mod tests {
    use super::last_months;
    use time::macros::date;

    #[test]
    fn last_months_cross_the_year() {
        let months = last_months(date!(2026 - 02 - 15), 12);
        assert_eq!(months.first().unwrap(), "2025-03");
        assert_eq!(months.last().unwrap(), "2026-02");
        assert_eq!(months.len(), 12);
    }
}
