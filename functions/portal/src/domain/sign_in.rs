//! Signing in with Microsoft or Google (docs/sso.md): a company's sign-in settings, who an
//! identity provider's answer may sign in as, and the rules between them. The protocol itself
//! (discovery, PKCE, the ID token's signature and claims) is the auth function's; what reaches
//! this module is an `Identity` whose token passed every check.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::account::{Company, SignInMethod};
use crate::domain::roles::Role;
use crate::domain::{Email, FieldError};

/// The identity providers the portal signs in with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Microsoft,
    Google,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Microsoft, Provider::Google];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Microsoft => "microsoft",
            Provider::Google => "google",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Provider::Microsoft => "Microsoft",
            Provider::Google => "Google",
        }
    }

    pub fn method(self) -> SignInMethod {
        match self {
            Provider::Microsoft => SignInMethod::Microsoft,
            Provider::Google => SignInMethod::Google,
        }
    }
}

/// What a company links to itself: a Microsoft (Entra) tenant, or an email domain (Google
/// Workspace's `hd`, and where people may ask for access from).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LinkKind {
    Tenant,
    Domain,
}

impl LinkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkKind::Tenant => "tenant",
            LinkKind::Domain => "domain",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkKind::Tenant => "Microsoft tenant",
            LinkKind::Domain => "email domain",
        }
    }
}

/// A company's settings for signing in with Microsoft or Google (kept on the company; the
/// methods themselves are the company's `sign_in_methods`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SsoSettings {
    /// Entra ID (Azure AD) tenant ids, lower-case GUIDs: Microsoft sign-in is accepted only from
    /// these tenants.
    #[serde(default)]
    pub microsoft_tenants: Vec<String>,
    /// The company's email domains: Google Workspace accounts of them (the token's `hd`) may get
    /// a user just in time, and people with addresses there may ask for access.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Anyone from a linked tenant or domain without a portal user gets one, with `default_role`.
    #[serde(default)]
    pub just_in_time: bool,
    /// The role just-in-time users get (never Full Admin).
    #[serde(default = "standard_user")]
    pub default_role: Role,
    /// Skip the portal's own second factor when the provider says the user passed MFA there.
    #[serde(default)]
    pub trust_provider_mfa: bool,
    /// People with an address at one of `domains` may ask for access on the sign-in page.
    #[serde(default)]
    pub access_requests: bool,
    /// Only phishing-resistant sign-ins start a session: a passkey (alone, or as the second factor
    /// after a password) or Microsoft or Google. A password alone, or with an authenticator code,
    /// is refused (docs/passkeys.md).
    #[serde(default)]
    pub phishing_resistant: bool,
}

fn standard_user() -> Role {
    Role::StandardUser
}

impl SsoSettings {
    /// Every tenant and domain linked, with its provider.
    pub fn links(&self) -> Vec<(LinkKind, String)> {
        let ms = self
            .microsoft_tenants
            .iter()
            .map(|t| (LinkKind::Tenant, t.clone()));
        let google = self.domains.iter().map(|d| (LinkKind::Domain, d.clone()));
        ms.chain(google).collect()
    }
}

impl Default for SsoSettings {
    fn default() -> Self {
        Self {
            microsoft_tenants: Vec::new(),
            domains: Vec::new(),
            just_in_time: false,
            default_role: standard_user(),
            trust_provider_mfa: false,
            access_requests: false,
            phishing_resistant: false,
        }
    }
}

/// What a provider's ID token told, after every check (signature, issuer, audience, times,
/// nonce, verified email).
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub provider: Provider,
    /// The provider's stable id of the person (`sub`).
    pub subject: String,
    pub email: Email,
    pub name: String,
    /// Microsoft: the person's tenant (`tid`).
    pub tenant: Option<String>,
    /// Google: the Workspace domain (`hd`); none for a personal account.
    pub domain: Option<String>,
    /// The provider says the person passed a second factor (`amr` has `mfa`).
    pub mfa: bool,
}

impl Identity {
    /// The tenant or domain this identity comes from, if the company can link one.
    pub fn link(&self) -> Option<(LinkKind, &str)> {
        match self.provider {
            Provider::Microsoft => self.tenant.as_deref().map(|t| (LinkKind::Tenant, t)),
            Provider::Google => self.domain.as_deref().map(|d| (LinkKind::Domain, d)),
        }
    }
}

/// Why a provider's identity may not sign in. Each is a sentence the sign-in page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No portal user has the address, and just-in-time access does not apply.
    NoUser,
    /// The user's company does not allow this provider.
    MethodOff,
    /// Microsoft: the token's tenant is not one the user's company linked.
    TenantNotLinked,
    /// The user is deactivated.
    Deactivated,
}

