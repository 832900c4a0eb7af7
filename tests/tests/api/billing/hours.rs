//! Buying prepaid hours online: an invoice issued for the size chosen, paid through Checkout, the
//! hours credited when Stripe's webhook settles it (not before), once under replays and races;
//! who may buy, and bad choices refused with nothing written.

use portal_tests::users::matrix::sign_in_everyone;
use portal_tests::{DemoUser, TestApp};
use serde_json::{Value, json};

use super::{ACME, checkout_ok, session_completed, stripe};

/// A 20-hour block of Acme's offering 10 and 20 more hours at $120 an hour: its id.
async fn block(t: &TestApp) -> String {
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let created = admin
        .post(
            "/api/agreements",
            json!({"company_id": ACME, "name": "Prepaid hours", "kind": "block", "start_date": "2026-01-01",
                   "rate": 12_000, "included_minutes": 1200, "block_sizes": [10, 20]}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    created.body["id"].as_str().unwrap().to_owned()
}

/// The block's hours (included and bought), as the Full Admin reads them.
async fn included(t: &TestApp, id: &str) -> i64 {
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let got = admin.get(&format!("/api/agreements/{id}")).await;
    got.body["balance"]["included_minutes"].as_i64().unwrap()
}

fn buy(hours: u32) -> Value {
    json!({ "hours": hours })
}

#[tokio::test]
async fn a_client_buys_hours_online_and_they_are_credited_once_when_stripe_confirms() {
    let server = stripe().await;
    // One Checkout session however often the purchase is retried.
    checkout_ok(&server, 1).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let id = block(&t).await;
    let buyer = t.signed_in(DemoUser::AcmeBillingAdmin).await;
    let path = format!("/api/agreements/{id}/purchase");
    let start = || {
        buyer
            .call("POST", &path)
            .header("idempotency-key", "buy-10")
            .json(buy(10))
            .send()
    };
    let first = start().await;
    assert_eq!(first.status, 201, "{}", first.text);
    // Retries, two at once: the same invoice and the same Checkout.
    let (again, twice) = futures::join!(start(), start());
    for retry in [&again, &twice] {
        assert_eq!(retry.status, 201, "{}", retry.text);
        assert_eq!(retry.body["invoice_id"], first.body["invoice_id"]);
        assert_eq!(retry.body["url"], first.body["url"]);
    }
    assert_eq!(
        first.body["url"],
        "https://checkout.stripe.test/c/pay/cs_test_1"
    );
    let invoice_id = first.body["invoice_id"].as_str().unwrap();
    let payment_id = first.body["payment_id"].as_str().unwrap();
    let invoice = buyer.get(&format!("/api/invoices/{invoice_id}")).await.body;
    assert_eq!(invoice["status"], "issued");
    assert!(
        invoice["number"].as_u64().is_some(),
        "numbered as any invoice"
    );
    assert_eq!(
        invoice["lines"][0]["description"],
        "10 hours of Prepaid hours"
    );
    assert_eq!(invoice["subtotal"], 120_000);
    assert_eq!(invoice["purchase"]["minutes"], 600);
    let total = invoice["total"].as_i64().unwrap();
    // Coming back from Stripe's page is not a payment: nothing is credited yet.
    assert_eq!(included(&t, &id).await, 1200);

    let completed = session_completed("evt_hours_1", payment_id, total);
    assert_eq!(t.webhook(&completed).await.status, 200);
    assert_eq!(included(&t, &id).await, 1800);
    let paid = buyer.get(&format!("/api/invoices/{invoice_id}")).await.body;
    assert_eq!(paid["status"], "paid");
    // Replays, at once and later, under the same id and under new ones: credited once.
    let replays: Vec<Value> = (0..5)
        .map(|i| session_completed(&format!("evt_hours_r{i}"), payment_id, total))
        .collect();
    let answers = futures::future::join_all(replays.iter().map(|e| t.webhook(e))).await;
    assert!(answers.iter().all(|a| a.status == 200));
    assert_eq!(t.webhook(&completed).await.status, 200);
    assert_eq!(included(&t, &id).await, 1800);
    // The same purchase again is paid already.
    let done = start().await;
    assert_eq!(done.problem(409), "/problems/not-payable");
    assert_eq!(included(&t, &id).await, 1800);
}

#[tokio::test]
async fn only_a_clients_billing_users_buy_hours_of_their_own_blocks_that_offer_them() {
    let server = stripe().await;
    checkout_ok(&server, 0).await;
    let t = TestApp::with_stripe(&server.uri()).await;
    let id = block(&t).await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let managed = admin
        .post(
            "/api/agreements",
            json!({"company_id": ACME, "name": "Managed", "kind": "managed_services", "start_date": "2026-01-01", "fee": 1000}),
        )
        .await;
    let managed = managed.body["id"].as_str().unwrap().to_owned();
    let cookies = sign_in_everyone(&t).await;
    let full = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let before = t.all_items().await;
    let path = format!("/api/agreements/{id}/purchase");
    // MSP staff, the Ticket Manager, Read-Only and Standard Users may not; Globex finds no such block.
    for (i, want) in [
        (0, 403),
        (1, 403),
        (3, 403),
        (5, 403),
        (6, 403),
        (7, 404),
        (8, 403),
    ] {
        let got = t.post(&path, &cookies[i], buy(10)).await;
        assert_eq!(got.status, want, "{:?}: {}", DemoUser::ALL[i], got.text);
    }
    let size = full.post(&path, buy(15)).await;
    assert_eq!(size.problem(422), "/problems/validation");
    assert_eq!(size.body["errors"][0]["field"], "hours");
    assert_eq!(
        full.post(&format!("/api/agreements/{managed}/purchase"), buy(10))
            .await
            .problem(409),
        "/problems/no-hours-to-buy"
    );
    assert_eq!(
        full.post("/api/agreements/0123456789abcdef01234567/purchase", buy(10))
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        full.post(&path, json!({"hours": 10, "price": 1}))
            .await
            .status,
        400,
        "an unknown field"
    );
    let after = t.all_items().await;
    let new: Vec<_> = after.iter().filter(|i| !before.contains(i)).collect();
    assert!(new.is_empty(), "nothing written: {new:?}");
}
