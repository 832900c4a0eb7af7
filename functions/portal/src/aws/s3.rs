//! The private bucket of files (ticket attachments, invoice PDFs): its S3 clients, built once at
//! cold start, and short-lived presigned downloads that make the browser save the file.

use anyhow::Context;
use std::time::Duration;

/// How long a download link works.
pub const DOWNLOAD_WINDOW: Duration = Duration::from_secs(300);

/// The S3 side of the portal's files.
#[derive(Clone, Debug)]
pub struct Files {
    /// What functions call (AWS's S3, or the local stand-in).
    pub client: aws_sdk_s3::Client,
    /// What presigns URLs for browsers: the same, or locally where browsers reach the stand-in.
    presigner: aws_sdk_s3::Client,
    bucket: Option<String>,
}

impl Files {
    pub fn new(
        aws: &aws_config::SdkConfig,
        bucket: Option<String>,
        public_endpoint: Option<&str>,
    ) -> Self {
        Self {
            client: client(aws, None),
            presigner: client(aws, public_endpoint),
            bucket,
        }
    }

    /// The private bucket (`ATTACHMENTS_BUCKET`).
    pub fn bucket(&self) -> anyhow::Result<&str> {
        self.bucket
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("ATTACHMENTS_BUCKET is not set"))
    }

    /// A URL that downloads object `key` for `DOWNLOAD_WINDOW`, saved as `file_name`. Only the URL
    /// goes to the browser: the presigned request's headers (x-amzn-trace-id in Lambda) are not
    /// part of it.
    pub async fn download_url(
        &self,
        key: &str,
        file_name: &str,
        content_type: &str,
    ) -> anyhow::Result<String> {
        let presigned = self
            .presigner
            .get_object()
            .bucket(self.bucket()?)
            .key(key)
            .response_content_disposition(content_disposition(file_name))
            .response_content_type(content_type)
            .presigned(aws_sdk_s3::presigning::PresigningConfig::expires_in(
                DOWNLOAD_WINDOW,
            )?)
            .await
            .map_err(|e| anyhow::Error::from(e).context("presigning download"))?;
        Ok(presigned.uri().to_owned())
    }
}

impl Files {
    /// Object `key`'s bytes, or `None` if there is no such object.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>> {
        let out = match self
            .client
            .get_object()
            .bucket(self.bucket()?)
            .key(key)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) if err.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return Ok(None);
            }
            Err(err) => return Err(anyhow::Error::from(err).context("reading a file")),
        };
        let bytes = out.body.collect().await.context("reading a file")?;
        Ok(Some(bytes.to_vec()))
    }

    /// Store `bytes` as object `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> anyhow::Result<()> {
        self.client
            .put_object()
            .bucket(self.bucket()?)
            .key(key)
            .content_type(content_type)
            .body(bytes.into())
            .send()
            .await
            .map(|_| ())
            .with_context(|| format!("storing {key}"))
    }

    /// Remove object `key`, best effort (what is left is only logged: an orphan file, nothing
    /// any record names).
    pub async fn delete(&self, key: &str) {
        let Ok(bucket) = self.bucket() else { return };
        if let Err(err) = self
            .client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
        {
            tracing::warn!(key, error = %anyhow::Error::from(err), "could not remove an orphan file");
        }
    }
}

/// Where a browser's upload waits until it is confirmed: presigned POSTs name keys under it, a
/// lifecycle rule removes what is never confirmed after a day, and the confirm copies the object to
/// its final key (so a still-valid presigned POST cannot change a confirmed file).
pub fn pending_key(key: &str) -> String {
    format!("pending/{key}")
}

/// What an uploaded object turned out to be.
pub struct Arrived {
    pub size: u64,
    pub content_type: Option<String>,
}

