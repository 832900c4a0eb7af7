//! Tickets in the store: settings, tickets with their list-index attributes, notes, attachments, the
//! word index, number pointers, idempotency keys and the statistics items (docs/tickets.md).

use super::*;
use crate::domain::agreements::TimeEntry;

/// What a ticket's page reads in its one Query.
pub struct TicketPage {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    pub attachments: Vec<Attachment>,
    /// Every time entry (internal notes in them are the caller's to hide).
    pub time: Vec<TimeEntry>,
}

/// What raising a ticket checks against, read together.
pub struct NewTicketContext {
    pub settings: TicketSettings,
    pub contact: Option<User>,
    pub configuration: Option<crate::domain::configurations::Configuration>,
    /// The company's agreements (their response and resolution targets).
    pub agreements: Vec<crate::domain::agreements::Agreement>,
}

/// A ticket's sort row: which ticket, and what a list filters on (docs/tickets.md, "Lists").
#[derive(Serialize, Deserialize)]
struct TicketSortRow {
    company_id: CompanyId,
    number: u64,
    status: TicketStatus,
    priority: Priority,
    project: Option<crate::domain::projects::TicketProject>,
}

/// Which company a ticket number is in.
#[derive(Serialize, Deserialize)]
struct NumberPointer {
    company_id: CompanyId,
}

impl Store {
    /// The MSP's ticket settings (defaults until an admin saves them).
    pub async fn ticket_settings(&self) -> anyhow::Result<TicketSettings> {
        Ok(self
            .get(&keys::ticket_settings())
            .await
            .context("reading ticket settings")?
            .unwrap_or_default())
    }

