//! Signing in and sessions in the store: the records every request reads, starting, noting and
//! ending sessions, and second-factor enrolments. (Attempt counters: `throttle`.)

use super::*;
use crate::domain::account::MfaRecord;
use aws_sdk_dynamodb::types::builders::UpdateBuilder;

/// What every authenticated request reads, in one BatchGetItem.
pub struct AuthRecords {
    pub session: Option<Session>,
    pub user: Option<User>,
    pub company: Option<Company>,
}

impl Store {
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

    /// Store a new session if the user is (still) active and still at the session's epoch, note
    /// the sign-in on the user, record `audit`, and apply `more` (the attempt counters settled, the
    /// second factor spent), in one transaction. Returns `false` if the user is missing, not
    /// active or was signed out meanwhile, or a part of `more` was refused.
    pub async fn start_session(
        &self,
        session: &Session,
        audit: &AuditEntry,
        more: Vec<TransactWriteItem>,
    ) -> anyhow::Result<bool> {
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
        let mut parts = vec![
            TransactWriteItem::builder().update(note_user).build(),
            self.session_part(session)?,
            self.audit_part(audit)?,
        ];
        parts.extend(more);
        self.transact(parts, "starting session").await
    }

    /// The put of a new session, as a transaction part (it expires with the session).
    pub(super) fn session_part(&self, session: &Session) -> anyhow::Result<TransactWriteItem> {
        let mut item = to_item(
            session,
            &keys::session(&session.company_id, &session.user_id, &session.id),
        )?;
        item.insert(keys::TTL.into(), epoch(session.expires_at));
        self.put_new(item)
    }

    /// Note that `session` was used at `now` (if it still exists).
    pub async fn touch_session(
        &self,
        session: &Session,
        now: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let result = self
            .db
            .update_item()
            .table_name(&self.table)
            .set_key(Some(
                keys::session(&session.company_id, &session.user_id, &session.id).to_item(),
            ))
            .update_expression("SET #seen = :now")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#seen", "last_seen_at")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_values(":now", s(rfc3339(now)?))
            .send()
            .await;
        applied(result, "noting a session's use")?;
        Ok(())
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

    /// The same change to a user (with a version bump) and to their credential item, as
    /// transaction parts: `set` the assignments, `condition` what both must meet besides
    /// existing, and `bind` the names and values they use (told which item: `true` for the user).
    pub(super) fn user_and_credential_parts(
        &self,
        user: &User,
        set: &str,
        condition: Option<&str>,
        bind: impl Fn(UpdateBuilder, bool) -> UpdateBuilder,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let condition = match condition {
            Some(c) => format!("attribute_exists(#pk) AND ({c})"),
            None => "attribute_exists(#pk)".into(),
        };
        let part = |key: Key, versioned: bool| -> anyhow::Result<TransactWriteItem> {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()))
                .condition_expression(&condition)
                .expression_attribute_names("#pk", keys::PK);
            update = if versioned {
                update
                    .update_expression(format!("SET {set}, #version = #version + :one"))
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":one", n(1))
            } else {
                update.update_expression(format!("SET {set}"))
            };
            let update = bind(update, versioned).build()?;
            Ok(TransactWriteItem::builder().update(update).build())
        };
        Ok(vec![
            part(keys::user(&user.company_id, &user.id), true)?,
            part(keys::credential(&user.email), false)?,
        ])
    }

    /// Set the MFA flag on the user (with a version bump) and on the credential.
    fn mfa_flag_parts(&self, user: &User, on: bool) -> anyhow::Result<Vec<TransactWriteItem>> {
        self.user_and_credential_parts(user, "#flag = :on", None, |update, on_user| {
            update
                .expression_attribute_names("#flag", if on_user { "mfa_enabled" } else { "mfa" })
                .expression_attribute_values(":on", AttributeValue::Bool(on))
        })
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

    /// New recovery codes (their `hashes`) in place of `record`'s, spending TOTP `step` in the same
    /// write: only if MFA is still on under the same enrolment and no code of this step or a later
    /// one was used. `false` otherwise.
    pub async fn replace_recovery_codes(
        &self,
        user: &User,
        record: &MfaRecord,
        step: u64,
        hashes: &[String],
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::mfa(&user.company_id, &user.id).to_item()))
            .update_expression("SET #recovery = :hashes, #last = :step")
            .condition_expression("#enabled = :yes AND #nonce = :nonce AND #last < :step")
            .expression_attribute_names("#recovery", "recovery")
            .expression_attribute_names("#last", "last_step")
            .expression_attribute_names("#enabled", "enabled")
            .expression_attribute_names("#nonce", "nonce")
            .expression_attribute_values(":hashes", serde_dynamo::to_attribute_value(hashes)?)
            .expression_attribute_values(":step", n(step))
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .expression_attribute_values(":nonce", s(&record.nonce))
            .build()?;
        let parts = vec![
            TransactWriteItem::builder().update(update).build(),
            self.audit_part(audit)?,
        ];
        self.transact(parts, "replacing recovery codes").await
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
}
