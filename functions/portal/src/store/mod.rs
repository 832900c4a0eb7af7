//! The DynamoDB store: every read and write the functions make, of the domain's records. One table;
//! key formats and indexes come from `keys`; no Scan. This file holds the `Store` and its generic
//! calls (get, batch get, transactions, index and prefix queries, counters); one file per area holds
//! the rest. Each method is one DynamoDB call unless it says otherwise. No domain rule lives here.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::domain::account::{Company, Credential, Session, User};
use crate::domain::audit::AuditEntry;
use crate::domain::tickets::{
    Attachment, Note, Priority, Ticket, TicketRef, TicketSettings, TicketStatus,
};
use crate::domain::{CompanyId, Email, SessionId, UserId};
use keys::Key;

mod access;
mod accounts;
mod agreements;
mod audit;
mod billing;
mod configuration_import;
mod configurations;
mod credit;
mod documents;
mod invitations;
mod invoicing;
mod kb;
mod kb_lists;
pub mod keys;
pub mod metrics;
mod passkeys;
mod payment_methods;
mod projects;
mod quotes;
mod reports;
mod sessions;
mod sign_in;
pub mod table;
mod throttle;
mod ticket_lists;
mod ticket_stats;
mod ticket_targets;
mod tickets;
pub use audit::AuditQuery;
pub use billing::Saved;
pub use configuration_import::ImportClaim;
pub use configurations::{ConfigurationContext, ConfigurationRefused, ConfigurationSearch};
pub use documents::FolderCounts;
pub use kb::{ArticleList, ArticlePage, CategoryCount, CounterChange};
pub use passkeys::PasskeyOwner;
pub use quotes::Effects as QuoteEffects;
pub use reports::{EXPIRING, ReportMonths};
pub use sessions::AuthRecords;
pub use sign_in::SsoLookup;
pub use throttle::{Attempts, Reservation, Slowing};
pub use ticket_lists::TicketFilter;
pub use tickets::TicketPage;

pub type Item = HashMap<String, AttributeValue>;

/// One page of a list.
pub struct Page<T> {
    pub items: Vec<T>,
    pub last_key: Option<Item>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub db: Client,
    pub table: String,
}

fn to_item<T: Serialize>(value: &T, key: &Key) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(value).context("encoding item")?;
    item.extend(key.to_item());
    Ok(item)
}

