//! The store's part of quotes against moto_server, below the routes: sending takes gapless
//! numbers, revising supersedes the sent revision and moves its number, answering is one
//! conditional write (two at once: one answer; an expired — also by a day that turns while the
//! answer is on its way —, superseded or changed quote: none), and the tabs split sent quotes by
//! their valid-until date.

use portal::domain::CompanyId;
use portal::domain::audit::{AuditAction, AuditEntry, RequestMeta};
use portal::domain::billing::{BillingId, LineBody, Quantity};
use portal::domain::quotes::*;
use portal::store::Saved;
use portal_tests::TestApp;
use time::Date;

fn audit(t: &TestApp, action: AuditAction) -> AuditEntry {
    AuditEntry::by_system(
        &RequestMeta::system(t.app.now()),
        &CompanyId::parse("northwind-it").unwrap(),
        "Quote test",
        action,
        None,
        "quote test",
    )
}

/// A draft for Acme, valid until `valid_until`: a firewall and its monthly monitoring.
async fn draft(t: &TestApp, valid_until: Date) -> Quote {
    let store = &t.app.store;
    let company = store
        .get_company(&CompanyId::parse("acme-dental").unwrap())
        .await
        .unwrap()
        .unwrap();
    let now = t.app.now();
    let owner = store
        .get_user(
            &CompanyId::parse("northwind-it").unwrap(),
            &portal_admin::seed::demo_user_id("admin@northwind.example"),
        )
        .await
        .unwrap()
        .unwrap();
    let mut quote = Quote::draft(&company, &owner, valid_until, now);
    let line = |description: &str, price: i64, recurrence| {
        QuoteLineBody::new(
            LineBody {
                description: description.into(),
                quantity: Quantity::parse("1").unwrap(),
                unit_price: price,
            },
            recurrence,
        )
    };
    QuoteBody {
        title: "New firewall".into(),
        introduction: String::new(),
        terms: String::new(),
        valid_until: valid_until.to_string(),
        currency: None,
        lines: vec![
            line("FortiGate 60F", 99_900, Recurrence::OneTime),
            line("Monitoring", 8_900, Recurrence::Monthly),
        ],
        tax_rate_bp: 825,
        on_approval: OnApproval::default(),
        version: None,
    }
    .apply(&mut quote, &company.currency, now.date(), &[])
    .unwrap();
    assert!(
        store
            .create_quote(&quote, &audit(t, AuditAction::QuoteCreated))
            .await
            .unwrap()
    );
    quote
}

/// Send `draft`, taking the next number.
async fn send(t: &TestApp, draft: &Quote) -> Quote {
    let store = &t.app.store;
    for _ in 0..20 {
        let last = store.last_quote_number().await.unwrap();
        let mut sent = draft.clone();
        sent.number = Some(last + 1);
        sent.status = QuoteStatus::Sent;
        sent.version += 1;
        let audit = audit(t, AuditAction::QuoteSent);
        if let Saved::Done = store
            .send_quote(&sent, last, draft.version, &audit)
            .await
            .unwrap()
        {
            return sent;
        }
    }
    panic!("no number after 20 tries");
}

fn approved(quote: &Quote, t: &TestApp) -> Quote {
    let mut answer = quote.clone();
    answer.status = QuoteStatus::Approved;
    answer.approval = Some(Approval {
        name: "Bella Billings".into(),
        user_id: portal_admin::seed::demo_user_id("billing@acme.example"),
        user_name: "Bella Billings".into(),
        at: t.app.now(),
        ip: "127.0.0.1".into(),
        revision: quote.revision,
        totals: quote.totals.clone(),
        consent: quote.consent(),
    });
    answer.version += 1;
    answer
}

