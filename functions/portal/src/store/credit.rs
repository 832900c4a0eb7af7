//! Store credit in the store (docs/billing.md, "Store credit"): credit notes, each issued with
//! its gapless number and its credit in one transaction; the balance per currency, `ADD`ed to by
//! credit notes and overpayments and taken from, on condition there is enough, by payments with
//! credit.

use super::*;
use crate::domain::billing::{
    BillingAccount, CreditBalance, CreditNote, Currency, Invoice, Payment,
};

const COUNTER: &str = "CREDITNOTE";

/// The balances an item of `keys::credit_balance` holds, currencies in order, zeros left out.
fn balances_from(item: Option<Item>) -> Vec<CreditBalance> {
    let mut out: Vec<CreditBalance> = item
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(name, value)| {
            let currency = Currency::parse(name.strip_prefix(keys::CREDIT_ATTR_PREFIX)?)?;
            let amount: i64 = value.as_n().ok()?.parse().ok()?;
            (amount != 0).then_some(CreditBalance { currency, amount })
        })
        .collect();
    out.sort_by(|a, b| a.currency.as_str().cmp(b.currency.as_str()));
    out
}

impl Store {
    /// A company's store credit, per currency.
    pub async fn credit_balances(&self, company: &CompanyId) -> anyhow::Result<Vec<CreditBalance>> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::credit_balance(company).to_item()))
            .consistent_read(true)
            .send()
            .await
            .context("reading store credit")?;
        Ok(balances_from(out.item))
    }

    /// A company's billing account and store credit, in one BatchGetItem.
    pub async fn account_and_credit(
        &self,
        company: &CompanyId,
    ) -> anyhow::Result<(BillingAccount, Vec<CreditBalance>)> {
        let (account, credit) = (
            keys::billing_account(company),
            keys::credit_balance(company),
        );
        let mut found = self
            .batch_get(&[account.clone(), credit.clone()])
            .await
            .context("reading a billing account and its credit")?;
        let account = found
            .remove(&account.sk)
            .map(from_item)
            .transpose()?
            .unwrap_or_default();
        Ok((account, balances_from(found.remove(&credit.sk))))
    }

    pub async fn get_credit_note(
        &self,
        company: &CompanyId,
        number: u64,
    ) -> anyhow::Result<Option<CreditNote>> {
        self.get(&keys::credit_note(company, number)).await
    }

    /// One page of a company's credit notes, newest first.
    pub async fn credit_notes(
        &self,
        company: &CompanyId,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<CreditNote>> {
        let (first, last) = keys::credit_note_range();
        let out = self
            .range_query(company, &first, &last)
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("listing credit notes")?;
        page(out.items, out.last_evaluated_key)
    }

    /// The last credit note number taken (0 before the first), read strongly.
    pub async fn last_credit_number(&self) -> anyhow::Result<u64> {
        self.counter_value(COUNTER).await
    }

    /// The number of the credit note issued under `request` (an `Idempotency-Key`), if one was.
    pub async fn credit_request(
        &self,
        company: &CompanyId,
        request: &str,
    ) -> anyhow::Result<Option<u64>> {
        #[derive(Deserialize)]
        struct Mark {
            number: u64,
        }
        let mark: Option<Mark> = self.get(&keys::credit_request(company, request)).await?;
        Ok(mark.map(|m| m.number))
    }

    /// Issue `note` as number `note.number`, exactly one more than the counter's `last`: the
    /// counter, the note, the company's credit (`ADD`), the request's mark (if any) and the audit
    /// entry change together or not at all. `false` when the number was taken meanwhile or the
    /// request was issued already.
    pub async fn issue_credit_note(
        &self,
        note: &CreditNote,
        last: u64,
        request: Option<&str>,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let company = &note.company_id;
        let mut parts = vec![
            self.counter_part(COUNTER, last, note.number)?,
            self.put_new(to_item(note, &keys::credit_note(company, note.number))?)?,
            self.credit_part(company, &note.currency, note.amount)?,
            self.audit_part(audit)?,
        ];
        if let Some(request) = request {
            let mut mark = keys::credit_request(company, request).to_item();
            mark.insert("number".into(), n(note.number));
            mark.insert(
                keys::TTL.into(),
                epoch(note.created_at + time::Duration::days(30)),
            );
            parts.push(self.put_new(mark)?);
        }
        self.transact(parts, "issuing a credit note").await
    }

    /// The change of a company's credit in `currency` by `delta`, as a transaction part: taking
    /// (a negative `delta`) only if that much is there.
    pub(crate) fn credit_part(
        &self,
        company: &CompanyId,
        currency: &Currency,
        delta: i64,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credit_balance(company).to_item()))
            .update_expression("ADD #credit :delta")
            .expression_attribute_names("#credit", keys::credit_attr(currency))
            .expression_attribute_values(":delta", n(delta));
        if delta < 0 {
            update = update
                .condition_expression("#credit >= :needed")
                .expression_attribute_values(":needed", n(-delta));
        }
        Ok(TransactWriteItem::builder().update(update.build()?).build())
    }

    /// Store credit notes as they are, without numbers taken or credit added (benchmarks).
    pub async fn load_credit_notes(&self, notes: &[CreditNote]) -> anyhow::Result<()> {
        let items = notes
            .iter()
            .map(|note| to_item(note, &keys::credit_note(&note.company_id, note.number)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.batch_put(items, "loading credit notes").await
    }

    /// Pay `invoice` (read at version `expected`, the payment applied) with store credit: the
    /// payment, the invoice, the credit taken (on condition there is enough) and the audit entry,
    /// in one transaction. `false` when the invoice changed or the credit is short.
    pub async fn pay_with_credit(
        &self,
        payment: &Payment,
        invoice: (&Invoice, u64),
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let debit = self.credit_part(&payment.company_id, &payment.currency, -payment.amount)?;
        self.record_payment(
            payment,
            &[(invoice.0.clone(), invoice.1)],
            Some(debit),
            audit,
        )
        .await
    }
}
