//! Configuration API tests over the real `assets` and `tickets` handlers against moto_server: who
//! sees and records what, each search, internal notes never in a client's answer, changes and
//! their conflicts, tickets about a configuration, the expiry warnings and the type list.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

mod documents;
mod import;
mod search;

const TECH: DemoUser = DemoUser::Technician;
pub const ACME: &str = "?company=acme-dental";
const SECRET: &str = "vault entry 7731";

/// A configuration body for Acme: `name`, `type`, and the fields in `more`.
pub fn body(name: &str, kind: &str, more: Value) -> Value {
    let mut b = json!({"name": name, "type": kind, "internal_notes": SECRET,
                       "notes": "Visible to the client."});
    for (k, v) in more.as_object().unwrap() {
        b[k] = v.clone();
    }
    b
}

/// A configuration recorded for Acme by the technician: its answer.
pub async fn recorded(tech: &SignedIn<'_>, body: Value) -> Value {
    let made = tech.post(&format!("/api/configurations{ACME}"), body).await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.body
}

pub fn day(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

pub fn names(answer: &Value) -> Vec<String> {
    answer["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn staff_record_configurations_and_each_role_sees_what_it_may() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let user = DemoUser::AcmeUser.id();
    let theirs = recorded(
        &tech,
        body(
            "WS-01 Reception",
            "workstation",
            json!({"serial": "SN-100", "tag": "T-100",
             "contact_id": user.as_str(), "expires": day(300), "model": "OptiPlex 7010",
             "manufacturer": "Dell", "location": "Reception", "purchase_date": "2025-01-10"}),
        ),
    )
    .await;
    assert_eq!(theirs["type"], "Workstation", "the list's spelling");
    assert_eq!(theirs["contact_name"], "Uma User");
    assert_eq!(theirs["internal_notes"], SECRET, "staff see internal notes");
    assert_eq!(theirs["expiry"], "later");
    let shared = recorded(
        &tech,
        body("FW-01", "Firewall", json!({"serial": "SN-200"})),
    )
    .await;

    let cookies = sign_in_everyone(&t).await;
    for (c, want) in [
        (&theirs, [200, 200, 200, 200, 404, 404, 200, 404, 404]),
        (&shared, [200, 200, 200, 200, 404, 404, 404, 404, 404]),
    ] {
        let path = format!("/api/configurations/{}{ACME}", c["id"].as_str().unwrap());
        let got = each(&cookies, async |cookie| t.get(&path, cookie).await).await;
        expect(&path, got, want);
    }
    let list = format!("/api/configurations{ACME}");
    let got = each(&cookies, async |c| t.get(&list, c).await).await;
    expect(&list, got, [200, 200, 200, 200, 200, 200, 200, 404, 404]);
    // Clients may leave the company out; staff must name it.
    let got = each(&cookies, async |c| t.get("/api/configurations", c).await).await;
    expect(
        "no company",
        got,
        [404, 404, 200, 200, 200, 200, 200, 200, 200],
    );
    let made = each(&cookies, async |c| {
        t.post(&list, c, body("X", "Other", json!({}))).await
    })
    .await;
    expect("POST", made, [201, 201, 403, 403, 403, 403, 403, 403, 403]);

    // Full Admins see the company's; Standard Users their own; Billing Admins (own) none.
    let count = |who: DemoUser| {
        let t = &t;
        async move {
            let s = t.signed_in(who).await;
            s.get("/api/configurations").await.body["items"]
                .as_array()
                .unwrap()
                .len()
        }
    };
    assert_eq!(count(DemoUser::AcmeFullAdmin).await, 4);
    assert_eq!(count(DemoUser::AcmeUser).await, 1);
    assert_eq!(count(DemoUser::AcmeBillingAdmin).await, 0);
    assert_eq!(count(DemoUser::GlobexFullAdmin).await, 0);
    // Asking for a colleague's as a Standard User finds nothing.
    let me = t.signed_in(DemoUser::AcmeUser).await;
    let other = me
        .get(&format!(
            "/api/configurations?contact={}",
            DemoUser::AcmeFullAdmin.id()
        ))
        .await;
    assert_eq!(other.body["items"], json!([]));

    // Internal notes never reach a client: not in the detail, the list or the CSV.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    for path in [
        format!("/api/configurations/{}", theirs["id"].as_str().unwrap()),
        "/api/configurations".to_owned(),
        "/api/configurations/export".to_owned(),
        "/api/configurations/expiring".to_owned(),
    ] {
        for who in [&admin, &me] {
            let got = who.get(&path).await;
            assert_eq!(got.status, 200, "{path}: {}", got.text);
            assert!(!got.text.contains(SECRET), "{path}: {}", got.text);
            assert!(!got.text.contains("internal_notes"), "{path}: {}", got.text);
            assert!(!got.text.contains("Internal notes"), "{path}: {}", got.text);
        }
    }
    let csv = admin.get("/api/configurations/export").await;
    assert_eq!(csv.content_type(), "text/csv; charset=utf-8");
    assert!(csv.text.contains("\"WS-01 Reception\",\"Workstation\",\"Active\",\"Dell\",\"OptiPlex 7010\",\"SN-100\",\"T-100\",\"Uma User\""), "{}", csv.text);
    let staff_csv = tech.get(&format!("/api/configurations/export{ACME}")).await;
    assert!(staff_csv.text.contains(SECRET));
}

#[tokio::test]
async fn changes_are_versioned_and_serials_and_tags_stay_unique() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let first = recorded(
        &tech,
        body("PC 1", "Workstation", json!({"serial": "S1", "tag": "T1"})),
    )
    .await;
    let id = first["id"].as_str().unwrap();
    let path = format!("/api/configurations/{id}{ACME}");

    // A duplicate serial or tag (any case) is a 409 that writes nothing.
    let before = t.all_items().await;
    let twin = tech
        .post(
            &format!("/api/configurations{ACME}"),
            body("PC 2", "Workstation", json!({"serial": "s1"})),
        )
        .await;
    assert_eq!(twin.problem(409), "/problems/identifier-taken");
    assert!(twin.body["title"].as_str().unwrap().contains("serial"));
    let twin = tech
        .post(
            &format!("/api/configurations{ACME}"),
            body("PC 2", "Workstation", json!({"tag": "t1"})),
        )
        .await;
    assert_eq!(twin.problem(409), "/problems/identifier-taken");
    // Bad input is a 422 (or 404 for a company that is not a client) and writes nothing.
    for (bad, status) in [
        (body("", "Workstation", json!({})), 422),
        (body("PC", "Toaster", json!({})), 422),
        (body("PC", "Laptop", json!({"expires": "2027-02-30"})), 422),
        (
            body("PC", "Laptop", json!({"contact_id": "nobody-here"})),
            422,
        ),
        (
            body(
                "PC",
                "Laptop",
                json!({"contact_id": DemoUser::GlobexUser.id().as_str()}),
            ),
            422,
        ),
        (
            body("PC", "Laptop", json!({"serial": "x".repeat(101)})),
            422,
        ),
        (body("PC", "Laptop", json!({"version": 3})), 422),
    ] {
        let got = tech
            .post(&format!("/api/configurations{ACME}"), bad.clone())
            .await;
        got.problem(status);
    }
    let unknown = tech
        .post(
            "/api/configurations?company=no-such-co",
            body("PC", "Laptop", json!({})),
        )
        .await;
    unknown.problem(404);
    let msp = tech
        .post(
            "/api/configurations?company=northwind-it",
            body("PC", "Laptop", json!({})),
        )
        .await;
    msp.problem(404);
    let unknown_field = tech
        .post(
            &format!("/api/configurations{ACME}"),
            json!({"name": "PC", "type": "Laptop", "colour": "red"}),
        )
        .await;
    unknown_field.problem(400);
    assert_eq!(t.all_items().await, before, "nothing written");

    // A change moves the serial: the old one is free again, the new one taken.
    let moved = tech
        .patch(
            &path,
            body(
                "PC 1",
                "Workstation",
                json!({"serial": "S9", "tag": "T1", "version": 1}),
            ),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["version"], 2);
    recorded(&tech, body("PC 3", "Workstation", json!({"serial": "S1"}))).await;
    let found = tech
        .get(&format!("/api/configurations{ACME}&serial=s9"))
        .await;
    assert_eq!(names(&found.body), ["PC 1"]);
    // A stale version, or a serial another has, changes nothing.
    let stale = tech
        .patch(&path, body("PC 1b", "Workstation", json!({"version": 1})))
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    let taken = tech
        .patch(
            &path,
            body(
                "PC 1",
                "Workstation",
                json!({"serial": "S1", "tag": "T1", "version": 2}),
            ),
        )
        .await;
    assert_eq!(taken.problem(409), "/problems/identifier-taken");
    let no_version = tech
        .patch(&path, body("PC 1", "Workstation", json!({})))
        .await;
    no_version.problem(422);
    let detail = tech.get(&path).await;
    assert_eq!(detail.body["configuration"]["serial"], "S9");
    assert_eq!(detail.body["configuration"]["version"], 2);

    // Clients may not change; another company's configuration is 404 to staff naming Globex.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let refused = admin
        .patch(
            &format!("/api/configurations/{id}"),
            body("Mine", "Laptop", json!({"version": 2})),
        )
        .await;
    refused.problem(403);
    let elsewhere = tech
        .patch(
            &format!("/api/configurations/{id}?company=globex-logistics"),
            body("PC 1", "Workstation", json!({"version": 2})),
        )
        .await;
    elsewhere.problem(404);
    let globex = t.signed_in(DemoUser::GlobexFullAdmin).await;
    globex
        .get(&format!("/api/configurations/{id}"))
        .await
        .problem(404);
}

