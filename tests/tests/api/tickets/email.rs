//! Ticket emails, the people pickers and the demo tickets.

use super::*;

#[tokio::test]
async fn emails_go_to_support_and_the_contact_and_never_carry_internal_notes() {
    let t = TestApp::new().await;
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let number = raised(&t, &uma).await;
    let note = |cookie: String, text: &'static str, internal: bool| {
        let t = &t;
        async move {
            let a = t
                .call("POST", &format!("/api/tickets/{number}/notes"))
                .cookie(&cookie)
                .json(json!({"text": text, "internal": internal}))
                .send()
                .await;
            assert_eq!(a.status, 201, "{}", a.text);
        }
    };
    note(uma.clone(), "It jams on A3 paper too.", false).await;
    note(tech.clone(), "SECRET: the fuser is worn, order one.", true).await;
    note(
        tech.clone(),
        "We will replace the fuser on Thursday.",
        false,
    )
    .await;
    let version =
        t.get(&format!("/api/tickets/{number}"), &tech).await.body["ticket"]["version"].clone();
    assert_eq!(
        patch(
            &t,
            &tech,
            number,
            json!({"status": "scheduled", "version": version})
        )
        .await
        .status,
        200
    );
    // The contact's own change sends them nothing.
    let version =
        t.get(&format!("/api/tickets/{number}"), &uma).await.body["ticket"]["version"].clone();
    assert_eq!(
        patch(
            &t,
            &uma,
            number,
            json!({"status": "cancelled", "note": "No longer needed.", "version": version})
        )
        .await
        .status,
        200
    );

    let mail = t.mail().await;
    let summary: Vec<(String, String)> = mail
        .iter()
        .map(|m| {
            (
                m["destinations"]["ToAddresses"][0]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let n = number;
    assert_eq!(
        summary,
        [
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("New ticket #{n} from Acme Dental: Printer in reception jams")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} received: Printer in reception jams")
            ),
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("Ticket #{n} – note from Uma User")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} – reply from Theo Technician")
            ),
            (
                "user@acme.example".to_owned(),
                format!("Ticket #{n} is now Scheduled")
            ),
            // The client's cancellation: the MSP hears of it.
            (
                portal_tests::SUPPORT_EMAIL.to_owned(),
                format!("Ticket #{n} cancelled by Acme Dental")
            ),
        ],
        "{mail:#?}"
    );
    assert!(
        mail[1]["body"].as_str().unwrap().starts_with(&format!(
            "We received your ticket: #{n} (Printer in reception jams)."
        )),
        "{}",
        mail[1]["body"]
    );
    assert!(
        mail[5]["body"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Uma User (Acme Dental) cancelled ticket #{n}")),
        "{}",
        mail[5]["body"]
    );
    for m in &mail {
        let body = m["body"].as_str().unwrap();
        assert!(
            !body.contains("SECRET"),
            "an internal note was mailed: {body}"
        );
        assert!(
            body.contains(&format!(
                "{}/tickets/view/?number={n}",
                portal_tests::ORIGIN
            )),
            "{body}"
        );
    }
    assert!(
        mail[3]["body"]
            .as_str()
            .unwrap()
            .contains("replace the fuser on Thursday")
    );
}

