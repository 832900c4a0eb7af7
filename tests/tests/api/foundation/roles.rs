//! Roles across routes and company isolation.

use super::*;

#[tokio::test]
async fn me_gives_each_demo_role_its_capabilities() {
    let t = TestApp::new().await;
    let expected: &[(&str, &str, &[&str])] = &[
        (
            "admin@northwind.example",
            "msp_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "view_projects",
                "manage_projects",
                "view_agreements",
                "view_hours_left",
                "log_time",
                "view_company_configurations",
                "manage_configurations",
                "manage_documents",
                "manage_users",
                "all_companies",
                "manage_companies",
                "manage_billing",
                "manage_settings",
                "view_audit",
                "read_knowledge_base",
                "manage_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "tech@northwind.example",
            "technician",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_projects",
                "manage_projects",
                "view_agreements",
                "view_hours_left",
                "log_time",
                "view_company_configurations",
                "manage_configurations",
                "manage_documents",
                "all_companies",
                "view_audit",
                "read_knowledge_base",
                "manage_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "fulladmin@acme.example",
            "full_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "view_company_configurations",
                "manage_documents",
                "manage_users",
                "view_audit",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "ticketmanager@acme.example",
            "ticket_manager",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_projects",
                "view_hours_left",
                "view_company_configurations",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "billing@acme.example",
            "billing_admin",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "read_knowledge_base",
            ],
        ),
        (
            "readonly@acme.example",
            "ticket_read_only",
            &["view_own_tickets", "read_knowledge_base"],
        ),
        (
            "user@acme.example",
            "standard_user",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "read_knowledge_base",
            ],
        ),
        (
            "fulladmin@globex.example",
            "full_admin",
            &[
                "submit_ticket",
                "submit_on_behalf",
                "view_company_tickets",
                "add_notes",
                "view_invoices",
                "approve_quotes",
                "view_projects",
                "view_agreements",
                "view_hours_left",
                "view_company_configurations",
                "manage_documents",
                "manage_users",
                "view_audit",
                "read_knowledge_base",
                "view_reports",
            ],
        ),
        (
            "user@globex.example",
            "standard_user",
            &[
                "submit_ticket",
                "view_own_tickets",
                "add_notes",
                "read_knowledge_base",
            ],
        ),
    ];
    for (email, role, capabilities) in expected {
        let me = t.get("/api/me", &t.login(email).await).await;
        assert_eq!(me.status, 200, "{email}");
        assert_eq!(me.body["user"]["role"], *role, "{email}");
        let got: Vec<&str> = me.body["capabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(&got, capabilities, "{email}");
    }
}

const CLIENTS: [&str; 7] = [
    "fulladmin@acme.example",
    "ticketmanager@acme.example",
    "billing@acme.example",
    "readonly@acme.example",
    "user@acme.example",
    "fulladmin@globex.example",
    "user@globex.example",
];

#[tokio::test]
async fn client_users_cannot_reach_msp_staff_routes_and_staff_can() {
    let t = TestApp::new().await;
    for email in CLIENTS {
        let answer = t.get("/api/companies", &t.login(email).await).await;
        assert_eq!(answer.problem(403), "/problems/forbidden", "{email}");
    }
    for email in ["admin@northwind.example", "tech@northwind.example"] {
        let answer = t.get("/api/companies", &t.login(email).await).await;
        assert_eq!(answer.status, 200, "{email}");
        let names: Vec<&str> = answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Acme Dental", "Globex Logistics", "Northwind IT"],
            "{email}"
        );
    }
    assert_eq!(
        t.call("GET", "/api/companies").send().await.problem(401),
        "/problems/unauthenticated"
    );
}

#[tokio::test]
async fn only_full_admins_and_msp_admins_see_a_companys_users() {
    let t = TestApp::new().await;
    for (email, status) in [
        ("fulladmin@acme.example", 200),
        ("ticketmanager@acme.example", 403),
        ("billing@acme.example", 403),
        ("readonly@acme.example", 403),
        ("user@acme.example", 403),
        ("admin@northwind.example", 200),
        ("tech@northwind.example", 403),
    ] {
        let answer = t
            .get("/api/companies/acme-dental/users", &t.login(email).await)
            .await;
        assert_eq!(answer.status, status, "{email}: {}", answer.text);
        if status == 200 {
            let emails: Vec<&str> = answer.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap())
                .collect();
            assert_eq!(emails.len(), 5);
            assert!(emails.iter().all(|e| e.ends_with("@acme.example")));
            assert!(
                !answer.text.contains("argon2"),
                "no password hashes in answers"
            );
        }
    }
}

// ---- company isolation -------------------------------------------------------------------------

#[tokio::test]
async fn requests_naming_another_companys_ids_get_404() {
    let t = TestApp::new().await;
    let acme_admin = t.login("fulladmin@acme.example").await;
    let acme_user = t.login("user@acme.example").await;
    let globex_user = portal_admin::seed::demo_user_id("user@globex.example");
    let acme_user_id = portal_admin::seed::demo_user_id("user@acme.example");

    for cookie in [&acme_admin, &acme_user] {
        assert_eq!(
            t.get("/api/companies/globex-logistics", cookie)
                .await
                .problem(404),
            "/problems/not-found"
        );
        assert_eq!(
            t.get("/api/companies/globex-logistics/users", cookie)
                .await
                .status,
            404
        );
        assert_eq!(
            t.get(
                &format!("/api/companies/globex-logistics/users/{globex_user}"),
                cookie
            )
            .await
            .status,
            404
        );
        assert_eq!(
            t.get("/api/companies/northwind-it", cookie).await.status,
            404
        );
        // Another company's user id under one's own company is simply not there.
        assert_eq!(
            t.get(
                &format!("/api/companies/acme-dental/users/{globex_user}"),
                &acme_admin
            )
            .await
            .status,
            404
        );
        // And the answer is the same as for a company that does not exist at all.
        assert_eq!(
            t.get("/api/companies/no-such-company", cookie).await.text,
            t.get("/api/companies/globex-logistics", cookie).await.text
        );
    }
    // One's own company and users are there.
    assert_eq!(
        t.get("/api/companies/acme-dental", &acme_user).await.body["name"],
        "Acme Dental"
    );
    assert_eq!(
        t.get(
            &format!("/api/companies/acme-dental/users/{acme_user_id}"),
            &acme_admin
        )
        .await
        .body["email"],
        "user@acme.example"
    );
    // MSP staff see every company.
    let staff = t.login("tech@northwind.example").await;
    assert_eq!(
        t.get("/api/companies/globex-logistics", &staff).await.body["name"],
        "Globex Logistics"
    );
    let admin = t.login("admin@northwind.example").await;
    assert_eq!(
        t.get(
            &format!("/api/companies/globex-logistics/users/{globex_user}"),
            &admin
        )
        .await
        .body["email"],
        "user@globex.example"
    );
    // Ids that are not ids at all are 404 too, never 500.
    assert_eq!(
        t.get("/api/companies/..%2F..%2Fetc/users", &admin)
            .await
            .status,
        404
    );
}
