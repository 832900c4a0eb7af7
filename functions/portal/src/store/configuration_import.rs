//! Configuration imports, bulk loads and the monthly digest's mark (docs/configurations.md): which serials and tags are
//! taken, all rows written in transactions or none (what was written undone when one is
//! refused), and the claim on an import's `Idempotency-Key` that makes a retry answer the first.

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;

use super::keys::{self, Identifier};
use super::{Store, s, to_item};
use crate::domain::CompanyId;
use crate::domain::configurations::Configuration;

/// Who runs an import with a given `Idempotency-Key` (`Store::claim_import`).
pub enum ImportClaim<T> {
    Claimed,
    Done(T),
    Running,
}

/// An import's claim, then its outcome.
#[derive(serde::Serialize, serde::Deserialize)]
struct ImportRecord<T> {
    state: String,
    outcome: Option<T>,
}

impl Store {
    /// Which of these serials and tags (`(which, value)`) the company already has: BatchGetItem
    /// calls of 100 pointers.
    pub async fn identifiers_taken(
        &self,
        company: &CompanyId,
        wanted: &[(Identifier, String)],
    ) -> anyhow::Result<Vec<(Identifier, String)>> {
        let mut taken = Vec::new();
        for chunk in wanted.chunks(100) {
            let keys: Vec<_> = chunk
                .iter()
                .map(|(w, v)| keys::configuration_identifier(company, *w, v))
                .collect();
            let found = self.batch_get_each(&keys).await?;
            for (item, asked) in found.iter().zip(chunk) {
                if item.is_some() {
                    taken.push(asked.clone());
                }
            }
        }
        Ok(taken)
    }

    /// Store every configuration of an import, or none: transactions of at most 100 items (each
    /// configuration with its pointers, each new); the last also holds `last` (the import's
    /// record and audit entry). If one is refused (a serial or tag taken meanwhile, or the import
    /// recorded by a concurrent retry), what the earlier ones wrote is deleted again and the
    /// answer is the index of the first configuration of the refused transaction.
    pub async fn import_configurations(
        &self,
        all: &[Configuration],
        last: Vec<TransactWriteItem>,
    ) -> anyhow::Result<Result<(), usize>> {
        // Each batch also counts its configurations' expiries (one part per month item, the
        // company's and the MSP's), so a batch leaves room for them.
        let mut batches: Vec<(usize, Vec<TransactWriteItem>)> = Vec::new();
        let mut months: Vec<std::collections::BTreeSet<String>> = Vec::new();
        let mut members: Vec<Vec<&Configuration>> = Vec::new();
        for (i, c) in all.iter().enumerate() {
            let (parts, _) = self.new_configuration_parts(c)?;
            let month = crate::domain::reports::configuration_expiry(c);
            let fits = match (batches.last(), months.last()) {
                (Some((_, b)), Some(m)) => {
                    let more = month.as_ref().is_some_and(|x| !m.contains(x));
                    b.len() + parts.len() + 2 * (m.len() + usize::from(more)) <= 100
                }
                _ => false,
            };
            if !fits {
                batches.push((i, Vec::new()));
                months.push(Default::default());
                members.push(Vec::new());
            }
            if let (Some((_, b)), Some(m), Some(list)) =
                (batches.last_mut(), months.last_mut(), members.last_mut())
            {
                b.extend(parts);
                m.extend(month);
                list.push(c);
            }
        }
        for ((_, b), list) in batches.iter_mut().zip(&members) {
            if let Some(first) = list.first() {
                b.extend(self.configuration_report_parts(&first.company_id, &[], list)?);
            }
        }
        match batches.last_mut() {
            Some((_, b)) if b.len() + last.len() <= 100 => b.extend(last),
            _ => batches.push((all.len(), last)),
        }
        let starts: Vec<usize> = batches.iter().map(|(i, _)| *i).collect();
        for (n, (first, parts)) in batches.into_iter().enumerate() {
            if !self.transact(parts, "importing configurations").await? {
                let written = starts.get(n).copied().unwrap_or(all.len());
                self.delete_configurations(&all[..written]).await?;
                self.add_configuration_counts(&all[..written], -1).await?;
                return Ok(Err(first.min(all.len().saturating_sub(1))));
            }
        }
        Ok(Ok(()))
    }

