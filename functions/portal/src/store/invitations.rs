//! Invitations in the store: inviting a user (their credential, the user and the token in one
//! transaction, with the request for access it answers), a fresh invitation, and the user's
//! activation — by choosing a password, or by signing in with a provider (`sign_in`).

use super::*;
use crate::domain::account::{TokenKind, TokenRecord};

/// How an invited user becomes active.
#[derive(Clone, Copy)]
pub(super) enum Activation<'a> {
    /// With the password they chose (its hash) and the invitation's token hash.
    Password(&'a str, &'a str),
    /// By signing in with a provider, at this time.
    SignedIn(OffsetDateTime),
}

impl Store {
    /// A new invited user: their credential (no password yet, the invitation's hash), the user and
    /// the token, with `audit`; with `answering`, the request for access it approves goes in the
    /// same transaction. `false` if the email already has an account (or the request is gone).
    pub async fn invite_user(
        &self,
        user: &User,
        (token_hash, token): (&str, &TokenRecord),
        audit: &AuditEntry,
        answering: Option<&str>,
    ) -> anyhow::Result<bool> {
        let credential = Credential::of(user, "", Some(token_hash));
        let mut parts = vec![
            self.put_new(to_item(&credential, &keys::credential(&user.email))?)?,
            self.put_new(to_item(user, &keys::user(&user.company_id, &user.id))?)?,
            self.token_put(token_hash, token)?,
            self.audit_part(audit)?,
        ];
        if let Some(request) = answering {
            parts.push(self.answer_part(&user.company_id, request)?);
        }
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

    /// The parts that make an invited user active: their credential (the invitation's hash gone;
    /// with a password, set on condition that the invitation is the one named), the user (on
    /// condition that they are still invited; noting a sign-in if it is one), and the admin count.
    pub(super) fn activation_parts(
        &self,
        user: &User,
        how: Activation<'_>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let credential = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credential(&user.email).to_item()))
            .expression_attribute_names("#invite", "invite_hash")
            .expression_attribute_names("#user", "user_id")
            .expression_attribute_values(":user", s(user.id.as_str()));
        let credential = match how {
            Activation::Password(hash, token) => credential
                .update_expression("SET #hash = :hash REMOVE #invite")
                .condition_expression("#invite = :token AND #user = :user")
                .expression_attribute_names("#hash", "password_hash")
                .expression_attribute_values(":hash", s(hash))
                .expression_attribute_values(":token", s(token)),
            Activation::SignedIn(_) => credential
                .update_expression("REMOVE #invite")
                .condition_expression("#user = :user"),
        };
        let activate = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(&user.company_id, &user.id).to_item()))
            .condition_expression("#status = :invited")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":active", s("active"))
            .expression_attribute_values(":invited", s("invited"))
            .expression_attribute_values(":one", n(1));
        let activate = match how {
            Activation::Password(..) => {
                activate.update_expression("SET #status = :active, #version = #version + :one")
            }
            Activation::SignedIn(at) => activate
                .update_expression(
                    "SET #status = :active, #last = :now, #version = #version + :one",
                )
                .expression_attribute_names("#last", "last_sign_in_at")
                .expression_attribute_values(":now", s(rfc3339(at)?)),
        };
        let mut parts = vec![
            TransactWriteItem::builder()
                .update(credential.build()?)
                .build(),
            TransactWriteItem::builder()
                .update(activate.build()?)
                .build(),
        ];
        parts.extend(self.admins_part(&user.company_id, false, user.role.is_admin())?);
        Ok(parts)
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
        let mut parts = vec![
            self.spend_token(token_hash, TokenKind::Invitation, now)?,
            self.audit_part(audit)?,
        ];
        parts.extend(self.activation_parts(user, Activation::Password(password_hash, token_hash))?);
        self.transact(parts, "accepting invitation").await
    }
}
