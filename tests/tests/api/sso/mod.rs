//! Signing in with Microsoft and Google (docs/sso.md) against wiremock providers: our own
//! session afterwards, every refusal of the ID token's checks, the state good once, the company's
//! rules (linked tenants, just-in-time access, passwords off, the provider's MFA), and the
//! sign-in settings route by role.

use portal_tests::idp::{
    ACME_TENANT, CLIENT_ID, MockIdp, OTHER_TENANT, SigningKey, Started, hs256_with_public_key,
    unsigned,
};
use portal_tests::{Answer, DemoUser, PASSWORD, TestApp};
use serde_json::{Value, json};
use std::sync::LazyLock;

mod settings;

/// The providers' keys (RSA generation is slow: once per test binary).
static MS_KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate("ms-1"));
static GOOGLE_KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate("g-1"));
static ROTATED_KEY: LazyLock<SigningKey> = LazyLock::new(|| SigningKey::generate("ms-2"));

struct World {
    t: TestApp,
    ms: MockIdp,
    google: MockIdp,
}

/// A test app with both providers, and Acme Dental signing in with password, Microsoft (its
/// tenant linked) and Google (its Workspace domain linked).
async fn world() -> World {
    let ms = MockIdp::start("microsoft", &[&MS_KEY]).await;
    let google = MockIdp::start("google", &[&GOOGLE_KEY]).await;
    let t = TestApp::with_sso(&ms.server.uri(), &google.server.uri()).await;
    let w = World { t, ms, google };
    w.settings(json!({
        "sign_in_methods": ["password", "microsoft", "google"],
        "microsoft_tenants": [ACME_TENANT],
        "domains": ["acme.example"],
        "just_in_time": false,
        "default_role": "standard_user",
        "trust_provider_mfa": false, "access_requests": false,
    }))
    .await;
    w
}

impl World {
    /// Put Acme Dental's sign-in settings as its Full Admin (at the version they read).
    async fn settings(&self, mut body: Value) {
        let admin = self.t.signed_in(DemoUser::AcmeFullAdmin).await;
        let read = admin.get("/api/companies/acme-dental/sign-in").await;
        body["version"] = read.body["version"].clone();
        let put = admin.put("/api/companies/acme-dental/sign-in", body).await;
        assert_eq!(put.status, 200, "{}", put.text);
    }

    fn now(&self) -> i64 {
        self.t.app.now().unix_timestamp()
    }

    /// Microsoft's claims for `email` of `tenant`, for the started sign-in.
    fn ms_claims(&self, started: &Started, email: &str, tenant: &str) -> Value {
        json!({
            "iss": self.ms.issuer(tenant), "aud": CLIENT_ID, "sub": format!("ms-{email}"),
            "tid": tenant, "email": email, "name": "Pat Example", "nonce": started.nonce,
            "iat": self.now(), "exp": self.now() + 3600,
        })
    }

    fn google_claims(&self, started: &Started, email: &str) -> Value {
        json!({
            "iss": self.google.issuer(""), "aud": CLIENT_ID, "sub": format!("g-{email}"),
            "email": email, "email_verified": true, "hd": "acme.example", "name": "Pat Example",
            "nonce": started.nonce, "iat": self.now(), "exp": self.now() + 3600,
        })
    }

    fn idp(&self, provider: &str) -> &MockIdp {
        if provider == "microsoft" {
            &self.ms
        } else {
            &self.google
        }
    }

    /// A whole sign-in: start, the provider answering the code with `token(started)`, return.
    async fn sign_in(&self, provider: &str, token: impl FnOnce(&Started) -> String) -> Answer {
        let started = self.t.sso_start(provider).await;
        let id_token = token(&started);
        self.idp(provider)
            .grant("code-1", &started.challenge, &started.redirect, id_token);
        self.t.sso_return(provider, &started, "code-1").await
    }

    async fn microsoft(&self, email: &str) -> Answer {
        self.sign_in("microsoft", |s| {
            MS_KEY.sign(&self.ms_claims(s, email, ACME_TENANT))
        })
        .await
    }
}

