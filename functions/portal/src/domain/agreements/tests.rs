use time::macros::{date, datetime};

use super::*;
use crate::domain::{DomainError, UserId};

fn agreement(kind: AgreementKind, included: i64) -> Agreement {
    Agreement {
        id: BillingId::derived(&["a", &format!("{kind:?}")]),
        company_id: CompanyId::parse("acme-dental").unwrap(),
        company_name: "Acme Dental".into(),
        name: format!("{kind:?}"),
        kind,
        status: AgreementStatus::Active,
        start_date: date!(2026 - 01 - 15),
        end_date: Some(date!(2026 - 12 - 31)),
        auto_renew: false,
        billing_cycle: BillingCycle::Quarterly,
        currency: Currency::usd(),
        fee: 0,
        rate: 12_000,
        included_minutes: included,
        covers: Vec::new(),
        low_balance_percent: 20,
        block_sizes: Vec::new(),
        targets: Vec::new(),
        created_at: datetime!(2026-01-01 0:00 UTC),
        updated_at: datetime!(2026-01-01 0:00 UTC),
        version: 1,
    }
}

/// Usage of a block: months, and the block's total of them.
fn usage(months: &[(&str, i64)], bought: i64) -> Usage {
    Usage {
        months: months.iter().map(|(m, v)| ((*m).to_owned(), *v)).collect(),
        periods: [("block".to_owned(), months.iter().map(|(_, v)| v).sum())].into(),
        bought,
        low_notified: None,
        over_billed: Default::default(),
    }
}

#[test]
fn a_block_counts_every_month_and_what_was_bought() {
    let block = agreement(AgreementKind::Block, 20 * 60);
    let b = block
        .balance(
            &usage(&[("2026-02", 600), ("2026-11", 270)], 0),
            date!(2026 - 11 - 20),
        )
        .unwrap();
    assert_eq!(
        (b.included_minutes, b.used_minutes, b.left_minutes),
        (1200, 870, 330)
    );
    assert!(!b.low, "27.5 % left is not under 20 %");
    let b = block
        .balance(&usage(&[("2026-02", 1000)], 0), date!(2026 - 11 - 20))
        .unwrap();
    assert!(b.low, "200 of 1,200 minutes left is under 20 %");
    let b = block
        .balance(&usage(&[("2026-02", 1000)], 600), date!(2026 - 11 - 20))
        .unwrap();
    assert_eq!(
        (b.included_minutes, b.left_minutes, b.low),
        (1800, 800, false)
    );
    let over = block
        .balance(&usage(&[("2026-03", 1300)], 0), date!(2026 - 11 - 20))
        .unwrap();
    assert_eq!(over.left_minutes, -100);
}

#[test]
fn a_retainer_counts_the_current_period_only() {
    let retainer = agreement(AgreementKind::Retainer, 10 * 60);
    // Quarterly from January: November is in the quarter October to December.
    assert_eq!(
        retainer.period(date!(2026 - 11 - 20)),
        (date!(2026 - 10 - 01), Some(date!(2026 - 12 - 31)))
    );
    assert_eq!(
        retainer.period(date!(2026 - 02 - 01)),
        (date!(2026 - 01 - 15), Some(date!(2026 - 03 - 31)))
    );
    let b = retainer
        .balance(
            &Usage {
                periods: [("2026-07".to_owned(), 500), ("2026-10".to_owned(), 180)].into(),
                ..Usage::default()
            },
            date!(2026 - 11 - 20),
        )
        .unwrap();
    assert_eq!((b.used_minutes, b.left_minutes), (180, 420));
    assert_eq!(retainer.period_key(date!(2026 - 11 - 20)), "2026-10");
    assert!(
        agreement(AgreementKind::TimeAndMaterials, 0)
            .balance(&Usage::default(), date!(2026 - 11 - 20))
            .is_none()
    );
}

