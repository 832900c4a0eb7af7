//! An article as stored and read: its content (the Markdown and the HTML rendered from it on
//! save), its state (draft or published), its earlier versions, the card the lists show with its
//! counters (votes, deflections, pin), and the words the search index keeps.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{ArticleFields, ArticleVisibility};
use crate::domain::{ArticleId, CompanyId};

/// Most words of an article the search index keeps: every word of the title, then its tags',
/// then the body's most frequent (common English words left out). The index items of one
/// article are written in the transaction that saves it (docs/kb.md).
pub const MAX_WORDS: usize = 24;
/// The longest word indexed (longer ones are cut; a search for their start still finds them).
pub const MAX_WORD_LEN: usize = 32;
/// The excerpt the lists show, in characters.
pub const EXCERPT_LEN: usize = 200;

/// Whether clients read an article yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Staff only, whatever its visibility.
    Draft,
    /// Read by those its visibility names.
    Published,
}

/// An article with its content, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Article {
    #[schema(value_type = String)]
    pub id: ArticleId,
    #[serde(flatten)]
    pub fields: ArticleFields,
    /// The body rendered and sanitised on save: safe to put in a page as it is.
    pub html: String,
    pub excerpt: String,
    /// The words the search index keeps for it.
    pub words: Vec<String>,
    pub status: ArticleStatus,
    /// Counts every change (content, publishing); a change names the one it read.
    pub version: u64,
    /// Counts the content's versions (1 when written); earlier ones are kept.
    pub revision: u32,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    /// Who saved the current content.
    pub updated_by: String,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub published_at: Option<OffsetDateTime>,
}

/// The content as saved at one revision, kept when the article changes (staff read them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleRevision {
    #[schema(value_type = String)]
    pub article_id: ArticleId,
    pub revision: u32,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub body: String,
    pub html: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub saved_at: OffsetDateTime,
    pub saved_by: String,
}

/// A kept revision as the list of them shows it (its content left out).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RevisionSummary {
    pub revision: u32,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub saved_at: OffsetDateTime,
    pub saved_by: String,
}

/// What readers did with an article: kept apart from its content, so a vote never conflicts
/// with an edit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArticleStats {
    /// "Was this helpful?" yes, once per user.
    pub helpful: u64,
    /// … and no.
    pub unhelpful: u64,
    /// Opened as a suggestion while raising a ticket that was then not raised.
    pub deflections: u64,
    /// Pinned by the MSP: first on the clients' home pages.
    pub pinned: bool,
    /// Counts every change of the above (a change names the one it read).
    pub stamp: u64,
}

impl ArticleStats {
    /// How useful readers found it: yes votes and deflections, less no votes.
    pub fn score(&self) -> i64 {
        self.helpful as i64 + self.deflections as i64 - self.unhelpful as i64
    }

    /// The counts after a user's vote `now`, their earlier one being `before`.
    pub fn voted(mut self, before: Option<bool>, now: bool) -> Self {
        match before {
            Some(true) => self.helpful -= 1,
            Some(false) => self.unhelpful -= 1,
            None => {}
        }
        if now {
            self.helpful += 1;
        } else {
            self.unhelpful += 1;
        }
        self.stamp += 1;
        self
    }
}

/// An article as the lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleCard {
    #[schema(value_type = String)]
    pub id: ArticleId,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub excerpt: String,
    pub status: ArticleStatus,
    pub visibility: ArticleVisibility,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// A list row with what readers did with it (staff lists and the most useful).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleRow {
    #[serde(flatten)]
    pub card: ArticleCard,
    #[serde(flatten)]
    pub stats: ArticleStats,
}

/// A card with the article's indexed words: what the search index and a named company's list
/// hold, so a search is matched without reading the articles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleEntry {
    #[serde(flatten)]
    pub card: ArticleCard,
    pub words: Vec<String>,
}

