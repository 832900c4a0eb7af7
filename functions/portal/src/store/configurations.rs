//! Configurations (docs/configurations.md): the item with one entry per search index, the serial
//! and tag pointers written with it in one transaction (they keep both unique within the
//! company), the ticket rows under it, searches (one Query of one index each, one page of it),
//! and the expiry warnings. Imports and bulk loads are in `configuration_import`.

use anyhow::Context;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use std::collections::HashMap;

use super::keys::{self, ConfigurationIndex, Identifier};
use super::{Item, Page, Store, from_item, page, s, to_item};
use crate::domain::audit::AuditEntry;
use crate::domain::configurations::{
    Configuration, ConfigurationTicket, ConfigurationTypes, identifier_key,
};
use crate::domain::tickets::Ticket;
use crate::domain::{CompanyId, ConfigurationId, UserId};

/// What a search asks for, besides a serial number or tag (which the pointers answer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigurationSearch {
    /// The start of the name, any case.
    pub name: Option<String>,
    /// `active` or `inactive`.
    pub status: Option<&'static str>,
    /// A type, as the list spells it.
    pub kind: Option<String>,
    pub contact: Option<UserId>,
    pub model: Option<String>,
    /// Expiring on or before / on or after (`YYYY-MM-DD`).
    pub expires_before: Option<time::Date>,
    pub expires_after: Option<time::Date>,
    /// By expiry date (none last) rather than by name.
    pub by_expiry: bool,
    pub descending: bool,
}

impl ConfigurationSearch {
    /// The index that answers this search: the expiry index when sorting or filtering by date,
    /// else the narrowest of contact, model, type, status, and the name index last.
    pub fn index(&self) -> ConfigurationIndex {
        if self.by_expiry || self.expires_before.is_some() || self.expires_after.is_some() {
            ConfigurationIndex::Expiry
        } else if let Some(c) = &self.contact {
            ConfigurationIndex::Contact(c.clone())
        } else if let Some(m) = &self.model {
            ConfigurationIndex::Model(m.clone())
        } else if let Some(k) = &self.kind {
            ConfigurationIndex::Type(k.clone())
        } else if let Some(s) = self.status {
            ConfigurationIndex::Status(s)
        } else {
            ConfigurationIndex::Name
        }
    }
}

/// What `configuration_context` found.
pub struct ConfigurationContext {
    pub types: ConfigurationTypes,
    pub company: Option<crate::domain::account::Company>,
    pub configuration: Option<Configuration>,
    pub contact: Option<crate::domain::account::User>,
}

/// Which identifier a new or changed configuration found taken (nothing was written).
#[derive(Debug, PartialEq, Eq)]
pub enum ConfigurationRefused {
    Taken(Identifier),
    /// Changed by someone else since it was read.
    Changed,
}

impl Store {
    /// The MSP's list of configuration types (the defaults until saved).
    pub async fn configuration_types(&self) -> anyhow::Result<ConfigurationTypes> {
        Ok(self
            .get(&keys::configuration_types())
            .await
            .context("reading configuration types")?
            .unwrap_or_default())
    }

    /// Save the list over version `types.version - 1`; `false` if it changed meanwhile.
    pub async fn save_configuration_types(
        &self,
        types: &ConfigurationTypes,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let item = to_item(types, &keys::configuration_types())?;
        let expected = types.version.checked_sub(1).filter(|v| *v > 0);
        let parts = vec![self.versioned_put(item, expected)?, self.audit_part(audit)?];
        self.transact(parts, "saving configuration types").await
    }

    /// What a create or change checks against, in one BatchGetItem: the MSP's types, the
    /// company, the configuration changed (`id`) and the contact named.
    pub async fn configuration_context(
        &self,
        company: &CompanyId,
        id: Option<&ConfigurationId>,
        contact: Option<&UserId>,
    ) -> anyhow::Result<ConfigurationContext> {
        let mut wanted = vec![keys::configuration_types(), keys::company(company)];
        wanted.extend(id.map(|id| keys::configuration(company, id)));
        wanted.extend(contact.map(|u| keys::user(company, u)));
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("reading what a configuration needs")?;
        let mut take =
            |key: Option<keys::Key>| found.remove(&key.map(|k| k.sk).unwrap_or_default());
        let types = take(Some(keys::configuration_types()))
            .map(from_item)
            .transpose()?
            .unwrap_or_default();
        let company_found = take(Some(keys::company(company)))
            .map(from_item)
            .transpose()?;
        let configuration = take(id.map(|id| keys::configuration(company, id)))
            .map(from_item)
            .transpose()?;
        let contact = take(contact.map(|u| keys::user(company, u)))
            .map(from_item)
            .transpose()?;
        Ok(ConfigurationContext {
            types,
            company: company_found,
            configuration,
            contact,
        })
    }

