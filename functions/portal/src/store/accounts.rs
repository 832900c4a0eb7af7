//! Accounts in the store: companies, users, invitation and reset tokens, sessions, MFA and the audit
//! trail. Every change that must not race is one conditional transaction with its audit entry.

use super::*;
use crate::domain::account::{MfaRecord, TokenKind, TokenRecord};
use crate::domain::audit::AuditAction;

/// Filters of the audit trail.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    pub actor: Option<UserId>,
    pub action: Option<AuditAction>,
    pub from: Option<OffsetDateTime>,
    /// Exclusive.
    pub to: Option<OffsetDateTime>,
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

impl Store {
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
        self.transact(
            vec![
                TransactWriteItem::builder().update(update).build(),
                self.audit_part(audit)?,
            ],
            "updating company",
        )
        .await
    }

    fn token_put(&self, hash: &str, token: &TokenRecord) -> anyhow::Result<TransactWriteItem> {
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

    /// A new invited user: their credential (no password yet, the invitation's hash), the user and
    /// the token, with `audit`. `false` if the email already has an account.
    pub async fn invite_user(
        &self,
        user: &User,
        token_hash: &str,
        token: &TokenRecord,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let credential = Credential {
            email: user.email.clone(),
            company_id: user.company_id.clone(),
            user_id: user.id.clone(),
            password_hash: String::new(),
            mfa: false,
            invite_hash: Some(token_hash.to_owned()),
        };
        let parts = vec![
            self.put_new(to_item(&credential, &keys::credential(&user.email))?)?,
            self.put_new(to_item(user, &keys::user(&user.company_id, &user.id))?)?,
            self.token_put(token_hash, token)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "inviting user").await
    }

    /// A fresh invitation for a user still invited: the old token stops working (the credential
    /// names only the newest). `false` if the user is no longer invited.
    pub async fn resend_invitation(
        &self,
        user: &User,
        token_hash: &str,
        token: &TokenRecord,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(&user.company_id, &user.id).to_item()))
            .condition_expression("#status = :invited")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":invited", s("invited"))
            .build()?;
        let point = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credential(&user.email).to_item()))
            .update_expression("SET #invite = :hash")
            .condition_expression("#user = :user")
            .expression_attribute_names("#invite", "invite_hash")
            .expression_attribute_names("#user", "user_id")
            .expression_attribute_values(":hash", s(token_hash))
            .expression_attribute_values(":user", s(user.id.as_str()))
            .build()?;
        let parts = vec![
            TransactWriteItem::builder().condition_check(check).build(),
            TransactWriteItem::builder().update(point).build(),
            self.token_put(token_hash, token)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "resending invitation").await
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
    fn spend_token(
        &self,
        hash: &str,
        kind: TokenKind,
        now: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let kind = match kind {
            TokenKind::Invitation => "invitation",
            TokenKind::PasswordReset => "password_reset",
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

    /// Accept an invitation: spend the token, set the password, activate the user (counting them as
    /// an admin if their role is one). `false` if anything changed since (token spent or replaced,
    /// user no longer invited).
    pub async fn accept_invitation(
        &self,
        user: &User,
        token_hash: &str,
        password_hash: &str,
        audit: &AuditEntry,
        now: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        let credential = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credential(&user.email).to_item()))
            .update_expression("SET #hash = :hash REMOVE #invite")
            .condition_expression("#invite = :token AND #user = :user")
            .expression_attribute_names("#hash", "password_hash")
            .expression_attribute_names("#invite", "invite_hash")
            .expression_attribute_names("#user", "user_id")
            .expression_attribute_values(":hash", s(password_hash))
            .expression_attribute_values(":token", s(token_hash))
            .expression_attribute_values(":user", s(user.id.as_str()))
            .build()?;
        let activate = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(&user.company_id, &user.id).to_item()))
            .update_expression("SET #status = :active, #version = #version + :one")
            .condition_expression("#status = :invited")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":active", s("active"))
            .expression_attribute_values(":invited", s("invited"))
            .expression_attribute_values(":one", n(1))
            .build()?;
        let mut parts = vec![
            self.spend_token(token_hash, TokenKind::Invitation, now)?,
            TransactWriteItem::builder().update(credential).build(),
            TransactWriteItem::builder().update(activate).build(),
            self.audit_part(audit)?,
        ];
        parts.extend(self.admins_part(&user.company_id, false, user.role.is_admin())?);
        self.transact(parts, "accepting invitation").await
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
    fn bump_epoch_part(&self, user: &User, active: bool) -> anyhow::Result<TransactWriteItem> {
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
    fn carry_session_part(&self, session: &Session) -> anyhow::Result<TransactWriteItem> {
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

    /// End every session of the user but `session`.
    pub async fn end_other_sessions(
        &self,
        user: &User,
        session: &Session,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let parts = vec![
            self.bump_epoch_part(user, true)?,
            self.carry_session_part(session)?,
            self.audit_part(audit)?,
        ];
        self.transact(parts, "ending other sessions").await
    }

    /// A user's session items (live or not; the caller filters by epoch and expiry).
    pub async fn list_sessions(
        &self,
        company: &CompanyId,
        user: &UserId,
    ) -> anyhow::Result<Vec<Session>> {
        Ok(self
            .prefix_page(company, &keys::session_prefix(user), None, 100)
            .await
            .context("listing sessions")?
            .items)
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

    /// The user's MFA record and failed codes in the current window, in one call.
    pub async fn load_mfa(
        &self,
        company: &CompanyId,
        user: &UserId,
        window: i64,
    ) -> anyhow::Result<(Option<MfaRecord>, i64)> {
        let wanted = [keys::mfa(company, user), keys::mfa_failures(user, window)];
        let mut found = self.batch_get(&wanted).await.context("loading MFA")?;
        let record = found.remove(&wanted[0].sk).map(from_item).transpose()?;
        let failures = found
            .remove(&wanted[1].sk)
            .map(from_item::<LoginFailures>)
            .transpose()?
            .map_or(0, |f| f.failures);
        Ok((record, failures))
    }

    /// Start (or restart) enrolment; `false` if MFA is already enabled.
    pub async fn start_mfa(
        &self,
        company: &CompanyId,
        user: &UserId,
        record: &MfaRecord,
    ) -> anyhow::Result<bool> {
        let result = self
            .db
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(record, &keys::mfa(company, user))?))
            .condition_expression("attribute_not_exists(#pk) OR #enabled = :no")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#enabled", "enabled")
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .send()
            .await;
        applied(result, "starting MFA enrolment")
    }

    /// Set the MFA flag on the user (with a version bump) and on the credential.
    fn mfa_flag_parts(&self, user: &User, on: bool) -> anyhow::Result<Vec<TransactWriteItem>> {
        let flag = |key: Key, versioned: bool| -> anyhow::Result<TransactWriteItem> {
            let field = if versioned { "mfa_enabled" } else { "mfa" };
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#flag", field)
                .expression_attribute_values(":on", AttributeValue::Bool(on));
            update = if versioned {
                update
                    .update_expression("SET #flag = :on, #version = #version + :one")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":one", n(1))
            } else {
                update.update_expression("SET #flag = :on")
            };
            Ok(TransactWriteItem::builder().update(update.build()?).build())
        };
        Ok(vec![
            flag(keys::user(&user.company_id, &user.id), true)?,
            flag(keys::credential(&user.email), false)?,
        ])
    }

    /// Finish enrolment with the first accepted code: `record` (enabled, first step, recovery
    /// hashes) replaces the pending one if its nonce is still `record.nonce`.
    pub async fn enable_mfa(
        &self,
        user: &User,
        record: &MfaRecord,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(
                record,
                &keys::mfa(&user.company_id, &user.id),
            )?))
            .condition_expression("#nonce = :nonce AND #enabled = :no")
            .expression_attribute_names("#nonce", "nonce")
            .expression_attribute_names("#enabled", "enabled")
            .expression_attribute_values(":nonce", s(&record.nonce))
            .expression_attribute_values(":no", AttributeValue::Bool(false))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().put(put).build()];
        parts.extend(self.mfa_flag_parts(user, true)?);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "enabling MFA").await
    }

    /// Remove a user's MFA (turned off, or reset by an admin).
    pub async fn remove_mfa(&self, user: &User, audit: &AuditEntry) -> anyhow::Result<bool> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::mfa(&user.company_id, &user.id).to_item()))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().delete(delete).build()];
        parts.extend(self.mfa_flag_parts(user, false)?);
        parts.push(self.audit_part(audit)?);
        self.transact(parts, "removing MFA").await
    }

    /// Accepting a TOTP code of `step`: only if no code of this step or a later one was used.
    pub fn mfa_step_part(
        &self,
        company: &CompanyId,
        user: &UserId,
        step: u64,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::mfa(company, user).to_item()))
                    .update_expression("SET #last = :step")
                    .condition_expression("#enabled = :yes AND #last < :step")
                    .expression_attribute_names("#last", "last_step")
                    .expression_attribute_names("#enabled", "enabled")
                    .expression_attribute_values(":step", n(step))
                    .expression_attribute_values(":yes", AttributeValue::Bool(true))
                    .build()?,
            )
            .build())
    }

    /// Spending recovery code number `index` (whose hash is `hash`): only if it is still there.
    pub fn mfa_recovery_part(
        &self,
        company: &CompanyId,
        user: &UserId,
        index: usize,
        hash: &str,
    ) -> anyhow::Result<TransactWriteItem> {
        Ok(TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(keys::mfa(company, user).to_item()))
                    .update_expression(format!("REMOVE #recovery[{index}]"))
                    .condition_expression(format!("#enabled = :yes AND #recovery[{index}] = :hash"))
                    .expression_attribute_names("#recovery", "recovery")
                    .expression_attribute_names("#enabled", "enabled")
                    .expression_attribute_values(":hash", s(hash))
                    .expression_attribute_values(":yes", AttributeValue::Bool(true))
                    .build()?,
            )
            .build())
    }

    /// One page of a company's audit trail, newest first.
    pub async fn list_audit(
        &self,
        company: &CompanyId,
        query: &AuditQuery,
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<AuditEntry>> {
        let from = query
            .from
            .map_or_else(|| "0".to_owned(), keys::sortable_time);
        let to = query
            .to
            .map_or_else(|| "\u{ffff}".to_owned(), keys::sortable_time);
        let mut request = self.db.query().table_name(&self.table);
        request = match &query.actor {
            Some(actor) => request
                .index_name(keys::AUDIT_BY_ACTOR_INDEX.name)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::AUDIT_BY_ACTOR_INDEX.pk)
                .expression_attribute_names("#sk", keys::AUDIT_BY_ACTOR_INDEX.sk)
                .expression_attribute_values(":pk", s(keys::audit_actor(company, actor)))
                .expression_attribute_values(":from", s(from))
                .expression_attribute_values(":to", s(to)),
            None => request
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#sk", keys::SK)
                .expression_attribute_values(":pk", s(keys::company_partition(company)))
                .expression_attribute_values(":from", s(format!("{}{from}", keys::AUDIT_PREFIX)))
                .expression_attribute_values(":to", s(format!("{}{to}", keys::AUDIT_PREFIX))),
        };
        if let Some(action) = query.action {
            request = request
                .filter_expression("#action = :action")
                .expression_attribute_names("#action", "action")
                .expression_attribute_values(":action", s(action.as_str()));
        }
        let out = request
            .scan_index_forward(false)
            .set_exclusive_start_key(start)
            .limit(limit)
            .send()
            .await
            .context("listing audit entries")?;
        page(out.items, out.last_evaluated_key)
    }
}
