//! Ticket search: the words of a summary the word index keeps, and what a search box asks for (a
//! ticket number, or words that must all start a word of the summary).

/// Longest word indexed for search, and most words indexed per summary.
pub const MAX_WORD_LEN: usize = 32;
pub const MAX_WORDS: usize = 20;

/// Lower-cased words of `text` (letters and digits), each at least two characters, cut at
/// `MAX_WORD_LEN`, in order of first appearance, without repeats.
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        let word: String = word.to_lowercase().chars().take(MAX_WORD_LEN).collect();
        if word.chars().count() >= 2 && !out.contains(&word) {
            out.push(word);
        }
    }
    out
}

/// The words of a summary the search index holds.
pub fn summary_words(summary: &str) -> Vec<String> {
    let mut words = words(summary);
    words.truncate(MAX_WORDS);
    words
}

/// What a search box holds: a ticket number (`1042` or `#1042`) or words.
#[derive(Debug, PartialEq)]
pub enum Search {
    Number(u64),
    Words(Vec<String>),
    /// No number and no word the index keeps (two characters or more): it finds nothing.
    Nothing,
}

impl Search {
    /// `None` for an empty search.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let digits = raw.strip_prefix('#').unwrap_or(raw).trim();
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            return Some(match digits.parse::<u64>() {
                Ok(n) => Search::Number(n),
                Err(_) => Search::Number(0),
            });
        }
        let words = words(raw);
        Some(if words.is_empty() {
            Search::Nothing
        } else {
            Search::Words(words)
        })
    }

    /// Whether every searched word starts one of the words of `summary`.
    pub fn matches(words: &[String], summary: &str) -> bool {
        let have = self::words(summary);
        words
            .iter()
            .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
    }
}
