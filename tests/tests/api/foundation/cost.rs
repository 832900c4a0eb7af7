//! Pagination and the DynamoDB calls each route makes (the cost table).

use super::*;

#[tokio::test]
async fn user_lists_paginate_with_signed_cursors() {
    let t = TestApp::new().await;
    let company = portal::domain::CompanyId::parse("acme-dental").unwrap();
    let hash = portal::auth::password::hash(PASSWORD).unwrap();
    for i in 0..60 {
        let user = portal::domain::account::User::new(
            company.clone(),
            portal::domain::Email::parse(&format!("staff{i}@acme.example")).unwrap(),
            &format!("Staff {i}"),
            portal::domain::roles::Role::StandardUser,
            portal::domain::UserStatus::Active,
            t.app.now(),
        );
        t.app.store.put_user(&user, &hash, true).await.unwrap();
    }
    let cookie = t.login(ACME_ADMIN).await;
    let first = t.get("/api/companies/acme-dental/users", &cookie).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = t
        .get(
            &format!("/api/companies/acme-dental/users?cursor={cursor}"),
            &cookie,
        )
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 15);
    assert!(second.body["next_cursor"].is_null());
    // A cursor from another company's list is refused outright (400), not replayed.
    let globex_admin = t.login("fulladmin@globex.example").await;
    let replay = t
        .get(
            &format!("/api/companies/globex-logistics/users?cursor={cursor}"),
            &globex_admin,
        )
        .await;
    assert_eq!(replay.problem(400), "/problems/bad-request");
    let staff = t.login("admin@northwind.example").await;
    assert_eq!(
        t.get(&format!("/api/companies?cursor={cursor}"), &staff)
            .await
            .status,
        400
    );
}

