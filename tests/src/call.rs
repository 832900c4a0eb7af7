//! A request to the real functions' handlers, routed as the HTTP API (and cargo-lambda's router in
//! `Cargo.toml`) routes it.

use lambda_http::{Body, Request};
use serde_json::Value;

use crate::{Answer, TestApp};

/// A request under construction.
pub struct Call<'a> {
    pub(crate) app: &'a TestApp,
    pub(crate) builder: lambda_http::http::request::Builder,
    pub(crate) body: Body,
}

impl Call<'_> {
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }
    /// From client address `ip` (as CloudFront tells the function: `CloudFront-Viewer-Address`).
    pub fn from_ip(self, ip: &str) -> Self {
        self.header_set("cloudfront-viewer-address", &crate::viewer_address(ip))
    }
    /// Straight to the function's own endpoint, around CloudFront (no origin secret).
    pub fn around_cloudfront(mut self) -> Self {
        if let Some(headers) = self.builder.headers_mut() {
            headers.remove("x-origin-verify");
        }
        self
    }
    fn header_set(mut self, name: &'static str, value: &str) -> Self {
        if let Some(headers) = self.builder.headers_mut() {
            headers.insert(name, value.parse().expect("header value"));
        }
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
        } else if path == "/api/projects" || path.starts_with("/api/projects/") {
            Box::pin(projects::handle(&self.app.app, req)).await
        } else if path == "/api/configuration-types"
            || path == "/api/configurations"
            || path.starts_with("/api/configurations/")
            || path == "/api/documents"
            || path.starts_with("/api/documents/")
        {
            Box::pin(assets::handle(&self.app.app, req)).await
        } else if path.starts_with("/api/kb/") {
            Box::pin(kb::handle(&self.app.app, req)).await
        } else if path.starts_with("/api/reports/") {
            Box::pin(reports::handle(&self.app.app, req)).await
        } else if [
            "/api/agreements",
            "/api/credit-notes",
            "/api/invoices",
            "/api/payments",
            "/api/payment-methods",
            "/api/quotes",
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
