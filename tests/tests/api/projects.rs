//! Project API tests over the real `projects` and `tickets` handlers against moto_server: who sees
//! and plans what, progress following ticket changes, bad input writing nothing, and the emails.

use portal_tests::users::matrix::{each, expect, sign_in_everyone};
use portal_tests::{DemoUser, SignedIn, TestApp};
use serde_json::{Value, json};

const TECH: DemoUser = DemoUser::Technician;

fn new_project(name: &str) -> Value {
    json!({
        "company_id": "acme-dental",
        "name": name,
        "description": "Move the practice to 12 Elm Street over the holidays.",
        "manager_id": DemoUser::Technician.id().as_str(),
        "contact_id": DemoUser::AcmeTicketManager.id().as_str(),
        "status": "in_progress",
        "start": "2027-01-04",
        "expected_completion": "2027-03-31",
    })
}

/// A plan of two phases, the first with a sub-phase.
fn plan(version: u64) -> Value {
    json!({
        "version": version,
        "phases": [
            {"name": "Survey and wiring", "start": "2027-01-04", "end": "2027-01-29", "status": "in_progress",
             "sub_phases": [{"name": "Site survey", "start": "2027-01-04", "end": "2027-01-08", "status": "completed"}]},
            {"name": "Cut-over weekend", "start": "2027-03-01", "end": "2027-03-31", "status": "not_started"},
        ],
    })
}

/// A project for Acme Dental with the two-phase plan, created by the technician: its number and
/// the project as the answer gives it.
async fn planned_project(staff: &SignedIn<'_>, name: &str) -> (u64, Value) {
    let created = staff.post("/api/projects", new_project(name)).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let number = created.body["project"]["number"].as_u64().unwrap();
    let planned = staff
        .put(&format!("/api/projects/{number}/phases"), plan(1))
        .await;
    assert_eq!(planned.status, 200, "{}", planned.text);
    (number, planned.body)
}

/// A ticket raised by staff in phase `phase` of project `number`.
async fn project_ticket(staff: &SignedIn<'_>, number: u64, phase: &str, summary: &str) -> Value {
    let raised = staff
        .post(
            "/api/tickets",
            json!({"company_id": "acme-dental", "contact_id": DemoUser::AcmeUser.id().as_str(),
                   "request_type": "Service request", "summary": summary,
                   "description": "Part of the office move.", "priority": "medium",
                   "project": number, "phase_id": phase}),
        )
        .await;
    assert_eq!(raised.status, 201, "{}", raised.text);
    raised.body
}

