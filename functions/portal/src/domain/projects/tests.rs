use super::*;
use time::macros::{date, datetime};

fn phase(id: &str, start: Date, end: Date, status: PhaseStatus, parent: Option<&str>) -> Phase {
    Phase {
        id: id.into(),
        name: format!("Phase {id}"),
        start,
        end,
        status,
        parent: parent.map(String::from),
    }
}

fn project(phases: Vec<Phase>) -> Project {
    Project {
        number: 1,
        company_id: CompanyId::parse("acme-dental").unwrap(),
        company_name: "Acme Dental".into(),
        name: "Office move".into(),
        description: String::new(),
        status: ProjectStatus::InProgress,
        manager_id: UserId::parse("tech").unwrap(),
        manager_name: "Tess Tech".into(),
        contact_id: None,
        contact_name: None,
        start: date!(2026 - 11 - 01),
        planned_completion: date!(2026 - 12 - 31),
        expected_completion: date!(2026 - 12 - 31),
        completion_changes: vec![],
        phases,
        created_at: datetime!(2026-11-01 9:00 UTC),
        updated_at: datetime!(2026-11-01 9:00 UTC),
        version: 1,
    }
}

fn counts(list: &[(&str, u32, u32)]) -> Counts {
    list.iter()
        .map(|(id, total, closed)| {
            (
                (*id).to_owned(),
                TicketCount {
                    total: *total,
                    closed: *closed,
                },
            )
        })
        .collect()
}

#[test]
fn percent_complete_weighs_phases_by_their_tickets() {
    let p = project(vec![
        phase(
            "a",
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 30),
            PhaseStatus::InProgress,
            None,
        ),
        phase(
            "a1",
            date!(2026 - 11 - 01),
            date!(2026 - 11 - 10),
            PhaseStatus::Completed,
            Some("a"),
        ),
        phase(
            "b",
            date!(2026 - 12 - 01),
            date!(2026 - 12 - 20),
            PhaseStatus::Completed,
            None,
        ),
        phase(
            "c",
            date!(2026 - 12 - 01),
            date!(2026 - 12 - 31),
            PhaseStatus::NotStarted,
            None,
        ),
    ]);
    // a: 2 of its own + 2 of a1's, 3 closed; b: no tickets, completed; c: 4 tickets, 1 closed.
    let c = counts(&[("a", 2, 1), ("a1", 2, 2), ("c", 4, 1)]);
    let got = progress(&p, &c, date!(2026 - 12 - 05));
    let pct: Vec<u32> = got.phases.iter().map(|p| p.percent_complete).collect();
    assert_eq!(pct, [75, 100, 100, 25]);
    assert_eq!(
        got.phases[0].tickets,
        TicketCount {
            total: 4,
            closed: 3
        }
    );
    // (3 + 1 + 1) of (4 + 1 + 4) = 5/9 = 55 %.
    assert_eq!(got.percent_complete, 55);
    assert!(got.phases[0].late, "a ended on Nov 30 and is not completed");
    assert!(!got.phases[2].late);
    assert_eq!(got.schedule, Schedule::OnTrack);
    assert_eq!(
        got.next_milestone.map(|m| (m.phase_id, m.date)),
        Some(("a".into(), date!(2026 - 11 - 30)))
    );
}

#[test]
fn a_project_is_late_when_its_completion_passed_or_slipped() {
    let mut p = project(vec![]);
    assert_eq!(
        progress(&p, &Counts::new(), date!(2026 - 12 - 31)).schedule,
        Schedule::OnTrack
    );
    assert_eq!(
        progress(&p, &Counts::new(), date!(2027 - 01 - 01)).schedule,
        Schedule::Late
    );
    p.expected_completion = date!(2027 - 01 - 15);
    let slipped = progress(&p, &Counts::new(), date!(2026 - 12 - 01));
    assert_eq!((slipped.schedule, slipped.slip_days), (Schedule::Late, 15));
    p.status = ProjectStatus::Completed;
    let done = progress(&p, &Counts::new(), date!(2027 - 02 - 01));
    assert_eq!(
        (done.schedule, done.percent_complete),
        (Schedule::Closed, 100)
    );
    assert!(done.next_milestone.is_none());
}

#[test]
fn counting_rows_matches_the_rule() {
    let row = |n, phase: &str, status| ProjectTicket {
        number: n,
        summary: "x".into(),
        status,
        phase_id: phase.into(),
        contact_id: UserId::parse("u").unwrap(),
    };
    let c = count(&[
        row(1, "a", TicketStatus::New),
        row(2, "a", TicketStatus::Closed),
        row(3, "a", TicketStatus::Resolved),
        row(4, "b", TicketStatus::Cancelled),
    ]);
    assert_eq!(
        c["a"],
        TicketCount {
            total: 3,
            closed: 2
        }
    );
    assert_eq!(
        c["b"],
        TicketCount {
            total: 1,
            closed: 1
        }
    );
}

fn body(id: Option<&str>, start: &str, end: &str, subs: Vec<PhaseBody>) -> PhaseBody {
    PhaseBody {
        id: id.map(String::from),
        name: "Wiring".into(),
        start: start.into(),
        end: end.into(),
        status: PhaseStatus::NotStarted,
        sub_phases: subs,
    }
}

fn fields(err: DomainErrorOf) -> Vec<String> {
    match err {
        crate::domain::DomainError::Validation(e) => e.into_iter().map(|f| f.field).collect(),
        other => panic!("expected 422, got {other:?}"),
    }
}
type DomainErrorOf = crate::domain::DomainError;

