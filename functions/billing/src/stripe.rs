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

/// The instance's Stripe client (built on first use, then kept), or 503 when online payment is not
/// set up.
pub fn client(app: &App) -> Result<Arc<Client>, ApiError> {
    let keys = app.stripe.as_ref().ok_or_else(not_set_up)?;
    Ok(app.extensions.get_or_try_init(|| {
        let mut builder =
            ClientBuilder::new(keys.secret_key.clone()).timeout(app.config.stripe_timeout);
        if let Some(base) = &app.config.stripe_api_base {
            builder = builder.url(base.clone());
        }
        builder
            .build()
            .map_err(|e| anyhow::anyhow!("building the Stripe client: {e}"))
    })?)
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
    client: &Client,
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
        .send(client)
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
    client: &Client,
    company_id: &str,
    name: &str,
    email: Option<&str>,
) -> Result<Created, Failure> {
    let form = NewCustomer {
        name,
        email,
        metadata: Metadata::from([("company_id", company_id)]),
    };
    send(
        client,
        post("/customers".into(), &form),
        Some(format!("customer-{company_id}")),
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
    client: &Client,
    req: CheckoutRequest<'_>,
) -> Result<CheckoutSession, Failure> {
    let metadata = Metadata::from([
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
        client,
        post("/checkout/sessions".into(), &form),
        Some(format!("checkout-{}", req.payment_id)),
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
    client: &Client,
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
        metadata: Metadata::from([("company_id", company_id), ("setup_id", setup_id)]),
    };
    send(
        client,
        post("/checkout/sessions".into(), &form),
        Some(format!("setup-{setup_id}")),
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
    pub payment_id: &'a str,
    pub company_id: &'a str,
    pub customer: &'a str,
    pub method: &'a str,
    pub amount: i64,
    pub currency: &'a str,
    pub description: &'a str,
}

/// Charge a saved method without the client present (autopay; key: the payment's id).
pub async fn charge_off_session(
    client: &Client,
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
        metadata: Metadata::from([
            ("payment_id", charge.payment_id),
            ("company_id", charge.company_id),
        ]),
    };
    let key = format!("autopay-{}", charge.payment_id);
    send(client, post("/payment_intents".into(), &form), Some(key)).await
}

/// Detach a saved method from its customer (it can no longer be charged).
pub async fn detach_method(client: &Client, method: &str) -> Result<Created, Failure> {
    let path = format!("/payment_methods/{method}/detach");
    send(client, post(path, &BTreeMap::<&str, &str>::new()), None).await
}
