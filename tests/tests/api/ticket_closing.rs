//! How tickets end (issue 22): the resolution, a status change with its note, tasks, the ticket PDF
//! and the client's sign-off — over the real `tickets` handler against moto_server.

use crate::tickets::{patch, raised, ticket_items};
use portal_tests::TestApp;
use portal_tests::files::pdf_text;
use serde_json::{Value, json};

const UMA: &str = "user@acme.example";
const TECH: &str = "tech@northwind.example";

async fn note(t: &TestApp, cookie: &str, number: u64, body: Value) -> portal_tests::Answer {
    t.post(&format!("/api/tickets/{number}/notes"), cookie, body)
        .await
}

async fn ticket(t: &TestApp, cookie: &str, number: u64) -> Value {
    let answer = t.get(&format!("/api/tickets/{number}"), cookie).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    answer.body
}

/// The text of a PDF route's answer (a 303 to the file).
async fn pdf_of(t: &TestApp, cookie: &str, path: &str) -> String {
    let answer = t.get(path, cookie).await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    pdf_text(answer.headers["location"].to_str().unwrap()).await
}

#[tokio::test]
async fn resolving_needs_a_resolution_and_a_client_status_change_needs_its_note() {
    let t = TestApp::new().await;
    let (uma, tech) = (t.login(UMA).await, t.login(TECH).await);
    let n = raised(&t, &uma).await;
    // Refused, each changing nothing.
    let bare = patch(&t, &tech, n, json!({"status": "resolved", "version": 1})).await;
    assert_eq!(bare.problem(422), "/problems/validation");
    assert_eq!(bare.body["errors"][0]["field"], "note", "{}", bare.text);
    let silent = patch(&t, &uma, n, json!({"status": "cancelled", "version": 1})).await;
    assert_eq!(silent.problem(422), "/problems/validation");
    assert!(silent.text.contains("Say why"), "{}", silent.text);
    let blank = json!({"status": "cancelled", "note": "   ", "version": 1});
    assert_eq!(patch(&t, &uma, n, blank).await.status, 422);
    let long = json!({"status": "cancelled", "note": "n".repeat(10_001), "version": 1});
    assert_eq!(patch(&t, &uma, n, long).await.status, 422);
    let internal = json!({"text": "Fixed", "internal": true, "resolution": true});
    assert_eq!(
        note(&t, &tech, n, internal).await.problem(422),
        "/problems/validation"
    );
    let by_client = json!({"text": "Fixed it myself", "resolution": true});
    assert_eq!(
        note(&t, &uma, n, by_client).await.problem(403),
        "/problems/forbidden"
    );
    assert_eq!(ticket_items(&t, "acme-dental").await, 1, "nothing written");
    assert_eq!(ticket(&t, &uma, n).await["ticket"]["version"], 1);

    // Staff mark a public note as the resolution, then resolve without writing another.
    let marked = note(
        &t,
        &tech,
        n,
        json!({"text": "Replaced the fuser.", "resolution": true}),
    )
    .await;
    assert_eq!(marked.status, 201, "{}", marked.text);
    let read = ticket(&t, &uma, n).await;
    assert_eq!(read["ticket"]["resolution"]["text"], "Replaced the fuser.");
    assert_eq!(read["ticket"]["resolution"]["note_id"], marked.body["id"]);
    assert_eq!(read["ticket"]["status"], "new", "marking does not resolve");
    let resolved = patch(&t, &tech, n, json!({"status": "resolved", "version": 2})).await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(resolved.body["resolution"]["text"], "Replaced the fuser.");

    // A closed ticket takes no note without a status change.
    let late = json!({"note": "Thanks!", "version": 3});
    assert_eq!(
        patch(&t, &uma, n, late).await.problem(409),
        "/problems/ticket-closed"
    );

    t.clock.advance(time::Duration::minutes(5));
    // The client reopens it with a note, in one request: the note is in the conversation, the
    // resolution is gone, and support hears it with the note.
    let reopen = json!({"status": "new", "note": "It jams again on page two.", "version": 3});
    let reopened = patch(&t, &uma, n, reopen).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    assert!(reopened.body["resolution"].is_null());
    assert_eq!(
        reopened.body["version"], 4,
        "one version for the change and its note"
    );
    let read = ticket(&t, &uma, n).await;
    let last = read["notes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["text"].as_str(), last["from_msp"].as_bool()),
        (Some("It jams again on page two."), Some(false))
    );
    let mail = t.mail().await;
    let to_support = mail
        .iter()
        .rev()
        .find(|m| {
            m["subject"]
                .as_str()
                .is_some_and(|s| s.contains("reopened"))
        })
        .expect("support told");
    assert!(
        to_support["body"]
            .as_str()
            .unwrap()
            .contains("It jams again on page two.")
    );

    // Resolving with a note: the note is the new resolution; the contact's email quotes it.
    let fix =
        json!({"status": "resolved", "note": "Replaced the pickup roller too.", "version": 4});
    let resolved = patch(&t, &tech, n, fix).await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    assert_eq!(
        resolved.body["resolution"]["text"],
        "Replaced the pickup roller too."
    );
    let mail = t.mail().await;
    let to_uma = mail.last().unwrap();
    assert_eq!(to_uma["destinations"]["ToAddresses"][0], UMA);
    assert!(
        to_uma["body"]
            .as_str()
            .unwrap()
            .contains("Replaced the pickup roller too.")
    );
    // Staff may give a better resolution before it is signed off.
    let better = note(
        &t,
        &tech,
        n,
        json!({"text": "Roller and fuser replaced.", "resolution": true}),
    )
    .await;
    assert_eq!(better.status, 201, "{}", better.text);
    assert_eq!(
        ticket(&t, &uma, n).await["ticket"]["resolution"]["text"],
        "Roller and fuser replaced."
    );
}

