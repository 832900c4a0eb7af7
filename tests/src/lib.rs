//! Test harness (in the style of crates.io's `src/tests/util`): a local AWS stand-in (moto_server)
//! started once per test binary on a free port, and a `TestApp` per test with its own table, the
//! demo data, a hand-moved clock, and typed, signed-in demo users whose requests go to the real
//! functions' handlers in-process.

use lambda_http::Body;
use portal::App;
use portal::app::ManualClock;
use portal::aws::config::{Config, SecretsSource};
use portal::aws::secrets::Secrets;
use portal_admin::seed;
use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

mod answer;
pub mod authenticator;
pub mod bench;
mod call;
pub mod files;
pub mod idp;
mod moto;
mod openapi;
pub mod routes;
pub mod stripe;
pub mod users;

pub use answer::Answer;
pub use call::Call;
pub use moto::{moto_endpoint, sdk_config, sent_mail};
pub use openapi::{openapi, openapi_json, openapi_path};
pub use users::{DemoUser, SignedIn};

pub const ORIGIN: &str = "https://portal.test";
pub const PASSWORD: &str = seed::DEFAULT_PASSWORD;
/// The Stripe keys of test apps that talk to a Stripe double.
pub const STRIPE_TEST_KEY: &str = "sk_test_portal";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_portal_test";
/// What the test apps' CloudFront adds to every request (`X-Origin-Verify`).
pub const ORIGIN_SECRET: &str = "test-origin-secret";
/// The address test requests come from unless a test says otherwise (`Call::from_ip`).
pub const CLIENT_IP: &str = "192.0.2.10";
/// The MSP support mailbox of test apps.
pub const SUPPORT_EMAIL: &str = "support@northwind.example";

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("no free port")
}

pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub secrets: Secrets,
}

/// A request as it reaches the functions through CloudFront: with the origin secret and the
/// viewer's address.
fn through_cloudfront(method: &str, path: &str) -> lambda_http::http::request::Builder {
    lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://portal.test{path}"))
        .header("x-origin-verify", ORIGIN_SECRET)
        .header("cloudfront-viewer-address", viewer_address(CLIENT_IP))
}

/// `CloudFront-Viewer-Address` as CloudFront writes it: the address, then the viewer's port.
pub(crate) fn viewer_address(ip: &str) -> String {
    format!("{ip}:50123")
}

impl TestApp {
    /// A fresh table with the demo data, on the shared moto_server.
    pub async fn new() -> Self {
        Self::build(None).await
    }

    /// A test app whose Stripe is at `stripe_base` (a wiremock server), with test keys.
    pub async fn with_stripe(stripe_base: &str) -> Self {
        Self::build(Some(stripe_base)).await
    }

    /// A test app that signs in with Microsoft at `microsoft` and Google at `google` (wiremock
    /// servers, `idp::MockIdp`), with the test client id and secret at both.
    pub async fn with_sso(microsoft: &str, google: &str) -> Self {
        Self::build_with(None, |config, secrets| {
            config.sso = portal::aws::config::SsoEndpoints {
                microsoft_authority: microsoft.into(),
                google_issuer: google.into(),
            };
            secrets.microsoft_client_id = Some(idp::CLIENT_ID.into());
            secrets.microsoft_client_secret = Some(idp::CLIENT_SECRET.into());
            secrets.google_client_id = Some(idp::CLIENT_ID.into());
            secrets.google_client_secret = Some(idp::CLIENT_SECRET.into());
        })
        .await
    }

    async fn build(stripe_base: Option<&str>) -> Self {
        Self::build_with(stripe_base, |_, _| {}).await
    }

