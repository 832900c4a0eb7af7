//! The state a function builds once at cold start and every request borrows: configuration, the
//! store, signing keys and the clock.

use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

use crate::auth::token::TokenKeys;
use crate::aws::config::{Config, Secrets};
use crate::aws::mail::Mailer;
use crate::store::Store;
use crate::store::metrics::{CallCounter, ReadMeter};
use crate::web::cursor::CursorKey;

/// Time is injected so expiry is testable without sleeping.
pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock tests move by hand.
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(Mutex::new(at))
    }
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub struct App {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenKeys,
    pub cursors: CursorKey,
    pub clock: Arc<dyn Clock>,
    /// DynamoDB requests sent by this instance (benchmarks and tests read it).
    pub dynamo_calls: CallCounter,
    /// Items and bytes DynamoDB answered with (benchmarks read it).
    pub dynamo_reads: ReadMeter,
    /// The AWS configuration, for functions that build further clients (S3).
    pub aws: aws_config::SdkConfig,
    /// Outgoing email, when `MAIL_FROM` is set.
    pub mailer: Option<Mailer>,
    /// The key TOTP secrets are derived from (see `totp::secret`), itself derived from the
    /// cursor secret, so no new secret needs provisioning.
    pub mfa_key: Vec<u8>,
    /// Stripe keys, when online payment is set up.
    pub stripe: Option<crate::aws::config::StripeKeys>,
    /// The MSP's branding this build carries (`site/branding.toml`).
    pub branding: crate::domain::branding::Branding,
}

impl App {
    /// Cold start: configuration from the environment, AWS clients, secrets.
    pub async fn from_env() -> anyhow::Result<Self> {
        let config = Config::from_env()?;
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let secrets = Secrets::load(&config.secrets, &aws).await?;
        Self::new(config, &secrets, &aws, Arc::new(SystemClock))
    }

    pub fn new(
        config: Config,
        secrets: &Secrets,
        aws: &aws_config::SdkConfig,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let dynamo_calls = CallCounter::default();
        let dynamo_reads = ReadMeter::default();
        let db = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(aws)
                .interceptor(dynamo_calls.clone())
                .interceptor(dynamo_reads.clone())
                .build(),
        );
        Ok(Self {
            store: Store::new(db, config.table_name.clone()),
            tokens: TokenKeys::new(&secrets.jwt_key_der()?, &config.origin)?,
            cursors: CursorKey::new(&secrets.cursor_key_bytes()?),
            mfa_key: {
                let key = aws_lc_rs::hmac::Key::new(
                    aws_lc_rs::hmac::HMAC_SHA256,
                    &secrets.cursor_key_bytes()?,
                );
                aws_lc_rs::hmac::sign(&key, b"portal totp secrets v1")
                    .as_ref()
                    .to_vec()
            },
            stripe: secrets.stripe(),
            branding: crate::domain::branding::Branding::embedded()?,
            clock,
            dynamo_calls,
            dynamo_reads,
            aws: aws.clone(),
            mailer: config.mail_from.as_ref().map(|from| Mailer::new(aws, from)),
            config,
        })
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    /// Send an email that accompanies a change already made: a failure is logged, never turned
    /// into an error for the request (the change stands). Without `MAIL_FROM`, nothing is sent.
    pub async fn send_mail(&self, mail: &crate::aws::mail::Outgoing) {
        let Some(mailer) = &self.mailer else {
            tracing::info!(subject = %mail.subject, "email not sent: MAIL_FROM is not set");
            return;
        };
        if let Err(err) = mailer.send(mail).await {
            tracing::error!(error = ?err, subject = %mail.subject, "email not sent");
        }
    }
}

/// A function's request handler: borrows the app, answers one request.
pub type Handler = for<'a> fn(
    &'a App,
    lambda_http::Request,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = lambda_http::Response<lambda_http::Body>> + Send + 'a>,
>;

/// The whole `main` of a function: logging, the app built once at cold start, then requests.
pub async fn run(handle: Handler) -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    let app = &app;
    lambda_http::run(lambda_http::service_fn(move |req| async move {
        Ok::<_, lambda_http::Error>(handle(app, req).await)
    }))
    .await
}