#[tokio::test]
async fn sending_numbers_quotes_gaplessly_and_answering_is_one_conditional_write() {
    let t = TestApp::new().await;
    let store = &t.app.store;
    let today = t.app.now().date();
    let later = today + time::Duration::days(30);
    let (a, b) = (draft(&t, later).await, draft(&t, later).await);
    let (a, b) = futures::join!(send(&t, &a), send(&t, &b));
    let mut numbers = [a.number.unwrap(), b.number.unwrap()];
    numbers.sort_unstable();
    assert_eq!(numbers, [1, 2], "two sent at once: two numbers, no gap");
    assert_eq!(
        store.quote_by_number(a.number.unwrap()).await.unwrap(),
        Some((a.company_id.clone(), a.id.clone()))
    );

    // Two approvers at once: exactly one answer is recorded.
    let (yes_a, yes_b) = (approved(&a, &t), approved(&a, &t));
    let (audit_a, audit_b) = (
        audit(&t, AuditAction::QuoteApproved),
        audit(&t, AuditAction::QuoteApproved),
    );
    let none = portal::store::QuoteEffects::default();
    let (first, second) = futures::join!(
        store.answer_quote(&yes_a, a.version, today, &none, &audit_a),
        store.answer_quote(&yes_b, a.version, today, &none, &audit_b)
    );
    let done = [first.unwrap(), second.unwrap()]
        .iter()
        .filter(|s| matches!(s, Saved::Done))
        .count();
    assert_eq!(done, 1);
    let stored = store
        .get_quote(&a.company_id, &a.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, QuoteStatus::Approved);
    assert_eq!(stored.answerable(today), Err(Refusal::Approved));

    // Revising b: the old revision superseded, the number moved to the new one, which is answerable
    // while the old one is refused by the write itself.
    let mut old = b.clone();
    let mut new = b.clone();
    new.id = BillingId::generate();
    new.revision = 2;
    new.version = 1;
    new.replaces = Some(b.id.clone());
    old.status = QuoteStatus::Superseded;
    old.replaced_by = Some(new.id.clone());
    old.version += 1;
    let revised = store
        .revise_quote(&old, b.version, &new, &audit(&t, AuditAction::QuoteRevised))
        .await
        .unwrap();
    assert!(matches!(revised, Saved::Done));
    assert_eq!(
        store
            .quote_by_number(b.number.unwrap())
            .await
            .unwrap()
            .unwrap()
            .1,
        new.id
    );
    let stale = store
        .answer_quote(
            &approved(&b, &t),
            b.version,
            today,
            &Default::default(),
            &audit(&t, AuditAction::QuoteApproved),
        )
        .await
        .unwrap();
    assert!(
        matches!(stale, Saved::Stale),
        "the superseded revision cannot be approved"
    );
    assert_eq!(new.label(), format!("Q-{:04} rev 2", b.number.unwrap()));

    // Past its valid-until date the write refuses it too, whatever the caller read.
    let expired = draft(&t, today).await;
    let expired = send(&t, &expired).await;
    let tomorrow = today + time::Duration::days(1);
    let refused = store
        .answer_quote(
            &approved(&expired, &t),
            expired.version,
            tomorrow,
            &Default::default(),
            &audit(&t, AuditAction::QuoteApproved),
        )
        .await
        .unwrap();
    assert!(matches!(refused, Saved::Stale));

    // The tabs: waiting (the new revision, the one valid today), expired tomorrow, approved.
    let ids = |page: portal::store::Page<Quote>| -> Vec<BillingId> {
        page.items.into_iter().map(|q| q.id).collect()
    };
    let waiting = ids(store
        .list_quotes(&a.company_id, QuoteTab::Waiting, today, None, 50)
        .await
        .unwrap());
    assert_eq!(
        waiting,
        [expired.id.clone(), new.id.clone()],
        "soonest to expire first"
    );
    let later_waiting = ids(store
        .list_quotes(&a.company_id, QuoteTab::Waiting, tomorrow, None, 50)
        .await
        .unwrap());
    assert_eq!(later_waiting, [new.id.clone()]);
    let gone = ids(store
        .list_quotes(&a.company_id, QuoteTab::Expired, tomorrow, None, 50)
        .await
        .unwrap());
    assert_eq!(gone, std::slice::from_ref(&expired.id));
    let yes = ids(store
        .list_quotes(&a.company_id, QuoteTab::Approved, today, None, 50)
        .await
        .unwrap());
    assert_eq!(yes, std::slice::from_ref(&a.id));
    let drafts = ids(store
        .list_quotes(&a.company_id, QuoteTab::Draft, today, None, 50)
        .await
        .unwrap());
    assert!(drafts.is_empty());
}
