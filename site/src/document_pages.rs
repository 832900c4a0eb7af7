//! The document library: folders, search by name, newest first, each document's versions to
//! download; Full Admins and the MSP upload documents and new versions, and delete documents.

use maud::{Markup, html};

use crate::Branding;
use crate::components::{Chrome, Field, ListTable, page, scroll_region};
use portal::domain::documents::Visibility;
use portal::domain::labels::{Labelled, table};

pub fn documents(b: &Branding) -> Markup {
    page(
        b,
        "Documents",
        Chrome::SignedIn {
            current: "/documents/",
            requires: None,
        },
        "documents.js",
        html! {
            div.page-head {
                h1 #documents-heading { "Documents" }
                div.head-actions data-capability="manage_documents" hidden {
                    button #upload-document type="button" { "Upload a document" }
                }
            }
            p.muted { "Network diagrams, policies, guides and reports we keep for your company." }
            p #page-status role="status" {}
            div #company-filter hidden {
                (Field::select("company", "Client company", &[("", "Choose…")]))
            }
            p #company-needed hidden { "Choose a client company to see its documents." }
            div.library #library {
                nav aria-label="Folders" {
                    h2 { "Folders" }
                    ul #folders { li { a href="?" aria-current="page" { "All documents" } } }
                }
                div {
                    search aria-label="Search documents" {
                        form #filters {
                            label for="filter-q" { "Name contains"
                                input #filter-q name="q" type="search" maxlength="100";
                            }
                            div.actions {
                                button type="submit" { "Search" }
                                a.secondary role="button" href="?" { "Clear" }
                            }
                        }
                    }
                    (ListTable {
                        id: "documents",
                        caption: "Documents, newest first",
                        columns: &[
                            ("name", "Name"), ("folder", "Folder"), ("visibility", "Who sees it"),
                            ("version", "Version"), ("updated", "Updated"), ("size", "Size"), ("actions", "Versions"),
                        ],
                    })
                }
            }
            dialog #upload-dialog aria-labelledby="upload-title" {
                article {
                    h2 #upload-title { "Upload a document" }
                    p.form-error #upload-error role="alert" {}
                    p #upload-status role="status" {}
                    form #upload-form novalidate {
                        label for="upload-file" { "File"
                            input #upload-file name="file" type="file" required;
                        }
                        small { "Office documents, PDFs, images, text, archives or saved emails, up to the size your MSP allows." }
                        (Field::input("name", "Name (optional: the file's name)", "text").maxlength(150))
                        (Field::input("folder", "Folder", "text").maxlength(60).help("A new name makes a new folder"))
                        datalist #folder-names {}
                        (Field::select("visibility", "Who sees it", &table(<Visibility as Labelled>::ALL)))
                        footer {
                            button.secondary #upload-cancel type="button" { "Cancel" }
                            button type="submit" { "Upload" }
                        }
                    }
                }
            }
            dialog #versions-dialog aria-labelledby="versions-title" {
                article {
                    h2 #versions-title { "Versions" }
                    p.form-error #versions-error role="alert" {}
                    p #versions-status role="status" {}
                    (scroll_region("versions-caption", html! {
                        table #versions-table {
                            caption #versions-caption { "Every version, newest first" }
                            thead { tr {
                                th scope="col" { "Version" } th scope="col" { "File" }
                                th scope="col" { "Uploaded" } th scope="col" { "By" } th scope="col" { "Size" }
                            } }
                            tbody {}
                        }
                    }))
                    form #version-form novalidate data-capability="manage_documents" hidden {
                        label for="version-file" { "Upload a new version"
                            input #version-file name="file" type="file" required;
                        }
                        button type="submit" { "Upload the new version" }
                    }
                    footer {
                        button.secondary #delete-document type="button" data-capability="manage_documents" hidden { "Delete this document" }
                        button.secondary #versions-close type="button" { "Close" }
                    }
                }
            }
        },
    )
}
