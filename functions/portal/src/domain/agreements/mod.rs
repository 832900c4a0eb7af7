//! Agreements (what a client bought: managed services, a block of prepaid hours, time and
//! materials, a retainer with hours included per period) and the time technicians log on tickets
//! against them (`time`). Hours are kept as whole minutes; how much of an agreement is used is
//! kept on write, per month, by the store (`Usage`), and the balance is worked out from that
//! here (`Agreement::balance`). How it works: docs/agreements.md.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, Month, OffsetDateTime};
use utoipa::ToSchema;

use crate::domain::billing::{BillingId, Currency};
use crate::domain::{CompanyId, iso_date};

mod body;
mod invoicing;
#[cfg(test)]
mod tests;
mod time_entries;
pub use body::*;
pub use invoicing::*;
pub use time_entries::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementKind {
    /// A flat fee per period for the services named.
    ManagedServices,
    /// A block of prepaid hours, used until gone (more can be bought).
    Block,
    /// Every hour billed at the rate.
    TimeAndMaterials,
    /// A fee per period with hours included in each period.
    Retainer,
}

impl AgreementKind {
    /// Whether it has hours to use up (and so a balance).
    pub fn hour_based(self) -> bool {
        matches!(self, Self::Block | Self::Retainer)
    }

    /// Which agreement time counts against when several cover a ticket: prepaid hours first.
    pub(crate) fn preference(self) -> u8 {
        match self {
            Self::Block => 0,
            Self::Retainer => 1,
            Self::TimeAndMaterials => 2,
            Self::ManagedServices => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    Active,
    Expired,
    Cancelled,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingCycle {
    Monthly,
    Quarterly,
    Annually,
    /// Billed once (a block, a fixed term): one period, the whole agreement.
    OneTime,
}

impl BillingCycle {
    /// Months per period; `None` for one period only.
    fn months(self) -> Option<i32> {
        match self {
            Self::Monthly => Some(1),
            Self::Quarterly => Some(3),
            Self::Annually => Some(12),
            Self::OneTime => None,
        }
    }
}

/// An agreement, as stored and as the MSP reads it.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Agreement {
    pub id: BillingId,
    pub company_id: CompanyId,
    pub company_name: String,
    pub name: String,
    pub kind: AgreementKind,
    /// As the MSP set it; see `effective_status` for what applies today.
    pub status: AgreementStatus,
    #[serde(with = "iso_date")]
    #[schema(value_type = String, format = Date)]
    pub start_date: Date,
    #[serde(default, with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<Date>,
    /// Renews at the end date instead of expiring.
    pub auto_renew: bool,
    pub billing_cycle: BillingCycle,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Flat fee per period, minor units (managed services, retainer).
    pub fee: i64,
    /// Rate per hour, minor units (time and materials, hours over a block, bought hours).
    pub rate: i64,
    /// Block: the hours of the block; retainer: the hours included in each period (minutes).
    pub included_minutes: i64,
    /// Request types it covers; empty: every type.
    pub covers: Vec<String>,
    /// A block or retainer is low when less than this share of its hours is left.
    pub low_balance_percent: u8,
    /// Block: the sizes (hours) a client may buy online, at `rate` per hour.
    pub block_sizes: Vec<u32>,
    /// Response and resolution targets of its company's tickets, per priority, in place of the
    /// MSP's (a priority not listed keeps the MSP's).
    #[serde(default)]
    pub targets: Vec<crate::domain::tickets::PriorityTarget>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    pub version: u64,
}

/// What the store keeps on write about an agreement's hours: minutes used in each month
/// (`yyyy-mm`) and in each period (`Agreement::period_key`), minutes bought on top of the block,
/// the period a low-balance email was sent for, and the minutes past its hours invoiced per period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Usage {
    pub months: BTreeMap<String, i64>,
    pub periods: BTreeMap<String, i64>,
    pub bought: i64,
    pub low_notified: Option<String>,
    pub over_billed: BTreeMap<String, i64>,
}

impl Usage {
    /// This usage of agreement `id` once `moves` are applied.
    pub fn moved(&self, id: &BillingId, moves: &CounterMoves) -> Usage {
        let mut usage = self.clone();
        for m in moves.iter().filter(|m| m.agreement == *id) {
            let counters = match m.tally {
                Tally::Month => &mut usage.months,
                Tally::Period => &mut usage.periods,
            };
            *counters.entry(m.key.clone()).or_default() += m.delta;
        }
        usage
    }
}

/// Minutes used in one month.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct MonthUsage {
    /// `yyyy-mm`.
    pub month: String,
    pub minutes: i64,
}