    /// Delete configurations just imported, with their pointers (undoing an import that could
    /// not finish): BatchWriteItem calls of 25 deletes.
    async fn delete_configurations(&self, all: &[Configuration]) -> anyhow::Result<()> {
        use aws_sdk_dynamodb::types::{DeleteRequest, WriteRequest};
        let mut keys = Vec::new();
        for c in all {
            keys.push(keys::configuration(&c.company_id, &c.id));
            for (w, _) in Self::identifier_items(c) {
                keys.push(keys::configuration_identifier(&c.company_id, w, w.of(c)));
            }
        }
        let requests = keys
            .iter()
            .map(|k| {
                Ok(WriteRequest::builder()
                    .delete_request(
                        DeleteRequest::builder()
                            .set_key(Some(k.to_item()))
                            .build()?,
                    )
                    .build())
            })
            .collect::<anyhow::Result<_>>()?;
        self.batch_write(requests, "undoing an import").await
    }

    /// Bulk load for benchmarks and demo data: items and pointers, no conditions.
    pub async fn load_configurations(&self, all: &[Configuration]) -> anyhow::Result<()> {
        let mut items = Vec::new();
        for c in all {
            items.push(Self::configuration_item(c)?);
            items.extend(Self::identifier_items(c).into_iter().map(|(_, i)| i));
        }
        self.batch_put(items, "loading configurations").await?;
        self.add_configuration_counts(all, 1).await
    }

    /// Claim an import's `Idempotency-Key` (`key`): `Claimed` when this request runs the import
    /// (the claim lasts a day), `Done` with the outcome of the one that ran it, or `Running` while
    /// another request with the key is at it.
    pub async fn claim_import<T: serde::de::DeserializeOwned>(
        &self,
        key: &keys::Key,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<ImportClaim<T>> {
        let mut item = key.to_item();
        item.insert("state".into(), s("running"));
        item.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(1)),
        );
        if self
            .transact(vec![self.put_new(item)?], "claiming an import")
            .await?
        {
            return Ok(ImportClaim::Claimed);
        }
        let record: Option<ImportRecord<T>> =
            self.get(key).await.context("reading an import record")?;
        Ok(match record {
            Some(ImportRecord {
                outcome: Some(outcome),
                ..
            }) => ImportClaim::Done(outcome),
            _ => ImportClaim::Running,
        })
    }

    /// The record of a claimed import's `outcome`, as the last transaction's part (on condition
    /// the claim is still this import's, running).
    pub fn finish_import_part<T: serde::Serialize>(
        &self,
        key: &keys::Key,
        outcome: &T,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let record = ImportRecord {
            state: "done".into(),
            outcome: Some(outcome),
        };
        let mut item = to_item(&record, key)?;
        item.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(1)),
        );
        Ok(TransactWriteItem::builder()
            .put(
                aws_sdk_dynamodb::types::Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("#state = :running")
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":running", s("running"))
                    .build()?,
            )
            .build())
    }

    /// Give up a claim (the import was refused): a retry with the key runs again.
    pub async fn release_import(&self, key: &keys::Key) -> anyhow::Result<()> {
        self.db
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .send()
            .await
            .context("releasing an import claim")?;
        Ok(())
    }

    /// Mark the monthly expiry digest of `company` for `month` as going out: `false` if it went
    /// already (kept about a year).
    pub async fn mark_configuration_digest(
        &self,
        company: &CompanyId,
        month: &str,
        now: time::OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut item = keys::configuration_digest(company, month).to_item();
        item.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(400)),
        );
        self.transact(vec![self.put_new(item)?], "marking an expiry digest")
            .await
    }
}