#[tokio::test]
async fn tickets_about_a_configuration_are_listed_on_it() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let user = DemoUser::AcmeUser.id();
    let mine = recorded(
        &tech,
        body(
            "Reception printer",
            "Printer",
            json!({"contact_id": user.as_str()}),
        ),
    )
    .await;
    let shared = recorded(&tech, body("Core switch", "Switch", json!({}))).await;
    let me = t.signed_in(DemoUser::AcmeUser).await;
    let ticket = |config: &str| {
        json!({"request_type": "Problem", "summary": "It jams", "description": "Every second page.",
               "priority": "medium", "configuration_id": config})
    };
    // Only a configuration the raiser may see: a Standard User's own.
    let before = t.all_items().await;
    for bad in [shared["id"].as_str().unwrap(), "no-such", "bad id!"] {
        let got = me.post("/api/tickets", ticket(bad)).await;
        got.problem(422);
    }
    assert_eq!(t.all_items().await, before, "nothing written");
    let raised = me
        .post("/api/tickets", ticket(mine["id"].as_str().unwrap()))
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    assert_eq!(raised.body["configuration"]["name"], "Reception printer");
    let number = raised.body["number"].as_u64().unwrap();
    // The Full Admin raises one about the shared switch; staff see both in the queue.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let other = admin
        .post("/api/tickets", ticket(shared["id"].as_str().unwrap()))
        .await;
    assert_eq!(other.status, 201, "{}", other.text);
    let queue = tech.get("/api/tickets?company=acme-dental").await;
    let about: Vec<_> = queue.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["configuration"]["name"].as_str())
        .collect();
    assert_eq!(about.len(), 2, "{}", queue.text);

    // The configuration page lists the ticket, and its status follows the ticket's.
    let path = format!("/api/configurations/{}", mine["id"].as_str().unwrap());
    let page = me.get(&path).await;
    assert_eq!(page.body["tickets"][0]["number"], number);
    assert_eq!(page.body["tickets"][0]["status"], "new");
    assert_eq!(page.body["tickets"][0]["may_open"], true);
    let resolved = tech
        .patch(
            &format!("/api/tickets/{number}"),
            json!({"status": "resolved", "note": "Replaced the cable; it works again.", "version": 1}),
        )
        .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    let page = me.get(&path).await;
    assert_eq!(page.body["tickets"][0]["status"], "resolved");
    // A Ticket Manager sees the configuration and opens the tickets; staff too.
    let manager = t.signed_in(DemoUser::AcmeTicketManager).await;
    let seen = manager.get(&path).await;
    assert_eq!(seen.body["tickets"][0]["may_open"], true);
    let staff = tech.get(&format!("{path}{ACME}")).await;
    assert_eq!(staff.body["tickets"][0]["number"], number);
}