#[tokio::test]
async fn staff_keep_tasks_on_a_ticket_and_clients_see_them() {
    let t = TestApp::new().await;
    let (uma, tech) = (t.login(UMA).await, t.login(TECH).await);
    let n = raised(&t, &uma).await;
    let tasks = format!("/api/tickets/{n}/tasks");
    let mut ids = Vec::new();
    for text in ["Order the part", "Fit the part", "Test a print run"] {
        let added = t.post(&tasks, &tech, json!({"text": text})).await;
        assert_eq!(added.status, 201, "{}", added.text);
        ids.push(
            added.body["tasks"].as_array().unwrap().last().unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Clients only read them.
    assert_eq!(
        t.post(&tasks, &uma, json!({"text": "Mine"}))
            .await
            .problem(403),
        "/problems/forbidden"
    );
    let tick = |id: &str| format!("{tasks}/{id}");
    assert_eq!(
        t.patch(&tick(&ids[0]), &uma, json!({"done": true}))
            .await
            .status,
        403
    );
    assert_eq!(
        t.call("DELETE", &tick(&ids[0]))
            .cookie(&uma)
            .send()
            .await
            .status,
        403
    );
    // Bad input writes nothing.
    let version = ticket(&t, &tech, n).await["ticket"]["version"].clone();
    for bad in [
        json!({"text": "  "}),
        json!({"text": "x".repeat(201)}),
        json!({"text": "two\nlines"}),
    ] {
        assert_eq!(
            t.post(&tasks, &tech, bad).await.problem(422),
            "/problems/validation"
        );
    }
    assert_eq!(
        t.post(&tasks, &tech, json!({"title": "x"})).await.status,
        400
    );
    assert_eq!(
        t.patch(&tick("ffffffff"), &tech, json!({"done": true}))
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        t.patch(&tick(&ids[0]), &tech, json!({"text": ""}))
            .await
            .status,
        422
    );
    assert_eq!(
        ticket(&t, &tech, n).await["ticket"]["version"],
        version,
        "nothing written"
    );

    let done = t.patch(&tick(&ids[0]), &tech, json!({"done": true})).await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["tasks"][0]["done_by"], "Theo Technician");
    let reworded = t
        .patch(&tick(&ids[1]), &tech, json!({"text": "Fit the new part"}))
        .await;
    assert_eq!(reworded.body["tasks"][1]["text"], "Fit the new part");
    let removed = t.call("DELETE", &tick(&ids[2])).cookie(&tech).send().await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    let seen = ticket(&t, &uma, n).await;
    let list = seen["ticket"]["tasks"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0]["done"].as_bool(), list[1]["done"].as_bool()),
        (Some(true), Some(false))
    );
    // Another company never sees them.
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(t.get(&format!("/api/tickets/{n}"), &gus).await.status, 404);
    // A checklist holds 50.
    for i in 2..50 {
        assert_eq!(
            t.post(&tasks, &tech, json!({"text": format!("Step {i}")}))
                .await
                .status,
            201
        );
    }
    let full = t.post(&tasks, &tech, json!({"text": "One too many"})).await;
    assert_eq!(full.problem(422), "/problems/validation");
}