/// Hours of a block or retainer (in minutes): included or bought, used, left.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct HoursBalance {
    /// Block: its hours plus those bought; retainer: the hours of the current period.
    pub included_minutes: i64,
    pub used_minutes: i64,
    /// May be negative: hours used past the block (billed at the rate).
    pub left_minutes: i64,
    /// The current period of a retainer (`yyyy-mm-dd`, both ends included); a block's is the whole.
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub period_start: Option<Date>,
    #[serde(with = "iso_date::option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub period_end: Option<Date>,
    /// Less than `low_balance_percent` of the hours left.
    pub low: bool,
}

/// `yyyy-mm` of a date: the month key of the usage counters.
pub fn month_key(date: Date) -> String {
    format!("{:04}-{:02}", date.year(), u8::from(date.month()))
}

/// The first day of the month `months` after `date`'s month.
fn add_months(date: Date, months: i32) -> Date {
    let index = date.year() * 12 + i32::from(u8::from(date.month())) - 1 + months;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1))
        .unwrap_or(Month::January);
    Date::from_calendar_date(index.div_euclid(12), month, 1).unwrap_or(date)
}

impl Agreement {
    /// What applies on `today`: an active agreement past its end date has expired, unless it renews.
    pub fn effective_status(&self, today: Date) -> AgreementStatus {
        match self.status {
            AgreementStatus::Active
                if !self.auto_renew && self.end_date.is_some_and(|end| end < today) =>
            {
                AgreementStatus::Expired
            }
            status => status,
        }
    }

    /// Whether time on `date` may count against it: in force on that date.
    pub fn in_force(&self, date: Date) -> bool {
        self.status == AgreementStatus::Active
            && self.start_date <= date
            && (self.auto_renew || self.end_date.is_none_or(|end| date <= end))
    }

    /// Whether it covers tickets of `request_type`.
    pub fn covers(&self, request_type: &str) -> bool {
        self.covers.is_empty() || self.covers.iter().any(|t| t == request_type)
    }

    /// The period `date` falls in: `(first day, last day)`; the whole agreement for a block or a
    /// one-time cycle.
    pub fn period(&self, date: Date) -> (Date, Option<Date>) {
        let Some(months) = self
            .billing_cycle
            .months()
            .filter(|_| self.kind != AgreementKind::Block)
        else {
            return (self.start_date, self.end_date);
        };
        let start = add_months(self.start_date, 0);
        let elapsed = (date.year() - start.year()) * 12 + i32::from(u8::from(date.month()))
            - i32::from(u8::from(start.month()));
        let first = add_months(start, elapsed.max(0) / months * months);
        let last = add_months(first, months).previous_day();
        (first.max(self.start_date), last)
    }

    /// Whether a change to `next` would move its periods (refused once time counts against it).
    pub fn periods_differ(&self, next: &Agreement) -> bool {
        (self.kind, self.billing_cycle, self.start_date)
            != (next.kind, next.billing_cycle, next.start_date)
    }

    /// The key of the period `date` is in: `block` for a block (one period, the whole), else the
    /// period's first month. Each period has a counter of its minutes, and gets at most one
    /// low-balance email.
    pub fn period_key(&self, today: Date) -> String {
        if self.kind == AgreementKind::Block {
            "block".into()
        } else {
            month_key(self.period(today).0)
        }
    }

