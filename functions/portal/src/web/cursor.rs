//! Opaque, signed pagination cursors. A cursor wraps DynamoDB's `LastEvaluatedKey` (string
//! attributes only), the name of the list it belongs to, and an HMAC-SHA256 over both: a client can
//! neither read nor forge a position, nor replay one list's cursor against another list (another
//! company's, tab, index), which DynamoDB would refuse as an invalid start key.

use aws_sdk_dynamodb::types::AttributeValue;

use std::collections::{BTreeMap, HashMap};

use crate::auth::seal::SealKey;
use crate::web::error::ApiError;

pub struct CursorKey(SealKey);

impl CursorKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(SealKey::new(secret))
    }

    /// The cursor for a page of `list` ending at `last`; `None` when it was the last page.
    pub fn encode(
        &self,
        last: Option<&HashMap<String, AttributeValue>>,
        list: &str,
    ) -> Option<String> {
        let key: BTreeMap<String, String> = last?
            .iter()
            .filter_map(|(k, v)| v.as_s().ok().map(|s| (k.clone(), s.clone())))
            .collect();
        self.0.seal(list, &key)
    }

    /// The `ExclusiveStartKey` a cursor of `list` stands for. Anything not made by `encode` for
    /// this very list is a 400.
    pub fn decode(
        &self,
        cursor: &str,
        list: &str,
    ) -> Result<HashMap<String, AttributeValue>, ApiError> {
        let key: BTreeMap<String, String> = self.0.open(list, cursor).ok_or_else(|| {
            ApiError::BadRequest(
                "the cursor is not valid for this list; start again from the first page".into(),
            )
        })?;
        Ok(key
            .into_iter()
            .map(|(k, v)| (k, AttributeValue::S(v)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD as B64};

    #[test]
    fn round_trips_and_refuses_tampering_and_other_lists() {
        let key = CursorKey::new(&[7; 32]);
        let last = HashMap::from([("pk".to_string(), AttributeValue::S("CO#a".into()))]);
        let cursor = key.encode(Some(&last), "users#a").unwrap();
        assert_eq!(key.decode(&cursor, "users#a").unwrap(), last);
        assert!(key.decode(&cursor, "users#b").is_err(), "another list");
        let forged = format!(
            "{}.{}",
            B64.encode(br#"{"purpose":"users#b","value":{"pk":"CO#b"}}"#),
            cursor.split_once('.').unwrap().1
        );
        assert!(key.decode(&forged, "users#b").is_err());
        assert!(key.decode("garbage", "users#a").is_err());
        assert!(CursorKey::new(&[8; 32]).decode(&cursor, "users#a").is_err());
        assert!(key.encode(None, "users#a").is_none());
    }
}
