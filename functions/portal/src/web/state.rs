//! The state a function builds once at cold start and every request borrows (`Ctx::app`):
//! configuration, the store, clients, signing keys and the clock. `app` builds it.

use std::sync::Arc;
use time::OffsetDateTime;

use crate::auth::token::TokenKeys;
use crate::aws::config::Config;
use crate::aws::mail::Mailer;
use crate::domain::Clock;
use crate::store::Store;
use crate::store::metrics::{CallCounter, ReadMeter};
use crate::web::cursor::CursorKey;

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
