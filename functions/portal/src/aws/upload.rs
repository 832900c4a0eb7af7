//! Browser uploads straight to S3 with a presigned POST (SigV4 POST policy). aws-sdk-s3 cannot
//! presign POSTs (awslabs/aws-sdk-rust#863), so this module signs the policy itself. The policy pins
//! the bucket, the exact key, the content type, a content-length range and a short expiry; the
//! confirm step checks the object again with HeadObject, because the local stand-in does not enforce
//! POST policies.

use aws_lc_rs::hmac;
use base64::{Engine, engine::general_purpose::STANDARD as B64};
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;
use time::macros::format_description;
use utoipa::ToSchema;

/// AWS credentials to sign with (the function role's, with its session token in Lambda).
pub struct SigningCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl From<&aws_credential_types::Credentials> for SigningCredentials {
    fn from(c: &aws_credential_types::Credentials) -> Self {
        Self {
            access_key_id: c.access_key_id().to_owned(),
            secret_access_key: c.secret_access_key().to_owned(),
            session_token: c.session_token().map(str::to_owned),
        }
    }
}

/// What one upload may be.
pub struct UploadRule<'a> {
    pub bucket: &'a str,
    pub key: &'a str,
    pub content_type: &'a str,
    pub min_bytes: u64,
    pub max_bytes: u64,
    pub expires_at: OffsetDateTime,
}

/// The form the browser posts: `url`, then every field, then the file as the last field `file`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresignedPost {
    pub url: String,
    pub fields: BTreeMap<String, String>,
}

/// The SigV4 signing key for S3 on `date` (`YYYYMMDD`) in `region`.
fn signing_key(secret: &str, date: &str, region: &str) -> hmac::Key {
    let step = |key: &[u8], data: &str| {
        hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data.as_bytes())
    };
    let k_date = step(format!("AWS4{secret}").as_bytes(), date);
    let k_region = step(k_date.as_ref(), region);
    let k_service = step(k_region.as_ref(), "s3");
    let k_signing = step(k_service.as_ref(), "aws4_request");
    hmac::Key::new(hmac::HMAC_SHA256, k_signing.as_ref())
}

/// The hex signature of a base64 policy document.
pub fn sign_policy(policy_b64: &str, secret: &str, date: &str, region: &str) -> String {
    let tag = hmac::sign(&signing_key(secret, date, region), policy_b64.as_bytes());
    crate::domain::hex(tag.as_ref())
}

/// A presigned POST for `rule`. `endpoint` is a custom S3 endpoint (the local stand-in, path-style
/// addressing), or `None` for AWS's regional virtual-hosted endpoint.
pub fn presign_post(
    rule: &UploadRule<'_>,
    creds: &SigningCredentials,
    region: &str,
    endpoint: Option<&str>,
    now: OffsetDateTime,
) -> anyhow::Result<PresignedPost> {
    let date = now.format(format_description!("[year][month][day]"))?;
    let amz_date = now.format(format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))?;
    let expiration = rule.expires_at.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].000Z"
    ))?;
    let credential = format!("{}/{date}/{region}/s3/aws4_request", creds.access_key_id);
    let mut fields = BTreeMap::from([
        ("key".to_owned(), rule.key.to_owned()),
        ("Content-Type".to_owned(), rule.content_type.to_owned()),
        ("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned()),
        ("x-amz-credential".to_owned(), credential),
        ("x-amz-date".to_owned(), amz_date),
    ]);
    if let Some(token) = &creds.session_token {
        fields.insert("x-amz-security-token".to_owned(), token.clone());
    }
    let mut conditions = vec![
        serde_json::json!({ "bucket": rule.bucket }),
        serde_json::json!(["content-length-range", rule.min_bytes, rule.max_bytes]),
    ];
    conditions.extend(fields.iter().map(|(k, v)| serde_json::json!({ k: v })));
    let policy = serde_json::json!({ "expiration": expiration, "conditions": conditions });
    let policy_b64 = B64.encode(policy.to_string());
    let signature = sign_policy(&policy_b64, &creds.secret_access_key, &date, region);
    fields.insert("policy".to_owned(), policy_b64);
    fields.insert("x-amz-signature".to_owned(), signature);
    let url = match endpoint {
        Some(e) => format!("{}/{}", e.trim_end_matches('/'), rule.bucket),
        None => format!("https://{}.s3.{region}.amazonaws.com", rule.bucket),
    };
    Ok(PresignedPost { url, fields })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// The published example of "Browser-Based Upload using HTTP POST (Using AWS Signature
    /// Version 4)" in the Amazon S3 API reference: its policy, credentials and signature.
    #[test]
    fn signs_the_published_aws_example() {
        let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        assert_eq!(
            sign_policy(
                policy,
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "20151229",
                "us-east-1"
            ),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
    }

    #[test]
    fn the_policy_pins_bucket_key_type_size_and_expiry() {
        let creds = SigningCredentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
        };
        let rule = UploadRule {
            bucket: "attachments",
            key: "CO#acme-dental/tickets/1042/abc/report.pdf",
            content_type: "application/pdf",
            min_bytes: 1,
            max_bytes: 25 * 1024 * 1024,
            expires_at: datetime!(2026-11-22 10:05:00 UTC),
        };
        let post = presign_post(
            &rule,
            &creds,
            "eu-west-1",
            None,
            datetime!(2026-11-22 10:00:00 UTC),
        )
        .unwrap();
        assert_eq!(post.url, "https://attachments.s3.eu-west-1.amazonaws.com");
        assert_eq!(
            post.fields["x-amz-credential"],
            "AKIDEXAMPLE/20261122/eu-west-1/s3/aws4_request"
        );
        assert_eq!(post.fields["x-amz-date"], "20261122T100000Z");
        assert_eq!(post.fields["x-amz-security-token"], "token");
        let policy: serde_json::Value =
            serde_json::from_slice(&B64.decode(&post.fields["policy"]).unwrap()).unwrap();
        assert_eq!(policy["expiration"], "2026-11-22T10:05:00.000Z");
        let conditions = policy["conditions"].as_array().unwrap();
        for expected in [
            serde_json::json!({"bucket": "attachments"}),
            serde_json::json!({"key": "CO#acme-dental/tickets/1042/abc/report.pdf"}),
            serde_json::json!({"Content-Type": "application/pdf"}),
            serde_json::json!(["content-length-range", 1, 26214400]),
            serde_json::json!({"x-amz-security-token": "token"}),
        ] {
            assert!(
                conditions.contains(&expected),
                "policy lacks {expected}: {policy}"
            );
        }
        // Every form field except the policy and signature themselves is pinned by the policy.
        for (name, value) in &post.fields {
            if name != "policy" && name != "x-amz-signature" {
                assert!(
                    conditions.contains(&serde_json::json!({ name: value })),
                    "{name} not pinned"
                );
            }
        }
        assert_eq!(
            post.fields["x-amz-signature"],
            sign_policy(&post.fields["policy"], "secret", "20261122", "eu-west-1")
        );
        let local = presign_post(
            &rule,
            &creds,
            "us-east-1",
            Some("http://127.0.0.1:5000/"),
            datetime!(2026-11-22 10:00:00 UTC),
        )
        .unwrap();
        assert_eq!(local.url, "http://127.0.0.1:5000/attachments");
    }
}