fn phase_id(project: &Value, index: usize) -> String {
    project["phases"][index]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn staff_plan_a_project_and_the_roles_that_see_projects_read_it() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (number, project) = planned_project(&tech, "Office move to Elm Street").await;
    assert_eq!(project["version"], 2);
    assert_eq!(
        project["phases"][1]["parent"],
        phase_id(&project, 0).as_str()
    );
    let first = phase_id(&project, 0);
    let ticket = project_ticket(&tech, number, &first, "Patch the new comms room").await;
    assert_eq!(ticket["project"]["number"], number);
    assert_eq!(ticket["project"]["phase_id"], first.as_str());

    let cookies = sign_in_everyone(&t).await;
    let path = format!("/api/projects/{number}");
    let got = each(&cookies, async |c| t.get(&path, c).await).await;
    // Read-Only and Standard Users do not see projects; Globex's Full Admin sees none of Acme's.
    expect(&path, got, [200, 200, 200, 200, 200, 403, 403, 404, 403]);
    let got = each(&cookies, async |c| t.get("/api/projects", c).await).await;
    expect(
        "GET /api/projects",
        got,
        [200, 200, 200, 200, 200, 403, 403, 200, 403],
    );
    let got = each(&cookies, async |c| t.get("/api/projects/summary", c).await).await;
    expect(
        "GET /api/projects/summary",
        got,
        [200, 200, 200, 200, 200, 403, 403, 200, 403],
    );

    let manager = t.signed_in(DemoUser::AcmeTicketManager).await;
    let detail = manager.get(&format!("/api/projects/P-{number}")).await;
    assert_eq!(detail.status, 200, "{}", detail.text);
    let body = &detail.body;
    assert_eq!(body["project"]["manager_name"], "Theo Technician");
    assert_eq!(body["project"]["contact_name"], project["contact_name"]);
    assert_eq!(body["phases"].as_array().unwrap().len(), 3);
    assert_eq!(
        body["phases"][0]["tickets"],
        json!({"total": 1, "closed": 0})
    );
    assert_eq!(
        body["phases"][1]["percent_complete"], 100,
        "a completed sub-phase without tickets"
    );
    assert_eq!(body["tickets"][0]["summary"], "Patch the new comms room");
    assert_eq!(body["tickets"][0]["may_open"], true);
    // The Billing Admin sees the project and its rows, but opens only their own tickets.
    let billing = t.signed_in(DemoUser::AcmeBillingAdmin).await;
    let theirs = billing.get(&path).await;
    assert_eq!(theirs.body["tickets"][0]["may_open"], false);
    let ticket_path = format!("/api/tickets/{}", ticket["number"]);
    assert_eq!(billing.get(&ticket_path).await.status, 404);
    assert_eq!(manager.get(&ticket_path).await.status, 200);

    // Globex's admin lists their own (none) and cannot name Acme.
    let globex = t.signed_in(DemoUser::GlobexFullAdmin).await;
    assert_eq!(globex.get("/api/projects").await.body["items"], json!([]));
    assert_eq!(
        globex
            .get("/api/projects?company=acme-dental")
            .await
            .problem(404),
        "/problems/not-found"
    );
    assert_eq!(
        globex.get(&format!("/api/projects?q={number}")).await.body["items"],
        json!([])
    );
}

