//! The document keys (docs/configurations.md, "Documents"): a document (its versions inside it)
//! and its folder's counts under the company; list indexes per audience (everyone, admins, MSP
//! staff), all folders and one folder, newest first; the S3 object of each version. Part of
//! `keys`, which re-exports them.

use super::*;
use crate::domain::DocumentId;
use crate::domain::documents::{Audience, Document};

/// A document.
pub fn document(company: &CompanyId, id: &DocumentId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("DOC#{id}"),
    }
}

/// A folder's document counts, per audience (`u`, `a`, `s`), and its name.
pub fn document_folder(company: &CompanyId, folder: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{DOCUMENT_FOLDER_PREFIX}{}", folder.to_lowercase()),
    }
}

pub const DOCUMENT_FOLDER_PREFIX: &str = "DOCFOLDER#";

/// The S3 object of a document's file.
pub fn document_object(company: &CompanyId, id: &DocumentId, file_id: &str) -> String {
    format!("{company}/documents/{id}/{file_id}")
}

/// The list index of `audience`, all folders (gsi1–3) or one folder (gsi4–6).
pub fn document_index(audience: Audience, one_folder: bool) -> Index {
    let base = match audience {
        Audience::Users => 0,
        Audience::Admins => 1,
        Audience::Staff => 2,
    };
    INDEXES[base + if one_folder { 3 } else { 0 }]
}

/// The partition of `company`'s documents that `audience` reads, in `folder` or all.
pub fn document_partition(company: &CompanyId, audience: Audience, folder: Option<&str>) -> String {
    match folder {
        None => format!("DOCL#{company}#{}", audience.code()),
        Some(f) => format!("DOCF#{company}#{}#{}", audience.code(), f.to_lowercase()),
    }
}

/// Every index entry of `d`: in each list of each audience that reads it, newest first.
pub fn document_entries(d: &Document) -> Vec<(Index, String, String)> {
    let sort = format!(
        "{}#{}",
        d.updated_at.unix_timestamp_nanos() / 1_000_000,
        d.id
    );
    let mut entries = Vec::new();
    for audience in Audience::of(d.visibility) {
        entries.push((
            document_index(audience, false),
            document_partition(&d.company_id, audience, None),
            sort.clone(),
        ));
        entries.push((
            document_index(audience, true),
            document_partition(&d.company_id, audience, Some(&d.folder)),
            sort.clone(),
        ));
    }
    entries
}