    async fn build_with(
        stripe_base: Option<&str>,
        adjust: impl FnOnce(&mut Config, &mut Secrets),
    ) -> Self {
        // The tests' own HTTP clients (uploads to the S3 stand-in) use rustls without a built-in
        // provider: the process's default, installed once (the functions hand theirs in).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let table = format!("portal-test-{}", portal::domain::random_hex(8));
        let aws = sdk_config().await;
        let config = Config {
            table_name: table.clone(),
            origin: ORIGIN.into(),
            origin_alias: None,
            cookie_secure: true,
            session_ttl: time::Duration::hours(12),
            remember_ttl: time::Duration::days(30),
            session_idle: time::Duration::minutes(60),
            origin_secret: Some(ORIGIN_SECRET.into()),
            secrets: SecretsSource::File(String::new()),
            secret_parts: Vec::new(),
            attachments_bucket: Some(table.clone()),
            s3_public_endpoint: None,
            mail_from: Some(format!("{table}@northwind.example")),
            support_email: Some(portal::domain::Email::parse(SUPPORT_EMAIL).expect("email")),
            stripe_api_base: stripe_base.map(|b| format!("{}/", b.trim_end_matches('/'))),
            stripe_timeout: std::time::Duration::from_secs(2),
            sso: Default::default(),
        };
        let mut secrets = Secrets::generate().expect("secrets");
        if stripe_base.is_some() {
            secrets.stripe_secret_key = Some(STRIPE_TEST_KEY.into());
            secrets.stripe_webhook_secret = Some(STRIPE_WEBHOOK_SECRET.into());
        }
        let mut config = config;
        adjust(&mut config, &mut secrets);
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let app = App::new(config, &secrets, &aws, clock.clone()).expect("app");
        portal::store::table::ensure(&app.store.db, &table)
            .await
            .expect("table");
        seed::seed(&app.store, PASSWORD, app.now())
            .await
            .expect("seed");
        // Each test app has its own attachments bucket and mail sender (whose mail it reads back).
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&aws)
                .force_path_style(true)
                .build(),
        )
        .create_bucket()
        .bucket(&table)
        .send()
        .await
        .expect("bucket");
        aws_sdk_sesv2::Client::new(&aws)
            .create_email_identity()
            .email_identity(format!("{table}@northwind.example"))
            .send()
            .await
            .expect("email identity");
        Self {
            app,
            clock,
            secrets,
        }
    }

    /// A request from the portal's own origin (as a browser sends it).
    pub fn call(&self, method: &str, path: &str) -> Call<'_> {
        Call {
            app: self,
            builder: through_cloudfront(method, path).header("origin", ORIGIN),
            body: Body::Empty,
        }
    }

    /// A request without Origin or Referer (as a cross-site form or a script might send it).
    pub fn call_without_origin(&self, method: &str, path: &str) -> Call<'_> {
        Call {
            app: self,
            builder: through_cloudfront(method, path),
            body: Body::Empty,
        }
    }

    pub async fn try_login(&self, email: &str, password: &str) -> Answer {
        self.call("POST", "/api/auth/login")
            .json(serde_json::json!({"email": email, "password": password, "remember": false}))
            .send()
            .await
    }

    /// Sign in as a demo user; the `Cookie` header value for their session.
    pub async fn login(&self, email: &str) -> String {
        let answer = self.try_login(email, PASSWORD).await;
        assert_eq!(answer.status, 204, "login as {email}: {}", answer.text);
        answer.session_cookie().expect("session cookie")
    }

    /// Deliver a Stripe event to the webhook, signed as Stripe signs it at the app's current time.
    pub async fn webhook(&self, event: &Value) -> Answer {
        let body = event.to_string();
        let t = self.app.now().unix_timestamp();
        self.webhook_signed(
            &body,
            &format!(
                "t={t},v1={}",
                billing::sign_payload(STRIPE_WEBHOOK_SECRET, t, body.as_bytes())
            ),
        )
        .await
    }

    /// Deliver `body` with any `Stripe-Signature` header (and no Origin, as Stripe sends it).
    pub async fn webhook_signed(&self, body: &str, signature: &str) -> Answer {
        self.call_without_origin("POST", "/api/payments/webhook")
            .header("stripe-signature", signature)
            .raw(Some("application/json"), body.to_owned())
            .send()
            .await
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Answer {
        self.call("GET", path).cookie(cookie).send().await
    }

    pub async fn post(&self, path: &str, cookie: &str, body: Value) -> Answer {
        self.call("POST", path)
            .cookie(cookie)
            .json(body)
            .send()
            .await
    }

    pub async fn patch(&self, path: &str, cookie: &str, body: Value) -> Answer {
        self.call("PATCH", path)
            .cookie(cookie)
            .json(body)
            .send()
            .await
    }

    /// Every item of the table, ordered by key (tests only: to show that nothing was written).
    pub async fn all_items(&self) -> Vec<portal::store::Item> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .app
                .store
                .db
                .scan()
                .table_name(&self.app.store.table)
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .expect("scan");
            items.extend(out.items.unwrap_or_default());
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        let key = |i: &portal::store::Item| {
            let part = |name: &str| i.get(name).and_then(|v| v.as_s().ok()).cloned();
            (part("pk"), part("sk"))
        };
        items.sort_by_key(key);
        items
    }

    /// Every item in a partition (tests only: to show what was or was not written).
    pub async fn items_in(&self, pk: &str) -> Vec<portal::store::Item> {
        self.app
            .store
            .db
            .query()
            .table_name(&self.app.store.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(
                ":pk",
                aws_sdk_dynamodb::types::AttributeValue::S(pk.into()),
            )
            .send()
            .await
            .expect("query")
            .items
            .unwrap_or_default()
    }

    /// How many session items a company's partition holds.
    pub async fn session_count(&self, company: &str) -> usize {
        let items = self.items_in(&format!("CO#{company}")).await;
        items
            .iter()
            .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("SESSION#")))
            .count()
    }

    /// Mail this test app has sent, oldest first.
    pub async fn mail(&self) -> Vec<Value> {
        let from = format!("{}@northwind.example", self.app.config.table_name);
        sent_mail()
            .await
            .into_iter()
            .filter(|m| m["source"] == from.as_str())
            .collect()
    }

    /// The token in the newest mail to `to` (links carry it as `#token=…`).
    pub async fn token_mailed_to(&self, to: &str) -> String {
        let mail = self.mail().await;
        let last = mail
            .iter()
            .rev()
            .find(|m| m["destinations"]["ToAddresses"][0] == to)
            .unwrap_or_else(|| panic!("no mail to {to}: {mail:#?}"));
        let body = last["body"]
            .as_str()
            .map_or_else(|| last["body"].to_string(), str::to_owned);
        let start = body.find("#token=").expect("link with token") + "#token=".len();
        body[start..]
            .split(|c: char| c.is_whitespace() || c == '"' || c == '\\')
            .next()
            .unwrap()
            .to_owned()
    }

    /// The S3 client tests check attachments with.
    pub fn s3(&self) -> aws_sdk_s3::Client {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&self.app.aws)
                .force_path_style(true)
                .build(),
        )
    }
}
