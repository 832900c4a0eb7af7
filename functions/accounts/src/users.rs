//! A company's portal users: list, invite, change role and details, deactivate and reactivate,
//! resend invitations, reset MFA. For the company's Full Admins and MSP admins.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::ApiError;
use portal::auth::links;
use portal::domain::account::{Company, TokenKind, User};
use portal::domain::audit::{AuditAction, AuditEntry};
use portal::domain::roles::{Capability, Role};
use portal::domain::validate::{self, schema};
use portal::domain::{CompanyId, Email, UserId, UserStatus};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use portal::web::principal::Principal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::PAGE_SIZE;

/// One page of users.
#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    pub next_cursor: Option<String>,
}

/// The principal, allowed to manage the users of `company`, and that company.
pub(crate) async fn managing(
    ctx: &Ctx<'_>,
    company: &str,
) -> Result<(Principal, Company), ApiError> {
    let principal = ctx.principal().await?;
    let id = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    let company = if id == principal.company.id {
        principal.company.clone()
    } else {
        ctx.app
            .store
            .get_company(&id)
            .await?
            .ok_or(ApiError::NotFound)?
    };
    Ok((principal, company))
}

async fn find_user(ctx: &Ctx<'_>, company: &CompanyId, user: &str) -> Result<User, ApiError> {
    let user = UserId::parse(user)?;
    ctx.app
        .store
        .get_user(company, &user)
        .await?
        .ok_or(ApiError::NotFound)
}

