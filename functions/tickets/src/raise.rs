//! Raising a ticket: by a client for themselves or a colleague, or by MSP staff for a client's
//! contact; a retry with the same `Idempotency-Key` answers the ticket the first made.

use crate::*;
use portal::domain::ConfigurationId;
use portal::domain::configurations::TicketConfiguration;

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

/// Raise a ticket. Clients raise it in their own company, for themselves or (roles that may) for
/// a colleague; MSP staff name the client company and contact. Send an `Idempotency-Key` header
/// (unique per attempt, reused on retry) and a retried create answers the ticket the first made.
#[utoipa::path(post, path = "/api/tickets", tag = "tickets", request_body = NewTicketBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per ticket being raised; a retry with the same key answers the same ticket (for a day)", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, description = "Raised (or raised before with this Idempotency-Key); the answer carries its number", body = Ticket),
        (status = 400, description = "A malformed Idempotency-Key", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "May not raise tickets (or not for a colleague)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn create(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
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
    if !staff && (body.project.is_some() || body.phase_id.is_some()) {
        return Err(ApiError::Forbidden);
    }
    let placed = match (body.project, body.phase_id.clone()) {
        (None, None) => None,
        (project, phase) => {
            placement::moved(ctx, &company, None, project, phase.as_deref()).await?
        }
    };
    let configuration_key = match body.configuration_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) => Some(ConfigurationId::parse(id).map_err(|_| {
            ApiError::invalid("configuration_id", "Choose a configuration from the list")
        })?),
    };
    let found = ctx
        .app
        .store
        .load_for_new_ticket(&company, contact_key.as_ref(), configuration_key.as_ref())
        .await?;
    let contact = found.contact;
    let new = body.validate(&found.settings, now.date())?;
    // Only a configuration the raiser may see (a Standard User: one they are the contact of).
    let configuration = match (configuration_key, found.configuration) {
        (None, _) => None,
        (Some(_), Some(c))
            if principal
                .configuration_contact_scope()
                .is_none_or(|me| c.fields.contact_id.as_ref() == Some(me)) =>
        {
            Some(TicketConfiguration {
                id: c.id,
                name: c.fields.name,
            })
        }
        (Some(_), _) => {
            return Err(ApiError::invalid(
                "configuration_id",
                "Choose a configuration from the list",
            ));
        }
    };
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
    let targets = portal::domain::tickets::plan_targets(
        &found.settings,
        &found.agreements,
        &new.request_type,
        new.priority,
        now,
    );
    let number = ctx.app.store.next_number("TICKET").await?;
    let mut ticket = Ticket {
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
        invoices: Vec::new(),
        approval: None,
        work: Default::default(),
        assignee_company: None,
        assignee_id: None,
        assignee_name: None,
        project: placed.as_ref().map(|(at, _)| at.clone()),
        configuration,
        version: 1,
    };
    ticket.work.targets = targets;
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
        .create_ticket_once(
            &ticket,
            remembered,
            Some(&audit),
            placed.map(|(_, plan)| plan),
        )
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
    if contact.notify.ticket_confirmations && contact.status == UserStatus::Active {
        notify::confirmation(ctx.app, &ticket, &principal.user, contact.email).await;
    }
    json(StatusCode::CREATED, &ticket)
}
