//! HTTP plumbing shared by every function: the request pipeline (`serve`), CSRF defence, JSON
//! bodies with size limits and unknown-field rejection, JSON answers and cookies.

use lambda_http::http::{Method, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};

use serde::{Serialize, de::DeserializeOwned};
use std::sync::Mutex;
use tracing::Instrument;

use crate::web::error::ApiError;
use crate::web::principal::{self, Principal};
use crate::web::routes::Routes;
use crate::web::state::App;

/// Bodies of our JSON endpoints are small; anything bigger is refused before parsing.
pub const MAX_JSON_BODY: usize = 16 * 1024;

/// One request in flight: the app, the request, and cookies to set on the answer.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub req: &'a Request,
    set_cookies: Mutex<Vec<String>>,
}

impl<'a> Ctx<'a> {
    pub fn new(app: &'a App, req: &'a Request) -> Self {
        Self {
            app,
            req,
            set_cookies: Mutex::new(Vec::new()),
        }
    }

    /// Queue a `Set-Cookie` header for the answer, whatever it turns out to be.
    pub fn set_cookie(&self, cookie: String) {
        self.set_cookies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(cookie);
    }

    /// The signed-in principal, or 401. Reads the session once (one DynamoDB call). A user who
    /// must enrol in MFA first gets 403 `/problems/mfa-enrolment-required` everywhere but the
    /// routes that let them enrol (`principal_enrolling`).
    pub async fn principal(&self) -> Result<Principal, ApiError> {
        let principal = principal::authenticate(self).await?;
        if principal.must_enrol_mfa() {
            return Err(ApiError::MfaEnrolmentRequired);
        }
        Ok(principal)
    }

    /// The signed-in principal, even one who must still enrol in MFA: for `/api/me`, MFA
    /// enrolment and sign-out.
    pub async fn principal_enrolling(&self) -> Result<Principal, ApiError> {
        principal::authenticate(self).await
    }