#[tokio::test]
async fn the_ticket_pdf_holds_the_public_conversation_and_never_internal_notes() {
    let t = TestApp::new().await;
    let (uma, tech) = (t.login(UMA).await, t.login(TECH).await);
    let n = raised(&t, &uma).await;
    assert_eq!(
        note(
            &t,
            &tech,
            n,
            json!({"text": "We will swap the toner on Thursday."})
        )
        .await
        .status,
        201
    );
    let secret = json!({"text": "INTERNAL: client still on the old lease", "internal": true});
    assert_eq!(note(&t, &tech, n, secret).await.status, 201);
    t.post(
        &format!("/api/tickets/{n}/tasks"),
        &tech,
        json!({"text": "Swap the toner"}),
    )
    .await;
    for cookie in [&uma, &tech] {
        let text = pdf_of(&t, cookie, &format!("/api/tickets/{n}/pdf")).await;
        for expected in [
            "TICKET",
            &format!("#{n}"),
            "Printer in reception jams",
            "Every second page jams",
            "We will swap the toner on Thursday.",
            "Swap the toner",
            "Tasks (0 of 1 done)",
        ] {
            assert!(text.contains(expected), "{expected} missing:\n{text}");
        }
        assert!(
            !text.contains("INTERNAL"),
            "an internal note in the PDF:\n{text}"
        );
    }
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.get(&format!("/api/tickets/{n}/pdf"), &gus)
            .await
            .problem(404),
        "/problems/not-found"
    );
    let colleague = t.login("readonly@acme.example").await;
    assert_eq!(
        t.get(&format!("/api/tickets/{n}/pdf"), &colleague)
            .await
            .status,
        404,
        "sees only own tickets"
    );
}

/// Raise a ticket as Uma and resolve it with a resolution; its number and version.
async fn resolved_ticket(t: &TestApp, uma: &str, tech: &str) -> (u64, u64) {
    let n = raised(t, uma).await;
    let fix = json!({"status": "resolved", "note": "Replaced the fuser unit.", "version": 1});
    let answer = patch(t, tech, n, fix).await;
    assert_eq!(answer.status, 200, "{}", answer.text);
    (n, answer.body["version"].as_u64().unwrap())
}