    /// The item of `c` with its index entries.
    pub(super) fn configuration_item(c: &Configuration) -> anyhow::Result<Item> {
        let mut item = to_item(c, &keys::configuration(&c.company_id, &c.id))?;
        for (index, pk, sk) in ConfigurationIndex::entries(c) {
            index.put(&mut item, pk, sk);
        }
        Ok(item)
    }

    /// The pointer items of `c`'s serial and tag (those it has).
    pub(super) fn identifier_items(c: &Configuration) -> Vec<(Identifier, Item)> {
        Identifier::BOTH
            .into_iter()
            .filter(|w| !w.of(c).is_empty())
            .map(|w| {
                let mut item = keys::configuration_identifier(&c.company_id, w, w.of(c)).to_item();
                item.insert("configuration_id".into(), s(c.id.as_str()));
                (w, item)
            })
            .collect()
    }

    /// The transaction parts of a new configuration: its item and pointers, each new.
    pub(super) fn new_configuration_parts(
        &self,
        c: &Configuration,
    ) -> anyhow::Result<(Vec<TransactWriteItem>, Vec<Identifier>)> {
        let mut parts = vec![self.put_new(Self::configuration_item(c)?)?];
        let mut which = Vec::new();
        for (w, item) in Self::identifier_items(c) {
            parts.push(self.put_new(item)?);
            which.push(w);
        }
        Ok((parts, which))
    }

    /// Store a new configuration with its pointers: refused, writing nothing, if its serial or
    /// tag is taken in the company.
    pub async fn create_configuration(
        &self,
        c: &Configuration,
        audit: &AuditEntry,
    ) -> anyhow::Result<Result<(), ConfigurationRefused>> {
        let (mut parts, which) = self.new_configuration_parts(c)?;
        parts.extend(self.configuration_report_parts(&c.company_id, &[], &[c])?);
        parts.push(self.audit_part(audit)?);
        Ok(
            match self.refused_part(parts, "storing a configuration").await? {
                None => Ok(()),
                Some(i) => Err(which
                    .get(i.wrapping_sub(1))
                    .map_or(ConfigurationRefused::Changed, |w| {
                        ConfigurationRefused::Taken(*w)
                    })),
            },
        )
    }

    /// Save a changed configuration over `before` (versioned); a changed serial or tag moves its
    /// pointer in the same transaction.
    pub async fn save_configuration(
        &self,
        c: &Configuration,
        before: &Configuration,
        audit: &AuditEntry,
    ) -> anyhow::Result<Result<(), ConfigurationRefused>> {
        let mut parts =
            vec![self.versioned_put(Self::configuration_item(c)?, Some(before.version))?];
        let mut which = vec![None];
        // Its expiry counters first (no condition): `which` names the pointers after them.
        for part in self.configuration_report_parts(&c.company_id, &[before], &[c])? {
            parts.push(part);
            which.push(None);
        }
        for w in Identifier::BOTH {
            let (old, new) = (w.of(before), w.of(c));
            if identifier_key(old) == identifier_key(new) {
                continue;
            }
            if !old.is_empty() {
                let key = keys::configuration_identifier(&c.company_id, w, old);
                parts.push(
                    TransactWriteItem::builder()
                        .delete(
                            Delete::builder()
                                .table_name(&self.table)
                                .set_key(Some(key.to_item()))
                                .build()?,
                        )
                        .build(),
                );
                which.push(None);
            }
            if !new.is_empty() {
                let item = Self::identifier_items(c)
                    .into_iter()
                    .find(|(x, _)| *x == w)
                    .map(|(_, item)| item)
                    .context("pointer of a set identifier")?;
                parts.push(self.put_new(item)?);
                which.push(Some(w));
            }
        }
        parts.push(self.audit_part(audit)?);
        Ok(
            match self.refused_part(parts, "saving a configuration").await? {
                None => Ok(()),
                Some(i) => Err(match which.get(i).copied().flatten() {
                    Some(w) => ConfigurationRefused::Taken(w),
                    None => ConfigurationRefused::Changed,
                }),
            },
        )
    }