/// The answer is a 303 back to the sign-in page saying `why`, with no session.
fn refused(answer: &Answer, why: &str) {
    assert_eq!(answer.status, 303, "{}", answer.text);
    assert_eq!(
        answer.header("location"),
        Some(format!("/login/?sso={why}").as_str())
    );
    assert!(answer.session_cookie().is_none(), "no session");
}

/// The answer is a 303 home with a session; the `GET /api/me` of that session.
async fn signed_in(t: &TestApp, answer: &Answer) -> Value {
    assert_eq!(answer.status, 303, "{}", answer.text);
    assert_eq!(answer.header("location"), Some("/"));
    let cookie = answer.session_cookie().expect("session cookie");
    let me = t.get("/api/me", &cookie).await;
    assert_eq!(me.status, 200, "{}", me.text);
    me.body
}

#[tokio::test]
async fn microsoft_and_google_sign_in_start_our_own_session_within_three_calls() {
    let w = world().await;
    let providers = w.t.call("GET", "/api/auth/providers").send().await;
    assert_eq!(providers.body["providers"], json!(["microsoft", "google"]));
    let started = w.t.sso_start("microsoft").await;
    assert!(
        started
            .location
            .starts_with(&format!("{}/authorize?", w.ms.server.uri()))
    );
    assert_eq!(
        started.redirect,
        "https://portal.test/api/auth/sso/microsoft/callback"
    );
    w.ms.grant(
        "code-1",
        &started.challenge,
        &started.redirect,
        MS_KEY.sign(&w.ms_claims(&started, "user@acme.example", ACME_TENANT)),
    );
    let calls = w.t.app.dynamo_calls.get();
    let answer = w.t.sso_return("microsoft", &started, "code-1").await;
    assert_eq!(
        w.t.app.dynamo_calls.get() - calls,
        3,
        "DynamoDB calls of the return"
    );
    let me = signed_in(&w.t, &answer).await;
    assert_eq!(me["user"]["email"], "user@acme.example");
    assert!(
        answer
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("__Host-portal_sso=;") && c.contains("Max-Age=0")),
        "the sign-in's cookie is cleared"
    );
    let trail = w.t.items_in("CO#acme-dental").await;
    assert!(trail.iter().any(|i| {
        i.get("summary")
            .and_then(|s| s.as_s().ok())
            .is_some_and(|s| s == "Signed in with Microsoft")
    }));

    // The same return again (a replay of the state and cookie, with a code the provider would take).
    w.ms.grant(
        "code-2",
        &started.challenge,
        &started.redirect,
        MS_KEY.sign(&w.ms_claims(&started, "user@acme.example", ACME_TENANT)),
    );
    refused(
        &w.t.sso_return("microsoft", &started, "code-2").await,
        "expired",
    );

    // "Keep me signed in" and the page to go back to travel with the sign-in; only a path of this
    // origin is followed.
    for (next, to) in [
        ("/tickets/?tab=open", "/tickets/?tab=open"),
        ("//evil.example/x", "/"),
    ] {
        let started =
            w.t.sso_start_with(
                "google",
                &format!(
                    "?remember=true&next={}",
                    next.replace('?', "%3F").replace('&', "%26")
                ),
            )
            .await;
        w.google.grant(
            "code-n",
            &started.challenge,
            &started.redirect,
            GOOGLE_KEY.sign(&w.google_claims(&started, "user@acme.example")),
        );
        let back = w.t.sso_return("google", &started, "code-n").await;
        assert_eq!(back.header("location"), Some(to), "{next}");
        let session = back
            .set_cookies()
            .into_iter()
            .find(|c| c.starts_with("__Host-portal_session="))
            .expect("session");
        assert!(session.contains("Max-Age="), "remembered: {session}");
    }
    let google = w
        .sign_in("google", |s| {
            GOOGLE_KEY.sign(&w.google_claims(s, "readonly@acme.example"))
        })
        .await;
    assert_eq!(
        signed_in(&w.t, &google).await["user"]["email"],
        "readonly@acme.example"
    );
}