#[tokio::test]
async fn every_route_makes_a_small_fixed_number_of_dynamodb_calls() {
    // Every operation of the OpenAPI document has a row (checked by the next test), on its success
    // path unless the label names another case. The session check is one call; most routes add one more. Sign-in reads the credential with
    // its attempt counters, reserves the attempt (before argon2), then reads the user (for the
    // session epoch and the audit entry) and writes; a wrong password writes its audit entry
    // instead. Raising a ticket also takes a number from the counter and reads settings; staff
    // find a ticket's company through its number.
    let expected: &[(&str, u16, u64)] = &[
        ("POST /api/auth/login (success)", 204, 4),
        ("POST /api/auth/login (wrong password)", 401, 3),
        ("GET /api/me", 200, 1),
        ("GET /api/companies", 200, 2),
        ("GET /api/companies/{company_id}", 200, 2),
        ("PATCH /api/companies/{company_id}", 200, 3),
        // The company read consistently, one transaction with the audit entry.
        ("PATCH /api/companies/{company_id}/preferences", 200, 3),
        ("GET /api/companies/{company_id}/sign-in", 200, 1),
        // The company with the pointers of the tenants and domains to link; the transaction.
        ("PUT /api/companies/{company_id}/sign-in", 200, 3),
        // The email's credential with its domain's pointer; the request stored with its counters
        // and the company's consent checked; the company's users listed for the Full Admins.
        ("POST /api/auth/access-request", 202, 3),
        ("GET /api/companies/{company_id}/access-requests", 200, 2),
        // The request; the invitation's transaction (the request goes in it).
        (
            "POST /api/companies/{company_id}/access-requests/{request_id}/approve",
            201,
            3,
        ),
        ("POST /api/auth/access-request (one to refuse)", 202, 3),
        (
            "GET /api/companies/{company_id}/access-requests (the one to refuse)",
            200,
            2,
        ),
        (
            "DELETE /api/companies/{company_id}/access-requests/{request_id}",
            204,
            2,
        ),
        ("GET /api/auth/providers", 200, 0),
        ("GET /api/auth/sso/{provider} (not set up)", 503, 0),
        (
            "GET /api/auth/sso/{provider}/callback (no sign-in started)",
            303,
            0,
        ),
        ("POST /api/companies", 201, 2),
        ("GET /api/companies/{company_id}/users", 200, 2),
        ("GET /api/companies/{company_id}/users/{user_id}", 200, 2),
        ("GET /api/tickets/settings", 200, 2),
        ("PUT /api/tickets/settings", 200, 2),
        ("GET /api/tickets/people", 200, 2),
        ("POST /api/tickets", 201, 4),
        ("GET /api/tickets", 200, 2),
        // One Query of the sort rows, one BatchGetItem of the tickets they name.
        (
            "GET /api/tickets (sort=priority, through the sort rows)",
            200,
            3,
        ),
        // The same for the queue by the nearest target (its queue sort rows).
        (
            "GET /api/tickets (sort=target, the MSP queue by the nearest target)",
            200,
            3,
        ),
        ("GET /api/tickets/stats", 200, 2),
        ("POST /api/tickets/{number}/notes", 201, 3),
        // The ticket alone, however long its conversation, then the settings (the size limit).
        ("POST /api/tickets/{number}/uploads", 201, 3),
        (
            "POST /api/tickets/{number}/attachments (nothing uploaded)",
            422,
            2,
        ),
        (
            "GET /api/tickets/{number}/attachments/{id} (no such file)",
            404,
            2,
        ),
        // The ticket and the file's item, in one BatchGetItem.
        ("GET /api/tickets/{number} (client)", 200, 2),
        ("GET /api/tickets/{number} (MSP staff)", 200, 3),
        ("GET /api/tickets (q={number}, client)", 200, 2),
        ("GET /api/tickets (q={number}, MSP staff)", 200, 3),
        ("GET /api/tickets (q=bench, words)", 200, 3),
        ("GET /api/tickets/export", 200, 3),
        // Staff find the ticket's company by its number, read it, then one transaction (the
        // ticket, the company's count waiting for approval, the audit entry); then the approvers
        // to email (the company's users).
        ("POST /api/tickets/{number}/approval-request", 200, 5),
        // The ticket, one transaction; then the technician who asked (the email).
        ("POST /api/tickets/{number}/approval", 200, 4),
        // The ticket with the settings (what clients may set, the statuses, the targets) and the
        // company's agreements (their targets) in one BatchGetItem, one transaction with the note.
        ("PATCH /api/tickets/{number}", 200, 3),
        // The public part of the ticket in one Query (the client's company is the principal's) and,
        // beside it, the ticket settings (the MSP's names for the statuses).
        ("GET /api/tickets/{number}/pdf", 303, 3),
        (
            "GET /api/tickets/{number}/signoff/pdf (the form to sign)",
            303,
            3,
        ),
        // Those two, then one transaction (the ticket, its counts, the audit entry).
        ("POST /api/tickets/{number}/signoff", 200, 4),
        ("GET /api/tickets/{number}/signoff/pdf (signed)", 303, 3),
        // The ticket, one transaction (a bad rating of an assigned ticket then reads the
        // technician, for their email: 4; this one has none).
        ("POST /api/tickets/{number}/rating", 200, 3),
        // Staff find the ticket through its number, read it with the user in one BatchGetItem,
        // save it under its version.
        ("POST /api/tickets/{number}/watchers", 200, 4),
        ("DELETE /api/tickets/{number}/watchers/{user_id}", 200, 4),
        // Staff find the ticket through its number, read it, save it under its version.
        ("POST /api/tickets/{number}/tasks", 201, 4),
        ("PATCH /api/tickets/{number}/tasks/{id}", 200, 4),
        ("DELETE /api/tickets/{number}/tasks/{id}", 200, 4),
        // Staff find the ticket's company, read it with the settings and the company's
        // agreements (the targets of the new priority) in one BatchGetItem, one transaction.
        (
            "PATCH /api/tickets/{number} (MSP staff: the priority, its targets planned anew)",
            200,
            4,
        ),
        // Projects: the session check, then at most three calls. A create reads the company,
        // manager and contact in one BatchGetItem, takes a number, then one transaction; staff
        // find a project's company through its number; a plan or change reads the project
        // (with its phase counters) and saves it under its version.
        ("POST /api/projects", 201, 4),
        ("PUT /api/projects/{number}/phases", 200, 4),
        ("PATCH /api/projects/{number}", 200, 4),
        // A ticket in a phase also reads the project (the phase must be one of its plan); its
        // row and the phase counters go in the ticket's own transaction.
        (
            "POST /api/tickets (in a project's phase, MSP staff)",
            201,
            5,
        ),
        // Staff find the ticket through its number; its contact's preferences decide the email.
        (
            "PATCH /api/tickets/{number} (closing a project's ticket, MSP staff)",
            200,
            5,
        ),
        ("GET /api/projects", 200, 2),
        ("GET /api/projects (q=bench, words)", 200, 2),
        // The open count and the first project by next milestone (an index of its own).
        ("GET /api/projects/summary", 200, 3),
        ("GET /api/projects/{number} (client)", 200, 2),
        ("GET /api/projects/{number} (MSP staff)", 200, 3),
        // Configurations: the types with the company and contact in one BatchGetItem, then the
        // transaction (item, serial and tag pointers, audit entry). A search is one Query of the
        // index made for it; a serial or tag reads its pointer, then the configuration; the page
        // reads the configuration and its ticket rows in one Query. The import is the exception to
        // the call budget (docs/decisions.md): the types and company, the serial and tag pointers
        // (one BatchGetItem per 100), then one transaction per 100 items.
        ("GET /api/configuration-types", 200, 2),
        ("PUT /api/configuration-types", 200, 2),
        ("POST /api/configurations", 201, 3),
        ("POST /api/configurations (a serial taken: refused)", 409, 3),
        ("PATCH /api/configurations/{id}", 200, 3),
        ("POST /api/configurations/import", 201, 4),
        ("GET /api/configurations", 200, 2),
        (
            "GET /api/configurations (serial=bench-2, through its pointer)",
            200,
            3,
        ),
        (
            "GET /api/configurations (q=bench&type=server, one index)",
            200,
            2,
        ),
        (
            "GET /api/configurations (sort=expires&status=active, filtered)",
            200,
            2,
        ),
        ("GET /api/configurations/export", 200, 2),
        ("GET /api/configurations/expiring", 200, 2),
        ("GET /api/configurations/{id} (client)", 200, 2),
        ("GET /api/configurations/{id} (MSP staff)", 200, 2),
        ("POST /api/tickets (about a configuration)", 201, 4),
        // Documents: an upload grant reads the file rules and the company (or the document) in one
        // BatchGetItem; a confirm reads the document (new: none yet), then one transaction with
        // its folder's counts and the audit entry. A list is one Query of its audience's index.
        ("POST /api/documents/uploads", 201, 2),
        ("POST /api/documents", 201, 3),
        ("POST /api/documents/{id}/uploads", 201, 2),
        ("POST /api/documents/{id}/versions", 201, 3),
        ("PATCH /api/documents/{id}", 200, 3),
        ("GET /api/documents", 200, 2),
        (
            "GET /api/documents (folder=bench&q=notes, one folder's index, filtered)",
            200,
            2,
        ),
        ("GET /api/documents/folders", 200, 2),
        ("GET /api/documents/{id}", 200, 2),
        ("GET /api/documents/{id}/versions/{n}", 303, 2),
        // A delete reads the document, then one transaction (the item with its list entries, the
        // folder's counts, the audit entry); its files go from S3 after.
        ("DELETE /api/documents/{id}", 204, 3),
        // Knowledge base: a save is one transaction (article, revision, card, category counts,
        // word index, audit) after reading the article (and the companies it names) in one
        // BatchGetItem; a client's list or search adds the one Query of the articles shown to
        // their company by name; a search or suggestions look up each of its (up to three) most
        // telling words; a vote or deflection reads the article, its counters and the vote or
        // mark in one BatchGetItem and writes in one transaction.
        ("POST /api/kb/articles", 201, 2),
        ("PATCH /api/kb/articles/{id}", 200, 3),
        ("PUT /api/kb/articles/{id}/status", 200, 3),
        ("PUT /api/kb/articles/{id}/pin", 200, 3),
        ("GET /api/kb/articles/{id}/revisions", 200, 2),
        ("GET /api/kb/articles/{id}/revisions/{n}", 200, 2),
        ("POST /api/kb/articles/{id}/images", 201, 2),
        ("POST /api/kb/articles/{id}/images/confirm", 200, 1),
        ("GET /api/kb/images/{id}/{file}", 200, 2),
        ("GET /api/kb/articles (MSP staff: every article)", 200, 2),
        (
            "GET /api/kb/articles (a client: every client's and their company's)",
            200,
            3,
        ),
        ("GET /api/kb/articles (category=bench)", 200, 3),
        (
            "GET /api/kb/articles (q=bench printer, search: each word)",
            200,
            4,
        ),
        ("GET /api/kb/categories", 200, 3),
        ("GET /api/kb/suggestions (three words looked up)", 200, 5),
        ("GET /api/kb/top", 200, 3),
        ("GET /api/kb/articles/{id}", 200, 2),
        ("PUT /api/kb/articles/{id}/vote", 200, 3),
        ("POST /api/kb/articles/{id}/deflections", 204, 3),
        // Reports: the session, then one Query of the month items (24 at most).
        ("GET /api/reports/trends", 200, 2),
        ("GET /api/reports/trends (MSP staff: every company)", 200, 2),
        ("GET /api/reports/trends/export", 200, 2),
        ("GET /api/reports/responsiveness", 200, 2),
        // The executive PDF adds the company with its agreements (one BatchGetItem).
        ("GET /api/reports/executive", 200, 3),
        // Agreements: a company's agreements are one record (with its hour counters), read with
        // the company and the ticket settings in one BatchGetItem, saved under its version.
        ("POST /api/agreements", 201, 3),
        ("PATCH /api/agreements/{id}", 200, 3),
        // Staff find the ticket through its number; the ticket, the agreements (and the entry)
        // in one BatchGetItem; then one transaction: the entry, the counters, the audit entry.
        ("POST /api/tickets/{number}/time", 201, 4),
        ("PATCH /api/tickets/{number}/time/{id}", 200, 4),
        ("GET /api/agreements", 200, 2),
        ("GET /api/agreements/{id}", 200, 2),
        // The agreements (is it the company's?), then one page of its index.
        ("GET /api/agreements/{id}/time", 200, 3),
        ("DELETE /api/tickets/{number}/time/{id}", 204, 4),
        ("GET /api/me/sessions", 200, 2),
        ("POST /api/me/sessions/end-others", 204, 2),
        (
            "DELETE /api/me/sessions/{session_id} (none of the caller's)",
            204,
            2,
        ),
        // The password check (credential and attempt counters, reserve, settle: as for a password
        // change), then the token in one transaction that checks the new address is free.
        ("POST /api/me/email", 202, 5),
        // The token's item: not there.
        (
            "POST /api/auth/email-change/confirm (a link that does not work)",
            400,
            1,
        ),
        ("PATCH /api/me", 200, 2),
        ("POST /api/companies/{company_id}/users (invite)", 201, 2),
        (
            "POST /api/companies/{company_id}/users/{user_id}/invitation (resend)",
            204,
            3,
        ),
        ("POST /api/auth/invitation", 200, 3),
        ("POST /api/auth/invitation/accept", 204, 3),
        ("PATCH /api/companies/{company_id}/users/{user_id}", 200, 3),
        ("GET /api/companies/{company_id}/audit", 200, 2),
        ("GET /api/companies/{company_id}/audit (user=)", 200, 2),
        ("GET /api/companies/{company_id}/audit/export", 200, 2),
        ("GET /api/companies (q=acme)", 200, 2),
        ("POST /api/me/mfa", 200, 2),
        ("POST /api/me/mfa/confirm", 200, 5),
        ("POST /api/auth/login (second factor due)", 200, 3),
        ("POST /api/auth/login/mfa (recovery code)", 204, 4),
        // New recovery codes: the session, the password checked (3), the code checked (3), then
        // one transaction (the codes with the code's step spent, the audit entry).
        ("POST /api/me/mfa/recovery-codes", 200, 8),
        ("POST /api/me/mfa/disable", 204, 8),
        // Passkeys: the session, then one Query (options, list), one transaction (add, with the
        // owner pointer, both counts and the audit entry; remove) or one update (rename).
        ("POST /api/me/passkeys/options", 200, 2),
        ("POST /api/me/passkeys", 201, 2),
        ("GET /api/me/passkeys", 200, 2),
        ("PATCH /api/me/passkeys/{passkey_id}", 204, 2),
        // Signing in with a passkey: nothing to start (the state is sealed in the ceremony); the
        // owner pointer, one BatchGetItem (company, user, passkey), the session's transaction.
        ("POST /api/auth/passkey/options", 200, 0),
        ("POST /api/auth/passkey", 204, 3),
        ("POST /api/auth/login (second factor: a passkey)", 200, 3),
        ("POST /api/auth/login/mfa/passkey/options", 200, 1),
        ("POST /api/auth/login/mfa/passkey", 204, 2),
        ("DELETE /api/me/passkeys/{passkey_id}", 204, 2),
        (
            "DELETE /api/companies/{company_id}/users/{user_id}/mfa",
            204,
            4,
        ),
        // Credential, user, request counter, then token + audit entry: as many for an unknown
        // address as far as the counter; the answer waits for a fixed floor either way.
        ("POST /api/auth/password-reset", 202, 4),
        ("POST /api/auth/password-reset/confirm", 204, 3),
        // The company, then the invoice with its audit entry.
        ("POST /api/invoices", 201, 3),
        // Draft, company, counter, then one transaction (counter, invoice, number, audit), then
        // the billing account (autopay?), and the billing contacts for the email (its users).
        ("POST /api/invoices/{id}/issue", 200, 7),
        ("GET /api/invoices", 200, 2),
        ("GET /api/invoices/{id}", 200, 2),
        ("GET /api/invoices (q=)", 200, 3),
        ("GET /api/invoices/export", 200, 2),
        ("GET /api/invoices/{id}/pdf", 303, 3),
        ("POST /api/payments/checkout", 201, 7),
        // The company and its agreements in one batch, whether this purchase was made before, the
        // invoice counter, the issue (one transaction), then as any Checkout: whether the payment
        // was started before, the billing account (the Stripe customer), the payment.
        ("POST /api/agreements/{id}/purchase", 201, 8),
        ("POST /api/invoices/{id}/payments", 201, 5),
        ("GET /api/payments", 200, 2),
        ("GET /api/payments/{id}", 200, 2),
        ("POST /api/invoices (a draft to change and void)", 201, 3),
        ("PATCH /api/invoices/{id}", 200, 3),
        ("POST /api/invoices/{id}/issue (the second)", 200, 7),
        ("POST /api/invoices/{id}/void", 200, 3),
        ("POST /api/invoices (a draft to delete)", 201, 3),
        ("DELETE /api/invoices/{id}", 204, 3),
        (
            "POST /api/tickets/{number}/time (no agreement, to invoice)",
            201,
            4,
        ),
        // The company and its agreements in one batch, then one page of its unbilled time.
        ("GET /api/invoices/unbilled", 200, 3),
        // The same, then one transaction: the draft, each entry marked, the hours over, the audit.
        ("POST /api/invoices/from-time", 201, 4),
        (
            "POST /api/invoices/{id}/issue (an invoice of time: its ticket marked)",
            200,
            7,
        ),
        // The invoice, its tickets (one BatchGetItem), one transaction.
        (
            "POST /api/invoices/{id}/void (an invoice of time: its time back, its ticket unmarked)",
            200,
            4,
        ),
        // The company, the credit-note counter, then one transaction (counter, note, credit,
        // audit); then the billing contacts for the email (its users).
        ("POST /api/credit-notes", 201, 5),
        // A page of credit notes and the balance item.
        ("GET /api/credit-notes", 200, 3),
        ("GET /api/credit-notes/{number}", 200, 2),
        // The note, then (rendered once) the company for its address.
        ("GET /api/credit-notes/{number}/pdf", 303, 3),
        ("POST /api/invoices (a draft to pay with credit)", 201, 3),
        (
            "POST /api/invoices/{id}/issue (one to pay with credit)",
            200,
            7,
        ),
        // The invoice, the credit, one transaction (payment, invoice, credit taken, audit), then
        // the receipt's billing contacts (the company, its users).
        ("POST /api/invoices/{id}/credit", 201, 6),
        // The company and the ticket settings (request types), then one transaction (the draft,
        // its audit entry).
        ("POST /api/quotes", 201, 4),
        // One page of one tab: one Query.
        ("GET /api/quotes (drafts)", 200, 2),
        ("PATCH /api/quotes/{id} (a draft)", 200, 4),
        // The draft, the number counter, one transaction (counter, quote, number, audit), then
        // the approvers to email (the company's users).
        ("POST /api/quotes/{id}/send", 200, 5),
        ("GET /api/quotes", 200, 2),
        // The number's pointer, then its latest revision.
        ("GET /api/quotes (by number)", 200, 3),
        ("GET /api/quotes/{id}", 200, 2),
        // The quote, then (rendered once) the company for its address.
        ("GET /api/quotes/{id}/pdf", 303, 3),
        // The quote, the settings, one transaction (old superseded, new, number moved, audit),
        // then the approvers to email.
        ("PATCH /api/quotes/{id} (a revision)", 200, 5),
        // The quote; a ticket and a project number (counters); the company and the invoice
        // counter for the deposit; one transaction (the answer, the ticket with its counts, the
        // project, the deposit invoice with its number, the audit entry); then the billing
        // contacts to email the invoice to.
        (
            "POST /api/quotes/{id}/approve (a ticket, a project and a deposit invoice)",
            200,
            8,
        ),
        (
            "POST /api/quotes/{id}/renewal (not expired: refused)",
            409,
            2,
        ),
        ("POST /api/quotes (one to decline)", 201, 4),
        ("POST /api/quotes/{id}/send (one to decline)", 200, 5),
        // The quote, then one conditional write (the answer and its audit entry).
        ("POST /api/quotes/{id}/decline", 200, 3),
        ("POST /api/quotes (one to delete)", 201, 4),
        ("DELETE /api/quotes/{id}", 204, 3),
        // The open invoices; then together the account with the credit, and the count of the
        // quotes waiting (one Query with Select=COUNT).
        ("GET /api/billing/overview", 200, 4),
        ("GET /api/billing/companies", 200, 2),
        ("GET /api/payment-methods", 200, 3),
        ("POST /api/payment-methods/setup", 201, 2),
        // The signature is checked first; the customer link, the method (to keep a nickname), one
        // transaction (method, not removed, event id, audit), then the account's default method
        // (read and written).
        ("POST /api/payments/webhook (a card saved)", 200, 5),
        // Session, the invoices (one batch), the method, the account's customer, whether this
        // payment was asked for before, then one transaction (the payment and its audit entry).
        ("POST /api/payments/charge", 202, 6),
        ("PATCH /api/payment-methods/{id}", 200, 4),
        ("PUT /api/billing/autopay", 200, 3),
        ("DELETE /api/payment-methods/{id}", 204, 5),
        // Session, the credential with its attempt counters, the attempt's reservation (before
        // argon2), its settling, then one transaction: the new hash, other sessions ended, the
        // audit entry.
        ("POST /api/me/password", 204, 5),
        ("POST /api/auth/logout", 204, 1),
    ];
    let seen = portal_tests::routes::call_every_route().await;
    let seen: Vec<(&str, u16, u64)> = seen.iter().map(|(r, s, c)| (r.as_str(), *s, *c)).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn the_call_count_table_has_a_row_for_every_documented_operation() {
    let doc: Value = serde_json::from_str(&portal_tests::openapi_json()).unwrap();
    let mut documented = Vec::new();
    for (path, operations) in doc["paths"].as_object().unwrap() {
        for verb in operations.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", verb.to_uppercase()));
        }
    }
    let rows = portal_tests::routes::operations_with_a_row();
    let missing: Vec<&String> = documented
        .iter()
        .filter(|op| !rows.contains(&op.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "operations with no call-count row: {missing:?}"
    );
    let unknown: Vec<&&str> = rows
        .iter()
        .filter(|op| !documented.iter().any(|d| d == *op))
        .collect();
    assert!(
        unknown.is_empty(),
        "rows naming no documented operation: {unknown:?}"
    );
}
