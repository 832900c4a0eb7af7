//! Companies and the audit trail: MSP admins create, edit and search companies; the trail is
//! filtered, exported, shown to the right people and immutable; a company keeps its tax rate.

use super::*;

#[tokio::test]
async fn msp_admins_create_edit_and_search_companies_and_invite_their_first_admin() {
    let t = TestApp::new().await;
    let staff = t.login("admin@northwind.example").await;
    let body = json!({"name": "Initech", "billing_email": "ap@initech.example", "phone": "+1 555 0199",
        "address": "1 Main St\nAustin TX", "time_zone": "America/Chicago", "currency": "usd", "mfa_required": false});
    for email in ["tech@northwind.example", ACME_ADMIN] {
        let cookie = t.login(email).await;
        assert_eq!(
            t.post("/api/companies", &cookie, body.clone()).await.status,
            403,
            "{email}"
        );
    }
    for bad in [
        json!({"name": ""}),
        json!({"name": "X", "time_zone": "Mars/Olympus Mons"}),
        json!({"name": "X", "currency": "dollars"}),
        json!({"name": "X", "billing_email": "nope"}),
    ] {
        assert_eq!(
            t.post("/api/companies", &staff, bad.clone()).await.status,
            422,
            "{bad}"
        );
    }
    // Sign-in methods are set apart (`/sign-in`): the company fields do not know them.
    let unknown = json!({"name": "X", "sign_in_methods": ["google"]});
    assert_eq!(t.post("/api/companies", &staff, unknown).await.status, 400);
    let before = t.get("/api/companies", &staff).await.body["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, 3, "nothing written by the refused creates");
    let created = t.post("/api/companies", &staff, body).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["currency"], "USD");
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("initech-"));
    let found = t.get("/api/companies?q=INI", &staff).await;
    let names: Vec<&str> = found.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Initech"]);
    let stale = t
        .patch(
            &format!("/api/companies/{id}"),
            &staff,
            json!({"version": 7, "name": "Initrode"}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let renamed = t
        .patch(
            &format!("/api/companies/{id}"),
            &staff,
            json!({"version": 0, "name": "Initrode"}),
        )
        .await;
    assert_eq!(renamed.body["name"], "Initrode");
    assert_eq!(
        t.get("/api/companies?q=initrode", &staff).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let first = t.post(&format!("/api/companies/{id}/users"),
        &staff,
        json!({"name": "Peter Gibbons", "email": "peter@initech.example", "role": "full_admin"}),
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let staff_role = t
        .post(
            &format!("/api/companies/{id}/users"),
            &staff,
            json!({"name": "Sam", "email": "sam@initech.example", "role": "technician"}),
        )
        .await;
    assert_eq!(staff_role.status, 422);
    let token = t.token_mailed_to("peter@initech.example").await;
    let accepted = t
        .post(
            "/api/auth/invitation/accept",
            "",
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(accepted.status, 204);
    let peter = t
        .try_login("peter@initech.example", NEW_PASSWORD)
        .await
        .session_cookie()
        .unwrap();
    let company = t.get(&format!("/api/companies/{id}"), &peter).await;
    assert_eq!(company.body["admins"], 1, "the accepted Full Admin counts");
    assert_eq!(
        t.get(&format!("/api/companies/{id}/users"), &peter)
            .await
            .status,
        200
    );
    // Clients cannot edit their company's settings (MSP admins do).
    assert_eq!(
        t.patch(
            &format!("/api/companies/{id}"),
            &peter,
            json!({"version": 1, "mfa_required": true})
        )
        .await
        .status,
        403
    );
    let actions = trail(&t, &id, &staff, "").await;
    assert!(
        actions.contains(&"company_created".to_owned())
            && actions.contains(&"company_updated".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_audit_trail_is_filtered_exported_shown_to_the_right_people_and_immutable() {
    let t = TestApp::new().await;
    assert_eq!(
        t.try_login("user@acme.example", "wrong password!")
            .await
            .status,
        401
    );
    let user = t.login("user@acme.example").await;
    let raised = t
        .post(
            "/api/tickets",
            &user,
            json!({"summary": "Audit me", "description": "x",
        "request_type": "Problem", "priority": "medium"}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let number = raised.body["number"].as_u64().unwrap();
    let tech = t.login("tech@northwind.example").await;
    let internal = t
        .post(
            &format!("/api/tickets/{number}/notes"),
            &tech,
            json!({"text": "secret", "internal": true}),
        )
        .await;
    assert_eq!(internal.status, 201);
    let admin = t.login(ACME_ADMIN).await;
    let all = trail(&t, "acme-dental", &admin, "").await;
    for action in ["sign_in_failed", "sign_in", "ticket_created"] {
        assert!(all.contains(&action.to_owned()), "{action} in {all:?}");
    }
    assert!(
        !all.contains(&"ticket_note_added".to_owned()),
        "the MSP's internal note stays in the MSP's trail"
    );
    let msp = trail(
        &t,
        "northwind-it",
        &t.login("admin@northwind.example").await,
        "",
    )
    .await;
    assert!(msp.contains(&"ticket_note_added".to_owned()));
    // Filters: by user, by action, by date.
    let uma = portal_admin::seed::demo_user_id("user@acme.example");
    let mine = t
        .get(
            &format!("/api/companies/acme-dental/audit?user={uma}"),
            &admin,
        )
        .await;
    let items = mine.body["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|e| e["actor_id"] == uma.as_str()),
        "{items:#?}"
    );
    assert_eq!(
        trail(&t, "acme-dental", &admin, "?action=ticket_created").await,
        ["ticket_created"]
    );
    let today = t.app.now().date();
    assert!(
        !trail(
            &t,
            "acme-dental",
            &admin,
            &format!("?from={today}&to={today}")
        )
        .await
        .is_empty()
    );
    assert!(
        trail(
            &t,
            "acme-dental",
            &admin,
            &format!("?to={}", today.previous_day().unwrap())
        )
        .await
        .is_empty()
    );
    for bad in [
        "?action=drop_table",
        "?from=yesterday",
        "?user=../x",
        "?cursor=forged",
    ] {
        assert_eq!(
            t.get(&format!("/api/companies/acme-dental/audit{bad}"), &admin)
                .await
                .status,
            400,
            "{bad}"
        );
    }
    let sign_in = t
        .get("/api/companies/acme-dental/audit?action=sign_in", &admin)
        .await;
    let entry = &sign_in.body["items"][0];
    assert!(
        entry["at"].is_string() && entry["actor_name"].is_string() && entry["summary"].is_string()
    );
    // Export.
    let csv = t
        .get(
            "/api/companies/acme-dental/audit/export?action=ticket_created",
            &admin,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type().starts_with("text/csv"));
    assert!(
        csv.text.starts_with("\"Time (UTC)\",\"Action\""),
        "{}",
        csv.text
    );
    assert!(csv.text.contains("Audit me"));
    // Who may read it.
    for email in [
        "ticketmanager@acme.example",
        "billing@acme.example",
        "user@acme.example",
    ] {
        let cookie = t.login(email).await;
        assert_eq!(
            t.get("/api/companies/acme-dental/audit", &cookie)
                .await
                .status,
            403,
            "{email}"
        );
    }
    assert_eq!(
        t.get("/api/companies/acme-dental/audit", &tech)
            .await
            .status,
        200,
        "MSP staff"
    );
    // Nothing edits or deletes entries.
    let count = t
        .items_in("CO#acme-dental")
        .await
        .iter()
        .filter(|i| i["sk"].as_s().unwrap().starts_with("AUDIT#"))
        .count();
    for method in ["PUT", "PATCH", "DELETE", "POST"] {
        let answer = t
            .call(method, "/api/companies/acme-dental/audit")
            .cookie(&admin)
            .json(json!({}))
            .send()
            .await;
        assert_eq!(answer.status, 405, "{method}");
    }
    let after = t
        .items_in("CO#acme-dental")
        .await
        .iter()
        .filter(|i| i["sk"].as_s().unwrap().starts_with("AUDIT#"))
        .count();
    assert_eq!(count, after);
}

#[tokio::test]
async fn technicians_do_not_read_invoices_payments_or_cards_in_the_audit_trail() {
    use portal_tests::DemoUser;
    let t = TestApp::new().await;
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let tech = t.signed_in(DemoUser::Technician).await;
    let drafted = admin
        .post(
            "/api/invoices",
            json!({"company_id": "acme-dental", "lines": [{"description": "Audit check", "quantity": 1, "unit_price": 4200}]}),
        )
        .await;
    assert_eq!(drafted.status, 201, "{}", drafted.text);
    let msp = "northwind-it";

    // The MSP admin, who sees billing, reads the entry; the technician reads the rest of the trail
    // without it, also when asking for it by name and in the CSV export.
    let seen_by_admin = trail(&t, msp, &admin.cookie, "").await;
    assert!(
        seen_by_admin.contains(&"invoice_created".to_owned()),
        "{seen_by_admin:?}"
    );
    let seen_by_tech = trail(&t, msp, &tech.cookie, "").await;
    assert!(
        seen_by_tech.contains(&"sign_in".to_owned()),
        "{seen_by_tech:?}"
    );
    assert!(
        !seen_by_tech.iter().any(|a| a.starts_with("invoice_")),
        "{seen_by_tech:?}"
    );
    let asked = trail(&t, msp, &tech.cookie, "?action=invoice_created").await;
    assert!(asked.is_empty(), "{asked:?}");
    let export = format!("/api/companies/{msp}/audit/export");
    assert!(admin.get(&export).await.text.contains("invoice_created"));
    let tech_csv = tech.get(&export).await.text;
    assert!(
        tech_csv.contains("sign_in") && !tech_csv.contains("invoice_created"),
        "{tech_csv}"
    );
}

#[tokio::test]
async fn a_company_keeps_the_tax_rate_its_new_invoices_start_with() {
    let t = TestApp::new().await;
    let staff = t.login("admin@northwind.example").await;
    let acme = t.get("/api/companies/acme-dental", &staff).await.body;
    assert_eq!(acme["tax_rate_bp"], 825, "the demo company's");
    let before = t.all_items().await;
    let refused = t
        .patch(
            "/api/companies/acme-dental",
            &staff,
            json!({"tax_rate_bp": 10_001, "version": acme["version"]}),
        )
        .await;
    assert_eq!(refused.problem(422), "/problems/validation");
    assert_eq!(refused.body["errors"][0]["field"], "tax_rate_bp");
    assert_eq!(t.all_items().await, before, "nothing written");
    let saved = t
        .patch(
            "/api/companies/acme-dental",
            &staff,
            json!({"tax_rate_bp": 700, "version": acme["version"]}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(saved.body["tax_rate_bp"], 700);
    let trail = t.get("/api/companies/acme-dental/audit", &staff).await.body;
    assert!(trail.to_string().contains("tax rate"), "audited: {trail}");
}
