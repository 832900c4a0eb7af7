//! Operator and developer commands:
//!
//! - `portal-admin gen-secrets` — print a new secrets document (master key, JWT key pair).
//! - `portal-admin split-secrets` — read a secrets document on standard input and print it split
//!   into its SSM parameters, by suffix (`""`, `"-signing"`, `"-stripe"`; see `aws::secrets`).
//! - `portal-admin create-table` — create `$TABLE_NAME` (local stand-in or dev) if missing.
//! - `portal-admin seed-demo` — write the demo companies and users (password `$PORTAL_DEMO_PASSWORD`,
//!   default `portal-demo`) and, once, the demo tickets (their file goes to `$ATTACHMENTS_BUCKET`).
//! - `portal-admin bootstrap-admin --email E --name N [--company-name C]` — create the MSP company and
//!   its first MSP admin in a deployed table; the password is read from `$PORTAL_BOOTSTRAP_PASSWORD`
//!   or the first line of standard input.
//!
//! AWS access comes from the usual environment (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL`).

use anyhow::{Context, bail};
use portal::domain::account::{Company, User};
use portal::domain::roles::Role;
use portal::domain::{CompanyId, CompanyKind, Email, UserStatus};
use portal::store::Store;
use time::OffsetDateTime;

#[tokio::main]
async fn main() {
    if let Err(err) = run(std::env::args().skip(1).collect()).await {
        eprintln!("portal-admin: {err:#}");
        std::process::exit(1);
    }
}

async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let command = args.first().map(String::as_str).unwrap_or("help");
    match command {
        "gen-secrets" => {
            println!(
                "{}",
                serde_json::to_string_pretty(&portal::aws::secrets::Secrets::generate()?)?
            );
            Ok(())
        }
        "split-secrets" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
            let secrets = portal::aws::secrets::Secrets::parse(&text)?;
            let parts: serde_json::Map<String, serde_json::Value> = secrets
                .split()?
                .into_iter()
                .map(|(suffix, part)| (suffix.to_owned(), part))
                .collect();
            println!("{}", serde_json::Value::Object(parts));
            Ok(())
        }
        "create-table" => {
            let (db, table) = dynamo().await?;
            portal::store::table::ensure(&db, &table).await?;
            println!("table {table} ready");
            Ok(())
        }
        "seed-demo" => {
            let (db, table) = dynamo().await?;
            let password = std::env::var("PORTAL_DEMO_PASSWORD")
                .unwrap_or_else(|_| portal_admin::seed::DEFAULT_PASSWORD.into());
            let store = Store::new(db, table);
            let now = OffsetDateTime::now_utc();
            portal_admin::seed::seed(&store, &password, now).await?;
            let mut files = portal_admin::seed::seed_tickets(&store, now).await?;
            files.extend(portal_admin::seed::seed_ticket_closing(&store).await?);
            portal_admin::seed::seed_targets(&store, now).await?;
            portal_admin::seed::seed_invoices(&store, now).await?;
            portal_admin::seed::seed_projects(&store, now).await?;
            portal_admin::seed::seed_agreements(&store, now).await?;
            portal_admin::seed::seed_quotes(&store, now).await?;
            portal_admin::seed::seed_configurations(&store, now).await?;
            files.extend(portal_admin::seed::seed_documents(&store, now).await?);
            portal_admin::seed::seed_articles(&store, now).await?;
            if let Ok(bucket) = std::env::var("ATTACHMENTS_BUCKET") {
                let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
                let mut s3 = aws_sdk_s3::config::Builder::from(&aws);
                if aws.endpoint_url().is_some() {
                    s3 = s3.force_path_style(true);
                }
                let s3 = aws_sdk_s3::Client::from_conf(s3.build());
                for file in files {
                    s3.put_object()
                        .bucket(&bucket)
                        .key(&file.key)
                        .content_type(file.content_type)
                        .body(file.bytes.into_owned().into())
                        .send()
                        .await
                        .with_context(|| format!("storing demo file {}", file.key))?;
                }
            }
            println!("demo data seeded");
            Ok(())
        }
        "bootstrap-admin" => bootstrap(&args[1..]).await,
        // After an upgrade that adds list indexes or indexed words (docs/operations.md): every
        // company's tickets.
        "reindex-tickets" => {
            let (db, table) = dynamo().await?;
            let store = Store::new(db, table);
            let mut start = None;
            loop {
                let page = store.list_companies(None, start, 100).await?;
                for company in &page.items {
                    let n = store.reindex_tickets(&company.id).await?;
                    println!("{}: {n} tickets reindexed", company.id);
                }
                match page.last_key {
                    Some(key) => start = Some(key),
                    None => break,
                }
            }
            Ok(())
        }
        // After the upgrade that brings reports (docs/operations.md): every company's month
        // counters, and the MSP's, recounted from the tickets.
        "rebuild-reports" => {
            let (db, table) = dynamo().await?;
            let store = Store::new(db, table);
            portal_admin::rebuild_reports(&store).await
        }
        _ => {
            eprintln!(
                "usage: portal-admin gen-secrets | split-secrets | create-table | seed-demo | bootstrap-admin --email E --name N [--company-name C] | reindex-tickets | rebuild-reports"
            );
            if command == "help" {
                Ok(())
            } else {
                bail!("unknown command {command:?}")
            }
        }
    }
}

async fn dynamo() -> anyhow::Result<(aws_sdk_dynamodb::Client, String)> {
    let table =
        std::env::var("TABLE_NAME").context("environment variable TABLE_NAME is not set")?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    Ok((aws_sdk_dynamodb::Client::new(&aws), table))
}

fn flag(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

async fn bootstrap(args: &[String]) -> anyhow::Result<()> {
    let email = Email::parse(&flag(args, "--email").context("--email is required")?)
        .map_err(anyhow::Error::msg)?;
    let name = flag(args, "--name").context("--name is required")?;
    let company_name = flag(args, "--company-name").unwrap_or_else(|| "MSP".into());
    let password = match std::env::var("PORTAL_BOOTSTRAP_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!(
                "Password for {email} (at least {} characters):",
                portal::auth::password::MIN_LEN
            );
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    if let Some(problem) = portal::auth::password::policy_error(&password, email.as_str()) {
        bail!("{problem}");
    }
    let (db, table) = dynamo().await?;
    let store = Store::new(db, table);
    let now = OffsetDateTime::now_utc();
    let company_id = CompanyId::parse("msp").map_err(|_| anyhow::anyhow!("bad company id"))?;
    if store.get_company(&company_id).await?.is_none() {
        store
            .put_company(&Company::new(
                company_id.clone(),
                &company_name,
                CompanyKind::Msp,
                now,
            ))
            .await?;
    }
    let user = User::new(
        company_id,
        email.clone(),
        &name,
        Role::MspAdmin,
        UserStatus::Active,
        now,
    );
    if !store
        .put_user(&user, &portal::auth::password::hash(&password)?, true)
        .await?
    {
        bail!("a user with email {email} already exists");
    }
    println!("MSP admin {email} created; sign in at the portal");
    Ok(())
}
