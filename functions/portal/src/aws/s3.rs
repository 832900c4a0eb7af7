//! The private bucket of files (ticket attachments, invoice PDFs): its S3 clients, built once at
//! cold start, and short-lived presigned downloads that make the browser save the file.

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