#[tokio::test]
async fn only_msp_staff_create_change_and_plan_projects() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (number, _) = planned_project(&tech, "Server migration").await;
    let cookies = sign_in_everyone(&t).await;
    let before = t.all_items().await.len();
    let got = each(&cookies[2..], async |c| {
        t.post("/api/projects", c, new_project("Not theirs")).await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    let path = format!("/api/projects/{number}");
    let got = each(&cookies[2..], async |c| {
        t.patch(&path, c, json!({"version": 2, "name": "Renamed"}))
            .await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    let phases = format!("{path}/phases");
    let got = each(&cookies[2..], async |c| {
        t.call("PUT", &phases).cookie(c).json(plan(2)).send().await
    })
    .await;
    assert!(got.iter().all(|s| *s == 403), "{got:?}");
    assert_eq!(t.all_items().await.len(), before, "refusals wrote nothing");

    // Both staff roles may; a stale version is a conflict.
    let admin = t.signed_in(DemoUser::MspAdmin).await;
    let renamed = admin
        .patch(
            &path,
            json!({"version": 2, "name": "Server migration to Azure", "status": "on_hold"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(
        (
            renamed.body["version"].clone(),
            renamed.body["status"].clone()
        ),
        (json!(3), json!("on_hold"))
    );
    let stale = tech
        .patch(&path, json!({"version": 2, "name": "Again"}))
        .await;
    assert_eq!(stale.problem(409), "/problems/conflict");
    assert_eq!(
        tech.get(&path).await.body["project"]["name"],
        "Server migration to Azure"
    );
}

#[tokio::test]
async fn lists_have_tabs_search_and_a_company_filter_for_staff() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (move_no, _) = planned_project(&tech, "Office move to Elm Street").await;
    let (m365, _) = planned_project(&tech, "Microsoft 365 migration").await;
    let mut globex = new_project("Warehouse Wi-Fi");
    globex["company_id"] = json!("globex-logistics");
    globex["contact_id"] = json!(null);
    let globex_no = tech.post("/api/projects", globex).await.body["project"]["number"]
        .as_u64()
        .unwrap();
    let done = tech
        .patch(
            &format!("/api/projects/{m365}"),
            json!({"version": 2, "status": "completed"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);

    let numbers = |a: &portal_tests::Answer| -> Vec<u64> {
        a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["number"].as_u64().unwrap())
            .collect()
    };
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    assert_eq!(numbers(&admin.get("/api/projects").await), [move_no]);
    assert_eq!(
        numbers(&admin.get("/api/projects?tab=closed").await),
        [m365]
    );
    assert_eq!(
        numbers(&admin.get("/api/projects?q=elm%20move").await),
        [move_no]
    );
    assert_eq!(numbers(&admin.get("/api/projects?q=MOVE").await), [move_no]);
    assert_eq!(
        numbers(&admin.get("/api/projects?q=azure").await),
        Vec::<u64>::new()
    );
    assert_eq!(
        numbers(&admin.get(&format!("/api/projects?q=P-{move_no}")).await),
        [move_no]
    );
    assert_eq!(
        numbers(&admin.get(&format!("/api/projects?q={globex_no}")).await),
        Vec::<u64>::new()
    );
    assert_eq!(
        admin.get("/api/projects?tab=mine").await.problem(400),
        "/problems/bad-request"
    );
    let row = &admin.get("/api/projects").await.body["items"][0];
    assert_eq!(row["manager_name"], "Theo Technician");
    assert_eq!(row["schedule"], "on_track");
    assert_eq!(row["next_milestone"]["phase_name"], "Survey and wiring");

    // Staff: every company's, or one company's.
    assert_eq!(
        numbers(&tech.get("/api/projects").await),
        [move_no, globex_no]
    );
    assert_eq!(
        numbers(&tech.get("/api/projects?company=globex-logistics").await),
        [globex_no]
    );
    assert_eq!(
        numbers(&tech.get(&format!("/api/projects?q={globex_no}")).await),
        [globex_no]
    );
    let summary = admin.get("/api/projects/summary").await;
    assert_eq!(summary.body["open"], 1);
    assert_eq!(summary.body["next_milestone"]["project_number"], move_no);
    assert_eq!(summary.body["next_milestone"]["date"], "2027-01-29");
}

#[tokio::test]
async fn progress_follows_every_ticket_change_in_the_same_write() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (number, project) = planned_project(&tech, "Office move").await;
    let (first, sub, cutover) = (
        phase_id(&project, 0),
        phase_id(&project, 1),
        phase_id(&project, 2),
    );
    let a = project_ticket(&tech, number, &first, "Order cabling").await;
    let b = project_ticket(&tech, number, &sub, "Walk the new site").await;
    let c = project_ticket(&tech, number, &cutover, "Move the server").await;
    let path = format!("/api/projects/{number}");
    let detail = tech.get(&path).await.body;
    // Survey: 2 tickets (its own and its sub-phase's), none closed; cut-over 1 → 0 of 3.
    assert_eq!(
        detail["phases"][0]["tickets"],
        json!({"total": 2, "closed": 0})
    );
    assert_eq!(detail["percent_complete"], 0);

    let close = |n: &Value, version: u64| {
        let path = format!("/api/tickets/{n}");
        let tech = &tech;
        async move {
            tech.patch(&path, json!({"status": "closed", "version": version}))
                .await
        }
    };
    assert_eq!(close(&a["number"], 1).await.status, 200);
    assert_eq!(close(&b["number"], 1).await.status, 200);
    let detail = tech.get(&path).await.body;
    assert_eq!(detail["phases"][0]["percent_complete"], 100);
    assert_eq!(detail["phases"][2]["percent_complete"], 0);
    // (2 closed + 0) of (2 + 1) = 66 %.
    assert_eq!(detail["percent_complete"], 66);
    let struck: Vec<bool> = detail["tickets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["closed"].as_bool().unwrap())
        .collect();
    assert_eq!(struck, [true, true, false]);
    // The list reads the counters the same transactions kept.
    let admin = t.signed_in(DemoUser::AcmeFullAdmin).await;
    assert_eq!(
        admin.get("/api/projects").await.body["items"][0]["percent_complete"],
        66
    );

    // Move the open ticket into the survey phase: the rows and counters follow.
    let moved = tech
        .patch(
            &format!("/api/tickets/{}", c["number"]),
            json!({"phase_id": first, "version": 1}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let detail = tech.get(&path).await.body;
    assert_eq!(
        detail["phases"][0]["tickets"],
        json!({"total": 3, "closed": 2})
    );
    assert_eq!(
        detail["phases"][2]["tickets"],
        json!({"total": 0, "closed": 0})
    );
    assert_eq!(detail["tickets"][2]["phase_id"], first.as_str());
    // A phase without tickets counts by its status; reopening a ticket counts again.
    assert_eq!(detail["percent_complete"], 50, "(2 + 0) of (3 + 1)");
    let reopened = tech
        .patch(
            &format!("/api/tickets/{}", a["number"]),
            json!({"status": "in_progress", "version": 2}),
        )
        .await;
    assert_eq!(reopened.status, 200);
    assert_eq!(
        admin.get("/api/projects").await.body["items"][0]["percent_complete"],
        25
    );
    assert_eq!(tech.get(&path).await.body["percent_complete"], 25);

    // The ticket list filters by project (open tab: the two not closed).
    let listed = tech
        .get(&format!(
            "/api/tickets?company=acme-dental&project=P-{number}"
        ))
        .await;
    let numbers: Vec<&Value> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["number"])
        .collect();
    assert_eq!(numbers, [&c["number"], &a["number"]], "{}", listed.text);
    assert_eq!(listed.body["items"][0]["project"]["number"], number);
    let manager = t.signed_in(DemoUser::AcmeTicketManager).await;
    let theirs = manager.get(&format!("/api/tickets?project={number}")).await;
    assert_eq!(theirs.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(
        manager.get("/api/tickets?project=x1").await.problem(400),
        "/problems/bad-request"
    );
}

#[tokio::test]
async fn bad_plans_and_placements_are_refused_and_write_nothing() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (number, project) = planned_project(&tech, "Office move").await;
    let first = phase_id(&project, 0);
    let cabling = project_ticket(&tech, number, &first, "Order cabling").await;
    let client = t.signed_in(DemoUser::AcmeFullAdmin).await;
    let before = t.all_items().await;

    let mut bad_create = Vec::new();
    let mut end_first = new_project("Backwards");
    end_first["expected_completion"] = json!("2027-01-01");
    bad_create.push((end_first, "expected_completion"));
    let mut unknown_manager = new_project("Nobody runs it");
    unknown_manager["manager_id"] = json!("no-such-user");
    bad_create.push((unknown_manager, "manager_id"));
    let mut client_manager = new_project("A client runs it");
    client_manager["manager_id"] = json!(DemoUser::AcmeFullAdmin.id().as_str());
    bad_create.push((client_manager, "manager_id"));
    let mut foreign_contact = new_project("Globex contact");
    foreign_contact["contact_id"] = json!(DemoUser::GlobexUser.id().as_str());
    bad_create.push((foreign_contact, "contact_id"));
    let mut msp_itself = new_project("For ourselves");
    msp_itself["company_id"] = json!("northwind-it");
    bad_create.push((msp_itself, "company_id"));
    let mut bad_date = new_project("Bad date");
    bad_date["start"] = json!("4 January");
    bad_create.push((bad_date, "start"));
    for (body, field) in bad_create {
        let answer = tech.post("/api/projects", body).await;
        assert_eq!(answer.problem(422), "/problems/validation", "{field}");
        assert_eq!(answer.body["errors"][0]["field"], field, "{}", answer.text);
    }
    let unknown_field = tech
        .post(
            "/api/projects",
            json!({"company_id": "acme-dental", "name": "x", "budget": 5}),
        )
        .await;
    assert!(
        matches!(unknown_field.status, 400 | 422),
        "{}",
        unknown_field.text
    );
    assert_eq!(unknown_field.content_type(), "application/problem+json");
    let broken = tech
        .call("POST", "/api/projects")
        .raw_json("{\"name\":".into())
        .send()
        .await;
    assert_eq!(broken.problem(400), "/problems/bad-request");

    let phases = format!("/api/projects/{number}/phases");
    let sub_outside = json!({"version": 2, "phases": [
        {"id": first, "name": "Survey", "start": "2027-01-04", "end": "2027-01-29", "status": "in_progress",
         "sub_phases": [{"name": "Late survey", "start": "2027-01-20", "end": "2027-02-10", "status": "not_started"}]}]});
    let answer = tech.put(&phases, sub_outside).await;
    assert_eq!(
        answer.body["errors"][0]["field"], "phases[0].sub_phases[0].end",
        "{}",
        answer.text
    );
    let backwards = json!({"version": 2, "phases": [
        {"id": first, "name": "Survey", "start": "2027-01-29", "end": "2027-01-04", "status": "in_progress"}]});
    assert_eq!(
        tech.put(&phases, backwards).await.body["errors"][0]["field"],
        "phases[0].end"
    );
    // Dropping the phase that holds a ticket; the project past its completion without a reason.
    let drop_ticketed = json!({"version": 2, "phases": []});
    let answer = tech.put(&phases, drop_ticketed).await;
    assert_eq!(answer.problem(422), "/problems/validation");
    assert!(answer.text.contains("has tickets"), "{}", answer.text);
    let past = json!({"version": 2, "phases": [
        {"id": first, "name": "Survey", "start": "2027-01-04", "end": "2027-04-30", "status": "in_progress"}]});
    assert_eq!(
        tech.put(&phases, past).await.body["errors"][0]["field"],
        "reason"
    );
    let stale = tech.put(&phases, plan(1)).await;
    assert_eq!(stale.problem(409), "/problems/conflict");

    // Tickets: a phase of another project or company, a client naming a project.
    let globex_project = {
        let mut body = new_project("Warehouse Wi-Fi");
        body["company_id"] = json!("globex-logistics");
        body["contact_id"] = json!(null);
        tech.post("/api/projects", body).await.body["project"]["number"]
            .as_u64()
            .unwrap()
    };
    let into = |project: u64, phase: &str| {
        json!({"company_id": "acme-dental", "contact_id": DemoUser::AcmeUser.id().as_str(),
               "request_type": "Problem", "summary": "Misplaced", "description": "x",
               "priority": "low", "project": project, "phase_id": phase})
    };
    let foreign = tech
        .post("/api/tickets", into(globex_project, &first))
        .await;
    assert_eq!(
        foreign.body["errors"][0]["field"], "project",
        "{}",
        foreign.text
    );
    let no_phase = tech.post("/api/tickets", into(number, "deadbeef")).await;
    assert_eq!(no_phase.body["errors"][0]["field"], "phase_id");
    let mut theirs = into(number, &first);
    theirs.as_object_mut().unwrap().remove("company_id");
    theirs.as_object_mut().unwrap().remove("contact_id");
    assert_eq!(
        client.post("/api/tickets", theirs).await.problem(403),
        "/problems/forbidden"
    );
    let moving = client
        .patch(
            &format!("/api/tickets/{}", cabling["number"]),
            json!({"phase_id": first, "version": 1}),
        )
        .await;
    assert_eq!(
        moving.problem(403),
        "/problems/forbidden",
        "clients move no ticket between phases"
    );

    let after = t.all_items().await;
    // Only the Globex project was written: its item, pointer, number counter, audit entry and the
    // open-project counts (Globex's, new, and every company's, changed).
    let new: Vec<String> = after
        .iter()
        .filter(|i| !before.contains(i))
        .map(|i| format!("{} {}", i["pk"].as_s().unwrap(), i["sk"].as_s().unwrap()))
        .collect();
    assert!(
        new.iter().all(|k| k.contains("PROJECT")
            || k.contains("COUNTER")
            || k.contains("AUDIT#")
            || k.contains("STATS")),
        "{new:?}"
    );
    assert_eq!(new.len(), 6, "{new:?}");
    let detail = tech.get(&format!("/api/projects/{number}")).await.body;
    assert_eq!(detail["project"]["version"], 2);
    assert_eq!(detail["tickets"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_client_contact_hears_of_phases_completed_and_a_moved_completion() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let (number, project) = planned_project(&tech, "Office move").await;
    let path = format!("/api/projects/{number}");
    let moved = tech
        .patch(
            &path,
            json!({"version": 2, "expected_completion": "2027-04-30"}),
        )
        .await;
    assert_eq!(
        moved.body["errors"][0]["field"], "reason",
        "a move needs its reason"
    );
    let moved = tech
        .patch(&path, json!({"version": 2, "expected_completion": "2027-04-30", "reason": "The landlord hands over the keys in April"}))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.body["planned_completion"], "2027-03-31");
    assert_eq!(
        moved.body["completion_changes"][0]["reason"],
        "The landlord hands over the keys in April"
    );
    let mut phases = plan(3);
    phases["phases"][0]["id"] = json!(phase_id(&project, 0));
    phases["phases"][0]["status"] = json!("completed");
    phases["phases"][0]["sub_phases"][0]["id"] = json!(phase_id(&project, 1));
    assert_eq!(
        tech.put(&format!("{path}/phases"), phases).await.status,
        200
    );

    let contact = DemoUser::AcmeTicketManager.email();
    let to_contact = async || -> Vec<Value> {
        t.mail()
            .await
            .into_iter()
            .filter(|m| m["destinations"]["ToAddresses"][0] == contact)
            .collect()
    };
    let mail = to_contact().await;
    assert_eq!(mail.len(), 2, "{mail:?}");
    let text = mail.iter().map(Value::to_string).collect::<String>();
    assert!(
        text.contains("moved from Mar 31, 2027 to Apr 30, 2027"),
        "{text}"
    );
    assert!(text.contains("landlord"), "{text}");
    assert!(
        text.contains("Survey and wiring") && text.contains("is complete"),
        "{text}"
    );
    assert!(
        text.contains(&format!("/projects/view/?number={number}")),
        "{text}"
    );

    // With project updates turned off, nothing more.
    let manager = t.signed_in(DemoUser::AcmeTicketManager).await;
    let off = manager
        .patch("/api/me", json!({"notify": {"ticket_replies": true, "status_changes": true, "invoices": true, "ticket_confirmations": true, "project_updates": false}}))
        .await;
    assert_eq!(off.status, 200, "{}", off.text);
    let version = tech.get(&path).await.body["project"]["version"]
        .as_u64()
        .unwrap();
    let again = tech
        .patch(
            &path,
            json!({"version": version, "expected_completion": "2027-05-31", "reason": "Again"}),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(to_contact().await.len(), 2);
}

#[tokio::test]
async fn a_project_created_twice_with_one_key_is_one_project() {
    let t = TestApp::new().await;
    let tech = t.signed_in(TECH).await;
    let send = || {
        tech.call("POST", "/api/projects")
            .header("idempotency-key", "create-office-move-1")
            .json(new_project("Office move"))
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    assert_eq!((a.status, b.status), (201, 201), "{} {}", a.text, b.text);
    assert_eq!(a.body["project"]["number"], b.body["project"]["number"]);
    let listed = tech.get("/api/projects?company=acme-dental").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
}