#[tokio::test]
async fn a_ticket_raised_for_a_colleague_confirms_to_them_as_their_preferences_say() {
    let t = TestApp::new().await;
    let tomas = t.login("ticketmanager@acme.example").await;
    let uma_id = portal_admin::seed::demo_user_id("user@acme.example").to_string();
    let mut body = new_ticket();
    body["contact_id"] = json!(uma_id);
    let raised = t.post("/api/tickets", &tomas, body.clone()).await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let n = raised.body["number"].as_u64().unwrap();
    let to_uma: Vec<Value> = t
        .mail()
        .await
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == "user@acme.example")
        .collect();
    assert_eq!(to_uma.len(), 1);
    assert_eq!(
        to_uma[0]["subject"],
        format!(
            "Ticket #{n} received: {}",
            body["summary"].as_str().unwrap()
        )
    );
    assert!(
        to_uma[0]["body"]
            .as_str()
            .unwrap()
            .starts_with("Tomas Manning raised a ticket for you: ")
    );
    // Uma turns confirmations off: the next one raised for her sends her nothing.
    let uma = t.login("user@acme.example").await;
    let me = t.get("/api/me", &uma).await.body;
    let mut notify = me["user"]["notify"].clone();
    assert_eq!(notify["ticket_confirmations"], true, "on unless turned off");
    notify["ticket_confirmations"] = json!(false);
    let saved = t.patch("/api/me", &uma, json!({"notify": notify})).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_eq!(t.post("/api/tickets", &tomas, body).await.status, 201);
    let after = t
        .mail()
        .await
        .into_iter()
        .filter(|m| m["destinations"]["ToAddresses"][0] == "user@acme.example")
        .count();
    assert_eq!(after, 1, "no second confirmation");
}

#[tokio::test]
async fn pickers_list_active_people_of_a_company_the_caller_may_name() {
    let t = TestApp::new().await;
    let names = |a: portal_tests::Answer| -> Vec<String> {
        assert_eq!(a.status, 200, "{}", a.text);
        a.body
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let tomas = t.login("ticketmanager@acme.example").await;
    let acme = names(t.get("/api/tickets/people", &tomas).await);
    assert_eq!(acme.len(), 5);
    assert!(acme.contains(&"Uma User".to_owned()));
    let tech = t.login("tech@northwind.example").await;
    assert_eq!(
        names(t.get("/api/tickets/people", &tech).await),
        ["Nadia Admin", "Theo Technician"]
    );
    assert_eq!(
        names(
            t.get("/api/tickets/people?company=globex-logistics", &tech)
                .await
        )
        .len(),
        2
    );
    assert_eq!(
        t.get("/api/tickets/people?company=globex-logistics", &tomas)
            .await
            .problem(404),
        "/problems/not-found"
    );
    for email in ["user@acme.example", "billing@acme.example"] {
        assert_eq!(
            t.get("/api/tickets/people", &t.login(email).await)
                .await
                .problem(403),
            "/problems/forbidden",
            "{email}"
        );
    }
}

#[tokio::test]
async fn demo_tickets_are_seeded_once_with_consistent_counts() {
    let t = TestApp::new().await;
    let files = portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
        .await
        .unwrap();
    assert_eq!(files.len(), 1);
    assert!(
        portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
            .await
            .unwrap()
            .is_empty(),
        "a second run adds nothing"
    );
    let fiona = t.login("fulladmin@acme.example").await;
    let open = numbers(&t, "/api/tickets", &fiona).await;
    let closed = numbers(&t, "/api/tickets?tab=closed", &fiona).await;
    assert!(open.len() >= 4 && closed.len() >= 15, "{open:?} {closed:?}");
    let stats = t.get("/api/tickets/stats", &fiona).await;
    assert_eq!(stats.body["open"], open.len());
    let per_month: u64 = stats.body["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["created"].as_u64().unwrap())
        .sum();
    assert_eq!(per_month as usize, open.len() + closed.len());
    let tech = t.login("tech@northwind.example").await;
    let queue = numbers(&t, "/api/tickets?assignee=none", &tech).await;
    assert_eq!(queue.len(), 1);
    let jam = numbers(&t, "/api/tickets?q=paper+jam+none", &tech).await;
    assert_eq!(jam.len(), 1);
    let with_file = t.get(&format!("/api/tickets/{}", jam[0]), &tech).await;
    assert!(
        with_file.body["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["internal"] == true)
    );
    assert_eq!(
        with_file.body["attachments"][0]["file_name"],
        "printer-log.txt"
    );
    assert_eq!(
        files[0].bytes.len() as u64,
        with_file.body["attachments"][0]["size"].as_u64().unwrap()
    );
}
