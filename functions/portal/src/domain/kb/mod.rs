//! Knowledge base articles (issue 23, docs/kb.md): written by MSP staff in Markdown, with a title,
//! a category, tags and a visibility — every client, chosen companies, or internal (MSP staff
//! only). What a writer sends is checked here; the `kb` function renders and sanitises the
//! Markdown on save, so the stored HTML is what every reader gets.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::validate;
use super::{CompanyId, DomainError, FieldError};

mod article;
pub use article::*;

pub const MAX_TITLE: usize = 200;
pub const MAX_CATEGORY: usize = 60;
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG: usize = 30;
/// The longest article, in characters of Markdown (well inside an item with its rendered HTML).
pub const MAX_BODY: usize = 50_000;
/// Most companies an article may be shown to by name (more: show it to every client). Each named
/// company keeps a list entry, written in the one transaction that saves the article.
pub const MAX_COMPANIES: usize = 20;

/// Who reads an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleVisibility {
    /// Every client company's users (and MSP staff).
    AllClients,
    /// The users of the companies named in `companies` (and MSP staff).
    Companies,
    /// MSP staff only: never listed, searched, suggested or served to a client.
    Internal,
}

/// What a writer sends to create or change an article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleBody {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 60)]
    pub category: String,
    /// Up to 10 words or short phrases (each ≤ 30 characters); repeats are dropped.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub tags: Vec<String>,
    /// The article in Markdown (HTML in it is sanitised like the rest).
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
    pub visibility: ArticleVisibility,
    /// The client companies that read it, with `visibility: companies`.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub companies: Vec<String>,
    /// A change: the version read (a stale one is a 409).
    pub version: Option<u64>,
}

/// An article's fields, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleFields {
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    /// The Markdown as written.
    pub body: String,
    pub visibility: ArticleVisibility,
    #[schema(value_type = Vec<String>)]
    pub companies: Vec<CompanyId>,
}

