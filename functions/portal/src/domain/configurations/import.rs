//! Reading a configurations CSV as an RMM or a spreadsheet exports it: a header row naming the
//! columns (in any order and case, with the usual spellings), then one configuration per row.
//! Every row is checked before anything is written; each bad row is reported with its line in
//! the file and the reason. Columns the portal does not know are ignored (and named).

use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::{ConfigurationBody, ConfigurationFields, ConfigurationTypes, identifier_key};
use crate::domain::Email;

/// Most rows one import takes.
pub const MAX_ROWS: usize = 5_000;
/// Most bad rows one answer reports (the count says how many there were).
pub const MAX_REPORTED: usize = 100;

/// One reason a row cannot be imported: its line in the file (the header is line 1), the
/// column, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct RowError {
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// A row, checked: its line, its fields, and its contact's email (found by the caller).
#[derive(Clone, Debug, PartialEq)]
pub struct ImportRow {
    pub line: u64,
    pub fields: ConfigurationFields,
    pub contact_email: Option<Email>,
}

/// What a CSV holds once read.
#[derive(Debug, Default)]
pub struct Parsed {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
    /// Header cells no column matched.
    pub ignored_columns: Vec<String>,
}

/// The columns, each with the header spellings it answers to (compared in lower case, with
/// `#`, `.`, `_` and `-` read as spaces and runs of spaces as one).
const COLUMNS: [(&str, &[&str]); 13] = [
    (
        "name",
        &[
            "name",
            "configuration name",
            "configuration",
            "device name",
            "hostname",
            "asset name",
        ],
    ),
    (
        "type",
        &["type", "configuration type", "device type", "asset type"],
    ),
    ("status", &["status"]),
    ("manufacturer", &["manufacturer", "vendor", "make"]),
    ("model", &["model", "model number", "model no"]),
    ("serial", &["serial", "serial number", "serial no", "sn"]),
    ("tag", &["tag", "tag number", "asset tag", "tag no"]),
    (
        "contact",
        &[
            "contact",
            "contact email",
            "user",
            "user email",
            "assigned to",
        ],
    ),
    ("location", &["location", "site"]),
    (
        "purchase_date",
        &["purchase date", "purchased", "install date"],
    ),
    (
        "expires",
        &[
            "expires",
            "expiry",
            "expiration",
            "expiration date",
            "warranty expires",
            "warranty expiry",
            "renewal date",
        ],
    ),
    ("notes", &["notes", "description"]),
    ("internal_notes", &["internal notes"]),
];

fn normalise(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .to_lowercase()
        .replace(['#', '.', '_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Read `csv`, checking each row against the MSP's `types` and each other (a serial or tag twice
/// in the file is an error on its second line). Whether contacts exist and serials or tags are
/// taken already is the caller's to check, with what the store holds.
pub fn parse(csv: &[u8], types: &ConfigurationTypes) -> Parsed {
    let mut out = Parsed::default();
    // CRLF as LF: the reader counts a CRLF record's line from its CR otherwise (one short).
    let mut text = Vec::with_capacity(csv.len());
    for (i, b) in csv.iter().enumerate() {
        if !(*b == b'\r' && csv.get(i + 1) == Some(&b'\n')) {
            text.push(*b);
        }
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_slice());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors.push(RowError {
                line: 1,
                column: String::new(),
                message: format!("The header row cannot be read: {e}"),
            });
            return out;
        }
    };
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let name = normalise(cell);
        match COLUMNS
            .iter()
            .find(|(_, names)| names.contains(&name.as_str()))
        {
            Some((column, _)) if !at.contains_key(column) => {
                at.insert(column, i);
            }
            _ if cell.trim().is_empty() => {}
            _ => out.ignored_columns.push(cell.trim().to_owned()),
        }
    }
    for needed in ["name", "type"] {
        if !at.contains_key(needed) {
            out.errors.push(RowError {
                line: 1,
                column: needed.to_owned(),
                message: format!("Add a \"{needed}\" column to the header row"),
            });
        }
    }
    if !out.errors.is_empty() {
        return out;
    }
    let mut seen: HashMap<(&str, String), u64> = HashMap::new();
    let mut count = 0usize;
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RowError {
                    line,
                    column: String::new(),
                    message: format!("The row cannot be read: {e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        count += 1;
        if count > MAX_ROWS {
            out.errors.push(RowError {
                line,
                column: String::new(),
                message: format!("Import at most {MAX_ROWS} rows at a time"),
            });
            break;
        }
        let cell = |column: &str| {
            at.get(column)
                .and_then(|i| record.get(*i))
                .map(str::to_owned)
                .filter(|v| !v.is_empty())
        };
        let status = match cell("status").map(|s| s.to_lowercase()) {
            None => None,
            Some(s) if s == "active" => Some(super::ConfigurationStatus::Active),
            Some(s) if s == "inactive" => Some(super::ConfigurationStatus::Inactive),
            Some(_) => {
                out.errors.push(RowError {
                    line,
                    column: "status".into(),
                    message: "Use Active or Inactive".into(),
                });
                continue;
            }
        };
        let contact_email = match cell("contact") {
            None => None,
            Some(raw) => match Email::parse(&raw) {
                Ok(e) => Some(e),
                Err(_) => {
                    out.errors.push(RowError {
                        line,
                        column: "contact".into(),
                        message: "Use the email address of one of the company's portal users"
                            .into(),
                    });
                    continue;
                }
            },
        };
        let body = ConfigurationBody {
            name: cell("name").unwrap_or_default(),
            kind: cell("type").unwrap_or_default(),
            status,
            manufacturer: cell("manufacturer"),
            model: cell("model"),
            serial: cell("serial"),
            tag: cell("tag"),
            contact_id: None,
            location: cell("location"),
            purchase_date: cell("purchase_date"),
            expires: cell("expires"),
            notes: cell("notes"),
            internal_notes: cell("internal_notes"),
            version: None,
        };
        let fields = match body.check(types) {
            Ok(f) => f,
            Err(crate::domain::DomainError::Validation(errors)) => {
                out.errors.extend(errors.into_iter().map(|e| RowError {
                    line,
                    column: e.field,
                    message: e.message,
                }));
                continue;
            }
            Err(crate::domain::DomainError::NotFound) => continue,
        };
        let mut duplicate = false;
        for (column, value) in [("serial", &fields.serial), ("tag", &fields.tag)] {
            if value.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert((column, identifier_key(value)), line) {
                out.errors.push(RowError {
                    line,
                    column: column.into(),
                    message: format!("The {column} {value} is on line {first} already"),
                });
                duplicate = true;
            }
        }
        if !duplicate {
            out.rows.push(ImportRow {
                line,
                fields,
                contact_email,
            });
        }
    }
    if count == 0 && out.errors.is_empty() {
        out.errors.push(RowError {
            line: 2,
            column: String::new(),
            message: "The file has no rows under its header".into(),
        });
    }
    out
}
