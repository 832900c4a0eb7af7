//! A quote's life: drafted (clients never see it), sent (numbered, the approvers emailed), read
//! with its PDF, approved by one of two approvers at once — its ticket, project and deposit
//! invoice made exactly once —, then immutable; revised, declined, expired and renewed.

use super::*;

/// Items under `pk` whose attribute `field` is `value`.
async fn count(t: &TestApp, field: &str, value: &str) -> usize {
    t.all_items()
        .await
        .iter()
        .filter(|i| i.get(field).and_then(|v| v.as_s().ok()).map(String::as_str) == Some(value))
        .count()
}

#[tokio::test]
async fn an_approval_makes_its_ticket_project_and_deposit_exactly_once() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let (billing, full) = (t.login(BILLING).await, t.login(FULL_ADMIN).await);
    let on_approval = json!({
        "ticket_request_type": "Service request",
        "create_project": true,
        "deposit": {"kind": "percent", "value": 5000},
    });
    let draft = drafted(&t, &staff, firewall(day(&t, 30), on_approval)).await;
    assert_eq!(draft["label"], "Draft");
    assert_eq!(draft["totals_text"], "$1,081.42 one-off and $96.34 a month");
    // Clients never see drafts.
    assert_eq!(t.get(&at(&draft, ""), &billing).await.status, 404);
    assert_eq!(
        t.get("/api/quotes?tab=draft", &billing).await.status,
        403,
        "drafts are the MSP's"
    );

    let before = t.mail().await.len();
    let quote = t
        .post(
            &at(&draft, "/send"),
            &staff,
            json!({"version": draft["version"]}),
        )
        .await;
    assert_eq!(quote.status, 200, "{}", quote.text);
    let quote = quote.body;
    let label = quote["label"].as_str().unwrap().to_owned();
    assert!(label.starts_with("Q-"), "numbered when sent: {label}");
    let mail = t.mail().await.split_off(before);
    let mut told: Vec<&str> = mail
        .iter()
        .filter(|m| {
            m["subject"]
                .as_str()
                .unwrap_or("")
                .starts_with(&format!("Quote {label} for your approval"))
        })
        .flat_map(|m| m["destinations"]["ToAddresses"].as_array().unwrap())
        .map(|a| a.as_str().unwrap())
        .collect();
    told.sort_unstable();
    assert_eq!(told, [BILLING, FULL_ADMIN], "the approvers, and only they");
    let link = mail[0]["body"]["text_part"].as_str().unwrap_or_default();
    let body_text = mail[0].to_string();
    assert!(
        body_text.contains(&format!(
            "/quotes/view/?id={}",
            quote["id"].as_str().unwrap()
        )),
        "the email links the quote: {link}{body_text}"
    );

    // The approver reads it, and its PDF.
    let read = t.get(&at(&quote, ""), &billing).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["may_answer"], true);
    let consent = read.body["consent"].as_str().unwrap().to_owned();
    assert_eq!(
        consent,
        format!(
            "I approve {label} for $1,081.42 one-off and $96.34 a month on the terms above, on behalf of Acme Dental."
        )
    );
    let pdf = t.get(&at(&quote, "/pdf"), &billing).await;
    assert_eq!(pdf.status, 303, "{}", pdf.text);
    let waiting = t.get("/api/billing/overview", &billing).await;
    let waiting_before = waiting.body["quotes_waiting"].as_u64().unwrap();
    assert!(waiting_before >= 1);

    // Two approvers at once: exactly one approval.
    let approve = at(&quote, "/approve");
    let (a, b) = futures::join!(
        t.post(&approve, &billing, signed(&quote)),
        t.post(&approve, &full, signed(&quote))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let (won, lost) = if a.status == 200 { (a, b) } else { (b, a) };
    assert_eq!(lost.problem(409), "/problems/quote-approved");
    let approved = won.body;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approval"]["consent"], consent.as_str());
    assert_eq!(approved["approval"]["revision"], 1);
    assert_eq!(
        approved["approval"]["totals"], quote["totals"],
        "the totals approved"
    );
    assert_eq!(approved["approval"]["name"], "Bella Billings");
    assert!(!approved["approval"]["ip"].as_str().unwrap().is_empty());

    // What the MSP chose: one ticket, one project, one deposit invoice, each once.
    let outcome = &approved["outcome"];
    let ticket = outcome["ticket"].as_u64().expect("a ticket");
    let summary = format!("Approved quote {label}: New firewall");
    assert_eq!(count(&t, "summary", &summary).await, 1, "one ticket");
    let read = t.get(&format!("/api/tickets/{ticket}"), &staff).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["ticket"]["request_type"], "Service request");
    let project = outcome["project"].as_u64().expect("a project");
    let read = t.get(&format!("/api/projects/{project}"), &staff).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(count(&t, "name", "New firewall").await, 1, "one project");
    let deposit = outcome["deposit_invoice"].as_str().expect("a deposit");
    let invoice = t.get(&format!("/api/invoices/{deposit}"), &billing).await;
    assert_eq!(invoice.status, 200, "{}", invoice.text);
    assert_eq!(invoice.body["status"], "issued");
    assert_eq!(invoice.body["total"], 54_071, "half the one-off total");
    assert_eq!(invoice.body["label"], outcome["deposit_label"]);
    let deposits = t
        .all_items()
        .await
        .iter()
        .filter(|i| {
            i.get("notes")
                .and_then(|v| v.as_s().ok())
                .is_some_and(|n| n.starts_with(&format!("The deposit on quote {label}")))
        })
        .count();
    assert_eq!(deposits, 1, "one deposit invoice");
    let mail = t.mail().await;
    let to_msp = mail
        .iter()
        .filter(|m| m["subject"] == format!("Acme Dental approved {label}: New firewall"))
        .count();
    assert_eq!(to_msp, 1, "the MSP is told once: {mail:?}");
    let after = t.get("/api/billing/overview", &billing).await;
    assert_eq!(
        after.body["quotes_waiting"].as_u64().unwrap(),
        waiting_before - 1
    );

    // Approved is final: no change, no second answer, nothing written.
    let before = t.all_items().await;
    let again = t
        .post(&at(&quote, "/approve"), &full, signed(&approved))
        .await;
    assert_eq!(again.problem(409), "/problems/quote-approved");
    let no = t
        .post(
            &at(&quote, "/decline"),
            &full,
            json!({"reason": "Too late", "version": approved["version"]}),
        )
        .await;
    assert_eq!(no.problem(409), "/problems/quote-approved");
    let mut changed = firewall(day(&t, 30), json!({}));
    changed.as_object_mut().unwrap().remove("company_id");
    changed["version"] = approved["version"].clone();
    let edit = t.patch(&at(&quote, ""), &staff, changed).await;
    assert_eq!(edit.problem(409), "/problems/quote-final");
    assert_eq!(t.all_items().await, before, "refusals wrote nothing");
    let listed = t.get("/api/quotes?tab=approved", &billing).await;
    assert!(
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["id"] == quote["id"])
    );
    let found = t.get(&format!("/api/quotes?q={label}"), &full).await;
    assert_eq!(
        found.body["items"][0]["id"], quote["id"],
        "search by number"
    );
}

