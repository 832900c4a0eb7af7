//! Quotes in the store (issue 19): drafts, sending (the gapless number taken in the same
//! transaction), revising (the old revision superseded, the number pointing at the new one), and
//! answering — one conditional write that fails if the quote changed, is no longer sent, or has
//! expired, never a read-then-write. Lists by tab; no Scan.

use super::*;
use crate::domain::billing::{BillingId, Invoice};
use crate::domain::projects::Project;
use crate::domain::quotes::{Quote, QuoteStatus, QuoteTab};
use crate::domain::tickets::Ticket;

const COUNTER: &str = "QUOTE";

/// Most waiting quotes the home alert counts (it then says "100+").
pub const MAX_WAITING_COUNTED: u64 = 100;

/// What an approval writes beside the quote, in its transaction.
#[derive(Default)]
pub struct Effects<'a> {
    /// The ticket raised for the work (its number already taken).
    pub ticket: Option<&'a Ticket>,
    /// The project created (its number already taken).
    pub project: Option<&'a Project>,
    /// The deposit invoice, issued as one more than the invoice counter's `last`.
    pub deposit: Option<(&'a Invoice, u64)>,
}

/// Where quote number `n` points.
#[derive(Serialize, Deserialize)]
struct QuoteNumber {
    company_id: CompanyId,
    quote_id: BillingId,
}

impl Store {
    fn quote_item(quote: &Quote) -> anyhow::Result<Item> {
        let mut item = to_item(quote, &keys::quote(&quote.company_id, &quote.id))?;
        keys::QUOTE_TABS_INDEX.put(
            &mut item,
            keys::quote_tab(&quote.company_id, quote.status),
            keys::quote_sort(quote),
        );
        Ok(item)
    }

    /// The put of `quote` over the version `expected` read (`None`: a new one), as a part.
    fn quote_put(&self, quote: &Quote, expected: Option<u64>) -> anyhow::Result<TransactWriteItem> {
        self.versioned_put(Self::quote_item(quote)?, expected)
    }

    fn number_link(quote: &Quote) -> anyhow::Result<Item> {
        let number = quote.number.context("a quote without a number")?;
        let mut link = to_item(
            &QuoteNumber {
                company_id: quote.company_id.clone(),
                quote_id: quote.id.clone(),
            },
            &keys::quote_number(number),
        )?;
        link.insert("number".into(), n(number));
        Ok(link)
    }

    pub async fn get_quote(
        &self,
        company: &CompanyId,
        id: &BillingId,
    ) -> anyhow::Result<Option<Quote>> {
        self.get(&keys::quote(company, id)).await
    }

    /// The company and latest revision of quote number `number`.
    pub async fn quote_by_number(
        &self,
        number: u64,
    ) -> anyhow::Result<Option<(CompanyId, BillingId)>> {
        let link: Option<QuoteNumber> = self.get(&keys::quote_number(number)).await?;
        Ok(link.map(|l| (l.company_id, l.quote_id)))
    }

    /// The last quote number taken (0 before the first).
    pub async fn last_quote_number(&self) -> anyhow::Result<u64> {
        self.counter_value(COUNTER).await
    }

    /// A new draft (or any new quote: the demo's), with its audit entry. `false` if it exists.
    pub async fn create_quote(&self, quote: &Quote, audit: &AuditEntry) -> anyhow::Result<bool> {
        let parts = vec![self.quote_put(quote, None)?, self.audit_part(audit)?];
        self.transact(parts, "creating a quote").await
    }

    /// Write `quote` (version bumped) over version `expected`, with its audit entry.
    pub async fn save_quote(
        &self,
        quote: &Quote,
        expected: u64,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let parts = vec![
            self.quote_put(quote, Some(expected))?,
            self.audit_part(audit)?,
        ];
        Ok(Saved::of(self.transact(parts, "saving a quote").await?))
    }

    /// Send a draft as number `quote.number`, one more than the counter's `last`: the counter, the
    /// quote (over the draft's version `expected`), its number's pointer and the audit entry, all or
    /// nothing (gapless numbers). `Stale`: the number was taken or the draft changed meanwhile.
    pub async fn send_quote(
        &self,
        quote: &Quote,
        last: u64,
        expected: u64,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let number = quote.number.context("sending a quote without a number")?;
        let parts = vec![
            self.counter_part(COUNTER, last, number)?,
            self.quote_put(quote, Some(expected))?,
            self.put_new(Self::number_link(quote)?)?,
            self.audit_part(audit)?,
        ];
        Ok(Saved::of(self.transact(parts, "sending a quote").await?))
    }

