//! The knowledge base (docs/kb.md, "How it is stored"): an article's content and its kept
//! revisions, its card (the lists' row, with the readers' counters) in the staff's list and, when
//! every client reads it, in the clients' list and the most useful; the entries of the companies
//! that read it by name; its words in the search index; the per-category counts. A save writes
//! all of them in one transaction; a vote, a deflection or a pin touches only the card, so it
//! never conflicts with an edit.

use anyhow::Context;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use std::collections::HashMap;

use super::keys;
use super::{Item, Store, from_item, n, s, to_item};
use crate::domain::audit::AuditEntry;
use crate::domain::kb::{Article, ArticleRevision, ArticleRow, ArticleStats, RevisionSummary};
use crate::domain::{ArticleId, CompanyId, UserId};

/// Which list of articles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArticleList {
    /// Every article, drafts and internal ones too (MSP staff).
    Staff,
    /// The published articles every client reads.
    Clients,
}

/// A category with how many articles each list holds in it.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryCount {
    pub name: String,
    pub staff: i64,
    pub clients: i64,
}

/// What an article's page reads in one call: the article, its counters, and the reader's vote.
pub struct ArticlePage {
    pub article: Article,
    pub stats: ArticleStats,
    pub my_vote: Option<bool>,
}

/// A change of the counters, as a card update: what it read (`stamp`) and what it sets.
pub enum CounterChange {
    /// A user's vote (their earlier one, if any, being replaced).
    Vote {
        company: CompanyId,
        user: UserId,
        helpful: bool,
    },
    /// A deflection, marked once per user and day.
    Deflection {
        company: CompanyId,
        user: UserId,
        day: time::Date,
    },
    /// The MSP pins or unpins it.
    Pin,
}

/// The index item of word `w` of `a`: in the staff's index, and in the clients' when every
/// client reads it.
fn word_item(a: &Article, w: &str) -> anyhow::Result<Item> {
    let mut item = to_item(&a.entry(), &keys::article_word(w, &a.id))?;
    if a.for_all_clients() {
        keys::KB_CLIENT_WORDS_INDEX.put(
            &mut item,
            keys::article_word_partition(w, true),
            keys::article_word_sort(w, &a.id),
        );
    }
    Ok(item)
}