    /// A configuration of `company`.
    pub async fn get_configuration(
        &self,
        company: &CompanyId,
        id: &ConfigurationId,
    ) -> anyhow::Result<Option<Configuration>> {
        self.get(&keys::configuration(company, id))
            .await
            .context("reading a configuration")
    }

    /// A configuration and the rows of the tickets about it (at most `tickets`, oldest first): one
    /// Query.
    pub async fn configuration_page(
        &self,
        company: &CompanyId,
        id: &ConfigurationId,
        tickets: i32,
    ) -> anyhow::Result<Option<(Configuration, Vec<ConfigurationTicket>)>> {
        let page = self
            .prefix_query(company, &keys::configuration_prefix(id))
            .limit(tickets + 1)
            .send()
            .await
            .context("reading a configuration page")?;
        let mut items = page.items.unwrap_or_default().into_iter();
        let wanted = keys::configuration(company, id).sk;
        let Some(first) = items.next() else {
            return Ok(None);
        };
        if first.get(keys::SK).and_then(|v| v.as_s().ok()) != Some(&wanted) {
            return Ok(None);
        }
        let rows = items.map(from_item).collect::<anyhow::Result<_>>()?;
        Ok(Some((from_item(first)?, rows)))
    }

    /// The company's configuration whose serial or tag is `value` (any case): the pointer, then
    /// the configuration (two calls).
    pub async fn configuration_by_identifier(
        &self,
        company: &CompanyId,
        which: Identifier,
        value: &str,
    ) -> anyhow::Result<Option<Configuration>> {
        #[derive(serde::Deserialize)]
        struct Pointer {
            configuration_id: ConfigurationId,
        }
        let key = keys::configuration_identifier(company, which, value);
        let Some(pointer) = self.get::<Pointer>(&key).await? else {
            return Ok(None);
        };
        self.get_configuration(company, &pointer.configuration_id)
            .await
    }

