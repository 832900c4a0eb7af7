//! Response and resolution targets: the MSP's business hours (time zone, opening hours per
//! weekday, holidays), its targets per priority (an agreement may set its own), and where a ticket
//! stands against them. Only business time counts: a ticket raised on Friday at 18:00 with a
//! four-hour response target, at an MSP open 08:00–17:00 on weekdays, is due on Monday at 12:00.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, OffsetDateTime};
use utoipa::ToSchema;
use utoipa::openapi::schema::Object;

use super::Priority;
use crate::domain::FieldError;
use crate::domain::iso_date;
use crate::domain::validate::schema::{self, Chars};

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    fn of(date: Date) -> Self {
        use time::Weekday as W;
        match date.weekday() {
            W::Monday => Self::Monday,
            W::Tuesday => Self::Tuesday,
            W::Wednesday => Self::Wednesday,
            W::Thursday => Self::Thursday,
            W::Friday => Self::Friday,
            W::Saturday => Self::Saturday,
            W::Sunday => Self::Sunday,
        }
    }
}

/// One weekday's opening hours, in the MSP's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenHours {
    pub day: Weekday,
    /// `HH:MM` on a 24-hour clock.
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub opens: String,
    /// `HH:MM`, after `opens`; `24:00` for midnight.
    #[schema(pattern = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$")]
    pub closes: String,
}

/// A day the MSP is closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    #[schema(schema_with = holiday_name)]
    pub name: String,
}

pub const MAX_HOLIDAYS: usize = 100;
pub const MAX_HOLIDAY_NAME: usize = 60;
/// The longest target, in business minutes (about 185 days of nine hours).
pub const MAX_TARGET_MINUTES: u32 = 100_000;

fn holiday_name() -> Object {
    schema::text(true, MAX_HOLIDAY_NAME, Chars::Any)
}

/// When the MSP works: what targets count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHours {
    /// An IANA time zone, e.g. `America/New_York` or `Europe/London`.
    #[schema(min_length = 1, max_length = 64)]
    pub time_zone: String,
    /// The open days, one entry per weekday at most; a day not listed is closed.
    #[schema(max_items = 7)]
    pub days: Vec<OpenHours>,
    /// Days closed whatever the weekday (at most 100).
    #[schema(max_items = 100)]
    pub holidays: Vec<Holiday>,
}

impl Default for BusinessHours {
    fn default() -> Self {
        use Weekday::*;
        Self {
            time_zone: "America/New_York".into(),
            days: [Monday, Tuesday, Wednesday, Thursday, Friday]
                .map(|day| OpenHours {
                    day,
                    opens: "08:00".into(),
                    closes: "17:00".into(),
                })
                .to_vec(),
            holidays: Vec::new(),
        }
    }
}

