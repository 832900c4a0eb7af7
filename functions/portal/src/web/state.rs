//! The state a function builds once at cold start and every request borrows (`Ctx::app`):
//! configuration, the store, clients, signing keys and the clock. `app` builds it.

use std::any::Any;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;

use crate::auth::seal::SealKey;
use crate::auth::token::TokenKeys;
use crate::aws::config::Config;
use crate::aws::mail::Mailer;
use crate::aws::s3::Files;
use crate::domain::Clock;
use crate::store::Store;
use crate::store::metrics::{CallCounter, ReadMeter};
use crate::web::cursor::CursorKey;

pub struct App {
    pub config: Config,
    pub store: Store,
    pub tokens: TokenKeys,
    pub cursors: CursorKey,
    /// Seals the challenge between the two steps of a sign-in.
    pub challenges: SealKey,
    /// Seals upload grants.
    pub uploads: SealKey,
    /// Locks a provider sign-in's cookie.
    pub flows: crate::auth::seal::LockKey,
    /// The WebAuthn relying party passkeys are registered with and checked against.
    pub passkeys: crate::auth::passkeys::RelyingParty,
    pub clock: Arc<dyn Clock>,
    /// DynamoDB requests sent by this instance (benchmarks and tests read it).
    pub dynamo_calls: CallCounter,
    /// Items and bytes DynamoDB answered with (benchmarks read it).
    pub dynamo_reads: ReadMeter,
    /// The AWS configuration (credentials and region for presigned uploads).
    pub aws: aws_config::SdkConfig,
    /// The private bucket and its S3 clients.
    pub files: Files,
    /// Clients a function builds once, on first use, and keeps for its lifetime (Stripe's).
    pub extensions: Extensions,
    /// Outgoing email, when `MAIL_FROM` is set.
    pub mailer: Option<Mailer>,
    /// The key TOTP secrets are derived from (see `totp::secret`; `auth::keys`).
    pub mfa_key: Vec<u8>,
    /// Stripe keys, when online payment is set up.
    pub stripe: Option<crate::aws::secrets::StripeKeys>,
    /// The identity providers set up for signing in (auth only; docs/sso.md).
    pub sso: Vec<crate::aws::secrets::SsoClient>,
    /// The MSP's branding this build carries (`site/branding.toml`).
    pub branding: crate::domain::branding::Branding,
}

impl App {
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

    /// Email `company`'s active users that `wanted` picks (see `recipients`), if there are any.
    pub async fn tell(
        &self,
        company: &crate::domain::CompanyId,
        wanted: impl Fn(&crate::domain::account::User) -> bool,
        subject: String,
        text: String,
    ) {
        let to = self.recipients(company, wanted).await;
        if !to.is_empty() {
            let mail = crate::aws::mail::Outgoing {
                to,
                subject,
                text,
                html: None,
            };
            self.send_mail(&mail).await;
        }
    }

    /// The addresses of `company`'s active users that `wanted` picks (by role and email
    /// preferences), sorted, once each. A failure to list them is logged: whoever was listed
    /// before it still hears.
    pub async fn recipients(
        &self,
        company: &crate::domain::CompanyId,
        wanted: impl Fn(&crate::domain::account::User) -> bool,
    ) -> Vec<crate::domain::Email> {
        let mut to = Vec::new();
        let mut start = None;
        loop {
            let page = match self.store.list_users(company, start, 100).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::error!(error = ?err, "listing the users to email");
                    break;
                }
            };
            to.extend(
                page.items
                    .into_iter()
                    .filter(|u| u.status == crate::domain::UserStatus::Active && wanted(u))
                    .map(|u| u.email),
            );
            match page.last_key {
                Some(key) => start = Some(key),
                None => break,
            }
        }
        to.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        to.dedup();
        to
    }
}

/// Clients a function (not the shared library) owns, each built once per instance on first use and
/// kept with the `App`: the billing function's Stripe client.
#[derive(Default)]
pub struct Extensions(Mutex<Vec<Arc<dyn Any + Send + Sync>>>);

impl Extensions {
    /// The one `T` of this instance, built by `init` the first time it is asked for (a failed
    /// `init` is tried again next time).
    pub fn get_or_try_init<T: Any + Send + Sync>(
        &self,
        init: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<Arc<T>> {
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = all.iter().find_map(|e| e.clone().downcast::<T>().ok()) {
            return Ok(found);
        }
        let made = Arc::new(init()?);
        all.push(made.clone());
        Ok(made)
    }
}
