//! Every route, called once as a user allowed to use it, with the DynamoDB calls each made. The cost
//! test pins the counts and the benchmark prints them, from this one table.

use serde_json::Value;

use crate::{Answer, DemoUser, PASSWORD, TestApp};

/// Who calls a route: nobody (signing in), a client's Full Admin, or the MSP admin.
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Client,
    Staff,
}

/// One row: a label, who calls it, the method, the path and the body (JSON). `{…}` in the path and
/// body are filled from what earlier rows answered (`keep`) and from the demo data.
struct Route {
    label: &'static str,
    who: Who,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    /// Values of the answer later rows use: `(name, JSON pointer)`.
    keep: &'static [(&'static str, &'static str)],
}

const fn route(label: &'static str, who: Who, method: &'static str, path: &'static str) -> Route {
    Route {
        label,
        who,
        method,
        path,
        body: None,
        keep: &[],
    }
}

impl Route {
    const fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }
    const fn keep(mut self, keep: &'static [(&'static str, &'static str)]) -> Self {
        self.keep = keep;
        self
    }
}

use Who::{Client, Nobody, Staff};

const ROUTES: &[Route] = &[
    route("POST /api/auth/login (success)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "user@acme.example", "password": "{password}", "remember": false}"#),
    route("POST /api/auth/login (wrong password)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "user@acme.example", "password": "wrong password", "remember": false}"#),
    route("GET /api/me", Client, "GET", "/api/me"),
    route("GET /api/companies", Staff, "GET", "/api/companies"),
    route("GET /api/companies/acme-dental", Client, "GET", "/api/companies/acme-dental"),
    route("GET /api/companies/acme-dental/users", Client, "GET", "/api/companies/acme-dental/users"),
    route(
        "GET /api/companies/acme-dental/users/{user_id}",
        Client,
        "GET",
        "/api/companies/acme-dental/users/{user_id}",
    ),
    route("GET /api/tickets/settings", Client, "GET", "/api/tickets/settings"),
    route("PUT /api/tickets/settings", Staff, "PUT", "/api/tickets/settings").body("{settings}"),
    route("POST /api/tickets", Client, "POST", "/api/tickets")
        .body(r#"{"request_type": "Problem", "summary": "Bench", "description": "One ticket.", "priority": "low"}"#)
        .keep(&[("number", "/number")]),
    route("GET /api/tickets", Client, "GET", "/api/tickets"),
    route("GET /api/tickets/stats", Client, "GET", "/api/tickets/stats"),
    route("POST /api/tickets/{number}/notes", Client, "POST", "/api/tickets/{number}/notes")
        .body(r#"{"text": "A note."}"#),
    route("POST /api/tickets/{number}/uploads", Client, "POST", "/api/tickets/{number}/uploads")
        .body(r#"{"file_name": "log.txt", "content_type": "text/plain", "size": 5}"#),
    route(
        "GET /api/tickets/{number}/attachments/{id} (no such file)",
        Client,
        "GET",
        "/api/tickets/{number}/attachments/0123456789abcdef01234567",
    ),
    route("GET /api/tickets/{number} (client)", Client, "GET", "/api/tickets/{number}"),
    route("GET /api/tickets/{number} (MSP staff)", Staff, "GET", "/api/tickets/{number}"),
    route("GET /api/tickets?q={number} (client)", Client, "GET", "/api/tickets?q={number}"),
    route("GET /api/tickets?q={number} (MSP staff)", Staff, "GET", "/api/tickets?q={number}"),
    route("GET /api/tickets?q=bench (words)", Client, "GET", "/api/tickets?q=bench"),
    route("GET /api/tickets/export", Client, "GET", "/api/tickets/export"),
    route("PATCH /api/tickets/{number}", Client, "PATCH", "/api/tickets/{number}")
        .body(r#"{"status": "resolved", "version": 2}"#),
    route("GET /api/me/sessions", Client, "GET", "/api/me/sessions"),
    route("PATCH /api/me", Client, "PATCH", "/api/me").body(r#"{"phone": "+1 555 0100"}"#),
    route("POST /api/companies/{id}/users (invite)", Client, "POST", "/api/companies/acme-dental/users")
        .body(r#"{"name": "Cost Check", "email": "cost@acme.example", "role": "standard_user"}"#),
    route(
        "PATCH /api/companies/{id}/users/{user_id}",
        Client,
        "PATCH",
        "/api/companies/acme-dental/users/{user_id}",
    )
    .body(r#"{"version": 0, "role": "ticket_manager"}"#),
    route("GET /api/companies/{id}/audit", Client, "GET", "/api/companies/acme-dental/audit"),
    route(
        "GET /api/companies/{id}/audit?user=",
        Client,
        "GET",
        "/api/companies/acme-dental/audit?user={user_id}",
    ),
    route("GET /api/companies?q=acme", Staff, "GET", "/api/companies?q=acme"),
    route("POST /api/me/mfa", Client, "POST", "/api/me/mfa").body("{}"),
    route("POST /api/auth/password-reset", Client, "POST", "/api/auth/password-reset")
        .body(r#"{"email": "user@acme.example"}"#),
    // Billing: an MSP admin drafts and issues; the client reads.
    route("POST /api/invoices", Staff, "POST", "/api/invoices")
        .body(r#"{"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]}"#)
        .keep(&[("invoice", "/id"), ("invoice_version", "/version")]),
    route(
        "POST /api/invoices/{id}/issue",
        Staff,
        "POST",
        "/api/invoices/{invoice}/issue?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#),
    route("GET /api/invoices", Client, "GET", "/api/invoices"),
    route("GET /api/invoices/{id}", Client, "GET", "/api/invoices/{invoice}"),
    route("GET /api/invoices?q=", Client, "GET", "/api/invoices?q=INV-0001"),
    route("GET /api/billing/overview", Client, "GET", "/api/billing/overview"),
    route("GET /api/payments", Client, "GET", "/api/payments"),
    route("GET /api/payment-methods", Client, "GET", "/api/payment-methods"),
    route("POST /api/me/password", Client, "POST", "/api/me/password")
        .body(r#"{"current_password": "{password}", "new_password": "a cost check passphrase"}"#),
    route("POST /api/auth/logout", Client, "POST", "/api/auth/logout"),
];

impl TestApp {
    /// Every route of `ROUTES`, in order: `(label, status, DynamoDB calls)`.
    pub async fn call_every_route(&self) -> Vec<(String, u16, u64)> {
        let settings = serde_json::to_string(&portal::domain::tickets::TicketSettings::default())
            .expect("settings");
        let mut values: Vec<(String, String)> = vec![
            ("password".into(), PASSWORD.into()),
            (
                "user_id".into(),
                DemoUser::AcmeUser.id().as_str().to_owned(),
            ),
            ("settings".into(), settings),
        ];
        let client = self.login(DemoUser::AcmeFullAdmin.email()).await;
        let staff = self.login(DemoUser::MspAdmin.email()).await;
        let mut seen = Vec::new();
        for route in ROUTES {
            let fill = |text: &str| {
                values.iter().fold(text.to_owned(), |t, (name, value)| {
                    t.replace(&format!("{{{name}}}"), value)
                })
            };
            let mut call = self.call(route.method, &fill(route.path));
            match route.who {
                Nobody => {}
                Client => call = call.cookie(&client),
                Staff => call = call.cookie(&staff),
            }
            if let Some(body) = route.body {
                call = call.raw_json(fill(body));
            }
            let (calls, answer) = self.count_calls(call.send()).await;
            for (name, pointer) in route.keep {
                values.push(((*name).to_owned(), kept(&answer, pointer)));
            }
            seen.push((route.label.to_owned(), answer.status, calls));
        }
        seen
    }

    /// DynamoDB calls made while running `f`.
    pub async fn count_calls<F: std::future::Future<Output = Answer>>(
        &self,
        f: F,
    ) -> (u64, Answer) {
        let before = self.app.dynamo_calls.get();
        let answer = f.await;
        (self.app.dynamo_calls.get() - before, answer)
    }
}

/// The value at `pointer` of an answer, as it goes into a path or a JSON body.
fn kept(answer: &Answer, pointer: &str) -> String {
    match answer.body.pointer(pointer) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}
