//! Test harness: a local AWS stand-in (moto_server) started once per test binary on a free port,
//! and a `TestApp` per test with its own table, the demo data, a hand-moved clock, and helpers to
//! call the real functions' handlers in-process, signed in as any demo user.

use aws_sdk_dynamodb::config::Credentials;
use lambda_http::{Body, Request, Response};
use portal::App;
use portal::app::ManualClock;
use portal::aws::config::{Config, Secrets, SecretsSource};
use portal_admin::seed;
use serde_json::Value;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use time::OffsetDateTime;

pub const ORIGIN: &str = "https://portal.test";
pub const PASSWORD: &str = seed::DEFAULT_PASSWORD;
/// The Stripe keys of test apps that talk to a Stripe double.
pub const STRIPE_TEST_KEY: &str = "sk_test_portal";
pub const STRIPE_WEBHOOK_SECRET: &str = "whsec_portal_test";
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

/// The endpoint of this test binary's moto_server, started on first use. A watchdog shell stops it
/// when the test process exits.
pub fn moto_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    static WATCHDOG: OnceLock<std::sync::Mutex<std::process::Child>> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        // `infra/moto_server.py`: moto with DynamoDB requests applied one at a time (why: there).
        let moto = std::env::var("MOTO_SERVER").unwrap_or_else(|_| {
            let root = workspace_root();
            format!(
                "\"{}\" \"{}\"",
                root.join(".venv/bin/python").display(),
                root.join("infra/moto_server.py").display()
            )
        });
        let port = free_port();
        let script = format!(
            "{moto} -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; \
             while kill -0 {parent} 2>/dev/null && kill -0 $m 2>/dev/null; do sleep 0.5; done; kill $m 2>/dev/null",
            parent = std::process::id()
        );
        let watchdog = Command::new("bash")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .spawn()
            .expect("starting moto_server (run ./infra/test.sh, or set MOTO_SERVER)");
        // Held for the life of the test process; the watchdog ends itself and moto when we exit.
        WATCHDOG.get_or_init(|| std::sync::Mutex::new(watchdog));
        let addr = format!("127.0.0.1:{port}");
        for _ in 0..300 {
            if std::net::TcpStream::connect(&addr).is_ok() {
                return format!("http://{addr}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("moto_server did not start on {addr}");
    })
}

pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(moto_endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "tests"))
        .load()
        .await
}

pub struct TestApp {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub secrets: Secrets,
}

/// A response, read.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
    /// The body as text (gunzipped when the answer was gzipped).
    pub text: String,
    /// How many bytes the body took on the wire.
    pub wire_len: usize,
}

impl Answer {
    fn from(resp: Response<Body>) -> Self {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let gzipped = headers.get("content-encoding").is_some_and(|v| v == "gzip");
        let bytes = match resp.into_body() {
            Body::Text(t) => t.into_bytes(),
            Body::Binary(b) => b,
            _ => Vec::new(),
        };
        let wire_len = bytes.len();
        let bytes = if gzipped { gunzip(&bytes) } else { bytes };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
            wire_len,
        }
    }

    /// Header `name` of the answer, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The session cookie this answer sets, as `name=value` for a `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-portal_session=") && !c.contains("Max-Age=0"))
            .and_then(|c| c.split(';').next().map(str::to_owned))
    }

    /// Asserts this is a problem+json answer with `status` and returns its `type`.
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.text
        );
        assert!(
            self.body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "problem without a title: {}",
            self.text
        );
        self.body["type"].as_str().unwrap_or_default().to_owned()
    }
}

/// The data of one gzip member as `portal::web::gzip::encode` writes it (no optional header fields),
/// checked against its CRC-32 and length.
fn gunzip(member: &[u8]) -> Vec<u8> {
    assert!(
        member.len() >= 18 && member[..4] == [0x1f, 0x8b, 8, 0],
        "not a plain gzip member"
    );
    let (deflated, trailer) = member[10..].split_at(member.len() - 18);
    let data = miniz_oxide::inflate::decompress_to_vec(deflated).expect("inflate");
    assert_eq!(
        trailer[..4],
        crc32fast::hash(&data).to_le_bytes(),
        "gzip CRC-32"
    );
    assert_eq!(
        trailer[4..],
        (data.len() as u32).to_le_bytes(),
        "gzip length"
    );
    data
}

/// A request under construction.
pub struct Call<'a> {
    app: &'a TestApp,
    builder: lambda_http::http::request::Builder,
    body: Body,
}

