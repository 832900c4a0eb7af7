//! The monthly expiry digest: each client company's active Full Admins (who have not turned it off)
//! get one email a month listing its configurations that expired or expire within 45 days. Run
//! daily (the `assets-reminders` function); the first run of a month sends it, once per company.

use portal::App;
use portal::domain::configurations::{Configuration, Expiry, warning_horizon};
use portal::domain::roles::Role;
use portal::domain::{CompanyId, Outgoing, display_date};
use std::collections::HashMap;

/// Send this month's digest to every company that has something expiring and has not had it;
/// answers how many digests went out.
pub async fn expiry_digests(app: &App, today: time::Date) -> anyhow::Result<usize> {
    let month = format!("{:04}-{:02}", today.year(), u8::from(today.month()));
    let mut by_company: HashMap<CompanyId, Vec<Configuration>> = HashMap::new();
    for c in app
        .store
        .all_configurations_expiring(warning_horizon(today))
        .await?
    {
        by_company.entry(c.company_id.clone()).or_default().push(c);
    }
    let now = app.now();
    let mut sent = 0;
    for (company, items) in by_company {
        // Marked first, so a failure while mailing never sends twice.
        if !app
            .store
            .mark_configuration_digest(&company, &month, now)
            .await?
        {
            continue;
        }
        let to = app
            .recipients(&company, |u| {
                u.role == Role::FullAdmin && u.notify.expiry_digest
            })
            .await;
        if to.is_empty() {
            tracing::info!(company_id = %company, "no Full Admin takes the expiry digest");
            continue;
        }
        app.send_mail(&Outgoing {
            to,
            subject: digest_subject(&items, today),
            text: digest_text(app, &items, today),
            html: None,
        })
        .await;
        sent += 1;
    }
    Ok(sent)
}

fn digest_subject(items: &[Configuration], today: time::Date) -> String {
    let expired = items
        .iter()
        .filter(|c| c.expiry(today) == Expiry::Expired)
        .count();
    let soon = items.len() - expired;
    match (expired, soon) {
        (0, n) => format!("{n} configuration{} expiring within 45 days", plural(n)),
        (e, 0) => format!("{e} expired configuration{}", plural(e)),
        (e, n) => format!(
            "{e} expired and {n} expiring configuration{}",
            plural(e + n)
        ),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One line per configuration, expired first, each with its link.
fn digest_text(app: &App, items: &[Configuration], today: time::Date) -> String {
    let mut lines = Vec::new();
    for c in items {
        let Some(expires) = c.fields.expires else {
            continue;
        };
        let when = match c.expiry(today) {
            Expiry::Expired => format!("expired {}", display_date(expires)),
            _ => format!(
                "expires {} (in {} days)",
                display_date(expires),
                (expires - today).whole_days()
            ),
        };
        lines.push(format!(
            "- {} ({}): {when}\n  {}/configurations/view/?id={}",
            c.fields.name, c.fields.kind, app.config.origin, c.id
        ));
    }
    format!(
        "These configurations {msp} looks after for you have expired or expire within 45 days:\n\n{}\n\n\
         Raise a ticket from a configuration's page to renew or replace it.\n\n\
         You get this monthly summary as a Full Admin of the client portal; turn it off in your \
         account's email preferences: {}/account/",
        lines.join("\n"),
        app.config.origin,
        msp = app.branding.name,
    )
}
