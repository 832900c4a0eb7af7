//! Invoices: gapless numbers, who sees them, bad input, manual payments and voids, the PDF, the
//! CSV export.

use super::*;

#[tokio::test]
async fn invoice_numbers_are_gapless_when_issued_at_once_and_issued_invoices_are_frozen() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let mut drafts = Vec::new();
    for i in 0..6 {
        drafts.push(
            draft(
                &t,
                &staff,
                if i % 2 == 0 { ACME } else { GLOBEX },
                &[("Support hours", "1.5", 12_000)],
            )
            .await,
        );
    }
    assert_eq!(drafts[0]["subtotal"], 18_000);
    assert_eq!(drafts[0]["tax"], 1_800);
    assert_eq!(drafts[0]["total"], 19_800);
    assert_eq!(drafts[0]["number"], Value::Null);
    let (a, b, c, d, e, f) = tokio::join!(
        issue(&t, &staff, &drafts[0]),
        issue(&t, &staff, &drafts[1]),
        issue(&t, &staff, &drafts[2]),
        issue(&t, &staff, &drafts[3]),
        issue(&t, &staff, &drafts[4]),
        issue(&t, &staff, &drafts[5]),
    );
    let mut numbers: Vec<u64> = [a, b, c, d, e, f]
        .iter()
        .map(|i| i["invoice"]["number"].as_u64().unwrap())
        .collect();
    numbers.sort_unstable();
    assert_eq!(numbers, vec![1, 2, 3, 4, 5, 6]);
    let one = invoice(&t, &staff, &drafts[0]["id"]).await;
    assert_eq!(one["status"], "issued");
    let issued_on = time::Date::parse(
        one["issue_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    let due = time::Date::parse(
        one["due_date"].as_str().unwrap(),
        &time::format_description::well_known::Iso8601::DATE,
    )
    .unwrap();
    assert_eq!(
        due - issued_on,
        time::Duration::days(30),
        "the company's payment terms"
    );
    // Issued: no edits, no second issue, no delete.
    let path = format!(
        "/api/invoices/{}?company={ACME}",
        one["id"].as_str().unwrap()
    );
    let edit = t.call("PATCH", &path).cookie(&staff).json(json!({"lines": [{"description": "x", "quantity": 1, "unit_price": 1}], "version": one["version"]})).send().await;
    assert_eq!(edit.problem(409), "/problems/not-a-draft");
    assert_eq!(
        t.call("DELETE", &path)
            .cookie(&staff)
            .send()
            .await
            .problem(409),
        "/problems/not-a-draft"
    );
    let again = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/issue?company={ACME}",
                one["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": one["version"]}))
        .send()
        .await;
    assert_eq!(again.problem(409), "/problems/not-a-draft");
    // A stale version is a conflict and takes no number.
    let late = draft(&t, &staff, ACME, &[("Late", "1", 100)]).await;
    let stale = t
        .call(
            "POST",
            &format!(
                "/api/invoices/{}/issue?company={ACME}",
                late["id"].as_str().unwrap()
            ),
        )
        .cookie(&staff)
        .json(json!({"version": 99}))
        .send()
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    assert_eq!(
        issue(&t, &staff, &late).await["invoice"]["label"],
        "INV-0007"
    );
}

