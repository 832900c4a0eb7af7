//! Documents (docs/configurations.md, "Documents"): the item with its versions and one list entry
//! per audience that reads it (all folders and its folder), its folder's counts kept in the same
//! transaction, and the lists (one Query of one index each, newest first).

use anyhow::Context;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use std::collections::HashMap;

use super::keys;
use super::{Item, Page, Store, from_item, n, number, page, s, to_item};
use crate::domain::account::Company;
use crate::domain::audit::AuditEntry;
use crate::domain::documents::{Audience, Document, Visibility};
use crate::domain::tickets::TicketSettings;
use crate::domain::{CompanyId, DocumentId};

/// A folder as stored: its name and how many documents each audience reads in it.
pub struct FolderCounts {
    pub name: String,
    pub counts: HashMap<&'static str, i64>,
}

impl FolderCounts {
    /// How many of its documents `audience` reads.
    pub fn seen_by(&self, audience: Audience) -> i64 {
        self.counts.get(audience.code()).copied().unwrap_or(0)
    }
}

impl Store {
    fn document_item(d: &Document) -> anyhow::Result<Item> {
        let mut item = to_item(d, &keys::document(&d.company_id, &d.id))?;
        for (index, pk, sk) in keys::document_entries(d) {
            index.put(&mut item, pk, sk);
        }
        item.insert("search".into(), s(d.name.to_lowercase()));
        Ok(item)
    }

