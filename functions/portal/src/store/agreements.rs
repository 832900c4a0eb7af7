//! Agreements and time entries in the store (docs/agreements.md). A company's agreements are one
//! record (`keys::agreement_book`) holding the list and, as top-level counters that writes `ADD`
//! to, the minutes each agreement used per month, the minutes bought and the low-balance marks.
//! Saving the list sets only the list and its version, so counters survive; each time entry
//! write moves the counters in the same transaction as the entry.

use super::*;
use crate::domain::agreements::{AgreementBook, CounterMoves, Guard, Tally, TimeEntry, Usage};
use crate::domain::billing::BillingId;

const LIST: &str = "agreements";

/// The agreements and counters of a book's item.
pub(super) fn book_from(mut item: Item) -> anyhow::Result<AgreementBook> {
    let mut book = AgreementBook {
        version: item.get("version").map(number).unwrap_or(0) as u64,
        agreements: match item.remove(LIST) {
            Some(list) => {
                serde_dynamo::from_attribute_value(list).context("decoding agreements")?
            }
            None => Vec::new(),
        },
        usage: Default::default(),
    };
    for (name, value) in item {
        if let Some(rest) = name.strip_prefix(keys::USAGE_PREFIX)
            && let Some((id, month)) = rest.split_once('_')
        {
            let u: &mut Usage = book.usage.entry(id.to_owned()).or_default();
            u.months.insert(month.to_owned(), number(&value));
        } else if let Some(rest) = name.strip_prefix(keys::PERIOD_PREFIX)
            && let Some((id, period)) = rest.split_once('_')
        {
            let u: &mut Usage = book.usage.entry(id.to_owned()).or_default();
            u.periods.insert(period.to_owned(), number(&value));
        } else if let Some(rest) = name.strip_prefix(keys::OVER_PREFIX)
            && let Some((id, period)) = rest.split_once('_')
        {
            let u: &mut Usage = book.usage.entry(id.to_owned()).or_default();
            u.over_billed.insert(period.to_owned(), number(&value));
        } else if let Some(id) = name.strip_prefix(keys::BOUGHT_PREFIX) {
            book.usage.entry(id.to_owned()).or_default().bought = number(&value);
        } else if let Some(id) = name.strip_prefix(keys::LOW_PREFIX) {
            book.usage.entry(id.to_owned()).or_default().low_notified = value.as_s().ok().cloned();
        }
    }
    Ok(book)
}

