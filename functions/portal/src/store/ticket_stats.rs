//! Ticket counts kept on write (the home page's figures, never counted by reading tickets): open
//! tickets per company and per contact, tickets raised per month, and the company's tickets
//! waiting for approval.

use super::*;

impl Store {
    /// `ADD #field :delta` on a statistics item, as a transaction part.
    pub(super) fn stats_add(
        &self,
        key: Key,
        field: &str,
        delta: i64,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                aws_sdk_dynamodb::types::Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .update_expression("ADD #field :delta")
                    .expression_attribute_names("#field", field)
                    .expression_attribute_values(":delta", AttributeValue::N(delta.to_string()))
                    .build()?,
            )
            .build())
    }

    /// The statistics changes a ticket moving by `open_delta` (±1, or 0) makes, for the company and
    /// for its contact; `month` when the ticket is new.
    pub(super) fn ticket_stats(
        &self,
        ticket: &Ticket,
        open_delta: i64,
        month: Option<&str>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let mut parts = Vec::new();
        for contact in [None, Some(&ticket.contact_id)] {
            if open_delta != 0 {
                parts.push(self.stats_add(
                    keys::ticket_stats_open(&ticket.company_id, contact),
                    "open",
                    open_delta,
                )?);
            }
            if let Some(month) = month {
                parts.push(self.stats_add(
                    keys::ticket_stats_month(&ticket.company_id, contact, month),
                    "created",
                    1,
                )?);
            }
        }
        Ok(parts)
    }

    /// The change to the company's count of tickets waiting for approval (the approvers' home
    /// alert) when `ticket` moves by `delta` (±1, or 0: nothing).
    pub(super) fn awaiting_stats(
        &self,
        ticket: &Ticket,
        delta: i64,
    ) -> anyhow::Result<Option<TransactWriteItem>> {
        (delta != 0)
            .then(|| {
                self.stats_add(
                    keys::ticket_stats_open(&ticket.company_id, None),
                    "awaiting",
                    delta,
                )
            })
            .transpose()
    }

    /// Ticket statistics of a company (or one contact), in one Query: open tickets, tickets raised
    /// per month from `first_month` (`yyyy-mm`) on, and (for the company: `contact` is `None`)
    /// its tickets waiting for approval.
    pub async fn ticket_counts(
        &self,
        company: &CompanyId,
        contact: Option<&UserId>,
        first_month: &str,
    ) -> anyhow::Result<(i64, Vec<(String, i64)>, i64)> {
        let out = self
            .range_query(
                company,
                &keys::ticket_stats_month(company, contact, first_month).sk,
                &keys::ticket_stats_open(company, contact).sk,
            )
            .send()
            .await
            .context("reading ticket statistics")?;
        let field = |item: &Item, name: &str| item.get(name).map_or(0, number);
        let (mut open, mut awaiting) = (0, 0);
        let mut months = Vec::new();
        for item in out.items.unwrap_or_default() {
            let sk = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            match sk.rsplit_once("M#") {
                Some((_, month)) if !sk.ends_with("OPEN") => {
                    months.push((month.to_owned(), field(&item, "created")))
                }
                _ => (open, awaiting) = (field(&item, "open"), field(&item, "awaiting")),
            }
        }
        Ok((open, months, awaiting))
    }

    /// How many of a company's tickets wait for approval (one GetItem of its counts).
    pub async fn tickets_awaiting(&self, company: &CompanyId) -> anyhow::Result<i64> {
        #[derive(Deserialize)]
        struct Counts {
            #[serde(default)]
            awaiting: i64,
        }
        let counts: Option<Counts> = self
            .get(&keys::ticket_stats_open(company, None))
            .await
            .context("reading ticket counts")?;
        Ok(counts.map_or(0, |c| c.awaiting))
    }
}
