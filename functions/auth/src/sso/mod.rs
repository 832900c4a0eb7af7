//! Routes of signing in with Microsoft or Google (docs/sso.md): which providers are set up, the
//! start (a 303 to the provider, the sign-in's state, nonce and PKCE verifier sealed in a
//! short-lived cookie) and the provider's return (the code exchanged, the ID token checked, our
//! own session started by `portal::auth::sso`, and a 303 back to the site).

mod provider;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::auth::signin::AuthError;
use portal::auth::sso::{self, SsoOutcome, State};
use portal::domain::account::{Company, User};
use portal::domain::roles::Role;
use portal::domain::sign_in::Provider;
use portal::web::http::{Ctx, json, see_other};
use portal::web::principal;
use portal::{ApiError, App};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

pub use provider::{Pending, Providers, SsoError};

/// How long a person has to come back from the provider.
const FLOW_TTL: time::Duration = time::Duration::minutes(10);
const FLOW_PURPOSE: &str = "sso-flow";

pub async fn route(ctx: &Ctx<'_>, rest: &[&str]) -> Result<Response<Body>, ApiError> {
    let provider = |name: &str| Provider::parse(name).ok_or(ApiError::NotFound);
    match rest {
        [name] => start(ctx, provider(name)?).await,
        [name, "callback"] => callback(ctx, provider(name)?).await,
        _ => Err(ApiError::NotFound),
    }
}

fn providers(app: &App) -> Result<Arc<Providers>, ApiError> {
    Ok(app
        .extensions
        .get_or_try_init(|| Providers::new(&app.sso, &app.config.sso))?)
}

/// The identity providers the portal signs in with.
#[derive(Serialize, ToSchema)]
pub struct SignInProviders {
    /// `microsoft`, `google`: the buttons the sign-in page shows.
    pub providers: Vec<Provider>,
}

/// Which "Sign in with …" buttons to show: the providers whose client id and secret are set.
#[utoipa::path(get, path = "/api/auth/providers", tag = "auth",
    responses((status = 200, body = SignInProviders)))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    json(
        StatusCode::OK,
        &SignInProviders {
            providers: providers(ctx.app)?.configured(),
        },
    )
}

fn redirect_uri(app: &App, provider: Provider) -> String {
    format!(
        "{}/api/auth/sso/{}/callback",
        app.config.origin,
        provider.as_str()
    )
}

/// Start signing in with a provider: a 303 to its sign-in page. `remember=true` keeps the
/// session as "Remember me" does.
#[utoipa::path(get, path = "/api/auth/sso/{provider}", tag = "auth",
    params(
        ("provider" = Provider, Path, description = "`microsoft` or `google`"),
        ("remember" = Option<bool>, Query, description = "Keep me signed in (30 days)"),
        ("next" = Option<String>, Query, description = "The portal page to go to once signed in (a path of this origin; anything else is ignored)"),
    ),
    responses(
        (status = 303, description = "To the provider's sign-in page; the sign-in's cookie is set"),
        (status = 404, description = "No such provider", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`remember` is not true or false", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "The provider could not be reached", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "This provider is not set up (no client id and secret)", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn start(ctx: &Ctx<'_>, provider: Provider) -> Result<Response<Body>, ApiError> {
    let remember = ctx.choice("remember", &["true", "false"])?.as_deref() == Some("true");
    let next = ctx.query("next").filter(|n| local_path(n));
    let app = ctx.app;
    let all = providers(app)?;
    if !all.configured().contains(&provider) {
        return Err(ApiError::NotSetUp(
            "/problems/sign-in-provider-not-set-up",
            format!(
                "Signing in with {} is not set up on this portal",
                provider.label()
            ),
        ));
    }
    let (url, pending) = all
        .start(
            provider,
            &redirect_uri(app, provider),
            remember,
            app.now(),
            FLOW_TTL,
        )
        .await
        .map_err(unavailable)?;
    let pending = Pending { next, ..pending };
    let sealed = app
        .flows
        .lock(FLOW_PURPOSE, &pending)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("sealing the sign-in")))?;
    ctx.set_cookie(principal::sso_cookie(&app.config, &sealed, FLOW_TTL));
    see_other(&url)
}

fn unavailable(err: SsoError) -> ApiError {
    tracing::error!(error = %err, "identity provider unavailable");
    ApiError::IdentityProvider(match err {
        SsoError::Unavailable(_) => "It could not be reached".into(),
        SsoError::Refused(why) => why,
    })
}

