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

    /// The updates of the folder counts a document moves: each `(folder, visibility, delta)`
    /// counts it (+1) or uncounts it (-1) for every audience that reads that visibility. One update
    /// per folder item (a transaction names an item once), with each audience's net change. A
    /// folder keeps the spelling it was made with, but a document moved within it (a change of
    /// case) gives it the new one.
    fn folder_count_parts(
        &self,
        company: &CompanyId,
        moves: &[(&str, Visibility, i64)],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        struct Counts {
            key: String,
            name: String,
            deltas: [i64; 3],
            renamed: bool,
        }
        let mut folders: Vec<Counts> = Vec::new();
        for &(folder, visibility, delta) in moves {
            let key = folder.to_lowercase();
            let at = match folders.iter().position(|f| f.key == key) {
                Some(at) => {
                    folders[at].renamed = true;
                    at
                }
                None => {
                    folders.push(Counts {
                        key,
                        name: String::new(),
                        deltas: [0; 3],
                        renamed: false,
                    });
                    folders.len() - 1
                }
            };
            folders[at].name = folder.to_owned();
            for (i, audience) in Audience::ALL.into_iter().enumerate() {
                if visibility.seen_by(audience) {
                    folders[at].deltas[i] += delta;
                }
            }
        }
        let mut parts = Vec::new();
        for f in folders
            .into_iter()
            .filter(|f| f.renamed || f.deltas.iter().any(|d| *d != 0))
        {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::document_folder(company, &f.name).to_item()))
                .expression_attribute_names("#name", "name")
                .expression_attribute_values(":name", s(f.name.clone()));
            let mut adds = Vec::new();
            for (audience, delta) in Audience::ALL.into_iter().zip(f.deltas) {
                if delta == 0 {
                    continue;
                }
                let code = audience.code();
                adds.push(format!("#{code} :d{code}"));
                update = update
                    .expression_attribute_names(format!("#{code}"), code)
                    .expression_attribute_values(format!(":d{code}"), n(delta));
            }
            let name = if f.renamed {
                ":name"
            } else {
                "if_not_exists(#name, :name)"
            };
            parts.push(
                TransactWriteItem::builder()
                    .update(
                        update
                            .update_expression(if adds.is_empty() {
                                format!("SET #name = {name}")
                            } else {
                                format!("SET #name = {name} ADD {}", adds.join(", "))
                            })
                            .build()?,
                    )
                    .build(),
            );
        }
        Ok(parts)
    }

    /// Store a new document (its first version) and count it in its folder; `false` if the id is
    /// taken (a confirm sent twice).
    pub async fn create_document(&self, d: &Document, audit: &AuditEntry) -> anyhow::Result<bool> {
        let mut parts = vec![self.put_new(Self::document_item(d)?)?];
        parts.extend(self.folder_count_parts(&d.company_id, &[(&d.folder, d.visibility, 1)])?);
        parts.push(self.audit_part(audit)?);
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
            parts.extend(self.folder_count_parts(
                &d.company_id,
                &[
                    (&before.folder, before.visibility, -1),
                    (&d.folder, d.visibility, 1),
                ],
            )?);
        }
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "saving a document").await
    }

    /// Delete a document read at `before` (versioned) and uncount it from its folder; its list
    /// entries go with its item. `false` if it changed meanwhile.
    pub async fn delete_document(
        &self,
        before: &Document,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.versioned_delete(
            keys::document(&before.company_id, &before.id),
            before.version,
        )?];
        parts.extend(self.folder_count_parts(
            &before.company_id,
            &[(&before.folder, before.visibility, -1)],
        )?);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "deleting a document").await
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
