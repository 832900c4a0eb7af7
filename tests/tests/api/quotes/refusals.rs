//! Who may do what with quotes (only approvers answer; Standard Users, Ticket Managers, Read-Only
//! users and technicians never see one), another company's quotes (404, nothing changed), and bad
//! input (a clear 4xx, nothing written).

use portal_tests::users::matrix::{each, expect, sign_in_everyone};

use super::*;

#[tokio::test]
async fn only_approvers_and_msp_admins_see_quotes_and_only_approvers_answer() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let quote = sent(&t, &staff, firewall(day(&t, 30), json!({}))).await;
    let id = quote["id"].as_str().unwrap().to_owned();
    let everyone = sign_in_everyone(&t).await;
    // In DemoUser::ALL order: MSP admin, technician, Acme Full Admin, Ticket Manager, Billing
    // Admin, Read-Only, Standard User, Globex Full Admin, Globex Standard User.
    let list = each(&everyone, async |c| t.get("/api/quotes", c).await).await;
    // MSP admins name the company (404 without one).
    expect(
        "GET /api/quotes",
        list,
        [404, 403, 200, 403, 200, 403, 403, 200, 403],
    );
    let named = each(&everyone, async |c| {
        t.get(&format!("/api/quotes?company={ACME}"), c).await
    })
    .await;
    expect(
        "GET /api/quotes?company=acme",
        named,
        [200, 403, 200, 403, 200, 403, 403, 404, 403],
    );
    let detail = each(&everyone, async |c| {
        t.get(&format!("/api/quotes/{id}"), c).await
    })
    .await;
    // Globex's Full Admin asks in their own company: no such quote there.
    expect(
        "GET /api/quotes/{id}",
        detail,
        [404, 403, 200, 403, 200, 403, 403, 404, 403],
    );
    let pdf = each(&everyone, async |c| t.get(&at(&quote, "/pdf"), c).await).await;
    expect(
        "GET /api/quotes/{id}/pdf",
        pdf,
        [303, 403, 303, 403, 303, 403, 403, 404, 403],
    );
    let before = t.all_items().await;
    // Unticked: the approvers get as far as the check of what they sent (422), nobody else.
    let approve = each(&everyone, async |c| {
        t.post(
            &at(&quote, "/approve"),
            c,
            json!({"name": "Someone", "consent": false, "version": quote["version"]}),
        )
        .await
    })
    .await;
    expect(
        "POST /api/quotes/{id}/approve",
        approve,
        [403, 403, 422, 403, 422, 403, 403, 404, 403],
    );
    let decline = each(&everyone, async |c| {
        t.post(
            &at(&quote, "/decline"),
            c,
            json!({"reason": "", "version": quote["version"]}),
        )
        .await
    })
    .await;
    expect(
        "POST /api/quotes/{id}/decline",
        decline,
        [403, 403, 422, 403, 422, 403, 403, 404, 403],
    );
    let renewal = each(&everyone, async |c| {
        t.post(&at(&quote, "/renewal"), c, json!({})).await
    })
    .await;
    expect(
        "POST /api/quotes/{id}/renewal",
        renewal,
        [403, 403, 409, 403, 409, 403, 403, 404, 403],
    );
    let draft = each(&everyone, async |c| {
        t.post("/api/quotes", c, json!({})).await
    })
    .await;
    // Everyone but the MSP admin is refused before their body is read; the admin's is empty.
    expect(
        "POST /api/quotes",
        draft,
        [400, 403, 403, 403, 403, 403, 403, 403, 403],
    );
    let send = each(&everyone, async |c| {
        t.post(
            &at(&quote, "/send"),
            c,
            json!({"version": quote["version"]}),
        )
        .await
    })
    .await;
    expect(
        "POST /api/quotes/{id}/send",
        send,
        [409, 403, 403, 403, 403, 403, 403, 404, 403],
    );
    let delete = each(&everyone, async |c| {
        t.call("DELETE", &at(&quote, "")).cookie(c).send().await
    })
    .await;
    expect(
        "DELETE /api/quotes/{id}",
        delete,
        [409, 403, 403, 403, 403, 403, 403, 404, 403],
    );
    assert_eq!(t.all_items().await, before, "no refusal wrote anything");
}

#[tokio::test]
async fn bad_drafts_get_a_clear_422_and_nothing_is_written() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let good = firewall(day(&t, 30), json!({}));
    let cases: Vec<(&str, Value, &str)> = vec![
        ("no lines", json!({"lines": []}), "lines"),
        (
            "a past date",
            json!({"valid_until": day(&t, -1).to_string()}),
            "valid_until",
        ),
        ("no title", json!({"title": "  "}), "title"),
        (
            "an unknown request type",
            json!({"on_approval": {"ticket_request_type": "Astrology"}}),
            "on_approval.ticket_request_type",
        ),
        (
            "a deposit over 100 %",
            json!({"on_approval": {"deposit": {"kind": "percent", "value": 10_001}}}),
            "on_approval.deposit",
        ),
        (
            "a deposit with only monthly lines",
            json!({
                "lines": [{"description": "Monitoring", "quantity": 1, "unit_price": 8_900, "recurrence": "monthly"}],
                "on_approval": {"deposit": {"kind": "amount", "value": 100}},
            }),
            "on_approval.deposit",
        ),
        (
            "a tax rate over 100 %",
            json!({"tax_rate_bp": 10_001}),
            "tax_rate_bp",
        ),
    ];
    let before = t.all_items().await;
    for (what, change, field) in cases {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = t.post("/api/quotes", &staff, body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{what}");
        assert!(
            answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{what}: {}",
            answer.text
        );
    }
    let mut unknown = good.clone();
    unknown["discount"] = json!(10);
    let answer = t.post("/api/quotes", &staff, unknown).await;
    assert_eq!(answer.problem(400), "/problems/bad-request");
    let mut globex_user = good.clone();
    globex_user["company_id"] = json!("no-such-company");
    assert_eq!(t.post("/api/quotes", &staff, globex_user).await.status, 404);
    assert_eq!(t.all_items().await, before, "nothing written");

    // A draft cannot be sent once its date has passed; a sent quote cannot be deleted.
    let draft = drafted(&t, &staff, firewall(day(&t, 0), json!({}))).await;
    t.clock.advance(time::Duration::days(1));
    let staff = t.login(STAFF).await; // sessions end within a day
    let late = t
        .post(
            &at(&draft, "/send"),
            &staff,
            json!({"version": draft["version"]}),
        )
        .await;
    assert_eq!(late.problem(422), "/problems/validation");
    let deleted = t
        .call("DELETE", &at(&draft, ""))
        .cookie(&staff)
        .send()
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert_eq!(t.get(&at(&draft, ""), &staff).await.status, 404);
}