    /// The path below `/api/`, split on `/`.
    pub fn segments(&self) -> Vec<&'a str> {
        let path = self.req.uri().path();
        path.strip_prefix("/api/")
            .unwrap_or("")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect()
    }

    pub fn method(&self) -> &Method {
        self.req.method()
    }

    /// The first value of query parameter `name`, percent-decoded. Read from the URI itself, which
    /// holds the query string under API Gateway, cargo-lambda and tests alike.
    pub fn query(&self, name: &str) -> Option<String> {
        self.req.uri().query()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k)? == name)
                .then(|| percent_decode(v))
                .flatten()
        })
    }

    /// A query parameter that must be one of a few words (absent or empty: `None`); anything
    /// else is a 400 naming them.
    pub fn choice(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, ApiError> {
        match self.query(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v)),
            Some(v) => Err(ApiError::BadRequest(format!(
                "{name}={v} is not one of: {}",
                allowed.join(", ")
            ))),
        }
    }

    /// A free-text query parameter, trimmed (absent or blank: `None`); longer than `max`
    /// characters is a 400 naming it.
    pub fn query_text(&self, name: &str, max: usize) -> Result<Option<String>, ApiError> {
        match self.query(name).map(|v| v.trim().to_owned()) {
            Some(v) if v.chars().count() > max => Err(ApiError::BadRequest(format!(
                "{name} is at most {max} characters"
            ))),
            Some(v) if !v.is_empty() => Ok(Some(v)),
            _ => Ok(None),
        }
    }

    /// Where list `list` resumes: `?cursor=`, valid only for that list; 400 otherwise.
    pub fn start_after(&self, list: &str) -> Result<Option<crate::store::Item>, ApiError> {
        self.query("cursor")
            .filter(|c| !c.is_empty())
            .map(|c| self.app.cursors.decode(&c, list))
            .transpose()
    }

    /// The cursor for the page of `list` after `page`, if any.
    pub fn next_cursor<T>(&self, page: &crate::store::Page<T>, list: &str) -> Option<String> {
        self.app.cursors.encode(page.last_key.as_ref(), list)
    }

    /// The `Idempotency-Key` a retried create sends again, if any (400 if malformed).
    pub fn idempotency_key(&self) -> Result<Option<&'a str>, ApiError> {
        let Some(sent) = self.req.headers().get("idempotency-key") else {
            return Ok(None);
        };
        // A key that is not text at all is refused, not ignored.
        match sent.to_str().map(str::trim) {
            Ok("") => Ok(None),
            Ok(key)
                if key.len() <= 100
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c)) =>
            {
                Ok(Some(key))
            }
            _ => Err(ApiError::BadRequest(
                "Idempotency-Key must be at most 100 letters, digits, '-', '_', '.' or ':'".into(),
            )),
        }
    }

    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.req.headers().get(name).and_then(|v| v.to_str().ok())
    }

    /// The request's time, address and browser, as audit entries record them.
    pub fn meta(&self) -> crate::domain::audit::RequestMeta {
        crate::domain::audit::RequestMeta::request(
            self.app.now(),
            self.source_ip(),
            self.header("user-agent"),
        )
    }

    /// The client's address. Behind CloudFront (an origin secret is set) it is the viewer's, from
    /// `CloudFront-Viewer-Address` (`198.51.100.7:46532`, `2001:db8::1:46532`), which only
    /// CloudFront can set since requests without the secret are refused; otherwise the address that
    /// reached API Gateway (locally: the emulator's caller).
    pub fn source_ip(&self) -> Option<String> {
        if self.app.config.origin_secret.is_some() {
            let viewer = self.header("cloudfront-viewer-address")?;
            let (ip, port) = viewer.trim().rsplit_once(':')?;
            return (port.bytes().all(|b| b.is_ascii_digit()))
                .then(|| ip.trim_matches(['[', ']']).parse::<std::net::IpAddr>().ok())
                .flatten()
                .map(|ip| ip.to_string());
        }
        match self.req.request_context_ref() {
            Some(lambda_http::request::RequestContext::ApiGatewayV2(c)) => c.http.source_ip.clone(),
            _ => None,
        }
    }

    /// Refuse a request that went around CloudFront: with an origin secret configured, only
    /// requests carrying it (CloudFront adds it to every request it forwards) are served.
    pub fn check_through_cdn(&self) -> Result<(), ApiError> {
        let Some(secret) = &self.app.config.origin_secret else {
            return Ok(());
        };
        let given = self.header("x-origin-verify").unwrap_or("");
        match aws_lc_rs::constant_time::verify_slices_are_equal(given.as_bytes(), secret.as_bytes())
        {
            Ok(()) => Ok(()),
            Err(_) => Err(ApiError::AroundCdn),
        }
    }

    /// The request body as `T`: JSON only, at most `MAX_JSON_BODY` bytes, unknown fields refused
    /// (each body type carries `#[serde(deny_unknown_fields)]`).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        self.json_up_to(MAX_JSON_BODY)
    }

    /// The request body as `T`, as `json` reads it, for the few bodies allowed to be larger than
    /// `MAX_JSON_BODY` (a knowledge base article): at most `limit` bytes.
    pub fn json_up_to<T: DeserializeOwned>(&self, limit: usize) -> Result<T, ApiError> {
        let bytes = self.body_of("application/json", limit)?;
        fn bad(e: impl std::fmt::Display) -> ApiError {
            ApiError::BadRequest(format!("the body is not valid: {e}"))
        }
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(bad)?;
        integral_numbers(&mut value).map_err(bad)?;
        serde_json::from_value(value).map_err(bad)
    }

    /// The request body, which must be of media type `media` (415 otherwise) and at most `limit`
    /// bytes (413 otherwise).
    pub fn body_of(&self, media: &'static str, limit: usize) -> Result<&'a [u8], ApiError> {
        let content_type = self.header("content-type").unwrap_or("");
        if !content_type
            .split(';')
            .next()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case(media))
        {
            return Err(ApiError::UnsupportedMediaType(media));
        }
        let bytes: &'a [u8] = match self.req.body() {
            Body::Empty => b"",
            Body::Text(t) => t.as_bytes(),
            Body::Binary(b) => b,
            _ => b"",
        };
        if bytes.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        Ok(bytes)
    }

    /// The value of cookie `name`, if the request carries it.
    pub fn cookie(&self, name: &str) -> Option<&'a str> {
        self.req
            .headers()
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// CSRF defence (OWASP "verify origin with standard headers"): a state-changing request must
    /// name the portal's own origin (or its local alias, `Config::origin_alias`) in `Origin`, or
    /// failing that in `Referer`.
    pub fn check_origin(&self) -> Result<(), ApiError> {
        if matches!(*self.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            return Ok(());
        }
        let config = &self.app.config;
        let mut origins =
            std::iter::once(config.origin.as_str()).chain(config.origin_alias.as_deref());
        let ok = match (self.header("origin"), self.header("referer")) {
            (Some(o), _) => origins.any(|origin| origin == o),
            (None, Some(r)) => origins.any(|origin| {
                r.strip_prefix(origin)
                    .is_some_and(|rest| rest.starts_with('/'))
            }),
            (None, None) => false,
        };
        if ok { Ok(()) } else { Err(ApiError::CrossSite) }
    }
}

