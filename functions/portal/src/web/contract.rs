//! What every route can answer besides its own statuses, added to the OpenAPI document so that it
//! lists every status a client can meet. These come from the pipeline every function shares
//! (`http::serve`, `Ctx::json`, `principal::authenticate`), not from any one handler:
//!
//! - 403: a request around CloudFront (no origin secret), a state change from another origin
//!   (CSRF), or a user who must enrol in MFA first;
//! - 401: no live session, on every route that needs one;
//! - 400, 413, 415: a JSON body that cannot be read, is too large, or is not JSON;
//! - 400: a query parameter or header that cannot be read (a forged cursor, a bad date);
//! - 404: a path parameter (or `?company=`) that names nothing, or something of another company
//!   (and for MSP staff, no `?company=` where one is needed).
//!
//! A 405 for a path's other methods is not an operation's answer: it carries `Allow` (`routes`).

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::{Components, ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// The routes a request needs no session for.
const PUBLIC: &[&str] = &[
    "/api/auth/login",
    "/api/auth/login/mfa",
    "/api/auth/logout",
    "/api/auth/password-reset",
    "/api/auth/password-reset/confirm",
    "/api/auth/invitation",
    "/api/auth/invitation/accept",
    "/api/payments/webhook",
];

fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// Add the pipeline's answers to every operation of `doc` that does not list them already.
pub fn add_common_answers(doc: &mut OpenApi) {
    let shared: [(&str, &str); 6] = [
        (
            "NotThroughPortal",
            "Refused: around the portal's address, from another site (CSRF), or by a user who must set up two-factor authentication first",
        ),
        ("Unauthenticated", "Not signed in, or the session has ended"),
        (
            "BadRequest",
            "The request could not be read: malformed JSON, a wrong type or unknown field, or a bad query parameter or header",
        ),
        ("PayloadTooLarge", "The body is larger than the route takes"),
        (
            "UnsupportedMediaType",
            "The body is not JSON (Content-Type: application/json)",
        ),
        (
            "NotFound",
            "Nothing by that id here (or it belongs to another company)",
        ),
    ];
    let components = doc.components.get_or_insert_with(Components::new);
    for (name, description) in shared {
        components
            .responses
            .entry(name.to_owned())
            .or_insert_with(|| RefOr::T(problem(description)));
    }
    let reference = |name: &str| RefOr::Ref(Ref::new(format!("#/components/responses/{name}")));
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = PUBLIC.contains(&path.as_str());
        let operations = [
            item.get.as_mut(),
            item.put.as_mut(),
            item.post.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for op in operations.into_iter().flatten() {
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
            let reads_parameters = has(ParameterIn::Query) || has(ParameterIn::Header);
            // A path parameter, or a company named in the query, that names nothing the principal
            // may see answers 404.
            let names_something = has(ParameterIn::Path)
                || params
                    .iter()
                    .any(|p| p.parameter_in == ParameterIn::Query && p.name == "company");
            let body = op.request_body.is_some();
            let mut add = |status: &str, name: &str| {
                op.responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| reference(name));
            };
            add("403", "NotThroughPortal");
            if !public {
                add("401", "Unauthenticated");
            }
            if body || reads_parameters {
                add("400", "BadRequest");
            }
            if body {
                add("413", "PayloadTooLarge");
                add("415", "UnsupportedMediaType");
            }
            if names_something {
                add("404", "NotFound");
            }
        }
    }
}
