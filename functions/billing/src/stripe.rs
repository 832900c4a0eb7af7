//! The Stripe requests the portal makes, through the `async-stripe` client (retries, timeouts,
//! idempotency keys, error decoding), with our own narrow request and answer types: Stripe's
//! answers are read for the few fields we use, so a field Stripe adds or drops cannot break a
//! payment. Every request that creates something carries an idempotency key made from our ids.

use std::collections::BTreeMap;
use std::sync::Arc;

use portal::{ApiError, App};
use serde::Serialize;
use stripe::{Client, ClientBuilder, RequestStrategy, StripeError};
use stripe_client_core::{IdempotencyKey, RequestBuilder, StripeMethod};

/// The instance's Stripe client and namespace (built on first use, then kept), or 503 when online
/// payment is not set up.
pub fn client(app: &App) -> Result<Arc<Stripe>, ApiError> {
    let keys = app.stripe.as_ref().ok_or_else(not_set_up)?;
    Ok(app.extensions.get_or_try_init(|| {
        let mut builder =
            ClientBuilder::new(keys.secret_key.clone()).timeout(app.config.stripe_timeout);
        if let Some(base) = &app.config.stripe_api_base {
            builder = builder.url(base.clone());
        }
        let client = builder
            .build()
            .map_err(|e| anyhow::anyhow!("building the Stripe client: {e}"))?;
        Ok::<_, anyhow::Error>(Stripe {
            client,
            namespace: namespace(&keys.webhook_secret),
        })
    })?)
}

/// A Stripe client, and the namespace of this portal in the Stripe account.
pub struct Stripe {
    client: Client,
    /// Prefixes every idempotency key and is the `portal` of every object's metadata, so two
    /// portals sharing one Stripe account (every local stack, an MSP's staging and production)
    /// never get each other's customer for the same company id, nor each other's payments.
    pub namespace: String,
}

/// The namespace of the portal whose webhook endpoint has `webhook_secret`: Stripe makes a secret
/// per endpoint, and each portal has its own endpoint. 12 hex characters of its SHA-256 (the
/// secret itself never leaves the function).
pub fn namespace(webhook_secret: &str) -> String {
    portal::domain::sha256_hex(webhook_secret.as_bytes(), 6)
}

impl Stripe {
    /// The idempotency key of creating `what` for our id `id`.
    fn key(&self, what: &str, id: &str) -> Option<String> {
        Some(format!("{}-{what}-{id}", self.namespace))
    }

    /// Metadata naming this portal and `pairs`.
    fn metadata<'a>(&'a self, pairs: &[(&'a str, &'a str)]) -> Metadata<'a> {
        let mut metadata = Metadata::from_iter(pairs.iter().copied());
        metadata.insert("portal", &self.namespace);
        metadata
    }
}

pub fn not_set_up() -> ApiError {
    ApiError::NotSetUp(
        "/problems/online-payment-off",
        "Online payment is not set up on this portal. Pay by bank transfer or cheque, or ask your MSP.".into(),
    )
}

/// What went wrong talking to Stripe, for the caller.
pub enum Failure {
    /// Stripe refused the request (a declined card, a bad parameter): its message.
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    /// Stripe failed or did not answer in time: nothing is known to have happened.
    Unavailable(String),
}

impl Failure {
    pub fn into_api(self, doing: &str) -> ApiError {
        match self {
            Failure::Refused { message, .. } => {
                ApiError::Upstream(format!("Stripe refused {doing}: {message}."))
            }
            Failure::Unavailable(why) => {
                tracing::warn!(why, doing, "Stripe unavailable");
                ApiError::Upstream(format!("Stripe did not answer {doing}."))
            }
        }
    }
}

