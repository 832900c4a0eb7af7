//! Watchers and ratings: `POST /api/tickets/{number}/watchers`, `DELETE
//! /api/tickets/{number}/watchers/{user_id}`, `POST /api/tickets/{number}/rating`; and who hears of
//! a ticket's updates (its contact and its watchers who still may see it and want the mail).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::domain::roles::Capability;
use portal::domain::tickets::{Rating, RatingBody, RatingRefusal, Ticket, WatcherBody};
use portal::domain::{Email, NotifyPrefs, UserId};
use portal::web::http::{Ctx, json};

use crate::{notify, save_updated, ticket_company, visible_ticket};

/// Add a colleague who may see the ticket as a watcher, emailed on its updates (clients who may
/// add notes to it, and MSP staff).
#[utoipa::path(post, path = "/api/tickets/{number}/watchers", tag = "tickets", request_body = WatcherBody,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The ticket with the watcher", body = Ticket),
        (status = 403, description = "May not add notes", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a colleague who may see the ticket, its contact, or the list is full", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn watch(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    principal.require(Capability::AddNotes)?;
    let body: WatcherBody = ctx.json()?;
    let Ok(user_id) = UserId::parse(body.user_id.trim()) else {
        return Err(ApiError::invalid(
            "user_id",
            "Choose a colleague from the list",
        ));
    };
    let (company, number, _) = ticket_company(ctx, &principal, number).await?;
    let (ticket, user) = ctx
        .app
        .store
        .ticket_and_user(&company, number, &user_id)
        .await?;
    let ticket = crate::seen(&principal, ticket)?;
    let user =
        user.ok_or_else(|| ApiError::invalid("user_id", "Choose a colleague from the list"))?;
    let next = ticket.with_watcher(&user)?;
    if next == ticket {
        return json(StatusCode::OK, &ticket);
    }
    let summary = format!(
        "Added {} as a watcher of ticket #{}",
        user.name, ticket.number
    );
    let saved = save_updated(ctx, &principal, &ticket, next, summary).await?;
    json(StatusCode::OK, &saved)
}

/// Stop a watcher: themselves (leaving), MSP staff, or a client who may add notes to the ticket.
#[utoipa::path(delete, path = "/api/tickets/{number}/watchers/{user_id}", tag = "tickets",
    params(("number" = u64, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, description = "The ticket without the watcher", body = Ticket),
        (status = 403, description = "Another person's watch, without the right to add notes", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket or watcher", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn unwatch(ctx: &Ctx<'_>, number: &str, user: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let user = UserId::parse(user).map_err(|_| ApiError::NotFound)?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    if user != principal.user.id {
        principal.require(Capability::AddNotes)?;
    }
    let next = ticket.without_watcher(&user).ok_or(ApiError::NotFound)?;
    let summary = if user == principal.user.id {
        format!("Stopped watching ticket #{}", ticket.number)
    } else {
        format!("Removed a watcher of ticket #{}", ticket.number)
    };
    let saved = save_updated(ctx, &principal, &ticket, next, summary).await?;
    json(StatusCode::OK, &saved)
}

/// The contact rates a resolved or closed ticket, once: good or bad, with an optional comment. A
/// bad rating emails the technician and the support mailbox.
#[utoipa::path(post, path = "/api/tickets/{number}/rating", tag = "tickets", request_body = RatingBody,
    params(("number" = u64, Path)),
    responses(
        (status = 200, description = "The ticket with its rating", body = Ticket),
        (status = 403, description = "Not the ticket's contact", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such ticket, or not one you can see", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not resolved yet, or rated already", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Comment too long or with control characters", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn rate(ctx: &Ctx<'_>, number: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let body: RatingBody = ctx.json()?;
    let comment = body.comment()?;
    let ticket = visible_ticket(ctx, &principal, number).await?;
    match ticket.may_rate(&principal.user.id) {
        Ok(()) => {}
        Err(RatingRefusal::NotTheContact) => return Err(ApiError::Forbidden),
        Err(RatingRefusal::NotDone) => {
            return Err(ApiError::State(
                "/problems/not-resolved",
                "A ticket is rated once it is resolved.".into(),
            ));
        }
        Err(RatingRefusal::Rated) => {
            return Err(ApiError::State(
                "/problems/rated",
                "You rated this ticket already. Thank you!".into(),
            ));
        }
    }
    let mut next = ticket.clone();
    next.work.rating = Some(Rating {
        good: body.good,
        comment,
        by_id: principal.user.id.clone(),
        by_name: principal.user.name.clone(),
        at: ctx.app.now(),
    });
    let summary = format!(
        "Rated ticket #{} {}",
        ticket.number,
        if body.good { "good" } else { "bad" }
    );
    let saved = save_updated(ctx, &principal, &ticket, next, summary).await?;
    if !body.good {
        let technician = match (&saved.assignee_company, &saved.assignee_id) {
            (Some(company), Some(id)) => ctx
                .app
                .store
                .get_user(company, id)
                .await?
                .filter(|u| u.status == portal::domain::UserStatus::Active)
                .map(|u| u.email),
            _ => None,
        };
        notify::bad_rating(ctx.app, &saved, &principal.company.name, technician).await;
    }
    json(StatusCode::OK, &saved)
}

/// Who hears of an update of `ticket` by `author`: its contact (with `contact`; marked `true`) and
/// its watchers, each only while active, still able to see the ticket, and wanting this kind of
/// mail; never the author. One BatchGetItem (none without anyone to read).
pub(crate) async fn update_recipients(
    ctx: &Ctx<'_>,
    ticket: &Ticket,
    author: &UserId,
    contact: bool,
    wants: fn(&NotifyPrefs) -> bool,
) -> Result<Vec<(Email, bool)>, ApiError> {
    let mut ids: Vec<UserId> = ticket
        .work
        .watchers
        .iter()
        .map(|w| w.user_id.clone())
        .collect();
    if contact {
        ids.push(ticket.contact_id.clone());
    }
    ids.retain(|id| id != author);
    let users = ctx.app.store.get_users(&ticket.company_id, &ids).await?;
    Ok(users
        .into_iter()
        .filter(|u| ticket.visible_to(u) && wants(&u.notify))
        .map(|u| {
            let is_contact = u.id == ticket.contact_id;
            (u.email, is_contact)
        })
        .collect())
}
