//! Billing accounts (Stripe customer, default method, autopay consent) and the payment methods saved
//! with Stripe, in the store.

use super::*;
use crate::domain::billing::{BillingAccount, PaymentMethod};

/// Which company a Stripe customer is.
#[derive(Serialize, Deserialize)]
struct CustomerLink {
    company_id: CompanyId,
}

impl Store {
    // --- billing account, payment methods, Stripe customers ---

    pub async fn billing_account(&self, company: &CompanyId) -> anyhow::Result<BillingAccount> {
        Ok(self
            .get(&keys::billing_account(company))
            .await?
            .unwrap_or_default())
    }

    /// Write the account (version already bumped) over version `expected` (0 = never written).
    /// With a new Stripe customer, also record which company it is.
    pub async fn save_billing_account(
        &self,
        company: &CompanyId,
        account: &BillingAccount,
        expected: u64,
        new_customer: Option<&str>,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let item = to_item(account, &keys::billing_account(company))?;
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        put = if expected == 0 {
            put.condition_expression("attribute_not_exists(#pk) OR #version = :zero")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":zero", n(0))
        } else {
            put.condition_expression("#version = :version")
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":version", n(expected))
        };
        let mut parts = vec![TransactWriteItem::builder().put(put.build()?).build()];
        if let Some(customer) = new_customer {
            let link = to_item(
                &CustomerLink {
                    company_id: company.clone(),
                },
                &keys::stripe_customer(customer),
            )?;
            parts.push(self.put_part(link)?);
        }
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        self.transact(parts, "saving the billing account").await
    }

    /// The company a Stripe customer belongs to.
    pub async fn customer_company(&self, customer: &str) -> anyhow::Result<Option<CompanyId>> {
        let link: Option<CustomerLink> = self.get(&keys::stripe_customer(customer)).await?;
        Ok(link.map(|l| l.company_id))
    }

    fn method_item(method: &PaymentMethod) -> anyhow::Result<Item> {
        let mut item = to_item(
            method,
            &keys::payment_method(&method.company_id, &method.id),
        )?;
        if let Some(month) = method.expiry_month() {
            keys::CARD_EXPIRY_INDEX.put(
                &mut item,
                keys::card_expiry(&month),
                format!("{}#{}", method.company_id, method.id),
            );
        }
        Ok(item)
    }

    /// Store a payment method as Stripe describes it, recording `event`; a nickname already
    /// given is kept. `false` if the event was applied before or the method was removed (Stripe's
    /// events come in any order: an `updated` may arrive after the `detached`).
    pub async fn put_payment_method(
        &self,
        method: &PaymentMethod,
        event: &str,
        now: OffsetDateTime,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut method = method.clone();
        if let Some(old) = self
            .get_payment_method(&method.company_id, &method.id)
            .await?
        {
            method.nickname = old.nickname;
            method.added_at = old.added_at;
            method.reminded_for = old.reminded_for;
        }
        let parts = vec![
            self.put_part(Self::method_item(&method)?)?,
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(
                            keys::removed_payment_method(&method.company_id, &method.id).to_item(),
                        ))
                        .condition_expression("attribute_not_exists(#pk)")
                        .expression_attribute_names("#pk", keys::PK)
                        .build()?,
                )
                .build(),
            self.event_part(event, now)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "storing a payment method").await
    }

    /// Change a method's nickname or reminder month (it must still exist).
    pub async fn update_payment_method(
        &self,
        method: &PaymentMethod,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(Self::method_item(method)?))
                        .condition_expression("attribute_exists(#pk)")
                        .expression_attribute_names("#pk", keys::PK)
                        .build()?,
                )
                .build(),
        ];
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        self.transact(parts, "updating a payment method").await
    }

    /// Forget a payment method (detached in Stripe), recording `event` when Stripe told us, and
    /// remember for a while that it was removed (`keys::removed_payment_method`).
    pub async fn delete_payment_method(
        &self,
        company: &CompanyId,
        id: &str,
        event: Option<&str>,
        now: OffsetDateTime,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(keys::payment_method(company, id).to_item()))
                        .build()?,
                )
                .build(),
        ];
        let mut removed = keys::removed_payment_method(company, id).to_item();
        removed.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(super::billing::EVENT_TTL_DAYS)),
        );
        parts.push(self.put_part(removed)?);
        if let Some(event) = event {
            parts.push(self.event_part(event, now)?);
        }
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        self.transact(parts, "deleting a payment method").await
    }

    pub async fn get_payment_method(
        &self,
        company: &CompanyId,
        id: &str,
    ) -> anyhow::Result<Option<PaymentMethod>> {
        self.get(&keys::payment_method(company, id)).await
    }

    /// A company's saved payment methods (a handful; one Query).
    pub async fn payment_methods(&self, company: &CompanyId) -> anyhow::Result<Vec<PaymentMethod>> {
        Ok(self
            .prefix_page(company, keys::PAYMENT_METHOD_PREFIX, None, 100)
            .await?
            .items)
    }

    /// Cards expiring in month `yyyy-mm`, across companies.
    pub async fn cards_expiring(&self, month: &str) -> anyhow::Result<Vec<PaymentMethod>> {
        self.index_all(
            keys::CARD_EXPIRY_INDEX,
            &keys::card_expiry(month),
            usize::MAX,
        )
        .await
        .context("listing expiring cards")
    }
}
