//! The reports' month items (docs/reports.md): counters kept on write. Each write of a ticket adds
//! `domain::reports::delta` of it to its company's month items and to the MSP's, in the same
//! transaction; a report reads a range of months in one Query. A rebuild recounts a company's
//! tickets (after an upgrade, or to repair).

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use std::collections::BTreeMap;

use super::keys;
use super::{Item, Store, n, s};
use crate::domain::CompanyId;
use crate::domain::reports::{self, Counter, MonthCounts};
use crate::domain::tickets::Ticket;

/// A range of month items: each month's counters, and the names of the contacts counted.
#[derive(Debug, Default)]
pub struct ReportMonths {
    pub months: BTreeMap<String, MonthCounts>,
    pub names: BTreeMap<String, String>,
}

impl Store {
    /// The report counters a ticket's write moves (from `before`, `None` when new), as
    /// transaction parts: one update per month item touched, the company's and the MSP's.
    pub(crate) fn report_parts(
        &self,
        before: Option<&Ticket>,
        after: &Ticket,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut by_item: BTreeMap<(bool, String), Vec<(String, i64)>> = BTreeMap::new();
        for ((month, field), change) in reports::delta(before, after) {
            by_item
                .entry((false, month.clone()))
                .or_default()
                .push((reports::msp_field(&field, &after.company_id), change));
            by_item
                .entry((true, month))
                .or_default()
                .push((field, change));
        }
        let mut parts = Vec::new();
        for ((company, month), changes) in by_item {
            let key = keys::report_month(company.then_some(&after.company_id), &month);
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()));
            let mut adds = Vec::new();
            let mut sets = Vec::new();
            for (i, (field, change)) in changes.into_iter().enumerate() {
                adds.push(format!("#f{i} :d{i}"));
                // A contact's counts carry their name, as the report shows it.
                if company && field.starts_with("opened.contact.") {
                    sets.push(format!("#n{i} = :n{i}"));
                    update = update
                        .expression_attribute_names(
                            format!("#n{i}"),
                            format!("name.contact.{}", after.contact_id),
                        )
                        .expression_attribute_values(format!(":n{i}"), s(&after.contact_name));
                }
                update = update
                    .expression_attribute_names(format!("#f{i}"), field)
                    .expression_attribute_values(format!(":d{i}"), n(change));
            }
            let expression = match sets.is_empty() {
                true => format!("ADD {}", adds.join(", ")),
                false => format!("SET {} ADD {}", sets.join(", "), adds.join(", ")),
            };
            parts.push(
                TransactWriteItem::builder()
                    .update(update.update_expression(expression).build()?)
                    .build(),
            );
        }
        Ok(parts)
    }

    /// The month items of `company` (`None`: every company's) from `from` to `to` (`yyyy-mm`,
    /// both included), in one Query (24 small items; more pages only for a company of thousands
    /// of contacts).
    pub async fn report_months(
        &self,
        company: Option<&CompanyId>,
        from: &str,
        to: &str,
    ) -> anyhow::Result<ReportMonths> {
        let first = keys::report_month(company, from);
        let last = keys::report_month(company, to);
        let mut read = ReportMonths::default();
        let mut start = None;
        loop {
            let out = self
                .db
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":pk", s(first.pk.clone()))
                .expression_attribute_values(":from", s(first.sk.clone()))
                .expression_attribute_values(":to", s(last.sk.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("reading report months")?;
            for item in out.items.unwrap_or_default() {
                let (month, counts) = month_counts(item, &mut read.names);
                read.months.insert(month, counts);
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(read),
            }
        }
    }

    /// Write the month items of `company` (`None`: the MSP's view) from a recount, replacing
    /// what they held: for an upgrade from a release without reports, benchmarks and repairs
    /// (`portal-admin rebuild-reports`).
    pub async fn put_report_counts(
        &self,
        company: Option<&CompanyId>,
        counts: &BTreeMap<Counter, i64>,
        names: &BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let mut items: BTreeMap<String, Item> = BTreeMap::new();
        for ((month, field), value) in counts {
            let item = items
                .entry(month.clone())
                .or_insert_with(|| keys::report_month(company, month).to_item());
            item.insert(field.clone(), n(*value));
            if let Some(contact) = field.strip_prefix("opened.contact.")
                && let Some(name) = names.get(contact)
            {
                item.insert(format!("name.contact.{contact}"), s(name));
            }
        }
        self.batch_put(items.into_values().collect(), "writing report months")
            .await
    }
}

/// A month item as `(month, field → count)`; the contacts' names go to `names`.
fn month_counts(mut item: Item, names: &mut BTreeMap<String, String>) -> (String, MonthCounts) {
    let month = item
        .remove(keys::SK)
        .and_then(|v| v.as_s().ok().cloned())
        .and_then(|sk| {
            sk.strip_prefix(keys::REPORT_MONTH_PREFIX)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    item.remove(keys::PK);
    let mut counts = MonthCounts::new();
    for (field, value) in item {
        match value {
            AttributeValue::N(v) => {
                counts.insert(field, v.parse().unwrap_or(0));
            }
            AttributeValue::S(name) => {
                if let Some(contact) = field.strip_prefix("name.contact.") {
                    names.insert(contact.to_owned(), name);
                }
            }
            _ => {}
        }
    }
    (month, counts)
}
