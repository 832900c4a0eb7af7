//! Documents (issue 21, docs/configurations.md "Documents"): a client company's library of files
//! — network diagrams, policies, onboarding guides, reports — in folders, each with a visibility
//! (all the company's users, its admins only, or the MSP's internal ones) and every earlier
//! version kept. The files themselves are in S3, uploaded and downloaded with presigned requests.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::validate::{self, schema};
use super::{CompanyId, DocumentId, DomainError, FieldError};

/// Longest folder and document name.
pub const MAX_FOLDER: usize = 60;
pub const MAX_NAME: usize = 150;
/// Most versions a document keeps (a newer one beyond it is refused: upload a new document).
pub const MAX_VERSIONS: usize = 100;
/// The folder of a document filed nowhere else.
pub const DEFAULT_FOLDER: &str = "General";

/// Who may read a document of the company.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Every portal user of the company.
    AllUsers,
    /// The company's Full Admins (and MSP staff).
    AdminsOnly,
    /// MSP staff only: never listed or served to a client.
    Internal,
}

impl Visibility {
    pub const ALL: [Self; 3] = [Self::AllUsers, Self::AdminsOnly, Self::Internal];
    pub fn label(self) -> &'static str {
        match self {
            Self::AllUsers => "All users",
            Self::AdminsOnly => "Admins only",
            Self::Internal => "Internal (MSP only)",
        }
    }
    /// Whether `audience` reads documents of this visibility.
    pub fn seen_by(self, audience: Audience) -> bool {
        match self {
            Self::AllUsers => true,
            Self::AdminsOnly => audience != Audience::Users,
            Self::Internal => audience == Audience::Staff,
        }
    }
}

/// Whose documents a reader sees: everyone's, admins', or (MSP staff) all of them. Each has its
/// own list index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    Users,
    Admins,
    Staff,
}

impl Audience {
    pub const ALL: [Self; 3] = [Self::Users, Self::Admins, Self::Staff];
    /// The audiences that read a document of `visibility`.
    pub fn of(visibility: Visibility) -> impl Iterator<Item = Audience> {
        Self::ALL
            .into_iter()
            .filter(move |a| visibility.seen_by(*a))
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Users => "u",
            Self::Admins => "a",
            Self::Staff => "s",
        }
    }
}

/// One version of a document's file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DocumentVersion {
    /// 1, 2, 3, …
    pub number: u32,
    /// The file's id (its object in S3).
    pub file_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub uploaded_by_name: String,
    /// Whether MSP staff uploaded it.
    pub from_msp: bool,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub uploaded_at: OffsetDateTime,
}

/// A document of a client company, with all its versions (the newest last).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Document {
    pub id: DocumentId,
    pub company_id: CompanyId,
    pub name: String,
    pub folder: String,
    pub visibility: Visibility,
    pub versions: Vec<DocumentVersion>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

impl Document {
    /// The newest version.
    pub fn latest(&self) -> Option<&DocumentVersion> {
        self.versions.last()
    }
    /// Version `number`.
    pub fn file(&self, number: u32) -> Option<&DocumentVersion> {
        self.versions.iter().find(|v| v.number == number)
    }
}

/// A folder, and how many documents of it a reader sees.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Folder {
    pub name: String,
    pub documents: u64,
}

/// A folder name, checked: trimmed, one line, 1–`MAX_FOLDER` characters; blank is
/// `DEFAULT_FOLDER`.
pub fn folder(raw: Option<&str>, errors: &mut Vec<FieldError>) -> String {
    let v = validate::text("folder", raw.unwrap_or(""), MAX_FOLDER, errors);
    if v.contains(['\n', '\r']) {
        errors.push(FieldError::new(
            "folder",
            "Keep the folder's name on one line",
        ));
    }
    if v.is_empty() {
        DEFAULT_FOLDER.to_owned()
    } else {
        v
    }
}

/// A document's name, checked like a folder's; blank is `fallback` (the file's name).
pub fn name(raw: Option<&str>, fallback: &str, errors: &mut Vec<FieldError>) -> String {
    let v = validate::text("name", raw.unwrap_or(""), MAX_NAME, errors);
    if v.contains(['\n', '\r']) {
        errors.push(FieldError::new("name", "Keep the name on one line"));
    }
    if v.is_empty() { fallback.to_owned() } else { v }
}

/// What `PATCH /api/documents/{id}` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentChange {
    #[schema(schema_with = name_schema)]
    pub name: String,
    #[schema(schema_with = folder_schema)]
    pub folder: String,
    pub visibility: Visibility,
    /// The version read.
    pub version: u64,
}

pub fn name_schema() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_NAME, schema::Chars::NoControls)
}
pub fn folder_schema() -> utoipa::openapi::schema::Object {
    schema::text(false, MAX_FOLDER, schema::Chars::NoControls)
}

impl DocumentChange {
    /// The checked name and folder.
    pub fn check(&self) -> Result<(String, String), DomainError> {
        let mut errors = Vec::new();
        let name = name(Some(&self.name), "", &mut errors);
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter a name"));
        }
        let folder = folder(Some(&self.folder), &mut errors);
        validate::done(errors)?;
        Ok((name, folder))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_audience_reads_its_visibilities() {
        let seen = |v| Audience::of(v).collect::<Vec<_>>();
        assert_eq!(seen(Visibility::AllUsers), Audience::ALL);
        assert_eq!(
            seen(Visibility::AdminsOnly),
            [Audience::Admins, Audience::Staff]
        );
        assert_eq!(seen(Visibility::Internal), [Audience::Staff]);
    }

    #[test]
    fn folders_and_names_are_checked() {
        let mut errors = Vec::new();
        assert_eq!(folder(Some("  Network "), &mut errors), "Network");
        assert_eq!(folder(None, &mut errors), DEFAULT_FOLDER);
        assert_eq!(name(Some(" "), "plan.pdf", &mut errors), "plan.pdf");
        assert!(errors.is_empty());
        folder(Some("a\nb"), &mut errors);
        folder(Some(&"x".repeat(61)), &mut errors);
        assert_eq!(errors.len(), 2);
    }
}