#[tokio::test]
async fn expiry_warnings_list_what_expires_within_45_days() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let user = DemoUser::AcmeUser.id();
    recorded(
        &tech,
        body("Certificate", "Certificate", json!({"expires": day(44)})),
    )
    .await;
    recorded(
        &tech,
        body("Backup licence", "Licence", json!({"expires": day(-3)})),
    )
    .await;
    recorded(&tech, body("Domain", "Domain", json!({"expires": day(46)}))).await;
    recorded(
        &tech,
        body(
            "Old PC",
            "Workstation",
            json!({"expires": day(-300), "status": "inactive"}),
        ),
    )
    .await;
    recorded(
        &tech,
        body(
            "Laptop",
            "Laptop",
            json!({"expires": day(5), "contact_id": user.as_str()}),
        ),
    )
    .await;
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let got = admin.get("/api/configurations/expiring").await;
    assert_eq!(got.status, 200, "{}", got.text);
    assert_eq!(
        names(&got.body),
        ["Backup licence", "Laptop", "Certificate"]
    );
    assert_eq!(got.body["items"][0]["expiry"], "expired");
    assert_eq!(got.body["items"][1]["expiry"], "soon");
    assert_eq!(got.body["horizon"], day(45));
    let me = t.signed_in(DemoUser::AcmeUser).await;
    assert_eq!(
        names(&me.get("/api/configurations/expiring").await.body),
        ["Laptop"]
    );
    let staff = tech
        .get(&format!("/api/configurations/expiring{ACME}"))
        .await;
    assert_eq!(names(&staff.body).len(), 3);
    tech.get("/api/configurations/expiring").await.problem(404);
}

