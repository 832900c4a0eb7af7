//! The one error type of the API and its one mapping to HTTP: `application/problem+json` (RFC 9457)
//! with a stable `type`, a human `title`, and per-field messages for 422. Unexpected errors answer
//! an opaque 500 and log their whole cause chain.

use lambda_http::{Body, Response, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("not signed in")]
    Unauthenticated,
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("invalid second-factor code")]
    InvalidCode,
    /// A passkey's answer failed a check, or names no passkey the portal knows.
    #[error("passkey refused")]
    PasskeyRefused,
    #[error("MFA enrolment required")]
    MfaEnrolmentRequired,
    /// An invitation or reset link that is unknown, used, expired or for something else.
    #[error("invalid or expired link")]
    InvalidToken,
    #[error("cross-site request refused")]
    CrossSite,
    /// A request that did not come through the portal's CloudFront (no origin secret).
    #[error("request around CloudFront refused")]
    AroundCdn,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// MSP staff asked for something of a client company without naming which (`?company=`).
    #[error("no company named")]
    CompanyNeeded,
    /// The path exists, not with this method; `allow` lists the methods it has.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("changed by someone else")]
    Conflict,
    /// The request is valid but the object's state refuses it (a note on a closed ticket). The
    /// message says what to do instead.
    #[error("refused by state: {1}")]
    State(&'static str, String),
    /// A file whose rows do not all pass (an import): each bad row's line and reason; nothing was
    /// written. `bad` counts them all; at most `MAX_REPORTED` are listed.
    #[error("import rejected")]
    ImportRejected {
        rows: Vec<crate::domain::configurations::import::RowError>,
        bad: usize,
    },
    #[error("body too large")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type")]
    /// The body is not of the media type the route takes (named).
    UnsupportedMediaType(&'static str),
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: i64 },
    /// The payment provider refused to charge (a declined card, a method that needs the client to
    /// confirm): nothing was paid; the message says why and what to do instead.
    #[error("payment declined: {0}")]
    Declined(String),
    /// A service we depend on (Stripe) failed or did not answer; nothing was changed.
    #[error("upstream failed: {0}")]
    Upstream(String),
    /// Microsoft's or Google's sign-in could not be reached or answered wrongly.
    #[error("identity provider failed: {0}")]
    IdentityProvider(String),
    /// A feature this deployment has not set up (online payment without Stripe keys).
    #[error("not set up: {1}")]
    NotSetUp(&'static str, String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// A 422 about one field.
    pub fn invalid(field: &str, message: &str) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }
}

use crate::auth::signin::AuthError;
use crate::domain::DomainError;
pub use crate::domain::FieldError;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable, machine-readable error kind, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Short human summary.
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// An import's bad rows (`/problems/import-rejected`): line in the file, column, reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<crate::domain::configurations::import::RowError>,
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound => ApiError::NotFound,
            DomainError::Validation(errors) => ApiError::Validation(errors),
        }
    }
}

