//! Configurations (issue 21, docs/configurations.md): the devices, licences, domains and
//! certificates the MSP looks after for a client company, each with its type (from the MSP's
//! list), status, identifiers, contact, dates and notes. Internal notes are the MSP's only and
//! never leave the server in a client's answer. Expiry warnings count `EXPIRY_WARNING_DAYS`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::validate::{self, schema};
use super::{CompanyId, ConfigurationId, DomainError, FieldError, UserId, iso_date};

pub mod import;

/// Longest name; longest manufacturer, model, serial, tag or location; longest notes.
pub const MAX_NAME: usize = 100;
pub const MAX_FIELD: usize = 100;
pub const MAX_NOTES: usize = 5_000;
/// Most types the MSP's list holds, and the longest type name.
pub const MAX_TYPES: usize = 50;
pub const MAX_TYPE_LEN: usize = 40;
/// A configuration expiring within this many days (or expired) is warned of.
pub const EXPIRY_WARNING_DAYS: i64 = 45;

/// The list of types a new portal starts with (the MSP edits it).
pub const DEFAULT_TYPES: [&str; 12] = [
    "Workstation",
    "Laptop",
    "Server",
    "Firewall",
    "Switch",
    "Wireless access point",
    "Printer",
    "Mobile device",
    "Licence",
    "Domain",
    "Certificate",
    "Other",
];

/// Whether a configuration is in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfigurationStatus {
    Active,
    Inactive,
}

impl ConfigurationStatus {
    pub const ALL: [Self; 2] = [Self::Active, Self::Inactive];
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }
    /// The value as a search names it (`active`, `inactive`).
    pub fn wire(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }
}

/// The MSP's list of configuration types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigurationTypes {
    pub types: Vec<String>,
    #[serde(default)]
    pub version: u64,
}

impl Default for ConfigurationTypes {
    fn default() -> Self {
        Self {
            types: DEFAULT_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            version: 0,
        }
    }
}

impl ConfigurationTypes {
    /// The type of the list `raw` names, in any case: the list's spelling.
    pub fn find(&self, raw: &str) -> Option<&str> {
        let raw = raw.trim();
        self.types
            .iter()
            .find(|t| t.to_lowercase() == raw.to_lowercase())
            .map(String::as_str)
    }
}

/// What `PUT /api/configuration-types` takes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TypesBody {
    /// Blank names are dropped; names are unique in any case.
    #[schema(schema_with = types_schema)]
    pub types: Vec<String>,
    /// The version read (`0` for a list never saved).
    pub version: u64,
}

fn types_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    schema::json(serde_json::json!({
        "type": "array",
        "items": schema::text(false, MAX_TYPE_LEN, schema::Chars::NoControls),
        "maxItems": MAX_TYPES,
    }))
}

impl TypesBody {
    /// The list, checked: at least one name, at most `MAX_TYPES`, each at most `MAX_TYPE_LEN`
    /// characters, no two the same in any case.
    pub fn check(self) -> Result<Vec<String>, DomainError> {
        let mut errors = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for raw in &self.types {
            let t = line("types", Some(raw), MAX_TYPE_LEN, &mut errors);
            if !t.is_empty() && !types.iter().any(|k| k.to_lowercase() == t.to_lowercase()) {
                types.push(t);
            }
        }
        if types.is_empty() {
            errors.push(FieldError::new("types", "Keep at least one type"));
        }
        if self.types.len() > MAX_TYPES {
            errors.push(FieldError::new(
                "types",
                format!("Keep at most {MAX_TYPES} types"),
            ));
        }
        validate::done(errors)?;
        Ok(types)
    }
}

/// A configuration of a client company.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Configuration {
    pub id: ConfigurationId,
    pub company_id: CompanyId,
    #[serde(flatten)]
    pub fields: ConfigurationFields,
    /// The contact's name when it was last saved.
    pub contact_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

/// The fields people set, checked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigurationFields {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: ConfigurationStatus,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub tag: String,
    pub contact_id: Option<UserId>,
    pub location: String,
    // Absent rather than null when none: `Configuration` flattens these, and a flattened null
    // does not read back as a date option.
    #[serde(
        with = "iso_date::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub purchase_date: Option<time::Date>,
    #[serde(
        with = "iso_date::option",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expires: Option<time::Date>,
    pub notes: String,
    pub internal_notes: String,
}

