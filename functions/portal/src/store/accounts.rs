//! Accounts in the store: companies, users, their credentials, invitation and reset tokens,
//! passwords. Every change that must not race is one conditional transaction with its audit entry.

use super::*;
use crate::domain::account::{TokenKind, TokenRecord};

impl Store {
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
        let credential = Credential::of(user, password_hash, None);
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

    /// The users of `company` among `ids` that exist, in one BatchGetItem (none: no call).
    pub async fn get_users(
        &self,
        company: &CompanyId,
        ids: &[UserId],
    ) -> anyhow::Result<Vec<User>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let wanted: Vec<Key> = ids.iter().map(|id| keys::user(company, id)).collect();
        self.batch_get(&wanted)
            .await
            .context("reading users")?
            .into_values()
            .map(from_item)
            .collect()
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

    /// A new company (and its audit entry); `false` if the id is taken.
    pub async fn create_company(
        &self,
        company: &Company,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let parts = vec![
            self.put_new(Self::company_item(company)?)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "creating company").await
    }

    /// Save a company's profile and settings if it is still at `previous` version. The admin
    /// count is left alone (user changes keep it).
    pub async fn update_company(
        &self,
        company: &Company,
        previous: u64,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        self.transact(
            vec![
                self.company_update_part(company, previous)?,
                self.audit_part(audit)?,
            ],
            "updating company",
        )
        .await
    }