impl ArticleBody {
    /// The fields, trimmed and checked; a 422 names each bad one.
    pub fn validated(self) -> Result<ArticleFields, DomainError> {
        let mut errors = Vec::new();
        let title = validate::text("title", &self.title, MAX_TITLE, &mut errors);
        if title.is_empty() {
            errors.push(FieldError::new("title", "Give the article a title"));
        }
        let category = validate::text("category", &self.category, MAX_CATEGORY, &mut errors);
        if category.is_empty() {
            errors.push(FieldError::new("category", "Choose or name a category"));
        }
        let mut tags: Vec<String> = Vec::new();
        for raw in &self.tags {
            let tag = raw.trim().to_lowercase();
            if tag.is_empty() {
                continue;
            }
            if tag.chars().count() > MAX_TAG || tag.chars().any(char::is_control) {
                errors.push(FieldError::new(
                    "tags",
                    format!("Keep each tag to {MAX_TAG} characters"),
                ));
                break;
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            errors.push(FieldError::new("tags", format!("At most {MAX_TAGS} tags")));
        }
        if self.body.chars().count() > MAX_BODY {
            errors.push(FieldError::new(
                "body",
                format!("Keep the article to {MAX_BODY} characters"),
            ));
        }
        let body = self.body.trim().to_owned();
        if body.is_empty() {
            errors.push(FieldError::new("body", "Write the article"));
        }
        let mut companies = Vec::new();
        for raw in &self.companies {
            match CompanyId::parse(raw.trim()) {
                Ok(id) if !companies.contains(&id) => companies.push(id),
                Ok(_) => {}
                Err(_) => {
                    errors.push(FieldError::new(
                        "companies",
                        "Choose companies from the list",
                    ));
                    break;
                }
            }
        }
        let named_badly = errors.iter().any(|e| e.field == "companies");
        match self.visibility {
            _ if named_badly => {}
            ArticleVisibility::Companies if companies.is_empty() => errors.push(FieldError::new(
                "companies",
                "Choose the companies that read it, or show it to every client",
            )),
            ArticleVisibility::Companies if companies.len() > MAX_COMPANIES => {
                errors.push(FieldError::new(
                    "companies",
                    format!("At most {MAX_COMPANIES} companies: show it to every client instead"),
                ))
            }
            ArticleVisibility::AllClients | ArticleVisibility::Internal
                if !companies.is_empty() =>
            {
                errors.push(FieldError::new(
                    "companies",
                    "Companies are named only for an article shown to chosen companies",
                ))
            }
            _ => {}
        }
        validate::done(errors)?;
        Ok(ArticleFields {
            title,
            category,
            tags,
            body,
            visibility: self.visibility,
            companies,
        })
    }
}

impl ArticleFields {
    /// Whether a user of `company` reads it (`staff`: MSP staff read every article).
    pub fn visible_to(&self, company: &CompanyId, staff: bool) -> bool {
        staff
            || match self.visibility {
                ArticleVisibility::AllClients => true,
                ArticleVisibility::Companies => self.companies.contains(company),
                ArticleVisibility::Internal => false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(visibility: ArticleVisibility, companies: &[&str]) -> ArticleBody {
        ArticleBody {
            title: "  Reset your password ".into(),
            category: "Accounts".into(),
            tags: vec![
                "Password".into(),
                " password ".into(),
                "".into(),
                "MFA".into(),
            ],
            body: "## Steps\n\n1. Open Settings".into(),
            visibility,
            companies: companies.iter().map(|c| (*c).to_owned()).collect(),
            version: None,
        }
    }

    fn fields_of(result: Result<ArticleFields, DomainError>) -> Vec<String> {
        match result {
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn an_article_is_trimmed_its_tags_lowered_and_deduplicated() {
        let a = body(ArticleVisibility::AllClients, &[])
            .validated()
            .unwrap();
        assert_eq!(a.title, "Reset your password");
        assert_eq!(a.tags, ["password", "mfa"]);
        let acme = CompanyId::parse("acme-dental").unwrap();
        assert!(a.visible_to(&acme, false));
    }

    #[test]
    fn visibility_decides_who_reads_it() {
        let acme = CompanyId::parse("acme-dental").unwrap();
        let globex = CompanyId::parse("globex-logistics").unwrap();
        let chosen = body(
            ArticleVisibility::Companies,
            &["acme-dental", "acme-dental"],
        )
        .validated()
        .unwrap();
        assert_eq!(chosen.companies.len(), 1);
        assert!(chosen.visible_to(&acme, false));
        assert!(!chosen.visible_to(&globex, false));
        assert!(chosen.visible_to(&globex, true), "staff read every article");
        let internal = body(ArticleVisibility::Internal, &[]).validated().unwrap();
        assert!(!internal.visible_to(&acme, false));
        assert!(internal.visible_to(&acme, true));
    }

    #[test]
    fn bad_articles_name_each_field() {
        let mut bad = body(ArticleVisibility::Companies, &[]);
        bad.title = " ".into();
        bad.category = "x".repeat(MAX_CATEGORY + 1);
        bad.tags = (0..11).map(|i| format!("t{i}")).collect();
        bad.body = "\n".into();
        assert_eq!(
            fields_of(bad.validated()),
            ["title", "category", "tags", "body", "companies"]
        );
        assert_eq!(
            fields_of(body(ArticleVisibility::Internal, &["acme-dental"]).validated()),
            ["companies"]
        );
        assert_eq!(
            fields_of(body(ArticleVisibility::Companies, &["Not a company!"]).validated()),
            ["companies"]
        );
        let mut long_tag = body(ArticleVisibility::AllClients, &[]);
        long_tag.tags = vec!["x".repeat(MAX_TAG + 1)];
        assert_eq!(fields_of(long_tag.validated()), ["tags"]);
    }
}