impl Store {
    /// Save a new article (`before` = `None`) or a change of one over the version read; with
    /// `keep` the content is a new revision, kept beside the earlier ones. `false` if the article
    /// changed meanwhile (or its id is taken).
    pub async fn save_article(
        &self,
        a: &Article,
        before: Option<&Article>,
        keep: bool,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.versioned_put(
            to_item(a, &keys::article(&a.id))?,
            before.map(|b| b.version),
        )?];
        if keep {
            parts.push(self.put_new(to_item(
                &a.revision_record(),
                &keys::article_revision(&a.id, a.revision),
            )?)?);
        }
        parts.push(self.card_part(a)?);
        parts.extend(self.category_parts(before, a)?);
        // The companies that stop reading it by name lose their entry; those that read it get
        // the current one.
        let named = a.named_companies();
        for c in before.map(Article::named_companies).unwrap_or_default() {
            if !named.contains(c) {
                parts.push(self.delete_part(keys::company_article(c, &a.id))?);
            }
        }
        for c in named {
            parts.push(self.put_part(to_item(&a.entry(), &keys::company_article(c, &a.id))?)?);
        }
        for w in before.map(|b| b.words.as_slice()).unwrap_or_default() {
            if !a.words.contains(w) {
                parts.push(self.delete_part(keys::article_word(w, &a.id))?);
            }
        }
        for w in &a.words {
            parts.push(self.put_part(word_item(a, w)?)?);
        }
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "saving an article").await
    }

    /// The card's update on a save: its row and its places in the lists, leaving the counters
    /// (and so the rank) as they are — they start at zero.
    fn card_part(&self, a: &Article) -> anyhow::Result<TransactWriteItem> {
        let fields: Item = serde_dynamo::to_item(a.card()).context("encoding a card")?;
        let mut sets = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::article_card(&a.id).to_item()));
        for (i, (name, value)) in fields.into_iter().enumerate() {
            sets.push(format!("#f{i} = :f{i}"));
            update = update
                .expression_attribute_names(format!("#f{i}"), name)
                .expression_attribute_values(format!(":f{i}"), value);
        }
        for counter in ["helpful", "unhelpful", "deflections", "stamp"] {
            sets.push(format!("#{counter} = if_not_exists(#{counter}, :zero)"));
            update = update.expression_attribute_names(format!("#{counter}"), counter);
        }
        sets.push("#pinned = if_not_exists(#pinned, :unpinned)".into());
        let sort = keys::article_list_sort(&a.fields.category, &a.fields.title, &a.id);
        let (staff, clients, top) = (
            keys::KB_STAFF_LIST_INDEX,
            keys::KB_CLIENT_LIST_INDEX,
            keys::KB_TOP_INDEX,
        );
        sets.push("#spk = :spk, #ssk = :sort".into());
        sets.push("#tsk = if_not_exists(#tsk, :rank)".into());
        let mut removes = Vec::new();
        if a.for_all_clients() {
            sets.push("#cpk = :cpk, #csk = :sort, #tpk = :tpk".into());
            update = update
                .expression_attribute_values(":cpk", s(keys::KB_CLIENT_LIST))
                .expression_attribute_values(":tpk", s(keys::KB_TOP));
        } else {
            removes.push("#cpk, #csk, #tpk");
        }
        let expression = match removes.is_empty() {
            true => format!("SET {}", sets.join(", ")),
            false => format!("SET {} REMOVE {}", sets.join(", "), removes.join(", ")),
        };
        Ok(TransactWriteItem::builder()
            .update(
                update
                    .update_expression(expression)
                    .expression_attribute_names("#pinned", "pinned")
                    .expression_attribute_names("#spk", staff.pk)
                    .expression_attribute_names("#ssk", staff.sk)
                    .expression_attribute_names("#cpk", clients.pk)
                    .expression_attribute_names("#csk", clients.sk)
                    .expression_attribute_names("#tpk", top.pk)
                    .expression_attribute_names("#tsk", top.sk)
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":unpinned", AttributeValue::Bool(false))
                    .expression_attribute_values(":spk", s(keys::KB_STAFF_LIST))
                    .expression_attribute_values(":sort", s(sort))
                    .expression_attribute_values(":rank", s(keys::article_rank(false, 0, &a.id)))
                    .build()?,
            )
            .build())
    }

    /// The per-category counts a save moves: the staff's list counts every article, the
    /// clients' the published ones every client reads. One update per category item.
    fn category_parts(
        &self,
        before: Option<&Article>,
        a: &Article,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut moves: Vec<(String, String, i64, i64)> = Vec::new();
        let mut count = |category: &str, staff: i64, clients: i64| {
            let key = keys::category_key(category);
            match moves.iter_mut().find(|m| m.0 == key) {
                Some(m) => {
                    m.1 = category.to_owned();
                    m.2 += staff;
                    m.3 += clients;
                }
                None => moves.push((key, category.to_owned(), staff, clients)),
            }
        };
        if let Some(b) = before {
            count(&b.fields.category, -1, -i64::from(b.for_all_clients()));
        }
        count(&a.fields.category, 1, i64::from(a.for_all_clients()));
        let renamed = before.is_none_or(|b| b.fields.category != a.fields.category);
        let mut parts = Vec::new();
        for (_, name, staff, clients) in moves {
            if staff == 0 && clients == 0 && !renamed {
                continue;
            }
            parts.push(
                TransactWriteItem::builder()
                    .update(
                        Update::builder()
                            .table_name(&self.table)
                            .set_key(Some(keys::article_category(&name).to_item()))
                            .update_expression("SET #name = :name ADD #s :s, #c :c")
                            .expression_attribute_names("#name", "name")
                            .expression_attribute_names("#s", "staff")
                            .expression_attribute_names("#c", "clients")
                            .expression_attribute_values(":name", s(name))
                            .expression_attribute_values(":s", n(staff))
                            .expression_attribute_values(":c", n(clients))
                            .build()?,
                    )
                    .build(),
            );
        }
        Ok(parts)
    }

    /// An article, its counters and `reader`'s vote, in one BatchGetItem.
    pub async fn article_page(
        &self,
        id: &ArticleId,
        reader: (&CompanyId, &UserId),
    ) -> anyhow::Result<Option<ArticlePage>> {
        let mut found = self
            .batch_get_each(&[
                keys::article(id),
                keys::article_card(id),
                keys::article_vote(reader.0, id, reader.1),
            ])
            .await
            .context("reading an article")?
            .into_iter();
        let (Some(Some(article)), Some(card), Some(vote)) =
            (found.next(), found.next(), found.next())
        else {
            return Ok(None);
        };
        let stats = card
            .map(from_item::<ArticleRow>)
            .transpose()?
            .map(|row| row.stats)
            .unwrap_or_default();
        Ok(Some(ArticlePage {
            article: from_item(article)?,
            stats,
            my_vote: vote.and_then(|v| v.get("helpful").and_then(|h| h.as_bool().ok()).copied()),
        }))
    }

    /// An article without its counters.
    pub async fn get_article(&self, id: &ArticleId) -> anyhow::Result<Option<Article>> {
        self.get(&keys::article(id))
            .await
            .context("reading an article")
    }

    /// Every kept revision of an article, newest first, without their content (one Query;
    /// a page of up to 1 MB of them).
    pub async fn article_revisions(&self, id: &ArticleId) -> anyhow::Result<Vec<RevisionSummary>> {
        let out = self
            .partition_query(keys::KB_PARTITION, &keys::article_revision_prefix(id))
            .projection_expression("#r, #t, #a, #b")
            .expression_attribute_names("#r", "revision")
            .expression_attribute_names("#t", "title")
            .expression_attribute_names("#a", "saved_at")
            .expression_attribute_names("#b", "saved_by")
            .scan_index_forward(false)
            .send()
            .await
            .context("listing revisions")?;
        out.items
            .unwrap_or_default()
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item(item)?))
            .collect()
    }

    /// One kept revision.
    pub async fn article_revision(
        &self,
        id: &ArticleId,
        revision: u32,
    ) -> anyhow::Result<Option<ArticleRevision>> {
        self.get(&keys::article_revision(id, revision))
            .await
            .context("reading a revision")
    }

    /// Whether a user already counted a deflection by `id` on `day`, with the article's
    /// counters (one BatchGetItem).
    pub async fn deflection_context(
        &self,
        id: &ArticleId,
        company: &CompanyId,
        user: &UserId,
        day: time::Date,
    ) -> anyhow::Result<(Option<Article>, ArticleStats, bool)> {
        let mut found = self
            .batch_get_each(&[
                keys::article(id),
                keys::article_card(id),
                keys::article_deflection(company, id, user, day),
            ])
            .await
            .context("reading an article")?
            .into_iter();
        let article = found.next().flatten().map(from_item).transpose()?;
        let stats = found
            .next()
            .flatten()
            .map(from_item::<ArticleRow>)
            .transpose()?
            .map(|r| r.stats)
            .unwrap_or_default();
        let counted = found.next().flatten().is_some();
        Ok((article, stats, counted))
    }

    /// Apply a change of an article's counters read as `before`, now `after`: the card (and its
    /// rank among the most useful) and the vote or the deflection's mark, in one transaction.
    /// `false` if the counters changed meanwhile or the mark is there: read again and retry.
    pub async fn change_article_counters(
        &self,
        id: &ArticleId,
        before: &ArticleStats,
        after: &ArticleStats,
        change: &CounterChange,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let card = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::article_card(id).to_item()))
            .update_expression(
                "SET #h = :h, #u = :u, #d = :d, #p = :p, #stamp = :new, #tsk = :rank",
            )
            .condition_expression("#stamp = :old")
            .expression_attribute_names("#h", "helpful")
            .expression_attribute_names("#u", "unhelpful")
            .expression_attribute_names("#d", "deflections")
            .expression_attribute_names("#p", "pinned")
            .expression_attribute_names("#stamp", "stamp")
            .expression_attribute_names("#tsk", keys::KB_TOP_INDEX.sk)
            .expression_attribute_values(":h", n(after.helpful))
            .expression_attribute_values(":u", n(after.unhelpful))
            .expression_attribute_values(":d", n(after.deflections))
            .expression_attribute_values(":p", AttributeValue::Bool(after.pinned))
            .expression_attribute_values(":new", n(after.stamp))
            .expression_attribute_values(":old", n(before.stamp))
            .expression_attribute_values(
                ":rank",
                s(keys::article_rank(after.pinned, after.score(), id)),
            )
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().update(card).build()];
        match change {
            CounterChange::Vote {
                company,
                user,
                helpful,
            } => {
                let mut item = keys::article_vote(company, id, user).to_item();
                item.insert("helpful".into(), AttributeValue::Bool(*helpful));
                parts.push(self.put_part(item)?);
            }
            CounterChange::Deflection { company, user, day } => {
                // The mark is needed only until the day is over.
                let expires = day.midnight().assume_utc() + time::Duration::days(2);
                parts.push(
                    self.spent_mark_part(
                        keys::article_deflection(company, id, user, *day),
                        expires,
                    )?,
                );
            }
            CounterChange::Pin => {}
        }
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        self.transact(parts, "counting on an article").await
    }

    /// Bulk load for demo data and benchmarks: articles with their revisions, cards, entries,
    /// words and category counts, and the counters given; no conditions.
    pub async fn load_articles(&self, all: &[(Article, ArticleStats)]) -> anyhow::Result<()> {
        let mut items = Vec::new();
        let mut categories: HashMap<String, (String, i64, i64)> = HashMap::new();
        for (a, stats) in all {
            items.push(to_item(a, &keys::article(&a.id))?);
            items.push(to_item(
                &a.revision_record(),
                &keys::article_revision(&a.id, a.revision),
            )?);
            let mut card = to_item(
                &ArticleRow {
                    card: a.card(),
                    stats: *stats,
                },
                &keys::article_card(&a.id),
            )?;
            let sort = keys::article_list_sort(&a.fields.category, &a.fields.title, &a.id);
            keys::KB_STAFF_LIST_INDEX.put(&mut card, keys::KB_STAFF_LIST.into(), sort.clone());
            let rank = keys::article_rank(stats.pinned, stats.score(), &a.id);
            card.insert(keys::KB_TOP_INDEX.sk.into(), s(rank.clone()));
            if a.for_all_clients() {
                keys::KB_CLIENT_LIST_INDEX.put(&mut card, keys::KB_CLIENT_LIST.into(), sort);
                keys::KB_TOP_INDEX.put(&mut card, keys::KB_TOP.into(), rank);
            }
            items.push(card);
            for c in a.named_companies() {
                items.push(to_item(&a.entry(), &keys::company_article(c, &a.id))?);
            }
            for w in &a.words {
                items.push(word_item(a, w)?);
            }
            let count = categories
                .entry(keys::category_key(&a.fields.category))
                .or_insert_with(|| (a.fields.category.clone(), 0, 0));
            count.1 += 1;
            count.2 += i64::from(a.for_all_clients());
        }
        for (name, staff, clients) in categories.into_values() {
            let mut item = keys::article_category(&name).to_item();
            item.insert("name".into(), s(name));
            item.insert("staff".into(), n(staff));
            item.insert("clients".into(), n(clients));
            items.push(item);
        }
        self.batch_put(items, "loading articles").await
    }
}

impl Store {
    /// What a save checks against, in one BatchGetItem: the article changed (if any) and the
    /// companies it names (those that exist).
    pub async fn article_save_context(
        &self,
        id: Option<&ArticleId>,
        companies: &[CompanyId],
    ) -> anyhow::Result<(Option<Article>, Vec<crate::domain::account::Company>)> {
        let mut wanted: Vec<keys::Key> = id.map(keys::article).into_iter().collect();
        wanted.extend(companies.iter().map(keys::company));
        if wanted.is_empty() {
            return Ok((None, Vec::new()));
        }
        let mut found = self
            .batch_get_each(&wanted)
            .await
            .context("reading what a save needs")?
            .into_iter();
        let article = match id {
            Some(_) => found.next().flatten().map(from_item).transpose()?,
            None => None,
        };
        let companies = found
            .flatten()
            .map(from_item)
            .collect::<anyhow::Result<_>>()?;
        Ok((article, companies))
    }
}