/// How soon a configuration expires, as the pages and emails say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expiry {
    /// No expiry date, or inactive.
    None,
    /// Expires in more than `EXPIRY_WARNING_DAYS` days.
    Later,
    /// Expires within `EXPIRY_WARNING_DAYS` days (today included).
    Soon,
    Expired,
}

impl Configuration {
    /// How soon it expires, on `today`. Inactive configurations are never warned of.
    pub fn expiry(&self, today: time::Date) -> Expiry {
        match self.fields.expires {
            Some(_) if self.fields.status == ConfigurationStatus::Inactive => Expiry::None,
            None => Expiry::None,
            Some(d) if d < today => Expiry::Expired,
            Some(d) if (d - today).whole_days() <= EXPIRY_WARNING_DAYS => Expiry::Soon,
            Some(_) => Expiry::Later,
        }
    }
}

/// A serial number or tag as it is matched: trimmed, upper case (people type them either way).
pub fn identifier_key(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// The last day a warning covers on `today`: `today + EXPIRY_WARNING_DAYS`.
pub fn warning_horizon(today: time::Date) -> time::Date {
    today.saturating_add(time::Duration::days(EXPIRY_WARNING_DAYS))
}

/// What `POST /api/configurations` and `PATCH /api/configurations/{id}` take. Blank optional
/// fields are empty (dates: none).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigurationBody {
    #[schema(schema_with = name_schema)]
    pub name: String,
    /// One of the MSP's types (`GET /api/configuration-types`), in any case.
    #[serde(rename = "type")]
    #[schema(schema_with = type_schema)]
    pub kind: String,
    /// Default `active`.
    pub status: Option<ConfigurationStatus>,
    #[schema(schema_with = field_schema)]
    pub manufacturer: Option<String>,
    #[schema(schema_with = field_schema)]
    pub model: Option<String>,
    /// Unique within the company, in any case.
    #[schema(schema_with = field_schema)]
    pub serial: Option<String>,
    /// Unique within the company, in any case.
    #[schema(schema_with = field_schema)]
    pub tag: Option<String>,
    /// An active portal user of the company; blank for none.
    #[schema(schema_with = contact_schema)]
    pub contact_id: Option<String>,
    #[schema(schema_with = field_schema)]
    pub location: Option<String>,
    /// `YYYY-MM-DD`; blank for none.
    #[schema(schema_with = date_schema)]
    pub purchase_date: Option<String>,
    /// `YYYY-MM-DD` (warranty end or renewal); blank for none.
    #[schema(schema_with = date_schema)]
    pub expires: Option<String>,
    /// Visible to the client.
    #[schema(schema_with = notes_schema)]
    pub notes: Option<String>,
    /// MSP staff only; clients never see them.
    #[schema(schema_with = notes_schema)]
    pub internal_notes: Option<String>,
    /// Changes only: the version read (a change made meanwhile answers 409).
    pub version: Option<u64>,
}

fn name_schema() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_NAME, schema::Chars::NoControls)
}
fn type_schema() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_TYPE_LEN, schema::Chars::NoControls)
}
fn field_schema() -> utoipa::openapi::schema::Object {
    schema::or_null(schema::text(false, MAX_FIELD, schema::Chars::NoControls))
}
fn notes_schema() -> utoipa::openapi::schema::Object {
    schema::or_null(schema::text(false, MAX_NOTES, schema::Chars::Lines))
}
fn contact_schema() -> utoipa::openapi::schema::Object {
    schema::or_null(schema::string(
        0,
        Some(64),
        Some("^[A-Za-z0-9_-]*$".to_owned()),
    ))
}
fn date_schema() -> utoipa::openapi::schema::Object {
    let pattern = schema::trimmed("([0-9]{4}-[0-9]{2}-[0-9]{2})?");
    schema::or_null(schema::string(0, None, Some(pattern)))
}