    /// The balance on `today`, from the period counter the store kept; `None` if it has no hours.
    /// (Its kind, cycle and start date do not change once time counts against it, so the
    /// counters' periods stay its periods.)
    pub fn balance(&self, usage: &Usage, today: Date) -> Option<HoursBalance> {
        if !self.kind.hour_based() {
            return None;
        }
        let (start, end) = self.period(today);
        let used = usage
            .periods
            .get(&self.period_key(today))
            .copied()
            .unwrap_or(0);
        let included = if self.kind == AgreementKind::Block {
            self.included_minutes + usage.bought
        } else {
            self.included_minutes
        };
        let left = included - used;
        Some(HoursBalance {
            included_minutes: included,
            used_minutes: used,
            left_minutes: left,
            period_start: Some(start),
            period_end: end,
            low: is_low(included, left, self.low_balance_percent),
        })
    }

    /// Usage by month, oldest first (months with none left out).
    pub fn usage_by_month(usage: &Usage) -> Vec<MonthUsage> {
        usage
            .months
            .iter()
            .filter(|(_, m)| **m != 0)
            .map(|(month, minutes)| MonthUsage {
                month: month.clone(),
                minutes: *minutes,
            })
            .collect()
    }
}

/// Most agreements one company holds (all of them live in one record: see `AgreementBook`).
pub const MAX_AGREEMENTS: usize = 50;

/// A company's agreements and what the store kept about their hours, in one record: reading it
/// is one call, so a ticket and its company's agreements are read together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AgreementBook {
    pub agreements: Vec<Agreement>,
    /// By agreement id.
    pub usage: BTreeMap<String, Usage>,
    /// Of the record (0: none yet); each agreement has its own too.
    pub version: u64,
}

impl AgreementBook {
    pub fn find(&self, id: &str) -> Option<&Agreement> {
        self.agreements.iter().find(|a| a.id.as_str() == id)
    }

    pub fn usage_of(&self, id: &BillingId) -> Usage {
        self.usage.get(id.as_str()).cloned().unwrap_or_default()
    }

    /// The balance of agreement `a` on `today`.
    pub fn balance(&self, a: &Agreement, today: Date) -> Option<HoursBalance> {
        a.balance(&self.usage_of(&a.id), today)
    }

    /// The counter moves of an entry going from `before` to `after` (`None`: not there): its
    /// agreement's month and period counters, merged, zeros left out.
    pub fn moves(&self, before: Option<&TimeEntry>, after: Option<&TimeEntry>) -> CounterMoves {
        let mut moves: CounterMoves = Vec::new();
        let mut add = |entry: &TimeEntry, sign: i64| {
            let Some(id) = &entry.agreement_id else {
                return;
            };
            let mut keys = vec![(Tally::Month, month_key(entry.date))];
            if let Some(a) = self.find(id.as_str()).filter(|a| a.kind.hour_based()) {
                keys.push((Tally::Period, a.period_key(entry.date)));
            }
            for (tally, key) in keys {
                merge(
                    &mut moves,
                    Move {
                        agreement: id.clone(),
                        tally,
                        key,
                        delta: sign * entry.minutes,
                    },
                );
            }
        };
        if let Some(b) = before {
            add(b, -1);
        }
        if let Some(a) = after {
            add(a, 1);
        }
        moves.retain(|m| m.delta != 0);
        moves
    }

    /// What a write moving `moves` (and `bought`: minutes credited to a block) must do about the
    /// low-balance emails, per agreement whose current period it touches. Counted from what was
    /// read, so a write that finds the hours not low after it also checks, in its transaction,
    /// that no one used more meanwhile (`Guard::AtMost`); a write that finds them low marks the
    /// period once (`Guard::Mark`). Whatever the interleaving, exactly one write sees the fall.
    pub fn guards(
        &self,
        moves: &CounterMoves,
        bought: Option<(&BillingId, i64)>,
        today: Date,
    ) -> Vec<(BillingId, Guard)> {
        let mut touched: Vec<&BillingId> = moves.iter().map(|m| &m.agreement).collect();
        touched.extend(bought.map(|(a, _)| a));
        touched.sort_by_key(|a| a.as_str());
        touched.dedup();
        let mut guards = Vec::new();
        for id in touched {
            let Some(agreement) = self.find(id.as_str()).filter(|a| a.kind.hour_based()) else {
                continue;
            };
            let period = agreement.period_key(today);
            let before = self.usage_of(id);
            let mut usage = before.moved(id, moves);
            let grows = moves.iter().any(|m| {
                m.agreement == *id && m.tally == Tally::Period && m.key == period && m.delta > 0
            });
            if let Some((_, minutes)) = bought.filter(|(a, _)| *a == id) {
                usage.bought += minutes;
            }
            let Some(balance) = agreement.balance(&usage, today) else {
                continue;
            };
            let marked = usage.low_notified.as_deref() == Some(period.as_str());
            if balance.low && !marked {
                guards.push((id.clone(), Guard::Mark(period)));
            } else if !balance.low && usage.low_notified.is_some() {
                guards.push((id.clone(), Guard::Clear));
            } else if !balance.low && grows {
                let delta =
                    balance.used_minutes - before.periods.get(&period).copied().unwrap_or(0);
                guards.push((
                    id.clone(),
                    Guard::AtMost {
                        period,
                        used: most_not_low(balance.included_minutes, agreement.low_balance_percent)
                            - delta,
                    },
                ));
            }
        }
        guards
    }
}

