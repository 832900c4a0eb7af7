//! Every operation of the OpenAPI document, called as a user allowed to use it (its success path
//! where a test can reach it), with the DynamoDB calls each made. The cost test pins the counts,
//! the benchmark prints them, and a test checks that every documented operation has a row, from
//! this one table.

use serde_json::{Value, json};

use crate::users::base32_decode;
use crate::{Answer, DemoUser, PASSWORD, TestApp};

/// Who calls a route: nobody (signing in), a client's Full Admin, the MSP admin, or Stripe (the
/// body is sent as a signed webhook event).
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Client,
    Staff,
    Stripe,
}

/// Where a value later rows use comes from.
#[derive(Clone, Copy)]
enum Source {
    /// A JSON pointer into the answer.
    Answer(&'static str),
    /// The token of the link in the newest email to this address (`#token=…`).
    MailedTo(&'static str),
    /// The software passkey's answer (JSON) to the registration options at this pointer.
    Created(&'static str),
    /// The software passkey's answer (JSON) to the sign-in options at this pointer.
    Asserted(&'static str),
    /// The value at this pointer of an upload grant, once the file `bench` (five bytes of
    /// text/plain) is posted to S3 with the grant's form, as the browser does.
    Uploaded(&'static str),
}

/// One row: a label (the operation, `METHOD /path` as the OpenAPI document writes it, and what
/// case this is in brackets), who calls it, the method, the path and the body (JSON). `{…}` in
/// the path and body are filled from what earlier rows kept and from the demo data; `{totp}` and
/// `{totp_next}` are the current and the next code of the secret kept as `mfa_secret` (the clock
/// moves on a step before each row that uses one, so each is a code not used yet).
struct Route {
    label: &'static str,
    who: Who,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    /// The body's media type.
    media: &'static str,
    /// Values later rows use: `(name, source)`.
    keep: &'static [(&'static str, Source)],
}

const fn route(label: &'static str, who: Who, method: &'static str, path: &'static str) -> Route {
    Route {
        label,
        who,
        method,
        path,
        body: None,
        media: "application/json",
        keep: &[],
    }
}

impl Route {
    const fn body(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self
    }
    /// A CSV body (an import).
    const fn csv(mut self, body: &'static str) -> Self {
        self.body = Some(body);
        self.media = "text/csv";
        self
    }
    const fn keep(mut self, keep: &'static [(&'static str, Source)]) -> Self {
        self.keep = keep;
        self
    }
    /// The OpenAPI operation: the label without its bracketed case.
    fn operation(&self) -> &'static str {
        self.label.split(" (").next().unwrap_or(self.label)
    }
}

use Source::{Answer as Field, Asserted, Created, MailedTo, Uploaded};
use Who::{Client, Nobody, Staff, Stripe};

/// A quote for Acme: one-off and monthly lines; its approval raises a ticket, creates a project and
/// issues a deposit invoice.
const QUOTE: &str = r#"{"company_id": "acme-dental", "title": "Bench firewall", "valid_until": "2099-12-31", "tax_rate_bp": 825, "lines": [{"description": "Firewall", "quantity": 1, "unit_price": 99900}, {"description": "Monitoring", "quantity": 1, "unit_price": 8900, "recurrence": "monthly"}], "on_approval": {"ticket_request_type": "Service request", "create_project": true, "deposit": {"kind": "percent", "value": 5000}}}"#;
/// The same quote changed (a draft in place; a sent one as a revision).
const QUOTE_CHANGE: &str = r#"{"title": "Bench firewall, two sites", "valid_until": "2099-12-31", "tax_rate_bp": 825, "lines": [{"description": "Firewall", "quantity": 2, "unit_price": 99900}, {"description": "Monitoring", "quantity": 2, "unit_price": 8900, "recurrence": "monthly"}], "on_approval": {"ticket_request_type": "Service request", "create_project": true, "deposit": {"kind": "percent", "value": 5000}}, "version": {quote_version}}"#;