/// Where the provider sends the person back. Always a 303 to the site: home when signed in, the
/// sign-in page's second step (`/login/#mfa=…`) when the portal's own code is still needed, or
/// the sign-in page with `?sso=` and why not (`expired`, `cancelled`, `refused`, `unavailable`,
/// `no-user`, `method-off`, `tenant-not-linked`).
#[utoipa::path(get, path = "/api/auth/sso/{provider}/callback", tag = "auth",
    params(
        ("provider" = Provider, Path, description = "`microsoft` or `google`"),
        ("code" = Option<String>, Query, description = "The provider's authorization code"),
        ("state" = Option<String>, Query, description = "The state this sign-in started with"),
        ("error" = Option<String>, Query, description = "The provider's error (the person cancelled, …)"),
    ),
    responses(
        (status = 303, description = "Back to the site; the session cookie is set when signed in"),
        (status = 404, description = "No such provider", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn callback(
    ctx: &Ctx<'_>,
    provider: Provider,
) -> Result<Response<Body>, ApiError> {
    let app = ctx.app;
    // The sign-in's cookie is good for one return, whatever happens.
    ctx.set_cookie(principal::sso_cookie(&app.config, "", time::Duration::ZERO));
    let back = |why: &str| see_other(&format!("/login/?sso={why}"));
    let now = app.now();
    let pending: Option<Pending> = ctx
        .cookie(principal::sso_cookie_name(&app.config))
        .and_then(|c| app.flows.unlock(FLOW_PURPOSE, c))
        .filter(|p: &Pending| p.provider == provider && p.expires > now.unix_timestamp());
    let state = ctx.query("state").unwrap_or_default();
    let Some(pending) = pending.filter(|p| {
        aws_lc_rs::constant_time::verify_slices_are_equal(p.state.as_bytes(), state.as_bytes())
            .is_ok()
    }) else {
        tracing::info!(
            provider = provider.as_str(),
            "sign-in return without its state"
        );
        return back("expired");
    };
    if ctx.query("error").is_some() {
        return back("cancelled");
    }
    let Some(code) = ctx
        .query("code")
        .filter(|c| !c.is_empty() && c.len() <= 4096)
    else {
        return back("refused");
    };
    let identity = match providers(app)?
        .finish(&pending, &redirect_uri(app, provider), &code, now)
        .await
    {
        Ok(identity) => identity,
        Err(SsoError::Refused(why)) => {
            tracing::warn!(
                provider = provider.as_str(),
                why,
                "provider sign-in refused"
            );
            return back("refused");
        }
        Err(SsoError::Unavailable(err)) => {
            tracing::error!(provider = provider.as_str(), error = ?err, "provider unavailable");
            return back("unavailable");
        }
    };
    let hash = portal::auth::links::sha256_hex(&pending.state);
    let state = State {
        hash: &hash,
        expires: time::OffsetDateTime::from_unix_timestamp(pending.expires)
            .unwrap_or(now + FLOW_TTL),
        remember: pending.remember,
    };
    let next = pending.next.as_deref().unwrap_or("/");
    match sso::sign_in(&principal::sign_in(ctx), &identity, state).await {
        Ok(SsoOutcome::SignedIn(session)) => {
            principal::set_session_cookie(ctx, &session)?;
            see_other(next)
        }
        Ok(SsoOutcome::Created(session, user, company)) => {
            principal::set_session_cookie(ctx, &session)?;
            tell_full_admins(app, &user, &company, provider).await;
            see_other(next)
        }
        Ok(SsoOutcome::NeedsCode(challenge)) => {
            let query = match &pending.next {
                Some(next) => format!("?next={}", portal::domain::percent_encode(next, b"/")),
                None => String::new(),
            };
            see_other(&format!("/login/{query}#mfa={}", challenge.challenge))
        }
        Ok(SsoOutcome::Refused(refusal)) => back(refusal.code()),
        Err(AuthError::ChallengeExpired) => back("expired"),
        Err(other) => Err(other.into()),
    }
}

/// Whether `next` is a path of this origin (never another host: `//host` and `/\host` are
/// browsers' ways to one).
fn local_path(next: &str) -> bool {
    next.len() <= 512
        && next.starts_with('/')
        && !next.starts_with("//")
        && next.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// Email a company's Full Admins that a user was created just in time.
async fn tell_full_admins(app: &App, user: &User, company: &Company, provider: Provider) {
    app.tell(
        &company.id,
        |u| u.role == Role::FullAdmin,
        format!("{} now has a portal user", user.name),
        format!(
            "Hello,\n\n{name} ({email}) signed in to the portal with {provider} for the first time and was given a portal user of {company} with the role {role}, because just-in-time access is on for your company.\n\nChange their role or deactivate them in Users:\n{origin}/users/\n\nTurn just-in-time access off in your company's sign-in settings:\n{origin}/users/sign-in/\n",
            name = user.name,
            email = user.email,
            provider = provider.label(),
            company = company.name,
            role = user.role.label(),
            origin = app.config.origin,
        ),
    )
    .await;
}
