//! Invoicing time in the store (docs/agreements.md, "Invoicing time"): a company's unbilled time,
//! the draft that bills it (its entries marked billed and the hours over counted in the draft's
//! own transaction), giving them back when the draft is deleted or the invoice voided, and the
//! marks issued invoices leave on the tickets they bill (the cart marker).

use super::*;
use crate::domain::agreements::{BilledBy, TimeEntry, TimeToBill};
use crate::domain::billing::Invoice;
use crate::domain::tickets::InvoiceMark;

const BILLED: &str = "billed";
const INVOICES: &str = "invoices";

impl Store {
    /// A company's unbilled time, by ticket: up to `limit` entries, and whether more wait.
    pub async fn unbilled_time(
        &self,
        company: &CompanyId,
        limit: i32,
    ) -> anyhow::Result<(Vec<TimeEntry>, bool)> {
        let page = self
            .index_page(
                keys::UNBILLED_TIME_INDEX,
                &keys::unbilled_time(company),
                false,
                None,
                limit,
            )
            .await
            .context("listing unbilled time")?;
        Ok((page.items, page.last_key.is_some()))
    }

    /// Create the draft `invoice` (new) that bills `plan`, with its audit entry, in one
    /// transaction: each entry is marked billed by it on condition it is at the version read (not
    /// billed then), and each period's minutes over are counted on condition the counters are as
    /// read. `false` when a condition refused it: a repeated request, or time billed or changed
    /// meanwhile (read again).
    pub async fn bill_time(
        &self,
        invoice: &Invoice,
        plan: &TimeToBill,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let billed: AttributeValue = serde_dynamo::to_attribute_value(BilledBy {
            invoice_id: invoice.id.clone(),
        })
        .context("encoding a billed mark")?;
        let mut parts = vec![self.invoice_put(invoice, None)?];
        for entry in &plan.entries {
            let key = keys::time_entry(&entry.company_id, entry.ticket_number, &entry.id);
            let index = keys::UNBILLED_TIME_INDEX;
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()))
                .update_expression("SET #billed = :billed, #version = :next REMOVE #ipk, #isk")
                // The version read, which was not billed (`billed` is stored as null then).
                .condition_expression("#version = :version")
                .expression_attribute_names("#billed", BILLED)
                .expression_attribute_names("#version", "version")
                .expression_attribute_names("#ipk", index.pk)
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":billed", billed.clone())
                .expression_attribute_values(":version", n(entry.version))
                .expression_attribute_values(":next", n(entry.version + 1))
                .build()?;
            parts.push(TransactWriteItem::builder().update(update).build());
        }
        if !plan.overage.is_empty() {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::agreement_book(&invoice.company_id).to_item()));
            let (mut adds, mut conditions) = (Vec::new(), Vec::new());
            for (i, o) in plan.overage.iter().enumerate() {
                let (over, used, bought) = (format!("#o{i}"), format!("#t{i}"), format!("#b{i}"));
                adds.push(format!("{over} :add{i}"));
                conditions.push(format!(
                    "(attribute_not_exists({over}) OR {over} = :before{i}) AND {used} >= :used{i} \
                     AND (attribute_not_exists({bought}) OR {bought} <= :bought{i})"
                ));
                update = update
                    .expression_attribute_names(&over, keys::over_attr(&o.agreement_id, &o.period))
                    .expression_attribute_names(
                        &used,
                        keys::period_attr(&o.agreement_id, &o.period),
                    )
                    .expression_attribute_names(&bought, keys::bought_attr(&o.agreement_id))
                    .expression_attribute_values(format!(":add{i}"), n(o.minutes))
                    .expression_attribute_values(format!(":before{i}"), n(o.billed_before))
                    .expression_attribute_values(format!(":used{i}"), n(o.used))
                    .expression_attribute_values(format!(":bought{i}"), n(o.bought));
            }
            let update = update
                .update_expression(format!("ADD {}", adds.join(", ")))
                .condition_expression(conditions.join(" AND "))
                .build()?;
            parts.push(TransactWriteItem::builder().update(update).build());
        }
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "invoicing time").await
    }

    /// Giving back the time `invoice` billed (its draft deleted, or it was voided), as transaction
    /// parts: each entry unmarked and back among the unbilled, the minutes over uncounted.
    pub(crate) fn release_time_parts(
        &self,
        invoice: &Invoice,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let Some(billed) = invoice.billed_time.as_ref() else {
            return Ok(Vec::new());
        };
        let company = &invoice.company_id;
        let index = keys::UNBILLED_TIME_INDEX;
        let mut parts = Vec::new();
        for entry in &billed.entries {
            let key = keys::time_entry(company, entry.ticket_number, &entry.id);
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()))
                .update_expression(
                    "SET #ipk = :ipk, #isk = :isk, #version = #version + :one REMOVE #billed",
                )
                .condition_expression("#billed.#invoice = :invoice")
                .expression_attribute_names("#billed", BILLED)
                .expression_attribute_names("#invoice", "invoice_id")
                .expression_attribute_names("#version", "version")
                .expression_attribute_names("#ipk", index.pk)
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":ipk", s(keys::unbilled_time(company)))
                .expression_attribute_values(
                    ":isk",
                    s(keys::unbilled_sort(
                        entry.ticket_number,
                        entry.date,
                        &entry.id,
                    )),
                )
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":invoice", s(invoice.id.as_str()))
                .build()?;
            parts.push(TransactWriteItem::builder().update(update).build());
        }
        if !billed.overage.is_empty() {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::agreement_book(company).to_item()))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK);
            let mut adds = Vec::new();
            for (i, o) in billed.overage.iter().enumerate() {
                adds.push(format!("#o{i} :o{i}"));
                update = update
                    .expression_attribute_names(
                        format!("#o{i}"),
                        keys::over_attr(&o.agreement_id, &o.period),
                    )
                    .expression_attribute_values(format!(":o{i}"), n(-o.minutes));
            }
            let update = update
                .update_expression(format!("ADD {}", adds.join(", ")))
                .build()?;
            parts.push(TransactWriteItem::builder().update(update).build());
        }
        Ok(parts)
    }

    /// Tickets `numbers` of `company`, as an invoice names them (missing ones left out): one
    /// BatchGetItem, none for none.
    pub async fn company_tickets(
        &self,
        company: &CompanyId,
        numbers: &[u64],
    ) -> anyhow::Result<Vec<Ticket>> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let refs: Vec<TicketRef> = numbers
            .iter()
            .map(|n| TicketRef {
                company_id: company.clone(),
                number: *n,
            })
            .collect();
        self.get_tickets(&refs).await
    }

    /// The marks an issued `invoice` leaves on the tickets it bills, as transaction parts. Each
    /// ticket's version moves on, so a write of the ticket read before does not drop the mark.
    pub(crate) fn mark_tickets_parts(
        &self,
        invoice: &Invoice,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let Some(number) = invoice.number else {
            return Ok(Vec::new());
        };
        let mark: AttributeValue = serde_dynamo::to_attribute_value(vec![InvoiceMark {
            invoice_id: invoice.id.clone(),
            number,
        }])
        .context("encoding an invoice mark")?;
        invoice
            .tickets
            .iter()
            .map(|ticket| {
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::ticket(&invoice.company_id, *ticket).to_item()))
                    .update_expression(
                        "SET #inv = list_append(if_not_exists(#inv, :none), :mark), \
                         #version = #version + :one",
                    )
                    .condition_expression("attribute_exists(#pk)")
                    .expression_attribute_names("#pk", keys::PK)
                    .expression_attribute_names("#inv", INVOICES)
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
                    .expression_attribute_values(":mark", mark.clone())
                    .expression_attribute_values(":one", n(1))
                    .build()?;
                Ok(TransactWriteItem::builder().update(update).build())
            })
            .collect()
    }

    /// Taking a voided `invoice`'s marks off `tickets` (as read), as transaction parts, each on
    /// condition the ticket is at the version read.
    fn unmark_tickets_parts(
        &self,
        invoice: &Invoice,
        tickets: &[Ticket],
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut parts = Vec::new();
        for ticket in tickets {
            if !ticket.invoices.iter().any(|m| m.invoice_id == invoice.id) {
                continue;
            }
            let kept: Vec<&InvoiceMark> = ticket
                .invoices
                .iter()
                .filter(|m| m.invoice_id != invoice.id)
                .collect();
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(
                    keys::ticket(&ticket.company_id, ticket.number).to_item(),
                ))
                .update_expression("SET #inv = :kept, #version = :next")
                .condition_expression("#version = :version")
                .expression_attribute_names("#inv", INVOICES)
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(
                    ":kept",
                    serde_dynamo::to_attribute_value(kept).context("encoding invoice marks")?,
                )
                .expression_attribute_values(":version", n(ticket.version))
                .expression_attribute_values(":next", n(ticket.version + 1))
                .build()?;
            parts.push(TransactWriteItem::builder().update(update).build());
        }
        Ok(parts)
    }

    /// Void `invoice` (status set, version bumped) over version `expected`: the time it billed
    /// goes back to unbilled and its marks come off `tickets` (its tickets, as read), with the
    /// audit entry. `Stale` when the invoice or a ticket changed meanwhile.
    pub async fn void_invoice(
        &self,
        invoice: &Invoice,
        expected: u64,
        tickets: &[Ticket],
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let mut parts = vec![self.invoice_put(invoice, Some(expected))?];
        parts.extend(self.release_time_parts(invoice)?);
        parts.extend(self.unmark_tickets_parts(invoice, tickets)?);
        parts.extend(self.invoice_report_parts(invoice, -1)?);
        parts.push(self.audit_part(audit)?);
        Ok(Saved::of(self.transact(parts, "voiding an invoice").await?))
    }
}