#[test]
fn a_plan_keeps_ids_and_nests_sub_phases() {
    let p = project(vec![phase(
        "old1",
        date!(2026 - 11 - 01),
        date!(2026 - 11 - 30),
        PhaseStatus::InProgress,
        None,
    )]);
    let plan = PlanBody {
        version: 1,
        phases: vec![
            body(
                Some("old1"),
                "2026-11-01",
                "2026-11-30",
                vec![body(None, "2026-11-02", "2026-11-05", vec![])],
            ),
            body(None, "2026-12-01", "2026-12-31", vec![]),
        ],
        reason: None,
    };
    let now = datetime!(2026-12-01 9:00 UTC);
    let changed = plan.apply(&p, &Counts::new(), "Tess", now).unwrap();
    assert_eq!(changed.phases.len(), 3);
    assert_eq!(changed.phases[0].id, "old1");
    assert_eq!(changed.phases[1].parent.as_deref(), Some("old1"));
    assert_eq!(changed.phases[1].id.len(), 8);
    assert_eq!(changed.phases[2].parent, None);
    assert_eq!(changed.expected_completion, p.expected_completion);
}

#[test]
fn bad_plans_name_each_bad_field() {
    let p = project(vec![phase(
        "old1",
        date!(2026 - 11 - 01),
        date!(2026 - 11 - 30),
        PhaseStatus::InProgress,
        None,
    )]);
    let now = datetime!(2026-12-01 9:00 UTC);
    let apply = |phases, reason: Option<&str>, counts: &Counts| {
        PlanBody {
            version: 1,
            phases,
            reason: reason.map(String::from),
        }
        .apply(&p, counts, "Tess", now)
    };
    let c = Counts::new();
    // End before start; a sub-phase outside its parent; an id of another project.
    let err = apply(
        vec![
            body(None, "2026-11-10", "2026-11-09", vec![]),
            body(
                None,
                "2026-11-01",
                "2026-11-10",
                vec![body(None, "2026-11-05", "2026-11-20", vec![])],
            ),
            body(Some("nope"), "2026-11-01", "2026-11-02", vec![]),
            body(None, "2026-13-01", "2026-11-02", vec![]),
        ],
        None,
        &c,
    )
    .unwrap_err();
    assert_eq!(
        fields(err),
        [
            "phases[0].end",
            "phases[1].sub_phases[0].end",
            "phases[2].id",
            "phases[3].start"
        ]
    );
    // Before the project starts.
    let err = apply(
        vec![body(None, "2026-10-01", "2026-11-02", vec![])],
        None,
        &c,
    )
    .unwrap_err();
    assert_eq!(fields(err), ["phases"]);
    // After the expected completion without a reason; with one, the completion moves.
    let late = || vec![body(None, "2026-12-01", "2027-01-10", vec![])];
    assert_eq!(fields(apply(late(), None, &c).unwrap_err()), ["reason"]);
    let moved = apply(late(), Some("Landlord delayed the keys"), &c).unwrap();
    assert_eq!(moved.expected_completion, date!(2027 - 01 - 10));
    assert_eq!(moved.planned_completion, date!(2026 - 12 - 31));
    assert_eq!(
        moved.completion_changes[0].reason,
        "Landlord delayed the keys"
    );
    // Removing a phase with tickets.
    let with_tickets = counts(&[("old1", 1, 0)]);
    assert_eq!(
        fields(apply(vec![], None, &with_tickets).unwrap_err()),
        ["phases"]
    );
    assert!(apply(vec![], None, &c).unwrap().phases.is_empty());
}

#[test]
fn changing_the_completion_needs_a_reason_and_keeps_phases_inside() {
    let p = project(vec![phase(
        "a",
        date!(2026 - 11 - 01),
        date!(2026 - 12 - 20),
        PhaseStatus::InProgress,
        None,
    )]);
    let now = datetime!(2026-12-01 9:00 UTC);
    let change = |end: &str, reason: Option<&str>| ProjectChange {
        version: 1,
        expected_completion: Some(end.into()),
        reason: reason.map(String::from),
        ..ProjectChange::default()
    };
    assert_eq!(
        fields(change("2027-01-31", None).apply(&p, "T", now).unwrap_err()),
        ["reason"]
    );
    assert_eq!(
        fields(
            change("2026-12-10", Some("Sooner"))
                .apply(&p, "T", now)
                .unwrap_err()
        ),
        ["expected_completion"]
    );
    let later = change("2027-01-31", Some("Parts late"))
        .apply(&p, "T", now)
        .unwrap();
    assert_eq!(later.completion_changes.len(), 1);
    assert_eq!(later.completion_changes[0].from, date!(2026 - 12 - 31));
    let ended = ProjectChange {
        version: 1,
        start: Some("2027-02-01".into()),
        ..ProjectChange::default()
    };
    assert_eq!(
        fields(ended.apply(&p, "T", now).unwrap_err()),
        ["expected_completion"]
    );
}

#[test]
fn project_numbers_read_as_people_write_them() {
    assert_eq!(parse_number("12").unwrap(), 12);
    assert_eq!(parse_number("P-12").unwrap(), 12);
    assert_eq!(parse_number("#12").unwrap(), 12);
    assert!(parse_number("0").is_err());
    assert!(parse_number("12a").is_err());
    assert!(parse_number("+12").is_err());
    assert!(parse_number("P-#").is_err());
    assert!(
        parse_number("012").is_err(),
        "no leading zeros, as the pattern says"
    );
    assert!(parse_number("12345678901").is_err());
}