impl Refusal {
    /// The stable code the sign-in page is sent back with (`/login/?sso=…`).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NoUser => "no-user",
            Refusal::MethodOff => "method-off",
            Refusal::TenantNotLinked => "tenant-not-linked",
            Refusal::Deactivated => "no-user",
        }
    }
}

impl Company {
    /// Whether `provider` is among the company's sign-in methods.
    pub fn allows(&self, method: SignInMethod) -> bool {
        self.sign_in_methods.contains(&method)
    }

    /// Whether `identity` may sign in as an existing user of this company. Google's address is
    /// verified by Google (`email_verified`); Microsoft's is the tenant's word, so the tenant must
    /// be one the company linked.
    pub fn admits(&self, identity: &Identity) -> Result<(), Refusal> {
        if !self.allows(identity.provider.method()) {
            return Err(Refusal::MethodOff);
        }
        match identity.provider {
            Provider::Microsoft if !self.links(identity) => Err(Refusal::TenantNotLinked),
            _ => Ok(()),
        }
    }

    /// Whether `identity`, with no portal user, gets one now (just-in-time access): the company
    /// allows the provider, turned the access on, and linked the identity's tenant or domain.
    pub fn admits_new(&self, identity: &Identity) -> bool {
        self.sso.just_in_time && self.allows(identity.provider.method()) && self.links(identity)
    }

    fn links(&self, identity: &Identity) -> bool {
        let linked = match identity.provider {
            Provider::Microsoft => &self.sso.microsoft_tenants,
            Provider::Google => &self.sso.domains,
        };
        identity
            .link()
            .is_some_and(|(_, v)| linked.iter().any(|l| l == v))
    }

    /// Whether the portal's own second factor may be skipped for this identity.
    pub fn skips_second_factor(&self, identity: &Identity) -> bool {
        identity.mfa && self.sso.trust_provider_mfa
    }
}

/// At most this many tenants and domains together per company.
pub const MAX_LINKS: usize = 20;

/// A tenant id as Entra writes it: a GUID, lower-cased; `None` if it is not one.
pub fn tenant_id(raw: &str) -> Option<String> {
    let t = raw.trim().to_ascii_lowercase();
    let groups: Vec<&str> = t.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    (groups.len() == 5
        && groups
            .iter()
            .zip(lengths)
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit())))
    .then_some(t)
}

/// A domain name, lower-cased (`example.com`); `None` if it is not one.
pub fn domain_name(raw: &str) -> Option<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = d.split('.').collect();
    (d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().any(|c| c.is_ascii_alphabetic())))
    .then_some(d)
}

