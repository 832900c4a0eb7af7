//! The knowledge base's lists (docs/kb.md, "Finding articles"): the staff's and the clients' lists
//! by category and title, a company's articles by name, the word index, the categories' counts
//! and the most useful. Each is one Query of one index (or one BatchGetItem of cards).

use anyhow::Context;

use super::kb::{ArticleList, CategoryCount};
use super::keys;
use super::{Item, Page, Store, from_item, number, page, s};
use crate::domain::kb::{ArticleCard, ArticleEntry, ArticleRow};
use crate::domain::{ArticleId, CompanyId};

impl Store {
    /// One page of a list of articles by category and title, in one `category` or all.
    pub async fn list_articles(
        &self,
        list: ArticleList,
        category: Option<&str>,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<ArticleRow>> {
        let (index, partition) = match list {
            ArticleList::Staff => (keys::KB_STAFF_LIST_INDEX, keys::KB_STAFF_LIST),
            ArticleList::Clients => (keys::KB_CLIENT_LIST_INDEX, keys::KB_CLIENT_LIST),
        };
        let mut query = self.index_query(index, partition, false, start, limit);
        if let Some(category) = category {
            query = query
                .key_condition_expression("#ipk = :partition AND begins_with(#isk, :category)")
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":category", s(keys::article_list_category(category)));
        }
        let out = query.send().await.context("listing articles")?;
        page(out.items, out.last_evaluated_key)
    }

    /// The entries of the articles `company` reads by name (one Query of up to 1 MB: about a
    /// thousand articles).
    pub async fn company_articles(&self, company: &CompanyId) -> anyhow::Result<Vec<ArticleEntry>> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":pk", s(keys::company_articles(company)))
            .send()
            .await
            .context("listing a company's articles")?;
        page(out.items, None).map(|p| p.items)
    }

    /// Up to `limit` word entries of the index for words starting with `prefix` (at least two
    /// characters): every article's (`Staff`) or those every client reads (`Clients`).
    pub async fn search_articles(
        &self,
        list: ArticleList,
        prefix: &str,
        limit: i32,
    ) -> anyhow::Result<Vec<ArticleEntry>> {
        let query = match list {
            ArticleList::Staff => {
                self.partition_query(&keys::article_word_partition(prefix, false), prefix)
            }
            ArticleList::Clients => {
                let index = keys::KB_CLIENT_WORDS_INDEX;
                self.index_query(
                    index,
                    &keys::article_word_partition(prefix, true),
                    false,
                    None,
                    limit,
                )
                .key_condition_expression("#ipk = :partition AND begins_with(#isk, :prefix)")
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":prefix", s(prefix))
            }
        };
        let out = query
            .limit(limit)
            .send()
            .await
            .context("searching articles")?;
        page(out.items, None).map(|p| p.items)
    }

    /// Every category with its counts (one Query), in key order.
    pub async fn article_categories(&self) -> anyhow::Result<Vec<CategoryCount>> {
        let out = self
            .partition_query(keys::KB_PARTITION, keys::KB_CATEGORY_PREFIX)
            .send()
            .await
            .context("listing categories")?;
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| CategoryCount {
                name: item
                    .get("name")
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default(),
                staff: item.get("staff").map(number).unwrap_or(0),
                clients: item.get("clients").map(number).unwrap_or(0),
            })
            .collect())
    }

    /// The `limit` most useful articles every client reads (pinned first), in one Query.
    pub async fn top_articles(&self, limit: i32) -> anyhow::Result<Vec<ArticleRow>> {
        let page: Page<ArticleRow> = self
            .index_page(keys::KB_TOP_INDEX, keys::KB_TOP, true, None, limit)
            .await?;
        Ok(page.items)
    }

    /// The cards of `ids`, in one BatchGetItem per 100 (missing ones left out).
    pub async fn article_rows(&self, ids: &[ArticleId]) -> anyhow::Result<Vec<ArticleRow>> {
        let mut rows = Vec::new();
        for chunk in ids.chunks(100) {
            let wanted: Vec<keys::Key> = chunk.iter().map(keys::article_card).collect();
            for item in self
                .batch_get_items(&wanted)
                .await
                .context("reading articles' cards")?
            {
                rows.push(from_item(item)?);
            }
        }
        Ok(rows)
    }
}

impl Store {
    /// One page of the articles a user of `company` reads, by category and title (one
    /// `category` or all): the clients' list, with the articles shown to `company` by name merged
    /// in where they sort (two Queries).
    pub async fn client_article_page(
        &self,
        company: &CompanyId,
        category: Option<&str>,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<ArticleCard>> {
        let sort_of = |item: &Item| {
            item.get(keys::KB_CLIENT_LIST_INDEX.sk)
                .and_then(|v| v.as_s().ok())
                .cloned()
        };
        let after = start.as_ref().and_then(sort_of);
        let listed = self
            .list_articles(ArticleList::Clients, category, start, limit)
            .await?;
        let until = listed.last_key.as_ref().and_then(sort_of);
        let wanted = category.map(keys::article_list_category);
        let mut rows: Vec<(String, ArticleCard)> = self
            .company_articles(company)
            .await?
            .into_iter()
            .map(|e| {
                let sort = keys::article_list_sort(&e.card.category, &e.card.title, &e.card.id);
                (sort, e.card)
            })
            .filter(|(sort, _)| {
                wanted.as_ref().is_none_or(|w| sort.starts_with(w))
                    && after.as_ref().is_none_or(|a| sort > a)
                    && until.as_ref().is_none_or(|u| sort <= u)
            })
            .collect();
        rows.extend(listed.items.into_iter().map(|r| {
            let sort = keys::article_list_sort(&r.card.category, &r.card.title, &r.card.id);
            (sort, r.card)
        }));
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(Page {
            items: rows.into_iter().map(|(_, card)| card).collect(),
            last_key: listed.last_key,
        })
    }
}
