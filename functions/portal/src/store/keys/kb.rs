//! The knowledge base's keys (docs/kb.md, "How it is stored"). Articles are the MSP's, not any
//! one client's, so they live in their own partitions:
//!
//! | item | pk | sk | indexes |
//! |---|---|---|---|
//! | article (content) | `KB` | `ART#{id}` | |
//! | kept revision | `KB` | `ARTREV#{id}#{rev:06}` | |
//! | card (list row, counters) | `KB` | `CARD#{id}` | gsi1 `KBL#S` (staff), gsi2 `KBL#A` (every client), sort `{category}#{title}#{id}`; gsi3 `KBT#A`, sort `{pinned}#{score}#{id}` |
//! | category counts | `KB` | `CAT#{category}` | |
//! | a named company's entry | `KBCO#{company}` | `{id}` | |
//! | word | `KBW#{first two letters}` | `{word}#{id}` | gsi4 `KBWA#{first two}` (every client), same sort |
//! | vote | `CO#{company}` | `KBVOTE#{id}#{user}` | |
//! | deflection mark | `CO#{company}` | `KBDEFL#{id}#{user}#{date}` | |
//!
//! Part of `keys`, which re-exports them.

use super::*;
use crate::domain::ArticleId;

pub const KB_PARTITION: &str = "KB";

/// The staff's list of every article, by category and title.
pub const KB_STAFF_LIST_INDEX: Index = INDEXES[0];
/// The list of the articles every client reads, by category and title.
pub const KB_CLIENT_LIST_INDEX: Index = INDEXES[1];
/// The articles every client reads, by pin and usefulness.
pub const KB_TOP_INDEX: Index = INDEXES[2];
/// The words of the articles every client reads.
pub const KB_CLIENT_WORDS_INDEX: Index = INDEXES[3];

pub const KB_STAFF_LIST: &str = "KBL#S";
pub const KB_CLIENT_LIST: &str = "KBL#A";
pub const KB_TOP: &str = "KBT#A";

fn kb(sk: String) -> Key {
    Key {
        pk: KB_PARTITION.into(),
        sk,
    }
}

pub fn article(id: &ArticleId) -> Key {
    kb(format!("ART#{id}"))
}

pub fn article_revision(id: &ArticleId, revision: u32) -> Key {
    kb(format!("{}{revision:06}", article_revision_prefix(id)))
}

pub fn article_revision_prefix(id: &ArticleId) -> String {
    format!("ARTREV#{id}#")
}

pub fn article_card(id: &ArticleId) -> Key {
    kb(format!("CARD#{id}"))
}

pub const KB_CATEGORY_PREFIX: &str = "CAT#";

pub fn article_category(category: &str) -> Key {
    kb(format!("{KB_CATEGORY_PREFIX}{}", category_key(category)))
}

/// A category as a key part: lower-cased, with `%` and `#` escaped so that a category never
/// reads as the start of another's (`c` and `c#`).
pub fn category_key(category: &str) -> String {
    category
        .to_lowercase()
        .replace('%', "%25")
        .replace('#', "%23")
}

/// Where an article sorts in a list: by category, then title.
pub fn article_list_sort(category: &str, title: &str, id: &ArticleId) -> String {
    format!("{}#{}#{id}", category_key(category), title.to_lowercase())
}

/// The sort-key prefix of one category's articles in a list.
pub fn article_list_category(category: &str) -> String {
    format!("{}#", category_key(category))
}

/// Where an article sorts among the most useful (read in reverse): pinned first, then by
/// score (offset so that a negative score sorts below zero).
pub fn article_rank(pinned: bool, score: i64, id: &ArticleId) -> String {
    let offset = (score + 1_000_000_000).clamp(0, 9_999_999_999);
    format!("{}#{offset:010}#{id}", u8::from(pinned))
}

/// The partition of the articles shown to `company` by name.
pub fn company_articles(company: &CompanyId) -> String {
    format!("KBCO#{company}")
}

pub fn company_article(company: &CompanyId, id: &ArticleId) -> Key {
    Key {
        pk: company_articles(company),
        sk: id.to_string(),
    }
}

/// A word's partition: by its first two characters (search terms have at least two).
pub fn article_word_partition(word: &str, clients: bool) -> String {
    let start: String = word.chars().take(2).collect();
    if clients {
        format!("KBWA#{start}")
    } else {
        format!("KBW#{start}")
    }
}

pub fn article_word(word: &str, id: &ArticleId) -> Key {
    Key {
        pk: article_word_partition(word, false),
        sk: article_word_sort(word, id),
    }
}

pub fn article_word_sort(word: &str, id: &ArticleId) -> String {
    format!("{word}#{id}")
}

/// The S3 object of an article's image (`file`: its id and extension).
pub fn article_image_object(id: &ArticleId, file: &str) -> String {
    format!("kb/{id}/{file}")
}

pub fn article_vote(company: &CompanyId, id: &ArticleId, user: &UserId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("KBVOTE#{id}#{user}"),
    }
}

/// A user's deflection by an article on one day (counted once).
pub fn article_deflection(
    company: &CompanyId,
    id: &ArticleId,
    user: &UserId,
    day: time::Date,
) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("KBDEFL#{id}#{user}#{day}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_never_reads_as_the_start_of_another() {
        let id = ArticleId::parse("a1").unwrap();
        let c_sharp = article_list_sort("C#", "Intro", &id);
        assert!(!c_sharp.starts_with(&article_list_category("C")));
        assert!(c_sharp.starts_with(&article_list_category("c#")));
    }

    #[test]
    fn ranks_sort_pinned_first_then_by_score() {
        let id = ArticleId::parse("a1").unwrap();
        let mut ranks = [
            article_rank(false, -3, &id),
            article_rank(true, 0, &id),
            article_rank(false, 12, &id),
            article_rank(false, 2, &id),
        ];
        ranks.sort();
        assert!(ranks[3].starts_with("1#"));
        assert!(ranks[2].contains("1000000012"));
        assert!(ranks[0].contains("0999999997"));
    }
}