/// An entity from its item, without the key and index attributes (entities may refuse unknown
/// fields).
fn from_item<T: DeserializeOwned>(mut item: Item) -> anyhow::Result<T> {
    for attr in [keys::PK, keys::SK, keys::TTL] {
        item.remove(attr);
    }
    for index in keys::INDEXES {
        item.remove(index.pk);
        item.remove(index.sk);
    }
    serde_dynamo::from_item(item).context("decoding item")
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

/// A counter attribute's value (0 when it is not a number).
fn number(v: &AttributeValue) -> i64 {
    v.as_n().ok().and_then(|n| n.parse().ok()).unwrap_or(0)
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn rfc3339(t: OffsetDateTime) -> anyhow::Result<String> {
    Ok(t.format(&time::format_description::well_known::Rfc3339)?)
}

pub fn epoch(t: OffsetDateTime) -> AttributeValue {
    AttributeValue::N(t.unix_timestamp().to_string())
}

impl Store {
    pub fn new(db: Client, table: impl Into<String>) -> Self {
        Self {
            db,
            table: table.into(),
        }
    }

    /// Consistent BatchGetItem of keys with distinct sort keys, answered by sort key.
    async fn batch_get(&self, wanted: &[Key]) -> anyhow::Result<HashMap<String, Item>> {
        let mut found = HashMap::new();
        for item in self.batch_get_items(wanted).await? {
            if let Some(AttributeValue::S(sk)) = item.get(keys::SK) {
                found.insert(sk.clone(), item);
            }
        }
        Ok(found)
    }

    /// Consistent BatchGetItem of any keys, answered in their order (`None`: not there).
    async fn batch_get_each(&self, wanted: &[Key]) -> anyhow::Result<Vec<Option<Item>>> {
        let mut found = self.batch_get_items(wanted).await?;
        Ok(wanted
            .iter()
            .map(|key| {
                let at = found.iter().position(|item| {
                    matches!(item.get(keys::PK), Some(AttributeValue::S(pk)) if *pk == key.pk)
                        && matches!(item.get(keys::SK), Some(AttributeValue::S(sk)) if *sk == key.sk)
                })?;
                Some(found.swap_remove(at))
            })
            .collect())
    }

    /// The items of one BatchGetItem (consistent), retrying keys DynamoDB left unprocessed (rare:
    /// only under throttling).
    async fn batch_get_items(&self, wanted: &[Key]) -> anyhow::Result<Vec<Item>> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(wanted.iter().map(Key::to_item).collect()))
            .consistent_read(true)
            .build()?;
        let mut found = Vec::new();
        for _ in 0..4 {
            let out = self
                .db
                .batch_get_item()
                .request_items(&self.table, pending.clone())
                .send()
                .await?;
            found.extend(
                out.responses
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default(),
            );
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys.is_empty() => pending = rest,
                _ => return Ok(found),
            }
        }
        anyhow::bail!("DynamoDB left keys unprocessed after retries")
    }

    /// Run a transaction; `Ok(false)` if a condition refused it.
    async fn transact(
        &self,
        parts: Vec<TransactWriteItem>,
        what: &'static str,
    ) -> anyhow::Result<bool> {
        applied(self.send_transaction(parts).await, what)
    }

    /// Send a transaction as it is, for callers that read why it was cancelled. One that DynamoDB
    /// cancelled only because another transaction was writing one of its items at that moment
    /// (`TransactionConflict`: the MSP's report months are written by every ticket change) is
    /// sent again, up to three times, a few milliseconds apart; a refused condition never is.
    async fn send_transaction(
        &self,
        parts: Vec<TransactWriteItem>,
    ) -> Result<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsOutput,
        aws_sdk_dynamodb::error::SdkError<
            aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
            aws_smithy_runtime_api::http::Response,
        >,
    > {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        let mut attempt = 0;
        loop {
            let result = self
                .db
                .transact_write_items()
                .set_transact_items(Some(parts.clone()))
                .send()
                .await;
            let conflict = match &result {
                Err(err) => match err.as_service_error() {
                    Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
                        let codes: Vec<_> = c
                            .cancellation_reasons()
                            .iter()
                            .filter_map(|r| r.code())
                            .collect();
                        codes.contains(&"TransactionConflict")
                            && !codes.contains(&"ConditionalCheckFailed")
                    }
                    _ => false,
                },
                Ok(_) => false,
            };
            if !conflict || attempt == 3 {
                return result;
            }
            attempt += 1;
            let jitter = u64::from(crate::domain::random_hex(1).as_bytes()[0] % 16);
            tokio::time::sleep(std::time::Duration::from_millis(
                10 * (1 << attempt) + jitter,
            ))
            .await;
        }
    }

    /// Put `items` unconditionally in BatchWriteItem calls of 25 (bulk loads: imports,
    /// benchmarks).
    async fn batch_put(&self, items: Vec<Item>, what: &'static str) -> anyhow::Result<()> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let requests = items
            .into_iter()
            .map(|item| {
                Ok(WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                    .build())
            })
            .collect::<anyhow::Result<_>>()?;
        self.batch_write(requests, what).await
    }

    /// Send `requests` in BatchWriteItem calls of 25, retrying what DynamoDB leaves unprocessed.
    async fn batch_write(
        &self,
        requests: Vec<aws_sdk_dynamodb::types::WriteRequest>,
        what: &'static str,
    ) -> anyhow::Result<()> {
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            while !pending.is_empty() {
                let out = self
                    .db
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .context(what)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Run a transaction; `Ok(None)` if it applied, `Ok(Some(i))` if a condition of part `i`
    /// refused it (nothing was written).
    async fn refused_part(
        &self,
        parts: Vec<TransactWriteItem>,
        what: &'static str,
    ) -> anyhow::Result<Option<usize>> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        match self.send_transaction(parts).await {
            Ok(_) => Ok(None),
            Err(err) => match err.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let refused = cancelled
                        .cancellation_reasons()
                        .iter()
                        .position(|r| r.code() == Some("ConditionalCheckFailed"));
                    // Without reasons (never from DynamoDB), blame the first part.
                    Ok(Some(refused.unwrap_or(0)))
                }
                _ => Err(anyhow::Error::from(err).context(what)),
            },
        }
    }

    /// The put of `item` as a transaction part: new (`expected` = `None`: it must not exist yet) or
    /// over the version read.
    pub(crate) fn versioned_put(
        &self,
        item: Item,
        expected: Option<u64>,
    ) -> anyhow::Result<TransactWriteItem> {
        let Some(version) = expected else {
            return self.put_new(item);
        };
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("#version = :version")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":version", n(version))
                    .build()?,
            )
            .build())
    }

    /// The mark that something usable once (a sign-in `state`, a WebAuthn challenge) was used,
    /// as a transaction part: refused if it is there already; kept until `expires` (TTL).
    pub(crate) fn spent_mark_part(
        &self,
        key: Key,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut item = key.to_item();
        item.insert(keys::TTL.into(), epoch(expires));
        self.put_new(item)
    }

    /// A plain Put of `item` (no condition), as a transaction part.
    pub(crate) fn put_part(&self, item: Item) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .build()?,
            )
            .build())
    }

    /// A plain Delete of `key` (no condition), as a transaction part.
    pub(crate) fn delete_part(&self, key: keys::Key) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .build()?,
            )
            .build())
    }

    /// The delete of `key` over the version read, as a transaction part.
    pub(crate) fn versioned_delete(
        &self,
        key: keys::Key,
        version: u64,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .condition_expression("#version = :version")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":version", n(version))
                    .build()?,
            )
            .build())
    }

    /// The put of an item that must not exist yet, as a transaction part.
    pub(crate) fn put_new(&self, item: Item) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", keys::PK)
                    .build()?,
            )
            .build())
    }

    async fn get<T: DeserializeOwned>(&self, key: &Key) -> anyhow::Result<Option<T>> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .send()
            .await?;
        out.item.map(from_item).transpose()
    }

    /// The next value of counter `name` (1, 2, 3, …), atomically.
    pub async fn next_number(&self, name: &str) -> anyhow::Result<u64> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::counter(name).to_item()))
            .update_expression("ADD #value :one")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .with_context(|| format!("taking the next {name} number"))?;
        out.attributes
            .and_then(|a| {
                a.get("value")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
            })
            .context("counter answered without a value")
    }

    /// A Query of one partition of `index`, in index
    /// order or reversed, from `start`, reading at most `limit` items.
    fn index_query(
        &self,
        index: keys::Index,
        partition: &str,
        descending: bool,
        start: Option<Item>,
        limit: i32,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.db
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :partition")
            .expression_attribute_names("#ipk", index.pk)
            .expression_attribute_values(":partition", s(partition))
            .scan_index_forward(!descending)
            .set_exclusive_start_key(start)
            .limit(limit)
    }

    /// Every item of an index partition, in index order, following pages until at least `cap`.
    async fn index_all<T: DeserializeOwned>(
        &self,
        index: keys::Index,
        partition: &str,
        cap: usize,
    ) -> anyhow::Result<Vec<T>> {
        let mut all = Vec::new();
        let mut start = None;
        loop {
            let page = self.index_page(index, partition, false, start, 200).await?;
            all.extend(page.items);
            match page.last_key {
                Some(key) if all.len() < cap => start = Some(key),
                _ => return Ok(all),
            }
        }
    }

    /// Every item of an index partition whose sort key is from `from` (inclusive; `None`: the
    /// start) to `to` (inclusive), in index order, following every page (the daily and hourly
    /// jobs' reads: bounded by what came due, never the whole table).
    async fn index_range<T: DeserializeOwned>(
        &self,
        index: keys::Index,
        partition: &str,
        from: Option<&str>,
        to: &str,
    ) -> anyhow::Result<Vec<T>> {
        let mut all = Vec::new();
        let mut start = None;
        loop {
            let mut query = self
                .db
                .query()
                .table_name(&self.table)
                .index_name(index.name)
                .expression_attribute_names("#ipk", index.pk)
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":partition", s(partition))
                .expression_attribute_values(":to", s(to))
                .set_exclusive_start_key(start);
            query = match from {
                Some(from) => query
                    .key_condition_expression("#ipk = :partition AND #isk BETWEEN :from AND :to")
                    .expression_attribute_values(":from", s(from)),
                None => query.key_condition_expression("#ipk = :partition AND #isk <= :to"),
            };
            let out = query
                .send()
                .await
                .with_context(|| format!("reading {partition} up to {to}"))?;
            let got: Page<T> = page(out.items, out.last_evaluated_key)?;
            all.extend(got.items);
            match got.last_key {
                Some(k) => start = Some(k),
                None => return Ok(all),
            }
        }
    }

    /// One page of an index partition (see `index_query`).
    async fn index_page<T: DeserializeOwned>(
        &self,
        index: keys::Index,
        partition: &str,
        descending: bool,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<T>> {
        let out = self
            .index_query(index, partition, descending, start, limit)
            .send()
            .await
            .context("reading an index")?;
        page(out.items, out.last_evaluated_key)
    }

    /// A Query of the items of `company`'s partition whose sort key starts with `prefix`.
    fn prefix_query(
        &self,
        company: &CompanyId,
        prefix: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.partition_query(&keys::company_partition(company), prefix)
    }

    /// A Query of the items of partition `pk` whose sort key starts with `prefix`.
    fn partition_query(
        &self,
        pk: &str,
        prefix: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
    }

    /// A Query of the items of `company`'s partition whose sort key is between `from` and `to`
    /// (both included).
    fn range_query(
        &self,
        company: &CompanyId,
        from: &str,
        to: &str,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(keys::company_partition(company)))
            .expression_attribute_values(":from", s(from))
            .expression_attribute_values(":to", s(to))
    }

    /// One page of the items of `company`'s partition whose sort key starts with `prefix`.
    async fn prefix_page<T: DeserializeOwned>(
        &self,
        company: &CompanyId,
        prefix: &str,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<T>> {
        let out = self
            .prefix_query(company, prefix)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await?;
        page(out.items, out.last_evaluated_key)
    }
}

fn page<T: DeserializeOwned>(
    items: Option<Vec<Item>>,
    last_key: Option<Item>,
) -> anyhow::Result<Page<T>> {
    let items = items
        .unwrap_or_default()
        .into_iter()
        .map(from_item)
        .collect::<anyhow::Result<_>>()?;
    Ok(Page { items, last_key })
}

/// Whether a conditional write applied: `Ok(false)` when its condition (or a transaction part's)
/// refused it, an error with `what` for anything else.
fn applied<O, E, R>(
    result: Result<O, aws_sdk_dynamodb::error::SdkError<E, R>>,
    what: &'static str,
) -> anyhow::Result<bool>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) if is_condition_failure(&err) => Ok(false),
        Err(err) => Err(anyhow::Error::from(err).context(what)),
    }
}

fn is_condition_failure<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| {
            code == "TransactionCanceledException" || code == "ConditionalCheckFailedException"
        })
}