impl Article {
    /// A new draft, revision 1.
    pub fn new(
        id: ArticleId,
        fields: ArticleFields,
        html: String,
        text: &str,
        now: OffsetDateTime,
        by: &str,
    ) -> Self {
        Article {
            id,
            excerpt: excerpt(text),
            words: keywords(&fields.title, &fields.tags, text),
            fields,
            html,
            status: ArticleStatus::Draft,
            version: 1,
            revision: 1,
            created_at: now,
            updated_at: now,
            updated_by: by.to_owned(),
            published_at: None,
        }
    }

    /// The article with new content: the next revision (the caller keeps the earlier one).
    pub fn rewritten(
        &self,
        fields: ArticleFields,
        html: String,
        text: &str,
        now: OffsetDateTime,
        by: &str,
    ) -> Self {
        Article {
            excerpt: excerpt(text),
            words: keywords(&fields.title, &fields.tags, text),
            fields,
            html,
            version: self.version + 1,
            revision: self.revision + 1,
            updated_at: now,
            updated_by: by.to_owned(),
            ..self.clone()
        }
    }

    /// The article published or back to a draft (its content unchanged).
    pub fn with_status(&self, status: ArticleStatus, now: OffsetDateTime) -> Self {
        Article {
            status,
            version: self.version + 1,
            published_at: match status {
                ArticleStatus::Published => self.published_at.or(Some(now)),
                ArticleStatus::Draft => self.published_at,
            },
            ..self.clone()
        }
    }

    /// Whether a user of `company` reads it (`staff`: MSP staff read every article, drafts too).
    pub fn visible_to(&self, company: &CompanyId, staff: bool) -> bool {
        staff || self.status == ArticleStatus::Published && self.fields.visible_to(company, false)
    }

    /// Whether every client reads it (published, for all clients).
    pub fn for_all_clients(&self) -> bool {
        self.status == ArticleStatus::Published
            && self.fields.visibility == ArticleVisibility::AllClients
    }

    /// The companies that read it by name (published, for chosen companies).
    pub fn named_companies(&self) -> &[CompanyId] {
        match (self.status, self.fields.visibility) {
            (ArticleStatus::Published, ArticleVisibility::Companies) => &self.fields.companies,
            _ => &[],
        }
    }

    pub fn card(&self) -> ArticleCard {
        ArticleCard {
            id: self.id.clone(),
            title: self.fields.title.clone(),
            category: self.fields.category.clone(),
            tags: self.fields.tags.clone(),
            excerpt: self.excerpt.clone(),
            status: self.status,
            visibility: self.fields.visibility,
            updated_at: self.updated_at,
        }
    }

    pub fn entry(&self) -> ArticleEntry {
        ArticleEntry {
            card: self.card(),
            words: self.words.clone(),
        }
    }

    /// The current content as a revision to keep.
    pub fn revision_record(&self) -> ArticleRevision {
        ArticleRevision {
            article_id: self.id.clone(),
            revision: self.revision,
            title: self.fields.title.clone(),
            category: self.fields.category.clone(),
            tags: self.fields.tags.clone(),
            body: self.fields.body.clone(),
            html: self.html.clone(),
            saved_at: self.updated_at,
            saved_by: self.updated_by.clone(),
        }
    }
}

/// Common English words the index leaves out (nobody searches for them).
const COMMON: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been",
    "but", "by", "can", "do", "does", "each", "for", "from", "has", "have", "how", "if", "in",
    "into", "is", "it", "its", "may", "more", "no", "not", "of", "on", "one", "or", "our", "out",
    "so", "some", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
    "to", "up", "us", "was", "we", "were", "what", "when", "which", "will", "with", "you", "your",
];

/// Lower-cased words of `text` (letters and digits, at least two characters, cut at
/// `MAX_WORD_LEN`), in order.
pub fn words_of(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter_map(|w| {
        let w: String = w.to_lowercase().chars().take(MAX_WORD_LEN).collect();
        (w.chars().count() >= 2).then_some(w)
    })
}