impl Files {
    /// The size and type of object `key`, or `None` if it is not there. S3 answers 404 for a
    /// missing key when the caller may list the bucket and 403 when it may not: both are "not
    /// there".
    pub async fn arrived(&self, key: &str) -> anyhow::Result<Option<Arrived>> {
        match self
            .client
            .head_object()
            .bucket(self.bucket()?)
            .key(key)
            .send()
            .await
        {
            Ok(head) => Ok(Some(Arrived {
                size: head
                    .content_length()
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
                content_type: head.content_type().map(str::to_owned),
            })),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(anyhow::Error::from(e).context("checking an upload")),
        }
    }

    /// Copy `from` to `to` (type and metadata kept), then remove `from`.
    pub async fn promote(&self, from: &str, to: &str) -> anyhow::Result<()> {
        let bucket = self.bucket()?;
        self.client
            .copy_object()
            .bucket(bucket)
            .copy_source(format!("{bucket}/{}", copy_source_key(from)))
            .key(to)
            .send()
            .await
            .context("copying a confirmed upload")?;
        self.remove(from).await
    }

    pub async fn remove(&self, key: &str) -> anyhow::Result<()> {
        self.client
            .delete_object()
            .bucket(self.bucket()?)
            .key(key)
            .send()
            .await
            .context("removing an upload")?;
        Ok(())
    }
}

/// A key as `x-amz-copy-source` wants it: URL-encoded, slashes kept.
fn copy_source_key(key: &str) -> String {
    crate::domain::percent_encode(key, b"/")
}

/// Whether a HeadObject failure means "no such object": 404, or 403 without list rights.
fn is_absent<R>(
    err: &aws_sdk_s3::error::SdkError<aws_sdk_s3::operation::head_object::HeadObjectError, R>,
) -> bool
where
    R: HttpStatus,
{
    err.as_service_error().is_some_and(|e| e.is_not_found())
        || err
            .raw_response()
            .is_some_and(|r| matches!(r.status_code(), 403 | 404))
}

/// The status of a raw response (a trait so the 403 case can be tested without S3).
trait HttpStatus {
    fn status_code(&self) -> u16;
}

impl HttpStatus for aws_smithy_runtime_api::http::Response {
    fn status_code(&self) -> u16 {
        self.status().as_u16()
    }
}

/// An S3 client at `endpoint` (path-style there), or at the SDK's (AWS's own, or the local
/// stand-in's).
fn client(aws: &aws_config::SdkConfig, endpoint: Option<&str>) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::config::Builder::from(aws);
    if let Some(endpoint) = endpoint.or(aws.endpoint_url()) {
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
    // RFC 5987's attr-char: the unreserved characters and these.
    let encoded = crate::domain::percent_encode(file_name, b"!#$&+^`|");
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::error::SdkError;
    use aws_sdk_s3::operation::head_object::HeadObjectError;
    use aws_smithy_runtime_api::http::{Response, StatusCode};
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn head_failure(status: u16, code: &str) -> SdkError<HeadObjectError, Response> {
        SdkError::service_error(
            HeadObjectError::generic(ErrorMetadata::builder().code(code).build()),
            Response::new(StatusCode::try_from(status).unwrap(), SdkBody::empty()),
        )
    }

    #[test]
    fn a_missing_upload_is_absent_whether_s3_says_404_or_403() {
        // Without s3:ListBucket S3 answers a HEAD of a missing key with a bare 403.
        assert!(is_absent(&head_failure(403, "Forbidden")));
        assert!(is_absent(&head_failure(404, "NotFound")));
        assert!(!is_absent(&head_failure(500, "InternalError")));
        assert!(!is_absent(&head_failure(400, "BadRequest")));
    }

    #[test]
    fn copy_sources_are_url_encoded_with_their_slashes() {
        assert_eq!(
            copy_source_key("pending/acme-dental/tickets/7/a b#c"),
            "pending/acme-dental/tickets/7/a%20b%23c"
        );
    }

    #[test]
    fn downloads_are_attachments_with_both_names() {
        assert_eq!(
            content_disposition("Rapport \"final\" é.pdf"),
            "attachment; filename=\"Rapport _final_ _.pdf\"; filename*=UTF-8''Rapport%20%22final%22%20%C3%A9.pdf"
        );
    }
}
