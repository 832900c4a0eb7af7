//! The operator's and developer's admin tool (`portal-admin`) and the demo seed it writes. Its own
//! crate, so no Lambda function links the demo data.

pub mod seed;

use std::collections::BTreeMap;

use portal::domain::reports;
use portal::store::keys::ReportKind;
use portal::store::{ConfigurationSearch, Store};

type Counts = BTreeMap<reports::Counter, i64>;

/// `company`'s configurations by the month they expire (active ones), read a page at a time.
async fn expiring(store: &Store, company: &portal::domain::CompanyId) -> anyhow::Result<Counts> {
    let mut counts = Counts::new();
    let mut start = None;
    loop {
        let page = store
            .search_configurations(company, &ConfigurationSearch::default(), start, 200)
            .await?;
        for c in &page.items {
            if let Some(month) = reports::configuration_expiry(c) {
                *counts
                    .entry((month, portal::store::EXPIRING.to_owned()))
                    .or_default() += 1;
            }
        }
        match page.last_key {
            Some(key) => start = Some(key),
            None => return Ok(counts),
        }
    }
}

/// Recount every company's report months from its tickets and configurations, and the MSP's from
/// all of them, and write them over what was there (`portal-admin rebuild-reports`, after the
/// upgrade that brings reports, or to repair). Invoices and payments count from that release on.
/// Run it while nobody changes tickets: a change during the recount could be counted twice or not
/// at all.
pub async fn rebuild_reports(store: &Store) -> anyhow::Result<()> {
    let mut msp: BTreeMap<reports::Counter, i64> = BTreeMap::new();
    let mut msp_expiring = Counts::new();
    let mut start = None;
    loop {
        let page = store.list_companies(None, start, 100).await?;
        for company in &page.items {
            let mut counts: BTreeMap<reports::Counter, i64> = BTreeMap::new();
            let mut names = BTreeMap::new();
            let n = store
                .each_ticket_page(&company.id, async |tickets| {
                    for t in tickets {
                        names.insert(t.contact_id.to_string(), t.contact_name.clone());
                    }
                    for (counter, value) in reports::recount(tickets) {
                        *counts.entry(counter).or_default() += value;
                    }
                    Ok(())
                })
                .await?;
            for ((month, field), value) in &counts {
                *msp.entry((month.clone(), reports::msp_field(field, &company.id)))
                    .or_default() += value;
            }
            store
                .put_report_counts(Some(&company.id), ReportKind::Tickets, &counts, &names)
                .await?;
            let expiring = expiring(store, &company.id).await?;
            for (counter, n) in &expiring {
                *msp_expiring.entry(counter.clone()).or_default() += n;
            }
            store
                .put_report_counts(
                    Some(&company.id),
                    ReportKind::Configurations,
                    &expiring,
                    &BTreeMap::new(),
                )
                .await?;
            println!("{}: {n} tickets counted", company.id);
        }
        match page.last_key {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    store
        .put_report_counts(None, ReportKind::Tickets, &msp, &BTreeMap::new())
        .await?;
    store
        .put_report_counts(
            None,
            ReportKind::Configurations,
            &msp_expiring,
            &BTreeMap::new(),
        )
        .await?;
    println!("the MSP's view: {} months", {
        let mut months: Vec<_> = msp.keys().map(|(m, _)| m).collect();
        months.dedup();
        months.len()
    });
    Ok(())
}
