//! Requests for access in the store (docs/sso.md, "Asking for access"): the counters that throttle
//! them per place and per domain, the request stored with its company's consent checked in the same
//! transaction, and a company's list of them. Approving one is an invitation
//! (`Store::invite_user` deletes the request it answers).

use super::*;
use crate::domain::access::{AccessRequest, MAX_PER_DOMAIN, MAX_PER_PLACE};

impl Store {
    /// A throttle counter ADDed to, refused once it reached `limit`; kept until `expires`.
    fn counted_part(
        &self,
        key: &Key,
        limit: i64,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .update_expression("ADD #n :one SET #ttl = :ttl")
            .condition_expression("attribute_not_exists(#n) OR #n < :limit")
            .expression_attribute_names("#n", "n")
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":ttl", epoch(expires))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    fn access_counters(
        &self,
        place: &str,
        domain: &str,
        window: i64,
        expires: OffsetDateTime,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        Ok(vec![
            self.counted_part(
                &keys::access_requests_from(place, window),
                MAX_PER_PLACE,
                expires,
            )?,
            self.counted_part(
                &keys::access_requests_to(domain, window),
                MAX_PER_DOMAIN,
                expires,
            )?,
        ])
    }

    /// Count a request that goes to no company (its place and domain still count). `false` if
    /// past a limit.
    pub async fn count_access_request(
        &self,
        place: &str,
        domain: &str,
        window: i64,
        expires: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let parts = self.access_counters(place, domain, window, expires)?;
        self.transact(parts, "counting access request").await
    }

    /// Store `request` in its company, counted, on condition that the company still takes
    /// requests and the address has none waiting, with `audit`: one transaction. `false` if any
    /// of that refused it.
    pub async fn store_access_request(
        &self,
        request: &AccessRequest,
        (place, window, expires): (&str, i64, OffsetDateTime),
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let domain = crate::domain::access::domain_of(&request.email);
        let mut parts = self.access_counters(place, domain, window, expires)?;
        let takes = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::company(&request.company_id).to_item()))
            .condition_expression("#sso.#takes = :yes")
            .expression_attribute_names("#sso", "sso")
            .expression_attribute_names("#takes", "access_requests")
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()?;
        let mut item = to_item(
            request,
            &keys::access_request(&request.company_id, &request.id),
        )?;
        item.insert(
            keys::TTL.into(),
            epoch(request.asked_at + crate::domain::access::KEPT),
        );
        parts.push(TransactWriteItem::builder().condition_check(takes).build());
        parts.push(self.put_new(item)?);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "storing access request").await
    }

    /// A company's waiting requests, oldest first (at most 100: the rest wait their turn).
    pub async fn list_access_requests(
        &self,
        company: &CompanyId,
    ) -> anyhow::Result<Vec<AccessRequest>> {
        let page: Page<AccessRequest> = self
            .prefix_page(company, keys::ACCESS_REQUEST_PREFIX, None, 100)
            .await
            .context("listing access requests")?;
        let mut items = page.items;
        items.sort_by_key(|r| r.asked_at);
        Ok(items)
    }

    pub async fn get_access_request(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> anyhow::Result<Option<AccessRequest>> {
        self.get(&keys::access_request(company, id))
            .await
            .context("reading access request")
    }

    /// The delete of a waiting request, as a transaction part (refused if it is gone).
    pub(super) fn answer_part(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> anyhow::Result<TransactWriteItem> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::access_request(company, id).to_item()))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Refuse a waiting request: it goes, with `audit`. `false` if it was gone.
    pub async fn refuse_access_request(
        &self,
        company: &CompanyId,
        id: &str,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let parts = vec![self.answer_part(company, id)?, self.audit_part(audit)?];
        self.transact(parts, "refusing access request").await
    }
}