/// `HH:MM` as minutes since midnight (`24:00` only where `midnight`).
fn clock_minutes(raw: &str, midnight: bool) -> Option<u32> {
    if midnight && raw == "24:00" {
        return Some(24 * 60);
    }
    let (h, m) = raw.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

impl BusinessHours {
    /// The calendar these hours describe, or each field's error (`{prefix}.time_zone`, …).
    pub fn calendar(&self, prefix: &str) -> Result<Calendar, Vec<FieldError>> {
        let mut errors = Vec::new();
        let field = |name: &str| format!("{prefix}.{name}");
        let tz = match jiff::tz::TimeZone::get(self.time_zone.trim()) {
            Ok(tz) if !self.time_zone.trim().is_empty() => Some(tz),
            _ => {
                errors.push(FieldError::new(
                    &field("time_zone"),
                    "Choose a time zone such as America/New_York or Europe/London",
                ));
                None
            }
        };
        let mut week = [None; 7];
        for open in &self.days {
            let slot = &mut week[open.day as usize];
            match (
                clock_minutes(&open.opens, false),
                clock_minutes(&open.closes, true),
            ) {
                _ if slot.is_some() => errors.push(FieldError::new(
                    &field("days"),
                    format!("{:?} is listed twice", open.day),
                )),
                (Some(opens), Some(closes)) if opens < closes => *slot = Some((opens, closes)),
                (Some(_), Some(_)) => errors.push(FieldError::new(
                    &field("days"),
                    format!("On {:?} the MSP must close after it opens", open.day),
                )),
                _ => errors.push(FieldError::new(
                    &field("days"),
                    "Write times like 08:00 and 17:30",
                )),
            }
        }
        if self.days.is_empty() {
            errors.push(FieldError::new(&field("days"), "Open on one day at least"));
        }
        if self.holidays.len() > MAX_HOLIDAYS {
            errors.push(FieldError::new(
                &field("holidays"),
                format!("At most {MAX_HOLIDAYS} holidays"),
            ));
        }
        for h in &self.holidays {
            let name = h.name.trim();
            if name.is_empty() || h.name.chars().count() > MAX_HOLIDAY_NAME {
                errors.push(FieldError::new(
                    &field("holidays"),
                    format!(
                        "Name each holiday in at most {MAX_HOLIDAY_NAME} characters ({})",
                        h.date
                    ),
                ));
                break;
            }
        }
        match tz {
            Some(tz) if errors.is_empty() => Ok(Calendar {
                tz,
                week,
                holidays: self.holidays.iter().map(|h| h.date).collect(),
            }),
            _ => Err(errors),
        }
    }

    /// Tidied: names trimmed, holidays in date order.
    pub fn tidied(mut self) -> Self {
        self.time_zone = self.time_zone.trim().to_owned();
        for h in &mut self.holidays {
            h.name = h.name.trim().to_owned();
        }
        self.holidays.sort_by_key(|h| h.date);
        self.holidays.dedup_by_key(|h| h.date);
        self.days.sort_by_key(|d| d.day as usize);
        self
    }
}

/// Business hours, checked: what counts business time.
#[derive(Clone, Debug)]
pub struct Calendar {
    tz: jiff::tz::TimeZone,
    /// Opening and closing minute of each weekday (Monday first), `None` when closed.
    week: [Option<(u32, u32)>; 7],
    holidays: BTreeSet<Date>,
}

/// How far ahead a target may fall (a calendar with nothing open for this long has no target).
const HORIZON_DAYS: u32 = 3 * 366;

impl Calendar {
    /// The instant `minutes` of business time after `start`; `None` if nothing is open within
    /// three years.
    pub fn add(&self, start: OffsetDateTime, minutes: u32) -> Option<OffsetDateTime> {
        let mut left = Duration::minutes(i64::from(minutes));
        let mut day = self.local_date(start)?;
        for _ in 0..HORIZON_DAYS {
            if let Some((opens, closes)) = self.open_on(day) {
                let from = self.instant(day, opens)?.max(start);
                let to = self.instant(day, closes)?;
                if from < to {
                    let span = to - from;
                    if left <= span {
                        return Some(from + left);
                    }
                    left -= span;
                }
            }
            day = day.next_day()?;
        }
        None
    }

    /// The hours of `day` (local), unless it is a holiday or a closed weekday.
    fn open_on(&self, day: Date) -> Option<(u32, u32)> {
        if self.holidays.contains(&day) {
            return None;
        }
        self.week[Weekday::of(day) as usize]
    }

    /// The local date at `at`.
    fn local_date(&self, at: OffsetDateTime) -> Option<Date> {
        let stamp = jiff::Timestamp::from_second(at.unix_timestamp()).ok()?;
        let local = self.tz.to_datetime(stamp).date();
        let month = time::Month::try_from(u8::try_from(local.month()).ok()?).ok()?;
        Date::from_calendar_date(
            i32::from(local.year()),
            month,
            u8::try_from(local.day()).ok()?,
        )
        .ok()
    }

    /// The instant of local `day` at `minute` past midnight (a time skipped by a clock change
    /// counts as the time after it; a repeated one as its first occurrence).
    fn instant(&self, day: Date, minute: u32) -> Option<OffsetDateTime> {
        if minute >= 24 * 60 {
            return self.instant(day.next_day()?, minute - 24 * 60);
        }
        let civil = jiff::civil::DateTime::new(
            i16::try_from(day.year()).ok()?,
            i8::try_from(u8::from(day.month())).ok()?,
            i8::try_from(day.day()).ok()?,
            i8::try_from(minute / 60).ok()?,
            i8::try_from(minute % 60).ok()?,
            0,
            0,
        )
        .ok()?;
        let stamp = self.tz.to_ambiguous_timestamp(civil).compatible().ok()?;
        OffsetDateTime::from_unix_timestamp(stamp.as_second()).ok()
    }
}

/// The targets for one priority, in business minutes (`null`: none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTarget {
    pub priority: Priority,
    /// To the MSP's first public reply.
    #[schema(minimum = 1, maximum = 100000)]
    pub response_minutes: Option<u32>,
    /// To the ticket being resolved; not shorter than the response target.
    #[schema(minimum = 1, maximum = 100000)]
    pub resolution_minutes: Option<u32>,
}

/// The MSP's default targets: an hour to answer a critical ticket, a working day to a low one.
pub fn default_targets() -> Vec<PriorityTarget> {
    [
        (Priority::Critical, 60, 4 * 60),
        (Priority::High, 2 * 60, 9 * 60),
        (Priority::Medium, 4 * 60, 18 * 60),
        (Priority::Low, 9 * 60, 45 * 60),
    ]
    .map(|(priority, response, resolution)| PriorityTarget {
        priority,
        response_minutes: Some(response),
        resolution_minutes: Some(resolution),
    })
    .to_vec()
}

/// The errors of a list of targets sent as `field`: each priority once, minutes in range, the
/// resolution not before the response.
pub fn check_targets(field: &str, targets: &[PriorityTarget]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let mut seen = Vec::new();
    for t in targets {
        if seen.contains(&t.priority) {
            errors.push(FieldError::new(
                field,
                format!("{:?} has two targets", t.priority),
            ));
        }
        seen.push(t.priority);
        for minutes in [t.response_minutes, t.resolution_minutes]
            .into_iter()
            .flatten()
        {
            if !(1..=MAX_TARGET_MINUTES).contains(&minutes) {
                errors.push(FieldError::new(
                    field,
                    format!("Targets are 1 to {MAX_TARGET_MINUTES} business minutes"),
                ));
            }
        }
        if let (Some(response), Some(resolution)) = (t.response_minutes, t.resolution_minutes)
            && resolution < response
        {
            errors.push(FieldError::new(
                field,
                format!(
                    "The {:?} resolution target cannot come before its response target",
                    t.priority
                ),
            ));
        }
    }
    errors
}

