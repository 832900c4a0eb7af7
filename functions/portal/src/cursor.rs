//! Opaque, signed pagination cursors. A cursor wraps DynamoDB's `LastEvaluatedKey` (string
//! attributes only) and an HMAC-SHA256 over it, so a client can neither read nor forge a position
//! in another company's partition.

use aws_lc_rs::hmac;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use std::collections::{BTreeMap, HashMap};

use crate::error::ApiError;

pub struct CursorKey(hmac::Key);

impl CursorKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    /// The cursor for a page's `LastEvaluatedKey`; `None` when it was the last page.
    pub fn encode(&self, last: Option<&HashMap<String, AttributeValue>>) -> Option<String> {
        let last = last?;
        let plain: BTreeMap<&str, &str> = last
            .iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.as_str(), s.as_str())))
            .collect();
        let body = serde_json::to_vec(&plain).ok()?;
        let tag = hmac::sign(&self.0, &body);
        Some(format!(
            "{}.{}",
            B64.encode(&body),
            B64.encode(tag.as_ref())
        ))
    }

    /// The `ExclusiveStartKey` a cursor stands for. Anything not made by `encode` is a 400.
    pub fn decode(&self, cursor: &str) -> Result<HashMap<String, AttributeValue>, ApiError> {
        let bad = || {
            ApiError::BadRequest("the cursor is not valid; start again from the first page".into())
        };
        let (body, tag) = cursor.split_once('.').ok_or_else(bad)?;
        let body = B64.decode(body).map_err(|_| bad())?;
        let tag = B64.decode(tag).map_err(|_| bad())?;
        hmac::verify(&self.0, &body, &tag).map_err(|_| bad())?;
        let plain: BTreeMap<String, String> = serde_json::from_slice(&body).map_err(|_| bad())?;
        Ok(plain
            .into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_tampering() {
        let key = CursorKey::new(&[7; 32]);
        let last = HashMap::from([("pk".to_string(), AttributeValue::S("CO#a".into()))]);
        let cursor = key.encode(Some(&last)).unwrap();
        assert_eq!(key.decode(&cursor).unwrap(), last);
        let forged = format!(
            "{}.{}",
            B64.encode(br#"{"pk":"CO#b"}"#),
            cursor.split_once('.').unwrap().1
        );
        assert!(key.decode(&forged).is_err());
        assert!(key.decode("garbage").is_err());
        assert!(CursorKey::new(&[8; 32]).decode(&cursor).is_err());
    }
}