#[tokio::test]
async fn a_resolved_ticket_is_signed_off_once_and_the_signed_form_is_kept() {
    let t = TestApp::new().await;
    let (uma, tech) = (t.login(UMA).await, t.login(TECH).await);
    let open = raised(&t, &uma).await;
    let sign = async |n: u64, body: Value| {
        t.post(&format!("/api/tickets/{n}/signoff"), &uma, body)
            .await
    };
    let ok = |version: u64| json!({"name": "Uma User", "consent": true, "version": version});
    assert_eq!(
        sign(open, ok(1)).await.problem(409),
        "/problems/not-resolved"
    );
    assert_eq!(
        t.get(&format!("/api/tickets/{open}/signoff/pdf"), &uma)
            .await
            .problem(409),
        "/problems/not-resolved"
    );

    let (n, version) = resolved_ticket(&t, &uma, &tech).await;
    // The form before it is signed.
    let form = pdf_of(&t, &uma, &format!("/api/tickets/{n}/signoff/pdf")).await;
    for expected in [
        "SERVICE SIGN-OFF",
        "Replaced the fuser unit.",
        "Not signed yet",
        "I confirm that the work on ticket",
    ] {
        assert!(form.contains(expected), "{expected} missing:\n{form}");
    }
    // Refused: staff, a colleague who cannot see it, another company, bad input, a stale form.
    let staff = t
        .post(&format!("/api/tickets/{n}/signoff"), &tech, ok(version))
        .await;
    assert_eq!(staff.problem(403), "/problems/forbidden");
    for email in ["readonly@acme.example", "fulladmin@globex.example"] {
        let other = t.login(email).await;
        let answer = t
            .post(&format!("/api/tickets/{n}/signoff"), &other, ok(version))
            .await;
        assert!(
            matches!(answer.status, 403 | 404),
            "{email}: {}",
            answer.text
        );
    }
    assert_eq!(
        sign(n, json!({"name": " ", "consent": true, "version": version}))
            .await
            .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        sign(
            n,
            json!({"name": "Uma User", "consent": false, "version": version})
        )
        .await
        .problem(422),
        "/problems/validation"
    );
    assert_eq!(
        sign(n, json!({"name": "Uma User", "consent": true}))
            .await
            .status,
        400
    );
    assert_eq!(
        sign(n, ok(version - 1)).await.problem(409),
        "/problems/ticket-changed"
    );
    assert_eq!(
        ticket(&t, &uma, n).await["ticket"]["version"],
        version,
        "nothing written"
    );

    // The ticket changes after the form was opened: the old form is refused.
    let better = note(
        &t,
        &tech,
        n,
        json!({"text": "Replaced the fuser unit and cleaned the rollers.", "resolution": true}),
    )
    .await;
    assert_eq!(better.status, 201);
    assert_eq!(
        sign(n, ok(version)).await.problem(409),
        "/problems/ticket-changed"
    );

    // Signed: closed, recorded, immutable.
    let signed = sign(n, ok(version + 1)).await;
    assert_eq!(signed.status, 200, "{}", signed.text);
    assert_eq!(signed.body["status"], "closed");
    let record = &signed.body["signoff"];
    assert_eq!(record["name"], "Uma User");
    assert_eq!(record["user_name"], "Uma User");
    assert!(record["ip"].as_str().is_some_and(|ip| !ip.is_empty()));
    assert!(
        record["consent"]
            .as_str()
            .unwrap()
            .contains(&format!("ticket #{n}"))
    );
    assert_eq!(
        sign(n, ok(version + 2)).await.problem(409),
        "/problems/signed-off"
    );
    // Both sides download the signed form; it names the signer and the sentence.
    for cookie in [&uma, &tech] {
        let text = pdf_of(&t, cookie, &format!("/api/tickets/{n}/signoff/pdf")).await;
        for expected in [
            "SIGNED",
            "Signed “Uma User” by Uma User",
            "cleaned the rollers",
            "I confirm that the work on ticket",
        ] {
            assert!(text.contains(expected), "{expected} missing:\n{text}");
        }
        assert!(!text.contains("Not signed yet"));
    }
    // The audit trail and support know.
    let mail = t.mail().await;
    assert!(mail.iter().any(|m| {
        m["subject"]
            .as_str()
            .is_some_and(|s| s.contains(&format!("Ticket #{n} signed off")))
    }));
    // Closed by the sign-off: the client cannot reopen it.
    let reopen = json!({"status": "new", "note": "Again", "version": version + 2});
    assert_eq!(
        patch(&t, &uma, n, reopen).await.problem(409),
        "/problems/ticket-closed"
    );
}