#[tokio::test]
async fn every_forged_or_wrong_id_token_is_refused() {
    let w = world().await;
    let stranger = SigningKey::generate("unknown-kid");
    type Forge = Box<dyn Fn(&World, &Started) -> String>;
    let claims = |w: &World, s: &Started| w.ms_claims(s, "user@acme.example", ACME_TENANT);
    let with = |change: fn(&mut Value, i64)| -> Forge {
        Box::new(move |w: &World, s: &Started| {
            let mut c = w.ms_claims(s, "user@acme.example", ACME_TENANT);
            change(&mut c, w.now());
            MS_KEY.sign(&c)
        })
    };
    let cases: Vec<(&str, Forge, &str)> = vec![
        (
            "alg none",
            Box::new(move |w, s| unsigned(&claims(w, s))),
            "refused",
        ),
        (
            "HS256 with the public key",
            Box::new(move |w, s| hs256_with_public_key(&MS_KEY, &claims(w, s))),
            "refused",
        ),
        (
            "a key the provider does not publish",
            Box::new(move |w, s| stranger.sign(&claims(w, s))),
            "refused",
        ),
        (
            "another audience",
            with(|c, _| c["aud"] = json!("someone-else")),
            "refused",
        ),
        (
            "the issuer of another tenant than tid",
            with(|c, _| {
                c["iss"] = json!(
                    c["iss"]
                        .as_str()
                        .unwrap()
                        .replace(ACME_TENANT, OTHER_TENANT)
                )
            }),
            "refused",
        ),
        ("no tid", with(|c, _| c["tid"] = Value::Null), "refused"),
        (
            "expired",
            with(|c, now| c["exp"] = json!(now - 300)),
            "refused",
        ),
        (
            "issued in the future",
            with(|c, now| c["iat"] = json!(now + 600)),
            "refused",
        ),
        (
            "issued an hour ago",
            with(|c, now| c["iat"] = json!(now - 3600)),
            "refused",
        ),
        (
            "another nonce",
            with(|c, _| c["nonce"] = json!("not-this-one")),
            "refused",
        ),
        ("no nonce", with(|c, _| c["nonce"] = Value::Null), "refused"),
        (
            "a tenant Acme did not link (iss and tid agree)",
            Box::new(|w, s| MS_KEY.sign(&w.ms_claims(s, "user@acme.example", OTHER_TENANT))),
            "tenant-not-linked",
        ),
    ];
    for (what, forge, why) in cases {
        let fetches = w.ms.key_fetches();
        let answer = w.sign_in("microsoft", |s| forge(&w, s)).await;
        assert_eq!(answer.status, 303, "{what}");
        assert_eq!(
            answer.header("location"),
            Some(format!("/login/?sso={why}").as_str()),
            "{what}"
        );
        assert!(answer.session_cookie().is_none(), "{what}: no session");
        if what.starts_with("a key") {
            assert_eq!(
                w.ms.key_fetches(),
                fetches + 1,
                "an unknown kid fetches the keys again"
            );
        }
    }
    // Google's address must be verified.
    let unverified = w
        .sign_in("google", |s| {
            let mut c = w.google_claims(s, "user@acme.example");
            c["email_verified"] = json!(false);
            GOOGLE_KEY.sign(&c)
        })
        .await;
    refused(&unverified, "refused");
    // A code the provider refuses, a return without the sign-in's cookie or with another state.
    let started = w.t.sso_start("google").await;
    refused(
        &w.t.sso_return("google", &started, "never-granted").await,
        "refused",
    );
    let started = w.t.sso_start("google").await;
    let no_cookie =
        w.t.call(
            "GET",
            &format!(
                "/api/auth/sso/google/callback?code=c&state={}",
                started.state
            ),
        )
        .send()
        .await;
    refused(&no_cookie, "expired");
    let mut other = w.t.sso_start("google").await;
    other.state = "forged".into();
    refused(&w.t.sso_return("google", &other, "c").await, "expired");
    // The person cancelled at the provider.
    let started = w.t.sso_start("microsoft").await;
    let cancelled =
        w.t.call(
            "GET",
            &format!(
                "/api/auth/sso/microsoft/callback?error=access_denied&state={}",
                started.state
            ),
        )
        .cookie(&started.cookie)
        .send()
        .await;
    refused(&cancelled, "cancelled");
}