/// A company's portal users, with role, status, last sign-in and MFA.
#[utoipa::path(get, path = "/api/companies/{company_id}/users", tag = "accounts",
    params(("company_id" = String, Path), ("cursor" = Option<String>, Query, description = "From the previous page's `next_cursor` (sealed: only one the server gave works)", pattern = "^[A-Za-z0-9_-]*$")),
    responses(
        (status = 200, body = UserList),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn list(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    let list = format!("users#{company}");
    let page = ctx
        .app
        .store
        .list_users(&company, ctx.start_after(&list)?, PAGE_SIZE)
        .await?;
    let next_cursor = ctx.next_cursor(&page, &list);
    json(
        StatusCode::OK,
        &UserList {
            items: page.items,
            next_cursor,
        },
    )
}

/// One portal user of a company.
#[utoipa::path(get, path = "/api/companies/{company_id}/users/{user_id}", tag = "accounts",
    params(("company_id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, body = User),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn get(ctx: &Ctx<'_>, company: &str, user: &str) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = principal.scope(company)?;
    principal.require(Capability::ManageUsers)?;
    json(StatusCode::OK, &find_user(ctx, &company, user).await?)
}

/// What inviting a user takes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(schema_with = schema::name)]
    pub name: String,
    #[schema(schema_with = schema::email)]
    pub email: String,
    #[serde(default)]
    #[schema(schema_with = schema::phone)]
    pub phone: String,
    /// One of the company's kind: MSP roles in the MSP's company, client roles in a client's.
    pub role: Role,
}

pub(crate) fn check_role(role: Role, company: &Company, errors: &mut Vec<FieldError>) {
    if !Role::for_kind(company.kind).contains(&role) {
        errors.push(FieldError::new(
            "role",
            "This role does not exist in this company",
        ));
    }
}

/// Invite a user: they get an email with a single-use link to set their password.
#[utoipa::path(post, path = "/api/companies/{company_id}/users", tag = "accounts", request_body = NewUser,
    params(("company_id" = String, Path)),
    responses(
        (status = 201, body = User),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such company (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email already has an account", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn invite(ctx: &Ctx<'_>, company: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let body: NewUser = ctx.json()?;
    let mut errors = Vec::new();
    let name = validate::name("name", &body.name, &mut errors);
    let phone = validate::phone("phone", &body.phone, &mut errors);
    let email = Email::parse(&body.email)
        .map_err(|m| errors.push(FieldError::new("email", m)))
        .ok();
    check_role(body.role, &company, &mut errors);
    validate::done(errors)?;
    let Some(email) = email else {
        return Err(ApiError::BadRequest("email".into()));
    };
    let mut user = User::new(
        company.id.clone(),
        email,
        &name,
        body.role,
        UserStatus::Invited,
        ctx.app.now(),
    );
    user.phone = phone;
    let user = send_invitation(ctx, &principal, &company, user, None).await?;
    json(StatusCode::CREATED, &user)
}

/// Invite `user` (new, invited; with the company's default email preferences): the user,
/// credential, token and audit entry in one transaction (with the request for access it answers,
/// if any), then the email with the link.
pub(crate) async fn send_invitation(
    ctx: &Ctx<'_>,
    principal: &Principal,
    company: &Company,
    mut user: User,
    answering: Option<&str>,
) -> Result<User, ApiError> {
    // New users start with the email preferences the company chose.
    user.notify = company.default_notify;
    let app = ctx.app;
    let issued = links::issue(TokenKind::Invitation, &user, app.now());
    let audit = principal.audit(
        ctx,
        &company.id,
        AuditAction::UserInvited,
        AuditEntry::user_target(&user.id),
        format!(
            "Invited {} <{}> as {}{}",
            user.name,
            user.email,
            user.role.label(),
            if answering.is_some() {
                ", answering their request for access"
            } else {
                ""
            }
        ),
    );
    if !app
        .store
        .invite_user(&user, (&issued.hash, &issued.record), &audit, answering)
        .await?
    {
        return Err(ApiError::State(
            "/problems/email-taken",
            "This email address already has a portal account".into(),
        ));
    }
    app.send_mail(&links::invitation_mail(
        &app.config.origin,
        &user,
        &company.name,
        &principal.user.name,
        &issued.token,
    ))
    .await;
    Ok(user)
}

/// Send a fresh invitation to a user who has not accepted yet; earlier links stop working.
#[utoipa::path(post, path = "/api/companies/{company_id}/users/{user_id}/invitation", tag = "accounts",
    params(("company_id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "Sent"),
        (status = 404, description = "No such user (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The user is not (any more) invited", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn resend(ctx: &Ctx<'_>, company: &str, user: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let user = find_user(ctx, &company.id, user).await?;
    let not_invited = || {
        ApiError::State(
            "/problems/not-invited",
            "This user has already accepted their invitation (or was deactivated)".into(),
        )
    };
    if user.status != UserStatus::Invited {
        return Err(not_invited());
    }
    let app = ctx.app;
    let issued = links::issue(TokenKind::Invitation, &user, app.now());
    let audit = principal.audit(
        ctx,
        &company.id,
        AuditAction::InvitationResent,
        AuditEntry::user_target(&user.id),
        format!("Sent {} a new invitation", user.name),
    );
    if !app
        .store
        .resend_invitation(&user, &issued.hash, &issued.record, &audit)
        .await?
    {
        return Err(not_invited());
    }
    app.send_mail(&links::invitation_mail(
        &app.config.origin,
        &user,
        &company.name,
        &principal.user.name,
        &issued.token,
    ))
    .await;
    no_content()
}

/// A change to a user: any of the fields, with the version it was made from.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    pub version: u64,
    #[schema(schema_with = schema::name_or_null)]
    pub name: Option<String>,
    #[schema(schema_with = schema::phone_or_null)]
    pub phone: Option<String>,
    #[schema(schema_with = schema::phone_or_null)]
    pub mobile: Option<String>,
    /// One of the company's kind: MSP roles in the MSP's company, client roles in a client's.
    pub role: Option<Role>,
    /// `active` (reactivate) or `deactivated`.
    #[schema(value_type = Option<StatusChange>)]
    pub status: Option<UserStatus>,
    /// A client user whose role sees only their own tickets sees every ticket of the company.
    pub sees_company_tickets: Option<bool>,
}

/// The statuses a change may set (a user is invited only by an invitation).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum StatusChange {
    Active,
    Deactivated,
}

/// Change a user's role or details, deactivate or reactivate them. Deactivation ends their
/// sessions at once; the company's last admin cannot be demoted or deactivated.
#[utoipa::path(patch, path = "/api/companies/{company_id}/users/{user_id}", tag = "accounts", request_body = UserChange,
    params(("company_id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 200, body = User),
        (status = 403, description = "May not manage users", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Changed meanwhile, or the last admin", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn update(ctx: &Ctx<'_>, company: &str, user: &str) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let body: UserChange = ctx.json()?;
    let before = find_user(ctx, &company.id, user).await?;
    let mut user = before.clone();
    let mut errors = Vec::new();
    if let Some(name) = &body.name {
        user.name = validate::name("name", name, &mut errors);
    }
    if let Some(phone) = &body.phone {
        user.phone = validate::phone("phone", phone, &mut errors);
    }
    if let Some(mobile) = &body.mobile {
        user.mobile = validate::phone("mobile", mobile, &mut errors);
    }
    if let Some(role) = body.role {
        check_role(role, &company, &mut errors);
        user.role = role;
    }
    if let Some(sees) = body.sees_company_tickets {
        if sees && company.kind != portal::domain::CompanyKind::Client {
            errors.push(FieldError::new(
                "sees_company_tickets",
                "MSP staff see every ticket already",
            ));
        }
        user.sees_company_tickets = sees;
    }
    match body.status {
        None => {}
        Some(UserStatus::Deactivated) => user.status = UserStatus::Deactivated,
        Some(UserStatus::Active) if before.status == UserStatus::Deactivated => {
            // Someone who never accepted their invitation goes back to invited.
            let credential = ctx.app.store.get_credential(&user.email).await?;
            user.status = if credential.is_some_and(|c| c.invite_hash.is_some()) {
                UserStatus::Invited
            } else {
                UserStatus::Active
            };
        }
        Some(UserStatus::Active) => {}
        Some(UserStatus::Invited) => errors.push(FieldError::new(
            "status",
            "Set active or deactivated; to invite again, resend the invitation",
        )),
    }
    validate::done(errors)?;
    if body.version != before.version {
        return Err(ApiError::Conflict);
    }
    if user == before {
        return json(StatusCode::OK, &before);
    }
    if before.counts_as_admin() && !user.counts_as_admin() && company.admins <= 1 {
        return Err(ApiError::State(
            "/problems/last-admin",
            format!(
                "{} is the company's last {}: make someone else one first",
                before.name,
                before.role.label()
            ),
        ));
    }
    let deactivated =
        user.status == UserStatus::Deactivated && before.status != UserStatus::Deactivated;
    let reactivated =
        before.status == UserStatus::Deactivated && user.status != UserStatus::Deactivated;
    let (action, summary) = if deactivated {
        (
            AuditAction::UserDeactivated,
            format!("Deactivated {}; their sessions ended", user.name),
        )
    } else if reactivated {
        (
            AuditAction::UserReactivated,
            format!("Reactivated {}", user.name),
        )
    } else if user.sees_company_tickets != before.sees_company_tickets {
        (
            AuditAction::UserUpdated,
            if user.sees_company_tickets {
                format!("Let {} see every ticket of the company", user.name)
            } else {
                format!("{} sees only their own tickets again", user.name)
            },
        )
    } else if user.role != before.role {
        (
            AuditAction::RoleChanged,
            format!(
                "Changed {}'s role from {} to {}",
                user.name,
                before.role.label(),
                user.role.label()
            ),
        )
    } else {
        (
            AuditAction::UserUpdated,
            format!("Updated {}'s details", user.name),
        )
    };
    let audit = principal.audit(
        ctx,
        &company.id,
        action,
        AuditEntry::user_target(&user.id),
        summary,
    );
    let saved = ctx
        .app
        .store
        .save_user(&user, &before, deactivated, &audit)
        .await?
        .ok_or(ApiError::Conflict)?;
    json(StatusCode::OK, &saved)
}

/// Reset a user's MFA (lost phone): they sign in with their password alone, and enrol again where
/// the company requires it.
#[utoipa::path(delete, path = "/api/companies/{company_id}/users/{user_id}/mfa", tag = "accounts",
    params(("company_id" = String, Path), ("user_id" = String, Path)),
    responses(
        (status = 204, description = "MFA removed"),
        (status = 404, description = "No such user (or another company's)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn reset_mfa(
    ctx: &Ctx<'_>,
    company: &str,
    user: &str,
) -> Result<Response<Body>, ApiError> {
    let (principal, company) = managing(ctx, company).await?;
    let user = find_user(ctx, &company.id, user).await?;
    let audit = principal.audit(
        ctx,
        &company.id,
        AuditAction::MfaReset,
        AuditEntry::user_target(&user.id),
        format!("Reset {}'s two-factor authentication", user.name),
    );
    ctx.app.store.remove_mfa(&user, &audit).await?;
    no_content()
}
