//! Business-time arithmetic across weekends, holidays, clock changes and time zones, with fixed
//! instants (no clock is read).

use super::*;
use time::macros::{date, datetime};

fn hours(zone: &str, days: &[(Weekday, &str, &str)], holidays: &[Date]) -> BusinessHours {
    BusinessHours {
        time_zone: zone.into(),
        days: days
            .iter()
            .map(|(day, opens, closes)| OpenHours {
                day: *day,
                opens: (*opens).into(),
                closes: (*closes).into(),
            })
            .collect(),
        holidays: holidays
            .iter()
            .map(|d| Holiday {
                date: *d,
                name: "Holiday".into(),
            })
            .collect(),
    }
}

fn weekdays(zone: &str, holidays: &[Date]) -> Calendar {
    use Weekday::*;
    let days: Vec<_> = [Monday, Tuesday, Wednesday, Thursday, Friday]
        .into_iter()
        .map(|d| (d, "08:00", "17:00"))
        .collect();
    hours(zone, &days, holidays).calendar("hours").unwrap()
}

#[test]
fn a_ticket_raised_on_friday_evening_is_due_on_monday_not_saturday() {
    let ny = weekdays("America/New_York", &[]);
    // Friday 2026-12-04 18:00 in New York (EST, UTC-5).
    let raised = datetime!(2026-12-04 23:00 UTC);
    assert_eq!(
        ny.add(raised, 4 * 60),
        Some(datetime!(2026-12-07 17:00 UTC))
    );
    // During the day: an hour later; across the evening: the rest next morning.
    let tuesday_ten = datetime!(2026-12-08 15:00 UTC);
    assert_eq!(
        ny.add(tuesday_ten, 60),
        Some(datetime!(2026-12-08 16:00 UTC))
    );
    assert_eq!(
        ny.add(tuesday_ten, 8 * 60),
        Some(datetime!(2026-12-09 14:00 UTC))
    );
    // Exactly at closing time: due then, not the next morning.
    assert_eq!(
        ny.add(tuesday_ten, 7 * 60),
        Some(datetime!(2026-12-08 22:00 UTC))
    );
}

#[test]
fn holidays_are_skipped_like_weekends() {
    let ny = weekdays(
        "America/New_York",
        &[date!(2026 - 12 - 07), date!(2026 - 12 - 25)],
    );
    let raised = datetime!(2026-12-04 23:00 UTC);
    // Monday is a holiday: due Tuesday at 12:00 EST.
    assert_eq!(
        ny.add(raised, 4 * 60),
        Some(datetime!(2026-12-08 17:00 UTC))
    );
    // Thursday 24th 16:00, Christmas Friday: one hour Thursday, the rest Monday 28th.
    let christmas_eve = datetime!(2026-12-24 21:00 UTC);
    assert_eq!(
        ny.add(christmas_eve, 3 * 60),
        Some(datetime!(2026-12-28 15:00 UTC))
    );
}

#[test]
fn clock_changes_move_the_opening_hour_not_the_count() {
    let ny = weekdays("America/New_York", &[]);
    // Friday 2026-03-06 16:00 EST; the clocks go forward on Sunday the 8th: Monday opens at
    // 08:00 EDT (12:00 UTC).
    let friday = datetime!(2026-03-06 21:00 UTC);
    assert_eq!(
        ny.add(friday, 2 * 60),
        Some(datetime!(2026-03-09 13:00 UTC))
    );
    // Open all day every day: 24 business hours are 24 real hours, across the short Sunday.
    use Weekday::*;
    let all: Vec<_> = [
        Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
    ]
    .into_iter()
    .map(|d| (d, "00:00", "24:00"))
    .collect();
    let always = hours("America/New_York", &all, &[]).calendar("h").unwrap();
    let saturday_noon = datetime!(2026-03-07 17:00 UTC);
    assert_eq!(
        always.add(saturday_noon, 24 * 60),
        Some(datetime!(2026-03-08 17:00 UTC))
    );
    // And in autumn, across the long Sunday (clocks back on 2026-11-01).
    let october_31 = datetime!(2026-10-31 16:00 UTC);
    assert_eq!(
        always.add(october_31, 24 * 60),
        Some(datetime!(2026-11-01 16:00 UTC))
    );
    // London's clocks go back on 2026-10-25: Monday opens at 08:00 GMT (08:00 UTC), a week
    // earlier at 08:00 BST (07:00 UTC).
    let london = weekdays("Europe/London", &[]);
    assert_eq!(
        london.add(datetime!(2026-10-23 18:00 UTC), 30),
        Some(datetime!(2026-10-26 08:30 UTC))
    );
    assert_eq!(
        london.add(datetime!(2026-10-16 18:00 UTC), 30),
        Some(datetime!(2026-10-19 07:30 UTC))
    );
}

#[test]
fn the_same_instant_is_a_different_business_day_in_each_zone() {
    let at = datetime!(2026-12-04 07:00 UTC); // Friday
    // London: 07:00, before opening: 08:00 + 1 h.
    assert_eq!(
        weekdays("Europe/London", &[]).add(at, 60),
        Some(datetime!(2026-12-04 09:00 UTC))
    );
    // Tokyo: 16:00, one hour before closing.
    assert_eq!(
        weekdays("Asia/Tokyo", &[]).add(at, 60),
        Some(datetime!(2026-12-04 08:00 UTC))
    );
    // Tokyo, two hours: the second one from Monday 08:00 JST, so due 09:00 JST (00:00 UTC).
    assert_eq!(
        weekdays("Asia/Tokyo", &[]).add(at, 120),
        Some(datetime!(2026-12-07 00:00 UTC))
    );
    // Los Angeles: Thursday 23:00, so Friday 08:00 PST + 1 h.
    assert_eq!(
        weekdays("America/Los_Angeles", &[]).add(at, 60),
        Some(datetime!(2026-12-04 17:00 UTC))
    );
}

