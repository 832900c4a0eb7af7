//! Tickets waiting for the client's approval: MSP staff ask with a message; only the company's
//! approvers answer (two at once: one answer); the home count follows; leaving the status
//! withdraws an unanswered request; refusals write nothing.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};

use super::*;

const TECH: &str = "tech@northwind.example";

/// The technician (`tech`: their cookie) asks for approval of `ticket` (its path) with `body`.
async fn ask_approval(
    t: &TestApp,
    ticket: &str,
    tech: &str,
    body: serde_json::Value,
) -> portal_tests::Answer {
    t.post(&format!("{ticket}/approval-request"), tech, body)
        .await
}

/// Acme's tickets waiting for approval, as `cookie` counts them on the home page.
async fn awaiting(t: &TestApp, cookie: &str) -> i64 {
    let stats = t.get("/api/tickets/stats", cookie).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    stats.body["awaiting_approval"].as_i64().unwrap()
}

#[tokio::test]
async fn approvers_approve_or_reject_the_work_a_ticket_waits_for_once() {
    let t = TestApp::new().await;
    let (tech, uma) = (t.login(TECH).await, t.login("user@acme.example").await);
    let (billing, full) = (t.login(BILLING).await, t.login(FULL_ADMIN).await);
    let raised = t
        .post(
            "/api/tickets",
            &uma,
            json!({"request_type": "Problem", "summary": "New laptop for the front desk", "description": "Ours died.", "priority": "medium"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let n = raised.body["number"].as_u64().unwrap();
    let ticket = format!("/api/tickets/{n}");
    let before_count = awaiting(&t, &full).await;

    // Who may ask (MSP staff), who may answer (the approvers): empty bodies, so nothing changes.
    let everyone = sign_in_everyone(&t).await;
    let before = t.all_items().await;
    let ask = each(&everyone, async |c| {
        t.post(
            &format!("{ticket}/approval-request"),
            c,
            json!({"message": " ", "version": 1}),
        )
        .await
    })
    .await;
    expect(
        "POST /api/tickets/{number}/approval-request",
        ask,
        [422, 422, 403, 403, 403, 403, 403, 403, 403],
    );
    // Only by asking: not by setting the status.
    let status = t
        .patch(
            &ticket,
            &tech,
            json!({"status": "waiting_for_approval", "version": 1}),
        )
        .await;
    assert_eq!(status.problem(422), "/problems/validation");
    assert_eq!(t.all_items().await, before, "refusals wrote nothing");

    let asked = ask_approval(
        &t,
        &ticket,
        &tech,
        json!({"message": "Billable work outside your agreement, about 3 hours.", "version": 1}),
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(asked.body["status"], "waiting_for_approval");
    assert_eq!(asked.body["approval"]["state"], "pending");
    let version = asked.body["version"].clone();
    let again = ask_approval(
        &t,
        &ticket,
        &tech,
        json!({"message": "Again", "version": version}),
    )
    .await;
    assert_eq!(again.problem(409), "/problems/approval-state");
    let mut told: Vec<String> = t
        .mail()
        .await
        .iter()
        .filter(|m| {
            m["subject"]
                == format!("Ticket #{n} needs your approval: New laptop for the front desk")
        })
        .map(|m| {
            m["destinations"]["ToAddresses"][0]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    told.sort_unstable();
    assert_eq!(told, [BILLING, FULL_ADMIN], "the approvers are asked");
    assert_eq!(awaiting(&t, &full).await, before_count + 1);
    assert_eq!(
        awaiting(&t, &billing).await,
        before_count + 1,
        "an approver who sees only their own tickets"
    );
    assert_eq!(awaiting(&t, &uma).await, 0, "not an approver");
    // The Billing Admin sees it (not their own ticket) and finds it with the filter.
    assert_eq!(t.get(&ticket, &billing).await.status, 200);
    let list = t
        .get("/api/tickets?status=waiting_for_approval", &billing)
        .await;
    assert!(
        list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["number"] == n),
        "{}",
        list.text
    );

    let before = t.all_items().await;
    let answer = each(&everyone, async |c| {
        t.post(
            &format!("{ticket}/approval"),
            c,
            json!({"approve": false, "comment": "", "version": version}),
        )
        .await
    })
    .await;
    expect(
        "POST /api/tickets/{number}/approval",
        answer,
        [403, 403, 422, 403, 422, 403, 403, 404, 403],
    );
    assert_eq!(t.all_items().await, before, "refusals wrote nothing");

    // Two approvers at once: one answer.
    let path = format!("{ticket}/approval");
    let (a, b) = futures::join!(
        t.post(
            &path,
            &billing,
            json!({"approve": true, "comment": "Go ahead", "version": version})
        ),
        t.post(&path, &full, json!({"approve": true, "version": version}))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let (won, lost) = if a.status == 200 { (a, b) } else { (b, a) };
    assert_eq!(lost.problem(409), "/problems/approval-state");
    assert_eq!(won.body["status"], "in_progress");
    assert_eq!(won.body["approval"]["state"], "approved");
    assert_eq!(awaiting(&t, &full).await, before_count);
    let answered: Vec<String> = t
        .mail()
        .await
        .iter()
        .filter(|m| m["subject"] == format!("Ticket #{n} approved by Acme Dental"))
        .map(|m| {
            m["destinations"]["ToAddresses"][0]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        answered.len(),
        2,
        "the technician who asked and the support mailbox, once: {answered:?}"
    );
    assert!(answered.iter().any(|a| a == TECH));

    // Asked again, then the technician moves it on before anyone answers: withdrawn.
    let version = won.body["version"].clone();
    let asked = ask_approval(
        &t,
        &ticket,
        &tech,
        json!({"message": "A second laptop too?", "version": version}),
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.text);
    assert_eq!(awaiting(&t, &full).await, before_count + 1);
    let moved = t
        .patch(
            &ticket,
            &tech,
            json!({"status": "scheduled", "version": asked.body["version"]}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["approval"]["state"], "withdrawn");
    assert_eq!(awaiting(&t, &full).await, before_count);
    let late = t
        .post(
            &path,
            &full,
            json!({"approve": true, "version": moved.body["version"]}),
        )
        .await;
    assert_eq!(late.problem(409), "/problems/approval-state");
}
