//! The configuration keys (docs/configurations.md): a configuration and its ticket rows under the
//! company, so one Query reads the configuration page; the serial and tag pointers that make
//! them unique and look them up; and one index per search, so each search is one Query. Part of
//! `keys`, which re-exports them.

use super::*;
use crate::domain::ConfigurationId;
use crate::domain::configurations::{Configuration, ConfigurationFields, identifier_key};

const CONFIG: &str = "CONFIG#";

/// A configuration; its ticket rows sort right after it.
pub fn configuration(company: &CompanyId, id: &ConfigurationId) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{CONFIG}{id}"),
    }
}

/// The sort-key prefix of a configuration and its ticket rows.
pub fn configuration_prefix(id: &ConfigurationId) -> String {
    format!("{CONFIG}{id}")
}

/// A ticket's row under the configuration it is about.
pub fn configuration_ticket(company: &CompanyId, id: &ConfigurationId, ticket: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{CONFIG}{id}#T#{ticket:010}"),
    }
}

/// Which identifier a pointer is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identifier {
    Serial,
    Tag,
}

impl Identifier {
    pub const BOTH: [Identifier; 2] = [Identifier::Serial, Identifier::Tag];
    pub fn field(self) -> &'static str {
        match self {
            Identifier::Serial => "serial",
            Identifier::Tag => "tag",
        }
    }
    /// The configuration's value of this identifier (empty: none).
    pub fn of(self, c: &Configuration) -> &str {
        self.value(&c.fields)
    }
    /// The value of this identifier in `fields` (empty: none).
    pub fn value(self, fields: &ConfigurationFields) -> &str {
        match self {
            Identifier::Serial => &fields.serial,
            Identifier::Tag => &fields.tag,
        }
    }
    /// Why a configuration with `value` cannot be stored: another of the company has it.
    pub fn taken_message(self, value: &str) -> String {
        format!(
            "Another configuration of this company has the {} {value}",
            self.field()
        )
    }
}

/// The pointer from a serial number or tag (any case) to the company's configuration holding it:
/// its `attribute_not_exists` keeps them unique within the company.
pub fn configuration_identifier(company: &CompanyId, which: Identifier, value: &str) -> Key {
    let kind = match which {
        Identifier::Serial => "CFGSN#",
        Identifier::Tag => "CFGTAG#",
    };
    Key {
        pk: company_partition(company),
        sk: format!("{kind}{}", identifier_key(value)),
    }
}

/// The MSP's list of configuration types.
pub fn configuration_types() -> Key {
    Key {
        pk: "SETTINGS".into(),
        sk: "CONFIGTYPES".into(),
    }
}

/// A search of a company's configurations: which index answers it (each sorted by name, but the
/// expiry index).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigurationIndex {
    /// All, by name: gsi1.
    Name,
    /// One type, by name: gsi2.
    Type(String),
    /// One status, by name: gsi3.
    Status(&'static str),
    /// All, by expiry date (none last): gsi4.
    Expiry,
    /// One contact's, by name: gsi5.
    Contact(UserId),
    /// One model number (any case), by name: gsi6.
    Model(String),
}

pub const CONFIGURATION_NAME_INDEX: Index = INDEXES[0];
pub const CONFIGURATION_TYPE_INDEX: Index = INDEXES[1];
pub const CONFIGURATION_STATUS_INDEX: Index = INDEXES[2];
pub const CONFIGURATION_EXPIRY_INDEX: Index = INDEXES[3];
pub const CONFIGURATION_CONTACT_INDEX: Index = INDEXES[4];
pub const CONFIGURATION_MODEL_INDEX: Index = INDEXES[5];
/// Every company's active configurations with an expiry date, by date (the daily digest job).
pub const CONFIGURATION_EXPIRY_QUEUE_INDEX: Index = INDEXES[6];
/// The expiry index's sort key of a configuration without one: after every date.
pub const NO_EXPIRY: &str = "~";

impl ConfigurationIndex {
    pub fn index(&self) -> Index {
        match self {
            Self::Name => CONFIGURATION_NAME_INDEX,
            Self::Type(_) => CONFIGURATION_TYPE_INDEX,
            Self::Status(_) => CONFIGURATION_STATUS_INDEX,
            Self::Expiry => CONFIGURATION_EXPIRY_INDEX,
            Self::Contact(_) => CONFIGURATION_CONTACT_INDEX,
            Self::Model(_) => CONFIGURATION_MODEL_INDEX,
        }
    }

    pub fn partition(&self, company: &CompanyId) -> String {
        match self {
            Self::Name => format!("CFGN#{company}"),
            Self::Type(t) => format!("CFGT#{company}#{}", t.to_lowercase()),
            Self::Status(s) => format!("CFGS#{company}#{s}"),
            Self::Expiry => format!("CFGE#{company}"),
            Self::Contact(u) => format!("CFGC#{company}#{u}"),
            Self::Model(m) => format!("CFGM#{company}#{}", identifier_key(m)),
        }
    }

    /// Whether its sort keys start with the name in lower case (a name prefix is a key condition).
    pub fn by_name(&self) -> bool {
        !matches!(self, Self::Expiry)
    }

    /// Every index entry of `c`: `(index, partition, sort key)`.
    pub fn entries(c: &Configuration) -> Vec<(Index, String, String)> {
        let company = &c.company_id;
        let name = format!("{}#{}", c.fields.name.to_lowercase(), c.id);
        let mut lists = vec![
            Self::Name,
            Self::Type(c.fields.kind.clone()),
            Self::Status(c.fields.status.wire()),
        ];
        lists.extend(c.fields.contact_id.clone().map(Self::Contact));
        if !c.fields.model.is_empty() {
            lists.push(Self::Model(c.fields.model.clone()));
        }
        let mut entries: Vec<_> = lists
            .into_iter()
            .map(|l| (l.index(), l.partition(company), name.clone()))
            .collect();
        let expiry = c
            .fields
            .expires
            .map_or_else(|| NO_EXPIRY.to_owned(), |d| d.to_string());
        entries.push((
            CONFIGURATION_EXPIRY_INDEX,
            Self::Expiry.partition(company),
            format!("{expiry}#{}", c.id),
        ));
        if let (Some(d), crate::domain::configurations::ConfigurationStatus::Active) =
            (c.fields.expires, c.fields.status)
        {
            entries.push((
                CONFIGURATION_EXPIRY_QUEUE_INDEX,
                CONFIGURATION_EXPIRY_QUEUE.into(),
                format!("{d}#{company}#{}", c.id),
            ));
        }
        entries
    }
}

/// The partition of the every-company expiry index.
pub const CONFIGURATION_EXPIRY_QUEUE: &str = "CFGXQ";

/// That the monthly expiry digest of `company` for `month` (`YYYY-MM`) went out.
pub fn configuration_digest(company: &CompanyId, month: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("CFGDIGEST#{month}"),
    }
}

/// The record of an import made with `user`'s `Idempotency-Key` `key` (a retry answers it).
pub fn configuration_import(company: &CompanyId, user: &UserId, key: &str) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("CFGIMPORT#{user}#{key}"),
    }
}
