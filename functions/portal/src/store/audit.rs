//! The audit trail in the store: entries are written as a part of the transaction of the change
//! they record (`audit_part`), or alone; the trail is read by time, or by actor (its own index).

use super::*;
use crate::domain::audit::AuditAction;

/// Filters of the audit trail.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    pub action: Option<AuditAction>,
    pub from: Option<OffsetDateTime>,
    /// Exclusive.
    pub to: Option<OffsetDateTime>,
    /// Leave out entries about billing (`AuditAction::is_billing`): for readers who do not see it.
    pub without_billing: bool,
}

impl Store {
    /// The put of a new audit entry, as a transaction part.
    pub fn audit_part(&self, entry: &AuditEntry) -> anyhow::Result<TransactWriteItem> {
        let mut item = to_item(entry, &keys::audit(&entry.company_id, entry.at, &entry.id))?;
        if let Some(actor) = &entry.actor_id {
            keys::AUDIT_BY_ACTOR_INDEX.put(
                &mut item,
                keys::audit_actor(&entry.company_id, actor),
                keys::audit_sort(entry.at, &entry.id),
            );
        }
        self.put_new(item)
    }

    /// Record an event that changes nothing else.
    pub async fn record_audit(&self, entry: &AuditEntry) -> anyhow::Result<()> {
        self.transact(vec![self.audit_part(entry)?], "recording audit entry")
            .await?;
        Ok(())
    }

    /// One page of a company's audit trail, newest first.
    pub async fn list_audit(
        &self,
        company: &CompanyId,
        query: &AuditQuery,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<AuditEntry>> {
        let from = query
            .from
            .map_or_else(|| "0".to_owned(), keys::sortable_time);
        let to = query
            .to
            .map_or_else(|| "\u{ffff}".to_owned(), keys::sortable_time);
        let mut request = self.db.query().table_name(&self.table);
        request = match &query.actor {
            Some(actor) => request
                .index_name(keys::AUDIT_BY_ACTOR_INDEX.name)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::AUDIT_BY_ACTOR_INDEX.pk)
                .expression_attribute_names("#sk", keys::AUDIT_BY_ACTOR_INDEX.sk)
                .expression_attribute_values(":pk", s(keys::audit_actor(company, actor)))
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to)),
            None => request
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":pk", s(keys::company_partition(company)))
                .expression_attribute_values(":from", s(format!("{}{from}", keys::AUDIT_PREFIX)))
                .expression_attribute_values(":to", s(format!("{}{to}", keys::AUDIT_PREFIX))),
        };
        let mut filters = Vec::new();
        if let Some(action) = query.action {
            filters.push("#action = :action".to_owned());
            request = request.expression_attribute_values(":action", s(action.as_str()));
        }
        if query.without_billing {
            let billing: Vec<AuditAction> = AuditAction::ALL
                .into_iter()
                .filter(|a| a.is_billing())
                .collect();
            let names: Vec<String> = (0..billing.len()).map(|i| format!(":billing{i}")).collect();
            for (name, action) in names.iter().zip(&billing) {
                request = request.expression_attribute_values(name, s(action.as_str()));
            }
            filters.push(format!("NOT (#action IN ({}))", names.join(", ")));
        }
        if !filters.is_empty() {
            request = request
                .filter_expression(filters.join(" AND "))
                .expression_attribute_names("#action", "action");
        }
        let out = request
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("listing audit entries")?;
        page(out.items, out.last_evaluated_key)
    }
}
