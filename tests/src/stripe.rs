//! Stripe as the API tests' wiremock plays it refuses what Stripe refuses: the rules in
//! `infra/stripe_rules.json`, which the local Stripe stand-in (`infra/stripe_double.py`) applies
//! too, so the tests and the browser suite hold one opinion of Stripe.

use serde_json::Value;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The rules, parsed once (every request the wiremock Stripe receives is checked against them).
static RULES: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| {
    serde_json::from_str(include_str!("../../infra/stripe_rules.json"))
        .expect("infra/stripe_rules.json")
});

/// The form fields of a request to Stripe, decoded, in order.
pub fn form(request: &Request) -> Vec<(String, String)> {
    form_pairs(std::str::from_utf8(&request.body).unwrap_or(""))
}

/// `a=1&b%5B0%5D=x` as `[("a", "1"), ("b[0]", "x")]`.
pub fn form_pairs(body: &str) -> Vec<(String, String)> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => out.push(b),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The value of field `name` in `fields`.
pub fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Why Stripe would refuse a POST to `path` with `fields`, if it would.
pub fn refusal(path: &str, fields: &[(String, String)]) -> Option<String> {
    let has = |name: &str, value: &Value| match (field(fields, name), value) {
        (Some(_), Value::Null) => true,
        (Some(got), Value::String(want)) => got == want,
        _ => false,
    };
    RULES["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|rule| rule["path"] == path)
        .filter(|rule| {
            rule["when"]
                .as_object()
                .is_none_or(|when| when.iter().all(|(name, value)| has(name, value)))
        })
        .find(|rule| {
            let missing = rule["require"].as_array().is_some_and(|names| {
                names
                    .iter()
                    .any(|n| !has(n.as_str().unwrap_or(""), &Value::Null))
            });
            let none_of = rule["require_any"].as_array().is_some_and(|choices| {
                !choices.iter().any(|choice| {
                    choice
                        .as_object()
                        .is_some_and(|c| c.iter().all(|(name, value)| has(name, value)))
                })
            });
            missing || none_of
        })
        .map(|rule| rule["message"].as_str().unwrap_or("refused").to_owned())
}

struct Refusals;

impl Respond for Refusals {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let why = refusal(request.url.path(), &form(request)).unwrap_or_default();
        ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": {"type": "invalid_request_error", "message": why}
        }))
    }
}

struct Refused;

impl wiremock::Match for Refused {
    fn matches(&self, request: &Request) -> bool {
        request.method == wiremock::http::Method::POST
            && refusal(request.url.path(), &form(request)).is_some()
    }
}

/// A wiremock Stripe that refuses, before any other mock answers, what Stripe refuses.
pub async fn strict_stripe() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(Refused)
        .respond_with(Refusals)
        .with_priority(1)
        .named("what Stripe refuses (infra/stripe_rules.json)")
        .mount(&server)
        .await;
    server
}

/// Stripe's PaymentIntents for charges of saved methods, with Stripe's idempotency: a request
/// whose `Idempotency-Key` Stripe has seen answers what the first one did, so each key is at most
/// one charge (https://docs.stripe.com/api/idempotent_requests). The method `pm_declined` is
/// declined (402, as Stripe answers a declined off-session charge); any other succeeds.
#[derive(Clone, Default)]
pub struct Intents {
    answered: std::sync::Arc<std::sync::Mutex<Vec<(String, u16, Value)>>>,
}

impl Intents {
    /// Answer `POST /v1/payment_intents` on `server`.
    pub async fn mount(&self, server: &MockServer) {
        Mock::given(wiremock::matchers::method("POST"))
            .and(wiremock::matchers::path("/v1/payment_intents"))
            .respond_with(self.clone())
            .mount(server)
            .await;
    }

    /// The charges made (one per idempotency key): `(key, status, answer)`.
    pub fn charges(&self) -> Vec<(String, u16, Value)> {
        self.answered.lock().unwrap().clone()
    }
}