#[test]
fn time_counts_against_an_agreement_in_force_that_covers_the_type_prepaid_hours_first() {
    let mut managed = agreement(AgreementKind::ManagedServices, 0);
    managed.covers = vec!["Printer".into()];
    let block = agreement(AgreementKind::Block, 600);
    let mut old = agreement(AgreementKind::Retainer, 600);
    old.end_date = Some(date!(2026 - 03 - 31));
    let all = vec![managed.clone(), old.clone(), block.clone()];
    let day = date!(2026 - 11 - 20);
    assert_eq!(
        default_agreement(&all, "Printer", day).map(|a| a.kind),
        Some(AgreementKind::Block)
    );
    assert_eq!(
        default_agreement(&all[..2], "Printer", day).map(|a| a.kind),
        Some(AgreementKind::ManagedServices)
    );
    assert!(default_agreement(&all[..2], "Network", day).is_none());
    assert_eq!(
        default_agreement(&all[..2], "Network", date!(2026 - 02 - 01)).map(|a| a.kind),
        Some(AgreementKind::Retainer)
    );
    assert_eq!(old.effective_status(day), AgreementStatus::Expired);
    old.auto_renew = true;
    assert_eq!(old.effective_status(day), AgreementStatus::Active);

    let body = |agreement: Option<&str>, minutes: i64| TimeEntryBody {
        date: "2026-11-20".into(),
        minutes,
        work_type: WorkType::Remote,
        billable: None,
        note: " Replaced the toner ".into(),
        internal: false,
        agreement_id: agreement.map(str::to_owned),
        version: None,
    };
    let checked = body(None, 42).check(day, &all, "Printer").unwrap();
    assert_eq!(
        checked.agreement.map(|a| a.kind),
        Some(AgreementKind::Block)
    );
    assert!(checked.billable);
    assert_eq!(checked.note, "Replaced the toner");
    assert!(
        body(Some(""), 42)
            .check(day, &all, "Printer")
            .unwrap()
            .agreement
            .is_none()
    );
    let fields = |r: Result<CheckedEntry<'_>, DomainError>| match r {
        Err(DomainError::Validation(errors)) => {
            errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
        }
        _ => Vec::new(),
    };
    assert_eq!(
        fields(body(Some(managed.id.as_str()), 42).check(day, &all, "Network")),
        ["agreement_id"]
    );
    assert_eq!(
        fields(body(Some(old.id.as_str()), 42).check(day, &all[..2], "Network")),
        ["agreement_id"],
        "ended in March"
    );
    assert_eq!(
        fields(body(Some("nope"), 0).check(day, &all, "Printer")),
        ["minutes", "agreement_id"]
    );
    assert_eq!(
        fields(body(None, 1441).check(day, &all, "Printer")),
        ["minutes"]
    );
    let mut future = body(None, 6);
    future.date = "2026-11-23".into();
    assert_eq!(fields(future.check(day, &all, "Printer")), ["date"]);
}

#[test]
fn counter_moves_restore_exactly() {
    let block = agreement(AgreementKind::Block, 600);
    let mut other = agreement(AgreementKind::TimeAndMaterials, 0);
    other.id = BillingId::derived(&["other"]);
    let book = AgreementBook {
        agreements: vec![block.clone(), other.clone()],
        ..AgreementBook::default()
    };
    let entry = time_on(1001, 90, Some(&block));
    let mv = |a: &Agreement, tally: Tally, key: &str, delta: i64| Move {
        agreement: a.id.clone(),
        tally,
        key: key.into(),
        delta,
    };
    assert_eq!(
        book.moves(None, Some(&entry)),
        vec![
            mv(&block, Tally::Month, "2026-11", 90),
            mv(&block, Tally::Period, "block", 90)
        ]
    );
    let mut longer = entry.clone();
    longer.minutes = 120;
    assert_eq!(
        book.moves(Some(&entry), Some(&longer)),
        vec![
            mv(&block, Tally::Month, "2026-11", 30),
            mv(&block, Tally::Period, "block", 30)
        ]
    );
    let mut moved = entry.clone();
    moved.agreement_id = Some(other.id.clone());
    moved.date = date!(2026 - 10 - 31);
    assert_eq!(
        book.moves(Some(&entry), Some(&moved)),
        vec![
            mv(&block, Tally::Month, "2026-11", -90),
            mv(&block, Tally::Period, "block", -90),
            mv(&other, Tally::Month, "2026-10", 90),
        ],
        "time and materials keeps months only"
    );
    assert!(book.moves(Some(&entry), Some(&entry)).is_empty());
    let mut hidden = entry;
    hidden.internal = true;
    hidden.note = "internal".into();
    assert_eq!(hidden.for_client().note, "");
}