/// The request pipeline of every function: the CloudFront check, 405 for a documented path's
/// other methods, the CSRF check, then the function's router, then one mapping
/// of errors to problem+json, with any queued cookies set.
pub async fn serve<'a>(
    app: &'a App,
    req: &'a Request,
    routes: &Routes,
    route: impl AsyncFnOnce(&Ctx<'a>) -> Result<Response<Body>, ApiError>,
) -> Response<Body> {
    let ctx = Ctx::new(app, req);
    // `authenticate` fills in who is asking; the Lambda runtime's span carries the request id.
    let span = tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        user_id = tracing::field::Empty,
        company_id = tracing::field::Empty,
    );
    let allowed = || match routes.refuses(req.method(), req.uri().path()) {
        Some(allow) => Err(ApiError::MethodNotAllowed { allow }),
        None => Ok(()),
    };
    let checked = ctx
        .check_through_cdn()
        .and_then(|()| allowed())
        .and_then(|()| ctx.check_origin());
    let result = match checked {
        Ok(()) => route(&ctx).instrument(span).await,
        Err(e) => Err(e),
    };
    let mut response = result.unwrap_or_else(|err| {
        if matches!(err, ApiError::Unauthenticated)
            && ctx.cookie(principal::cookie_name(&app.config)).is_some()
        {
            ctx.set_cookie(principal::clear_cookie(&app.config));
        }
        err.into_response()
    });
    for cookie in ctx
        .set_cookies
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .drain(..)
    {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    compress(req, response)
}

/// JSON has one kind of number: `3.0` is the integer 3 (JSON Schema's `integer` admits it too), so a
/// whole number written with a fraction is read as the integer it is wherever one is expected.
/// Integers are 64-bit signed, as the document says (`format: int64`): a larger one is refused
/// (an unsigned field would otherwise take it).
fn integral_numbers(value: &mut serde_json::Value) -> Result<(), String> {
    match value {
        serde_json::Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Number(n) if n.as_i64().is_none() => {
            return Err(format!(
                "{n} is larger than a 64-bit integer ({})",
                i64::MAX
            ));
        }
        serde_json::Value::Array(items) => return items.iter_mut().try_for_each(integral_numbers),
        serde_json::Value::Object(fields) => {
            return fields.values_mut().try_for_each(integral_numbers);
        }
        _ => {}
    }
    Ok(())
}

/// Answers smaller than this go as they are: gzip would save too little to matter.
const COMPRESS_FROM: usize = 1024;

/// The answer gzipped when the client accepts gzip and it is text (JSON, problem+json, CSV) of at
/// least [`COMPRESS_FROM`] bytes; `Vary: Accept-Encoding` either way for such types. (It also keeps
/// `cargo lambda watch`'s emulator reliable: it drops, now and then, function answers that do not
/// fit in its first 8 KB read. See docs/decisions.md.)
fn compress(req: &Request, mut response: Response<Body>) -> Response<Body> {
    let compressible = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| {
            t.starts_with("application/json")
                || t.starts_with("application/problem+json")
                || t.starts_with("text/")
        });
    if !compressible || response.headers().contains_key(header::CONTENT_ENCODING) {
        return response;
    }
    response.headers_mut().append(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
    let accepts = req
        .headers()
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(crate::web::gzip::accepted);
    let bytes: &[u8] = match response.body() {
        Body::Text(t) => t.as_bytes(),
        Body::Binary(b) => b,
        _ => return response,
    };
    if !accepts || bytes.len() < COMPRESS_FROM {
        return response;
    }
    let gzipped = crate::web::gzip::encode(bytes);
    let (mut parts, _) = response.into_parts();
    parts.headers.insert(
        header::CONTENT_ENCODING,
        header::HeaderValue::from_static("gzip"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::Binary(gzipped))
}

/// A JSON answer. API answers are per-user: never cached.
pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))?;
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(body))
        .map_err(|e| ApiError::Internal(e.into()))
}

/// A 303 to `location` (not cached).
pub fn see_other(location: &str) -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.into()))
}

pub fn no_content() -> Result<Response<Body>, ApiError> {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.into()))
}

/// `application/x-www-form-urlencoded` decoding of one query component; `None` if it is not UTF-8
/// or has a broken escape.
fn percent_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::{integral_numbers, percent_decode};

    #[test]
    fn query_components_are_percent_decoded() {
        assert_eq!(percent_decode("a%2Fb+c").as_deref(), Some("a/b c"));
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%"), None);
        assert_eq!(percent_decode("%ff"), None);
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_integers() {
        let mut v =
            serde_json::json!({"version": 3.0, "lines": [{"n": 2.0}], "half": 0.5, "big": 1e300});
        assert_eq!(integral_numbers(&mut v), Ok(()));
        assert_eq!(v["version"], serde_json::json!(3));
        assert!(v["version"].is_u64());
        assert_eq!(v["lines"][0]["n"], serde_json::json!(2));
        assert_eq!(
            v["half"],
            serde_json::json!(0.5),
            "a real fraction stays one"
        );
        assert!(v["big"].is_f64(), "out of integer range stays as it was");
    }

    #[test]
    fn integers_beyond_64_bit_signed_are_refused() {
        let mut v = serde_json::json!({"lines": [{"version": 9_223_372_036_854_775_808_u64}]});
        assert!(integral_numbers(&mut v).is_err());
        let mut v = serde_json::json!({"version": i64::MAX, "low": i64::MIN});
        assert_eq!(integral_numbers(&mut v), Ok(()));
    }
}
