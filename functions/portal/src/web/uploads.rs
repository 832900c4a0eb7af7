//! Browser uploads straight to S3, the steps every kind of file shares (ticket attachments,
//! documents): check what the browser announces (name, type, size) against the file rules, grant a
//! presigned POST for one exact pending object with a sealed token describing it, and on confirm
//! check what arrived with HeadObject and move it out of the POST's reach. Downloads are
//! `web::files::download_redirect`.

use aws_credential_types::provider::ProvideCredentials;
use serde::{Serialize, de::DeserializeOwned};
use time::OffsetDateTime;

use crate::aws::s3::pending_key;
use crate::aws::upload::{PresignedPost, SigningCredentials, UploadRule, presign_post};
use crate::domain::{FieldError, files};
use crate::web::error::ApiError;
use crate::web::state::App;

/// How long a presigned POST may start, and a token be confirmed.
pub const UPLOAD_WINDOW: time::Duration = time::Duration::minutes(10);
pub const CONFIRM_WINDOW: time::Duration = time::Duration::hours(1);
/// Longest file name kept.
pub const MAX_FILE_NAME: usize = 150;
/// Bytes of randomness in a file id (hex: twice as many digits).
pub const FILE_ID_BYTES: usize = 12;

/// A file name safe to store and show: its last path component, no control characters, at most
/// `MAX_FILE_NAME` characters (keeping the extension).
pub fn clean_file_name(raw: &str) -> Option<String> {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name: String = base
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .trim_start_matches('.')
        .to_owned();
    if name.is_empty() {
        return None;
    }
    if name.chars().count() <= MAX_FILE_NAME {
        return Some(name);
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| e.chars().count() <= 10)
        .map(|e| format!(".{e}"))
        .unwrap_or_default();
    let stem: String = name
        .chars()
        .take(MAX_FILE_NAME - ext.chars().count())
        .collect();
    Some(format!("{stem}{ext}"))
}

/// A media type `type/subtype` (parameters dropped, lower-cased); empty is `application/octet-stream`.
pub fn clean_content_type(raw: &str) -> Option<String> {
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence.is_empty() {
        return Some("application/octet-stream".into());
    }
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    match essence.split_once('/') {
        Some((t, sub)) if essence.len() <= 100 && token(t) && token(sub) => Some(essence),
        _ => None,
    }
}

/// A new file id.
pub fn new_file_id() -> String {
    crate::domain::random_hex(FILE_ID_BYTES)
}

/// Whether `id` has the form of a file id; anything else names no file (and is never part of a
/// key: a key has a length limit, and `#` would leave the file's range).
pub fn is_file_id(id: &str) -> bool {
    id.len() == 2 * FILE_ID_BYTES && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a browser announced, checked: the clean file name and the type to store it as.
pub struct Announced {
    pub file_name: String,
    pub content_type: String,
}

/// Check an announced upload against the file rules and `max_mb`: every field's problem at once
/// (422), or the name and stored type.
pub fn check_announced(
    file_name: &str,
    content_type: &str,
    size: u64,
    max_mb: u32,
) -> Result<Announced, ApiError> {
    let mut errors = Vec::new();
    let file_name = clean_file_name(file_name);
    if file_name.is_none() {
        errors.push(FieldError::new("file_name", "The file needs a name"));
    }
    let stored = match (&file_name, clean_content_type(content_type)) {
        (_, None) => {
            errors.push(FieldError::new("content_type", "Not a media type"));
            None
        }
        (None, Some(_)) => None,
        (Some(name), Some(declared)) => match files::media_type(name, &declared) {
            Ok(stored) => Some(stored.to_owned()),
            Err(refusal) => {
                errors.push(FieldError::new(refusal.field(), refusal.message()));
                None
            }
        },
    };
    if size == 0 {
        errors.push(FieldError::new("size", "The file is empty"));
    } else if size > u64::from(max_mb) * 1024 * 1024 {
        errors.push(FieldError::new(
            "size",
            format!("Files can be at most {max_mb} MB"),
        ));
    }
    match (file_name, stored, errors.is_empty()) {
        (Some(file_name), Some(content_type), true) => Ok(Announced {
            file_name,
            content_type,
        }),
        _ => Err(ApiError::Validation(errors)),
    }
}

/// A presigned POST for object `key`'s pending twin, exactly `size` bytes of `content_type`, and
/// the token sealing `grant` (what the confirm step will get back) under `purpose`.
pub async fn grant_upload<G: Serialize>(
    app: &App,
    key: &str,
    content_type: &str,
    size: u64,
    purpose: &str,
    grant: &G,
) -> Result<(PresignedPost, String), ApiError> {
    let now = app.now();
    let credentials = app
        .aws
        .credentials_provider()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no AWS credentials")))?
        .provide_credentials()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let region = app
        .aws
        .region()
        .map_or("us-east-1".into(), |r| r.to_string());
    let pending = pending_key(key);
    let upload = presign_post(
        &UploadRule {
            bucket: app.files.bucket()?,
            key: &pending,
            content_type,
            min_bytes: size,
            max_bytes: size,
            expires_at: now + UPLOAD_WINDOW,
        },
        &SigningCredentials::from(&credentials),
        &region,
        app.config
            .s3_public_endpoint
            .as_deref()
            .or(app.aws.endpoint_url()),
        now,
    )
    .map_err(ApiError::Internal)?;
    let token = app
        .uploads
        .seal(purpose, grant)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("sealing upload token")))?;
    Ok((upload, token))
}

