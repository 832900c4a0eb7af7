//! Saved payment methods and autopay. Cards and bank accounts are entered on Stripe's own page
//! (Checkout in setup mode); Stripe tells us what was saved through the webhook
//! (`payment_method.attached`), so card data never reaches our functions or table. We keep only
//! brand, last four digits, expiry, a nickname and which one is the default.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::audit::AuditAction;
use portal::domain::billing::{AUTOPAY_CONSENT, AutopayConsent, BillingId, PaymentMethod};
use portal::web::error::FieldError;
use portal::web::http::{Ctx, json, no_content};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::stripe::{self, Failure};
use crate::{billing_company, paying_client, payments};
use portal::domain::CompanyId;
use portal::{ApiError, App};

#[derive(Serialize, ToSchema)]
pub struct SavedMethod {
    #[serde(flatten)]
    pub method: PaymentMethod,
    /// `Visa •••• 4242`.
    pub label: String,
    pub default: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Methods {
    pub methods: Vec<SavedMethod>,
    /// Autopay's consent record, if it was ever turned on.
    pub autopay: Option<AutopayConsent>,
    /// Whether autopay will charge (on, and a default method exists).
    pub autopay_active: bool,
    /// The words a client agrees to when turning autopay on.
    pub autopay_terms: String,
    pub online_payment: bool,
}

/// The company's saved payment methods, the default, and autopay.
#[utoipa::path(get, path = "/api/payment-methods", tag = "billing",
    params(("company" = Option<String>, Query, description = "MSP staff: the company")),
    responses((status = 200, body = Methods), (status = 403, description = "A role that does not see invoices", body = portal::web::error::Problem, content_type = "application/problem+json")))]
