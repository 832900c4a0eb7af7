//! Benchmark (not a test): what configuration and document requests cost in DynamoDB for a
//! company holding 10 configurations and 10 documents and one holding 10,000 of each — calls,
//! items read, bytes read and the read units those bytes would cost. The calls must match: each
//! search is one Query of one page of the index made for it, a serial number its pointer then the
//! item, the expiry warnings one Query, a document list one Query of its audience's index. Prints a
//! Markdown table.
//!
//! `cargo run -p portal-tests --bin bench-configurations [-- CONFIGURATIONS]` with moto_server on
//! PATH.

use portal::domain::configurations::{Configuration, ConfigurationFields, ConfigurationStatus};
use portal::domain::documents::{Document, DocumentVersion, Visibility};
use portal::domain::{CompanyId, ConfigurationId, DocumentId};
use portal_tests::bench::{cost, print_table};
use portal_tests::{Answer, TestApp};

const KINDS: [&str; 5] = ["Workstation", "Laptop", "Printer", "Server", "Licence"];

/// `count` configurations of `company`: five types, one in ten inactive, expiry dates spread over
/// three years (a few expired), a serial and tag each, a model shared by a hundred. Loaded in bulk.
async fn fill(t: &TestApp, company: &str, count: u64) {
    let company_id = CompanyId::parse(company).unwrap();
    let contact = portal_admin::seed::demo_user_id(if company == "acme-dental" {
        "user@acme.example"
    } else {
        "user@globex.example"
    });
    let now = t.app.now();
    let all: Vec<Configuration> = (0..count)
        .map(|i| Configuration {
            id: ConfigurationId::parse(&format!("{company}-{i:06}")).unwrap(),
            company_id: company_id.clone(),
            fields: ConfigurationFields {
                name: format!("Bench device {i:06}"),
                kind: KINDS[(i % 5) as usize].into(),
                status: if i % 10 == 9 {
                    ConfigurationStatus::Inactive
                } else {
                    ConfigurationStatus::Active
                },
                manufacturer: "Dell".into(),
                model: format!("Model {}", i / 100),
                serial: format!("SN{i:08}"),
                tag: format!("TAG{i:08}"),
                contact_id: (i % 20 == 0).then(|| contact.clone()),
                location: "Bench room".into(),
                purchase_date: Some(now.date() - time::Duration::days(400)),
                expires: Some(now.date() + time::Duration::days((i % 1_100) as i64 - 30)),
                notes: "Bench notes.".into(),
                internal_notes: "Bench internal notes.".into(),
            },
            contact_name: (i % 20 == 0).then(|| "Bench contact".into()),
            created_at: now,
            updated_at: now,
            version: 1,
        })
        .collect();
    t.app.store.load_configurations(&all).await.unwrap();
    let docs: Vec<Document> = (0..count)
        .map(|i| Document {
            id: DocumentId::parse(&format!("{company}-doc-{i:06}")).unwrap(),
            company_id: company_id.clone(),
            name: format!("Bench report {i:06}"),
            folder: format!("Folder {}", i % 8),
            visibility: match i % 4 {
                0 => Visibility::AdminsOnly,
                1 => Visibility::Internal,
                _ => Visibility::AllUsers,
            },
            versions: vec![DocumentVersion {
                number: 1,
                file_id: format!("{i:024x}"),
                file_name: format!("report-{i}.pdf"),
                content_type: "application/pdf".into(),
                size: 100_000,
                uploaded_by_name: "Theo Technician".into(),
                from_msp: true,
                uploaded_at: now - time::Duration::minutes(i as i64),
            }],
            created_at: now - time::Duration::minutes(i as i64),
            updated_at: now - time::Duration::minutes(i as i64),
            version: 1,
        })
        .collect();
    t.app.store.load_documents(&docs).await.unwrap();
}

async fn measure(t: &TestApp, email: &str, user: &str) -> Vec<(&'static str, [u64; 4])> {
    let cookie = t.login(email).await;
    let own = t.login(user).await;
    let mut out = Vec::new();
    let ok = |a: &Answer| assert_eq!(a.status, 200, "{}", a.text);
    let mut ask = async |label: &'static str, path: &str, cookie: &str| {
        let (c, a) = cost(t, t.get(path, cookie)).await;
        ok(&a);
        out.push((label, c));
    };
    ask("list by name (first page)", "/api/configurations", &cookie).await;
    ask(
        "name prefix",
        "/api/configurations?q=bench%20device%2000",
        &cookie,
    )
    .await;
    ask("type", "/api/configurations?type=printer", &cookie).await;
    ask("status", "/api/configurations?status=inactive", &cookie).await;
    ask(
        "type and status (filtered: half match)",
        "/api/configurations?type=licence&status=active",
        &cookie,
    )
    .await;
    ask(
        "model number",
        "/api/configurations?model=model%201",
        &cookie,
    )
    .await;
    ask(
        "expiry range",
        "/api/configurations?expires_before=2027-06-30",
        &cookie,
    )
    .await;
    ask(
        "sorted by expiry",
        "/api/configurations?sort=expires",
        &cookie,
    )
    .await;
    ask(
        "serial number (pointer)",
        "/api/configurations?serial=sn00000005",
        &cookie,
    )
    .await;
    ask(
        "tag (pointer)",
        "/api/configurations?tag=tag00000005",
        &cookie,
    )
    .await;
    ask("a Standard User's own", "/api/configurations", &own).await;
    ask(
        "expiry warnings (home)",
        "/api/configurations/expiring",
        &cookie,
    )
    .await;
    let company = if email.ends_with("acme.example") {
        "acme-dental"
    } else {
        "globex-logistics"
    };
    ask(
        "configuration page",
        &format!("/api/configurations/{company}-000005"),
        &cookie,
    )
    .await;
    ask("documents (admin, newest first)", "/api/documents", &cookie).await;
    ask("documents (user, newest first)", "/api/documents", &own).await;
    ask(
        "documents in one folder",
        "/api/documents?folder=folder%203",
        &cookie,
    )
    .await;
    ask(
        "documents by name (filtered)",
        "/api/documents?q=report%2000000",
        &cookie,
    )
    .await;
    ask("folders", "/api/documents/folders", &cookie).await;
    ask(
        "one document",
        &format!("/api/documents/{company}-doc-000002"),
        &cookie,
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
    let started = std::time::Instant::now();
    fill(&t, "acme-dental", 10).await;
    fill(&t, "globex-logistics", big).await;
    eprintln!(
        "filled {} configurations in {:.0?}",
        10 + big,
        started.elapsed()
    );
    let small = measure(&t, "fulladmin@acme.example", "user@acme.example").await;
    let large = measure(&t, "fulladmin@globex.example", "user@globex.example").await;
    print_table(big, &small, &large);
    println!(
        "\n(Each request also reads the session in one BatchGetItem, included above. A page reads 50 items of one index; a filtered search shows those of them that match, and Show more goes on from there.)"
    );
}
