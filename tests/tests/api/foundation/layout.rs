//! The stored layout of every entity, pinned by snapshots.

use super::*;

#[tokio::test]
async fn stored_items_have_the_pinned_layout() {
    let t = TestApp::new().await;
    t.login("user@acme.example").await;
    let attrs = |item: &portal::store::Item| {
        let mut names: Vec<String> = item.keys().cloned().collect();
        names.sort();
        names.join(",")
    };
    let acme = t.items_in("CO#acme-dental").await;
    let by_sk = |prefix: &str| {
        acme.iter()
            .find(|i| i["sk"].as_s().unwrap().starts_with(prefix))
            .unwrap()
    };
    assert_eq!(
        attrs(by_sk("COMPANY")),
        "address,admins,billing_email,created_at,currency,default_notify,gsi1pk,gsi1sk,id,kind,mfa_required,name,overdue_reminders,payment_terms_days,phone,pk,sign_in_methods,sk,sso,tax_rate_bp,time_zone,version"
    );
    assert_eq!(by_sk("COMPANY")["gsi1pk"].as_s().unwrap(), "COMPANIES");
    assert_eq!(
        attrs(by_sk("USER#")),
        "company_id,created_at,email,first_name,id,last_name,last_sign_in_at,mfa_enabled,mobile,name,notify,passkeys,phone,phone_ext,pk,role,sees_company_tickets,session_epoch,sk,status,theme,ticket_view,version"
    );
    assert_eq!(
        attrs(by_sk("SESSION#")),
        "company_id,created_at,epoch,expires_at,id,pk,remember,sk,source_ip,ttl,user_agent,user_id"
    );
    assert!(
        by_sk("SESSION#")["ttl"].as_n().is_ok(),
        "ttl must be a number for DynamoDB TTL"
    );
    let credential = t.items_in("LOGIN#user@acme.example").await;
    assert_eq!(
        attrs(&credential[0]),
        "company_id,email,invite_hash,mfa,passkeys,password_hash,pk,sk,user_id"
    );
    t.try_login("user@acme.example", "wrong password").await;
    let failures = t.items_in("LOGINFAIL#user@acme.example").await;
    let shapes: Vec<(String, String)> = failures
        .iter()
        .map(|c| {
            (
                c["sk"].as_s().unwrap().split('#').skip(2).collect(),
                attrs(c),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            (String::new(), "failures,next_at,pk,sk,ttl".to_owned()),
            (
                format!("FROM{}", portal_tests::CLIENT_IP),
                "failures,pk,sk,ttl".to_owned()
            )
        ],
        "per email (slowing), and per email and place"
    );
    let place = t
        .items_in(&format!("PLACEFAIL#{}", portal_tests::CLIENT_IP))
        .await;
    assert_eq!(attrs(&place[0]), "failures,pk,sk,ttl");
}

/// A stored item's shape: its key and index attributes with their values (ids, numbers, words and
/// times redacted), then every other attribute with its DynamoDB type.
fn stored_shape(item: &portal::store::Item) -> String {
    use aws_sdk_dynamodb::types::AttributeValue as A;
    let mut names: Vec<&String> = item.keys().collect();
    names.sort();
    let (mut keys, mut attrs) = (Vec::new(), Vec::new());
    for name in names {
        let value = &item[name];
        let kind = match value {
            A::S(_) => "S",
            A::N(_) => "N",
            A::Bool(_) => "BOOL",
            A::M(_) => "M",
            A::L(_) => "L",
            A::Null(_) => "NULL",
            A::Ss(_) => "SS",
            _ => "other",
        };
        match value {
            // A word-index item sorts by its word in gsi1 (`{word}#{n}`).
            A::S(s)
                if name == "gsi1sk"
                    && s.contains('#')
                    && item["sk"].as_s().is_ok_and(|sk| sk.starts_with("TW#")) =>
            {
                let (_, number) = s.split_once('#').unwrap_or_default();
                keys.push(format!("{name}={{word}}#{}", redact_key(number)))
            }
            A::S(s) if name == "pk" || name == "sk" || name.starts_with("gsi") => {
                keys.push(format!("{name}={}", redact_key(s)))
            }
            _ => attrs.push(format!("{}:{kind}", redact_attr(name))),
        }
    }
    attrs.sort();
    attrs.dedup();
    // A report month holds a counter per thing counted (`opened.type.Problem`, `response.3`, …)
    // and its contacts' names: which ones depends on the day the demo data was made.
    if item["sk"].as_s().is_ok_and(|sk| sk.starts_with("RPT#")) {
        attrs = vec!["{counter}:N".into(), "name.contact.{id}:S".into()];
    }
    format!("{} | {}", keys.join(" "), attrs.join(","))
}

/// An attribute name with the ids and months of counters (`u_{id}_{month}`) as placeholders.
fn redact_attr(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if part.len() >= 8 && part.bytes().all(|b| b.is_ascii_hexdigit()) {
                "{id}".to_owned()
            } else if part.len() == 7
                && part
                    .split_once('-')
                    .is_some_and(|(y, m)| digits(y) && digits(m))
            {
                "{month}".to_owned()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("_")
}

/// A key value with what varies from run to run or item to item replaced by a placeholder.
fn redact_key(value: &str) -> String {
    let mut after_word_prefix = false;
    value
        .split('#')
        .map(|part| {
            let redacted = if after_word_prefix {
                "{word}".to_owned()
            } else if part.len() >= 8
                && part.bytes().all(|b| b.is_ascii_hexdigit())
                && !(part.len() == 10 && part.bytes().all(|b| b.is_ascii_digit()))
            {
                // Random ids (16 or 32 hex digits, all digits now and then); ticket numbers are
                // ten digits.
                "{id}".to_owned()
            } else if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
                "{n}".to_owned()
            } else if part.len() >= 7
                && part.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && part.as_bytes()[4] == b'-'
            {
                match part.len() {
                    7 => "{month}",
                    10 => "{date}",
                    _ => "{time}",
                }
                .to_owned()
            } else if let Some(rest) = part.split_once('_').filter(|(p, _)| p.len() <= 4) {
                format!("{}_{{id}}", rest.0)
            } else {
                part.to_owned()
            };
            after_word_prefix = part == "TW" || part == "TWQ";
            redacted
        })
        .collect::<Vec<_>>()
        .join("#")
}

#[tokio::test]
async fn every_entity_is_stored_with_the_pinned_layout() {
    use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
    use portal::domain::billing::{BillingAccount, PaymentMethod};
    let t = TestApp::new().await;
    let store = &t.app.store;
    let now = t.app.now();
    let acme = portal::domain::CompanyId::parse("acme-dental").unwrap();
    portal_admin::seed::seed_tickets(store, now).await.unwrap();
    portal_admin::seed::seed_invoices(store, now).await.unwrap();
    portal_admin::seed::seed_projects(store, now).await.unwrap();
    portal_admin::seed::seed_agreements(store, now)
        .await
        .unwrap();
    portal_admin::seed::seed_quotes(store, now).await.unwrap();
    // Configurations: one with every index entry, one with none of the optional ones, two
    // imported with a key, the type list, and a ticket about one.
    let tech = t.login("tech@northwind.example").await;
    let made = t
        .post("/api/configurations?company=acme-dental", &tech, json!({"name": "Layout server", "type": "Server", "serial": "L-1", "tag": "LT-1", "model": "T350", "contact_id": portal_admin::seed::demo_user_id("user@acme.example").as_str(), "expires": "2027-01-15", "purchase_date": "2025-01-15"}))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let bare = t
        .post(
            "/api/configurations?company=acme-dental",
            &tech,
            json!({"name": "Layout licence", "type": "Licence", "status": "inactive"}),
        )
        .await;
    assert_eq!(bare.status, 201, "{}", bare.text);
    let imported = t
        .call("POST", "/api/configurations/import?company=acme-dental")
        .cookie(&tech)
        .header("idempotency-key", "layout-import")
        .raw(
            Some("text/csv"),
            "Name,Type\nLayout PC,Workstation\n".into(),
        )
        .send()
        .await;
    assert_eq!(imported.status, 201, "{}", imported.text);
    let admin = t.login("admin@northwind.example").await;
    let types = t
        .call("PUT", "/api/configuration-types")
        .cookie(&admin)
        .json(json!({"types": ["Server", "Licence", "Workstation"], "version": 0}))
        .send()
        .await;
    assert_eq!(types.status, 200, "{}", types.text);
    let about = t
        .post("/api/tickets", &t.login("user@acme.example").await, json!({"summary": "Layout server beeps", "description": "Since Monday.", "request_type": "problem", "priority": "medium", "configuration_id": made.body["id"]}))
        .await;
    assert_eq!(about.status, 201, "{}", about.text);
    // A document with two versions, filed admins only.
    let grant = t
        .post("/api/documents/uploads?company=acme-dental", &tech, json!({"file_name": "layout.txt", "content_type": "text/plain", "size": 6, "folder": "Layout", "visibility": "admins_only"}))
        .await;
    assert_eq!(grant.status, 201, "{}", grant.text);
    portal_tests::files::post_file(&grant.body, "text/plain", b"layout".to_vec()).await;
    let doc = t
        .post(
            "/api/documents?company=acme-dental",
            &tech,
            json!({"token": grant.body["token"]}),
        )
        .await;
    assert_eq!(doc.status, 201, "{}", doc.text);
    // What the seed does not write: a retried ticket's key, a card, a Stripe customer and event, an
    // overdue reminder, ticket settings.
    let cookie = t.login("user@acme.example").await;
    let raised = t
        .call("POST", "/api/tickets")
        .cookie(&cookie)
        .header("idempotency-key", "layout-1")
        .json(json!({"summary": "Printer jams on tray two", "description": "Since Monday.", "request_type": "problem", "priority": "medium"}))
        .send()
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    let audit = AuditEntry::by_system(
        &RequestMeta::system(now),
        &acme,
        "Stripe",
        AuditAction::PaymentMethodAdded,
        None,
        "layout",
    );
    let card = PaymentMethod {
        id: "pm_layout".into(),
        company_id: acme.clone(),
        kind: "card".into(),
        brand: "visa".into(),
        last4: "4242".into(),
        exp_month: Some(12),
        exp_year: Some(2030),
        nickname: String::new(),
        added_at: now,
        reminded_for: None,
    };
    assert!(
        store
            .put_payment_method(&card, "evt_layout", now, &audit)
            .await
            .unwrap()
    );
    let account = BillingAccount {
        stripe_customer: Some("cus_layout".into()),
        default_method: Some("pm_layout".into()),
        autopay: None,
        version: 1,
    };
    assert!(
        store
            .save_billing_account(&acme, &account, 0, Some("cus_layout"), None)
            .await
            .unwrap()
    );
    let invoice = store.all_invoices(Some(&acme), "open", 10).await.unwrap();
    let invoice = invoice.first().expect("an open demo invoice");
    assert!(store.mark_overdue_reminder(invoice, 7, now).await.unwrap());
    let settings = store.ticket_settings().await.unwrap();
    let mut saved = settings.clone();
    saved.version += 1;
    assert!(store.put_ticket_settings(&saved).await.unwrap());

    let mut partitions = vec![
        "CO#acme-dental".to_owned(),
        "CO#northwind-it".to_owned(),
        "LOGIN#user@acme.example".to_owned(),
        "COUNTER".to_owned(),
        "SETTINGS".to_owned(),
        "TICKETNO#1".to_owned(),
        "INVOICENO#1".to_owned(),
        "PROJECTNO#1".to_owned(),
        "QUOTENO#1".to_owned(),
        "STRIPECUS#cus_layout".to_owned(),
        "STRIPEEVT#evt_layout".to_owned(),
    ];
    let user = portal_admin::seed::demo_user_id("user@acme.example");
    partitions.push(format!("IDEM#{user}#layout-1"));
    let staff = t.login("tech@northwind.example").await;
    let project = t
        .call("POST", "/api/projects")
        .cookie(&staff)
        .header("idempotency-key", "layout-p")
        .json(json!({"company_id": "globex-logistics", "name": "Layout", "manager_id": portal_admin::seed::demo_user_id("tech@northwind.example").as_str(), "start": "2027-01-04", "expected_completion": "2027-02-01"}))
        .send()
        .await;
    assert_eq!(project.status, 201, "{}", project.text);
    let tech = portal_admin::seed::demo_user_id("tech@northwind.example");
    partitions.push(format!("IDEM#{tech}#project#layout-p"));
    let mut shapes = std::collections::BTreeSet::new();
    for pk in &partitions {
        let items = t.items_in(pk).await;
        assert!(!items.is_empty(), "nothing stored under {pk}");
        shapes.extend(items.iter().map(stored_shape));
    }
    let shapes: String = shapes.into_iter().map(|s| s + "\n").collect();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/stored-layout.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &shapes).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        pinned == shapes,
        "the stored layout changed: compare tests/snapshots/stored-layout.txt with\n{shapes}\n\
         (a deliberate change: UPDATE_SNAPSHOTS=1 cargo test -p portal-tests --test api every_entity)"
    );
}
