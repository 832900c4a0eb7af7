//! The demo users, typed, and a client signed in as one of them (crates.io's `TestApp` style): a
//! test asks for `app.signed_in(DemoUser::AcmeUser)` and calls `get`/`post`/`patch`/`put`/`delete`,
//! whose `Answer`s deserialise to the API's own types (`answer.json::<Ticket>()`).

use portal::domain::UserId;
use portal_admin::seed;
use serde_json::Value;

use crate::{Answer, Call, TestApp};

/// Every demo user (`portal_admin::seed`), by company and role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoUser {
    MspAdmin,
    Technician,
    AcmeFullAdmin,
    AcmeTicketManager,
    AcmeBillingAdmin,
    AcmeReadOnly,
    AcmeUser,
    GlobexFullAdmin,
    GlobexUser,
}

impl DemoUser {
    pub const ALL: [DemoUser; 9] = [
        DemoUser::MspAdmin,
        DemoUser::Technician,
        DemoUser::AcmeFullAdmin,
        DemoUser::AcmeTicketManager,
        DemoUser::AcmeBillingAdmin,
        DemoUser::AcmeReadOnly,
        DemoUser::AcmeUser,
        DemoUser::GlobexFullAdmin,
        DemoUser::GlobexUser,
    ];

    pub fn email(self) -> &'static str {
        match self {
            DemoUser::MspAdmin => "admin@northwind.example",
            DemoUser::Technician => "tech@northwind.example",
            DemoUser::AcmeFullAdmin => "fulladmin@acme.example",
            DemoUser::AcmeTicketManager => "ticketmanager@acme.example",
            DemoUser::AcmeBillingAdmin => "billing@acme.example",
            DemoUser::AcmeReadOnly => "readonly@acme.example",
            DemoUser::AcmeUser => "user@acme.example",
            DemoUser::GlobexFullAdmin => "fulladmin@globex.example",
            DemoUser::GlobexUser => "user@globex.example",
        }
    }

    /// The company the user belongs to.
    pub fn company(self) -> &'static str {
        match self {
            DemoUser::MspAdmin | DemoUser::Technician => "northwind-it",
            DemoUser::GlobexFullAdmin | DemoUser::GlobexUser => "globex-logistics",
            _ => "acme-dental",
        }
    }

    pub fn id(self) -> UserId {
        seed::demo_user_id(self.email())
    }
}

/// A demo user with a live session: every request carries its cookie.
pub struct SignedIn<'a> {
    pub app: &'a TestApp,
    pub user: DemoUser,
    /// The `Cookie` header value of the session.
    pub cookie: String,
}

impl SignedIn<'_> {
    /// A request of this user's, from the portal's origin, to finish by hand (headers, raw bodies).
    pub fn call(&self, method: &str, path: &str) -> Call<'_> {
        self.app.call(method, path).cookie(&self.cookie)
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.app.get(path, &self.cookie).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.app.post(path, &self.cookie, body).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Answer {
        self.call("PUT", path).json(body).send().await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.app.patch(path, &self.cookie, body).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call("DELETE", path).send().await
    }
}

impl TestApp {
    /// `user`, signed in with the demo password.
    pub async fn signed_in(&self, user: DemoUser) -> SignedIn<'_> {
        SignedIn {
            app: self,
            user,
            cookie: self.login(user.email()).await,
        }
    }
}

/// RFC 4648 base32 without padding, as the MFA secret is shown for manual entry.
pub fn base32_decode(s: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in s.bytes() {
        let Some(value) = alphabet.iter().position(|&a| a == c) else {
            continue;
        };
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    out
}

/// Role matrices: the status each demo user gets from one call, against what the role table says.
pub mod matrix {
    use super::DemoUser;
    use crate::{Answer, TestApp};

    /// One session per demo user, in `DemoUser::ALL` order.
    pub async fn sign_in_everyone(t: &TestApp) -> Vec<String> {
        let mut cookies = Vec::new();
        for user in DemoUser::ALL {
            cookies.push(t.login(user.email()).await);
        }
        cookies
    }

    /// The status each signed-in user (one cookie each, in `DemoUser::ALL` order) gets from
    /// `call`, one after the other.
    pub async fn each(cookies: &[String], call: impl AsyncFn(&str) -> Answer) -> Vec<u16> {
        let mut statuses = Vec::new();
        for cookie in cookies {
            statuses.push(call(cookie).await.status);
        }
        statuses
    }

    /// Fails naming every user whose status is not the one wanted (`want` in `DemoUser::ALL`
    /// order: MSP admin, technician, Acme Full Admin, Ticket Manager, Billing Admin, Read-Only,
    /// Standard User, Globex Full Admin, Globex Standard User).
    pub fn expect(route: &str, got: Vec<u16>, want: [u16; 9]) {
        let wrong: Vec<String> = DemoUser::ALL
            .iter()
            .zip(got.iter().zip(want))
            .filter(|(_, (g, w))| **g != *w)
            .map(|(user, (g, w))| format!("{}: got {g}, want {w}", user.email()))
            .collect();
        assert!(wrong.is_empty(), "{route}: {}", wrong.join("; "));
    }
}
