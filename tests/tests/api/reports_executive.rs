//! The executive management report (issue 23): the PDF for a month or a quarter, read back with
//! pdftotext — tickets, responsiveness, satisfaction, agreements, invoices and payments (their
//! counters kept by issuing, voiding and paying), configurations expiring (kept by creating and
//! changing them); who may have it; bad periods; and the monthly email to subscribed Full Admins,
//! sent once per company and month however often the daily job runs.

use crate::tickets::patch;
use portal_tests::TestApp;
use portal_tests::files::pdf_text_of;
use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use serde_json::json;

const ACME_ADMIN: &str = "fulladmin@acme.example";

/// This month as `yyyy-mm`, and the next.
fn months(t: &TestApp) -> (String, String, String) {
    let today = t.app.now().date();
    let this = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let next = today.replace_day(1).unwrap() + time::Duration::days(32);
    let next = format!("{:04}-{:02}", next.year(), u8::from(next.month()));
    let later = today.replace_day(1).unwrap() + time::Duration::days(64);
    let later = format!("{:04}-{:02}", later.year(), u8::from(later.month()));
    (this, next, later)
}

#[tokio::test]
async fn the_executive_report_reads_every_counter_back() {
    let t = TestApp::new().await;
    let (this, next, later) = months(&t);
    let uma = t.login("user@acme.example").await;
    let tech = t.login("tech@northwind.example").await;
    let admin = t.login("admin@northwind.example").await;
    let acme = t.login(ACME_ADMIN).await;
    // A ticket answered, resolved and rated good.
    let raised = t
        .post("/api/tickets", &uma, json!({"request_type": "Problem", "summary": "Scanner", "description": "x", "priority": "high"}))
        .await;
    let number = raised.body["number"].as_u64().unwrap();
    t.post(
        &format!("/api/tickets/{number}/notes"),
        &tech,
        json!({"text": "Looking.", "internal": false}),
    )
    .await;
    let version =
        t.get(&format!("/api/tickets/{number}"), &tech).await.body["ticket"]["version"].clone();
    let resolved = patch(
        &t,
        &tech,
        number,
        json!({"status": "resolved", "note": "Fixed.", "version": version}),
    )
    .await;
    assert_eq!(resolved.status, 200, "{}", resolved.text);
    let rated = t
        .post(
            &format!("/api/tickets/{number}/rating"),
            &uma,
            json!({"good": true}),
        )
        .await;
    assert_eq!(rated.status, 200, "{}", rated.text);
    // Two invoices issued, one paid with store credit, the other voided.
    t.post(
        "/api/credit-notes",
        &admin,
        json!({"company_id": "acme-dental", "amount": 5000, "reason": "Goodwill"}),
    )
    .await;
    let mut issued = Vec::new();
    for price in [12_000, 3_000] {
        let draft = t
            .post("/api/invoices", &admin, json!({"company_id": "acme-dental", "lines": [{"description": "Work", "quantity": 1, "unit_price": price}]}))
            .await;
        assert_eq!(draft.status, 201, "{}", draft.text);
        let id = draft.body["id"].as_str().unwrap().to_owned();
        let done = t
            .post(
                &format!("/api/invoices/{id}/issue?company=acme-dental"),
                &admin,
                json!({"version": draft.body["version"]}),
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        issued.push((id, done.body["invoice"]["version"].clone()));
    }
    let paid = t
        .post(
            &format!("/api/invoices/{}/credit", issued[0].0),
            &acme,
            json!({"amount": 4000, "version": issued[0].1}),
        )
        .await;
    assert_eq!(paid.status, 201, "{}", paid.text);
    let voided = t
        .post(
            &format!("/api/invoices/{}/void?company=acme-dental", issued[1].0),
            &admin,
            json!({"version": issued[1].1}),
        )
        .await;
    assert_eq!(voided.status, 200, "{}", voided.text);
    // Configurations: one expiring next month, one moved from next month to the one after, one
    // inactive (not counted).
    let expires = |month: &str| format!("{month}-15");
    let mut made = Vec::new();
    for (name, month) in [
        ("Firewall licence", &next),
        ("Backup licence", &next),
        ("Old phone", &next),
    ] {
        let c = t
            .post(
                "/api/configurations?company=acme-dental",
                &admin,
                json!({"name": name, "type": "Licence", "expires": expires(month)}),
            )
            .await;
        assert_eq!(c.status, 201, "{}", c.text);
        made.push(c.body);
    }
    let moved = t
        .call("PATCH", &format!("/api/configurations/{}?company=acme-dental", made[1]["id"].as_str().unwrap()))
        .cookie(&admin)
        .json(json!({"name": "Backup licence", "type": "Licence", "expires": expires(&later), "version": made[1]["version"]}))
        .send()
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let retired = t
        .call("PATCH", &format!("/api/configurations/{}?company=acme-dental", made[2]["id"].as_str().unwrap()))
        .cookie(&admin)
        .json(json!({"name": "Old phone", "type": "Licence", "status": "inactive", "expires": expires(&next), "version": made[2]["version"]}))
        .send()
        .await;
    assert_eq!(retired.status, 200, "{}", retired.text);

    let pdf = t
        .get(&format!("/api/reports/executive?period={this}"), &acme)
        .await;
    assert_eq!(pdf.status, 200, "{}", pdf.text);
    assert_eq!(pdf.content_type(), "application/pdf");
    assert!(
        pdf.header("content-disposition")
            .unwrap()
            .contains(&format!("executive-report-acme-dental-{this}.pdf"))
    );
    let text = pdf_text_of(&pdf.bytes);
    for want in [
        "Acme Dental",
        "1 opened and 1 closed in",
        "Problem: 1 opened",
        "First replies: 1",
        "1 rated good and 0 rated bad (100% good)",
        "Agreements and hours",
        "1 invoice issued in the period, for $",
        "1 payment received, for $40.00",
        "Configurations expiring",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
    let next_label = crate::reports_executive::label(&next);
    let later_label = crate::reports_executive::label(&later);
    assert!(
        text.contains(&format!("{next_label}: 1")),
        "one active licence next month:\n{text}"
    );
    assert!(
        text.contains(&format!("{later_label}: 1")),
        "the moved one the month after:\n{text}"
    );

    // Who may have it; another company's; bad periods.
    let cookies = sign_in_everyone(&t).await;
    let path = format!("/api/reports/executive?period={this}");
    expect(
        &path,
        each(&cookies, async |c| t.get(&path, c).await).await,
        [200, 200, 200, 200, 403, 403, 403, 200, 403],
    );
    t.get(&format!("{path}&company=globex-logistics"), &cookies[2])
        .await
        .problem(404);
    let quarter = t
        .get(
            "/api/reports/executive?period=2026-Q4&company=acme-dental",
            &tech,
        )
        .await;
    assert_eq!(quarter.status, 200);
    assert!(pdf_text_of(&quarter.bytes).contains("Q4 2026"));
    for bad in [
        "",
        "?period=2026-13",
        "?period=2026-Q5",
        "?period=26-01",
        "?period=1999-12",
    ] {
        t.get(&format!("/api/reports/executive{bad}"), &acme)
            .await
            .problem(400);
    }
}

/// `2026-12` as the report writes it ("December 2026").
pub(crate) fn label(month: &str) -> String {
    let (y, m) = month.split_once('-').unwrap();
    let name = time::Month::try_from(m.parse::<u8>().unwrap()).unwrap();
    format!("{name} {y}")
}

#[tokio::test]
async fn subscribers_get_the_monthly_report_once() {
    let t = TestApp::new().await;
    let acme = t.login(ACME_ADMIN).await;
    let mut me = t.get("/api/me", &acme).await.body;
    assert_eq!(
        me["user"]["notify"]["executive_report"], false,
        "off until asked for"
    );
    me["user"]["notify"]["executive_report"] = json!(true);
    let saved = t
        .call("PATCH", "/api/me")
        .cookie(&acme)
        .json(json!({"notify": me["user"]["notify"]}))
        .send()
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let before = t.mail().await.len();
    let today = t.app.now().date();
    // The daily job, three times (and two at once): one mail, to the one subscriber.
    let first = reports::monthly::executive_reports(&t.app, today)
        .await
        .unwrap();
    let (a, b) = futures::join!(
        reports::monthly::executive_reports(&t.app, today),
        reports::monthly::executive_reports(&t.app, today)
    );
    assert_eq!((first, a.unwrap(), b.unwrap()), (1, 0, 0));
    let mail: Vec<_> = t.mail().await.into_iter().skip(before).collect();
    assert_eq!(mail.len(), 1, "{mail:#?}");
    assert_eq!(mail[0]["destinations"]["ToAddresses"], json!([ACME_ADMIN]));
    assert!(
        mail[0]["subject"]
            .as_str()
            .unwrap()
            .contains("executive report"),
        "{}",
        mail[0]
    );
    let attached = &mail[0]["attachments"][0];
    assert_eq!(attached["content_type"], "application/pdf");
    assert!(attached["size"].as_u64().unwrap() > 1_000);
    assert!(
        attached["filename"]
            .as_str()
            .unwrap()
            .starts_with("executive-report-acme-dental-")
    );
    // Next month it goes again, once.
    let next = today.replace_day(1).unwrap() + time::Duration::days(32);
    assert_eq!(
        reports::monthly::executive_reports(&t.app, next)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        reports::monthly::executive_reports(&t.app, next)
            .await
            .unwrap(),
        0
    );
}
