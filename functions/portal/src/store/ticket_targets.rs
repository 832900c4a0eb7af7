//! What response and resolution targets read and write: a ticket with the ticket settings and
//! its company's agreements (one BatchGetItem, for a change of status or priority), and the open
//! tickets whose nearest target passed in a window (the hourly job: one Query on the queue's
//! target list, never a scan), with the job's watermark.

use super::agreements::book_from;
use super::*;
use crate::domain::agreements::AgreementBook;
use crate::domain::tickets::TicketRef;

/// How far the hourly job has looked.
#[derive(Serialize, Deserialize)]
struct Watermark {
    #[serde(with = "time::serde::rfc3339")]
    until: OffsetDateTime,
}

impl Store {
    /// Ticket `number` of `company`, the ticket settings and the company's agreements, in one
    /// BatchGetItem.
    pub async fn ticket_with_terms(
        &self,
        company: &CompanyId,
        number: u64,
    ) -> anyhow::Result<(Option<Ticket>, TicketSettings, AgreementBook)> {
        let wanted = [
            keys::ticket(company, number),
            keys::ticket_settings(),
            keys::agreement_book(company),
        ];
        let mut found = self
            .batch_get_each(&wanted)
            .await
            .context("reading a ticket with its settings and agreements")?
            .into_iter();
        let mut next = || found.next().flatten();
        let ticket = next().map(from_item).transpose()?;
        let settings = next().map(from_item).transpose()?.unwrap_or_default();
        let book = next().map(book_from).transpose()?.unwrap_or_default();
        Ok((ticket, settings, book))
    }

    /// The open tickets whose nearest unmet target fell in (`after`, `until`], soonest first:
    /// Queries of the queue's target list (a page per 100), then their tickets.
    pub async fn tickets_past_target(
        &self,
        after: Option<OffsetDateTime>,
        until: OffsetDateTime,
    ) -> anyhow::Result<Vec<Ticket>> {
        let list = keys::TicketList::Queue {
            open: true,
            order: keys::TicketOrder::Target,
        };
        // Sort keys are `{time}#{number}`: from just after `after` to the end of `until`.
        let from = after.map(|a| keys::by_updated(a, 9_999_999_999));
        let to = keys::by_updated(until, 9_999_999_999);
        let refs: Vec<TicketRef> = self
            .index_range(list.index(), &list.partition(), from.as_deref(), &to)
            .await
            .context("finding tickets past their targets")?;
        let mut tickets = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(100) {
            tickets.extend(self.get_tickets(chunk).await?);
        }
        Ok(tickets)
    }

    /// Until when the hourly job has marked missed targets.
    pub async fn targets_checked_until(&self) -> anyhow::Result<Option<OffsetDateTime>> {
        let mark: Option<Watermark> = self.get(&keys::targets_watermark()).await?;
        Ok(mark.map(|m| m.until))
    }

    pub async fn set_targets_checked_until(&self, until: OffsetDateTime) -> anyhow::Result<()> {
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(
                &Watermark { until },
                &keys::targets_watermark(),
            )?))
            .send()
            .await
            .context("saving the targets watermark")?;
        Ok(())
    }
}