impl Store {
    /// A company's agreements with their counters (none yet: an empty book at version 0).
    pub async fn agreement_book(&self, company: &CompanyId) -> anyhow::Result<AgreementBook> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::agreement_book(company).to_item()))
            .consistent_read(true)
            .send()
            .await
            .context("reading agreements")?;
        out.item
            .map(book_from)
            .transpose()
            .map(Option::unwrap_or_default)
    }

    /// A company and its agreements, in one BatchGetItem (the executive report's).
    pub async fn company_and_agreements(
        &self,
        company: &CompanyId,
    ) -> anyhow::Result<(Option<crate::domain::account::Company>, AgreementBook)> {
        let mut found = self
            .batch_get_each(&[keys::company(company), keys::agreement_book(company)])
            .await
            .context("reading the company and its agreements")?
            .into_iter();
        let company = found.next().flatten().map(from_item).transpose()?;
        let book = found
            .next()
            .flatten()
            .map(book_from)
            .transpose()?
            .unwrap_or_default();
        Ok((company, book))
    }

    /// A ticket, its company's agreements and (if `entry`) one of its time entries, in one
    /// BatchGetItem.
    pub async fn ticket_with_agreements(
        &self,
        company: &CompanyId,
        number: u64,
        entry: Option<&BillingId>,
    ) -> anyhow::Result<(
        Option<crate::domain::tickets::Ticket>,
        AgreementBook,
        Option<TimeEntry>,
    )> {
        let ticket = keys::ticket(company, number);
        let book = keys::agreement_book(company);
        let entry = entry.map(|id| keys::time_entry(company, number, id));
        let mut wanted = vec![ticket.clone(), book.clone()];
        wanted.extend(entry.clone());
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("reading a ticket and its agreements")?;
        let ticket = found.remove(&ticket.sk).map(from_item).transpose()?;
        let book = found
            .remove(&book.sk)
            .map(book_from)
            .transpose()?
            .unwrap_or_default();
        let entry = match entry {
            Some(key) => found.remove(&key.sk).map(from_item).transpose()?,
            None => None,
        };
        Ok((ticket, book, entry))
    }

    /// What creating or changing an agreement reads: the company, its agreements and the MSP's
    /// ticket settings (the request types an agreement may cover), in one BatchGetItem.
    pub async fn agreement_setup(
        &self,
        company: &CompanyId,
    ) -> anyhow::Result<(Option<Company>, AgreementBook, TicketSettings)> {
        let book = keys::agreement_book(company);
        let settings = keys::ticket_settings();
        let mut found = self
            .batch_get(&[keys::company(company), book.clone(), settings.clone()])
            .await
            .context("reading a company's agreements")?;
        let company = found
            .remove(&keys::company(company).sk)
            .map(from_item)
            .transpose()?;
        let book = found
            .remove(&book.sk)
            .map(book_from)
            .transpose()?
            .unwrap_or_default();
        let settings = found
            .remove(&settings.sk)
            .map(from_item)
            .transpose()?
            .unwrap_or_default();
        Ok((company, book, settings))
    }

    /// Save `book`'s list (its version already bumped) over version `previous`, counters
    /// untouched. `false` when the book changed meanwhile.
    pub async fn save_agreements(
        &self,
        company: &CompanyId,
        book: &AgreementBook,
        previous: u64,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let list =
            serde_dynamo::to_attribute_value(&book.agreements).context("encoding agreements")?;
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::agreement_book(company).to_item()))
            .update_expression("SET #list = :list, #version = :version")
            .expression_attribute_names("#list", LIST)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":list", list)
            .expression_attribute_values(":version", n(book.version));
        update = if previous == 0 {
            update.condition_expression("attribute_not_exists(#version)")
        } else {
            update
                .condition_expression("#version = :previous")
                .expression_attribute_values(":previous", n(previous))
        };
        let parts = vec![
            TransactWriteItem::builder().update(update.build()?).build(),
            self.audit_part(audit)?,
        ];
        self.transact(parts, "saving agreements").await
    }

    /// The hours the paid `invoices` credit to their blocks (bought online), as one transaction
    /// part: each block's minutes bought go up and its low-balance mark is cleared (still low, the
    /// next time entry emails again). The invoices' own writes are conditional, so this runs once.
    pub(crate) fn hours_credit_part(
        &self,
        company: &CompanyId,
        invoices: &[(crate::domain::billing::Invoice, u64)],
    ) -> anyhow::Result<Option<TransactWriteItem>> {
        let bought: Vec<(BillingId, i64)> = invoices
            .iter()
            .filter_map(|(i, _)| i.hours_credit())
            .collect();
        let clear: Vec<(BillingId, Guard)> = bought
            .iter()
            .map(|(a, _)| (a.clone(), Guard::Clear))
            .collect();
        self.counters_part(company, &Vec::new(), &bought, &clear)
    }

    /// The update of a company's counters by `moves` and `bought`, with the low-balance `guards`
    /// (their marks and their conditions), as a transaction part (`None` when nothing changes).
    /// A mark is set only if that period is not marked yet, so two writers racing to mark it cannot
    /// both succeed: one email is sent.
    pub(crate) fn counters_part(
        &self,
        company: &CompanyId,
        moves: &CounterMoves,
        bought: &[(BillingId, i64)],
        guards: &[(BillingId, Guard)],
    ) -> anyhow::Result<Option<TransactWriteItem>> {
        if moves.is_empty() && bought.is_empty() && guards.is_empty() {
            return Ok(None);
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::agreement_book(company).to_item()))
            .expression_attribute_names("#pk", keys::PK);
        let (mut adds, mut sets, mut removes) = (Vec::new(), Vec::new(), Vec::new());
        let mut conditions = vec!["attribute_exists(#pk)".to_owned()];
        let mut counters: Vec<(String, i64)> = moves
            .iter()
            .map(|m| {
                let attr = match m.tally {
                    Tally::Month => keys::usage_attr(&m.agreement, &m.key),
                    Tally::Period => keys::period_attr(&m.agreement, &m.key),
                };
                (attr, m.delta)
            })
            .collect();
        counters.extend(bought.iter().map(|(a, m)| (keys::bought_attr(a), *m)));
        for (i, (name, delta)) in counters.into_iter().enumerate() {
            adds.push(format!("#c{i} :c{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), name)
                .expression_attribute_values(format!(":c{i}"), n(delta));
        }
        for (i, (id, guard)) in guards.iter().enumerate() {
            let (name, value) = (format!("#g{i}"), format!(":g{i}"));
            match guard {
                Guard::Mark(period) => {
                    sets.push(format!("{name} = {value}"));
                    conditions.push(format!(
                        "(attribute_not_exists({name}) OR {name} <> {value})"
                    ));
                    update = update
                        .expression_attribute_names(&name, keys::low_attr(id))
                        .expression_attribute_values(&value, s(period));
                }
                Guard::Clear => {
                    removes.push(name.clone());
                    update = update.expression_attribute_names(&name, keys::low_attr(id));
                }
                Guard::AtMost { period, used } => {
                    conditions.push(if *used >= 0 {
                        format!("(attribute_not_exists({name}) OR {name} <= {value})")
                    } else {
                        format!("{name} <= {value}")
                    });
                    update = update
                        .expression_attribute_names(&name, keys::period_attr(id, period))
                        .expression_attribute_values(&value, n(*used));
                }
            }
        }
        let mut expression = Vec::new();
        for (verb, parts, join) in [
            ("ADD", &adds, ", "),
            ("SET", &sets, ", "),
            ("REMOVE", &removes, ", "),
        ] {
            if !parts.is_empty() {
                expression.push(format!("{verb} {}", parts.join(join)));
            }
        }
        let update = update
            .update_expression(expression.join(" "))
            .condition_expression(conditions.join(" AND "))
            .build()?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
    }

    fn time_entry_item(entry: &TimeEntry) -> anyhow::Result<Item> {
        let mut item = to_item(
            entry,
            &keys::time_entry(&entry.company_id, entry.ticket_number, &entry.id),
        )?;
        for (index, partition, sort) in keys::time_entry_indexes(entry) {
            index.put(&mut item, partition, sort);
        }
        Ok(item)
    }

    /// Write a time entry: new (`before` = `None`), or over the version read; `None` for
    /// `after` deletes `before`. The agreements' counters move by `moves` in the same transaction,
    /// under the low-balance `guards`. `false` when a condition refused it (a repeated create, a
    /// stale version, a mark taken, more hours used meanwhile than read).
    pub async fn write_time_entry(
        &self,
        before: Option<&TimeEntry>,
        after: Option<&TimeEntry>,
        moves: &CounterMoves,
        guards: &[(BillingId, Guard)],
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let entry = after
            .or(before)
            .context("a time entry write without an entry")?;
        let company = &entry.company_id;
        let mut parts = Vec::new();
        match (before, after) {
            (before, Some(new)) => parts.push(
                self.versioned_put(Self::time_entry_item(new)?, before.map(|old| old.version))?,
            ),
            (Some(old), None) => parts.push(self.versioned_delete(
                keys::time_entry(company, old.ticket_number, &old.id),
                old.version,
            )?),
            (None, None) => anyhow::bail!("a time entry write without an entry"),
        }
        parts.extend(self.counters_part(company, moves, &[], guards)?);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "writing a time entry").await
    }

    /// One page of an agreement's time entries, newest first.
    pub async fn agreement_time(
        &self,
        company: &CompanyId,
        agreement: &BillingId,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<TimeEntry>> {
        let partition = keys::agreement_time(company, agreement);
        self.index_page(keys::AGREEMENT_TIME_INDEX, &partition, true, start, limit)
            .await
            .context("listing an agreement's time")
    }

    /// Store time entries of one company as they are, with the counters they move and the
    /// low-balance marks they reach on `today` (demo data, benchmarks): `book` is the company's,
    /// as stored.
    pub async fn load_time_entries(
        &self,
        book: &AgreementBook,
        entries: &[TimeEntry],
        today: time::Date,
    ) -> anyhow::Result<()> {
        let Some(first) = entries.first() else {
            return Ok(());
        };
        let items = entries
            .iter()
            .map(Self::time_entry_item)
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.batch_put(items, "loading time entries").await?;
        let mut moves: CounterMoves = Vec::new();
        for entry in entries {
            for m in book.moves(None, Some(entry)) {
                crate::domain::agreements::merge(&mut moves, m);
            }
        }
        let mut marks = book.guards(&moves, None, today);
        marks.retain(|(_, g)| matches!(g, Guard::Mark(_)));
        for (i, chunk) in moves.chunks(50).enumerate() {
            let marks = if i == 0 { &marks[..] } else { &[] };
            if let Some(part) =
                self.counters_part(&first.company_id, &chunk.to_vec(), &[], marks)?
            {
                self.transact(vec![part], "loading time counters").await?;
            }
        }
        Ok(())
    }
}