#[tokio::test]
async fn rotated_keys_are_fetched_again_when_a_token_names_a_new_one() {
    let w = world().await;
    let first = w.microsoft("user@acme.example").await;
    signed_in(&w.t, &first).await;
    assert_eq!(w.ms.key_fetches(), 1, "keys fetched once per instance");
    w.ms.publish(&[&MS_KEY, &ROTATED_KEY]);
    let rotated = w
        .sign_in("microsoft", |s| {
            ROTATED_KEY.sign(&w.ms_claims(s, "user@acme.example", ACME_TENANT))
        })
        .await;
    signed_in(&w.t, &rotated).await;
    assert_eq!(w.ms.key_fetches(), 2);
    signed_in(&w.t, &w.microsoft("user@acme.example").await).await;
    assert_eq!(w.ms.key_fetches(), 2, "the known key needs no fetch");
}

#[tokio::test]
async fn the_company_decides_who_signs_in_and_how() {
    let w = world().await;
    // Nobody has this address, and just-in-time access is off.
    refused(&w.microsoft("newcomer@acme.example").await, "no-user");
    // Globex does not allow Microsoft (and did not link Acme's tenant).
    refused(&w.microsoft("user@globex.example").await, "method-off");

    // A deactivated user: refused, and the company's trail says so.
    let admin = w.t.signed_in(DemoUser::AcmeFullAdmin).await;
    let id = DemoUser::AcmeReadOnly.id();
    let user = admin
        .get(&format!("/api/companies/acme-dental/users/{id}"))
        .await;
    let off = admin
        .patch(
            &format!("/api/companies/acme-dental/users/{id}"),
            json!({"version": user.body["version"], "status": "deactivated"}),
        )
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    refused(&w.microsoft("readonly@acme.example").await, "no-user");
    let trail = w.t.items_in("CO#acme-dental").await;
    assert!(trail.iter().any(|i| {
        i.get("summary")
            .and_then(|s| s.as_s().ok())
            .is_some_and(|s| s.contains("refused: the user is deactivated"))
    }));

    // Passwords off: the right password is refused with a sentence saying how to sign in, and a
    // reset request gets an email saying there is no password.
    w.settings(json!({
        "sign_in_methods": ["microsoft"], "microsoft_tenants": [ACME_TENANT], "domains": [],
        "just_in_time": false, "default_role": "standard_user", "trust_provider_mfa": false, "access_requests": false,
    }))
    .await;
    let password = w.t.try_login("user@acme.example", PASSWORD).await;
    assert_eq!(password.problem(409), "/problems/sign-in-method-off");
    assert!(password.session_cookie().is_none());
    let reset =
        w.t.call("POST", "/api/auth/password-reset")
            .json(json!({"email": "user@acme.example"}))
            .send()
            .await;
    assert_eq!(reset.status, 202);
    let mail = w.t.mail().await;
    let last = mail.last().expect("a mail");
    assert_eq!(last["destinations"]["ToAddresses"][0], "user@acme.example");
    assert_eq!(last["subject"], "Signing in to the portal");
    // Google is off now too.
    let google = w
        .sign_in("google", |s| {
            GOOGLE_KEY.sign(&w.google_claims(s, "user@acme.example"))
        })
        .await;
    refused(&google, "method-off");
    signed_in(&w.t, &w.microsoft("user@acme.example").await).await;
}

#[tokio::test]
async fn just_in_time_access_creates_a_user_with_the_default_role_and_tells_the_full_admins() {
    let w = world().await;
    w.settings(json!({
        "sign_in_methods": ["password", "microsoft", "google"],
        "microsoft_tenants": [ACME_TENANT], "domains": ["acme.example"],
        "just_in_time": true, "default_role": "ticket_read_only", "trust_provider_mfa": false, "access_requests": false,
    }))
    .await;
    let calls = w.t.app.dynamo_calls.get();
    let answer = w.microsoft("newcomer@acme.example").await;
    let me = signed_in(&w.t, &answer).await;
    // Start (0), return: the lookup, the company, the user created with the session, the Full
    // Admins listed for the email; then `GET /api/me` (1).
    assert_eq!(w.t.app.dynamo_calls.get() - calls, 5);
    assert_eq!(me["user"]["role"], "ticket_read_only");
    assert_eq!(me["user"]["name"], "Pat Example");
    assert_eq!(me["company"]["id"], "acme-dental");
    let mail = w.t.mail().await;
    let told = mail
        .iter()
        .find(|m| m["subject"] == "Pat Example now has a portal user")
        .expect("the Full Admins are told");
    assert_eq!(
        told["destinations"]["ToAddresses"],
        json!(["fulladmin@acme.example"])
    );
    // The second time the user is simply there.
    signed_in(&w.t, &w.microsoft("newcomer@acme.example").await).await;
    // A Google account of another domain, or without one, gets no user.
    let gmail = w
        .sign_in("google", |s| {
            let mut c = w.google_claims(s, "someone@gmail.example");
            c["hd"] = Value::Null;
            GOOGLE_KEY.sign(&c)
        })
        .await;
    refused(&gmail, "no-user");
}