const ROUTES: &[Route] = &[
    route("POST /api/auth/login (success)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "user@acme.example", "password": "{password}", "remember": false}"#),
    route("POST /api/auth/login (wrong password)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "user@acme.example", "password": "wrong password", "remember": false}"#),
    route("GET /api/me", Client, "GET", "/api/me"),
    route("GET /api/companies", Staff, "GET", "/api/companies"),
    route("GET /api/companies/{company_id}", Client, "GET", "/api/companies/acme-dental")
        .keep(&[("company_version", Field("/version"))]),
    route("PATCH /api/companies/{company_id}", Staff, "PATCH", "/api/companies/acme-dental")
        .body(r#"{"version": {company_version}, "phone": "+1 555 0101"}"#)
        .keep(&[("company_version", Field("/version"))]),
    route("PATCH /api/companies/{company_id}/preferences", Client, "PATCH", "/api/companies/acme-dental/preferences")
        .body(r#"{"phone": "+1 555 0123", "version": {company_version}}"#),
    route("GET /api/companies/{company_id}/sign-in", Client, "GET", "/api/companies/acme-dental/sign-in")
        .keep(&[("company_version", Field("/version"))]),
    route("PUT /api/companies/{company_id}/sign-in", Client, "PUT", "/api/companies/acme-dental/sign-in")
        .body(r#"{"sign_in_methods": ["password", "google"], "microsoft_tenants": [], "domains": ["acme.example"], "just_in_time": true, "default_role": "standard_user", "trust_provider_mfa": false, "access_requests": true, "version": {company_version}}"#),
    // Asking for access (Acme takes requests): one to approve, one to refuse.
    route("POST /api/auth/access-request", Nobody, "POST", "/api/auth/access-request")
        .body(r#"{"email": "asker@acme.example", "name": "Asha Asker"}"#),
    route("GET /api/companies/{company_id}/access-requests", Client, "GET", "/api/companies/acme-dental/access-requests")
        .keep(&[("access_request", Field("/items/0/id"))]),
    route(
        "POST /api/companies/{company_id}/access-requests/{request_id}/approve",
        Client,
        "POST",
        "/api/companies/acme-dental/access-requests/{access_request}/approve",
    )
    .body(r#"{"role": "ticket_read_only"}"#),
    route("POST /api/auth/access-request (one to refuse)", Nobody, "POST", "/api/auth/access-request")
        .body(r#"{"email": "other.asker@acme.example", "name": "Otto Asker"}"#),
    route(
        "GET /api/companies/{company_id}/access-requests (the one to refuse)",
        Client,
        "GET",
        "/api/companies/acme-dental/access-requests",
    )
    .keep(&[("access_request", Field("/items/0/id"))]),
    route(
        "DELETE /api/companies/{company_id}/access-requests/{request_id}",
        Client,
        "DELETE",
        "/api/companies/acme-dental/access-requests/{access_request}",
    ),
    // Signing in with a provider: the list and the start read nothing; the whole return (three
    // calls, four for a just-in-time user) is pinned in tests/tests/api/sso.rs, against wiremock
    // providers this table's app does not have.
    route("GET /api/auth/providers", Nobody, "GET", "/api/auth/providers"),
    route("GET /api/auth/sso/{provider} (not set up)", Nobody, "GET", "/api/auth/sso/microsoft"),
    route(
        "GET /api/auth/sso/{provider}/callback (no sign-in started)",
        Nobody,
        "GET",
        "/api/auth/sso/microsoft/callback?code=c&state=s",
    ),
    route("POST /api/companies", Staff, "POST", "/api/companies")
        .body(r#"{"name": "Initech", "billing_email": "ap@initech.example", "time_zone": "America/Chicago", "currency": "usd"}"#),
    route("GET /api/companies/{company_id}/users", Client, "GET", "/api/companies/acme-dental/users"),
    route(
        "GET /api/companies/{company_id}/users/{user_id}",
        Client,
        "GET",
        "/api/companies/acme-dental/users/{user_id}",
    ),
    route("GET /api/tickets/settings", Client, "GET", "/api/tickets/settings"),
    route("PUT /api/tickets/settings", Staff, "PUT", "/api/tickets/settings").body("{settings}"),
    route("GET /api/tickets/people", Client, "GET", "/api/tickets/people"),
    route("POST /api/tickets", Client, "POST", "/api/tickets")
        .body(r#"{"request_type": "Problem", "summary": "Bench", "description": "One ticket.", "priority": "low"}"#)
        .keep(&[("number", Field("/number"))]),
    route("GET /api/tickets", Client, "GET", "/api/tickets"),
    route("GET /api/tickets (sort=priority, through the sort rows)", Client, "GET", "/api/tickets?sort=priority"),
    route("GET /api/tickets (sort=target, the MSP queue by the nearest target)", Staff, "GET", "/api/tickets?sort=target&order=asc"),
    route("GET /api/tickets/stats", Client, "GET", "/api/tickets/stats"),
    route("POST /api/tickets/{number}/notes", Client, "POST", "/api/tickets/{number}/notes")
        .body(r#"{"text": "A note."}"#),
    route("POST /api/tickets/{number}/uploads", Client, "POST", "/api/tickets/{number}/uploads")
        .body(r#"{"file_name": "log.txt", "content_type": "text/plain", "size": 5}"#)
        .keep(&[("upload_token", Field("/token"))]),
    // The browser uploads to S3 between these two; a row cannot, so this is the check that
    // nothing arrived (the success path is in `tickets::attachments_*`).
    route(
        "POST /api/tickets/{number}/attachments (nothing uploaded)",
        Client,
        "POST",
        "/api/tickets/{number}/attachments",
    )
    .body(r#"{"token": "{upload_token}"}"#),
    route(
        "GET /api/tickets/{number}/attachments/{id} (no such file)",
        Client,
        "GET",
        "/api/tickets/{number}/attachments/0123456789abcdef01234567",
    ),
    route("GET /api/tickets/{number} (client)", Client, "GET", "/api/tickets/{number}"),
    route("GET /api/tickets/{number} (MSP staff)", Staff, "GET", "/api/tickets/{number}"),
    route("GET /api/tickets (q={number}, client)", Client, "GET", "/api/tickets?q={number}"),
    route("GET /api/tickets (q={number}, MSP staff)", Staff, "GET", "/api/tickets?q={number}"),
    route("GET /api/tickets (q=bench, words)", Client, "GET", "/api/tickets?q=bench"),
    route("GET /api/tickets/export", Client, "GET", "/api/tickets/export"),
    // The work waits for the client's approval, and is approved.
    route("POST /api/tickets/{number}/approval-request", Staff, "POST", "/api/tickets/{number}/approval-request")
        .body(r#"{"message": "Billable work, about an hour.", "version": 2}"#),
    route("POST /api/tickets/{number}/approval", Client, "POST", "/api/tickets/{number}/approval")
        .body(r#"{"approve": true, "comment": "Go ahead", "version": 3}"#),
    route("PATCH /api/tickets/{number}", Client, "PATCH", "/api/tickets/{number}")
        .body(r#"{"status": "resolved", "note": "Working again.", "version": 4}"#)
        .keep(&[("ticket_version", Field("/version"))]),
    route("GET /api/tickets/{number}/pdf", Client, "GET", "/api/tickets/{number}/pdf"),
    route("GET /api/tickets/{number}/signoff/pdf (the form to sign)", Client, "GET", "/api/tickets/{number}/signoff/pdf"),
    route("POST /api/tickets/{number}/signoff", Client, "POST", "/api/tickets/{number}/signoff")
        .body(r#"{"name": "Bench Signer", "consent": true, "version": {ticket_version}}"#),
    route("GET /api/tickets/{number}/signoff/pdf (signed)", Client, "GET", "/api/tickets/{number}/signoff/pdf"),
    route("POST /api/tickets/{number}/rating", Client, "POST", "/api/tickets/{number}/rating")
        .body(r#"{"good": false, "comment": "Slow."}"#),
    route("POST /api/tickets/{number}/watchers", Staff, "POST", "/api/tickets/{number}/watchers")
        .body(r#"{"user_id": "{contact_id}"}"#),
    route("DELETE /api/tickets/{number}/watchers/{user_id}", Staff, "DELETE", "/api/tickets/{number}/watchers/{contact_id}"),
    route("POST /api/tickets/{number}/tasks", Staff, "POST", "/api/tickets/{number}/tasks")
        .body(r#"{"text": "Check the cable"}"#)
        .keep(&[("task", Field("/tasks/0/id"))]),
    route("PATCH /api/tickets/{number}/tasks/{id}", Staff, "PATCH", "/api/tickets/{number}/tasks/{task}")
        .body(r#"{"done": true}"#),
    route("DELETE /api/tickets/{number}/tasks/{id}", Staff, "DELETE", "/api/tickets/{number}/tasks/{task}")
        .keep(&[("ticket_version", Field("/version"))]),
    route("PATCH /api/tickets/{number} (MSP staff: the priority, its targets planned anew)", Staff, "PATCH", "/api/tickets/{number}")
        .body(r#"{"priority": "high", "version": {ticket_version}}"#),
    // Projects: the MSP plans one, a ticket goes in its phase, the client reads it.
    route("POST /api/projects", Staff, "POST", "/api/projects")
        .body(r#"{"company_id": "acme-dental", "name": "Bench move", "manager_id": "{tech_id}", "contact_id": "{contact_id}", "start": "2027-01-04", "expected_completion": "2027-03-31"}"#)
        .keep(&[("project", Field("/project/number")), ("project_version", Field("/project/version"))]),
    route("PUT /api/projects/{number}/phases", Staff, "PUT", "/api/projects/{project}/phases")
        .body(r#"{"version": {project_version}, "phases": [{"name": "Wiring", "start": "2027-01-04", "end": "2027-01-29", "status": "in_progress"}]}"#)
        .keep(&[("project_version", Field("/version")), ("phase", Field("/phases/0/id"))]),
    route("PATCH /api/projects/{number}", Staff, "PATCH", "/api/projects/{project}")
        .body(r#"{"version": {project_version}, "name": "Bench move to Elm Street"}"#),
    route("POST /api/tickets (in a project's phase, MSP staff)", Staff, "POST", "/api/tickets")
        .body(r#"{"company_id": "acme-dental", "contact_id": "{user_id}", "request_type": "Problem", "summary": "Bench cabling", "description": "In the project.", "priority": "low", "project": {project}, "phase_id": "{phase}"}"#)
        .keep(&[("project_ticket", Field("/number"))]),
    route("PATCH /api/tickets/{number} (closing a project's ticket, MSP staff)", Staff, "PATCH", "/api/tickets/{project_ticket}")
        .body(r#"{"status": "closed", "version": 1}"#),
    route("GET /api/projects", Client, "GET", "/api/projects"),
    route("GET /api/projects (q=bench, words)", Client, "GET", "/api/projects?q=bench"),
    route("GET /api/projects/summary", Client, "GET", "/api/projects/summary"),
    route("GET /api/projects/{number} (client)", Client, "GET", "/api/projects/{project}"),
    route("GET /api/projects/{number} (MSP staff)", Staff, "GET", "/api/projects/{project}"),
    // Configurations: the MSP records one and imports two; the client searches, opens one and
    // raises a ticket about it.
    route("GET /api/configuration-types", Client, "GET", "/api/configuration-types"),
    route("PUT /api/configuration-types", Staff, "PUT", "/api/configuration-types")
        .body(r#"{"types": ["Server", "Workstation", "Licence"], "version": 0}"#),
    route("POST /api/configurations", Staff, "POST", "/api/configurations?company=acme-dental")
        .body(r#"{"name": "Bench server", "type": "server", "serial": "BENCH-1", "tag": "BT-1", "model": "T350", "contact_id": "{user_id}", "expires": "2027-01-15", "internal_notes": "Vault 12"}"#)
        .keep(&[("configuration", Field("/id"))]),
    route("POST /api/configurations (a serial taken: refused)", Staff, "POST", "/api/configurations?company=acme-dental")
        .body(r#"{"name": "Bench twin", "type": "server", "serial": "bench-1"}"#),
    route("PATCH /api/configurations/{id}", Staff, "PATCH", "/api/configurations/{configuration}?company=acme-dental")
        .body(r#"{"name": "Bench server", "type": "server", "serial": "BENCH-2", "tag": "BT-1", "model": "T350", "contact_id": "{user_id}", "expires": "2027-01-15", "version": 1}"#),
    route("POST /api/configurations/import", Staff, "POST", "/api/configurations/import?company=acme-dental")
        .csv("Name,Type,Serial,Expires\nBench PC 1,Workstation,BPC-1,2028-01-01\nBench PC 2,Workstation,BPC-2,\n"),
    route("GET /api/configurations", Client, "GET", "/api/configurations"),
    route("GET /api/configurations (serial=bench-2, through its pointer)", Client, "GET", "/api/configurations?serial=bench-2"),
    route("GET /api/configurations (q=bench&type=server, one index)", Client, "GET", "/api/configurations?q=bench&type=server"),
    route("GET /api/configurations (sort=expires&status=active, filtered)", Client, "GET", "/api/configurations?sort=expires&status=active"),
    route("GET /api/configurations/export", Client, "GET", "/api/configurations/export"),
    route("GET /api/configurations/expiring", Client, "GET", "/api/configurations/expiring"),
    route("GET /api/configurations/{id} (client)", Client, "GET", "/api/configurations/{configuration}"),
    route("GET /api/configurations/{id} (MSP staff)", Staff, "GET", "/api/configurations/{configuration}?company=acme-dental"),
    route("POST /api/tickets (about a configuration)", Client, "POST", "/api/tickets")
        .body(r#"{"request_type": "Problem", "summary": "Bench server beeps", "description": "Since Monday.", "priority": "medium", "configuration_id": "{configuration}"}"#),
    // Documents: the MSP adds one and a second version of it; the client lists, opens, downloads;
    // the MSP deletes it.
    route("POST /api/documents/uploads", Staff, "POST", "/api/documents/uploads?company=acme-dental")
        .body(r#"{"file_name": "bench.txt", "content_type": "text/plain", "size": 5, "folder": "Bench", "visibility": "all_users"}"#)
        .keep(&[("doc_token", Uploaded("/token"))]),
    route("POST /api/documents", Staff, "POST", "/api/documents?company=acme-dental")
        .body(r#"{"token": "{doc_token}"}"#)
        .keep(&[("document", Field("/id"))]),
    route("POST /api/documents/{id}/uploads", Staff, "POST", "/api/documents/{document}/uploads?company=acme-dental")
        .body(r#"{"file_name": "bench-2.txt", "content_type": "text/plain", "size": 5}"#)
        .keep(&[("doc_token", Uploaded("/token"))]),
    route("POST /api/documents/{id}/versions", Staff, "POST", "/api/documents/{document}/versions?company=acme-dental")
        .body(r#"{"token": "{doc_token}"}"#),
    route("PATCH /api/documents/{id}", Staff, "PATCH", "/api/documents/{document}?company=acme-dental")
        .body(r#"{"name": "Bench notes", "folder": "Bench", "visibility": "all_users", "version": 2}"#),
    route("GET /api/documents", Client, "GET", "/api/documents"),
    route("GET /api/documents (folder=bench&q=notes, one folder's index, filtered)", Client, "GET", "/api/documents?folder=bench&q=notes"),
    route("GET /api/documents/folders", Client, "GET", "/api/documents/folders"),
    route("GET /api/documents/{id}", Client, "GET", "/api/documents/{document}"),
    route("GET /api/documents/{id}/versions/{n}", Client, "GET", "/api/documents/{document}/versions/2"),
    route("DELETE /api/documents/{id}", Staff, "DELETE", "/api/documents/{document}?company=acme-dental"),
    // Knowledge base: the MSP writes an article, changes, publishes, pins and illustrates it; a
    // client lists, searches, reads, votes on it, is suggested it and deflected by it.
    route("POST /api/kb/articles", Staff, "POST", "/api/kb/articles")
        .body(r#"{"title": "Bench printer help", "category": "Bench", "body": "Restart the bench printer.", "visibility": "all_clients"}"#)
        .keep(&[("article", Field("/id"))]),
    route("PATCH /api/kb/articles/{id}", Staff, "PATCH", "/api/kb/articles/{article}")
        .body(r#"{"title": "Bench printer help", "category": "Bench", "body": "Restart the bench printer, then print a test page.", "visibility": "all_clients", "version": 1}"#),
    route("PUT /api/kb/articles/{id}/status", Staff, "PUT", "/api/kb/articles/{article}/status")
        .body(r#"{"status": "published", "version": 2}"#),
    route("PUT /api/kb/articles/{id}/pin", Staff, "PUT", "/api/kb/articles/{article}/pin")
        .body(r#"{"pinned": true}"#),
    route("GET /api/kb/articles/{id}/revisions", Staff, "GET", "/api/kb/articles/{article}/revisions"),
    route("GET /api/kb/articles/{id}/revisions/{n}", Staff, "GET", "/api/kb/articles/{article}/revisions/1"),
    route("POST /api/kb/articles/{id}/images", Staff, "POST", "/api/kb/articles/{article}/images")
        .body(r#"{"file_name": "bench.png", "content_type": "image/png", "size": 5}"#)
        .keep(&[("image_token", Uploaded("/token"))]),
    route("POST /api/kb/articles/{id}/images/confirm", Staff, "POST", "/api/kb/articles/{article}/images/confirm")
        .body(r#"{"token": "{image_token}"}"#)
        .keep(&[("image", Field("/path"))]),
    route("GET /api/kb/images/{id}/{file}", Client, "GET", "{image}"),
    route("GET /api/kb/articles (MSP staff: every article)", Staff, "GET", "/api/kb/articles"),
    route("GET /api/kb/articles (a client: every client's and their company's)", Client, "GET", "/api/kb/articles"),
    route("GET /api/kb/articles (category=bench)", Client, "GET", "/api/kb/articles?category=bench"),
    route("GET /api/kb/articles (q=bench printer, search: each word)", Client, "GET", "/api/kb/articles?q=bench%20printer"),
    route("GET /api/kb/categories", Client, "GET", "/api/kb/categories"),
    route("GET /api/kb/suggestions (three words looked up)", Client, "GET", "/api/kb/suggestions?q=bench%20printer%20jammed"),
    route("GET /api/kb/top", Client, "GET", "/api/kb/top"),
    route("GET /api/kb/articles/{id}", Client, "GET", "/api/kb/articles/{article}"),
    route("PUT /api/kb/articles/{id}/vote", Client, "PUT", "/api/kb/articles/{article}/vote")
        .body(r#"{"helpful": true}"#),
    route("POST /api/kb/articles/{id}/deflections", Client, "POST", "/api/kb/articles/{article}/deflections"),
    // Reports, read from the month counters every ticket change above kept.
    route("GET /api/reports/trends", Client, "GET", "/api/reports/trends"),
    route("GET /api/reports/trends (MSP staff: every company)", Staff, "GET", "/api/reports/trends"),
    route("GET /api/reports/trends/export", Client, "GET", "/api/reports/trends/export"),
    route("GET /api/reports/responsiveness", Client, "GET", "/api/reports/responsiveness"),
    route("GET /api/reports/executive", Client, "GET", "/api/reports/executive?period=2026-11"),
    // Agreements: the MSP sets up a block of hours, a technician logs time against it.
    route("POST /api/agreements", Staff, "POST", "/api/agreements")
        .body(r#"{"company_id": "acme-dental", "name": "Bench hours", "kind": "block", "start_date": "2026-01-01", "rate": 12000, "included_minutes": 1200}"#)
        .keep(&[("agreement", Field("/id"))]),
    route("PATCH /api/agreements/{id}", Staff, "PATCH", "/api/agreements/{agreement}?company=acme-dental")
        .body(r#"{"version": 1, "name": "Bench hours 2026", "kind": "block", "start_date": "2026-01-01", "rate": 12000, "included_minutes": 1800, "block_sizes": [10]}"#),
    route("POST /api/tickets/{number}/time", Staff, "POST", "/api/tickets/{number}/time")
        .body(r#"{"date": "2026-11-20", "minutes": 90, "work_type": "remote", "note": "Bench work."}"#)
        .keep(&[("time", Field("/id"))]),
    route("PATCH /api/tickets/{number}/time/{id}", Staff, "PATCH", "/api/tickets/{number}/time/{time}")
        .body(r#"{"date": "2026-11-20", "minutes": 120, "work_type": "remote", "note": "Bench work.", "version": 1}"#),
    route("GET /api/agreements", Client, "GET", "/api/agreements"),
    route("GET /api/agreements/{id}", Client, "GET", "/api/agreements/{agreement}"),
    route("GET /api/agreements/{id}/time", Client, "GET", "/api/agreements/{agreement}/time"),
    route("DELETE /api/tickets/{number}/time/{id}", Staff, "DELETE", "/api/tickets/{number}/time/{time}"),
    route("GET /api/me/sessions", Client, "GET", "/api/me/sessions"),
    route("POST /api/me/sessions/end-others", Client, "POST", "/api/me/sessions/end-others").body("{}"),
    route(
        "DELETE /api/me/sessions/{session_id} (none of the caller's)",
        Client,
        "DELETE",
        "/api/me/sessions/0123456789abcdef0123456789abcdef",
    ),
    route("POST /api/me/email", Client, "POST", "/api/me/email")
        .body(r#"{"email": "bench.moved@acme.example", "current_password": "{password}"}"#),
    // The link's token is in the mail; without it, the confirm is refused before any write.
    route("POST /api/auth/email-change/confirm (a link that does not work)", Nobody, "POST", "/api/auth/email-change/confirm")
        .body(r#"{"token": "acme-dental.0123456789abcdef0123456789abcdef.0000000000000000000000000000000000000000000000000000000000000000"}"#),
    route("PATCH /api/me", Client, "PATCH", "/api/me").body(r#"{"phone": "+1 555 0100"}"#),
    route("POST /api/companies/{company_id}/users (invite)", Client, "POST", "/api/companies/acme-dental/users")
        .body(r#"{"name": "Cost Check", "email": "cost@acme.example", "role": "standard_user"}"#)
        .keep(&[("invited", Field("/id"))]),
    route(
        "POST /api/companies/{company_id}/users/{user_id}/invitation (resend)",
        Client,
        "POST",
        "/api/companies/acme-dental/users/{invited}/invitation",
    )
    .body("{}")
    .keep(&[("invite_token", MailedTo("cost@acme.example"))]),
    route("POST /api/auth/invitation", Nobody, "POST", "/api/auth/invitation")
        .body(r#"{"token": "{invite_token}"}"#),
    route("POST /api/auth/invitation/accept", Nobody, "POST", "/api/auth/invitation/accept")
        .body(r#"{"token": "{invite_token}", "password": "a cost check passphrase"}"#),
    route(
        "PATCH /api/companies/{company_id}/users/{user_id}",
        Client,
        "PATCH",
        "/api/companies/acme-dental/users/{user_id}",
    )
    .body(r#"{"version": 0, "role": "ticket_manager"}"#),
    route("GET /api/companies/{company_id}/audit", Client, "GET", "/api/companies/acme-dental/audit"),
    route(
        "GET /api/companies/{company_id}/audit (user=)",
        Client,
        "GET",
        "/api/companies/acme-dental/audit?user={user_id}",
    ),
    route(
        "GET /api/companies/{company_id}/audit/export",
        Client,
        "GET",
        "/api/companies/acme-dental/audit/export",
    ),
    route("GET /api/companies (q=acme)", Staff, "GET", "/api/companies?q=acme"),
    // Two-factor: enrol, confirm, sign in with a recovery code, new recovery codes, turn it off; an
    // admin's reset.
    route("POST /api/me/mfa", Client, "POST", "/api/me/mfa").body("{}")
        .keep(&[("mfa_secret", Field("/secret"))]),
    route("POST /api/me/mfa/confirm", Client, "POST", "/api/me/mfa/confirm")
        .body(r#"{"code": "{totp}"}"#)
        .keep(&[("recovery_code", Field("/recovery_codes/0"))]),
    route("POST /api/auth/login (second factor due)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "fulladmin@acme.example", "password": "{password}", "remember": false}"#)
        .keep(&[("challenge", Field("/challenge"))]),
    route("POST /api/auth/login/mfa (recovery code)", Nobody, "POST", "/api/auth/login/mfa")
        .body(r#"{"challenge": "{challenge}", "recovery_code": "{recovery_code}"}"#),
    route("POST /api/me/mfa/recovery-codes", Client, "POST", "/api/me/mfa/recovery-codes")
        .body(r#"{"current_password": "{password}", "code": "{totp}"}"#),
    route("POST /api/me/mfa/disable", Client, "POST", "/api/me/mfa/disable")
        .body(r#"{"current_password": "{password}", "code": "{totp_next}"}"#),
    // Passkeys: register one, list, rename, sign in with it alone and as the second factor, remove.
    route("POST /api/me/passkeys/options", Client, "POST", "/api/me/passkeys/options").body("{}")
        .keep(&[("ceremony", Field("/ceremony")), ("passkey_answer", Created("/options"))]),
    route("POST /api/me/passkeys", Client, "POST", "/api/me/passkeys")
        .body(r#"{"ceremony": "{ceremony}", "credential": {passkey_answer}, "name": "Cost key"}"#)
        .keep(&[("passkey_id", Field("/id"))]),
    route("GET /api/me/passkeys", Client, "GET", "/api/me/passkeys"),
    route("PATCH /api/me/passkeys/{passkey_id}", Client, "PATCH", "/api/me/passkeys/{passkey_id}")
        .body(r#"{"name": "Office key"}"#),
    route("POST /api/auth/passkey/options", Nobody, "POST", "/api/auth/passkey/options").body("{}")
        .keep(&[("ceremony", Field("/ceremony")), ("passkey_answer", Asserted("/options"))]),
    route("POST /api/auth/passkey", Nobody, "POST", "/api/auth/passkey")
        .body(r#"{"ceremony": "{ceremony}", "credential": {passkey_answer}}"#),
    route("POST /api/auth/login (second factor: a passkey)", Nobody, "POST", "/api/auth/login")
        .body(r#"{"email": "fulladmin@acme.example", "password": "{password}", "remember": false}"#)
        .keep(&[("challenge", Field("/challenge"))]),
    route("POST /api/auth/login/mfa/passkey/options", Nobody, "POST", "/api/auth/login/mfa/passkey/options")
        .body(r#"{"challenge": "{challenge}"}"#)
        .keep(&[("ceremony", Field("/ceremony")), ("passkey_answer", Asserted("/options"))]),
    route("POST /api/auth/login/mfa/passkey", Nobody, "POST", "/api/auth/login/mfa/passkey")
        .body(r#"{"challenge": "{challenge}", "ceremony": "{ceremony}", "credential": {passkey_answer}}"#),
    route("DELETE /api/me/passkeys/{passkey_id}", Client, "DELETE", "/api/me/passkeys/{passkey_id}"),
    route(
        "DELETE /api/companies/{company_id}/users/{user_id}/mfa",
        Staff,
        "DELETE",
        "/api/companies/acme-dental/users/{user_id}/mfa",
    ),
    route("POST /api/auth/password-reset", Nobody, "POST", "/api/auth/password-reset")
        .body(r#"{"email": "user@acme.example"}"#)
        .keep(&[("reset_token", MailedTo("user@acme.example"))]),
    route("POST /api/auth/password-reset/confirm", Nobody, "POST", "/api/auth/password-reset/confirm")
        .body(r#"{"token": "{reset_token}", "password": "a reset cost passphrase"}"#),
    // Billing: an MSP admin drafts and issues; the client reads and pays.
    route("POST /api/invoices", Staff, "POST", "/api/invoices")
        .body(r#"{"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]}"#)
        .keep(&[("invoice", Field("/id")), ("invoice_version", Field("/version")), ("open_invoice", Field("/id"))]),
    route(
        "POST /api/invoices/{id}/issue",
        Staff,
        "POST",
        "/api/invoices/{invoice}/issue?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#)
    .keep(&[("invoice_version", Field("/invoice/version"))]),
    route("GET /api/invoices", Client, "GET", "/api/invoices"),
    route("GET /api/invoices/{id}", Client, "GET", "/api/invoices/{invoice}"),
    route("GET /api/invoices (q=)", Client, "GET", "/api/invoices?q=INV-0001"),
    route("GET /api/invoices/export", Client, "GET", "/api/invoices/export"),
    route("GET /api/invoices/{id}/pdf", Client, "GET", "/api/invoices/{invoice}/pdf"),
    route("POST /api/payments/checkout", Client, "POST", "/api/payments/checkout")
        .body(r#"{"invoices": [{"invoice_id": "{invoice}", "amount": 100}]}"#),
    route("POST /api/agreements/{id}/purchase", Client, "POST", "/api/agreements/{agreement}/purchase")
        .body(r#"{"hours": 10}"#),
    route(
        "POST /api/invoices/{id}/payments",
        Staff,
        "POST",
        "/api/invoices/{invoice}/payments?company=acme-dental",
    )
    .body(r#"{"amount": 500, "method": "cheque", "version": {invoice_version}}"#),
    route("GET /api/payments", Client, "GET", "/api/payments")
        .keep(&[("payment", Field("/items/0/id"))]),
    route("GET /api/payments/{id}", Client, "GET", "/api/payments/{payment}"),
    route("POST /api/invoices (a draft to change and void)", Staff, "POST", "/api/invoices")
        .body(r#"{"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]}"#)
        .keep(&[("invoice", Field("/id")), ("invoice_version", Field("/version"))]),
    route("PATCH /api/invoices/{id}", Staff, "PATCH", "/api/invoices/{invoice}?company=acme-dental")
        .body(r#"{"version": {invoice_version}, "lines": [{"description": "Bench", "quantity": 2, "unit_price": 1000}]}"#)
        .keep(&[("invoice_version", Field("/version"))]),
    route(
        "POST /api/invoices/{id}/issue (the second)",
        Staff,
        "POST",
        "/api/invoices/{invoice}/issue?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#)
    .keep(&[("invoice_version", Field("/invoice/version"))]),
    route("POST /api/invoices/{id}/void", Staff, "POST", "/api/invoices/{invoice}/void?company=acme-dental")
        .body(r#"{"version": {invoice_version}}"#),
    route("POST /api/invoices (a draft to delete)", Staff, "POST", "/api/invoices")
        .body(r#"{"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]}"#)
        .keep(&[("invoice", Field("/id"))]),
    route("DELETE /api/invoices/{id}", Staff, "DELETE", "/api/invoices/{invoice}?company=acme-dental"),
    // Invoicing time: an entry with no agreement, billed at the rate given, then voided.
    route("POST /api/tickets/{number}/time (no agreement, to invoice)", Staff, "POST", "/api/tickets/{number}/time")
        .body(r#"{"date": "2026-11-20", "minutes": 45, "work_type": "onsite", "note": "Bench visit.", "agreement_id": ""}"#),
    route("GET /api/invoices/unbilled", Staff, "GET", "/api/invoices/unbilled?company=acme-dental&rate=10000"),
    route("POST /api/invoices/from-time", Staff, "POST", "/api/invoices/from-time")
        .body(r#"{"company_id": "acme-dental", "rate": 10000}"#)
        .keep(&[("invoice", Field("/invoice/id")), ("invoice_version", Field("/invoice/version"))]),
    route(
        "POST /api/invoices/{id}/issue (an invoice of time: its ticket marked)",
        Staff,
        "POST",
        "/api/invoices/{invoice}/issue?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#)
    .keep(&[("invoice_version", Field("/invoice/version"))]),
    route(
        "POST /api/invoices/{id}/void (an invoice of time: its time back, its ticket unmarked)",
        Staff,
        "POST",
        "/api/invoices/{invoice}/void?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#),
    // Store credit: a credit note, then an invoice paid with it.
    route("POST /api/credit-notes", Staff, "POST", "/api/credit-notes")
        .body(r#"{"company_id": "acme-dental", "amount": 500, "reason": "Bench credit"}"#)
        .keep(&[("credit_note", Field("/number"))]),
    route("GET /api/credit-notes", Client, "GET", "/api/credit-notes"),
    route("GET /api/credit-notes/{number}", Client, "GET", "/api/credit-notes/{credit_note}"),
    route("GET /api/credit-notes/{number}/pdf", Client, "GET", "/api/credit-notes/{credit_note}/pdf"),
    route("POST /api/invoices (a draft to pay with credit)", Staff, "POST", "/api/invoices")
        .body(r#"{"company_id": "acme-dental", "lines": [{"description": "Bench", "quantity": 1, "unit_price": 1000}]}"#)
        .keep(&[("invoice", Field("/id")), ("invoice_version", Field("/version"))]),
    route(
        "POST /api/invoices/{id}/issue (one to pay with credit)",
        Staff,
        "POST",
        "/api/invoices/{invoice}/issue?company=acme-dental",
    )
    .body(r#"{"version": {invoice_version}}"#)
    .keep(&[("invoice_version", Field("/invoice/version"))]),
    route("POST /api/invoices/{id}/credit", Client, "POST", "/api/invoices/{invoice}/credit")
        .body(r#"{"amount": 300, "version": {invoice_version}}"#),
    // Quotes: drafted, changed, sent, read, revised, approved (a ticket, a project and a deposit
    // invoice in the same transaction); another sent and declined; a draft deleted.
    route("POST /api/quotes", Staff, "POST", "/api/quotes")
        .body(QUOTE)
        .keep(&[("quote", Field("/id")), ("quote_version", Field("/version"))]),
    route("GET /api/quotes (drafts)", Staff, "GET", "/api/quotes?company=acme-dental&tab=draft"),
    route("PATCH /api/quotes/{id} (a draft)", Staff, "PATCH", "/api/quotes/{quote}?company=acme-dental")
        .body(QUOTE_CHANGE)
        .keep(&[("quote_version", Field("/version"))]),
    route("POST /api/quotes/{id}/send", Staff, "POST", "/api/quotes/{quote}/send?company=acme-dental")
        .body(r#"{"version": {quote_version}}"#)
        .keep(&[("quote_version", Field("/version")), ("quote_number", Field("/number"))]),
    route("GET /api/quotes", Client, "GET", "/api/quotes"),
    route("GET /api/quotes (by number)", Client, "GET", "/api/quotes?q=Q-{quote_number}"),
    route("GET /api/quotes/{id}", Client, "GET", "/api/quotes/{quote}"),
    route("GET /api/quotes/{id}/pdf", Client, "GET", "/api/quotes/{quote}/pdf"),
    route("PATCH /api/quotes/{id} (a revision)", Staff, "PATCH", "/api/quotes/{quote}?company=acme-dental")
        .body(QUOTE_CHANGE)
        .keep(&[("quote", Field("/id")), ("quote_version", Field("/version"))]),
    route(
        "POST /api/quotes/{id}/approve (a ticket, a project and a deposit invoice)",
        Client,
        "POST",
        "/api/quotes/{quote}/approve",
    )
    .body(r#"{"name": "Fiona Fuller", "consent": true, "version": {quote_version}}"#),
    route("POST /api/quotes/{id}/renewal (not expired: refused)", Client, "POST", "/api/quotes/{quote}/renewal"),
    route("POST /api/quotes (one to decline)", Staff, "POST", "/api/quotes")
        .body(QUOTE)
        .keep(&[("quote", Field("/id")), ("quote_version", Field("/version"))]),
    route("POST /api/quotes/{id}/send (one to decline)", Staff, "POST", "/api/quotes/{quote}/send?company=acme-dental")
        .body(r#"{"version": {quote_version}}"#)
        .keep(&[("quote_version", Field("/version"))]),
    route("POST /api/quotes/{id}/decline", Client, "POST", "/api/quotes/{quote}/decline")
        .body(r#"{"reason": "Not this year", "version": {quote_version}}"#),
    route("POST /api/quotes (one to delete)", Staff, "POST", "/api/quotes")
        .body(QUOTE)
        .keep(&[("quote", Field("/id"))]),
    route("DELETE /api/quotes/{id}", Staff, "DELETE", "/api/quotes/{quote}?company=acme-dental"),
    route("GET /api/billing/overview", Client, "GET", "/api/billing/overview"),
    route("GET /api/billing/companies", Staff, "GET", "/api/billing/companies"),
    route("GET /api/payment-methods", Client, "GET", "/api/payment-methods"),
    route("POST /api/payment-methods/setup", Client, "POST", "/api/payment-methods/setup").body("{}"),
    route("POST /api/payments/webhook (a card saved)", Stripe, "POST", "/api/payments/webhook")
        .body(r#"{"id": "evt_cost", "object": "event", "type": "payment_method.attached", "data": {"object": {"id": "pm_cost", "object": "payment_method", "type": "card", "customer": "cus_cost", "card": {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}}}}"#),
    route("POST /api/payments/charge", Client, "POST", "/api/payments/charge")
        .body(r#"{"invoices": [{"invoice_id": "{open_invoice}", "amount": 100}], "payment_method_id": "pm_cost"}"#),
    route("PATCH /api/payment-methods/{id}", Client, "PATCH", "/api/payment-methods/pm_cost")
        .body(r#"{"nickname": "Office card"}"#),
    route("PUT /api/billing/autopay", Client, "PUT", "/api/billing/autopay")
        .body(r#"{"enabled": true, "consent": true}"#),
    route("DELETE /api/payment-methods/{id}", Client, "DELETE", "/api/payment-methods/pm_cost"),
    route("POST /api/me/password", Client, "POST", "/api/me/password")
        .body(r#"{"current_password": "{password}", "new_password": "a cost check passphrase"}"#),
    route("POST /api/auth/logout", Client, "POST", "/api/auth/logout"),
];

/// The operations of `ROUTES`, as the OpenAPI document names them (`METHOD /path`).
pub fn operations_with_a_row() -> Vec<&'static str> {
    ROUTES.iter().map(Route::operation).collect()
}

/// A Stripe for the routes that reach it: a customer, a Checkout session, a detach.
async fn stripe() -> wiremock::MockServer {
    use wiremock::matchers::{method, path, path_regex};
    use wiremock::{Mock, ResponseTemplate};
    let server = crate::stripe::strict_stripe().await;
    let answers = [
        (
            path("/v1/customers"),
            json!({"id": "cus_cost", "object": "customer"}),
        ),
        (
            path("/v1/checkout/sessions"),
            json!({"id": "cs_cost", "url": "https://checkout.stripe.test/cs_cost"}),
        ),
    ];
    for (route, answer) in answers {
        Mock::given(method("POST"))
            .and(route)
            .respond_with(ResponseTemplate::new(200).set_body_json(answer))
            .mount(&server)
            .await;
    }
    crate::stripe::Intents::default().mount(&server).await;
    Mock::given(method("POST"))
        .and(path_regex("^/v1/payment_methods/[a-z_]+/detach$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "pm_cost"})))
        .mount(&server)
        .await;
    server
}

/// Every route of `ROUTES`, in order, on a fresh app (with a wiremock Stripe): `(label, status,
/// DynamoDB calls)`.
pub async fn call_every_route() -> Vec<(String, u16, u64)> {
    let stripe = stripe().await;
    let t = TestApp::with_stripe(&stripe.uri()).await;
    let settings = serde_json::to_string(&portal::domain::tickets::TicketSettings::default())
        .expect("settings");
    let mut values: Vec<(String, String)> = vec![
        ("password".into(), PASSWORD.into()),
        (
            "user_id".into(),
            DemoUser::AcmeUser.id().as_str().to_owned(),
        ),
        ("settings".into(), settings),
        (
            "tech_id".into(),
            DemoUser::Technician.id().as_str().to_owned(),
        ),
        (
            "contact_id".into(),
            DemoUser::AcmeTicketManager.id().as_str().to_owned(),
        ),
    ];
    let client = t.login(DemoUser::AcmeFullAdmin.email()).await;
    let staff = t.login(DemoUser::MspAdmin.email()).await;
    let mut passkey = crate::authenticator::SoftPasskey::new(crate::ORIGIN);
    let mut seen = Vec::new();
    for route in ROUTES {
        if route.body.is_some_and(|b| b.contains("{totp")) {
            t.clock.advance(time::Duration::seconds(30));
        }
        let step = portal::auth::totp::step_at(t.app.now().unix_timestamp());
        let fill = |text: &str| {
            // The newest value of a name wins.
            let mut text = values
                .iter()
                .rev()
                .fold(text.to_owned(), |t, (name, value)| {
                    t.replace(&format!("{{{name}}}"), value)
                });
            if let Some((_, secret)) = values.iter().rev().find(|(n, _)| n == "mfa_secret") {
                let secret = base32_decode(secret);
                let code = |step| portal::auth::totp::code(&secret, step);
                text = text
                    .replace("{totp}", &code(step))
                    .replace("{totp_next}", &code(step + 1));
            }
            text
        };
        let mut call = t.call(route.method, &fill(route.path));
        match route.who {
            Nobody => {}
            Client => call = call.cookie(&client),
            Staff => call = call.cookie(&staff),
            Stripe => {
                let body = fill(route.body.unwrap_or_default());
                let (calls, answer) = t
                    .count_calls(t.webhook(&serde_json::from_str(&body).expect("event")))
                    .await;
                seen.push((route.label.to_owned(), answer.status, calls));
                continue;
            }
        }
        if let Some(body) = route.body {
            call = call.raw(Some(route.media), fill(body));
        }
        let (calls, answer) = t.count_calls(call.send()).await;
        for (name, from) in route.keep {
            let value = match from {
                Field(pointer) => kept(&answer, pointer),
                MailedTo(to) => t.token_mailed_to(to).await,
                Created(pointer) => passkey.create(&answer.body[&pointer[1..]]).to_string(),
                Asserted(pointer) => passkey.get(&answer.body[&pointer[1..]]).to_string(),
                Uploaded(pointer) => {
                    crate::files::post_file(&answer.body, "text/plain", b"bench".to_vec()).await;
                    kept(&answer, pointer)
                }
            };
            values.push(((*name).to_owned(), value));
        }
        seen.push((route.label.to_owned(), answer.status, calls));
    }
    seen
}

impl TestApp {
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