#[tokio::test]
async fn only_billing_roles_see_invoices_and_other_companies_get_404() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let acme = issued(&t, &staff, 50_000).await;
    let hidden = draft(&t, &staff, ACME, &[("Not yet", "1", 100)]).await;
    let id = acme["id"].as_str().unwrap();
    for who in ["fulladmin@acme.example", "billing@acme.example"] {
        let cookie = t.login(who).await;
        let list = t.get("/api/invoices", &cookie).await;
        assert_eq!(list.status, 200, "{who}");
        let ids: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![id], "{who}: drafts are never shown");
        assert_eq!(
            t.get(&format!("/api/invoices/{id}"), &cookie).await.body["lines"][0]["description"],
            "Managed services"
        );
        assert_eq!(
            t.get(
                &format!("/api/invoices/{}", hidden["id"].as_str().unwrap()),
                &cookie
            )
            .await
            .problem(404),
            "/problems/not-found"
        );
        assert_eq!(
            t.get("/api/invoices?tab=draft", &cookie).await.problem(403),
            "/problems/forbidden"
        );
        assert_eq!(
            t.get("/api/invoices?tab=drafts", &cookie)
                .await
                .problem(400),
            "/problems/bad-request"
        );
        let nothing = t.get("/api/invoices?q=not-a-number", &cookie).await;
        assert_eq!(nothing.body["items"], json!([]));
        let found = t.get("/api/invoices?q=INV-0001", &cookie).await;
        assert_eq!(found.body["items"][0]["id"], id);
        let overview = t.get("/api/billing/overview", &cookie).await;
        assert_eq!(overview.body["balances"][0]["outstanding"], 55_000);
        assert_eq!(overview.body["next_due"]["label"], "INV-0001");
        assert_eq!(overview.body["online_payment"], false);
    }
    for who in [
        "ticketmanager@acme.example",
        "readonly@acme.example",
        "user@acme.example",
        "tech@northwind.example",
    ] {
        let cookie = t.login(who).await;
        for path in [
            "/api/invoices".to_owned(),
            format!("/api/invoices/{id}?company={ACME}"),
            format!("/api/invoices/{id}/pdf?company={ACME}"),
            "/api/billing/overview".into(),
            "/api/payments".into(),
            "/api/payment-methods".into(),
        ] {
            assert_eq!(
                t.get(&path, &cookie).await.problem(403),
                "/problems/forbidden",
                "{who} {path}"
            );
        }
        let paying = pay(
            &t,
            &cookie,
            json!([{"invoice_id": id, "amount": 100}]),
            None,
        )
        .await;
        assert_eq!(paying.problem(403), "/problems/forbidden", "{who}");
    }
    // Globex's admin: Acme's invoice does not exist for them.
    let globex = t.login("fulladmin@globex.example").await;
    for path in [
        format!("/api/invoices/{id}"),
        format!("/api/invoices/{id}/pdf"),
        format!("/api/invoices/{id}?company={ACME}"),
        format!("/api/payments?company={ACME}"),
    ] {
        assert_eq!(
            t.get(&path, &globex).await.problem(404),
            "/problems/not-found",
            "{path}"
        );
    }
    assert!(
        t.get("/api/invoices?q=INV-0001", &globex).await.body["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Staff name the company (no company's invoice is found without one); the MSP's receivables
    // list every company.
    assert_eq!(
        t.get(&format!("/api/invoices/{id}"), &staff)
            .await
            .problem(404),
        "/problems/company-needed"
    );
    let receivables = t.get("/api/billing/companies", &staff).await;
    assert_eq!(receivables.body["companies"][0]["company_id"], ACME);
    assert_eq!(receivables.body["companies"][0]["outstanding"], 55_000);
    let everyone = t.get("/api/invoices", &staff).await;
    assert_eq!(everyone.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.get("/api/invoices?tab=draft", &staff).await.body["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Only MSP admins write invoices.
    let client = t.login("fulladmin@acme.example").await;
    let create = t.call("POST", "/api/invoices").cookie(&client).json(json!({"company_id": ACME, "lines": [{"description": "x", "quantity": 1, "unit_price": 1}]})).send().await;
    assert_eq!(create.problem(403), "/problems/forbidden");
}

#[tokio::test]
async fn bad_invoices_are_refused_and_nothing_is_written() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let line = json!({"description": "Hours", "quantity": "2", "unit_price": 1000});
    for (body, field) in [
        (json!({"company_id": ACME, "lines": []}), "lines"),
        (
            json!({"company_id": ACME, "lines": [{"description": "Credit", "quantity": 1, "unit_price": -500}]}),
            "lines",
        ),
        (
            json!({"company_id": ACME, "lines": [{"description": " ", "quantity": 1, "unit_price": 5}]}),
            "lines[0].description",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "currency": "dollars"}),
            "currency",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "tax_rate_bp": 10_001}),
            "tax_rate_bp",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "issue_date": "2026-05-02", "due_date": "2026-05-01"}),
            "due_date",
        ),
        (
            json!({"company_id": ACME, "lines": [line], "tickets": [999_999]}),
            "tickets",
        ),
    ] {
        let answer = t
            .call("POST", "/api/invoices")
            .cookie(&staff)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(answer.problem(422), "/problems/validation", "{body}");
        assert!(
            answer.body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"] == field),
            "{field}: {}",
            answer.text
        );
    }
    for body in [
        json!({"company_id": ACME, "lines": [{"description": "x", "quantity": "1.2345", "unit_price": 5}]}),
        json!({"company_id": ACME, "lines": [line], "surprise": true}),
        json!({"company_id": ACME, "lines": [{"description": "x", "quantity": 1, "unit_price": 1.5}]}),
        json!({"company_id": ACME, "lines": [line], "due_date": "2026-13-01"}),
    ] {
        assert_eq!(
            t.call("POST", "/api/invoices")
                .cookie(&staff)
                .json(body)
                .send()
                .await
                .problem(400),
            "/problems/bad-request"
        );
    }
    let unknown = t
        .call("POST", "/api/invoices")
        .cookie(&staff)
        .json(json!({"company_id": "nope", "lines": [line]}))
        .send()
        .await;
    assert_eq!(unknown.problem(404), "/problems/not-found");
    assert_eq!(count(&t, "INVOICE#").await, 0);
    // Dates as the API writes them (`null` until issued) are read back.
    let nulls = t
        .call("POST", "/api/invoices")
        .cookie(&staff)
        .json(json!({"company_id": ACME, "lines": [line], "issue_date": null, "due_date": null}))
        .send()
        .await;
    assert_eq!(nulls.status, 201, "{}", nulls.text);
}

