//! Signing in with Microsoft or Google in the store (docs/sso.md): what a provider's answer is
//! looked up by, the sessions it starts (for an active user, an invited one, or one created just
//! in time), the spent `state` marks, and a company's sign-in settings with their tenant and
//! domain pointers.

use super::invitations::Activation;
use super::*;
use crate::domain::sign_in::LinkKind;

/// A pointer item's body: the company that linked the tenant or domain.
#[derive(Serialize, Deserialize)]
struct IdpLink {
    company_id: CompanyId,
}

/// What a provider's answer is matched with: the credential of its email, and the company its
/// tenant or domain is linked to.
pub struct SsoLookup {
    pub credential: Option<Credential>,
    pub linked: Option<CompanyId>,
}

impl Store {
    /// The credential of `email` and the company `link` points to, in one BatchGetItem.
    pub async fn sso_lookup(
        &self,
        email: &Email,
        link: Option<(LinkKind, &str)>,
    ) -> anyhow::Result<SsoLookup> {
        let mut wanted = vec![keys::credential(email)];
        wanted.extend(link.map(|(p, v)| keys::idp_link(p, v)));
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("looking up sign-in")?;
        let linked: Option<IdpLink> = wanted
            .get(1)
            .and_then(|k| found.remove(&k.sk))
            .map(from_item)
            .transpose()?;
        Ok(SsoLookup {
            credential: found.remove(&wanted[0].sk).map(from_item).transpose()?,
            linked: linked.map(|l| l.company_id),
        })
    }

    /// A company and one of its users, in one BatchGetItem.
    pub async fn company_and_user(
        &self,
        company: &CompanyId,
        user: Option<&UserId>,
    ) -> anyhow::Result<(Option<Company>, Option<User>)> {
        let mut wanted = vec![keys::company(company)];
        wanted.extend(user.map(|u| keys::user(company, u)));
        let mut found = self.batch_get(&wanted).await.context("loading company")?;
        let user = wanted
            .get(1)
            .and_then(|k| found.remove(&k.sk))
            .map(from_item)
            .transpose()?;
        Ok((
            found.remove(&wanted[0].sk).map(from_item).transpose()?,
            user,
        ))
    }

    /// The mark of a spent sign-in `state` (by hash), kept until `expires`: refused if the state
    /// was spent before.
    pub fn spend_sso_state_part(
        &self,
        hash: &str,
        expires: OffsetDateTime,
    ) -> anyhow::Result<TransactWriteItem> {
        self.spent_mark_part(keys::spent_sso_state(hash), expires)
    }

    /// Spend a sign-in `state` on its own (when a second factor follows); `false` if it was spent.
    pub async fn spend_sso_state(
        &self,
        hash: &str,
        expires: OffsetDateTime,
    ) -> anyhow::Result<bool> {
        self.transact(
            vec![self.spend_sso_state_part(hash, expires)?],
            "spending sign-in state",
        )
        .await
    }

    /// Start a session for an invited user who signed in with a provider: the invitation is
    /// accepted by it (the user active, counted as an admin if they are one, the invitation's
    /// token no longer usable), with `audit` and `more`. `false` if the user is no longer invited.
    pub async fn activate_with_session(
        &self,
        user: &User,
        session: &Session,
        audit: &AuditEntry,
        more: Vec<TransactWriteItem>,
    ) -> anyhow::Result<bool> {
        let mut parts = vec![self.session_part(session)?, self.audit_part(audit)?];
        parts.extend(self.activation_parts(user, Activation::SignedIn(session.created_at))?);
        parts.extend(more);
        self.transact(parts, "activating user at sign-in").await
    }

    /// A user created just in time by a provider's sign-in, with their credential (no password)
    /// and first session, while the company is still at `company_version` (its settings could have
    /// turned the access off). `false` if the email was taken or the company changed meanwhile.
    pub async fn create_with_session(
        &self,
        user: &User,
        company_version: u64,
        session: &Session,
        audit: &AuditEntry,
        more: Vec<TransactWriteItem>,
    ) -> anyhow::Result<bool> {
        let credential = Credential::of(user, "", None);
        let unchanged = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::company(&user.company_id).to_item()))
            .condition_expression("#version = :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":version", n(company_version))
            .build()?;
        let mut parts = vec![
            self.put_new(to_item(&credential, &keys::credential(&user.email))?)?,
            self.put_new(to_item(user, &keys::user(&user.company_id, &user.id))?)?,
            TransactWriteItem::builder()
                .condition_check(unchanged)
                .build(),
            self.session_part(session)?,
            self.audit_part(audit)?,
        ];
        parts.extend(more);
        self.transact(parts, "creating user at sign-in").await
    }

    /// A company and the companies `links` point to now, in one BatchGetItem (for changing its
    /// sign-in settings).
    pub async fn load_sign_in(
        &self,
        company: &CompanyId,
        links: &[(LinkKind, String)],
    ) -> anyhow::Result<(Option<Company>, Vec<((LinkKind, String), CompanyId)>)> {
        let mut wanted = vec![keys::company(company)];
        wanted.extend(links.iter().map(|(p, v)| keys::idp_link(*p, v)));
        // Pointer items all share one sort key: read them by whole key.
        let mut found = self.batch_get_each(&wanted).await?.into_iter();
        let company = found.next().flatten().map(from_item).transpose()?;
        let mut taken = Vec::new();
        for (link, item) in links.iter().zip(found) {
            if let Some(item) = item {
                let body: IdpLink = from_item(item)?;
                taken.push((link.clone(), body.company_id));
            }
        }
        Ok((company, taken))
    }

    /// The pointers of every tenant and domain `company` links, written as they are (the demo
    /// seed; settings changes go through `save_sign_in`).
    pub async fn put_idp_links(&self, company: &Company) -> anyhow::Result<()> {
        let body = IdpLink {
            company_id: company.id.clone(),
        };
        let items = company
            .sso
            .links()
            .iter()
            .map(|(p, v)| to_item(&body, &keys::idp_link(*p, v)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.batch_put(items, "linking tenants and domains").await
    }

    /// Save a company's sign-in settings (`after`, read at `before`'s version) with the pointers
    /// of the tenants and domains it linked or unlinked, and `audit`. `false` if the company moved
    /// or a new link was taken meanwhile.
    pub async fn save_sign_in(
        &self,
        before: &Company,
        after: &Company,
        audit: &AuditEntry,
    ) -> anyhow::Result<bool> {
        let (old, new) = (before.sso.links(), after.sso.links());
        let mut parts = vec![
            self.company_update_part(after, before.version)?,
            self.audit_part(audit)?,
        ];
        for (p, v) in new.iter().filter(|l| !old.contains(l)) {
            let body = IdpLink {
                company_id: after.id.clone(),
            };
            parts.push(self.put_new(to_item(&body, &keys::idp_link(*p, v))?)?);
        }
        for (p, v) in old.iter().filter(|l| !new.contains(l)) {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(keys::idp_link(*p, v).to_item()))
                .condition_expression("#company = :company")
                .expression_attribute_names("#company", "company_id")
                .expression_attribute_values(":company", s(after.id.as_str()))
                .build()?;
            parts.push(TransactWriteItem::builder().delete(delete).build());
        }
        self.transact(parts, "saving sign-in settings").await
    }
}