impl From<StripeError> for Failure {
    fn from(err: StripeError) -> Self {
        match err {
            // 409: the same idempotency key still in flight, or a lock on the object: what the
            // other request does is not known yet (https://docs.stripe.com/error-low-level#idempotency).
            StripeError::Stripe(_, 409) => Failure::Unavailable("status 409 (in flight)".into()),
            StripeError::Stripe(errors, status) if status < 500 => Failure::Refused {
                status,
                code: errors.code.as_ref().map(|c| format!("{c:?}")),
                message: errors
                    .message
                    .clone()
                    .unwrap_or_else(|| "no reason given".into()),
            },
            StripeError::Stripe(_, status) => Failure::Unavailable(format!("status {status}")),
            other => Failure::Unavailable(other.to_string()),
        }
    }
}

async fn send<T: miniserde::Deserialize>(
    stripe: &Stripe,
    request: RequestBuilder,
    idempotency: Option<String>,
) -> Result<T, Failure> {
    let strategy = match idempotency {
        Some(key) => RequestStrategy::Idempotent(
            IdempotencyKey::new(key)
                .map_err(|e| Failure::Unavailable(format!("idempotency key: {e:?}")))?,
        ),
        None => RequestStrategy::Once,
    };
    Ok(request
        .customize::<T>()
        .request_strategy(strategy)
        .send(&stripe.client)
        .await?)
}

fn post(path: String, form: &impl Serialize) -> RequestBuilder {
    RequestBuilder::new(StripeMethod::Post, path).form(form)
}

/// The parts of a Stripe object we read: its id.
#[derive(miniserde::Deserialize, Debug)]
pub struct Created {
    pub id: String,
}

#[derive(miniserde::Deserialize, Debug)]
pub struct CheckoutSession {
    pub id: String,
    pub url: Option<String>,
}

#[derive(miniserde::Deserialize, Debug)]
pub struct PaymentIntent {
    pub id: String,
    pub status: String,
}

pub type Metadata<'a> = BTreeMap<&'a str, &'a str>;

#[derive(Serialize)]
struct NewCustomer<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    metadata: Metadata<'a>,
}

/// Create the Stripe customer of a company (once: the key is the company's id).
pub async fn create_customer(
    stripe: &Stripe,
    company_id: &str,
    name: &str,
    email: Option<&str>,
) -> Result<Created, Failure> {
    let form = NewCustomer {
        name,
        email,
        metadata: stripe.metadata(&[("company_id", company_id)]),
    };
    send(
        stripe,
        post("/customers".into(), &form),
        stripe.key("customer", company_id),
    )
    .await
}

#[derive(Serialize)]
pub struct ProductData<'a> {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
}

#[derive(Serialize)]
pub struct PriceData<'a> {
    pub currency: String,
    pub unit_amount: i64,
    pub product_data: ProductData<'a>,
}

#[derive(Serialize)]
pub struct LineItem<'a> {
    pub price_data: PriceData<'a>,
    pub quantity: u32,
}

#[derive(Serialize)]
struct IntentData<'a> {
    description: &'a str,
    metadata: Metadata<'a>,
}

#[derive(Serialize)]
struct PaymentCheckout<'a> {
    mode: &'static str,
    customer: &'a str,
    client_reference_id: &'a str,
    success_url: &'a str,
    cancel_url: &'a str,
    line_items: Vec<LineItem<'a>>,
    metadata: Metadata<'a>,
    payment_intent_data: IntentData<'a>,
}

/// What one Checkout payment is for.
pub struct CheckoutRequest<'a> {
    pub payment_id: &'a str,
    pub company_id: &'a str,
    pub customer: &'a str,
    pub description: &'a str,
    pub line_items: Vec<LineItem<'a>>,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// A Checkout Session paying invoices (key: the payment's id).
pub async fn create_payment_checkout(
    stripe: &Stripe,
    req: CheckoutRequest<'_>,
) -> Result<CheckoutSession, Failure> {
    let metadata = stripe.metadata(&[
        ("payment_id", req.payment_id),
        ("company_id", req.company_id),
    ]);
    let form = PaymentCheckout {
        mode: "payment",
        customer: req.customer,
        client_reference_id: req.payment_id,
        success_url: req.success_url,
        cancel_url: req.cancel_url,
        line_items: req.line_items,
        metadata: metadata.clone(),
        payment_intent_data: IntentData {
            description: req.description,
            metadata,
        },
    };
    send(
        stripe,
        post("/checkout/sessions".into(), &form),
        stripe.key("checkout", req.payment_id),
    )
    .await
}

