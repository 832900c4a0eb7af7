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
use crate::domain::configurations::Configuration;
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
            let company = company.then_some(&after.company_id);
            let contact = company.map(|_| (&after.contact_id, after.contact_name.as_str()));
            parts.push(self.month_counters_part(
                keys::report_month(company, &month, keys::ReportKind::Tickets),
                &changes,
                contact,
            )?);
        }
        Ok(parts)
    }

    /// `ADD` of `changes` to the month item `key`, as a transaction part; with `contact`, that
    /// contact's name is set beside the counters that name them.
    fn month_counters_part(
        &self,
        key: keys::Key,
        changes: &[(String, i64)],
        contact: Option<(&crate::domain::UserId, &str)>,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.to_item()));
        let mut adds = Vec::new();
        let mut named = false;
        for (i, (field, change)) in changes.iter().enumerate() {
            adds.push(format!("#f{i} :d{i}"));
            named |= field.contains(".contact.");
            update = update
                .expression_attribute_names(format!("#f{i}"), field)
                .expression_attribute_values(format!(":d{i}"), n(change));
        }
        let expression = match contact.filter(|_| named) {
            Some((id, name)) => {
                update = update
                    .expression_attribute_names("#name", format!("name.contact.{id}"))
                    .expression_attribute_values(":name", s(name));
                format!("SET #name = :name ADD {}", adds.join(", "))
            }
            None => format!("ADD {}", adds.join(", ")),
        };
        Ok(TransactWriteItem::builder()
            .update(update.update_expression(expression).build()?)
            .build())
    }

    /// `changes` to one month's counters of `kind`, for `company` and for the MSP's view, as
    /// transaction parts (invoices, payments, configurations: no contacts).
    pub(crate) fn month_parts(
        &self,
        company: &CompanyId,
        month: &str,
        kind: keys::ReportKind,
        changes: &[(String, i64)],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        Ok(vec![
            self.month_counters_part(
                keys::report_month(Some(company), month, kind),
                changes,
                None,
            )?,
            self.month_counters_part(keys::report_month(None, month, kind), changes, None)?,
        ])
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
        let partition = keys::report_partition(company);
        let (first, last) = keys::report_range(from, to);
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
                .expression_attribute_values(":pk", s(partition.clone()))
                .expression_attribute_values(":from", s(first.clone()))
                .expression_attribute_values(":to", s(last.clone()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("reading report months")?;
            for item in out.items.unwrap_or_default() {
                let (month, counts) = month_counts(item, &mut read.names);
                // A month's kinds of counters (tickets, billing, configurations) read as one.
                read.months.entry(month).or_default().extend(counts);
            }
            match out.last_evaluated_key {
                Some(key) => start = Some(key),
                None => return Ok(read),
            }
        }
    }

    /// Write the month items of one `kind` of `company` (`None`: the MSP's view) from a recount,
    /// replacing what they held (the other kinds are other items): for an upgrade from a release without reports, benchmarks and repairs
    /// (`portal-admin rebuild-reports`).
    pub async fn put_report_counts(
        &self,
        company: Option<&CompanyId>,
        kind: keys::ReportKind,
        counts: &BTreeMap<Counter, i64>,
        names: &BTreeMap<String, String>,
    ) -> anyhow::Result<()> {
        let mut items: BTreeMap<String, Item> = BTreeMap::new();
        for ((month, field), value) in counts {
            let item = items
                .entry(month.clone())
                .or_insert_with(|| keys::report_month(company, month, kind).to_item());
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
        .and_then(|sk| keys::report_month_of(&sk).map(str::to_owned))
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

impl Store {
    /// What issuing (`sign` 1) or voiding (-1) `invoice` moves, as transaction parts.
    pub(crate) fn invoice_report_parts(
        &self,
        invoice: &crate::domain::billing::Invoice,
        sign: i64,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let Some((month, counts)) = reports::invoice_counts(invoice) else {
            return Ok(Vec::new());
        };
        let changes: Vec<(String, i64)> = counts.into_iter().map(|(f, n)| (f, n * sign)).collect();
        self.month_parts(
            &invoice.company_id,
            &month,
            keys::ReportKind::Billing,
            &changes,
        )
    }

    /// What a payment that succeeded moves (nothing for any other), as transaction parts.
    pub(crate) fn payment_report_parts(
        &self,
        payment: &crate::domain::billing::Payment,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        match reports::payment_counts(payment) {
            Some((month, changes)) => self.month_parts(
                &payment.company_id,
                &month,
                keys::ReportKind::Billing,
                &changes,
            ),
            None => Ok(Vec::new()),
        }
    }

    /// The configurations' expiry counters that going from `before` to `after` (configurations
    /// of one company) moves, one part per month item, as transaction parts.
    pub(crate) fn configuration_report_parts(
        &self,
        company: &CompanyId,
        before: &[&Configuration],
        after: &[&Configuration],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut parts = Vec::new();
        for (month, change) in expiry_changes(before, after) {
            parts.extend(self.month_parts(
                company,
                &month,
                keys::ReportKind::Configurations,
                &[(EXPIRING.to_owned(), change)],
            )?);
        }
        Ok(parts)
    }

    /// Add `sign` × the expiry counters of `configs` outside a transaction, month item by month
    /// item (bulk loads, and undoing an import that could not finish).
    pub(crate) async fn add_configuration_counts(
        &self,
        configs: &[Configuration],
        sign: i64,
    ) -> anyhow::Result<()> {
        let mut by_company: BTreeMap<String, (CompanyId, Vec<&Configuration>)> = BTreeMap::new();
        for c in configs {
            by_company
                .entry(c.company_id.to_string())
                .or_insert_with(|| (c.company_id.clone(), Vec::new()))
                .1
                .push(c);
        }
        for (company, list) in by_company.into_values() {
            let changes = match sign {
                s if s < 0 => expiry_changes(&list, &[]),
                _ => expiry_changes(&[], &list),
            };
            for (month, change) in changes {
                for part in self.month_parts(
                    &company,
                    &month,
                    keys::ReportKind::Configurations,
                    &[(EXPIRING.to_owned(), change)],
                )? {
                    let Some(update) = part.update else { continue };
                    self.db
                        .update_item()
                        .table_name(update.table_name)
                        .set_key(Some(update.key))
                        .update_expression(update.update_expression)
                        .set_expression_attribute_names(update.expression_attribute_names)
                        .set_expression_attribute_values(update.expression_attribute_values)
                        .send()
                        .await
                        .context("counting configurations")?;
                }
            }
        }
        Ok(())
    }
}

/// The counter of configurations expiring in a month.
pub const EXPIRING: &str = "configurations.expiring";

/// The net change of configurations expiring per month from `before` to `after`.
fn expiry_changes(before: &[&Configuration], after: &[&Configuration]) -> Vec<(String, i64)> {
    let mut changes: BTreeMap<String, i64> = BTreeMap::new();
    for c in after {
        if let Some(m) = reports::configuration_expiry(c) {
            *changes.entry(m).or_default() += 1;
        }
    }
    for c in before {
        if let Some(m) = reports::configuration_expiry(c) {
            *changes.entry(m).or_default() -= 1;
        }
    }
    changes.into_iter().filter(|(_, n)| *n != 0).collect()
}

impl Store {
    /// Mark `company`'s executive report of `month` sent (kept 400 days); `false` if it was.
    pub async fn mark_report_mailed(
        &self,
        company: &CompanyId,
        month: &str,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let part = self.spent_mark_part(
            keys::report_mailed(company, month),
            now + time::Duration::days(400),
        )?;
        self.transact(vec![part], "marking an executive report sent")
            .await
    }

    /// Take the mark back (the mail could not go: the next run tries again).
    pub async fn unmark_report_mailed(
        &self,
        company: &CompanyId,
        month: &str,
    ) -> anyhow::Result<()> {
        self.db
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::report_mailed(company, month).to_item()))
            .send()
            .await
            .context("unmarking an executive report")?;
        Ok(())
    }
}
