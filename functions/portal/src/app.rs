//! The top layer: a function's cold start (configuration from the environment, secrets, the AWS
//! clients and keys of `App`, built once) and its Lambda loop (`run`).

use std::sync::Arc;

use crate::auth::keys::PurposeKeys;
use crate::auth::token::TokenKeys;
use crate::aws::config::Config;
use crate::aws::mail::Mailer;
use crate::aws::s3::Files;
use crate::aws::secrets::Secrets;
use crate::store::Store;
use crate::store::metrics::{CallCounter, ReadMeter};
use crate::web::cursor::CursorKey;

pub use crate::domain::clock::{Clock, ManualClock, SystemClock};
pub use crate::web::state::{App, Extensions};

impl App {
    /// Cold start: configuration from the environment, AWS clients, secrets.
    pub async fn from_env() -> anyhow::Result<Self> {
        let config = Config::from_env()?;
        let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let secrets = Secrets::load(&config.secrets, &config.secret_parts, &aws).await?;
        let app = Self::new(config, &secrets, &aws, Arc::new(SystemClock))?;
        if std::env::var("PORTAL_STAGE").as_deref() == Ok("prod") && app.branding.is_demo() {
            anyhow::bail!(
                "this build carries the demo branding (site/branding.toml: Northwind IT): put your MSP's \
                 name, support contact and invoice details there, then build and deploy again"
            );
        }
        Ok(app)
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
        let keys = PurposeKeys::derive(&secrets.master_key_bytes()?);
        Ok(Self {
            store: Store::new(db, config.table_name.clone()),
            tokens: match secrets.jwt_signing_der()? {
                Some(private) => {
                    TokenKeys::signing(&private, &secrets.jwt_public_raw()?, &config.origin)?
                }
                None => TokenKeys::verifying(&secrets.jwt_public_raw()?, &config.origin),
            },
            cursors: CursorKey::new(&keys.cursors),
            challenges: keys.challenges,
            uploads: keys.uploads,
            flows: keys.flows,
            passkeys: crate::auth::passkeys::RelyingParty::for_origin(
                config.origin_alias.as_deref().unwrap_or(&config.origin),
            )?,
            mfa_key: keys.totp,
            stripe: secrets.stripe(),
            sso: secrets.sso(),
            branding: crate::domain::branding::Branding::embedded()?,
            clock,
            dynamo_calls,
            dynamo_reads,
            files: Files::new(
                aws,
                config.attachments_bucket.clone(),
                config.s3_public_endpoint.as_deref(),
            ),
            extensions: Extensions::default(),
            aws: aws.clone(),
            mailer: config.mail_from.as_ref().map(|from| Mailer::new(aws, from)),
            config,
        })
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

/// The whole `main` of a scheduled job: logging, the app built once at cold start, then `job` for
/// each scheduled event (its JSON answer is the invocation's result). From a shell, `--once` runs
/// it once and prints that answer (local development).
pub async fn run_job(
    job: impl AsyncFn(&App) -> anyhow::Result<serde_json::Value>,
) -> Result<(), lambda_http::lambda_runtime::Error> {
    use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    if std::env::args().any(|a| a == "--once") {
        println!("{}", job(&app).await?);
        return Ok(());
    }
    let (app, job) = (&app, &job);
    lambda_runtime::run(service_fn(
        move |_: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, lambda_runtime::Error>(job(app).await?)
        },
    ))
    .await
}
