//! Ticket lists: one tab of a company's, a contact's or the MSP's queue (a named list index each),
//! a search by number or word, and the CSV export of the same selection.

use super::*;
use portal::store::TicketFilter;

/// One page of tickets.
#[derive(Serialize, ToSchema)]
pub struct TicketList {
    pub items: Vec<TicketRow>,
    /// Pass as `?cursor=` (with the same filters) for the next page; absent on the last page. A
    /// filtered page may hold fewer than 50 rows and still have a next page.
    pub next_cursor: Option<String>,
}

/// A query parameter holding an enum value (`status`, `priority`); 400 if it is not one (an
/// empty one included: the site leaves out a filter not chosen).
fn enum_param<T: serde::de::DeserializeOwned>(
    ctx: &Ctx<'_>,
    name: &str,
) -> Result<Option<T>, ApiError> {
    ctx.query(name)
        .map(|v| {
            serde_json::from_value(serde_json::Value::String(v.clone()))
                .map_err(|_| ApiError::BadRequest(format!("{name}={v} is not a known {name}")))
        })
        .transpose()
}

/// Which tickets a list (or export) asks for, once who may see what is settled.
struct Listing {
    open: bool,
    /// Sorted by `list`'s order (a search sorts what it found the same way).
    ascending: bool,
    status: Option<TicketStatus>,
    priority: Option<Priority>,
    /// Only one project's tickets.
    project: Option<u64>,
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
        let open = ctx
            .choice("tab", &["open", "closed"])?
            .is_none_or(|t| t == "open");
        let order = match ctx
            .choice(
                "sort",
                &[
                    "number", "updated", "priority", "status", "due", "contact", "target",
                ],
            )?
            .as_deref()
        {
            Some("updated") => TicketOrder::Updated,
            Some("priority") => TicketOrder::Priority,
            Some("status") => TicketOrder::Status,
            Some("due") => TicketOrder::Due,
            Some("contact") => TicketOrder::Contact,
            Some("target") => TicketOrder::Target,
            _ => TicketOrder::Number,
        };
        let ascending = ctx
            .choice("order", &["asc", "desc"])?
            .is_some_and(|o| o == "asc");
        let status: Option<TicketStatus> = enum_param(ctx, "status")?;
        let priority: Option<Priority> = enum_param(ctx, "priority")?;
        let project = ctx
            .query("project")
            .filter(|p| !p.is_empty())
            .map(|p| {
                portal::domain::projects::parse_number(&p).map_err(|_| {
                    ApiError::BadRequest(format!("project={p} is not a project number"))
                })
            })
            .transpose()?;
        let search = Search::parse(&ctx.query("q").unwrap_or_default());
        let user = |raw: String| {
            UserId::parse(&raw).map_err(|_| ApiError::BadRequest(format!("{raw} is not a user id")))
        };
        let contact = ctx
            .query("contact")
            .filter(|c| !c.is_empty())
            .map(user)
            .transpose()?;
        // Read for everyone, so a malformed one is a 400 whoever sends it.
        let assignee = match ctx.query("assignee").filter(|a| !a.is_empty()) {
            Some(a) if a == "none" => Some(None),
            Some(a) => Some(Some(user(a)?)),
            None => None,
        };
        let staff = principal.can(Capability::AllCompanies);
        let company = ctx
            .query("company")
            .filter(|c| !c.is_empty())
            .map(|c| principal.scope(&c))
            .transpose()?;
        let mut listing = Self {
            open,
            ascending,
            status,
            priority,
            project,
            list: keys::TicketList::Queue { open, order },
            company: None,
            contact: None,
            assignee: None,
            search,
        };
        if staff && company.is_none() {
            listing.assignee = assignee;
            if let Some(assignee) = &listing.assignee {
                listing.list = keys::TicketList::Assignee {
                    assignee: assignee.clone(),
                    open,
                };
            }
            return Ok(listing);
        }
        let company = company.unwrap_or_else(|| principal.company.id.clone());
        // Approvers who see only their own tickets still see every one waiting for approval.
        let approving = status == Some(TicketStatus::WaitingForApproval)
            && principal.can(Capability::ApproveQuotes);
        listing.contact = match principal.ticket_contact_scope()? {
            Some(me) if !approving => Some(me.clone()),
            _ => contact,
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
                .project
                .is_none_or(|n| ticket.project.as_ref().is_some_and(|p| p.number == n))
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
                        TicketFilter {
                            status: self.status,
                            priority: self.priority,
                            project: self.project,
                        },
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
                    .filter(|t| {
                        self.admits(t) && Search::matches(words, &t.summary, &t.description)
                    })
                    .collect();
                // Sorted as the tab is: by the key its list would give each ticket.
                tickets.sort_by_cached_key(|t| self.list.sort_key(t));
                if !self.ascending {
                    tickets.reverse();
                }
                Ok((tickets, hits.last_key))
            }
            Some(Search::Nothing) => Ok((Vec::new(), None)),
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
        ("tab" = Option<String>, Query, description = "`open` (default) or `closed`", pattern = "^(open|closed)?$"),
        ("sort" = Option<String>, Query, description = "`number` (= submitted, default), `updated`, `priority` (most urgent first when descending), `status` (by stage: new … cancelled), `due` (none last when ascending), `contact` (by name) or, the MSP queue only, `target` (the nearest unmet response or resolution target; soonest first when ascending, none last; elsewhere as `number`)", pattern = "^(number|updated|priority|status|due|contact|target)?$"),
        ("order" = Option<String>, Query, description = "`desc` (default) or `asc`", pattern = "^(asc|desc)?$"),
        ("status" = Option<TicketStatus>, Query),
        ("priority" = Option<Priority>, Query),
        ("contact" = Option<String>, Query, description = "A contact's user id (roles that see the company's tickets)", pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("company" = Option<String>, Query, description = "MSP staff: one company"),
        ("assignee" = Option<String>, Query, description = "MSP staff: a technician's user id, or `none`", pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("project" = Option<String>, Query, description = "Only this project's tickets (`12` or `P-12`)", pattern = "^(([Pp]-?)?#?[1-9][0-9]{0,9})?$"),
        ("q" = Option<String>, Query, description = "A ticket number (`1042` or `#1042`, any tab) or words: tickets with a word starting with each in the summary or (its first words, up to 24 with the summary's) the description (words of one character are ignored; a search of none finds nothing)"),
        ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$"),
    ),
    responses(
        (status = 200, body = TicketList),
        (status = 400, description = "Unknown filter value or a cursor from another list", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
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
        ("tab" = Option<String>, Query, pattern = "^(open|closed)?$"),
        ("sort" = Option<String>, Query, pattern = "^(number|updated|priority|status|due|contact|target)?$"),
        ("order" = Option<String>, Query, pattern = "^(asc|desc)?$"),
        ("status" = Option<TicketStatus>, Query), ("priority" = Option<Priority>, Query),
        ("contact" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("company" = Option<String>, Query), ("assignee" = Option<String>, Query, pattern = "^[A-Za-z0-9_-]{0,64}$"),
        ("project" = Option<String>, Query, pattern = "^(([Pp]-?)?#?[1-9][0-9]{0,9})?$"),
        ("q" = Option<String>, Query),
    ),
    responses(
        (status = 200, description = "`text/csv`, as a download", content_type = "text/csv", body = String),
        (status = 400, description = "Unknown filter value", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn export(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
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
    let settings = ctx.app.store.ticket_settings().await?;
    let body = csv::tickets(&tickets, &settings, staff);
    let file = format!(
        "tickets-{}-{}.csv",
        if listing.open { "open" } else { "closed" },
        ctx.app.now().date()
    );
    portal::web::csv::download(&file, body)
}
