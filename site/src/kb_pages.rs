//! The knowledge base: the articles by category with a search (`/kb/`), an article with "Was this
//! helpful?" and "Still need help?" (`/kb/article/`), and the MSP's editor (`/kb/edit/`).

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, page};

const READERS: &str = "read_knowledge_base";
const WRITERS: &str = "manage_knowledge_base";

/// An article in a list: its title (a link), where it is filed, the start of its text; for the
/// MSP, its state and what readers did with it.
fn article_item() -> Markup {
    html! {
        template #article-item {
            li {
                h3 { a data-s="title" {} }
                p.muted.meta {
                    span data-s="category" {} " · Updated " span data-s="updated" {}
                    span data-s="staff" hidden { " · " span.badge data-s="status" {} " " span data-s="audience" {} " · " span data-s="counts" {} }
                }
                p data-s="excerpt" {}
            }
        }
    }
}

pub fn kb(b: &Branding) -> Markup {
    page(
        b,
        "Knowledge base",
        Chrome::SignedIn {
            current: "/kb/",
            requires: Some(READERS),
        },
        "kb.js",
        html! {
            div.page-head {
                h1 { "Knowledge base" }
                div.head-actions data-capability=(WRITERS) hidden {
                    a role="button" href="/kb/edit/" { "Write an article" }
                }
            }
            p.muted { "Answers to common questions from your IT team: search, or browse by category." }
            search aria-label="Search the knowledge base" {
                form #kb-search {
                    label for="kb-q" { "Search articles"
                        input #kb-q name="q" type="search" maxlength="100" placeholder="For example: printer offline";
                    }
                    div.actions {
                        button type="submit" { "Search" }
                        a.secondary role="button" href="/kb/" { "Clear" }
                    }
                }
            }
            div.library {
                nav aria-label="Categories" {
                    h2 { "Categories" }
                    ul #categories { li { a href="/kb/" aria-current="page" { "All articles" } } }
                }
                section aria-labelledby="results-heading" {
                    h2 #results-heading aria-live="polite" { "All articles" }
                    p.form-error #kb-error role="alert" {}
                    ul.kb-list #articles aria-busy="true" {}
                    button.secondary #articles-more type="button" hidden { "More articles" }
                }
            }
            (article_item())
        },
    )
}

pub fn kb_article(b: &Branding) -> Markup {
    page(
        b,
        "Article",
        Chrome::SignedIn {
            current: "/kb/",
            requires: Some(READERS),
        },
        "kb-article.js",
        html! {
            nav aria-label="Breadcrumb" {
                ul { li { a href="/kb/" { "Knowledge base" } } li { a #article-category href="/kb/" {} } }
            }
            p.form-error #article-error role="alert" {}
            p.low-alert #revision-note hidden {
                span #revision-text {} " "
                a #revision-back href="/kb/" { "Back to the current article" }
            }
            article.kb-article #article aria-busy="true" {
                h1 #article-title { "Article" }
                p.muted #article-meta {}
                div.kb-body #article-body {}
            }
            section #staff-tools aria-labelledby="staff-heading" data-capability=(WRITERS) hidden {
                h2 #staff-heading { "For the MSP" }
                p #article-state {}
                p #article-stats {}
                div.actions {
                    a role="button" #edit-article href="/kb/edit/" { "Edit" }
                    button.secondary #publish-article type="button" {}
                    button.secondary #pin-article type="button" {}
                }
                p #staff-status role="status" {}
                details #revisions {
                    summary { "Earlier versions" }
                    ul #revision-list {}
                }
            }
            section #helpful aria-labelledby="helpful-heading" hidden {
                h2 #helpful-heading { "Was this helpful?" }
                div.actions role="group" aria-labelledby="helpful-heading" {
                    button.secondary #vote-yes type="button" aria-pressed="false" { "Yes" }
                    button.secondary #vote-no type="button" aria-pressed="false" { "No" }
                }
                p #vote-status role="status" {}
            }
            section #need-help aria-labelledby="need-help-heading" data-capability="submit_ticket" hidden {
                h2 #need-help-heading { "Still need help?" }
                p { "Raise a ticket and we will take it from here." }
                a role="button" #raise-ticket href="/tickets/new/" { "Raise a ticket" }
            }
        },
    )
}

pub fn kb_edit(b: &Branding) -> Markup {
    page(
        b,
        "Write an article",
        Chrome::SignedIn {
            current: "/kb/",
            requires: Some(WRITERS),
        },
        "kb-edit.js",
        html! {
            h1 #edit-heading { "Write an article" }
            p.form-error #form-error role="alert" {}
            p #form-status role="status" {}
            form #article-form novalidate aria-busy="true" {
                (Field::input("title", "Title", "text").maxlength(200).required())
                (Field::input("category", "Category", "text").maxlength(60).required().help("Choose one already used, or name a new one"))
                datalist #category-names {}
                (Field::input("tags", "Tags (optional)", "text").help("Up to 10, separated by commas"))
                fieldset {
                    legend { "Who reads it" }
                    label { input type="radio" name="visibility" value="all_clients" checked aria-describedby="visibility-error"; " Every client" }
                    label { input type="radio" name="visibility" value="companies" aria-describedby="visibility-error"; " Chosen companies" }
                    label { input type="radio" name="visibility" value="internal" aria-describedby="visibility-error"; " Internal: MSP staff only" }
                    small.field-error #visibility-error {}
                }
                fieldset #companies-field hidden {
                    legend { "The companies that read it (up to 20)" }
                    div #company-choices {}
                    small.field-error #companies-error {}
                }
                (Field::textarea("body", "Article", 16).maxlength(50_000).required().help("Markdown: ## headings, **bold**, lists, [links](https://…), tables. HTML is cleaned out."))
                div #image-field {
                    label for="image-file" { "Add an image" }
                    input #image-file type="file" accept="image/png,image/jpeg,image/gif,image/webp" aria-describedby="image-help";
                    small #image-help { "PNG, JPEG, GIF or WebP up to 5 MB, put into the article where the cursor is. Save the article once before adding images." }
                    p #image-status role="status" {}
                }
                div.actions {
                    button type="submit" { "Save" }
                    a.secondary role="button" #cancel-edit href="/kb/" { "Cancel" }
                }
            }
        },
    )
}