impl Call<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }
    pub fn cookie(self, cookie: &str) -> Self {
        self.header("cookie", cookie)
    }
    pub fn json(self, body: Value) -> Self {
        self.raw_json(body.to_string())
    }
    pub fn raw_json(self, body: String) -> Self {
        self.raw(Some("application/json"), body)
    }
    /// A body with any (or no) content type.
    pub fn raw(mut self, content_type: Option<&str>, body: String) -> Self {
        if let Some(ct) = content_type {
            self.builder = self.builder.header("content-type", ct);
        }
        self.body = Body::Text(body);
        self
    }
    pub async fn send(self) -> Answer {
        let req: Request = self.builder.body(self.body).expect("request");
        let path = req.uri().path().to_owned();
        // The same split as the router in Cargo.toml and the HTTP API.
        let resp = if path.starts_with("/api/auth/")
            || path == "/api/me"
            || path.starts_with("/api/me/")
        {
            Box::pin(auth::handle(&self.app.app, req)).await
        } else if path == "/api/tickets" || path.starts_with("/api/tickets/") {
            Box::pin(tickets::handle(&self.app.app, req)).await
        } else if [
            "/api/invoices",
            "/api/payments",
            "/api/payment-methods",
            "/api/billing",
        ]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")))
        {
            Box::pin(billing::handle(&self.app.app, req)).await
        } else {
            Box::pin(accounts::handle(&self.app.app, req)).await
        };
        Answer::from(resp)
    }
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

    async fn build(stripe_base: Option<&str>) -> Self {
        let table = format!("portal-test-{}", portal::domain::random_hex(8));
        let aws = sdk_config().await;
        let config = Config {
            table_name: table.clone(),
            origin: ORIGIN.into(),
            cookie_secure: true,
            session_ttl: time::Duration::hours(12),
            remember_ttl: time::Duration::days(30),
            secrets: SecretsSource::File(String::new()),
            attachments_bucket: Some(table.clone()),
            s3_public_endpoint: None,
            mail_from: Some(format!("{table}@northwind.example")),
            support_email: Some(portal::domain::Email::parse(SUPPORT_EMAIL).expect("email")),
            stripe_api_base: stripe_base.map(|b| format!("{}/", b.trim_end_matches('/'))),
            stripe_timeout: std::time::Duration::from_secs(2),
        };
        let mut secrets = Secrets::generate().expect("secrets");
        if stripe_base.is_some() {
            secrets.stripe_secret_key = Some(STRIPE_TEST_KEY.into());
            secrets.stripe_webhook_secret = Some(STRIPE_WEBHOOK_SECRET.into());
        }
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
            builder: lambda_http::http::Request::builder()
                .method(method)
                .uri(format!("https://portal.test{path}"))
                .header("origin", ORIGIN),
            body: Body::Empty,
        }
    }

    /// A request without Origin or Referer (as a cross-site form or a script might send it).
    pub fn call_without_origin(&self, method: &str, path: &str) -> Call<'_> {
        Call {
            app: self,
            builder: lambda_http::http::Request::builder()
                .method(method)
                .uri(format!("https://portal.test{path}")),
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

    /// Every route, called once as a user allowed to use it, with the DynamoDB calls each made:
    /// `(label, status, calls)`. The cost test and the benchmark share it, so both cover every route.
    pub async fn call_every_route(&self) -> Vec<(String, u16, u64)> {
        let mut seen = Vec::new();
        let (calls, a) = self
            .count_calls(self.try_login("user@acme.example", PASSWORD))
            .await;
        seen.push(("POST /api/auth/login (success)".to_owned(), a.status, calls));
        let (calls, a) = self
            .count_calls(self.try_login("user@acme.example", "wrong password"))
            .await;
        seen.push((
            "POST /api/auth/login (wrong password)".to_owned(),
            a.status,
            calls,
        ));
        let client = self.login("fulladmin@acme.example").await;
        let staff = self.login("admin@northwind.example").await;
        let user_id = seed::demo_user_id("user@acme.example");
        for (path, cookie) in [
            ("/api/me".to_owned(), &client),
            ("/api/companies".to_owned(), &staff),
            ("/api/companies/acme-dental".to_owned(), &client),
            ("/api/companies/acme-dental/users".to_owned(), &client),
            (
                format!("/api/companies/acme-dental/users/{user_id}"),
                &client,
            ),
        ] {
            let (calls, a) = self.count_calls(self.get(&path, cookie)).await;
            seen.push((
                format!("GET {}", path.replace(user_id.as_str(), "{user_id}")),
                a.status,
                calls,
            ));
        }
        let (calls, a) = self
            .count_calls(self.get("/api/tickets/settings", &client))
            .await;
        seen.push(("GET /api/tickets/settings".to_owned(), a.status, calls));
        let settings = serde_json::to_value(portal::domain::tickets::TicketSettings::default())
            .expect("settings");
        let put = self
            .call("PUT", "/api/tickets/settings")
            .cookie(&staff)
            .json(settings);
        let (calls, a) = self.count_calls(put.send()).await;
        seen.push(("PUT /api/tickets/settings".to_owned(), a.status, calls));
        let ticket = serde_json::json!({"request_type": "Problem", "summary": "Bench", "description": "One ticket.", "priority": "low"});
        let (calls, a) = self
            .count_calls(
                self.call("POST", "/api/tickets")
                    .cookie(&client)
                    .json(ticket)
                    .send(),
            )
            .await;
        seen.push(("POST /api/tickets".to_owned(), a.status, calls));
        let (calls, list) = self.count_calls(self.get("/api/tickets", &client)).await;
        seen.push(("GET /api/tickets".to_owned(), list.status, calls));
        let (calls, stats) = self
            .count_calls(self.get("/api/tickets/stats", &client))
            .await;
        seen.push(("GET /api/tickets/stats".to_owned(), stats.status, calls));
        let number = a.body["number"].as_u64().unwrap_or_default();
        let note = serde_json::json!({"text": "A note."});
        let (calls, a) = self
            .count_calls(
                self.call("POST", &format!("/api/tickets/{number}/notes"))
                    .cookie(&client)
                    .json(note)
                    .send(),
            )
            .await;
        seen.push((
            "POST /api/tickets/{number}/notes".to_owned(),
            a.status,
            calls,
        ));
        let (calls, a) = self
            .count_calls(self.get(&format!("/api/tickets/{number}"), &client))
            .await;
        seen.push((
            "GET /api/tickets/{number} (client)".to_owned(),
            a.status,
            calls,
        ));
        let (calls, a) = self
            .count_calls(self.get(&format!("/api/tickets/{number}"), &staff))
            .await;
        seen.push((
            "GET /api/tickets/{number} (MSP staff)".to_owned(),
            a.status,
            calls,
        ));
        for (label, path, cookie) in [
            (
                "GET /api/tickets?q={number} (client)",
                format!("/api/tickets?q={number}"),
                &client,
            ),
            (
                "GET /api/tickets?q={number} (MSP staff)",
                format!("/api/tickets?q={number}"),
                &staff,
            ),
            (
                "GET /api/tickets?q=bench (words)",
                "/api/tickets?q=bench".to_owned(),
                &client,
            ),
            (
                "GET /api/tickets/export",
                "/api/tickets/export".to_owned(),
                &client,
            ),
        ] {
            let (calls, a) = self.count_calls(self.get(&path, cookie)).await;
            seen.push((label.to_owned(), a.status, calls));
        }
        let change = serde_json::json!({"status": "resolved", "version": 2});
        let (calls, a) = self
            .count_calls(
                self.call("PATCH", &format!("/api/tickets/{number}"))
                    .cookie(&client)
                    .json(change)
                    .send(),
            )
            .await;
        seen.push(("PATCH /api/tickets/{number}".to_owned(), a.status, calls));
        // Accounts.
        let acme = "/api/companies/acme-dental";
        let invite = serde_json::json!({"name": "Cost Check", "email": "cost@acme.example", "role": "standard_user"});
        let role = serde_json::json!({"version": 0, "role": "ticket_manager"});
        let me = serde_json::json!({"phone": "+1 555 0100"});
        let calls_of: [(&str, &str, String, Option<serde_json::Value>, &String); 9] = [
            (
                "GET /api/me/sessions",
                "GET",
                "/api/me/sessions".into(),
                None,
                &client,
            ),
            (
                "PATCH /api/me",
                "PATCH",
                "/api/me".into(),
                Some(me),
                &client,
            ),
            (
                "POST /api/companies/{id}/users (invite)",
                "POST",
                format!("{acme}/users"),
                Some(invite),
                &client,
            ),
            (
                "PATCH /api/companies/{id}/users/{user_id}",
                "PATCH",
                format!("{acme}/users/{user_id}"),
                Some(role),
                &client,
            ),
            (
                "GET /api/companies/{id}/audit",
                "GET",
                format!("{acme}/audit"),
                None,
                &client,
            ),
            (
                "GET /api/companies/{id}/audit?user=",
                "GET",
                format!("{acme}/audit?user={user_id}"),
                None,
                &client,
            ),
            (
                "GET /api/companies?q=acme",
                "GET",
                "/api/companies?q=acme".into(),
                None,
                &staff,
            ),
            (
                "POST /api/me/mfa",
                "POST",
                "/api/me/mfa".into(),
                Some(serde_json::json!({})),
                &client,
            ),
            (
                "POST /api/auth/password-reset",
                "POST",
                "/api/auth/password-reset".into(),
                Some(serde_json::json!({"email": "user@acme.example"})),
                &client,
            ),
        ];
        for (label, method, path, body, cookie) in calls_of {
            let mut call = self.call(method, &path).cookie(cookie);
            if let Some(body) = body {
                call = call.json(body);
            }
            let (calls, a) = self.count_calls(call.send()).await;
            seen.push((label.to_owned(), a.status, calls));
        }
        self.call_billing_routes(&mut seen, &client, &staff).await;
        let (calls, a) = self
            .count_calls(self.call("POST", "/api/auth/logout").cookie(&client).send())
            .await;
        seen.push(("POST /api/auth/logout".to_owned(), a.status, calls));
        seen
    }

    /// How many session items a company's partition holds.
    pub async fn session_count(&self, company: &str) -> usize {
        let items = self.items_in(&format!("CO#{company}")).await;
        items
            .iter()
            .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("SESSION#")))
            .count()
    }

    /// DynamoDB calls made while running `f`.
    /// The billing part of `call_every_route`.
    async fn call_billing_routes(
        &self,
        seen: &mut Vec<(String, u16, u64)>,
        client: &str,
        staff: &str,
    ) {
        // Billing: an MSP admin drafts and issues; the client reads.
        let invoice = serde_json::json!({"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]});
        let (calls, draft) = self
            .count_calls(
                self.call("POST", "/api/invoices")
                    .cookie(staff)
                    .json(invoice)
                    .send(),
            )
            .await;
        seen.push(("POST /api/invoices".to_owned(), draft.status, calls));
        let id = draft.body["id"].as_str().unwrap_or_default().to_owned();
        let issue = self
            .call(
                "POST",
                &format!("/api/invoices/{id}/issue?company=acme-dental"),
            )
            .cookie(staff)
            .json(serde_json::json!({"version": draft.body["version"]}));
        let (calls, a) = self.count_calls(issue.send()).await;
        seen.push(("POST /api/invoices/{id}/issue".to_owned(), a.status, calls));
        for (label, path) in [
            ("GET /api/invoices", "/api/invoices".to_owned()),
            ("GET /api/invoices/{id}", format!("/api/invoices/{id}")),
            (
                "GET /api/invoices?q=",
                "/api/invoices?q=INV-0001".to_owned(),
            ),
            (
                "GET /api/billing/overview",
                "/api/billing/overview".to_owned(),
            ),
            ("GET /api/payments", "/api/payments".to_owned()),
            (
                "GET /api/payment-methods",
                "/api/payment-methods".to_owned(),
            ),
        ] {
            let (calls, a) = self.count_calls(self.get(&path, client)).await;
            seen.push((label.to_owned(), a.status, calls));
        }
    }

    pub async fn count_calls<F: std::future::Future<Output = Answer>>(
        &self,
        f: F,
    ) -> (u64, Answer) {
        let before = self.app.dynamo_calls.get();
        let answer = f.await;
        (self.app.dynamo_calls.get() - before, answer)
    }
}

/// The whole API's OpenAPI document, merged from each function's part.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = auth::ApiDoc::openapi();
    doc.merge(accounts::ApiDoc::openapi());
    doc.merge(tickets::ApiDoc::openapi());
    doc.merge(billing::ApiDoc::openapi());
    doc.info = utoipa::openapi::InfoBuilder::new()
        .title("MSP client portal API")
        .version("0.1.0")
        .description(Some("JSON over /api. Errors are application/problem+json. Generated from the code by `cargo run -p portal-tests --bin openapi -- --write`."))
        .build();
    doc
}

pub fn openapi_path() -> PathBuf {
    workspace_root().join("docs/openapi.json")
}

pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().expect("openapi json");
    text.push('\n');
    text
}

impl TestApp {
    /// Mail this test app has sent, oldest first.
    pub async fn mail(&self) -> Vec<Value> {
        let from = format!("{}@northwind.example", self.app.config.table_name);
        sent_mail()
            .await
            .into_iter()
            .filter(|m| m["source"] == from.as_str())
            .collect()
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

/// Mail the local SES stand-in has captured ({source, destinations, subject, body}), newest last:
/// `infra/moto_server.py`'s `/_portal/mailbox.json` (not `/moto-api/data.json`, which dumps every
/// test's table and slows as the run goes on).
pub async fn sent_mail() -> Vec<Value> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = moto_endpoint().trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("moto");
    let request = format!("GET /_portal/mailbox.json HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("request");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("response");
    let text = String::from_utf8_lossy(&raw);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    serde_json::from_str(body).expect("the mailbox (infra/moto_server.py)")
}