impl Respond for Intents {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let key = request
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let mut answered = self.answered.lock().unwrap();
        if let Some((_, status, body)) = answered.iter().find(|(k, ..)| *k == key && !k.is_empty())
        {
            return ResponseTemplate::new(*status).set_body_json(body.clone());
        }
        let fields = form(request);
        let get = |name: &str| field(&fields, name).unwrap_or("").to_owned();
        let id = format!("pi_{}", answered.len() + 1);
        let metadata: serde_json::Map<String, Value> = fields
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("metadata[")?.strip_suffix(']')?;
                Some((name.to_owned(), Value::String(v.clone())))
            })
            .collect();
        let amount: i64 = get("amount").parse().unwrap_or(0);
        let declined = get("payment_method") == "pm_declined";
        // Stripe's PaymentIntent object (https://docs.stripe.com/api/payment_intents/object), with
        // every field the portal's Stripe client requires.
        let intent = serde_json::json!({
            "id": id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": if declined { 0 } else { amount },
            "capture_method": "automatic_async", "confirmation_method": "automatic",
            "created": 1_780_000_000, "livemode": false, "client_secret": format!("{id}_secret"),
            "currency": get("currency"), "customer": get("customer"),
            "payment_method": get("payment_method"), "payment_method_types": ["card"],
            "metadata": metadata,
            "status": if declined { "requires_payment_method" } else { "succeeded" },
            "last_payment_error": if declined {
                serde_json::json!({"type": "card_error", "code": "card_declined"})
            } else {
                Value::Null
            },
        });
        let (status, body) = if declined {
            let error = serde_json::json!({"error": {
                "type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
                "message": "Your card was declined.", "payment_intent": intent}});
            (402, error)
        } else {
            (200, intent)
        };
        answered.push((key, status, body.clone()));
        ResponseTemplate::new(status).set_body_json(body)
    }
}

/// The idempotency key the portal under test sends when creating `what` for our id `id`: namespaced
/// by its webhook endpoint's secret (`billing::stripe::namespace`).
pub fn idempotency_key(what: &str, id: &str) -> String {
    format!("{}-{what}-{id}", portal_namespace())
}

/// The namespace the portal under test puts in every object's `metadata[portal]`.
pub fn portal_namespace() -> String {
    billing::stripe::namespace(crate::STRIPE_WEBHOOK_SECRET)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(s: &str) -> Vec<(String, String)> {
        form_pairs(s)
    }

    #[test]
    fn off_session_charges_need_a_way_around_redirects() {
        let base = "amount=100&currency=usd&customer=cus_1&payment_method=pm_1&confirm=true&off_session=true";
        assert!(
            refusal("/v1/payment_intents", &pairs(base))
                .unwrap()
                .contains("return_url")
        );
        for ok in [
            "&return_url=https%3A%2F%2Fx",
            "&automatic_payment_methods%5Benabled%5D=true&automatic_payment_methods%5Ballow_redirects%5D=never",
            "&payment_method_types%5B0%5D=card",
        ] {
            assert_eq!(
                refusal("/v1/payment_intents", &pairs(&format!("{base}{ok}"))),
                None,
                "{ok}"
            );
        }
        let always = format!("{base}&automatic_payment_methods%5Ballow_redirects%5D=always");
        assert!(refusal("/v1/payment_intents", &pairs(&always)).is_some());
    }

    #[test]
    fn setup_checkout_needs_a_currency_or_types() {
        let base = "mode=setup&success_url=https%3A%2F%2Fx&customer=cus_1";
        assert!(refusal("/v1/checkout/sessions", &pairs(base)).is_some());
        assert_eq!(
            refusal(
                "/v1/checkout/sessions",
                &pairs(&format!("{base}&currency=usd"))
            ),
            None
        );
        assert!(
            refusal("/v1/checkout/sessions", &pairs("success_url=x")).is_some(),
            "no mode"
        );
        assert_eq!(refusal("/v1/customers", &pairs("")), None);
    }
}