/// The words the index keeps: the title's, the tags', then the body's most frequent (common
/// words left out; ties in order of first appearance), at most `MAX_WORDS`, no repeats.
pub fn keywords(title: &str, tags: &[String], body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let add = |w: String, out: &mut Vec<String>| {
        if out.len() < MAX_WORDS && !out.contains(&w) {
            out.push(w);
        }
    };
    let telling = |w: &String| !COMMON.contains(&w.as_str());
    for w in words_of(title).filter(telling) {
        add(w, &mut out);
    }
    for tag in tags {
        for w in words_of(tag).filter(telling) {
            add(w, &mut out);
        }
    }
    let mut counts: Vec<(String, usize)> = Vec::new();
    for w in words_of(body).filter(telling) {
        match counts.iter_mut().find(|(seen, _)| *seen == w) {
            Some((_, n)) => *n += 1,
            None => counts.push((w, 1)),
        }
    }
    // Stable: equal counts keep the order they first appeared in.
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    for (w, _) in counts {
        add(w, &mut out);
    }
    out
}

/// The start of the article's text, cut at a word, with an ellipsis when cut.
pub fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_LEN {
        return text.to_owned();
    }
    let cut: String = text.chars().take(EXCERPT_LEN).collect();
    let cut = match cut.rfind(' ') {
        Some(at) if at > EXCERPT_LEN / 2 => &cut[..at],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

/// Whether every searched word starts one of an article's indexed `words`.
pub fn matches_all(searched: &[String], words: &[String]) -> bool {
    searched
        .iter()
        .all(|s| words.iter().any(|w| w.starts_with(s.as_str())))
}

/// How many of the searched words start one of an article's indexed `words` (suggestions rank
/// by it).
pub fn matching(searched: &[String], words: &[String]) -> usize {
    searched
        .iter()
        .filter(|s| words.iter().any(|w| w.starts_with(s.as_str())))
        .count()
}

/// The words of a search box or a ticket's summary worth looking up: no common words, no
/// repeats, longest first (the most telling), at most `limit`.
pub fn searched_words(text: &str, limit: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in words_of(text).filter(|w| !COMMON.contains(&w.as_str())) {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_take_the_title_then_tags_then_the_bodys_most_frequent() {
        let tags = vec!["vpn".to_owned(), "remote work".to_owned()];
        let words = keywords(
            "Connect to the VPN",
            &tags,
            "Open the client. The client asks for your password; the password is your email \
             password. Then the client connects.",
        );
        assert_eq!(&words[..5], ["connect", "vpn", "remote", "work", "client"]);
        assert_eq!(words[5], "password", "three times, after client's three");
        assert!(!words.contains(&"your".to_owned()), "common words stay out");
        assert!(!words.contains(&"the".to_owned()), "even from the title");
        let long: String = (0..100).map(|i| format!("word{i} ")).collect();
        assert_eq!(keywords("Title", &[], &long).len(), MAX_WORDS);
    }

    #[test]
    fn excerpts_are_cut_at_a_word() {
        assert_eq!(excerpt("Short."), "Short.");
        let long = "lorem ipsum ".repeat(40);
        let e = excerpt(&long);
        assert!(
            e.ends_with('…') && e.chars().count() <= EXCERPT_LEN + 1,
            "{e}"
        );
        assert!(
            e.trim_end_matches('…').ends_with("ipsum")
                || e.trim_end_matches('…').ends_with("lorem")
        );
    }

    #[test]
    fn searches_match_word_starts() {
        let words: Vec<String> = ["printer", "offline", "windows"].map(String::from).into();
        assert!(matches_all(&["print".into(), "win".into()], &words));
        assert!(!matches_all(&["print".into(), "mac".into()], &words));
        assert_eq!(matching(&["print".into(), "mac".into()], &words), 1);
        assert_eq!(
            searched_words("The printer is offline again, printer!", 3),
            ["printer", "offline", "again"]
        );
    }

    #[test]
    fn votes_move_the_counts_once() {
        let s = ArticleStats::default().voted(None, true);
        assert_eq!((s.helpful, s.unhelpful, s.score()), (1, 0, 1));
        let s = s.voted(Some(true), false);
        assert_eq!((s.helpful, s.unhelpful, s.score()), (0, 1, -1));
        assert_eq!(s.stamp, 2);
    }
}