#[test]
fn bad_hours_are_refused_field_by_field() {
    use Weekday::*;
    let zone = hours("Mars/Olympus", &[(Monday, "08:00", "17:00")], &[]);
    let errors = zone.calendar("business_hours").unwrap_err();
    assert_eq!(errors[0].field, "business_hours.time_zone");
    for days in [
        vec![(Monday, "17:00", "08:00")],
        vec![(Monday, "8am", "17:00")],
        vec![(Monday, "08:00", "24:30")],
        vec![(Monday, "08:00", "12:00"), (Monday, "13:00", "17:00")],
        vec![],
    ] {
        let errors = hours("UTC", &days, &[]).calendar("h").unwrap_err();
        assert_eq!(errors[0].field, "h.days", "{days:?}");
    }
    let mut blank = hours(
        "UTC",
        &[(Monday, "08:00", "17:00")],
        &[date!(2026 - 12 - 25)],
    );
    blank.holidays[0].name = "  ".into();
    assert_eq!(blank.calendar("h").unwrap_err()[0].field, "h.holidays");
}

#[test]
fn targets_are_checked_per_priority() {
    let mut targets = default_targets();
    assert!(check_targets("targets", &targets).is_empty());
    targets[0].resolution_minutes = Some(30);
    assert_eq!(check_targets("targets", &targets).len(), 1);
    targets[0].resolution_minutes = Some(MAX_TARGET_MINUTES + 1);
    assert_eq!(check_targets("targets", &targets).len(), 1);
    targets[0].resolution_minutes = None;
    targets.push(targets[1].clone());
    assert!(
        check_targets("targets", &targets)[0]
            .message
            .contains("two targets")
    );
}

#[test]
fn a_late_reply_is_a_miss_an_early_one_is_met_and_a_miss_stays() {
    let ny = weekdays("America/New_York", &[]);
    let raised = datetime!(2026-12-08 15:00 UTC); // Tuesday 10:00 EST
    let target = PriorityTarget {
        priority: Priority::High,
        response_minutes: Some(60),
        resolution_minutes: Some(9 * 60),
    };
    let planned = TicketTargets::plan(&ny, &target, raised, None).unwrap();
    assert_eq!(planned.response_due, Some(datetime!(2026-12-08 16:00 UTC)));
    assert_eq!(
        planned.resolution_due,
        Some(datetime!(2026-12-09 15:00 UTC))
    );
    assert_eq!(planned.nearest(), planned.response_due);

    let mut met = planned.clone();
    met.responded(datetime!(2026-12-08 15:30 UTC));
    assert!(!met.response_missed);
    assert_eq!(met.nearest(), met.resolution_due, "next: the resolution");
    // A second reply does not move the first.
    met.responded(datetime!(2026-12-08 18:00 UTC));
    assert_eq!(met.responded_at, Some(datetime!(2026-12-08 15:30 UTC)));

    let mut late = planned.clone();
    // Nothing happened: the job marks the miss once, and again finds nothing new.
    assert!(late.mark(datetime!(2026-12-08 17:00 UTC)));
    assert!(!late.mark(datetime!(2026-12-08 18:00 UTC)));
    late.responded(datetime!(2026-12-08 18:30 UTC));
    assert!(late.response_missed, "a miss stays once replied");
    assert!(!late.resolution_missed);

    // Raised to critical later: new due times, the reply kept.
    let critical = PriorityTarget {
        priority: Priority::Critical,
        response_minutes: Some(30),
        resolution_minutes: Some(120),
    };
    let now = datetime!(2026-12-08 19:00 UTC);
    let again = met
        .replanned(TicketTargets::plan(&ny, &critical, raised, None), now)
        .unwrap();
    assert_eq!(again.response_due, Some(datetime!(2026-12-08 15:30 UTC)));
    assert!(!again.response_missed, "replied at the due minute");
    assert!(
        again.resolution_missed,
        "due 17:00 UTC, not resolved by 19:00"
    );
    assert_eq!(again.agreement, None, "the MSP's own targets");
    // Re-planned under an agreement's targets: the agreement named is that one, not the old one.
    let under = met
        .replanned(
            TicketTargets::plan(&ny, &critical, raised, Some("Gold".into())),
            now,
        )
        .unwrap();
    assert_eq!(under.agreement.as_deref(), Some("Gold"));
    let back = under
        .replanned(TicketTargets::plan(&ny, &critical, raised, None), now)
        .unwrap();
    assert_eq!(back.agreement, None, "back to the MSP's own targets");
    // A priority without targets sets none.
    let none = PriorityTarget {
        priority: Priority::Low,
        response_minutes: None,
        resolution_minutes: None,
    };
    assert_eq!(TicketTargets::plan(&ny, &none, raised, None), None);
}

#[test]
fn due_times_keep_the_start_to_the_nanosecond() {
    use Weekday::*;
    let all: Vec<_> = [
        Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday,
    ]
    .into_iter()
    .map(|d| (d, "00:00", "24:00"))
    .collect();
    let always = hours("UTC", &all, &[]).calendar("h").unwrap();
    let start = datetime!(2026-12-05 01:32:48.975651956 UTC);
    assert_eq!(always.add(start, 60), Some(start + Duration::minutes(60)));
    // Across midnight too (each day's part counted to the nanosecond).
    let late = datetime!(2026-12-04 22:33:27.275639392 UTC);
    assert_eq!(always.add(late, 240), Some(late + Duration::minutes(240)));
}
