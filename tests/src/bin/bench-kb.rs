//! Benchmark (not a test): what knowledge base requests cost in DynamoDB with 10 articles and with
//! 10,000 — calls, items read, bytes read and the read units those bytes would cost. The calls
//! must match: a list is one Query of one page of its index (and, for a client, one of the
//! articles shown to their company by name), a search one Query per looked-up word, the most
//! useful one Query of five. Prints a Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-kb [-- ARTICLES]` with moto_server on PATH.

use portal::domain::kb::{Article, ArticleFields, ArticleStats, ArticleStatus, ArticleVisibility};
use portal::domain::{ArticleId, CompanyId};
use portal_tests::bench::{cost, print_table};
use portal_tests::{Answer, TestApp};

const CATEGORIES: [&str; 5] = ["Email", "Printing", "Passwords", "Remote work", "Hardware"];
const TOPICS: [&str; 10] = [
    "printers",
    "outlook",
    "vpn",
    "passwords",
    "laptops",
    "teams",
    "backups",
    "wifi",
    "phones",
    "scanners",
];

/// Articles `from..to`: every client reads 99 in 100, one in 100 is Acme's alone; one in fifty is
/// a draft; counters spread so the most useful have something to sort.
fn articles(from: u64, to: u64, now: time::OffsetDateTime) -> Vec<(Article, ArticleStats)> {
    let acme = CompanyId::parse("acme-dental").unwrap();
    (from..to)
        .map(|i| {
            let topic = TOPICS[(i % 10) as usize];
            let body = format!("How to fix {topic} problems, case {i:06}: restart, then check the {topic} settings.");
            let fields = ArticleFields {
                title: format!("Bench {topic} {i:06}"),
                category: CATEGORIES[(i % 5) as usize].into(),
                tags: vec![topic.into()],
                body: body.clone(),
                visibility: if i % 100 == 3 {
                    ArticleVisibility::Companies
                } else {
                    ArticleVisibility::AllClients
                },
                companies: if i % 100 == 3 { vec![acme.clone()] } else { Vec::new() },
            };
            let html = kb::markdown::render(&body);
            let text = kb::markdown::plain_text(&body);
            let id = ArticleId::parse(&format!("bench-{i:06}")).unwrap();
            let mut a = Article::new(id, fields, html, &text, now, "Bench");
            if i % 50 != 7 {
                a = a.with_status(ArticleStatus::Published, now);
            }
            let stats = ArticleStats {
                helpful: i % 13,
                unhelpful: i % 3,
                deflections: i % 7,
                pinned: i == 1,
                stamp: 1,
            };
            (a, stats)
        })
        .collect()
}

async fn measure(t: &TestApp, helpful: bool) -> Vec<(&'static str, [u64; 4])> {
    let client = t.login("fulladmin@acme.example").await;
    let other = t.login("user@globex.example").await;
    let staff = t.login("tech@northwind.example").await;
    let mut out = Vec::new();
    let mut ask = async |label: &'static str, method: &str, path: &str, cookie: &str| {
        let (c, a): ([u64; 4], Answer) = cost(t, async {
            let call = t.call(method, path).cookie(cookie);
            let call = if method == "PUT" {
                call.json(serde_json::json!({"helpful": helpful}))
            } else {
                call
            };
            call.send().await
        })
        .await;
        assert!(a.status < 300, "{label}: {} {}", a.status, a.text);
        out.push((label, c));
    };
    ask(
        "list (MSP staff, first page)",
        "GET",
        "/api/kb/articles",
        &staff,
    )
    .await;
    ask(
        "list (a client, first page)",
        "GET",
        "/api/kb/articles",
        &client,
    )
    .await;
    ask(
        "list (a client of no named article)",
        "GET",
        "/api/kb/articles",
        &other,
    )
    .await;
    ask(
        "one category (a client)",
        "GET",
        "/api/kb/articles?category=printing",
        &client,
    )
    .await;
    ask(
        "search, one common word (a client)",
        "GET",
        "/api/kb/articles?q=printers",
        &client,
    )
    .await;
    ask(
        "search, two words (a client)",
        "GET",
        "/api/kb/articles?q=printers%20000001",
        &client,
    )
    .await;
    ask(
        "search (MSP staff)",
        "GET",
        "/api/kb/articles?q=vpn",
        &staff,
    )
    .await;
    ask(
        "categories (a client)",
        "GET",
        "/api/kb/categories",
        &client,
    )
    .await;
    ask(
        "suggestions, three words (a client)",
        "GET",
        "/api/kb/suggestions?q=outlook%20printers%20vpn",
        &client,
    )
    .await;
    ask(
        "most useful (home, a client)",
        "GET",
        "/api/kb/top",
        &client,
    )
    .await;
    ask(
        "an article",
        "GET",
        "/api/kb/articles/bench-000002",
        &client,
    )
    .await;
    ask(
        "a vote (the first, then changed)",
        "PUT",
        "/api/kb/articles/bench-000002/vote",
        &client,
    )
    .await;
    out
}

#[tokio::main]
async fn main() {
    let big: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let t = TestApp::new().await;
    let now = t.app.now();
    t.app
        .store
        .load_articles(&articles(0, 10, now))
        .await
        .unwrap();
    let small = measure(&t, true).await;
    let started = std::time::Instant::now();
    t.app
        .store
        .load_articles(&articles(10, big, now))
        .await
        .unwrap();
    eprintln!("filled {big} articles in {:.0?}", started.elapsed());
    let large = measure(&t, false).await;
    print_table(big, &small, &large);
    println!(
        "\n(Each request also reads the session in one BatchGetItem, included above. A list page is 50 cards of one index; a search reads up to 100 word entries per looked-up word and shows the matches among them; a client's requests also read the articles shown to their company by name, one Query.)"
    );
}
