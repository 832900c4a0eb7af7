//! The DynamoDB store: entity records and every read and write the functions make. One table; key
//! formats come from `keys`; no Scan. Each method is one DynamoDB call unless it says otherwise.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use std::collections::HashMap;
use time::OffsetDateTime;

use crate::domain::account::{Company, Credential, Session, User};
use crate::domain::audit::AuditEntry;
use crate::domain::tickets::{
    Attachment, Note, Priority, Ticket, TicketRef, TicketSettings, TicketStatus,
};
use crate::domain::{CompanyId, Email, SessionId, UserId};
use keys::Key;

mod accounts;
mod billing;
pub mod keys;
pub mod metrics;
pub mod table;
pub use accounts::AuditQuery;
pub use billing::{Saved, payable, today};

pub type Item = HashMap<String, AttributeValue>;

/// Failed sign-ins for one email within one time window.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct LoginFailures {
    pub failures: i64,
}

/// What every authenticated request reads, in one BatchGetItem.
pub struct AuthRecords {
    pub session: Option<Session>,
    pub user: Option<User>,
    pub company: Option<Company>,
}

/// Which company a ticket number is in.
#[derive(Serialize, Deserialize)]
struct NumberPointer {
    company_id: CompanyId,
}

/// One page of a list.
pub struct Page<T> {
    pub items: Vec<T>,
    pub last_key: Option<Item>,
}

#[derive(Clone, Debug)]
pub struct Store {
    pub db: Client,
    pub table: String,
}

fn to_item<T: Serialize>(value: &T, key: &Key) -> anyhow::Result<Item> {
    let mut item: Item = serde_dynamo::to_item(value).context("encoding item")?;
    item.extend(key.to_item());
    Ok(item)
}