/// The most minutes of `included` that may be used with the hours still not low.
fn most_not_low(included: i64, percent: u8) -> i64 {
    // Not low: left × 100 ≥ included × percent.
    included - (included * i64::from(percent) + 99) / 100
}

/// Which counter of an agreement a move is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tally {
    Month,
    Period,
}

/// A change of one counter of an agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Move {
    pub agreement: BillingId,
    pub tally: Tally,
    /// The month (`yyyy-mm`) or the period key.
    pub key: String,
    pub delta: i64,
}

pub type CounterMoves = Vec<Move>;

/// Add `m` to `moves`, summed with a move of the same counter.
pub fn merge(moves: &mut CounterMoves, m: Move) {
    match moves
        .iter_mut()
        .find(|x| x.agreement == m.agreement && x.tally == m.tally && x.key == m.key)
    {
        Some(found) => found.delta += m.delta,
        None => moves.push(m),
    }
}

/// What a write does about an agreement's low-balance email (`AgreementBook::guards`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Guard {
    /// The hours went low in this period: mark it, on condition it was not marked (then email).
    Mark(String),
    /// Not low any more: a later fall emails again.
    Clear,
    /// Still not low as read: on condition the period's counter was at most `used` before this
    /// write (else read again).
    AtMost { period: String, used: i64 },
}

/// Minutes for people: `1 h 30 min`, `45 min`, `2 h`, `-1 h 40 min`.
pub fn format_minutes(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let (h, m) = (minutes.unsigned_abs() / 60, minutes.unsigned_abs() % 60);
    match (h, m) {
        (0, m) => format!("{sign}{m} min"),
        (h, 0) => format!("{sign}{h} h"),
        (h, m) => format!("{sign}{h} h {m} min"),
    }
}

/// Less than `percent` % of `included` is `left`.
pub fn is_low(included: i64, left: i64, percent: u8) -> bool {
    included > 0 && left * 100 < included * i64::from(percent)
}

/// The agreement time on a ticket of `request_type` on `date` counts against by default: one in
/// force that covers the type, prepaid hours first, then the oldest.
pub fn default_agreement<'a>(
    agreements: &'a [Agreement],
    request_type: &str,
    date: Date,
) -> Option<&'a Agreement> {
    agreements
        .iter()
        .filter(|a| a.in_force(date) && a.covers(request_type))
        .min_by_key(|a| (a.kind.preference(), a.start_date, a.id.as_str().to_owned()))
}

impl Agreement {
    /// An agreement not yet filled in (`AgreementBody::apply` fills it).
    pub fn blank(company: &crate::domain::account::Company, now: OffsetDateTime) -> Self {
        Self {
            id: BillingId::generate(),
            company_id: company.id.clone(),
            company_name: company.name.clone(),
            name: String::new(),
            kind: AgreementKind::ManagedServices,
            status: AgreementStatus::Active,
            start_date: now.date(),
            end_date: None,
            auto_renew: false,
            billing_cycle: BillingCycle::Monthly,
            currency: company.currency.clone(),
            fee: 0,
            rate: 0,
            included_minutes: 0,
            covers: Vec::new(),
            low_balance_percent: DEFAULT_LOW_PERCENT,
            block_sizes: Vec::new(),
            targets: Vec::new(),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}