    /// Every field of `company` but its admin count, over `previous` version, as a transaction
    /// part.
    pub(super) fn company_update_part(
        &self,
        company: &Company,
        previous: u64,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut item = Self::company_item(company)?;
        item.remove("admins");
        item.remove(keys::PK);
        item.remove(keys::SK);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::company(&company.id).to_item()))
            .condition_expression("attribute_exists(#pk) AND #version = :previous")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":previous", n(previous));
        let mut sets = Vec::new();
        for (i, (name, value)) in item.into_iter().enumerate() {
            if name == "version" {
                continue;
            }
            sets.push(format!("#f{i} = :f{i}"));
            update = update
                .expression_attribute_names(format!("#f{i}"), name)
                .expression_attribute_values(format!(":f{i}"), value);
        }
        sets.push("#version = :version".into());
        let update = update
            .update_expression(format!("SET {}", sets.join(", ")))
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", n(company.version))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    pub(super) fn token_put(
        &self,
        hash: &str,
        token: &TokenRecord,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut item = to_item(token, &keys::account_token(hash))?;
        item.insert(keys::TTL.into(), epoch(token.expires_at));
        self.put_new(item)
    }

    /// The admin-count change of a user going from `before` to `after` (`None`: not there).
    pub(super) fn admins_part(
        &self,
        company: &CompanyId,
        before: bool,
        after: bool,
    ) -> anyhow::Result<Option<TransactWriteItem>> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::company(company).to_item()))
            .expression_attribute_names("#admins", "admins");
        let update = match (before, after) {
            (true, false) => update
                .update_expression("ADD #admins :minus")
                .condition_expression("#admins > :one")
                .expression_attribute_values(":minus", n(-1))
                .expression_attribute_values(":one", n(1)),
            (false, true) => update
                .update_expression("ADD #admins :one")
                .expression_attribute_values(":one", n(1)),
            _ => return Ok(None),
        };
        Ok(Some(
            TransactWriteItem::builder().update(update.build()?).build(),
        ))
    }

    /// Count a reset request for `email` in `window`; the count after it.
    pub async fn count_reset_request(
        &self,
        email: &Email,
        window: i64,
        expires: OffsetDateTime,
    ) -> anyhow::Result<i64> {
        let out = self
            .db
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::reset_requests(email, window).to_item()))
            .update_expression("ADD #count :one SET #ttl = :ttl")
            .expression_attribute_names("#count", "count")
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ttl", epoch(expires))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .context("counting reset requests")?;
        Ok(out
            .attributes
            .and_then(|a| a.get("count").and_then(|v| v.as_n().ok()?.parse().ok()))
            .unwrap_or(1))
    }

    /// Store a new reset token with its audit entry.
    pub async fn store_token(
        &self,
        hash: &str,
        token: &TokenRecord,
        audit: &AuditEntry,
    ) -> anyhow::Result<()> {
        self.transact(
            vec![self.token_put(hash, token)?, self.audit_part(audit)?],
            "storing token",
        )
        .await?;
        Ok(())
    }

    /// Store an email-change token with its audit entry, on condition no login uses the new
    /// address (`token.new_email`) now; `false` if one does.
    pub async fn store_email_change_token(
        &self,
        hash: &str,
        token: &TokenRecord,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let new = token
            .new_email
            .as_ref()
            .context("an email-change token names its address")?;
        let free = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credential(new).to_item()))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .build()?;
        self.transact(
            vec![
                self.token_put(hash, token)?,
                TransactWriteItem::builder().condition_check(free).build(),
                self.audit_part(audit)?,
            ],
            "storing email-change token",
        )
        .await
    }

    pub async fn get_token(&self, hash: &str) -> anyhow::Result<Option<TokenRecord>> {
        self.get(&keys::account_token(hash))
            .await
            .context("reading token")
    }

    pub async fn get_credential(&self, email: &Email) -> anyhow::Result<Option<Credential>> {
        self.get(&keys::credential(email))
            .await
            .context("reading credential")
    }

    /// Deleting a token, if it is still there, of `kind`, and unexpired at `now`.
    pub(super) fn spend_token(
        &self,
        hash: &str,
        kind: TokenKind,
        now: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let kind = match kind {
            TokenKind::Invitation => "invitation",
            TokenKind::PasswordReset => "password_reset",
            TokenKind::EmailChange => "email_change",
        };
        Ok(TransactWriteItem::builder()
            .delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::account_token(hash).to_item()))
                    .condition_expression("attribute_exists(#pk) AND #kind = :kind AND #ttl > :now")
                    .expression_attribute_names("#pk", keys::PK)
                    .expression_attribute_names("#kind", "kind")
                    .expression_attribute_names("#ttl", keys::TTL)
                    .expression_attribute_values(":kind", s(kind))
                    .expression_attribute_values(":now", epoch(now))
                    .build()?,
            )
            .build())
    }

    /// Spend a reset token, set the new password and end every session of the (active) user.
    pub async fn reset_password(
        &self,
        user: &User,
        token_hash: &str,
        password_hash: &str,
        audit: &AuditEntry,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let parts = vec![
            self.spend_token(token_hash, TokenKind::PasswordReset, now)?,
            self.set_password_part(user, password_hash)?,
            self.bump_epoch_part(user, true)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "resetting password").await
    }

    /// Spend an email-change token and move the user's login to `new_email`: the credential
    /// (password, second factors) moves to the new address's key, which must be free, and the
    /// user item follows if it still has the address `credential` names. `false` if the token was
    /// spent, the address taken, or the user changed meanwhile.
    pub async fn change_email(
        &self,
        credential: &Credential,
        new_email: &Email,
        token_hash: &str,
        audit: &AuditEntry,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let old = keys::credential(&credential.email);
        let mut moved = credential.clone();
        moved.email = new_email.clone();
        let user = keys::user(&credential.company_id, &credential.user_id);
        let parts = vec![
            self.spend_token(token_hash, TokenKind::EmailChange, now)?,
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(old.to_item()))
                        .condition_expression("#user = :user")
                        .expression_attribute_names("#user", "user_id")
                        .expression_attribute_values(":user", s(credential.user_id.as_str()))
                        .build()?,
                )
                .build(),
            self.put_new(to_item(&moved, &keys::credential(new_email))?)?,
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name(&self.table)
                        .set_key(Some(user.to_item()))
                        .update_expression("SET #email = :new, #version = #version + :one")
                        .condition_expression("#email = :old")
                        .expression_attribute_names("#email", "email")
                        .expression_attribute_names("#version", "version")
                        .expression_attribute_values(":new", s(new_email.as_str()))
                        .expression_attribute_values(":old", s(credential.email.as_str()))
                        .expression_attribute_values(":one", n(1))
                        .build()?,
                )
                .build(),
            self.audit_part(audit)?,
        ];
        self.transact(parts, "changing login email").await
    }

    fn set_password_part(
        &self,
        user: &User,
        password_hash: &str,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::credential(&user.email).to_item()))
                    .update_expression("SET #hash = :hash")
                    .condition_expression("#user = :user")
                    .expression_attribute_names("#hash", "password_hash")
                    .expression_attribute_names("#user", "user_id")
                    .expression_attribute_values(":hash", s(password_hash))
                    .expression_attribute_values(":user", s(user.id.as_str()))
                    .build()?,
            )
            .build())
    }

    /// Move the user to the next session epoch (every session started before ends), if still at
    /// `user.session_epoch` and, with `active`, still active.
    pub(super) fn bump_epoch_part(
        &self,
        user: &User,
        active: bool,
    ) -> anyhow::Result<TransactWriteItem> {
        let mut condition = "(#epoch = :epoch OR attribute_not_exists(#epoch))".to_owned();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(&user.company_id, &user.id).to_item()))
            .update_expression("SET #epoch = :next, #version = #version + :one")
            .expression_attribute_names("#epoch", "session_epoch")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":epoch", n(user.session_epoch))
            .expression_attribute_values(":next", n(user.session_epoch + 1))
            .expression_attribute_values(":one", n(1));
        if active {
            condition.push_str(" AND #status = :active");
            update = update
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":active", s("active"));
        }
        Ok(TransactWriteItem::builder()
            .update(update.condition_expression(condition).build()?)
            .build())
    }

    /// Keep `session` alive across an epoch bump: it moves to the next epoch with its user.
    pub(super) fn carry_session_part(
        &self,
        session: &Session,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(
                        keys::session(&session.company_id, &session.user_id, &session.id).to_item(),
                    ))
                    .update_expression("SET #epoch = :next")
                    .condition_expression("attribute_exists(#pk)")
                    .expression_attribute_names("#epoch", "epoch")
                    .expression_attribute_names("#pk", keys::PK)
                    .expression_attribute_values(":next", n(session.epoch + 1))
                    .build()?,
            )
            .build())
    }

    /// Change the password of a signed-in user: every other session ends, `session` lives on.
    pub async fn change_password(
        &self,
        user: &User,
        password_hash: &str,
        session: &Session,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let parts = vec![
            self.set_password_part(user, password_hash)?,
            self.bump_epoch_part(user, true)?,
            self.carry_session_part(session)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "changing password").await
    }

    /// Save a changed user if still at `before.version`, keeping the company's admin count (the
    /// last admin cannot stop being one) and, when `end_sessions`, ending all their sessions. The
    /// user as saved (next version, and epoch), or `None` if a condition refused it.
    pub async fn save_user(
        &self,
        user: &User,
        before: &User,
        end_sessions: bool,
        audit: &AuditEntry,
    ) -> anyhow::Result<Option<User>> {
        let mut saved = user.clone();
        saved.version = before.version + 1;
        if end_sessions {
            saved.session_epoch = before.session_epoch + 1;
        }
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(
                &saved,
                &keys::user(&user.company_id, &user.id),
            )?))
            .condition_expression("#version = :previous OR attribute_not_exists(#version)")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":previous", n(before.version))
            .build()?;
        let mut parts = vec![
            TransactWriteItem::builder().put(put).build(),
            self.audit_part(audit)?,
        ];
        parts.extend(self.admins_part(
            &user.company_id,
            before.counts_as_admin(),
            user.counts_as_admin(),
        )?);
        Ok(self.transact(parts, "saving user").await?.then_some(saved))
    }
}