    /// Replace sent revision `old` (now superseded, version bumped; read at `expected`) by
    /// `new` (sent, the same number, the next revision): both, the number's pointer moved from
    /// the old to the new, and the audit entry. `Stale`: the old one changed (was answered, or
    /// revised by someone else) meanwhile.
    pub async fn revise_quote(
        &self,
        old: &Quote,
        expected: u64,
        new: &Quote,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let link = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::number_link(new)?))
            .condition_expression("#quote = :old")
            .expression_attribute_names("#quote", "quote_id")
            .expression_attribute_values(":old", s(old.id.as_str()))
            .build()?;
        let parts = vec![
            self.quote_put(old, Some(expected))?,
            self.quote_put(new, None)?,
            TransactWriteItem::builder().put(link).build(),
            self.audit_part(audit)?,
        ];
        Ok(Saved::of(self.transact(parts, "revising a quote").await?))
    }

    /// Record an approver's answer: `quote` (approved or declined, version bumped) on condition it
    /// is still the version `expected`, still sent and still valid on `today` — in the same write,
    /// so two approvers at once, or an answer racing a revision or the date, make one answer.
    /// What the answer sets off (`effects`: the ticket, the project, the deposit invoice) is
    /// written in the same transaction. `Stale` when a condition refused it (read again to say
    /// why: the quote, or the invoice counter moved).
    pub async fn answer_quote(
        &self,
        quote: &Quote,
        expected: u64,
        today: time::Date,
        effects: &Effects<'_>,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::quote_item(quote)?))
            .condition_expression(
                "#version = :version AND #status = :sent AND #valid_until >= :today",
            )
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#valid_until", "valid_until")
            .expression_attribute_values(":version", n(expected))
            .expression_attribute_values(":sent", s("sent"))
            .expression_attribute_values(":today", s(today.to_string()))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().put(put).build()];
        if let Some(ticket) = effects.ticket {
            parts.extend(self.new_ticket_parts(ticket, None)?);
        }
        if let Some(project) = effects.project {
            parts.extend(self.new_project_parts(project)?);
        }
        if let Some((invoice, last)) = effects.deposit {
            parts.extend(self.issue_parts(invoice, last, None)?);
        }
        parts.push(self.audit_part(audit)?);
        Ok(Saved::of(self.transact(parts, "answering a quote").await?))
    }

    /// An approver asked to renew expired `quote`: it (naming the ticket, version bumped; read at
    /// `expected`) and the ticket, in one transaction. `Stale`: asked meanwhile, or changed.
    pub async fn ask_renewal(
        &self,
        quote: &Quote,
        expected: u64,
        ticket: &Ticket,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let mut parts = vec![self.quote_put(quote, Some(expected))?];
        parts.extend(self.new_ticket_parts(ticket, None)?);
        parts.push(self.audit_part(audit)?);
        Ok(Saved::of(
            self.transact(parts, "asking to renew a quote").await?,
        ))
    }

    /// Delete a draft (at version `expected`), with its audit entry.
    pub async fn delete_quote(
        &self,
        quote: &Quote,
        expected: u64,
        audit: &AuditEntry,
    ) -> anyhow::Result<Saved> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::quote(&quote.company_id, &quote.id).to_item()))
            .condition_expression("#version = :version AND #status = :draft")
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":version", n(expected))
            .expression_attribute_values(":draft", s("draft"))
            .build()?;
        let parts = vec![
            TransactWriteItem::builder().delete(delete).build(),
            self.audit_part(audit)?,
        ];
        Ok(Saved::of(self.transact(parts, "deleting a quote").await?))
    }

    /// How many of a company's sent quotes are still valid on `today` (the home alert), counting
    /// at most `MAX_WAITING_COUNTED`: one Query with `Select=COUNT` and that limit, however many
    /// quotes the company has.
    pub async fn quotes_waiting(
        &self,
        company: &CompanyId,
        today: time::Date,
    ) -> anyhow::Result<u64> {
        let index = keys::QUOTE_TABS_INDEX;
        let partition = keys::quote_tab(company, QuoteStatus::Sent);
        let limit = i32::try_from(MAX_WAITING_COUNTED).unwrap_or(i32::MAX);
        let out = self
            .index_query(index, &partition, false, None, limit)
            .key_condition_expression("#ipk = :partition AND #isk >= :day")
            .expression_attribute_names("#isk", index.sk)
            .expression_attribute_values(":day", s(today.to_string()))
            .select(aws_sdk_dynamodb::types::Select::Count)
            .send()
            .await
            .context("counting waiting quotes")?;
        Ok(u64::try_from(out.count).unwrap_or(0))
    }

    /// Bulk load (benchmarks, imports): each revision with its tab index, in BatchWriteItem calls
    /// of 25 puts. No numbers' pointers, counters or conditions.
    pub async fn load_quotes(&self, quotes: &[Quote]) -> anyhow::Result<()> {
        let items = quotes
            .iter()
            .map(Self::quote_item)
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.batch_put(items, "loading quotes").await
    }

    /// One page of a company's quotes in `tab` on `today`: waiting ones soonest to expire first,
    /// expired ones latest first, the others newest first.
    pub async fn list_quotes(
        &self,
        company: &CompanyId,
        tab: QuoteTab,
        today: time::Date,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Quote>> {
        let index = keys::QUOTE_TABS_INDEX;
        let partition = keys::quote_tab(company, tab.status());
        let descending = tab != QuoteTab::Waiting;
        let mut query = self.index_query(index, &partition, descending, start, limit);
        let bound = match tab {
            QuoteTab::Waiting => Some("#ipk = :partition AND #isk >= :day"),
            QuoteTab::Expired => Some("#ipk = :partition AND #isk < :day"),
            _ => None,
        };
        if let Some(condition) = bound {
            query = query
                .key_condition_expression(condition)
                .expression_attribute_names("#isk", index.sk)
                .expression_attribute_values(":day", s(today.to_string()));
        }
        let out = query.send().await.context("listing quotes")?;
        page(out.items, out.last_evaluated_key)
    }
}