#[tokio::test]
async fn manual_payments_and_voiding_follow_the_rules() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let one = issued(&t, &staff, 10_000).await; // 11,000
    let id = one["id"].as_str().unwrap();
    let path = format!("/api/invoices/{id}/payments?company={ACME}");
    let over = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 11_001, "method": "cheque", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(over.problem(422), "/problems/validation");
    let bad = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 100, "method": "bitcoin", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(bad.problem(422), "/problems/validation");
    let cheque = t.call("POST", &path).cookie(&staff).json(json!({"amount": 6_000, "method": "cheque", "reference": "1042", "version": one["version"]})).send().await;
    assert_eq!(cheque.status, 201, "{}", cheque.text);
    assert_eq!(cheque.body["method"], "Cheque 1042");
    let stale = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 100, "method": "cash", "version": one["version"]}))
        .send()
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    let now = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(
        (now["paid"].as_i64(), now["balance"].as_i64()),
        (Some(6_000), Some(5_000))
    );
    let void = t
        .call("POST", &format!("/api/invoices/{id}/void?company={ACME}"))
        .cookie(&staff)
        .json(json!({"version": now["version"]}))
        .send()
        .await;
    assert_eq!(void.problem(409), "/problems/has-payments");
    let client = t.login("billing@acme.example").await;
    assert_eq!(
        t.get("/api/payments", &client).await.body["items"][0]["method"],
        "Cheque 1042"
    );
    let rest = t
        .call("POST", &path)
        .cookie(&staff)
        .json(json!({"amount": 5_000, "method": "bank_transfer", "version": now["version"]}))
        .send()
        .await;
    assert_eq!(rest.status, 201);
    let settled = invoice(&t, &staff, &one["id"]).await;
    assert_eq!(settled["status"], "paid");
    // The invoice lists both payments, oldest first, with how they were paid.
    let listed: Vec<(&str, i64, &str)> = settled["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["method"].as_str().unwrap(),
                p["amount"].as_i64().unwrap(),
                p["payment_id"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Cheque 1042", 6_000, cheque.body["id"].as_str().unwrap()),
            ("Bank transfer", 5_000, rest.body["id"].as_str().unwrap()),
        ]
    );
    let closed = t.get("/api/invoices?tab=closed", &client).await;
    assert_eq!(closed.body["items"][0]["status"], "paid");
    assert_eq!(
        closed.body["items"][0]["last_paid_at"],
        settled["payments"][1]["paid_at"]
    );
    let after = t.call("POST", &path).cookie(&staff).json(json!({"amount": 1, "method": "cash", "version": invoice(&t, &staff, &one["id"]).await["version"]})).send().await;
    assert_eq!(after.problem(409), "/problems/not-payable");
}

