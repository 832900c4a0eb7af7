//! An article's Markdown, rendered to HTML once when it is saved: `pulldown-cmark` turns it into
//! HTML, then `ammonia` keeps only what an article needs. The author never reaches the page with
//! HTML of their own: raw HTML in the Markdown goes through the same sanitiser, so a `<script>`,
//! an event handler, a `style`, a `javascript:` link or a frame is dropped whatever way it was
//! written. Images are the knowledge base's own (served from the portal's origin, as the CSP
//! allows); links open to http, https and mailto only, and never take the page's context.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Options, Parser, html};

/// Where an article's images are served from (same origin: the CSP's `img-src 'self'`).
pub const IMAGE_PATH: &str = "/api/kb/images/";

/// The elements an article may use.
const TAGS: &[&str] = &[
    "a",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The sanitiser: the tags above, `href` on links (http, https, mailto, or a path of the portal),
/// `src` and `alt` on images (the knowledge base's own images only), a list's start; nothing
/// else — no `style`, no `class`, no `id`, no event handler, no comment.
fn sanitiser() -> Builder<'static> {
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", HashSet::from(["href", "title"]));
    attributes.insert("img", HashSet::from(["src", "alt", "title"]));
    attributes.insert("ol", HashSet::from(["start"]));
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(HashSet::from(["script", "style"]))
        .tag_attributes(attributes)
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        .url_relative(UrlRelative::PassThrough)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            // Only the knowledge base's own images: anything else would load from elsewhere
            // (the CSP refuses it anyway) or track the reader.
            ("img", "src") => value
                .starts_with(IMAGE_PATH)
                .then_some(Cow::Borrowed(value)),
            // A relative link stays within the portal: a path, never `//host` (another site).
            ("a", "href") if !value.contains(':') => {
                (value.starts_with('/') && !value.starts_with("//") || value.starts_with('#'))
                    .then_some(Cow::Borrowed(value))
            }
            _ => Some(Cow::Borrowed(value)),
        });
    builder
}

/// The HTML of `markdown`, safe to put in a page.
pub fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    sanitiser().clean(&unsafe_html).to_string()
}

/// The words of `markdown` as a reader sees them (for the search index and excerpts): the text of
/// the rendered article, tags and markup left out.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        use pulldown_cmark::Event::*;
        use pulldown_cmark::TagEnd as E;
        match event {
            Text(t) | Code(t) => text.push_str(&t),
            // Blocks end a word; emphasis and links do not.
            SoftBreak | HardBreak => text.push(' '),
            End(
                E::Paragraph
                | E::Heading(_)
                | E::BlockQuote(_)
                | E::CodeBlock
                | E::Item
                | E::TableCell
                | E::HtmlBlock,
            ) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