impl From<AuthError> for ApiError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::Validation(errors) => ApiError::Validation(errors),
            AuthError::InvalidCredentials => ApiError::InvalidCredentials,
            AuthError::InvalidCode => ApiError::InvalidCode,
            AuthError::MethodOff(company) => ApiError::State(
                "/problems/sign-in-method-off",
                format!(
                    "{company} signs in with Microsoft or Google, not a password: use the button for it"
                ),
            ),
            AuthError::PhishingResistantRequired(company) => ApiError::State(
                "/problems/phishing-resistant-required",
                format!(
                    "{company} requires signing in with a passkey, Microsoft or Google: a password (with or without a code) is not enough"
                ),
            ),
            AuthError::PasskeyRefused => ApiError::PasskeyRefused,
            AuthError::TooManyAttempts { retry_after_secs } => {
                ApiError::TooManyAttempts { retry_after_secs }
            }
            AuthError::ChallengeExpired => ApiError::State(
                "/problems/challenge-expired",
                "This sign-in has expired: enter your email and password again".into(),
            ),
            AuthError::Internal(err) => ApiError::Internal(err),
        }
    }
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidToken => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::ImportRejected { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unauthenticated
            | ApiError::InvalidCredentials
            | ApiError::InvalidCode
            | ApiError::PasskeyRefused => StatusCode::UNAUTHORIZED,
            ApiError::CrossSite
            | ApiError::AroundCdn
            | ApiError::Forbidden
            | ApiError::MfaEnrolmentRequired => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::CompanyNeeded => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict | ApiError::State(..) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Declined(_) => StatusCode::PAYMENT_REQUIRED,
            ApiError::Upstream(_) | ApiError::IdentityProvider(_) => StatusCode::BAD_GATEWAY,
            ApiError::NotSetUp(..) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title, detail): (&'static str, &str, Option<String>) = match self {
            ApiError::BadRequest(msg) => ("/problems/bad-request", "The request could not be read", Some(msg.clone())),
            ApiError::Validation(_) => ("/problems/validation", "Some fields need attention", None),
            ApiError::Unauthenticated => ("/problems/unauthenticated", "Please sign in", None),
            ApiError::InvalidCredentials => ("/problems/invalid-credentials", "The email or password is incorrect", None),
            ApiError::InvalidToken => (
                "/problems/invalid-token",
                "This link does not work any more",
                Some("It may have been used already or have expired. Ask for a new one.".into()),
            ),
            ApiError::InvalidCode => ("/problems/invalid-code", "That code is not valid or was already used", None),
            ApiError::PasskeyRefused => (
                "/problems/passkey-refused",
                "That passkey could not be used to sign in",
                Some("It may have been removed from your account. Try another way to sign in.".into()),
            ),
            ApiError::MfaEnrolmentRequired => (
                "/problems/mfa-enrolment-required",
                "Set up two-factor authentication to continue",
                Some("Your organisation requires it. Open your account page to set it up.".into()),
            ),
            ApiError::CrossSite => (
                "/problems/cross-site",
                "This request did not come from the portal",
                Some("State-changing requests must carry an Origin or Referer header naming the portal.".into()),
            ),
            ApiError::AroundCdn => (
                "/problems/not-through-portal",
                "Use the portal's own address",
                Some("The API answers only requests that come through the portal's address.".into()),
            ),
            ApiError::Forbidden => ("/problems/forbidden", "You do not have permission to do that", None),
            ApiError::NotFound => ("/problems/not-found", "Not found", None),
            ApiError::CompanyNeeded => (
                "/problems/company-needed",
                "Name the client company",
                Some("MSP staff name the client company: ?company=".into()),
            ),
            ApiError::MethodNotAllowed { allow } => (
                "/problems/method-not-allowed",
                "Method not allowed",
                Some(format!("This address answers {allow}.")),
            ),
            ApiError::Conflict => (
                "/problems/conflict",
                "Someone else changed this in the meantime",
                Some("Reload to see their changes, then try again.".into()),
            ),
            ApiError::State(kind, message) => (kind, message.as_str(), None),
            ApiError::ImportRejected { bad, .. } => (
                "/problems/import-rejected",
                "Some rows cannot be imported",
                Some(format!(
                    "{bad} row{} need{} attention; nothing was imported. Correct the file and import it again.",
                    if *bad == 1 { "" } else { "s" },
                    if *bad == 1 { "s" } else { "" },
                )),
            ),
            ApiError::PayloadTooLarge { limit } => (
                "/problems/payload-too-large",
                "The request body is too large",
                Some(format!("The limit is {limit} bytes.")),
            ),
            ApiError::UnsupportedMediaType(media) => (
                "/problems/unsupported-media-type",
                if *media == "application/json" {
                    "The request body must be JSON"
                } else {
                    "The request body is not of the type this address takes"
                },
                Some(format!("Send Content-Type: {media}.")),
            ),
            ApiError::TooManyAttempts { retry_after_secs } => (
                "/problems/too-many-attempts",
                "Too many failed attempts",
                Some(match retry_after_secs {
                    ..=1 => "Try again in a second.".to_owned(),
                    2..=59 => format!("Try again in {retry_after_secs} seconds."),
                    60 => "Try again in a minute.".to_owned(),
                    _ => format!("Try again in {} minutes.", (retry_after_secs + 59) / 60),
                }),
            ),
            ApiError::Declined(why) => ("/problems/payment-declined", "The payment was declined", Some(why.clone())),
            ApiError::IdentityProvider(what) => (
                "/problems/identity-provider",
                "The sign-in provider did not answer properly",
                Some(format!("{what}. Try again in a moment, or sign in another way.")),
            ),
            ApiError::Upstream(what) => (
                "/problems/payment-provider",
                "The payment provider did not answer properly",
                Some(format!("{what} Nothing was charged or changed; try again in a moment.")),
            ),
            ApiError::NotSetUp(kind, message) => (kind, message.as_str(), None),
            ApiError::Internal(_) => ("/problems/internal", "Something went wrong on our side", None),
        };
        Problem {
            kind,
            title: title.to_owned(),
            status: self.status().as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(errors) => errors.clone(),
                _ => Vec::new(),
            },
            rows: match self {
                ApiError::ImportRejected { rows, .. } => rows.clone(),
                _ => Vec::new(),
            },
        }
    }

    /// The HTTP answer for this error. Internal errors are logged here, with their cause chain.
    pub fn into_response(self) -> Response<Body> {
        if let ApiError::Internal(err) = &self {
            tracing::error!(error = format!("{err:#}"), "request failed");
        }
        let mut builder = Response::builder()
            .status(self.status())
            .header("content-type", "application/problem+json")
            .header("cache-control", "no-store");
        if let ApiError::TooManyAttempts { retry_after_secs } = &self {
            builder = builder.header("retry-after", retry_after_secs.max(&1).to_string());
        }
        if let ApiError::MethodNotAllowed { allow } = &self {
            builder = builder.header("allow", allow.as_str());
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_default();
        builder
            .body(Body::Text(body))
            .unwrap_or_else(|_| Response::new(Body::Empty))
    }
}