#[test]
fn an_agreement_body_is_checked_whole() {
    let company = crate::domain::account::Company::new(
        CompanyId::parse("acme-dental").unwrap(),
        "Acme Dental",
        crate::domain::CompanyKind::Client,
        datetime!(2026-01-01 0:00 UTC),
    );
    let types = vec!["Printer".to_owned(), "Network".to_owned()];
    let body = |kind: AgreementKind, included: i64| AgreementBody {
        company_id: None,
        name: "Prepaid hours".into(),
        kind,
        status: None,
        start_date: "2026-01-01".into(),
        end_date: Some("2025-12-31".into()),
        auto_renew: false,
        billing_cycle: None,
        currency: None,
        fee: -1,
        rate: 0,
        included_minutes: included,
        covers: vec!["Printer".into(), "Toaster".into()],
        low_balance_percent: Some(101),
        block_sizes: vec![10],
        targets: None,
        version: None,
    };
    let mut a = Agreement::blank(&company, datetime!(2026-01-01 0:00 UTC));
    let Err(DomainError::Validation(errors)) =
        body(AgreementKind::Block, 0).apply(&mut a, &types, &Currency::usd())
    else {
        panic!("refused");
    };
    let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "end_date",
            "fee",
            "included_minutes",
            "covers",
            "low_balance_percent",
            "rate"
        ]
    );
    let mut good = body(AgreementKind::Block, 1200);
    good.end_date = None;
    good.fee = 0;
    good.rate = 12_000;
    good.covers = vec!["Printer".into(), "Printer".into()];
    good.low_balance_percent = None;
    good.block_sizes = vec![20, 10, 20];
    good.apply(&mut a, &types, &Currency::usd()).unwrap();
    assert_eq!(
        (a.covers.len(), a.block_sizes.clone(), a.low_balance_percent),
        (1, vec![10, 20], 20)
    );
    let mut tm = body(AgreementKind::TimeAndMaterials, 60);
    tm.end_date = None;
    tm.fee = 0;
    tm.covers.clear();
    tm.low_balance_percent = None;
    let Err(DomainError::Validation(errors)) = tm.apply(&mut a, &types, &Currency::usd()) else {
        panic!("refused");
    };
    assert_eq!(
        errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
        ["included_minutes", "block_sizes"]
    );
}

#[test]
fn a_fall_under_the_low_share_is_guarded_marked_once_and_cleared_when_topped_up() {
    let block = agreement(AgreementKind::Block, 600);
    let day = date!(2026 - 11 - 20);
    let mut book = AgreementBook {
        agreements: vec![block.clone()],
        usage: [(block.id.as_str().to_owned(), usage(&[("2026-11", 400)], 0))].into(),
        version: 1,
    };
    let take = |m: i64| {
        vec![
            Move {
                agreement: block.id.clone(),
                tally: Tally::Month,
                key: "2026-11".into(),
                delta: m,
            },
            Move {
                agreement: block.id.clone(),
                tally: Tally::Period,
                key: "block".into(),
                delta: m,
            },
        ]
    };
    // 600 minutes, low under 20 %: at most 480 used while not low. 400 + 60 read: the write
    // holds only if no more than 420 were used when it lands.
    assert_eq!(
        book.guards(&take(60), None, day),
        vec![(
            block.id.clone(),
            Guard::AtMost {
                period: "block".into(),
                used: 420
            }
        )]
    );
    assert_eq!(
        book.guards(&take(90), None, day),
        vec![(block.id.clone(), Guard::Mark("block".into()))]
    );
    book.usage.get_mut(block.id.as_str()).unwrap().low_notified = Some("block".into());
    assert!(book.guards(&take(90), None, day).is_empty(), "emailed once");
    assert_eq!(
        book.guards(&Vec::new(), Some((&block.id, 600)), day),
        vec![(block.id.clone(), Guard::Clear)]
    );
    assert_eq!(
        book.guards(&take(-300), None, day),
        vec![(block.id.clone(), Guard::Clear)]
    );
    // Taking time back while not low needs no guard.
    book.usage.get_mut(block.id.as_str()).unwrap().low_notified = None;
    assert!(book.guards(&take(-60), None, day).is_empty());
}

#[test]
fn minutes_read_as_hours_and_minutes() {
    assert_eq!(format_minutes(90), "1 h 30 min");
    assert_eq!(format_minutes(45), "45 min");
    assert_eq!(format_minutes(120), "2 h");
    assert_eq!(format_minutes(-100), "-1 h 40 min");
}