/// An entity from its item, without the key and index attributes (entities may refuse unknown
/// fields).
fn from_item<T: DeserializeOwned>(mut item: Item) -> anyhow::Result<T> {
    for attr in [keys::PK, keys::SK, keys::TTL] {
        item.remove(attr);
    }
    for index in keys::INDEXES {
        item.remove(index.pk);
        item.remove(index.sk);
    }
    serde_dynamo::from_item(item).context("decoding item")
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn rfc3339(t: OffsetDateTime) -> anyhow::Result<String> {
    Ok(t.format(&time::format_description::well_known::Rfc3339)?)
}

pub fn epoch(t: OffsetDateTime) -> AttributeValue {
    AttributeValue::N(t.unix_timestamp().to_string())
}

impl Store {
    pub fn new(db: Client, table: impl Into<String>) -> Self {
        Self {
            db,
            table: table.into(),
        }
    }

    fn company_item(company: &Company) -> anyhow::Result<Item> {
        let mut item = to_item(company, &keys::company(&company.id))?;
        keys::COMPANY_DIRECTORY_INDEX.put(
            &mut item,
            keys::COMPANY_DIRECTORY.into(),
            keys::company_directory_sort(&company.name, &company.id),
        );
        Ok(item)
    }

    /// Create or overwrite a company.
    pub async fn put_company(&self, company: &Company) -> anyhow::Result<()> {
        self.db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(Self::company_item(company)?))
            .send()
            .await
            .context("storing company")?;
        Ok(())
    }

    /// Create or overwrite a user and their credential together (demo seeding and bootstrap).
    /// With `must_be_new`, refuses (returns `false`) if the email is already taken.
    pub async fn put_user(
        &self,
        user: &User,
        password_hash: &str,
        must_be_new: bool,
    ) -> anyhow::Result<bool> {
        let credential = Credential {
            email: user.email.clone(),
            company_id: user.company_id.clone(),
            user_id: user.id.clone(),
            password_hash: password_hash.to_owned(),
            mfa: false,
            invite_hash: None,
        };
        let mut put_credential = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&credential, &keys::credential(&user.email))?));
        if must_be_new {
            put_credential = put_credential
                .condition_expression("attribute_not_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK);
        }
        let put_user = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(
                user,
                &keys::user(&user.company_id, &user.id),
            )?));
        let mut parts = vec![
            TransactWriteItem::builder()
                .put(put_credential.build()?)
                .build(),
            TransactWriteItem::builder().put(put_user.build()?).build(),
        ];
        if must_be_new {
            // A new admin counts towards the company's admins (seeding sets the count itself).
            parts.extend(self.admins_part(&user.company_id, false, user.counts_as_admin())?);
        }
        self.transact(parts, "storing user").await
    }

    /// The session, user and company named by a session token, in one BatchGetItem.
    pub async fn load_auth(
        &self,
        company: &CompanyId,
        user: &UserId,
        session: &SessionId,
    ) -> anyhow::Result<AuthRecords> {
        let wanted = [
            keys::session(company, user, session),
            keys::user(company, user),
            keys::company(company),
        ];
        let mut found = self.batch_get(&wanted).await.context("loading session")?;
        Ok(AuthRecords {
            session: found.remove(&wanted[0].sk).map(from_item).transpose()?,
            user: found.remove(&wanted[1].sk).map(from_item).transpose()?,
            company: found.remove(&wanted[2].sk).map(from_item).transpose()?,
        })
    }

    /// The credential for an email and its failure count in the current window, in one call.
    pub async fn load_login(
        &self,
        email: &Email,
        window: i64,
    ) -> anyhow::Result<(Option<Credential>, i64)> {
        let wanted = [keys::credential(email), keys::login_failures(email, window)];
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("loading credential")?;
        let credential = found.remove(&wanted[0].sk).map(from_item).transpose()?;
        let failures = found
            .remove(&wanted[1].sk)
            .map(from_item::<LoginFailures>)
            .transpose()?
            .map_or(0, |f| f.failures);
        Ok((credential, failures))
    }

    /// Consistent BatchGetItem of keys with distinct sort keys, answered by sort key. Retries keys
    /// DynamoDB left unprocessed (rare: only under throttling).
    async fn batch_get(&self, wanted: &[Key]) -> anyhow::Result<HashMap<String, Item>> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(wanted.iter().map(Key::to_item).collect()))
            .consistent_read(true)
            .build()?;
        let mut found = HashMap::new();
        for _ in 0..4 {
            let out = self
                .db
                .batch_get_item()
                .request_items(&self.table, pending.clone())
                .send()
                .await?;
            for item in out
                .responses
                .unwrap_or_default()
                .remove(&self.table)
                .unwrap_or_default()
            {
                if let Some(AttributeValue::S(sk)) = item.get(keys::SK) {
                    found.insert(sk.clone(), item);
                }
            }
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys.is_empty() => pending = rest,
                _ => return Ok(found),
            }
        }
        anyhow::bail!("DynamoDB left keys unprocessed after retries")
    }

    /// Count one failure (sign-in, second factor) in the counter item `key`, which expires by TTL;
    /// with `audit`, record the entry in the same transaction.
    pub async fn record_failure(
        &self,
        key: Key,
        expires: OffsetDateTime,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<()> {
        let count = TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key.to_item()))
                    .update_expression("ADD #failures :one SET #ttl = :ttl")
                    .expression_attribute_names("#failures", "failures")
                    .expression_attribute_names("#ttl", keys::TTL)
                    .expression_attribute_values(":one", AttributeValue::N("1".into()))
                    .expression_attribute_values(":ttl", epoch(expires))
                    .build()?,
            )
            .build();
        let mut parts = vec![count];
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "recording a failure").await?;
        Ok(())
    }

    /// Run a transaction; `Ok(false)` if a condition refused it.
    async fn transact(
        &self,
        parts: Vec<TransactWriteItem>,
        what: &'static str,
    ) -> anyhow::Result<bool> {
        let result = self
            .db
            .transact_write_items()
            .set_transact_items(Some(parts))
            .send()
            .await;
        applied(result, what)
    }

    /// The put of a new audit entry, as a transaction part.
    pub(crate) fn audit_part(&self, entry: &AuditEntry) -> anyhow::Result<TransactWriteItem> {
        let mut item = to_item(entry, &keys::audit(&entry.company_id, entry.at, &entry.id))?;
        if let Some(actor) = &entry.actor_id {
            keys::AUDIT_BY_ACTOR_INDEX.put(
                &mut item,
                keys::audit_actor(&entry.company_id, actor),
                keys::audit_sort(entry.at, &entry.id),
            );
        }
        self.put_new(item)
    }

    /// The put of an item that must not exist yet, as a transaction part.
    pub(crate) fn put_new(&self, item: Item) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(#pk)")
                    .expression_attribute_names("#pk", keys::PK)
                    .build()?,
            )
            .build())
    }

    /// Record an event that changes nothing else.
    pub async fn record_audit(&self, entry: &AuditEntry) -> anyhow::Result<()> {
        self.transact(vec![self.audit_part(entry)?], "recording audit entry")
            .await?;
        Ok(())
    }

    /// Store a new session if the user is (still) active and still at the session's epoch, note
    /// the sign-in on the user, clear the email's failure counter and record `audit`, in one
    /// transaction. Returns `false` if the user is missing, not active or was signed out meanwhile.
    pub async fn start_session(
        &self,
        session: &Session,
        email: &Email,
        window: i64,
        audit: &AuditEntry,
        second_factor: Option<TransactWriteItem>,
    ) -> anyhow::Result<bool> {
        let mut item = to_item(
            session,
            &keys::session(&session.company_id, &session.user_id, &session.id),
        )?;
        item.insert(keys::TTL.into(), epoch(session.expires_at));
        let note_user = Update::builder()
            .table_name(&self.table)
            .set_key(Some(
                keys::user(&session.company_id, &session.user_id).to_item(),
            ))
            .update_expression("SET #last = :now")
            .condition_expression(
                "#status = :active AND (#epoch = :epoch OR attribute_not_exists(#epoch))",
            )
            .expression_attribute_names("#last", "last_sign_in_at")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#epoch", "session_epoch")
            .expression_attribute_values(":now", s(rfc3339(session.created_at)?))
            .expression_attribute_values(":active", s("active"))
            .expression_attribute_values(":epoch", AttributeValue::N(session.epoch.to_string()))
            .build()?;

        let clear_failures = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::login_failures(email, window).to_item()))
            .build()?;
        let mut parts = vec![
            TransactWriteItem::builder().update(note_user).build(),
            self.put_new(item)?,
            TransactWriteItem::builder().delete(clear_failures).build(),
            self.audit_part(audit)?,
        ];
        parts.extend(second_factor);
        self.transact(parts, "starting session").await
    }

    pub async fn delete_session(
        &self,
        company: &CompanyId,
        user: &UserId,
        session: &SessionId,
    ) -> anyhow::Result<()> {
        self.db
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::session(company, user, session).to_item()))
            .send()
            .await
            .context("ending session")?;
        Ok(())
    }

    pub async fn get_company(&self, company: &CompanyId) -> anyhow::Result<Option<Company>> {
        self.get(&keys::company(company))
            .await
            .context("reading company")
    }

    pub async fn get_user(
        &self,
        company: &CompanyId,
        user: &UserId,
    ) -> anyhow::Result<Option<User>> {
        self.get(&keys::user(company, user))
            .await
            .context("reading user")
    }

    async fn get<T: DeserializeOwned>(&self, key: &Key) -> anyhow::Result<Option<T>> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .send()
            .await?;
        out.item.map(from_item).transpose()
    }

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

    /// The next value of counter `name` (1, 2, 3, …), atomically.
    pub async fn next_number(&self, name: &str) -> anyhow::Result<u64> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::counter(name).to_item()))
            .update_expression("ADD #value :one")
            .expression_attribute_names("#value", "value")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .with_context(|| format!("taking the next {name} number"))?;
        out.attributes
            .and_then(|a| {
                a.get("value")
                    .and_then(|v| v.as_n().ok())
                    .and_then(|n| n.parse().ok())
            })
            .context("counter answered without a value")
    }

    /// The ticket settings and (when raising a ticket for a colleague) that colleague, in one call.
    pub async fn load_for_new_ticket(
        &self,
        contact: Option<(&CompanyId, &UserId)>,
    ) -> anyhow::Result<(TicketSettings, Option<User>)> {
        let mut wanted = vec![keys::ticket_settings()];
        if let Some((company, user)) = contact {
            wanted.push(keys::user(company, user));
        }
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("loading settings and contact")?;
        let settings = found
            .remove(&wanted[0].sk)
            .map(from_item)
            .transpose()?
            .unwrap_or_default();
        let user = match wanted.get(1) {
            Some(key) => found.remove(&key.sk).map(from_item).transpose()?,
            None => None,
        };
        Ok((settings, user))
    }

    /// A ticket's item with its list-index attributes, all derived from the ticket (docs/tickets.md).
    fn ticket_item(ticket: &Ticket) -> anyhow::Result<Item> {
        let mut item = to_item(ticket, &keys::ticket(&ticket.company_id, ticket.number))?;
        for list in keys::TicketList::of(ticket) {
            list.index()
                .put(&mut item, list.partition(), list.sort_key(ticket));
        }
        Ok(item)
    }

    /// A Put of the whole `ticket` (with its index attributes) that succeeds only if the stored
    /// ticket is still at `previous` version.
    fn versioned_ticket_put(&self, ticket: &Ticket, previous: u64) -> anyhow::Result<Put> {
        Ok(Put::builder()
            .table_name(&self.table)
            .set_item(Some(Self::ticket_item(ticket)?))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", AttributeValue::N(previous.to_string()))
            .build()?)
    }

    /// Save a changed ticket if nobody changed it since it was `before`; `false` otherwise. A move
    /// between open and closed updates the open counts in the same transaction.
    pub async fn save_ticket(
        &self,
        ticket: &Ticket,
        before: &Ticket,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let open_delta = i64::from(ticket.status.is_open()) - i64::from(before.status.is_open());
        let mut parts = vec![
            TransactWriteItem::builder()
                .put(self.versioned_ticket_put(ticket, before.version)?)
                .build(),
        ];
        parts.extend(self.ticket_stats(ticket, open_delta, None)?);
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "saving ticket").await
    }

    /// `ADD #field :delta` on a statistics item, as a transaction part.
    fn stats_add(&self, key: Key, field: &str, delta: i64) -> anyhow::Result<TransactWriteItem> {
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
    fn ticket_stats(
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

    /// Store a new ticket and its number pointer together.
    pub async fn create_ticket(&self, ticket: &Ticket) -> anyhow::Result<()> {
        self.create_ticket_once(ticket, None, None)
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

    /// Store a new ticket; with `once = (user, key, expiry)`, also remember the key in the same
    /// transaction. `Ok(false)` when that key was used meanwhile (a concurrent retry): nothing is
    /// written, and the caller answers with the ticket the key names.
    pub async fn create_ticket_once(
        &self,
        ticket: &Ticket,
        once: Option<(&UserId, &str, OffsetDateTime)>,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let item = Self::ticket_item(ticket)?;
        let pointer = Self::number_pointer(ticket)?;
        let month = format!(
            "{:04}-{:02}",
            ticket.created_at.year(),
            u8::from(ticket.created_at.month())
        );
        let mut parts = vec![self.put_new(item)?, self.put_new(pointer)?];
        for item in Self::word_items(ticket)? {
            parts.push(
                TransactWriteItem::builder()
                    .put(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(item))
                            .build()?,
                    )
                    .build(),
            );
        }
        parts.extend(self.ticket_stats(
            ticket,
            i64::from(ticket.status.is_open()),
            Some(&month),
        )?);
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

    /// Bulk load (imports from another system, benchmarks): each ticket's item with its list
    /// indexes, number pointer and word index, in BatchWriteItem calls of 25 puts. No counts and
    /// no conditions: for numbers nobody else is using.
    pub async fn load_tickets(&self, tickets: &[Ticket]) -> anyhow::Result<()> {
        use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
        let mut items = Vec::new();
        for ticket in tickets {
            items.push(Self::ticket_item(ticket)?);
            items.push(Self::number_pointer(ticket)?);
            items.extend(Self::word_items(ticket)?);
        }
        for chunk in items.chunks(25) {
            let mut requests: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    Ok(WriteRequest::builder()
                        .put_request(PutRequest::builder().set_item(Some(item.clone())).build()?)
                        .build())
                })
                .collect::<anyhow::Result<_>>()?;
            while !requests.is_empty() {
                let out = self
                    .db
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .context("loading tickets")?;
                requests = out
                    .unprocessed_items
                    .and_then(|mut u| u.remove(&self.table))
                    .unwrap_or_default();
            }
        }
        Ok(())
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

    /// The word index items of a ticket's summary (docs/tickets.md): each names its ticket.
    fn word_items(ticket: &Ticket) -> anyhow::Result<Vec<Item>> {
        let at = TicketRef {
            company_id: ticket.company_id.clone(),
            number: ticket.number,
        };
        crate::domain::tickets::summary_words(&ticket.summary)
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

    /// A ticket with its notes, oldest first, in one Query. Without `internal`, the Query stops
    /// before the internal notes: they are never read for a client.
    pub async fn ticket_detail(
        &self,
        company: &CompanyId,
        number: u64,
        internal: bool,
    ) -> anyhow::Result<Option<(Ticket, Vec<Note>, Vec<Attachment>)>> {
        let start = keys::ticket_sk(number);
        let end = if internal {
            format!("{start}#\u{ffff}")
        } else {
            keys::ticket_public_end(number)
        };
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :start AND :end")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(keys::company_partition(company)))
            .expression_attribute_values(":start", s(&start))
            .expression_attribute_values(":end", s(end))
            .consistent_read(true)
            .send()
            .await
            .context("reading ticket")?;
        let mut ticket = None;
        let mut notes = Vec::new();
        let mut attachments = Vec::new();
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
            } else {
                notes.push(from_item::<Note>(item)?);
            }
        }
        notes.retain(|n| internal || !n.internal);
        attachments.retain(|a| internal || !a.internal);
        attachments.sort_by_key(|a| a.created_at);
        Ok(ticket.map(|t| (t, notes, attachments)))
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

    /// Add a note and touch the ticket (updated time, version) together; `false` if the ticket
    /// changed since it was read.
    pub async fn add_note(
        &self,
        ticket: &Ticket,
        note: &Note,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let created = keys::sortable_time(note.created_at);
        let key = keys::ticket_note(
            &ticket.company_id,
            ticket.number,
            &created,
            &note.id,
            note.internal,
        );
        let put = self.put_new(to_item(note, &key)?)?;
        // The ticket is written whole, so every index attribute follows its new update time.
        let mut touched = ticket.clone();
        touched.updated_at = note.created_at;
        touched.version = ticket.version + 1;
        let touch = self.versioned_ticket_put(&touched, ticket.version)?;
        let mut parts = vec![put, TransactWriteItem::builder().put(touch).build()];
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "storing note").await
    }

    /// One page (≤ `limit` items read) of ticket list `list`, ascending or not, with optional status
    /// and priority filters applied to that one page.
    #[allow(clippy::too_many_arguments)]
    pub async fn list_tickets(
        &self,
        list: &keys::TicketList,
        ascending: bool,
        status: Option<TicketStatus>,
        priority: Option<Priority>,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Ticket>> {
        let mut query = self.index_query(list.index(), &list.partition(), !ascending, start, limit);
        let mut filters = Vec::new();
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
        page(out.items, out.last_evaluated_key)
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

    /// Ticket statistics of a company (or one contact): open tickets, and tickets raised per month
    /// from `first_month` (`yyyy-mm`) on, in one Query.
    pub async fn ticket_stats_since(
        &self,
        company: &CompanyId,
        contact: Option<&UserId>,
        first_month: &str,
    ) -> anyhow::Result<(i64, Vec<(String, i64)>)> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(keys::company_partition(company)))
            .expression_attribute_values(
                ":from",
                s(keys::ticket_stats_month(company, contact, first_month).sk),
            )
            .expression_attribute_values(":to", s(keys::ticket_stats_open(company, contact).sk))
            .send()
            .await
            .context("reading ticket statistics")?;
        let number = |item: &Item, field: &str| {
            item.get(field)
                .and_then(|v| v.as_n().ok())
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0)
        };
        let mut open = 0;
        let mut months = Vec::new();
        for item in out.items.unwrap_or_default() {
            let sk = item
                .get(keys::SK)
                .and_then(|v| v.as_s().ok())
                .cloned()
                .unwrap_or_default();
            match sk.rsplit_once("M#") {
                Some((_, month)) if !sk.ends_with("OPEN") => {
                    months.push((month.to_owned(), number(&item, "created")))
                }
                _ => open = number(&item, "open"),
            }
        }
        Ok((open, months))
    }

    /// One page of the company directory, ordered by name; with `prefix`, only names starting
    /// with it (case-insensitive).
    pub async fn list_companies(
        &self,
        prefix: Option<&str>,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<Company>> {
        let mut query = self
            .db
            .query()
            .table_name(&self.table)
            .index_name(keys::COMPANY_DIRECTORY_INDEX.name)
            .expression_attribute_names("#gpk", keys::COMPANY_DIRECTORY_INDEX.pk)
            .expression_attribute_values(":dir", s(keys::COMPANY_DIRECTORY));
        query = match prefix {
            Some(prefix) => query
                .key_condition_expression("#gpk = :dir AND begins_with(#gsk, :prefix)")
                .expression_attribute_names("#gsk", keys::COMPANY_DIRECTORY_INDEX.sk)
                .expression_attribute_values(":prefix", s(prefix.to_lowercase())),
            None => query.key_condition_expression("#gpk = :dir"),
        };
        let out = query
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("listing companies")?;
        page(out.items, out.last_evaluated_key)
    }

    /// One page of a company's users, in id order.
    pub async fn list_users(
        &self,
        company: &CompanyId,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<User>> {
        self.prefix_page(company, keys::USER_PREFIX, start, limit)
            .await
            .context("listing users")
    }

    /// A Query of one partition of `index`, in index
    /// order or reversed, from `start`, reading at most `limit` items.
    fn index_query(
        &self,
        index: keys::Index,
        partition: &str,
        descending: bool,
        start: Option<Item>,
        limit: i32,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.db
            .query()
            .table_name(&self.table)
            .index_name(index.name)
            .key_condition_expression("#ipk = :partition")
            .expression_attribute_names("#ipk", index.pk)
            .expression_attribute_values(":partition", s(partition))
            .scan_index_forward(!descending)
            .set_exclusive_start_key(start)
            .limit(limit)
    }

    /// One page of an index partition (see `index_query`).
    async fn index_page<T: DeserializeOwned>(
        &self,
        index: keys::Index,
        partition: &str,
        descending: bool,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<T>> {
        let out = self
            .index_query(index, partition, descending, start, limit)
            .send()
            .await
            .context("reading an index")?;
        page(out.items, out.last_evaluated_key)
    }

    /// One page of the items of `company`'s partition whose sort key starts with `prefix`.
    async fn prefix_page<T: DeserializeOwned>(
        &self,
        company: &CompanyId,
        prefix: &str,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<T>> {
        let out = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(keys::company_partition(company)))
            .expression_attribute_values(":prefix", s(prefix))
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await?;
        page(out.items, out.last_evaluated_key)
    }
}

fn page<T: DeserializeOwned>(
    items: Option<Vec<Item>>,
    last_key: Option<Item>,
) -> anyhow::Result<Page<T>> {
    let items = items
        .unwrap_or_default()
        .into_iter()
        .map(from_item)
        .collect::<anyhow::Result<_>>()?;
    Ok(Page { items, last_key })
}

/// Whether a conditional write applied: `Ok(false)` when its condition (or a transaction part's)
/// refused it, an error with `what` for anything else.
fn applied<O, E, R>(
    result: Result<O, aws_sdk_dynamodb::error::SdkError<E, R>>,
    what: &'static str,
) -> anyhow::Result<bool>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(true),
        Err(err) if is_condition_failure(&err) => Ok(false),
        Err(err) => Err(anyhow::Error::from(err).context(what)),
    }
}

fn is_condition_failure<E, R>(err: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    err.as_service_error()
        .and_then(|e| e.code())
        .is_some_and(|code| {
            code == "TransactionCanceledException" || code == "ConditionalCheckFailedException"
        })
}
