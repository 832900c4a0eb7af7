//! Watchers and ratings (issue 22): who hears of a ticket's updates, and "How did we do?" — over
//! the real `tickets` handler against moto_server.

use crate::tickets::{patch, raised};
use portal_tests::{SUPPORT_EMAIL, TestApp};
use serde_json::{Value, json};

const UMA: &str = "user@acme.example";
const TOMAS: &str = "ticketmanager@acme.example";
const FIONA: &str = "fulladmin@acme.example";
const TECH: &str = "tech@northwind.example";

fn id(email: &str) -> String {
    portal_admin::seed::demo_user_id(email).to_string()
}

/// The addresses of the mail sent since `from` mails, each with its subject and body.
async fn mail_since(t: &TestApp, from: usize) -> Vec<(String, String, String)> {
    t.mail().await[from..]
        .iter()
        .map(|m| {
            (
                m["destinations"]["ToAddresses"][0]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                m["subject"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn to(mail: &[(String, String, String)]) -> Vec<&str> {
    let mut to: Vec<&str> = mail.iter().map(|(to, _, _)| to.as_str()).collect();
    to.sort();
    to
}

async fn version(t: &TestApp, cookie: &str, n: u64) -> Value {
    t.get(&format!("/api/tickets/{n}"), cookie).await.body["ticket"]["version"].clone()
}

#[tokio::test]
async fn watchers_hear_of_updates_until_they_leave_or_lose_access() {
    let t = TestApp::new().await;
    let (uma, tech, fiona) = (
        t.login(UMA).await,
        t.login(TECH).await,
        t.login(FIONA).await,
    );
    let n = raised(&t, &uma).await;
    let watchers = format!("/api/tickets/{n}/watchers");
    // Refused, nothing written: colleagues who cannot see it, the contact, strangers, bad bodies.
    for (who, why) in [
        ("readonly@acme.example", "cannot see"),
        ("billing@acme.example", "cannot see"),
        (UMA, "contact"),
        ("user@globex.example", "Choose a colleague"),
    ] {
        let answer = t.post(&watchers, &uma, json!({"user_id": id(who)})).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{who}");
        assert!(answer.text.contains(why), "{who}: {}", answer.text);
    }
    assert_eq!(
        t.post(&watchers, &uma, json!({"user_id": "no such!"}))
            .await
            .status,
        422
    );
    assert_eq!(
        t.post(&watchers, &uma, json!({"user": id(TOMAS)}))
            .await
            .status,
        400
    );
    let readonly = t.login("readonly@acme.example").await;
    assert_eq!(
        t.post(&watchers, &readonly, json!({"user_id": id(TOMAS)}))
            .await
            .status,
        403
    );
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.post(&watchers, &gus, json!({"user_id": id(TOMAS)}))
            .await
            .status,
        404
    );
    assert_eq!(version(&t, &uma, n).await, 1, "nothing written");

    // Uma adds Tomas (he sees the company's tickets); staff add Fiona.
    let added = t.post(&watchers, &uma, json!({"user_id": id(TOMAS)})).await;
    assert_eq!(added.status, 200, "{}", added.text);
    assert_eq!(added.body["watchers"][0]["name"], "Tomas Manning");
    let again = t.post(&watchers, &uma, json!({"user_id": id(TOMAS)})).await;
    assert_eq!(
        again.body["version"], added.body["version"],
        "watching already: unchanged"
    );
    assert_eq!(
        t.post(&watchers, &tech, json!({"user_id": id(FIONA)}))
            .await
            .status,
        200
    );

    // A reply reaches the contact and both watchers; a client's note the support mailbox and the
    // watchers, never its author; an internal note nobody outside the MSP.
    let sent = t.mail().await.len();
    let notes = format!("/api/tickets/{n}/notes");
    let note = async |cookie: &str, body: Value| t.post(&notes, cookie, body).await;
    assert_eq!(note(&tech, json!({"text": "On my way."})).await.status, 201);
    let mail = mail_since(&t, sent).await;
    assert_eq!(to(&mail), [FIONA, TOMAS, UMA]);
    assert!(mail.iter().all(|(_, _, body)| body.contains("On my way.")));
    let sent = t.mail().await.len();
    assert_eq!(note(&uma, json!({"text": "Thanks!"})).await.status, 201);
    assert_eq!(
        to(&mail_since(&t, sent).await),
        [FIONA, SUPPORT_EMAIL, TOMAS]
    );
    let sent = t.mail().await.len();
    assert_eq!(
        note(
            &tech,
            json!({"text": "INTERNAL: warranty?", "internal": true})
        )
        .await
        .status,
        201
    );
    assert!(
        mail_since(&t, sent).await.is_empty(),
        "internal notes are never mailed"
    );
    let sent = t.mail().await.len();
    let v = version(&t, &tech, n).await;
    assert_eq!(
        patch(&t, &tech, n, json!({"status": "in_progress", "version": v}))
            .await
            .status,
        200
    );
    let mail = mail_since(&t, sent).await;
    assert_eq!(to(&mail), [FIONA, TOMAS, UMA]);
    assert!(
        mail.iter()
            .all(|(_, subject, _)| subject.contains("In progress"))
    );

    // Tomas becomes a Standard User: he no longer sees Uma's ticket, so he hears nothing of it.
    let path = format!("/api/companies/acme-dental/users/{}", id(TOMAS));
    let current = t.get(&path, &fiona).await.body["version"].clone();
    let demoted = t
        .patch(
            &path,
            &fiona,
            json!({"version": current, "role": "standard_user"}),
        )
        .await;
    assert_eq!(demoted.status, 200, "{}", demoted.text);
    let sent = t.mail().await.len();
    assert_eq!(
        note(&tech, json!({"text": "Part ordered."})).await.status,
        201
    );
    assert_eq!(to(&mail_since(&t, sent).await), [FIONA, UMA]);

    // Fiona leaves; she removes Tomas too (she may add notes to it). A watcher who is not there: 404.
    let me = format!("{watchers}/{}", id(FIONA));
    let left = t.call("DELETE", &me).cookie(&fiona).send().await;
    assert_eq!(left.status, 200, "{}", left.text);
    let them = format!("{watchers}/{}", id(TOMAS));
    let removed = t.call("DELETE", &them).cookie(&fiona).send().await;
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert_eq!(removed.body["watchers"], json!([]));
    assert_eq!(
        t.call("DELETE", &them)
            .cookie(&fiona)
            .send()
            .await
            .problem(404),
        "/problems/not-found"
    );
}

#[tokio::test]
async fn the_contact_rates_a_resolved_ticket_once_and_a_bad_rating_reaches_the_technician() {
    let t = TestApp::new().await;
    let (uma, tech, tomas) = (
        t.login(UMA).await,
        t.login(TECH).await,
        t.login(TOMAS).await,
    );
    let n = raised(&t, &uma).await;
    let rating = format!("/api/tickets/{n}/rating");
    assert_eq!(
        t.post(&rating, &uma, json!({"good": true}))
            .await
            .problem(409),
        "/problems/not-resolved"
    );
    let assign = json!({"assignee_id": id(TECH), "version": 1});
    assert_eq!(patch(&t, &tech, n, assign).await.status, 200);
    let sent = t.mail().await.len();
    let fix = json!({"status": "resolved", "note": "Swapped the toner.", "version": 2});
    assert_eq!(patch(&t, &tech, n, fix).await.status, 200);
    // The contact is asked how it went.
    let mail = mail_since(&t, sent).await;
    let (_, _, body) = mail
        .iter()
        .find(|(to, _, _)| to == UMA)
        .expect("mail to Uma");
    assert!(body.contains("How did we do?"), "{body}");

    // Only the contact rates; bad input is refused and writes nothing.
    assert_eq!(
        t.post(&rating, &tomas, json!({"good": true}))
            .await
            .problem(403),
        "/problems/forbidden"
    );
    assert_eq!(
        t.post(&rating, &tech, json!({"good": true})).await.status,
        403
    );
    let long = json!({"good": false, "comment": "x".repeat(2_001)});
    assert_eq!(
        t.post(&rating, &uma, long).await.problem(422),
        "/problems/validation"
    );
    assert_eq!(
        t.post(&rating, &uma, json!({"comment": "?"})).await.status,
        400
    );
    let gus = t.login("fulladmin@globex.example").await;
    assert_eq!(
        t.post(&rating, &gus, json!({"good": true})).await.status,
        404
    );
    assert!(t.get(&format!("/api/tickets/{n}"), &uma).await.body["ticket"]["rating"].is_null());

    let sent = t.mail().await.len();
    let bad = json!({"good": false, "comment": "It took three visits."});
    let rated = t.post(&rating, &uma, bad).await;
    assert_eq!(rated.status, 200, "{}", rated.text);
    assert_eq!(rated.body["rating"]["good"], false);
    let mail = mail_since(&t, sent).await;
    assert_eq!(to(&mail), [SUPPORT_EMAIL, TECH]);
    assert!(
        mail.iter()
            .all(|(_, s, b)| s.contains("rated bad") && b.contains("It took three visits."))
    );
    assert_eq!(
        t.post(&rating, &uma, json!({"good": true}))
            .await
            .problem(409),
        "/problems/rated"
    );
    // Staff read it on the ticket.
    let seen = t.get(&format!("/api/tickets/{n}"), &tech).await;
    assert_eq!(
        seen.body["ticket"]["rating"]["comment"],
        "It took three visits."
    );

    // A good rating tells nobody.
    let m = raised(&t, &uma).await;
    let fix = json!({"status": "resolved", "note": "Done.", "version": 1});
    assert_eq!(patch(&t, &tech, m, fix).await.status, 200);
    let sent = t.mail().await.len();
    let good = t
        .post(
            &format!("/api/tickets/{m}/rating"),
            &uma,
            json!({"good": true}),
        )
        .await;
    assert_eq!(good.status, 200, "{}", good.text);
    assert!(mail_since(&t, sent).await.is_empty());
}