#[tokio::test]
async fn two_sign_offs_at_once_make_one_and_keep_one_signed_form() {
    let t = TestApp::new().await;
    let (uma, tech) = (t.login(UMA).await, t.login(TECH).await);
    let (n, version) = resolved_ticket(&t, &uma, &tech).await;
    let fiona = t.login("fulladmin@acme.example").await;
    let path = format!("/api/tickets/{n}/signoff");
    let (a, b) = tokio::join!(
        t.post(
            &path,
            &uma,
            json!({"name": "Uma User", "consent": true, "version": version})
        ),
        t.post(
            &path,
            &fiona,
            json!({"name": "Fiona Admin", "consent": true, "version": version})
        ),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{} / {}", a.text, b.text);
    let listed = t
        .s3()
        .list_objects_v2()
        .bucket(&t.app.config.table_name)
        .prefix(format!("acme-dental/tickets/{n}/signed/"))
        .send()
        .await
        .expect("listing");
    assert_eq!(listed.contents().len(), 1, "the loser's form is removed");
    let kept = ticket(&t, &uma, n).await["ticket"]["signoff"]["file_id"].clone();
    assert!(
        listed.contents()[0]
            .key()
            .unwrap()
            .contains(kept.as_str().unwrap())
    );
}

#[tokio::test]
async fn demo_tickets_show_resolutions_a_sign_off_waiting_a_signed_one_and_tasks() {
    let t = TestApp::new().await;
    portal_admin::seed::seed_tickets(&t.app.store, t.app.now())
        .await
        .unwrap();
    let files = portal_admin::seed::seed_ticket_closing(&t.app.store)
        .await
        .unwrap();
    assert_eq!(files.len(), 1, "the signed form");
    assert!(files[0].bytes.starts_with(b"%PDF-"));
    let again = portal_admin::seed::seed_ticket_closing(&t.app.store)
        .await
        .unwrap();
    assert!(again.is_empty(), "a second run adds nothing");
    let fiona = t.login("fulladmin@acme.example").await;
    let uma = t.login(UMA).await;
    let mut signed = 0;
    let mut waiting_for_uma = 0;
    let mut with_tasks = 0;
    let mut watched = 0;
    let mut ratings = Vec::new();
    for n in 1..=40 {
        let answer = t.get(&format!("/api/tickets/{n}"), &fiona).await;
        if answer.status != 200 {
            continue;
        }
        let ticket = &answer.body["ticket"];
        if matches!(ticket["status"].as_str(), Some("resolved" | "closed")) {
            assert!(
                ticket["resolution"]["text"].is_string(),
                "#{n} has its resolution"
            );
        }
        signed += usize::from(ticket["signoff"].is_object());
        watched += usize::from(ticket["watchers"].as_array().is_some_and(|w| !w.is_empty()));
        if let Some(good) = ticket["rating"]["good"].as_bool() {
            ratings.push(good);
        }
        with_tasks += usize::from(ticket["tasks"].as_array().is_some_and(|t| !t.is_empty()));
        if ticket["contact_name"] == "Uma User" && ticket["status"] == "resolved" {
            let hers = t.get(&format!("/api/tickets/{n}"), &uma).await;
            waiting_for_uma += usize::from(hers.body["signoff_consent"].is_string());
        }
    }
    assert_eq!((signed, with_tasks, watched), (1, 1, 1));
    ratings.sort();
    assert_eq!(ratings, [false, true], "a bad rating and a good one");
    assert!(
        waiting_for_uma >= 1,
        "Uma has a resolved ticket to sign off"
    );
}