    /// One page of a search of `company`'s configurations: one Query of the index that answers
    /// it, reading `limit` items, the other criteria filtering them (so a filtered page may hold
    /// fewer matches than `limit`, and its cursor goes on from what it read).
    pub async fn search_configurations(
        &self,
        company: &CompanyId,
        search: &ConfigurationSearch,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Configuration>> {
        let list = search.index();
        let index = list.index();
        let mut conditions = vec!["#ipk = :partition".to_owned()];
        let mut filters = Vec::new();
        let mut names = HashMap::from([
            ("#ipk".to_owned(), index.pk.to_owned()),
            ("#isk".to_owned(), index.sk.to_owned()),
        ]);
        let mut values = HashMap::from([(":partition".to_owned(), s(list.partition(company)))]);
        let name = search.name.as_ref().map(|n| n.to_lowercase());
        match (&name, list.by_name()) {
            (Some(prefix), true) => {
                conditions.push("begins_with(#isk, :name)".into());
                values.insert(":name".into(), s(prefix.clone()));
            }
            (Some(prefix), false) => {
                filters.push("begins_with(#namesk, :name)");
                names.insert("#namesk".into(), keys::CONFIGURATION_NAME_INDEX.sk.into());
                values.insert(":name".into(), s(prefix.clone()));
            }
            (None, _) => {}
        }
        if list == ConfigurationIndex::Expiry {
            let from = search.expires_after.map(|d| d.to_string());
            let to = search
                .expires_before
                .map(|d| format!("{d}#{}", keys::NO_EXPIRY));
            match (from, to) {
                (None, None) => {}
                (from, to) => {
                    conditions.push("#isk BETWEEN :from AND :to".into());
                    values.insert(":from".into(), s(from.unwrap_or_else(|| "0".into())));
                    values.insert(":to".into(), s(to.unwrap_or_else(|| "9".into())));
                }
            }
        }
        if !matches!(list, ConfigurationIndex::Contact(_))
            && let Some(c) = &search.contact
        {
            filters.push("#contact = :contact");
            names.insert("#contact".into(), "contact_id".into());
            values.insert(":contact".into(), s(c.as_str()));
        }
        if !matches!(list, ConfigurationIndex::Model(_))
            && let Some(m) = &search.model
        {
            let model = ConfigurationIndex::Model(m.clone());
            filters.push("#modelpk = :model");
            names.insert("#modelpk".into(), model.index().pk.into());
            values.insert(":model".into(), s(model.partition(company)));
        }
        if !matches!(list, ConfigurationIndex::Type(_))
            && let Some(k) = &search.kind
        {
            let kind = ConfigurationIndex::Type(k.clone());
            filters.push("#typepk = :type");
            names.insert("#typepk".into(), kind.index().pk.into());
            values.insert(":type".into(), s(kind.partition(company)));
        }
        if !matches!(list, ConfigurationIndex::Status(_))
            && let Some(st) = search.status
        {
            filters.push("#status = :status");
            names.insert("#status".into(), "status".into());
            values.insert(":status".into(), s(st));
        }
        if !conditions.iter().any(|c| c.contains("#isk")) {
            names.remove("#isk");
        }
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression(conditions.join(" AND "))
            .set_filter_expression((!filters.is_empty()).then(|| filters.join(" AND ")))
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values))
            .scan_index_forward(!search.descending)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("searching configurations")?;
        page(out.items, out.last_evaluated_key)
    }

    /// `company`'s configurations expiring by `horizon` (expired ones first), active ones only,
    /// at most `limit`; only `contact`'s when given. One Query of the expiry index.
    pub async fn configurations_expiring(
        &self,
        company: &CompanyId,
        horizon: time::Date,
        contact: Option<&UserId>,
        limit: i32,
    ) -> anyhow::Result<Vec<Configuration>> {
        let list = ConfigurationIndex::Expiry;
        let index = list.index();
        let mut query = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :partition AND #isk <= :to")
            .filter_expression(if contact.is_some() {
                "#status = :active AND #contact = :contact"
            } else {
                "#status = :active"
            })
            .expression_attribute_names("#ipk", index.pk)
            .expression_attribute_names("#isk", index.sk)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":partition", s(list.partition(company)))
            .expression_attribute_values(":to", s(format!("{horizon}#{}", keys::NO_EXPIRY)))
            .expression_attribute_values(":active", s("active"))
            .limit(limit);
        if let Some(c) = contact {
            query = query
                .expression_attribute_names("#contact", "contact_id")
                .expression_attribute_values(":contact", s(c.as_str()));
        }
        let out = query
            .send()
            .await
            .context("reading expiring configurations")?;
        Ok(page(out.items, out.last_evaluated_key)?.items)
    }

    /// Every company's active configurations expiring by `horizon`, across pages (the daily
    /// digest job; bounded by what expires, not by what is stored).
    pub async fn all_configurations_expiring(
        &self,
        horizon: time::Date,
    ) -> anyhow::Result<Vec<Configuration>> {
        self.index_range(
            keys::CONFIGURATION_EXPIRY_QUEUE_INDEX,
            keys::CONFIGURATION_EXPIRY_QUEUE,
            None,
            &format!("{horizon}#~"),
        )
        .await
        .context("reading every company's expiring configurations")
    }

    /// The ticket row of a ticket about a configuration, as a transaction part (put whenever the
    /// ticket is stored, so its status follows).
    pub(crate) fn configuration_ticket_parts(
        &self,
        ticket: &Ticket,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let Some(at) = &ticket.configuration else {
            return Ok(Vec::new());
        };
        let row = ConfigurationTicket {
            number: ticket.number,
            summary: ticket.summary.clone(),
            status: ticket.status,
            contact_id: ticket.contact_id.clone(),
            updated_at: ticket.updated_at,
        };
        let key = keys::configuration_ticket(&ticket.company_id, &at.id, ticket.number);
        Ok(vec![
            TransactWriteItem::builder()
                .put(
                    aws_sdk_dynamodb::types::Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_item(&row, &key)?))
                        .build()?,
                )
                .build(),
        ])
    }
}
