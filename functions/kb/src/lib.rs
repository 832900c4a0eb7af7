//! The knowledge base (issue 23). This first part is the article renderer: Markdown to sanitised
//! HTML on save (`markdown`). The routes, the store and the pages follow (docs/kb.md).

pub mod markdown;
