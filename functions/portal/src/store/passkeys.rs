//! Passkeys in the store (docs/passkeys.md): each one an item in its company's partition under
//! its user (listed with one Query), with a pointer from its credential id to its owner (a
//! passkey sign-in starts from the credential id alone), and a count on the user and on the
//! credential item kept in the same transactions (sign-in with a password asks for a second
//! factor when it is not zero). Answered challenges are marked spent in the session's
//! transaction.

use super::*;
use crate::domain::passkeys::{MAX_PASSKEYS, Passkey};

/// A pointer item's body: whose credential it is.
#[derive(Serialize, Deserialize)]
pub struct PasskeyOwner {
    pub company_id: CompanyId,
    pub user_id: UserId,
}

impl Store {
    /// A user's passkeys, oldest first (one Query).
    pub async fn list_passkeys(
        &self,
        company: &CompanyId,
        user: &UserId,
    ) -> anyhow::Result<Vec<Passkey>> {
        let page: Page<Passkey> = self
            .prefix_page(
                company,
                &keys::passkey_prefix(user),
                None,
                MAX_PASSKEYS as i32 + 1,
            )
            .await
            .context("listing passkeys")?;
        let mut items = page.items;
        items.sort_by_key(|p| p.created_at);
        Ok(items)
    }

    /// Who a credential id belongs to (one GetItem).
    pub async fn passkey_owner(&self, credential: &str) -> anyhow::Result<Option<PasskeyOwner>> {
        self.get(&keys::passkey_owner(credential))
            .await
            .context("reading passkey owner")
    }

    /// A company, one of its users and one of that user's passkeys, in one BatchGetItem.
    pub async fn passkey_sign_in(
        &self,
        owner: &PasskeyOwner,
        credential: &str,
    ) -> anyhow::Result<(Option<Company>, Option<User>, Option<Passkey>)> {
        let (company, user) = (&owner.company_id, &owner.user_id);
        let wanted = [
            keys::company(company),
            keys::user(company, user),
            keys::passkey(company, user, credential),
        ];
        let mut found = self.batch_get(&wanted).await.context("loading passkey")?;
        let mut take = |k: &Key| found.remove(&k.sk);
        let company = take(&wanted[0]).map(from_item).transpose()?;
        let user = take(&wanted[1]).map(from_item).transpose()?;
        let passkey = take(&wanted[2]).map(from_item).transpose()?;
        Ok((company, user, passkey))
    }

    /// The count of passkeys on the user (with a version bump) and on their credential item,
    /// moved by `by` (+1 or −1). Adding is refused at `MAX_PASSKEYS`; removing is refused at
    /// `floor` (1 when the last one may not go).
    fn passkey_count_parts(
        &self,
        user: &User,
        by: i64,
        floor: u32,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let (condition, bound) = if by > 0 {
            ("attribute_not_exists(#n) OR #n < :bound", MAX_PASSKEYS)
        } else {
            ("#n > :bound", floor)
        };
        self.user_and_credential_parts(
            user,
            "#n = if_not_exists(#n, :zero) + :by",
            Some(condition),
            |update, _| {
                update
                    .expression_attribute_names("#n", "passkeys")
                    .expression_attribute_values(":zero", n(0))
                    .expression_attribute_values(":by", n(by))
                    .expression_attribute_values(":bound", n(bound))
            },
        )
    }

    /// Keep a newly registered passkey of `user`, with `audit`. `false` if its credential id is
    /// registered already (to anyone) or the user has `MAX_PASSKEYS`.
    pub async fn add_passkey(
        &self,
        user: &User,
        passkey: &Passkey,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let owner = PasskeyOwner {
            company_id: user.company_id.clone(),
            user_id: user.id.clone(),
        };
        let mut parts = vec![
            self.put_new(to_item(
                passkey,
                &keys::passkey(&user.company_id, &user.id, &passkey.id),
            )?)?,
            self.put_new(to_item(&owner, &keys::passkey_owner(&passkey.id))?)?,
            self.audit_part(audit)?,
        ];
        parts.extend(self.passkey_count_parts(user, 1, 0)?);
        self.transact(parts, "adding passkey").await
    }

    /// Remove one of `user`'s passkeys, with `audit`; `keep_one`: not the last one. `false` if it
    /// is gone, or it is the last and must stay.
    pub async fn remove_passkey(
        &self,
        user: &User,
        credential: &str,
        keep_one: bool,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let gone = |key: Key| -> anyhow::Result<TransactWriteItem> {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key.to_item()))
                .condition_expression("attribute_exists(#pk)")
                .expression_attribute_names("#pk", keys::PK)
                .build()?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let mut parts = vec![
            gone(keys::passkey(&user.company_id, &user.id, credential))?,
            gone(keys::passkey_owner(credential))?,
            self.audit_part(audit)?,
        ];
        parts.extend(self.passkey_count_parts(user, -1, u32::from(keep_one))?);
        self.transact(parts, "removing passkey").await
    }

    /// Rename one of a user's passkeys; `false` if it is gone.
    pub async fn rename_passkey(
        &self,
        company: &CompanyId,
        user: &UserId,
        credential: &str,
        name: &str,
    ) -> anyhow::Result<bool> {
        let result = self
            .db
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::passkey(company, user, credential).to_item()))
            .update_expression("SET #name = :name")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#name", "name")
            .expression_attribute_values(":name", AttributeValue::S(name.to_owned()))
            .send()
            .await;
        applied(result, "renaming passkey")
    }

    /// A passkey's use, as a transaction part: its new state and when, while its state is still
    /// the one read (two uses at once cannot both pass).
    pub fn passkey_used_part(
        &self,
        passkey: &Passkey,
        state: &str,
        at: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        let key = keys::passkey(&passkey.company_id, &passkey.user_id, &passkey.id);
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .update_expression("SET #state = :state, #used = :used")
            .condition_expression("#state = :read")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#used", "last_used_at")
            .expression_attribute_values(":state", AttributeValue::S(state.to_owned()))
            .expression_attribute_values(":read", AttributeValue::S(passkey.state.clone()))
            .expression_attribute_values(":used", AttributeValue::S(rfc3339(at)?))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// The mark of an answered WebAuthn challenge (by hash), kept until `expires`: refused if it
    /// was answered before.
    pub fn spend_passkey_challenge_part(
        &self,
        hash: &str,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        self.spent_mark_part(keys::spent_passkey_challenge(hash), expires)
    }
}