/// A billable entry of `minutes` on ticket `ticket`, against `agreement` if any.
fn time_on(ticket: u64, minutes: i64, agreement: Option<&Agreement>) -> TimeEntry {
    TimeEntry {
        id: BillingId::derived(&["e", &ticket.to_string(), &minutes.to_string()]),
        company_id: CompanyId::parse("acme-dental").unwrap(),
        ticket_number: ticket,
        ticket_summary: format!("Ticket {ticket}"),
        date: date!(2026 - 11 - 20),
        minutes,
        work_type: WorkType::Remote,
        billable: true,
        note: String::new(),
        internal: false,
        agreement_id: agreement.map(|a| a.id.clone()),
        agreement_name: agreement.map(|a| a.name.clone()),
        agreement_kind: agreement.map(|a| a.kind),
        by_id: UserId::parse("u1").unwrap(),
        by_name: "Tess".into(),
        billed: None,
        created_at: datetime!(2026-11-20 10:00 UTC),
        updated_at: datetime!(2026-11-20 10:00 UTC),
        version: 1,
    }
}

#[test]
fn time_is_invoiced_per_ticket_and_hours_over_per_block() {
    let mut tm = agreement(AgreementKind::TimeAndMaterials, 0);
    tm.rate = 15_000;
    let block = agreement(AgreementKind::Block, 600);
    let mut book = AgreementBook {
        agreements: vec![tm.clone(), block.clone()],
        ..AgreementBook::default()
    };
    // The block: 600 minutes, 60 bought, 750 used, 30 of the 90 over billed already.
    book.usage.insert(
        block.id.to_string(),
        Usage {
            periods: [("block".to_owned(), 750)].into(),
            bought: 60,
            over_billed: [("block".to_owned(), 30)].into(),
            ..Usage::default()
        },
    );
    let unbilled = vec![
        time_on(7, 90, Some(&tm)),
        time_on(7, 30, Some(&tm)),
        time_on(8, 45, None),
        time_on(9, 60, Some(&block)), // covered by the block: never billed entry by entry
    ];
    let usd = Currency::usd();
    let plan = time_to_bill(&book, unbilled.clone(), None, &usd, date!(2026 - 11 - 30));
    let described: Vec<(&str, String, i64)> = plan
        .lines
        .iter()
        .map(|l| (l.description.as_str(), l.quantity.to_string(), l.amount))
        .collect();
    assert_eq!(
        described,
        [
            ("#7 Ticket 7: 2 h", "2".to_owned(), 30_000),
            ("Block: 1 h past the block's hours", "1".to_owned(), 12_000),
        ]
    );
    assert_eq!(plan.tickets, [7]);
    assert_eq!(plan.entries.len(), 2);
    assert_eq!(
        plan.without_rate_minutes, 45,
        "no agreement and no rate: left out"
    );
    assert_eq!(plan.overage[0].minutes, 60);
    assert_eq!(plan.overage[0].billed_before, 30);
    let with_rate = time_to_bill(
        &book,
        unbilled.clone(),
        Some(9_000),
        &usd,
        date!(2026 - 11 - 30),
    );
    assert_eq!(with_rate.lines[1].description, "#8 Ticket 8: 45 min");
    assert_eq!(with_rate.lines[1].amount, 6_750);
    assert_eq!(with_rate.billed().entries.len(), 3);
    // Time after the date asked for waits; so does time in another currency.
    let early = time_to_bill(&book, unbilled, None, &usd, date!(2026 - 11 - 19));
    assert!(early.entries.is_empty());
    let eur = Currency::parse("EUR").unwrap();
    assert!(
        time_to_bill(
            &book,
            vec![time_on(7, 90, Some(&tm))],
            None,
            &eur,
            date!(2026 - 11 - 30)
        )
        .lines
        .is_empty()
    );
}

#[test]
fn one_draft_takes_at_most_its_share_of_entries() {
    let mut tm = agreement(AgreementKind::TimeAndMaterials, 0);
    tm.rate = 10_000;
    let book = AgreementBook {
        agreements: vec![tm.clone()],
        ..AgreementBook::default()
    };
    let many: Vec<TimeEntry> = (0..60)
        .map(|i| {
            let mut e = time_on(100 + i / 2, 6, Some(&tm));
            e.id = BillingId::derived(&["many", &i.to_string()]);
            e
        })
        .collect();
    let plan = time_to_bill(&book, many, None, &Currency::usd(), date!(2026 - 11 - 30));
    assert_eq!(plan.entries.len(), MAX_BILLED_ENTRIES);
    assert!(plan.more);
    assert_eq!(plan.lines.len(), 23, "45 entries, two a ticket");
    let mut billed = time_on(7, 30, Some(&tm));
    billed.billed = Some(BilledBy {
        invoice_id: BillingId::derived(&["inv"]),
    });
    assert!(!billed.to_invoice());
}