/// The grant a token seals under `purpose`, or 400 saying to upload again.
pub fn opened_grant<G: DeserializeOwned>(
    app: &App,
    purpose: &str,
    token: &str,
) -> Result<G, ApiError> {
    app.uploads.open(purpose, token).ok_or_else(bad_token)
}

/// The 400 of a token that is not valid here (another object, expired, someone else's).
pub fn bad_token() -> ApiError {
    ApiError::BadRequest(
        "the upload token is not valid here or has expired; upload the file again".into(),
    )
}

/// Whether a grant that expires at `expires` (Unix seconds) may still be confirmed.
pub fn still_valid(app: &App, expires: i64) -> bool {
    expires >= app.now().unix_timestamp()
}

/// The expiry (Unix seconds) of a grant made now.
pub fn confirm_by(now: OffsetDateTime) -> i64 {
    (now + CONFIRM_WINDOW).unix_timestamp()
}

/// Take delivery of object `key`: its pending twin must be there with the `size` and
/// `content_type` granted (a 422 on `token` otherwise, a wrong one removed); then it is moved to
/// `key`, out of reach of the presigned POST.
pub async fn receive(app: &App, key: &str, size: u64, content_type: &str) -> Result<(), ApiError> {
    let files = &app.files;
    let pending = pending_key(key);
    let Some(arrived) = files.arrived(&pending).await? else {
        return Err(ApiError::invalid(
            "token",
            "The file has not arrived; upload it again",
        ));
    };
    let type_ok = arrived
        .content_type
        .is_some_and(|t| t.eq_ignore_ascii_case(content_type));
    if arrived.size != size || !type_ok {
        files.remove(&pending).await?;
        return Err(ApiError::invalid(
            "token",
            "The file that arrived is not the one announced (size or type); upload it again",
        ));
    }
    files.promote(&pending, key).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_ids_are_what_uploads_are_given() {
        for _ in 0..100 {
            assert!(is_file_id(&new_file_id()));
        }
        let id = new_file_id();
        for bad in [
            String::new(),
            id[1..].to_owned(),
            format!("{id}0"),
            id.to_uppercase().replace(char::is_numeric, "A"),
            format!("#A#{}", &id[3..]),
        ] {
            assert!(!is_file_id(&bad), "{bad}");
        }
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_file_name("C:\\Users\\me\\report.pdf").unwrap(),
            "report.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd").unwrap(), "passwd");
        assert_eq!(clean_file_name("  a\u{0}b.txt ").unwrap(), "ab.txt");
        assert_eq!(clean_file_name("..."), None);
        assert_eq!(clean_file_name(""), None);
        let long = format!("{}.png", "x".repeat(300));
        let cut = clean_file_name(&long).unwrap();
        assert_eq!(cut.chars().count(), MAX_FILE_NAME);
        assert!(cut.ends_with(".png"));
    }

    #[test]
    fn content_types_are_checked() {
        assert_eq!(clean_content_type("Image/PNG").unwrap(), "image/png");
        assert_eq!(
            clean_content_type("text/plain; charset=utf-8").unwrap(),
            "text/plain"
        );
        assert_eq!(clean_content_type("").unwrap(), "application/octet-stream");
        assert_eq!(clean_content_type("text"), None);
        assert_eq!(clean_content_type("text/html\r\nx: y"), None);
    }
}