#[tokio::test]
async fn full_admins_get_one_expiry_digest_a_month_unless_they_turn_it_off() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    recorded(
        &tech,
        body("Firewall support", "Licence", json!({"expires": day(20)})),
    )
    .await;
    recorded(
        &tech,
        body("Backup licence", "Licence", json!({"expires": day(-4)})),
    )
    .await;
    recorded(
        &tech,
        body(
            "Old PC",
            "Workstation",
            json!({"expires": day(-40), "status": "inactive"}),
        ),
    )
    .await;
    recorded(
        &tech,
        body("Far off", "Domain", json!({"expires": day(200)})),
    )
    .await;
    let globex = tech
        .post(
            "/api/configurations?company=globex-logistics",
            body("Dock scanner", "Other", json!({"expires": day(10)})),
        )
        .await;
    assert_eq!(globex.status, 201, "{}", globex.text);
    let today = t.app.now().date();
    let before = t.mail().await.len();
    assert_eq!(
        assets::reminders::expiry_digests(&t.app, today)
            .await
            .unwrap(),
        2
    );
    // Run again the same day, or later that month: nothing more.
    assert_eq!(
        assets::reminders::expiry_digests(&t.app, today)
            .await
            .unwrap(),
        0
    );
    let mail = t.mail().await;
    let sent = &mail[before..];
    assert_eq!(sent.len(), 2, "{sent:?}");
    let to = |m: &Value| m["destinations"]["ToAddresses"].clone();
    let acme = sent
        .iter()
        .find(|m| to(m) == json!(["fulladmin@acme.example"]))
        .expect("Acme's Full Admin only");
    assert_eq!(acme["subject"], "1 expired and 1 expiring configurations");
    let text = acme["body"].as_str().unwrap();
    assert!(
        text.contains("- Backup licence (Licence): expired"),
        "{text}"
    );
    assert!(
        text.contains("- Firewall support (Licence): expires"),
        "{text}"
    );
    assert!(text.contains("(in 20 days)"), "{text}");
    assert!(text.contains("/configurations/view/?id="), "{text}");
    for never in ["Old PC", "Far off", SECRET, "Dock scanner"] {
        assert!(!text.contains(never), "{never}: {text}");
    }
    assert!(
        sent.iter()
            .any(|m| to(m) == json!(["fulladmin@globex.example"]))
    );

    // Globex's Full Admin turns it off: next month only Acme's goes.
    let off = t.signed_in(DemoUser::GlobexFullAdmin).await;
    let me = off.get("/api/me").await;
    let mut notify = me.body["user"]["notify"].clone();
    assert_eq!(notify["expiry_digest"], true, "on by default");
    notify["expiry_digest"] = json!(false);
    let saved = off.patch("/api/me", json!({"notify": notify})).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let next_month = today + time::Duration::days(32);
    t.clock.advance(time::Duration::days(32));
    let before = t.mail().await.len();
    assert_eq!(
        assets::reminders::expiry_digests(&t.app, next_month)
            .await
            .unwrap(),
        1
    );
    let mail = t.mail().await;
    assert_eq!(mail.len() - before, 1);
    assert_eq!(to(&mail[before]), json!(["fulladmin@acme.example"]));
}