    /// Save ticket settings if they are still at `settings.version - 1`; `false` if someone else
    /// saved in between.
    pub async fn put_ticket_settings(&self, settings: &TicketSettings) -> anyhow::Result<bool> {
        let result = self
            .db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(settings, &keys::ticket_settings())?))
            .condition_expression("attribute_not_exists(#pk) OR #version = :previous")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(
                ":previous",
                AttributeValue::N(settings.version.saturating_sub(1).to_string()),
            )
            .send()
            .await;
        applied(result, "storing ticket settings")
    }

    /// The ticket settings and (when raising a ticket for a colleague) that colleague, in one call.
    pub async fn load_for_new_ticket(
        &self,
        company: &CompanyId,
        contact: Option<&UserId>,
        configuration: Option<&crate::domain::ConfigurationId>,
    ) -> anyhow::Result<NewTicketContext> {
        let settings_key = keys::ticket_settings();
        let contact_key = contact.map(|user| keys::user(company, user));
        let configuration_key = configuration.map(|id| keys::configuration(company, id));
        let book_key = keys::agreement_book(company);
        let mut wanted = vec![settings_key.clone(), book_key.clone()];
        wanted.extend(contact_key.clone());
        wanted.extend(configuration_key.clone());
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("loading settings, contact and configuration")?;
        let mut take = |key: Option<Key>| key.and_then(|k| found.remove(&k.sk));
        Ok(NewTicketContext {
            settings: take(Some(settings_key))
                .map(from_item)
                .transpose()?
                .unwrap_or_default(),
            contact: take(contact_key).map(from_item).transpose()?,
            configuration: take(configuration_key).map(from_item).transpose()?,
            agreements: take(Some(book_key))
                .map(super::agreements::book_from)
                .transpose()?
                .unwrap_or_default()
                .agreements,
        })
    }

    /// A ticket's item and its two sort rows, with their list-index attributes, all derived from
    /// the ticket (docs/tickets.md): the ticket first.
    fn ticket_items(ticket: &Ticket) -> anyhow::Result<[Item; 3]> {
        use keys::TicketSlot;
        let row = TicketSortRow {
            company_id: ticket.company_id.clone(),
            number: ticket.number,
            status: ticket.status,
            priority: ticket.priority,
            project: ticket.project.clone(),
        };
        let (company, n) = (&ticket.company_id, ticket.number);
        let mut items = [
            to_item(ticket, &keys::ticket(company, n))?,
            to_item(
                &row,
                &keys::ticket_sort_row(company, n, TicketSlot::ClientSorts),
            )?,
            to_item(
                &row,
                &keys::ticket_sort_row(company, n, TicketSlot::QueueSorts),
            )?,
        ];
        for list in keys::TicketList::of(ticket) {
            let (slot, index) = list.slot();
            let at = match slot {
                TicketSlot::Ticket => 0,
                TicketSlot::ClientSorts => 1,
                TicketSlot::QueueSorts => 2,
            };
            index.put(&mut items[at], list.partition(), list.sort_key(ticket));
        }
        Ok(items)
    }

    /// The whole `ticket` (with its sort rows) as transaction parts; the ticket's Put succeeds
    /// only if the stored ticket is still at `previous` version.
    fn versioned_ticket_parts(
        &self,
        ticket: &Ticket,
        previous: u64,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let [item, client, queue] = Self::ticket_items(ticket)?;
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", AttributeValue::N(previous.to_string()))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().put(put).build()];
        for row in [client, queue] {
            parts.push(self.put_part(row)?);
        }
        Ok(parts)
    }

    /// Save a changed ticket if nobody changed it since it was `before`; `false` otherwise. A move
    /// between open and closed updates the open counts in the same transaction, and a project
    /// ticket's row and phase counters follow (with `plan`, its project still at that version).
    pub async fn save_ticket(
        &self,
        ticket: &Ticket,
        before: &Ticket,
        audit: Option<&AuditEntry>,
        plan: Option<u64>,
    ) -> anyhow::Result<bool> {
        self.save_ticket_noted(ticket, before, None, audit, plan)
            .await
    }

    /// `save_ticket`, with `note` added to the conversation in the same transaction (a status
    /// change and the note that says why, together or not at all).
    pub async fn save_ticket_noted(
        &self,
        ticket: &Ticket,
        before: &Ticket,
        note: Option<&Note>,
        audit: Option<&AuditEntry>,
        plan: Option<u64>,
    ) -> anyhow::Result<bool> {
        let open_delta = i64::from(ticket.status.is_open()) - i64::from(before.status.is_open());
        let awaiting_delta =
            i64::from(ticket.awaits_approval()) - i64::from(before.awaits_approval());
        let mut parts = self.versioned_ticket_parts(ticket, before.version)?;
        parts.extend(self.report_parts(Some(before), ticket)?);
        parts.extend(self.ticket_stats(ticket, open_delta, None)?);
        parts.extend(self.awaiting_stats(ticket, awaiting_delta)?);
        parts.extend(self.project_ticket_parts(ticket, Some(before), plan)?);
        parts.extend(self.configuration_ticket_parts(ticket)?);
        parts.extend(note.map(|n| self.note_part(ticket, n)).transpose()?);
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "saving ticket").await
    }

    /// Store a new ticket and its number pointer together.
    pub async fn create_ticket(&self, ticket: &Ticket) -> anyhow::Result<()> {
        self.create_ticket_once(ticket, None, None, None)
            .await
            .map(|_| ())
    }

    /// The ticket an earlier create with this user's `Idempotency-Key` made, if any.
    pub async fn idempotent_ticket(
        &self,
        user: &UserId,
        key: &str,
    ) -> anyhow::Result<Option<TicketRef>> {
        self.get(&keys::idempotency(user, key))
            .await
            .context("reading idempotency key")
    }

    /// Store a new ticket (in a project: with its row and counters, the project still at version
    /// `plan`); with `once = (user, key, expiry)`, also remember the key in the same
    /// transaction. `Ok(false)` when that key was used meanwhile (a concurrent retry): nothing is
    /// written, and the caller answers with the ticket the key names.
    pub async fn create_ticket_once(
        &self,
        ticket: &Ticket,
        once: Option<(&UserId, &str, OffsetDateTime)>,
        audit: Option<&AuditEntry>,
        plan: Option<u64>,
    ) -> anyhow::Result<bool> {
        let mut parts = self.new_ticket_parts(ticket, plan)?;
        if let Some((user, key, expires)) = once {
            let mut item = to_item(
                &TicketRef {
                    company_id: ticket.company_id.clone(),
                    number: ticket.number,
                },
                &keys::idempotency(user, key),
            )?;
            item.insert(keys::TTL.into(), epoch(expires));
            parts.push(self.put_new(item)?);
        }
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "storing ticket").await
    }

    /// A new ticket as transaction parts: the ticket and its number pointer (each on condition
    /// they are new), its words, the counts it moves, and its project row if it is in one (the
    /// project still at version `plan`). Raising a ticket and approving a quote both use them.
    pub(super) fn new_ticket_parts(
        &self,
        ticket: &Ticket,
        plan: Option<u64>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let [item, client, queue] = Self::ticket_items(ticket)?;
        let pointer = Self::number_pointer(ticket)?;
        let month = crate::domain::reports::month_of(ticket.created_at);
        let mut parts = vec![self.put_new(item)?, self.put_new(pointer)?];
        for item in [client, queue].into_iter().chain(Self::word_items(ticket)?) {
            parts.push(self.put_part(item)?);
        }
        parts.extend(self.ticket_stats(
            ticket,
            i64::from(ticket.status.is_open()),
            Some(&month),
        )?);
        parts.extend(self.report_parts(None, ticket)?);
        parts.extend(self.project_ticket_parts(ticket, None, plan)?);
        parts.extend(self.configuration_ticket_parts(ticket)?);
        Ok(parts)
    }

    /// Bulk load (imports from another system, benchmarks): each ticket's item with its list
    /// indexes, number pointer and word index, in BatchWriteItem calls of 25 puts. No counts and
    /// no conditions: for numbers nobody else is using.
    pub async fn load_tickets(&self, tickets: &[Ticket]) -> anyhow::Result<()> {
        let mut items = Vec::new();
        for ticket in tickets {
            items.extend(Self::ticket_items(ticket)?);
            items.push(Self::number_pointer(ticket)?);
            items.extend(Self::word_items(ticket)?);
        }
        self.batch_put(items, "loading tickets").await
    }

    /// Write the sort rows and word index items of every ticket of `company` again from the
    /// tickets themselves (one page of a company list at a time, then BatchWriteItem): for tables
    /// whose tickets predate them (sort rows; descriptions' words), or to repair them. Safe to run
    /// at any time and more than once; how many tickets it read.
    pub async fn reindex_tickets(&self, company: &CompanyId) -> anyhow::Result<usize> {
        self.each_ticket_page(company, async |tickets| {
            let mut rows = Vec::new();
            for ticket in tickets {
                let [_, client, queue] = Self::ticket_items(ticket)?;
                rows.extend([client, queue]);
                rows.extend(Self::word_items(ticket)?);
            }
            self.batch_put(rows, "writing ticket sort rows and words")
                .await
        })
        .await
    }

    /// Every ticket of `company`, handed to `f` a page (≤ 100) at a time, open ones first; how
    /// many there were. For maintenance (reindexing, rebuilding the reports), never a request.
    pub async fn each_ticket_page(
        &self,
        company: &CompanyId,
        mut f: impl AsyncFnMut(&[Ticket]) -> anyhow::Result<()>,
    ) -> anyhow::Result<usize> {
        let mut count = 0;
        for open in [true, false] {
            let list = keys::TicketList::Company {
                company: company.clone(),
                open,
                order: keys::TicketOrder::Number,
            };
            let mut start = None;
            loop {
                let page = self
                    .list_tickets(&list, true, TicketFilter::default(), start, 100)
                    .await?;
                count += page.items.len();
                f(&page.items).await?;
                match page.last_key {
                    Some(key) => start = Some(key),
                    None => break,
                }
            }
        }
        Ok(count)
    }

    /// The item that says which company ticket `number` is in (staff open tickets by number).
    fn number_pointer(ticket: &Ticket) -> anyhow::Result<Item> {
        to_item(
            &NumberPointer {
                company_id: ticket.company_id.clone(),
            },
            &keys::ticket_number(ticket.number),
        )
    }

    /// The word index items of a ticket's summary and description (docs/tickets.md): each names
    /// its ticket.
    fn word_items(ticket: &Ticket) -> anyhow::Result<Vec<Item>> {
        let at = TicketRef {
            company_id: ticket.company_id.clone(),
            number: ticket.number,
        };
        crate::domain::tickets::ticket_words(&ticket.summary, &ticket.description)
            .into_iter()
            .map(|word| {
                let mut item = to_item(
                    &at,
                    &keys::ticket_word(&ticket.company_id, &word, ticket.number),
                )?;
                keys::TICKET_WORDS_INDEX.put(
                    &mut item,
                    keys::ticket_word_queue(&word),
                    keys::ticket_word_sort(&word, ticket.number),
                );
                Ok(item)
            })
            .collect()
    }

    /// The company ticket `number` belongs to.
    pub async fn ticket_company(&self, number: u64) -> anyhow::Result<Option<CompanyId>> {
        let pointer: Option<NumberPointer> = self
            .get(&keys::ticket_number(number))
            .await
            .context("finding ticket")?;
        Ok(pointer.map(|p| p.company_id))
    }

    /// A ticket with its notes (oldest first), attachments and time entries, in one Query (its
    /// pages followed past 1 MB). Without `internal`, the Query stops before the internal notes
    /// and files: they are never read for a client.
    pub async fn ticket_detail(
        &self,
        company: &CompanyId,
        number: u64,
        internal: bool,
    ) -> anyhow::Result<Option<TicketPage>> {
        let start = keys::ticket_sk(number);
        let end = if internal {
            format!("{start}#\u{ffff}")
        } else {
            keys::ticket_public_end(number)
        };
        let mut ticket = None;
        let mut notes = Vec::new();
        let mut attachments = Vec::new();
        let mut time = Vec::new();
        let mut from = None;
        loop {
            let out = self
                .range_query(company, &start, &end)
                .set_exclusive_start_key(from)
                .consistent_read(true)
                .send()
                .await
                .context("reading ticket")?;
            for item in out.items.unwrap_or_default() {
                let sk = item
                    .get(keys::SK)
                    .and_then(|v| v.as_s().ok())
                    .cloned()
                    .unwrap_or_default();
                if sk == start {
                    ticket = Some(from_item::<Ticket>(item)?);
                } else if keys::is_ticket_attachment(&sk) {
                    attachments.push(from_item::<Attachment>(item)?);
                } else if keys::is_time_entry(&sk) {
                    time.push(from_item::<TimeEntry>(item)?);
                } else {
                    notes.push(from_item::<Note>(item)?);
                }
            }
            // More than a page (1 MB) only for a ticket of very many notes or entries.
            match out.last_evaluated_key {
                Some(key) if ticket.is_some() => from = Some(key),
                _ => break,
            }
        }
        notes.retain(|n| internal || !n.internal);
        attachments.retain(|a| internal || !a.internal);
        attachments.sort_by_key(|a| a.created_at);
        Ok(ticket.map(|ticket| TicketPage {
            ticket,
            notes,
            attachments,
            time,
        }))
    }

    /// A ticket (without its notes) and its attachment `id`, in one BatchGetItem; with `internal`,
    /// an internal attachment is found too.
    pub async fn ticket_and_attachment(
        &self,
        company: &CompanyId,
        number: u64,
        id: &str,
        internal: bool,
    ) -> anyhow::Result<(Option<Ticket>, Option<Attachment>)> {
        let ticket = keys::ticket(company, number);
        let mut wanted = vec![
            ticket.clone(),
            keys::ticket_attachment(company, number, id, false),
        ];
        if internal {
            wanted.push(keys::ticket_attachment(company, number, id, true));
        }
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("reading ticket and attachment")?;
        let ticket = found.remove(&ticket.sk).map(from_item).transpose()?;
        let attachment = found.into_values().next().map(from_item).transpose()?;
        Ok((ticket, attachment))
    }

    /// Record a confirmed attachment (and `audit`); `false` if it was already recorded.
    pub async fn add_attachment(
        &self,
        company: &CompanyId,
        attachment: &Attachment,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let key = keys::ticket_attachment(
            company,
            attachment.ticket_number,
            &attachment.id,
            attachment.internal,
        );
        let mut parts = vec![self.put_new(to_item(attachment, &key)?)?];
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "storing attachment").await
    }

    /// Add a note and write the ticket as it is with the note (`Ticket::with_note`) together;
    /// `false` if the ticket changed since it was read as `ticket`.
    pub async fn add_note(
        &self,
        ticket: &Ticket,
        touched: &Ticket,
        note: &Note,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let put = self.note_part(ticket, note)?;
        // The ticket is written whole, so every index attribute follows its new update time.
        let mut parts = vec![put];
        parts.extend(self.versioned_ticket_parts(touched, ticket.version)?);
        parts.extend(self.report_parts(Some(ticket), touched)?);
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "storing note").await
    }

    /// Ticket `number` of `company` and user `user` of that company, in one BatchGetItem.
    pub async fn ticket_and_user(
        &self,
        company: &CompanyId,
        number: u64,
        user: &UserId,
    ) -> anyhow::Result<(Option<Ticket>, Option<User>)> {
        let found = self
            .batch_get_each(&[keys::ticket(company, number), keys::user(company, user)])
            .await
            .context("reading ticket and user")?;
        let mut found = found.into_iter();
        let ticket = found.next().flatten().map(from_item).transpose()?;
        let user = found.next().flatten().map(from_item).transpose()?;
        Ok((ticket, user))
    }

    /// The Put of a new note on `ticket`.
    fn note_part(&self, ticket: &Ticket, note: &Note) -> anyhow::Result<TransactWriteItem> {
        let created = keys::sortable_time(note.created_at);
        let key = keys::ticket_note(
            &ticket.company_id,
            ticket.number,
            &created,
            &note.id,
            note.internal,
        );
        self.put_new(to_item(note, &key)?)
    }
}
