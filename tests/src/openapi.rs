//! The API's OpenAPI document, merged from each function's part (checked against docs/openapi.json).

use std::path::PathBuf;

use crate::workspace_root;

/// The whole API's OpenAPI document, merged from each function's part.
pub fn openapi() -> utoipa::openapi::OpenApi {
    use utoipa::OpenApi;
    let mut doc = auth::ApiDoc::openapi();
    doc.merge(accounts::ApiDoc::openapi());
    doc.merge(tickets::ApiDoc::openapi());
    doc.merge(projects::ApiDoc::openapi());
    doc.merge(assets::ApiDoc::openapi());
    doc.merge(kb::ApiDoc::openapi());
    doc.merge(reports::ApiDoc::openapi());
    doc.merge(billing::ApiDoc::openapi());
    doc.info = utoipa::openapi::InfoBuilder::new()
        .title("MSP client portal API")
        .version("0.1.0")
        .description(Some("JSON over /api. Errors are application/problem+json. Generated from the code by `cargo run -p portal-tests --bin openapi -- --write`."))
        .build();
    portal::web::contract::add_common_answers(&mut doc);
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