pub async fn list(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = billing_company(ctx, &principal)?;
    let app = ctx.app;
    let account = app.store.billing_account(&company).await?;
    let mut methods = app.store.payment_methods(&company).await?;
    methods.sort_by_key(|m| m.added_at);
    json(
        StatusCode::OK,
        &Methods {
            methods: methods
                .into_iter()
                .map(|m| SavedMethod {
                    label: m.describe(),
                    default: account.default_method.as_deref() == Some(m.id.as_str()),
                    method: m,
                })
                .collect(),
            autopay_active: account.autopay_on(),
            autopay: account.autopay,
            autopay_terms: AUTOPAY_CONSENT.into(),
            online_payment: app.stripe.is_some(),
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct SetupStarted {
    /// Stripe Checkout (setup mode): send the browser here.
    pub url: String,
}

/// Add a card or bank account: a Stripe Checkout page in setup mode. The method appears once
/// Stripe tells us it was saved.
#[utoipa::path(post, path = "/api/payment-methods/setup", tag = "billing",
    params(("Idempotency-Key" = Option<String>, Header, description = "Unique per attempt", pattern = "^[A-Za-z0-9._:-]{0,100}$")),
    responses(
        (status = 201, body = SetupStarted),
        (status = 403, description = "Not a client's billing user", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Stripe failed or did not answer", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "Online payment is not set up", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn setup(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    let once = ctx.idempotency_key()?;
    let app = ctx.app;
    let client = stripe::client(app)?;
    let company = &principal.company;
    let (_, customer) = payments::customer(app, &client, &company.id).await?;
    let setup_id = match once {
        Some(key) => BillingId::derived(&[
            "setup",
            company.id.as_str(),
            principal.user.id.as_str(),
            key,
        ]),
        None => BillingId::generate(),
    };
    let back = format!("{}/payment-methods/", app.config.origin);
    let session = stripe::create_setup_checkout(
        &client,
        setup_id.as_str(),
        company.id.as_str(),
        &customer,
        &company.currency,
        &format!("{back}?setup=done"),
        &back,
    )
    .await
    .map_err(|f| f.into_api("adding a payment method"))?;
    let url = session
        .url
        .ok_or_else(|| ApiError::Upstream("Stripe answered without a Checkout address.".into()))?;
    json(StatusCode::CREATED, &SetupStarted { url })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodChange {
    /// Up to 40 characters; blank clears it.
    #[schema(schema_with = nickname)]
    pub nickname: Option<String>,
    /// `true` makes it the default (the one autopay charges).
    pub default: Option<bool>,
}

const MAX_NICKNAME: usize = 40;

fn nickname() -> utoipa::openapi::schema::Object {
    use portal::domain::validate::schema;
    schema::or_null(schema::text(false, MAX_NICKNAME, schema::Chars::NoControls))
}

async fn own_method(
    ctx: &Ctx<'_>,
    id: &str,
) -> Result<(portal::web::principal::Principal, PaymentMethod), ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    let method = saved_method(ctx.app, &principal.company.id, id).await?;
    Ok((principal, method))
}

/// One of the company's saved methods, by Stripe's id (`pm_…`); anything else is not found.
pub(crate) async fn saved_method(
    app: &App,
    company: &CompanyId,
    id: &str,
) -> Result<PaymentMethod, ApiError> {
    if !id.starts_with("pm_")
        || id.len() > 100
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(ApiError::NotFound);
    }
    app.store
        .get_payment_method(company, id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Give a saved method a nickname, or make it the default.
#[utoipa::path(patch, path = "/api/payment-methods/{id}", tag = "billing", request_body = MethodChange,
    params(("id" = String, Path)),
    responses(
        (status = 200, body = SavedMethod),
        (status = 404, description = "Not one of your company's methods", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Nickname too long", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn change(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, mut method) = own_method(ctx, id).await?;
    let body: MethodChange = ctx.json()?;
    let app = ctx.app;
    let company = &principal.company.id;
    let mut account = app.store.billing_account(company).await?;
    if let Some(nickname) = body.nickname {
        let sent = nickname.chars().count();
        let nickname = nickname.trim().to_owned();
        if sent > MAX_NICKNAME || nickname.chars().any(char::is_control) {
            return Err(ApiError::Validation(vec![FieldError::new(
                "nickname",
                "Up to 40 characters",
            )]));
        }
        method.nickname = nickname;
        let audit = principal.audit(
            ctx,
            company,
            AuditAction::PaymentMethodChanged,
            Some(format!("payment-method:{}", method.id)),
            format!("Named {} \"{}\"", method.describe(), method.nickname),
        );
        if !app
            .store
            .update_payment_method(&method, Some(&audit))
            .await?
        {
            return Err(ApiError::NotFound);
        }
    }
    if body.default == Some(true) && account.default_method.as_deref() != Some(method.id.as_str()) {
        let expected = account.version;
        account.default_method = Some(method.id.clone());
        account.version += 1;
        let audit = principal.audit(
            ctx,
            company,
            AuditAction::PaymentMethodChanged,
            Some(format!("payment-method:{}", method.id)),
            format!("Made {} the default payment method", method.describe()),
        );
        if !app
            .store
            .save_billing_account(company, &account, expected, None, Some(&audit))
            .await?
        {
            return Err(ApiError::Conflict);
        }
    }
    json(
        StatusCode::OK,
        &SavedMethod {
            label: method.describe(),
            default: account.default_method.as_deref() == Some(method.id.as_str()),
            method,
        },
    )
}

/// Delete a saved method: detached in Stripe first (so it can never be charged), then forgotten.
/// If it was the default, there is no default (and autopay waits for one).
#[utoipa::path(delete, path = "/api/payment-methods/{id}", tag = "billing",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "Not one of your company's methods", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 502, description = "Stripe failed; nothing changed", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn remove(ctx: &Ctx<'_>, id: &str) -> Result<Response<Body>, ApiError> {
    let (principal, method) = own_method(ctx, id).await?;
    let app = ctx.app;
    let client = stripe::client(app)?;
    match stripe::detach_method(&client, &method.id).await {
        Ok(_) => {}
        // Already gone from Stripe: forget it here too.
        Err(Failure::Refused { status: 404, .. }) => {}
        Err(failure) => return Err(failure.into_api("removing the payment method")),
    }
    let company = &principal.company.id;
    let audit = principal.audit(
        ctx,
        company,
        AuditAction::PaymentMethodRemoved,
        Some(format!("payment-method:{}", method.id)),
        format!("Removed {}", method.describe()),
    );
    app.store
        .delete_payment_method(company, &method.id, None, app.now(), Some(&audit))
        .await?;
    clear_default(app, company, &method.id).await?;
    no_content()
}

/// If `method` is the company's default, there is no default any more.
pub async fn clear_default(
    app: &portal::App,
    company: &portal::domain::CompanyId,
    method: &str,
) -> Result<(), ApiError> {
    for _ in 0..5 {
        let mut account = app.store.billing_account(company).await?;
        if account.default_method.as_deref() != Some(method) {
            return Ok(());
        }
        let expected = account.version;
        account.default_method = None;
        account.version += 1;
        if app
            .store
            .save_billing_account(company, &account, expected, None, None)
            .await?
        {
            return Ok(());
        }
    }
    Err(ApiError::Conflict)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutopayBody {
    pub enabled: bool,
    /// Turning autopay on: `true` means the user agreed to `autopay_terms`.
    #[serde(default)]
    pub consent: bool,
}

impl utoipa::PartialSchema for AutopayBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        portal::domain::validate::schema::json(serde_json::json!({
            "type": "object",
            "required": ["enabled"],
            "properties": {
                "enabled": {"type": "boolean"},
                "consent": {"type": "boolean", "description": "Turning autopay on: `true` means the user agreed to `autopay_terms` (required then)."},
            },
            // Off, or on with consent.
            "anyOf": [
                {"properties": {"enabled": {"const": false}}},
                {"required": ["consent"], "properties": {"consent": {"const": true}}},
            ],
            "additionalProperties": false,
        }))
    }
}
impl ToSchema for AutopayBody {}

/// Turn autopay on (with explicit consent to the terms, recorded with who and when, and a default
/// method) or off.
#[utoipa::path(put, path = "/api/billing/autopay", tag = "billing", request_body = AutopayBody,
    responses(
        (status = 200, body = AutopayConsent),
        (status = 403, description = "Not a client's billing user", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No default payment method yet", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Turning on without consent", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn autopay(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    paying_client(&principal)?;
    let body: AutopayBody = ctx.json()?;
    let app = ctx.app;
    let company = &principal.company.id;
    let mut account = app.store.billing_account(company).await?;
    if body.enabled && !body.consent {
        return Err(ApiError::Validation(vec![FieldError::new(
            "consent",
            "Tick the box to agree to autopay",
        )]));
    }
    if body.enabled && account.default_method.is_none() {
        return Err(ApiError::State(
            "/problems/no-default-method",
            "Add a payment method and make it the default before turning autopay on".into(),
        ));
    }
    let consent = AutopayConsent {
        enabled: body.enabled,
        text: if body.enabled {
            AUTOPAY_CONSENT.into()
        } else {
            String::new()
        },
        by_id: principal.user.id.clone(),
        by_name: principal.user.name.clone(),
        by_email: principal.user.email.clone(),
        at: app.now(),
    };
    let expected = account.version;
    account.autopay = Some(consent.clone());
    account.version += 1;
    let audit = principal.audit(
        ctx,
        company,
        AuditAction::AutopayChanged,
        None,
        if body.enabled {
            format!("Turned autopay on, agreeing: \"{AUTOPAY_CONSENT}\"")
        } else {
            "Turned autopay off".into()
        },
    );
    if !app
        .store
        .save_billing_account(company, &account, expected, None, Some(&audit))
        .await?
    {
        return Err(ApiError::Conflict);
    }
    json(StatusCode::OK, &consent)
}