/// One line of text (no line breaks) of at most `max` characters.
fn line(field: &str, raw: Option<&str>, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = validate::text(field, raw.unwrap_or(""), max, errors);
    if v.contains(['\n', '\r']) {
        errors.push(FieldError::new(field, "Keep it on one line"));
    }
    v
}

fn optional_date(
    field: &str,
    raw: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<time::Date> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => None,
        Some(raw) => validate::date(field, raw, errors),
    }
}

impl ConfigurationBody {
    /// The fields, checked against the MSP's `types`: a 422 naming every field that needs
    /// attention. The contact is only parsed here; whether it is an active user of the company
    /// is the caller's to check.
    pub fn check(&self, types: &ConfigurationTypes) -> Result<ConfigurationFields, DomainError> {
        let mut errors = Vec::new();
        let name = line("name", Some(&self.name), MAX_NAME, &mut errors);
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter a name"));
        }
        let kind = match types.find(&self.kind) {
            Some(t) => t.to_owned(),
            None => {
                errors.push(FieldError::new("type", "Choose a type from the list"));
                String::new()
            }
        };
        let contact_id = match self.contact_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match UserId::parse(raw) {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new(
                        "contact_id",
                        "Choose someone from the list",
                    ));
                    None
                }
            },
        };
        let purchase_date =
            optional_date("purchase_date", self.purchase_date.as_deref(), &mut errors);
        let expires = optional_date("expires", self.expires.as_deref(), &mut errors);
        let fields = ConfigurationFields {
            name,
            kind,
            status: self.status.unwrap_or(ConfigurationStatus::Active),
            manufacturer: line(
                "manufacturer",
                self.manufacturer.as_deref(),
                MAX_FIELD,
                &mut errors,
            ),
            model: line("model", self.model.as_deref(), MAX_FIELD, &mut errors),
            serial: line("serial", self.serial.as_deref(), MAX_FIELD, &mut errors),
            tag: line("tag", self.tag.as_deref(), MAX_FIELD, &mut errors),
            contact_id,
            location: line("location", self.location.as_deref(), MAX_FIELD, &mut errors),
            purchase_date,
            expires,
            notes: validate::text(
                "notes",
                self.notes.as_deref().unwrap_or(""),
                MAX_NOTES,
                &mut errors,
            ),
            internal_notes: validate::text(
                "internal_notes",
                self.internal_notes.as_deref().unwrap_or(""),
                MAX_NOTES,
                &mut errors,
            ),
        };
        validate::done(errors)?;
        Ok(fields)
    }
}

/// A configuration as its answers show it: `internal_notes` only to MSP staff (absent otherwise),
/// its expiry on the day asked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConfigurationView {
    pub id: ConfigurationId,
    pub company_id: CompanyId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub status: ConfigurationStatus,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub tag: String,
    pub contact_id: Option<UserId>,
    pub contact_name: Option<String>,
    pub location: String,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub purchase_date: Option<time::Date>,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub expires: Option<time::Date>,
    pub expiry: Expiry,
    pub notes: String,
    /// MSP staff only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_notes: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

impl ConfigurationView {
    /// What `staff` (or a client, without the internal notes) sees of `c` on `today`.
    pub fn of(c: Configuration, today: time::Date, staff: bool) -> Self {
        let expiry = c.expiry(today);
        let f = c.fields;
        Self {
            id: c.id,
            company_id: c.company_id,
            name: f.name,
            kind: f.kind,
            status: f.status,
            manufacturer: f.manufacturer,
            model: f.model,
            serial: f.serial,
            tag: f.tag,
            contact_id: f.contact_id,
            contact_name: c.contact_name,
            location: f.location,
            purchase_date: f.purchase_date,
            expires: f.expires,
            expiry,
            notes: f.notes,
            internal_notes: staff.then_some(f.internal_notes),
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// A ticket's row under the configuration it is about (the configuration page lists them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ConfigurationTicket {
    pub number: u64,
    pub summary: String,
    pub status: super::tickets::TicketStatus,
    pub contact_id: UserId,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

/// The configuration a ticket is about, as the ticket keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketConfiguration {
    pub id: ConfigurationId,
    pub name: String,
}

#[cfg(test)]
mod tests;