    /// The update of `folder`'s counts by `delta` for each audience that reads `visibility`.
    fn folder_count_part(
        &self,
        company: &CompanyId,
        folder: &str,
        visibility: Visibility,
        delta: i64,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut adds = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::document_folder(company, folder).to_item()))
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(folder))
            .expression_attribute_values(":delta", n(delta));
        for audience in Audience::of(visibility) {
            let code = audience.code();
            adds.push(format!("#{code} :delta"));
            update = update.expression_attribute_names(format!("#{code}"), code);
        }
        Ok(TransactWriteItem::builder()
            .update(
                update
                    .update_expression(format!(
                        "SET #name = if_not_exists(#name, :name) ADD {}",
                        adds.join(", ")
                    ))
                    .build()?,
            )
            .build())
    }

    /// Store a new document (its first version) and count it in its folder; `false` if the id is
    /// taken (a confirm sent twice).
    pub async fn create_document(&self, d: &Document, audit: &AuditEntry) -> anyhow::Result<bool> {
        let parts = vec![
            self.put_new(Self::document_item(d)?)?,
            self.folder_count_part(&d.company_id, &d.folder, d.visibility, 1)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "storing a document").await
    }

    /// Save a changed document over `before` (versioned); a change of folder or visibility moves
    /// its counts in the same transaction. `false` if it changed meanwhile.
    pub async fn save_document(
        &self,
        d: &Document,
        before: &Document,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.versioned_put(Self::document_item(d)?, Some(before.version))?];
        if d.folder != before.folder || d.visibility != before.visibility {
            parts.push(self.folder_count_part(
                &before.company_id,
                &before.folder,
                before.visibility,
                -1,
            )?);
            if d.folder.to_lowercase() == before.folder.to_lowercase() {
                // The same folder item, twice in one transaction: one update with the net counts.
                parts.pop();
                parts.push(self.folder_move_part(d, before)?);
            } else {
                parts.push(self.folder_count_part(&d.company_id, &d.folder, d.visibility, 1)?);
            }
        }
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "saving a document").await
    }

    /// A visibility change within one folder: each audience's count moves by the difference.
    fn folder_move_part(
        &self,
        d: &Document,
        before: &Document,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut adds = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(
                keys::document_folder(&d.company_id, &d.folder).to_item(),
            ))
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", s(d.folder.clone()));
        for audience in Audience::ALL {
            let delta = i64::from(d.visibility.seen_by(audience))
                - i64::from(before.visibility.seen_by(audience));
            let code = audience.code();
            adds.push(format!("#{code} :d{code}"));
            update = update
                .expression_attribute_names(format!("#{code}"), code)
                .expression_attribute_values(format!(":d{code}"), n(delta));
        }
        Ok(TransactWriteItem::builder()
            .update(
                update
                    .update_expression(format!("SET #name = :name ADD {}", adds.join(", ")))
                    .build()?,
            )
            .build())
    }

    /// A document of `company`.
    pub async fn get_document(
        &self,
        company: &CompanyId,
        id: &DocumentId,
    ) -> anyhow::Result<Option<Document>> {
        self.get(&keys::document(company, id))
            .await
            .context("reading a document")
    }

    /// What an upload checks against, in one BatchGetItem: the file rules (ticket settings), the
    /// company, and the document a new version is for.
    pub async fn document_upload_context(
        &self,
        company: &CompanyId,
        id: Option<&DocumentId>,
    ) -> anyhow::Result<(TicketSettings, Option<Company>, Option<Document>)> {
        let mut wanted = vec![keys::ticket_settings(), keys::company(company)];
        wanted.extend(id.map(|id| keys::document(company, id)));
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("reading what an upload needs")?;
        let mut take = |key: Option<keys::Key>| key.and_then(|k| found.remove(&k.sk));
        Ok((
            take(Some(keys::ticket_settings()))
                .map(from_item)
                .transpose()?
                .unwrap_or_default(),
            take(Some(keys::company(company)))
                .map(from_item)
                .transpose()?,
            take(id.map(|id| keys::document(company, id)))
                .map(from_item)
                .transpose()?,
        ))
    }

    /// One page of the documents `audience` reads in `company` (one `folder`, or all), newest
    /// first; `words` filters the page by the name (what it holds, in any case). One Query.
    pub async fn list_documents(
        &self,
        company: &CompanyId,
        audience: Audience,
        folder: Option<&str>,
        words: Option<&str>,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Document>> {
        let index = keys::document_index(audience, folder.is_some());
        let mut query = self.index_query(
            index,
            &keys::document_partition(company, audience, folder),
            true,
            start,
            limit,
        );
        if let Some(words) = words {
            query = query
                .filter_expression("contains(#search, :words)")
                .expression_attribute_names("#search", "search")
                .expression_attribute_values(":words", s(words.to_lowercase()));
        }
        let out = query.send().await.context("listing documents")?;
        page(out.items, out.last_evaluated_key)
    }

    /// The company's folders with their counts (one Query; at most 500 folders).
    pub async fn document_folders(&self, company: &CompanyId) -> anyhow::Result<Vec<FolderCounts>> {
        let out = self
            .prefix_query(company, keys::DOCUMENT_FOLDER_PREFIX)
            .limit(500)
            .send()
            .await
            .context("listing folders")?;
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| FolderCounts {
                name: item
                    .get("name")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default(),
                counts: Audience::ALL
                    .iter()
                    .map(|a| (a.code(), item.get(a.code()).map(number).unwrap_or(0)))
                    .collect(),
            })
            .collect())
    }

    /// Bulk load for demo data and benchmarks: documents and their folders' counts, no conditions.
    pub async fn load_documents(&self, all: &[Document]) -> anyhow::Result<()> {
        let mut items = Vec::new();
        let mut folders: HashMap<(CompanyId, String), FolderCounts> = HashMap::new();
        for d in all {
            items.push(Self::document_item(d)?);
            let folder = folders
                .entry((d.company_id.clone(), d.folder.to_lowercase()))
                .or_insert_with(|| FolderCounts {
                    name: d.folder.clone(),
                    counts: HashMap::new(),
                });
            for audience in Audience::of(d.visibility) {
                *folder.counts.entry(audience.code()).or_default() += 1;
            }
        }
        for ((company, _), folder) in folders {
            let mut item = keys::document_folder(&company, &folder.name).to_item();
            item.insert("name".into(), s(folder.name));
            for (code, count) in folder.counts {
                item.insert(code.into(), n(count));
            }
            items.push(item);
        }
        self.batch_put(items, "loading documents").await
    }
}