/// Where a ticket stands against its targets. Set when it is raised; a change of priority sets
/// new due times; a miss is marked by the change that comes late or, without any activity, by
/// the hourly job, and stays.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TicketTargets {
    /// When the MSP's first public reply is due.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub response_due: Option<OffsetDateTime>,
    /// When the ticket should be resolved.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolution_due: Option<OffsetDateTime>,
    /// When the MSP first replied in public.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub responded_at: Option<OffsetDateTime>,
    /// When it was resolved (cleared if it is reopened).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub resolved_at: Option<OffsetDateTime>,
    /// The response target passed before the reply.
    #[serde(default)]
    pub response_missed: bool,
    /// The resolution target passed before the resolution.
    #[serde(default)]
    pub resolution_missed: bool,
    /// The agreement whose targets apply, if not the MSP's own.
    #[serde(default)]
    pub agreement: Option<String>,
}

impl TicketTargets {
    /// The due times of `target` counted from `from`; `None` if it sets none.
    pub fn plan(
        calendar: &Calendar,
        target: &PriorityTarget,
        from: OffsetDateTime,
        agreement: Option<String>,
    ) -> Option<Self> {
        let due = |minutes: Option<u32>| minutes.and_then(|m| calendar.add(from, m));
        let planned = Self {
            response_due: due(target.response_minutes),
            resolution_due: due(target.resolution_minutes),
            agreement,
            ..Self::default()
        };
        (planned.response_due.is_some() || planned.resolution_due.is_some()).then_some(planned)
    }

    /// New due times (a change of priority), the reply and resolution kept; misses judged anew.
    /// The agreement named is the one whose targets the new due times come from.
    pub fn replanned(&self, planned: Option<Self>, now: OffsetDateTime) -> Option<Self> {
        let mut next = planned?;
        next.responded_at = self.responded_at;
        next.resolved_at = self.resolved_at;
        next.mark(now);
        Some(next)
    }

    /// Mark the targets that passed unmet by `now`; whether a mark was added.
    pub fn mark(&mut self, now: OffsetDateTime) -> bool {
        let missed = |due: Option<OffsetDateTime>, met: Option<OffsetDateTime>| {
            due.is_some_and(|due| met.unwrap_or(now) > due)
        };
        let before = (self.response_missed, self.resolution_missed);
        self.response_missed |= missed(self.response_due, self.responded_at);
        self.resolution_missed |= missed(self.resolution_due, self.resolved_at);
        before != (self.response_missed, self.resolution_missed)
    }

    /// The first public reply from the MSP, at `at` (the first one counts; `mark` judges it).
    pub fn responded(&mut self, at: OffsetDateTime) {
        self.responded_at.get_or_insert(at);
    }

    /// The nearest target not met yet (the queue sorts by it).
    pub fn nearest(&self) -> Option<OffsetDateTime> {
        let response = self.response_due.filter(|_| self.responded_at.is_none());
        let resolution = self.resolution_due.filter(|_| self.resolved_at.is_none());
        match (response, resolution) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// The targets of a new ticket of `request_type` and `priority` raised at `at`: those of an
/// agreement of the company in force that covers the type and sets targets for the priority
/// (prepaid hours first, then the oldest), else the MSP's. `None` when neither sets any.
pub fn plan_targets(
    settings: &super::TicketSettings,
    agreements: &[crate::domain::agreements::Agreement],
    request_type: &str,
    priority: Priority,
    at: OffsetDateTime,
) -> Option<TicketTargets> {
    let agreement = agreements
        .iter()
        .filter(|a| {
            a.in_force(at.date())
                && a.covers(request_type)
                && a.targets.iter().any(|t| t.priority == priority)
        })
        .min_by_key(|a| (a.kind.preference(), a.start_date, a.id.as_str().to_owned()));
    let target = settings.target(priority, agreement.map(|a| a.targets.as_slice()))?;
    TicketTargets::plan(
        &settings.calendar()?,
        target,
        at,
        agreement.map(|a| a.name.clone()),
    )
}

impl super::Ticket {
    /// Set a new priority at `now`: the due times become those of the new priority, counted from
    /// when the ticket was raised; what was met stays met.
    pub fn reprioritise(
        &mut self,
        priority: Priority,
        settings: &super::TicketSettings,
        agreements: &[crate::domain::agreements::Agreement],
        now: OffsetDateTime,
    ) {
        if priority == self.priority {
            return;
        }
        self.priority = priority;
        let planned = plan_targets(
            settings,
            agreements,
            &self.request_type,
            priority,
            self.created_at,
        );
        let before = self.work.targets.clone().unwrap_or_default();
        self.work.targets = before.replanned(planned, now);
    }
}

#[cfg(test)]
mod tests;