#[tokio::test]
async fn the_pdf_is_rendered_once_stored_and_served_by_a_presigned_download() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let lines: Vec<(String, &str, i64)> = (1..=100)
        .map(|i| (format!("Line {i}: workstation maintenance"), "1", 1_000))
        .collect();
    let lines: Vec<(&str, &str, i64)> =
        lines.iter().map(|(d, q, p)| (d.as_str(), *q, *p)).collect();
    let d = draft(&t, &staff, ACME, &lines).await;
    let inv = issue(&t, &staff, &d).await["invoice"].clone();
    let client = t.login("billing@acme.example").await;
    let answer = t
        .get(
            &format!("/api/invoices/{}/pdf", inv["id"].as_str().unwrap()),
            &client,
        )
        .await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    let location = answer.headers.get("location").unwrap().to_str().unwrap();
    assert!(
        location.contains("X-Amz-Signature=")
            && location.contains("response-content-disposition=attachment"),
        "{location}"
    );
    let key = format!(
        "{ACME}/invoices/{}/v{}.pdf",
        inv["id"].as_str().unwrap(),
        inv["version"]
    );
    let object = t
        .s3()
        .get_object()
        .bucket(&t.app.config.table_name)
        .key(&key)
        .send()
        .await
        .expect("stored PDF");
    let bytes = object.body.collect().await.unwrap().into_bytes();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&bytes).contains("/Count 3"),
        "100 lines need three pages"
    );
    let globex = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.get(
            &format!("/api/invoices/{}/pdf", inv["id"].as_str().unwrap()),
            &globex
        )
        .await
        .problem(404),
        "/problems/not-found"
    );
}

#[tokio::test]
async fn invoices_export_as_csv_to_the_people_who_see_them() {
    let t = TestApp::new().await;
    let staff = t.login(STAFF).await;
    let part = issued(&t, &staff, 10_000).await; // 11,000 with tax
    record_payment(&t, &staff, &part, 4_000, &part["version"]).await;
    let paid = issued(&t, &staff, 5_000).await; // 5,500
    record_payment(&t, &staff, &paid, 5_500, &paid["version"]).await;
    let globex = draft(&t, &staff, GLOBEX, &[("Globex work", "1", 1_000)]).await;
    let globex = issue(&t, &staff, &globex).await["invoice"].clone();
    let label = |inv: &Value| format!("INV-{:04}", inv["number"].as_u64().unwrap());
    let lines = |text: &str| -> Vec<String> {
        text.split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    };
    let row = |rows: &[String], inv: &Value| {
        rows.iter()
            .find(|l| l.starts_with(&format!("\"{}\",", label(inv))))
            .cloned()
    };

    let billing = t.login("billing@acme.example").await;
    let open = t.get("/api/invoices/export", &billing).await;
    assert_eq!(open.status, 200, "{}", open.text);
    assert_eq!(open.content_type(), "text/csv; charset=utf-8");
    let today = portal::domain::billing::today(t.app.now());
    let disposition = open.headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains(&format!("invoices-{ACME}-open-{today}.csv")),
        "{disposition}"
    );
    let rows = lines(&open.text);
    assert_eq!(
        rows[0],
        "\"Number\",\"Status\",\"Issue date\",\"Due date\",\"Currency\",\"Subtotal\",\"Tax\",\"Total\",\"Paid\",\"Balance\",\"Last paid (UTC)\",\"Tickets\""
    );
    let partly = row(&rows, &part).expect("the partly paid invoice");
    assert!(
        partly.starts_with(&format!(
            "\"{}\",\"Partly paid\",\"{today}\",",
            label(&part)
        )) && partly.contains("\"USD\",\"100.00\",\"10.00\",\"110.00\",\"40.00\",\"70.00\""),
        "{partly}"
    );
    assert!(
        row(&rows, &paid).is_none(),
        "paid invoices are on the closed tab"
    );
    assert!(row(&rows, &globex).is_none(), "another company's invoice");

    let closed = lines(
        &t.get("/api/invoices/export?tab=closed", &billing)
            .await
            .text,
    );
    let settled = row(&closed, &paid).expect("the paid invoice");
    assert!(
        settled.contains("\"Paid\"") && settled.contains("\"55.00\",\"55.00\",\"0.00\""),
        "{settled}"
    );

    let everyone = lines(&t.get("/api/invoices/export", &staff).await.text);
    assert!(everyone[0].starts_with("\"Number\",\"Company\",\"Status\""));
    let theirs = row(&everyone, &globex).expect("staff export every company's");
    assert!(theirs.contains("\"Globex Logistics\""), "{theirs}");
    assert!(row(&everyone, &part).is_some());
    let one = t
        .get(&format!("/api/invoices/export?company={GLOBEX}"), &staff)
        .await;
    assert!(
        one.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("invoices-{GLOBEX}-open-")),
    );
    assert!(row(&lines(&one.text), &part).is_none());

    assert_eq!(
        t.get(&format!("/api/invoices/export?company={GLOBEX}"), &billing)
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        t.get("/api/invoices/export?tab=draft", &billing)
            .await
            .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        t.get("/api/invoices/export", &t.login("user@acme.example").await)
            .await
            .status,
        403
    );
}