#[derive(Serialize)]
struct SetupCheckout<'a> {
    mode: &'static str,
    customer: &'a str,
    currency: String,
    payment_method_types: Vec<&'static str>,
    success_url: &'a str,
    cancel_url: &'a str,
    metadata: Metadata<'a>,
}

/// A Checkout Session in setup mode: the client saves a card or bank account with Stripe.
pub async fn create_setup_checkout(
    stripe: &Stripe,
    setup_id: &str,
    company_id: &str,
    customer: &str,
    currency: &str,
    success_url: &str,
    cancel_url: &str,
) -> Result<CheckoutSession, Failure> {
    let mut types = vec!["card"];
    if currency == "USD" {
        types.push("us_bank_account");
    }
    let form = SetupCheckout {
        mode: "setup",
        customer,
        currency: currency.to_ascii_lowercase(),
        payment_method_types: types,
        success_url,
        cancel_url,
        metadata: stripe.metadata(&[("company_id", company_id), ("setup_id", setup_id)]),
    };
    send(
        stripe,
        post("/checkout/sessions".into(), &form),
        stripe.key("setup", setup_id),
    )
    .await
}

#[derive(Serialize)]
struct OffSessionIntent<'a> {
    amount: i64,
    currency: String,
    customer: &'a str,
    payment_method: &'a str,
    off_session: bool,
    confirm: bool,
    automatic_payment_methods: AutomaticPaymentMethods,
    description: &'a str,
    metadata: Metadata<'a>,
}

/// Payment methods as the Dashboard enables them, but none that redirects: nobody is there to be
/// redirected, and without this (or a `return_url`) Stripe refuses to confirm the charge
/// (https://docs.stripe.com/api/payment_intents/create#create_payment_intent-automatic_payment_methods-allow_redirects;
/// infra/stripe_rules.json).
#[derive(Serialize)]
struct AutomaticPaymentMethods {
    enabled: bool,
    allow_redirects: &'static str,
}

/// An off-session charge of a saved method.
pub struct Charge<'a> {
    /// What the charge is for, in its idempotency key: `autopay`, `charge`.
    pub purpose: &'static str,
    pub payment_id: &'a str,
    pub company_id: &'a str,
    pub customer: &'a str,
    pub method: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub description: &'a str,
}

/// Charge a saved method off-session: autopay, or a client paying with a saved method under the
/// consent they gave when saving it (key: the purpose and the payment's id).
pub async fn charge_off_session(
    stripe: &Stripe,
    charge: Charge<'_>,
) -> Result<PaymentIntent, Failure> {
    let form = OffSessionIntent {
        amount: charge.amount,
        currency: charge.currency.to_ascii_lowercase(),
        customer: charge.customer,
        payment_method: charge.method,
        off_session: true,
        confirm: true,
        automatic_payment_methods: AutomaticPaymentMethods {
            enabled: true,
            allow_redirects: "never",
        },
        description: charge.description,
        metadata: stripe.metadata(&[
            ("payment_id", charge.payment_id),
            ("company_id", charge.company_id),
        ]),
    };
    let key = stripe.key(charge.purpose, charge.payment_id);
    send(stripe, post("/payment_intents".into(), &form), key).await
}

/// Detach a saved method from its customer (it can no longer be charged).
pub async fn detach_method(stripe: &Stripe, method: &str) -> Result<Created, Failure> {
    let path = format!("/payment_methods/{method}/detach");
    send(stripe, post(path, &BTreeMap::<&str, &str>::new()), None).await
}

#[cfg(test)]
mod tests {
    use super::namespace;

    #[test]
    fn each_webhook_endpoint_has_its_own_stable_namespace() {
        assert_eq!(namespace("whsec_a"), namespace("whsec_a"));
        assert_ne!(namespace("whsec_a"), namespace("whsec_b"));
        assert_eq!(namespace("whsec_a").len(), 12);
        assert!(!namespace("whsec_a").contains("whsec"));
    }
}