/// Check and normalise a company's new settings and methods together; every field's error.
pub fn check(
    methods: &[SignInMethod],
    sso: &SsoSettings,
) -> Result<(Vec<SignInMethod>, SsoSettings), Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut tenants = Vec::new();
    for raw in &sso.microsoft_tenants {
        match tenant_id(raw) {
            Some(t) if !tenants.contains(&t) => tenants.push(t),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "microsoft_tenants",
                format!("{raw:?} is not a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)"),
            )),
        }
    }
    let mut domains = Vec::new();
    for raw in &sso.domains {
        match domain_name(raw) {
            Some(d) if !domains.contains(&d) => domains.push(d),
            Some(_) => {}
            None => errors.push(FieldError::new(
                "domains",
                format!("{raw:?} is not a domain name such as example.com"),
            )),
        }
    }
    if tenants.len() + domains.len() > MAX_LINKS {
        errors.push(FieldError::new(
            "microsoft_tenants",
            format!("At most {MAX_LINKS} tenants and domains together"),
        ));
    }
    if !Role::CLIENT_ROLES.contains(&sso.default_role) || sso.default_role.is_admin() {
        errors.push(FieldError::new(
            "default_role",
            "Just-in-time users get a client role other than Full Admin",
        ));
    }
    let mut kept = Vec::new();
    for m in methods {
        if !kept.contains(m) {
            kept.push(*m);
        }
    }
    if kept.is_empty() {
        errors.push(FieldError::new(
            "sign_in_methods",
            "Choose at least one way to sign in",
        ));
    }
    let has = |m| kept.contains(&m);
    if has(SignInMethod::Microsoft) && tenants.is_empty() {
        errors.push(FieldError::new(
            "microsoft_tenants",
            "Link your Microsoft tenant to sign in with Microsoft: only its accounts are let in",
        ));
    }
    if sso.just_in_time && tenants.is_empty() && domains.is_empty() {
        errors.push(FieldError::new(
            "just_in_time",
            "Link a Microsoft tenant or an email domain for just-in-time access",
        ));
    }
    if sso.access_requests && domains.is_empty() {
        errors.push(FieldError::new(
            "access_requests",
            "Add your email domains: requests come from addresses there",
        ));
    }
    if sso.phishing_resistant && !(has(SignInMethod::Microsoft) || has(SignInMethod::Google)) {
        errors.push(FieldError::new(
            "phishing_resistant",
            "Allow Microsoft or Google sign-in too, so that people without a passkey can still sign in (and add one)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        kept,
        SsoSettings {
            microsoft_tenants: tenants,
            domains,
            just_in_time: sso.just_in_time,
            default_role: sso.default_role,
            trust_provider_mfa: sso.trust_provider_mfa,
            access_requests: sso.access_requests,
            phishing_resistant: sso.phishing_resistant,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(provider: Provider, link: &str) -> Identity {
        Identity {
            provider,
            subject: "sub".into(),
            email: Email::parse("pat@acme.example").unwrap(),
            name: "Pat".into(),
            tenant: (provider == Provider::Microsoft).then(|| link.into()),
            domain: (provider == Provider::Google).then(|| link.into()),
            mfa: true,
        }
    }

    fn company(methods: &[SignInMethod], sso: SsoSettings) -> Company {
        let mut c = Company::new(
            crate::domain::CompanyId::parse("acme").unwrap(),
            "Acme",
            crate::domain::CompanyKind::Client,
            time::OffsetDateTime::UNIX_EPOCH,
        );
        c.sign_in_methods = methods.to_vec();
        c.sso = sso;
        c
    }

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn microsoft_needs_a_linked_tenant_and_google_a_verified_address() {
        let sso = SsoSettings {
            microsoft_tenants: vec![TENANT.into()],
            ..SsoSettings::default()
        };
        let both = [SignInMethod::Microsoft, SignInMethod::Google];
        let c = company(&both, sso.clone());
        assert_eq!(c.admits(&identity(Provider::Microsoft, TENANT)), Ok(()));
        let other = "00000000-0000-0000-0000-000000000001";
        assert_eq!(
            c.admits(&identity(Provider::Microsoft, other)),
            Err(Refusal::TenantNotLinked)
        );
        // Google's address is verified by Google: no domain needed to match a user.
        assert_eq!(c.admits(&identity(Provider::Google, "gmail.com")), Ok(()));
        let passwords = company(&[SignInMethod::Password], sso);
        assert_eq!(
            passwords.admits(&identity(Provider::Microsoft, TENANT)),
            Err(Refusal::MethodOff)
        );
    }

    #[test]
    fn just_in_time_needs_the_switch_the_method_and_the_link() {
        let mut sso = SsoSettings {
            microsoft_tenants: vec![TENANT.into()],
            domains: vec!["acme.example".into()],
            just_in_time: true,
            ..SsoSettings::default()
        };
        let c = company(
            &[SignInMethod::Microsoft, SignInMethod::Google],
            sso.clone(),
        );
        assert!(c.admits_new(&identity(Provider::Microsoft, TENANT)));
        assert!(c.admits_new(&identity(Provider::Google, "acme.example")));
        assert!(!c.admits_new(&identity(Provider::Google, "globex.example")));
        let google_off = company(&[SignInMethod::Microsoft], sso.clone());
        assert!(!google_off.admits_new(&identity(Provider::Google, "acme.example")));
        sso.just_in_time = false;
        assert!(
            !company(&[SignInMethod::Microsoft], sso)
                .admits_new(&identity(Provider::Microsoft, TENANT))
        );
    }

    #[test]
    fn settings_are_normalised_or_refused_field_by_field() {
        let sso = SsoSettings {
            microsoft_tenants: vec![TENANT.to_uppercase(), TENANT.into()],
            domains: vec![" Acme.Example. ".into()],
            just_in_time: true,
            default_role: Role::TicketManager,
            trust_provider_mfa: true,
            access_requests: true,
            phishing_resistant: true,
        };
        let (methods, sso) =
            check(&[SignInMethod::Microsoft, SignInMethod::Microsoft], &sso).unwrap();
        assert_eq!(methods, [SignInMethod::Microsoft]);
        assert_eq!(sso.microsoft_tenants, [TENANT]);
        assert_eq!(sso.domains, ["acme.example"]);

        let bad = SsoSettings {
            microsoft_tenants: vec!["not-a-guid".into()],
            domains: vec!["localhost".into()],
            just_in_time: false,
            default_role: Role::FullAdmin,
            trust_provider_mfa: false,
            access_requests: false,
            phishing_resistant: true,
        };
        let errors = check(&[], &bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "microsoft_tenants",
                "domains",
                "default_role",
                "sign_in_methods",
                "phishing_resistant"
            ]
        );
        // Microsoft with no tenant would let nobody in.
        let errors = check(
            &[SignInMethod::Password, SignInMethod::Microsoft],
            &SsoSettings::default(),
        )
        .unwrap_err();
        assert_eq!(errors[0].field, "microsoft_tenants");
    }
}
