//! Invoices, their numbers, payments and Stripe events in the store (billing accounts and payment
//! methods: `payment_methods.rs`). Every change that moves money is
//! one transaction with its conditions: an invoice is written only at the version read, a payment
//! leaves `pending` once, a Stripe event is recorded in the same transaction as its effect.

use anyhow::Context;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{Item, Page, Store, applied, from_item, n, s, to_item};
use crate::domain::CompanyId;
use crate::domain::audit::AuditEntry;
use crate::domain::billing::{BillingId, Invoice, Payment, PaymentStatus};
use crate::store::keys::{self, Key};

/// Where invoice number `n` points.
#[derive(Serialize, Deserialize)]
struct InvoiceNumber {
    company_id: CompanyId,
    invoice_id: BillingId,
}

/// How long an applied Stripe event id is kept (Stripe retries for up to three days).
pub(super) const EVENT_TTL_DAYS: i64 = 30;

/// The outcome of a write made at the version read.
pub enum Saved {
    Done,
    /// Someone changed it first (or, for an issue, took the number first): read and try again.
    Stale,
}

impl Saved {
    /// `Done` when the transaction applied, `Stale` when a condition refused it.
    pub(crate) fn of(applied: bool) -> Self {
        if applied { Self::Done } else { Self::Stale }
    }
}

impl Store {
    fn invoice_item(invoice: &Invoice) -> anyhow::Result<Item> {
        let mut item = to_item(invoice, &keys::invoice(&invoice.company_id, &invoice.id))?;
        let tab = invoice.status.tab();
        keys::INVOICE_TABS_INDEX.put(
            &mut item,
            keys::invoice_tab(&invoice.company_id, tab),
            keys::invoice_sort(invoice.due_date, &invoice.id),
        );
        keys::INVOICE_QUEUE_INDEX.put(
            &mut item,
            keys::invoice_queue(tab),
            keys::invoice_queue_sort(invoice.due_date, &invoice.company_id, &invoice.id),
        );
        Ok(item)
    }

    /// The put of `invoice` as a transaction part: new (`expected` = `None`) or over the version
    /// read.
    pub(super) fn invoice_put(
        &self,
        invoice: &Invoice,
        expected: Option<u64>,
    ) -> anyhow::Result<TransactWriteItem> {
        self.versioned_put(Self::invoice_item(invoice)?, expected)
    }

    /// Create a draft (with its audit entry).
    pub async fn create_invoice(
        &self,
        invoice: &Invoice,
        audit: &AuditEntry,
    ) -> anyhow::Result<()> {
        let parts = vec![self.invoice_put(invoice, None)?, self.audit_part(audit)?];
        if !self.transact(parts, "creating an invoice").await? {
            anyhow::bail!("a new invoice id collided");
        }
        Ok(())
    }

