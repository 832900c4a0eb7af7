//! Files in the private bucket (ticket attachments, invoice PDFs): the S3 client, and downloads as
//! a redirect to a short-lived presigned GET that makes the browser save the file.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use std::time::Duration;

use crate::web::error::ApiError;
use crate::web::state::App;

/// How long a download link works.
pub const DOWNLOAD_WINDOW: Duration = Duration::from_secs(300);

/// The private bucket of files.
pub fn bucket(app: &App) -> Result<&str, ApiError> {
    app.config
        .attachments_bucket
        .as_deref()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("ATTACHMENTS_BUCKET is not set")))
}

/// An S3 client at `endpoint` (path-style there), or AWS's own.
pub fn s3(app: &App, endpoint: Option<&str>) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::config::Builder::from(&app.aws);
    if let Some(endpoint) = endpoint.or(app.aws.endpoint_url()) {
        // With path-style addressing the SDK appends the bucket to the endpoint's path as is: a
        // path (the dev proxy's `/_s3`) needs its trailing slash.
        let endpoint = format!("{}/", endpoint.trim_end_matches('/'));
        config = config.endpoint_url(endpoint).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

/// `Content-Disposition: attachment` with an ASCII fallback name and the exact UTF-8 one.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A 303 to object `key`, presigned for `DOWNLOAD_WINDOW`, saved as `file_name`.
pub async fn download_redirect(
    app: &App,
    key: &str,
    file_name: &str,
    content_type: &str,
) -> Result<Response<Body>, ApiError> {
    let presigned = s3(app, app.config.s3_public_endpoint.as_deref())
        .get_object()
        .bucket(bucket(app)?)
        .key(key)
        .response_content_disposition(content_disposition(file_name))
        .response_content_type(content_type)
        .presigned(
            aws_sdk_s3::presigning::PresigningConfig::expires_in(DOWNLOAD_WINDOW)
                .map_err(|e| ApiError::Internal(e.into()))?,
        )
        .await
        .map_err(|e| ApiError::Internal(anyhow::Error::from(e).context("presigning download")))?;
    // Only the URL goes to the browser: the presigned request's headers (x-amzn-trace-id in
    // Lambda) are not part of it.
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, presigned.uri())
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Empty)
        .map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_attachments_with_both_names() {
        assert_eq!(
            content_disposition("Rapport \"final\" é.pdf"),
            "attachment; filename=\"Rapport _final_ _.pdf\"; filename*=UTF-8''Rapport%20%22final%22%20%C3%A9.pdf"
        );
    }
}
