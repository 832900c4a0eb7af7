//! What the home page and the pickers read: ticket counts (open now, raised per month) and the
//! people a ticket can name as contact or assignee.

use super::*;

/// Someone a ticket can name: a contact or a technician.
#[derive(Serialize, ToSchema)]
pub struct Person {
    pub id: UserId,
    pub name: String,
    /// Sees every ticket of the company (so may watch any of them).
    pub sees_company_tickets: bool,
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
pub(crate) async fn people(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
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
                    sees_company_tickets: u.can(Capability::ViewCompanyTickets),
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
    /// The company's open tickets waiting for its approvers (seed 001's "open unapproved
    /// tickets"), for those who see the company's tickets or approve; 0 for others.
    pub awaiting_approval: i64,
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

/// Open tickets, tickets this month and year, and the last 12 months: the company's for roles that
/// see its tickets, one's own for the others; MSP staff name a `company`.
#[utoipa::path(get, path = "/api/tickets/stats", tag = "tickets",
    params(("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses(
        (status = 200, body = TicketStats),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "MSP staff without a company", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn stats(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.company_param(ctx.query("company"))?;
    let contact = principal.ticket_contact_scope()?;
    let today = ctx.app.now().date();
    let months = portal::domain::reports::last_months(today, 12);
    let store = &ctx.app.store;
    let (open, counted, company_awaiting) =
        store.ticket_counts(&company, contact, &months[0]).await?;
    let awaiting_approval = match contact {
        None => company_awaiting,
        Some(_) if principal.can(Capability::ApproveQuotes) => {
            store.tickets_awaiting(&company).await?
        }
        Some(_) => 0,
    };
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
            awaiting_approval,
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

#[cfg(test)]
mod tests {
    use portal::domain::reports::last_months;
    use time::macros::date;

    #[test]
    fn last_months_cross_the_year() {
        let months = last_months(date!(2026 - 02 - 15), 12);
        assert_eq!(months.first().unwrap(), "2025-03");
        assert_eq!(months.last().unwrap(), "2026-02");
        assert_eq!(months.len(), 12);
    }
}