    /// Write `invoice` (version already bumped) over version `expected`, with an audit entry.
    pub async fn save_invoice(
        &self,
        invoice: &Invoice,
        expected: u64,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<Saved> {
        let mut parts = vec![self.invoice_put(invoice, Some(expected))?];
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        Ok(Saved::of(self.transact(parts, "saving an invoice").await?))
    }

    /// Delete a draft at the version read (time it billed goes back to unbilled).
    pub async fn delete_draft(
        &self,
        invoice: &Invoice,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(
                keys::invoice(&invoice.company_id, &invoice.id).to_item(),
            ))
            .condition_expression("#version = :version AND #status = :draft")
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":version", n(invoice.version))
            .expression_attribute_values(":draft", s("draft"))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().delete(delete).build()];
        parts.extend(self.release_time_parts(invoice)?);
        parts.push(self.audit_part(audit)?);
        Ok(Saved::of(self.transact(parts, "deleting a draft").await?))
    }

    /// The last invoice number taken (0 before the first), read strongly.
    pub async fn last_invoice_number(&self) -> anyhow::Result<u64> {
        self.counter_value("INVOICE").await
    }

    /// The value of counter `name` (0 before its first number), read strongly.
    pub(super) async fn counter_value(&self, name: &str) -> anyhow::Result<u64> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::counter(name).to_item()))
            .consistent_read(true)
            .send()
            .await
            .context("reading a counter")?;
        Ok(out
            .item
            .and_then(|i| {
                i.get("value")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0))
    }

    /// Counter `name` moving from `last` to `next`, as a transaction part that fails if another
    /// writer took `next` first (gapless numbers).
    pub(super) fn counter_part(
        &self,
        name: &str,
        last: u64,
        next: u64,
    ) -> anyhow::Result<TransactWriteItem> {
        let counter = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::counter(name).to_item()))
            .update_expression("SET #value = :next")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":next", n(next));
        let counter = if last == 0 {
            counter.condition_expression("attribute_not_exists(#value)")
        } else {
            counter
                .condition_expression("#value = :last")
                .expression_attribute_values(":last", n(last))
        };
        Ok(TransactWriteItem::builder()
            .update(counter.build()?)
            .build())
    }

    /// Issue `invoice` (status, number and dates already set, version bumped) as number
    /// `invoice.number`, which must be exactly one more than the counter's `last`: the counter,
    /// the invoice, its number item, the marks on the tickets it bills and the audit entry change
    /// together or not at all, so numbers have no gaps and no repeats. `expected`: the draft's version read, or `None` for an invoice
    /// issued as it is created (hours bought online).
    pub async fn issue_invoice(
        &self,
        invoice: &Invoice,
        last: u64,
        expected: Option<u64>,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let mut parts = self.issue_parts(invoice, last, expected)?;
        parts.push(self.audit_part(audit)?);
        Ok(Saved::of(self.transact(parts, "issuing an invoice").await?))
    }

    /// Issuing `invoice` as transaction parts: the counter (from `last`), the invoice (over
    /// `expected`; `None`: new), its number item and the marks on the tickets it bills. Issuing
    /// an invoice and approving a quote with a deposit use them.
    pub(super) fn issue_parts(
        &self,
        invoice: &Invoice,
        last: u64,
        expected: Option<u64>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let number = invoice.number.context("issuing without a number")?;
        let mut link = to_item(
            &InvoiceNumber {
                company_id: invoice.company_id.clone(),
                invoice_id: invoice.id.clone(),
            },
            &keys::invoice_number(number),
        )?;
        link.insert("number".into(), n(number));
        let mut parts = vec![
            self.counter_part("INVOICE", last, number)?,
            self.invoice_put(invoice, expected)?,
            self.put_new(link)?,
        ];
        parts.extend(self.mark_tickets_parts(invoice)?);
        parts.extend(self.invoice_report_parts(invoice, 1)?);
        Ok(parts)
    }

    pub async fn get_invoice(
        &self,
        company: &CompanyId,
        id: &BillingId,
    ) -> anyhow::Result<Option<Invoice>> {
        self.get(&keys::invoice(company, id)).await
    }

    /// Which company and invoice have number `number`.
    pub async fn invoice_by_number(
        &self,
        number: u64,
    ) -> anyhow::Result<Option<(CompanyId, BillingId)>> {
        let link: Option<InvoiceNumber> = self.get(&keys::invoice_number(number)).await?;
        Ok(link.map(|l| (l.company_id, l.invoice_id)))
    }

    /// Several invoices of one company, by id, in one BatchGetItem (missing ones left out).
    pub async fn get_invoices(
        &self,
        company: &CompanyId,
        ids: &[BillingId],
    ) -> anyhow::Result<Vec<Invoice>> {
        let wanted: Vec<Key> = ids.iter().map(|id| keys::invoice(company, id)).collect();
        let found = self.batch_get(&wanted).await?;
        found.into_values().map(from_item).collect()
    }

    /// One page of a company's invoices in a tab (gsi1), or every company's (gsi2, `company` =
    /// `None`), by due date.
    pub async fn list_invoices(
        &self,
        company: Option<&CompanyId>,
        tab: &str,
        descending: bool,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Invoice>> {
        let (index, partition) = invoice_index(company, tab);
        self.index_page(index, &partition, descending, start, limit)
            .await
            .context("listing invoices")
    }

    /// Every invoice of a tab (`open`: the outstanding ones) of a company or of every company, in
    /// the tab's index order, following pages until at least `cap`.
    pub async fn all_invoices(
        &self,
        company: Option<&CompanyId>,
        tab: &str,
        cap: usize,
    ) -> anyhow::Result<Vec<Invoice>> {
        let (index, partition) = invoice_index(company, tab);
        self.index_all(index, &partition, cap)
            .await
            .context("listing all invoices of a tab")
    }

    // --- payments ---

    pub async fn get_payment(
        &self,
        company: &CompanyId,
        id: &BillingId,
    ) -> anyhow::Result<Option<Payment>> {
        self.get(&keys::payment(company, id)).await
    }

    fn payment_item(payment: &Payment) -> anyhow::Result<Item> {
        let mut item = to_item(payment, &keys::payment(&payment.company_id, &payment.id))?;
        if payment.status == PaymentStatus::Succeeded {
            let at = payment.paid_at.unwrap_or(payment.created_at);
            keys::PAYMENT_HISTORY_INDEX.put(
                &mut item,
                keys::payment_history(&payment.company_id),
                format!("{}#{}", keys::sortable_time(at), payment.id),
            );
        }
        Ok(item)
    }

    /// Record a new payment (pending, or a manual one already succeeded with its invoices).
    /// `false` if a payment with this id exists (a retried request).
    pub async fn create_payment(
        &self,
        payment: &Payment,
        invoices: &[(Invoice, u64)],
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        self.record_payment(payment, invoices, None, audit).await
    }

    /// A new payment, the invoices it pays (each over the version read), the hours they credit,
    /// `extra` (the store credit it takes) and the audit entry, in one transaction.
    pub(super) async fn record_payment(
        &self,
        payment: &Payment,
        invoices: &[(Invoice, u64)],
        extra: Option<TransactWriteItem>,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.put_new(Self::payment_item(payment)?)?];
        parts.extend(self.payment_report_parts(payment)?);
        for (invoice, expected) in invoices {
            parts.push(self.invoice_put(invoice, Some(*expected))?);
        }
        parts.extend(self.hours_credit_part(&payment.company_id, invoices)?);
        parts.extend(extra);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "recording a payment").await
    }

    /// The put of `payment` over its stored self, as a transaction part: only from a status
    /// that may become the new one (`PaymentStatus::comes_from`).
    fn settle_part(&self, payment: &Payment) -> anyhow::Result<TransactWriteItem> {
        let sources = payment.status.comes_from();
        anyhow::ensure!(!sources.is_empty(), "a payment is not settled as pending");
        let names: Vec<String> = (0..sources.len()).map(|i| format!(":from{i}")).collect();
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::payment_item(payment)?))
            .condition_expression(format!("#status IN ({})", names.join(", ")))
            .expression_attribute_names("#status", "status");
        for (name, status) in names.iter().zip(sources) {
            put = put.expression_attribute_values(name, s(status.as_str()));
        }
        Ok(TransactWriteItem::builder().put(put.build()?).build())
    }

    /// The record of Stripe event `event`, which must be new, as a transaction part.
    pub(super) fn event_part(
        &self,
        event: &str,
        now: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut item = keys::stripe_event(event).to_item();
        item.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(EVENT_TTL_DAYS)),
        );
        self.put_new(item)
    }

    /// Settle a payment (succeeded, failed or expired, from a status that may become that) and,
    /// when it succeeded, the invoices it pays (each over the version read) and its unapplied
    /// rest as store credit, recording `event` — all or nothing. `false` when a condition failed: the event was applied before, the payment
    /// is past that status, or an invoice changed meanwhile (read again and retry).
    pub async fn settle_payment(
        &self,
        payment: &Payment,
        invoices: &[(Invoice, u64)],
        event: Option<&str>,
        now: OffsetDateTime,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.settle_part(payment)?];
        parts.extend(self.payment_report_parts(payment)?);
        for (invoice, expected) in invoices {
            parts.push(self.invoice_put(invoice, Some(*expected))?);
        }
        parts.extend(self.hours_credit_part(&payment.company_id, invoices)?);
        // Money no invoice could take becomes the company's store credit.
        if payment.unapplied > 0 {
            parts.push(self.credit_part(
                &payment.company_id,
                &payment.currency,
                payment.unapplied,
            )?);
        }
        if let Some(event) = event {
            parts.push(self.event_part(event, now)?);
        }
        if let Some(audit) = audit {
            parts.push(self.audit_part(audit)?);
        }
        self.transact(parts, "settling a payment").await
    }

    /// Whether Stripe event `event` was applied already.
    pub async fn event_seen(&self, event: &str) -> anyhow::Result<bool> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::stripe_event(event).to_item()))
            .consistent_read(true)
            .send()
            .await
            .context("reading a Stripe event record")?;
        Ok(out.item.is_some())
    }

    /// One page of a company's succeeded payments, newest first.
    pub async fn payment_history(
        &self,
        company: &CompanyId,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Payment>> {
        let partition = keys::payment_history(company);
        self.index_page(keys::PAYMENT_HISTORY_INDEX, &partition, true, start, limit)
            .await
            .context("listing payments")
    }

    /// Mark `invoice`'s reminder for being `days` days overdue as sent; `false` if it was already.
    /// The mark expires after a year.
    pub async fn mark_overdue_reminder(
        &self,
        invoice: &Invoice,
        days: u32,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let mut item = keys::overdue_reminder(&invoice.company_id, &invoice.id, days).to_item();
        item.insert(
            keys::TTL.into(),
            super::epoch(now + time::Duration::days(366)),
        );
        self.transact(vec![self.put_new(item)?], "marking an overdue reminder")
            .await
    }

    /// Record a Stripe event that changes nothing else of ours (so a repeat is recognised).
    pub async fn record_event(&self, event: &str, now: OffsetDateTime) -> anyhow::Result<bool> {
        let result = self
            .db
            .transact_write_items()
            .transact_items(self.event_part(event, now)?)
            .send()
            .await;
        applied(result, "recording a Stripe event")
    }
}

/// Where a tab of invoices is: one company's, or every company's.
fn invoice_index(company: Option<&CompanyId>, tab: &str) -> (keys::Index, String) {
    match company {
        Some(c) => (keys::INVOICE_TABS_INDEX, keys::invoice_tab(c, tab)),
        None => (keys::INVOICE_QUEUE_INDEX, keys::invoice_queue(tab)),
    }
}