#[tokio::test]
async fn revised_declined_and_expired_quotes_refuse_approval_and_write_nothing() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let billing = t.login(BILLING).await;
    let first = sent(&t, &staff, firewall(day(&t, 30), json!({}))).await;

    // Revising: a new revision with the same number; the old one superseded.
    let mut change = firewall(day(&t, 45), json!({}));
    change.as_object_mut().unwrap().remove("company_id");
    change["title"] = json!("New firewall, two sites");
    change["version"] = first["version"].clone();
    let revised = t.patch(&at(&first, ""), &staff, change).await;
    assert_eq!(revised.status, 200, "{}", revised.text);
    let revised = revised.body;
    assert_eq!(
        revised["label"],
        format!("{} rev 2", first["label"].as_str().unwrap())
    );
    assert_eq!(revised["replaces"], first["id"]);
    let old = t.get(&at(&first, ""), &billing).await.body;
    assert_eq!(old["status"], "superseded");
    assert_eq!(old["replaced_by"], revised["id"]);

    let before = t.all_items().await;
    let superseded = t
        .post(&at(&first, "/approve"), &billing, signed(&old))
        .await;
    assert_eq!(superseded.problem(409), "/problems/quote-superseded");
    assert!(
        superseded.body["title"]
            .as_str()
            .unwrap()
            .contains("newer revision")
    );
    let stale = t
        .post(&at(&revised, "/approve"), &billing, signed(&first))
        .await;
    assert_eq!(stale.problem(409), "/problems/quote-changed");
    let unticked = t
        .post(
            &at(&revised, "/approve"),
            &billing,
            json!({"name": "Bella Billings", "consent": false, "version": revised["version"]}),
        )
        .await;
    assert_eq!(unticked.problem(422), "/problems/validation");
    let no_reason = t
        .post(
            &at(&revised, "/decline"),
            &billing,
            json!({"reason": "  ", "version": revised["version"]}),
        )
        .await;
    assert_eq!(no_reason.problem(422), "/problems/validation");
    assert_eq!(t.all_items().await, before, "refusals wrote nothing");

    // Declined, with a reason the MSP reads; then it cannot be approved.
    let declined = t
        .post(
            &at(&revised, "/decline"),
            &billing,
            json!({"reason": "We went with another vendor", "version": revised["version"]}),
        )
        .await;
    assert_eq!(declined.status, 200, "{}", declined.text);
    assert_eq!(
        declined.body["decline"]["reason"],
        "We went with another vendor"
    );
    let subject = format!(
        "Acme Dental declined {}: New firewall, two sites",
        revised["label"].as_str().unwrap()
    );
    assert!(
        t.mail()
            .await
            .iter()
            .any(|m| m["subject"] == subject.as_str())
    );
    let before = t.all_items().await;
    let late = t
        .post(&at(&revised, "/approve"), &billing, signed(&declined.body))
        .await;
    assert_eq!(late.problem(409), "/problems/quote-declined");
    assert_eq!(t.all_items().await, before);

    // Expired: valid until today, read tomorrow.
    let short = sent(&t, &staff, firewall(day(&t, 0), json!({}))).await;
    let early = t.post(&at(&short, "/renewal"), &billing, json!({})).await;
    assert_eq!(early.problem(409), "/problems/quote-not-expired");
    t.clock.advance(time::Duration::days(1));
    let billing = t.login(BILLING).await; // sessions end within a day
    let staff = t.login(STAFF).await;
    let before = t.all_items().await;
    let expired = t
        .post(&at(&short, "/approve"), &billing, signed(&short))
        .await;
    assert_eq!(expired.problem(409), "/problems/quote-expired");
    assert_eq!(t.all_items().await, before, "nothing written");
    let tab = t.get("/api/quotes?tab=expired", &billing).await;
    assert_eq!(tab.body["items"][0]["id"], short["id"]);
    assert_eq!(tab.body["items"][0]["expired"], true);

    // One click asks for a renewal: one ticket, however often it is clicked.
    let asked = t.post(&at(&short, "/renewal"), &billing, json!({})).await;
    assert_eq!(asked.status, 201, "{}", asked.text);
    let ticket = asked.body["renewal_ticket"].as_u64().unwrap();
    let again = t.post(&at(&short, "/renewal"), &billing, json!({})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    assert_eq!(again.body["renewal_ticket"], ticket);
    let read = t.get(&format!("/api/tickets/{ticket}"), &staff).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert!(
        read.body["ticket"]["summary"]
            .as_str()
            .unwrap()
            .starts_with("Please renew quote")
    );
}
