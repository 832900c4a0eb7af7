//! The operator's and developer's admin tool (`portal-admin`) and the demo seed it writes. Its own
//! crate, so no Lambda function links the demo data.

pub mod seed;

use std::collections::BTreeMap;

use portal::domain::reports;
use portal::store::Store;

/// Recount every company's report months from its tickets, and the MSP's from all of them, and
/// write them over what was there (`portal-admin rebuild-reports`, after the upgrade that brings
/// reports, or to repair). Run it while nobody changes tickets: a change during the recount could
/// be counted twice or not at all.
pub async fn rebuild_reports(store: &Store) -> anyhow::Result<()> {
    let mut msp: BTreeMap<reports::Counter, i64> = BTreeMap::new();
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
                .put_report_counts(Some(&company.id), &counts, &names)
                .await?;
            println!("{}: {n} tickets counted", company.id);
        }
        match page.last_key {
            Some(key) => start = Some(key),
            None => break,
        }
    }
    store
        .put_report_counts(None, &msp, &BTreeMap::new())
        .await?;
    println!("the MSP's view: {} months", {
        let mut months: Vec<_> = msp.keys().map(|(m, _)| m).collect();
        months.dedup();
        months.len()
    });
    Ok(())
}
