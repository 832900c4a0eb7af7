//! A function's answer, read: status, headers, the body as text (gunzipped) and as JSON.

use lambda_http::{Body, Response};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A response, read.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: lambda_http::http::HeaderMap,
    pub body: Value,
    /// The body as text (gunzipped when the answer was gzipped).
    pub text: String,
    /// How many bytes the body took on the wire.
    pub wire_len: usize,
    /// The body as it came (gunzipped): a PDF's bytes.
    pub bytes: Vec<u8>,
}

impl Answer {
    /// Read a function's response (as the tests' requests and the API Gateway event test get them).
    pub fn from(resp: Response<Body>) -> Self {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let gzipped = headers.get("content-encoding").is_some_and(|v| v == "gzip");
        let bytes = match resp.into_body() {
            Body::Text(t) => t.into_bytes(),
            Body::Binary(b) => b,
            _ => Vec::new(),
        };
        let wire_len = bytes.len();
        let bytes = if gzipped { gunzip(&bytes) } else { bytes };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            body,
            text,
            wire_len,
            bytes,
        }
    }

    /// The body as `T` (an API type): panics with the body when it is not one.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not a {}: {e}: {}", std::any::type_name::<T>(), self.text))
    }

    /// Header `name` of the answer, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn content_type(&self) -> &str {
        self.header("content-type").unwrap_or("")
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// The session cookie this answer sets, as `name=value` for a `Cookie` header.
    pub fn session_cookie(&self) -> Option<String> {
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-portal_session=") && !c.contains("Max-Age=0"))
            .and_then(|c| c.split(';').next().map(str::to_owned))
    }

    /// Asserts this is a problem+json answer with `status` and returns its `type`.
    pub fn problem(&self, status: u16) -> String {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.content_type(),
            "application/problem+json",
            "body: {}",
            self.text
        );
        assert!(
            self.body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "problem without a title: {}",
            self.text
        );
        self.body["type"].as_str().unwrap_or_default().to_owned()
    }
}

/// The data of one gzip member as `portal::web::gzip::encode` writes it (no optional header fields),
/// checked against its CRC-32 and length.
fn gunzip(member: &[u8]) -> Vec<u8> {
    assert!(
        member.len() >= 18 && member[..4] == [0x1f, 0x8b, 8, 0],
        "not a plain gzip member"
    );
    let (deflated, trailer) = member[10..].split_at(member.len() - 18);
    let data = miniz_oxide::inflate::decompress_to_vec(deflated).expect("inflate");
    assert_eq!(
        trailer[..4],
        crc32fast::hash(&data).to_le_bytes(),
        "gzip CRC-32"
    );
    assert_eq!(
        trailer[4..],
        (data.len() as u32).to_le_bytes(),
        "gzip length"
    );
    data
}
