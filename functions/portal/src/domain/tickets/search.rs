//! Ticket search: the words of a ticket the word index keeps (its summary's, then its
//! description's), and what a search box asks for (a ticket number, or words that must all start
//! one of those words).

/// Longest word indexed for search; most words indexed per summary, and per ticket (the
/// description's fill what the summary leaves).
pub const MAX_WORD_LEN: usize = 32;
pub const MAX_WORDS: usize = 20;
pub const MAX_TICKET_WORDS: usize = 24;

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

/// The words of a ticket the search index holds: its summary's, then its description's that are
/// new, up to `MAX_TICKET_WORDS` in all.
pub fn ticket_words(summary: &str, description: &str) -> Vec<String> {
    let mut all = summary_words(summary);
    for word in words(description) {
        if all.len() == MAX_TICKET_WORDS {
            break;
        }
        if !all.contains(&word) {
            all.push(word);
        }
    }
    all
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

    /// Whether every searched word starts one of the words the index keeps of a ticket with this
    /// `summary` and `description`.
    pub fn matches(words: &[String], summary: &str, description: &str) -> bool {
        let have = ticket_words(summary, description);
        words
            .iter()
            .all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
    }
}