#[tokio::test]
async fn the_portals_second_factor_follows_unless_the_company_trusts_the_providers() {
    let w = world().await;
    let cookie = w.t.login("user@acme.example").await;
    let (secret, _) = crate::accounts::enrol(&w.t, &cookie).await;
    // Enrolling spent this 30-second step's code.
    w.t.clock.advance(time::Duration::seconds(30));
    // The provider reports MFA, but Acme does not trust it: our code is asked for.
    let answer = w
        .sign_in("microsoft", |s| {
            let mut c = w.ms_claims(s, "user@acme.example", ACME_TENANT);
            c["amr"] = json!(["pwd", "mfa"]);
            MS_KEY.sign(&c)
        })
        .await;
    assert_eq!(answer.status, 303);
    let location = answer.header("location").unwrap();
    let challenge = location.strip_prefix("/login/#mfa=").expect(location);
    assert!(answer.session_cookie().is_none());
    let code = portal::auth::totp::code(
        &secret,
        portal::auth::totp::step_at(w.t.app.now().unix_timestamp()),
    );
    let second =
        w.t.call("POST", "/api/auth/login/mfa")
            .json(json!({"challenge": challenge, "code": code}))
            .send()
            .await;
    assert_eq!(second.status, 204, "{}", second.text);
    let trail = w.t.items_in("CO#acme-dental").await;
    assert!(trail.iter().any(|i| {
        i.get("summary")
            .and_then(|s| s.as_s().ok())
            .is_some_and(|s| s == "Signed in with Microsoft and authenticator code")
    }));

    w.settings(json!({
        "sign_in_methods": ["password", "microsoft"], "microsoft_tenants": [ACME_TENANT],
        "domains": [], "just_in_time": false, "default_role": "standard_user",
        "trust_provider_mfa": true, "access_requests": false,
    }))
    .await;
    let trusted = w
        .sign_in("microsoft", |s| {
            let mut c = w.ms_claims(s, "user@acme.example", ACME_TENANT);
            c["amr"] = json!(["pwd", "mfa"]);
            MS_KEY.sign(&c)
        })
        .await;
    signed_in(&w.t, &trusted).await;
    // Without `mfa` in `amr` the code is still asked for.
    let single = w.microsoft("user@acme.example").await;
    assert!(
        single
            .header("location")
            .unwrap()
            .starts_with("/login/#mfa=")
    );
}

#[tokio::test]
async fn an_invited_user_accepts_the_invitation_by_signing_in_with_microsoft() {
    let w = world().await;
    let admin = w.t.signed_in(DemoUser::AcmeFullAdmin).await;
    let invited = admin
        .post(
            "/api/companies/acme-dental/users",
            json!({"email": "pat@acme.example", "name": "Pat", "role": "standard_user"}),
        )
        .await;
    assert_eq!(invited.status, 201, "{}", invited.text);
    let me = signed_in(&w.t, &w.microsoft("pat@acme.example").await).await;
    assert_eq!(me["user"]["email"], "pat@acme.example");
    let user = admin
        .get(&format!(
            "/api/companies/acme-dental/users/{}",
            invited.body["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(user.body["status"], "active");
    // The emailed invitation no longer sets a password.
    let token = w.t.token_mailed_to("pat@acme.example").await;
    let accept =
        w.t.call("POST", "/api/auth/invitation/accept")
            .json(json!({"token": token, "password": "a long enough passphrase 7"}))
            .send()
            .await;
    assert_eq!(accept.problem(400), "/problems/invalid-token");
}
