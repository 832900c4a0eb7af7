//! Benchmark (not a test): what quote requests cost in DynamoDB for a company with 10 quotes and
//! one with 10,000 (a quarter each waiting, expired, approved and declined) — calls, items read,
//! bytes read and the read units those bytes would cost. The calls must match: each tab is one
//! page of its own index partition, a number is one pointer and one item, a quote one item, and
//! the home alert counts at most 100 waiting quotes in one Query. Prints a Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-quotes [-- QUOTES]` with moto_server on PATH.

use portal::domain::CompanyId;
use portal::domain::billing::{BillingId, LineBody, Quantity};
use portal::domain::quotes::{
    Approval, Decline, Quote, QuoteBody, QuoteLineBody, QuoteStatus, Recurrence,
};
use portal_tests::bench::{cost, print_table};
use portal_tests::{Answer, TestApp};

/// `count` quotes of `company` loaded in bulk (numbered from `first`, without their numbers'
/// pointers), and one more sent as the portal sends it: its id and number.
async fn fill(t: &TestApp, company: &str, first: u64, count: u64) -> (BillingId, u64) {
    let store = &t.app.store;
    let now = t.app.now();
    let today = now.date();
    let id = CompanyId::parse(company).unwrap();
    let client = store.get_company(&id).await.unwrap().unwrap();
    let admin = store
        .get_user(
            &CompanyId::parse("northwind-it").unwrap(),
            &portal_admin::seed::demo_user_id("admin@northwind.example"),
        )
        .await
        .unwrap()
        .unwrap();
    let mut template = Quote::draft(&client, &admin, today, now);
    QuoteBody {
        title: "Bench firewall".into(),
        introduction: "A managed firewall.".into(),
        terms: "Bench terms.".into(),
        valid_until: today.to_string(),
        currency: None,
        lines: vec![
            QuoteLineBody::new(
                LineBody {
                    description: "Firewall".into(),
                    quantity: Quantity::parse("1").unwrap(),
                    unit_price: 99_900,
                },
                Recurrence::OneTime,
            ),
            QuoteLineBody::new(
                LineBody {
                    description: "Monitoring".into(),
                    quantity: Quantity::parse("1").unwrap(),
                    unit_price: 8_900,
                },
                Recurrence::Monthly,
            ),
        ],
        tax_rate_bp: 825,
        on_approval: Default::default(),
        version: None,
    }
    .apply(&mut template, &client.currency, today, &[])
    .unwrap();
    let user = portal_admin::seed::demo_user_id("fulladmin@acme.example");
    let quotes: Vec<Quote> = (0..count)
        .map(|i| {
            let mut q = template.clone();
            q.id = BillingId::derived(&["bench-quote", company, &i.to_string()]);
            q.number = Some(first + i);
            q.status = QuoteStatus::Sent;
            let days = (i % 300) as i64 + 1;
            match i % 4 {
                0 => q.valid_until = today + time::Duration::days(days),
                1 => q.valid_until = today - time::Duration::days(days),
                2 => {
                    q.status = QuoteStatus::Approved;
                    q.approval = Some(Approval {
                        name: "Bench".into(),
                        user_id: user.clone(),
                        user_name: "Bench".into(),
                        at: now,
                        ip: "203.0.113.1".into(),
                        revision: 1,
                        totals: q.totals.clone(),
                        consent: q.consent(),
                    });
                }
                _ => {
                    q.status = QuoteStatus::Declined;
                    q.decline = Some(Decline {
                        reason: "Bench".into(),
                        user_id: user.clone(),
                        user_name: "Bench".into(),
                        at: now,
                    });
                }
            }
            q
        })
        .collect();
    store.load_quotes(&quotes).await.unwrap();
    // One more, drafted and sent as a quote is: numbered, findable by its number.
    let mut draft = template.clone();
    draft.id = BillingId::derived(&["bench-quote", company, "sent"]);
    draft.valid_until = today + time::Duration::days(30);
    let audit = |action| {
        portal::domain::audit::AuditEntry::by_system(
            &portal::domain::audit::RequestMeta::system(now),
            &id,
            "Bench",
            action,
            None,
            "bench",
        )
    };
    use portal::domain::audit::AuditAction;
    assert!(
        store
            .create_quote(&draft, &audit(AuditAction::QuoteCreated))
            .await
            .unwrap()
    );
    let last = store.last_quote_number().await.unwrap();
    let mut sent = draft.clone();
    sent.number = Some(last + 1);
    sent.status = QuoteStatus::Sent;
    sent.version += 1;
    let saved = store
        .send_quote(&sent, last, draft.version, &audit(AuditAction::QuoteSent))
        .await
        .unwrap();
    assert!(matches!(saved, portal::store::Saved::Done));
    (sent.id, last + 1)
}

async fn measure(
    t: &TestApp,
    admin: &str,
    (id, number): (BillingId, u64),
) -> Vec<(&'static str, [u64; 4])> {
    let client = t.login(admin).await;
    let ok = |a: &Answer, status: u16| assert_eq!(a.status, status, "{}", a.text);
    let mut out = Vec::new();
    for (label, tab) in [
        ("waiting for you (first page of 50)", "waiting"),
        ("approved (first page of 50)", "approved"),
        ("expired (first page of 50)", "expired"),
    ] {
        let (c, a) = cost(t, t.get(&format!("/api/quotes?tab={tab}"), &client)).await;
        ok(&a, 200);
        out.push((label, c));
    }
    let (c, a) = cost(t, t.get(&format!("/api/quotes/{id}"), &client)).await;
    ok(&a, 200);
    out.push(("one quote", c));
    let (c, a) = cost(t, t.get(&format!("/api/quotes?q=Q-{number}"), &client)).await;
    ok(&a, 200);
    out.push(("search by number", c));
    let (c, a) = cost(t, t.get("/api/billing/overview", &client)).await;
    ok(&a, 200);
    eprintln!(
        "{admin}: {} quotes waiting (counted up to 100)",
        a.body["quotes_waiting"]
    );
    out.push(("home: account overview with quotes waiting", c));
    out
}

#[tokio::main]
async fn main() {
    let big: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t = TestApp::new().await;
    let started = std::time::Instant::now();
    let small = fill(&t, "acme-dental", 1, 10).await;
    let large = fill(&t, "globex-logistics", 1_000, big).await;
    eprintln!("filled {} quotes in {:.0?}", 10 + big, started.elapsed());
    let small = measure(&t, "fulladmin@acme.example", small).await;
    let large = measure(&t, "fulladmin@globex.example", large).await;
    print_table(big, &small, &large);
    println!(
        "\n(10 quotes / {big}, a quarter each waiting, expired, approved and declined. Each request also reads the session in one BatchGetItem, included above.)"
    );
}
