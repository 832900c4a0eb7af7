//! Ticket lists in the store: a page of one list's index (the ticket items themselves, or their
//! sort rows and then the tickets they name), the word index a search reads, tickets by reference
//! (docs/tickets.md, "Lists").

use super::*;

/// What a ticket list keeps of the page it reads: only tickets of this status, priority, project.
#[derive(Clone, Copy, Debug, Default)]
pub struct TicketFilter {
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    pub project: Option<u64>,
}

impl Store {
    /// One page (≤ `limit` items read) of ticket list `list`, ascending or not, with `filter`
    /// applied to that one page.
    pub async fn list_tickets(
        &self,
        list: &keys::TicketList,
        ascending: bool,
        filter: TicketFilter,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Ticket>> {
        let TicketFilter {
            status,
            priority,
            project,
        } = filter;
        let mut query = self.index_query(list.index(), &list.partition(), !ascending, start, limit);
        let mut filters = Vec::new();
        if let Some(project) = project {
            filters.push("#project.#pnumber = :project");
            query = query
                .expression_attribute_names("#project", "project")
                .expression_attribute_names("#pnumber", "number")
                .expression_attribute_values(":project", n(project));
        }
        if let Some(status) = status {
            filters.push("#status = :status");
            query = query
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", serde_dynamo::to_attribute_value(status)?);
        }
        if let Some(priority) = priority {
            filters.push("#priority = :priority");
            query = query
                .expression_attribute_names("#priority", "priority")
                .expression_attribute_values(
                    ":priority",
                    serde_dynamo::to_attribute_value(priority)?,
                );
        }
        if !filters.is_empty() {
            query = query.filter_expression(filters.join(" AND "));
        }
        let out = query.send().await.context("listing tickets")?;
        if list.slot().0 == keys::TicketSlot::Ticket {
            return page(out.items, out.last_evaluated_key);
        }
        // Sort rows name their tickets: read those, in the rows' order.
        let refs: Vec<TicketRef> = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_item)
            .collect::<anyhow::Result<_>>()?;
        let mut found = Vec::with_capacity(refs.len());
        for chunk in refs.chunks(100) {
            found.extend(self.get_tickets(chunk).await?);
        }
        let mut items = Vec::with_capacity(found.len());
        for r in &refs {
            if let Some(at) = found
                .iter()
                .position(|t| t.number == r.number && t.company_id == r.company_id)
            {
                items.push(found.swap_remove(at));
            }
        }
        Ok(Page {
            items,
            last_key: out.last_evaluated_key,
        })
    }

    /// One page (≤ `limit` word items) of the search index: tickets with a summary word starting
    /// with `prefix` (at least two characters), in one company or, for `None`, across companies.
    pub async fn search_words(
        &self,
        company: Option<&CompanyId>,
        prefix: &str,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<TicketRef>> {
        let query = self.db.query().table_name(&self.table);
        let query = match company {
            Some(company) => query
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":pk", s(keys::company_partition(company)))
                .expression_attribute_values(":prefix", s(keys::ticket_word_prefix(prefix))),
            None => query
                .index_name(keys::TICKET_WORDS_INDEX.name)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", keys::TICKET_WORDS_INDEX.pk)
                .expression_attribute_names("#sk", keys::TICKET_WORDS_INDEX.sk)
                .expression_attribute_values(":pk", s(keys::ticket_word_queue(prefix)))
                .expression_attribute_values(":prefix", s(prefix)),
        };
        let out = query
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("searching tickets")?;
        page(out.items, out.last_evaluated_key)
    }

    /// One ticket, without its notes.
    pub async fn get_ticket(
        &self,
        company: &CompanyId,
        number: u64,
    ) -> anyhow::Result<Option<Ticket>> {
        self.get(&keys::ticket(company, number))
            .await
            .context("reading ticket")
    }

    /// Up to 100 tickets by reference, in one BatchGetItem (plus a retry for keys DynamoDB leaves
    /// unprocessed under load), in no particular order; missing ones are left out.
    pub async fn get_tickets(&self, refs: &[TicketRef]) -> anyhow::Result<Vec<Ticket>> {
        let mut wanted: Vec<Item> = Vec::new();
        for r in refs {
            let key = keys::ticket(&r.company_id, r.number).to_item();
            if !wanted.contains(&key) {
                wanted.push(key);
            }
        }
        let mut tickets = Vec::new();
        for _attempt in 0..3 {
            if wanted.is_empty() {
                break;
            }
            let out = self
                .db
                .batch_get_item()
                .request_items(
                    &self.table,
                    KeysAndAttributes::builder()
                        .set_keys(Some(std::mem::take(&mut wanted)))
                        .build()?,
                )
                .send()
                .await
                .context("reading tickets")?;
            for item in out
                .responses
                .and_then(|mut r| r.remove(&self.table))
                .unwrap_or_default()
            {
                tickets.push(from_item::<Ticket>(item)?);
            }
            wanted = out
                .unprocessed_keys
                .and_then(|mut u| u.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
        }
        Ok(tickets)
    }
}
