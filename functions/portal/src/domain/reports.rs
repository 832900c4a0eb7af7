//! Reports (issue 23, docs/reports.md): the per-month figures a ticket counts in, as a pure
//! function of the ticket. Every write of a ticket adds what it counts now and takes away what it
//! counted before (`delta`), in the same transaction, so the month items always equal a recount
//! of the tickets — which is what the property test checks — and a report reads a year as twelve
//! small items, never the tickets.
//!
//! A ticket counts, in the month (UTC) each thing happened:
//! - raised: `opened`, and by request type, priority and contact;
//! - done (resolved, closed or cancelled; its resolution time, else when it closed): `closed`, and
//!   the same breakdowns; reopened, it stops counting there;
//! - the MSP's first public reply: how long it took, in a bucket of `BUCKETS`;
//! - resolved (not cancelled): how long it took from being raised;
//! - its response and resolution targets, once judged: met or missed;
//! - the contact's rating: good or bad.

use std::collections::BTreeMap;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::tickets::{Ticket, TicketStatus};

/// Upper bounds (minutes) of the duration buckets; the last bucket is everything longer.
pub const BUCKETS: [i64; 14] = [
    15, 30, 60, 120, 240, 480, 960, 1_440, 2_880, 4_320, 7_200, 10_080, 20_160, 43_200,
];

/// A month as the report items name it: `2026-11`.
pub fn month_of(at: OffsetDateTime) -> String {
    month_of_date(at.to_offset(time::UtcOffset::UTC).date())
}

/// The month of `date` as the items name it: `2026-11`.
pub fn month_of_date(date: time::Date) -> String {
    month_at(month_number(date))
}

/// The month of `date` counted from year 0 (year × 12 + month − 1), for months' arithmetic.
pub fn month_number(date: time::Date) -> i32 {
    date.year() * 12 + i32::from(u8::from(date.month())) - 1
}

/// Month number `i` (`month_number`) as `yyyy-mm`.
pub fn month_at(i: i32) -> String {
    format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1)
}

/// The last `count` months up to and including `today`'s, oldest first, as `yyyy-mm`.
pub fn last_months(today: time::Date, count: i32) -> Vec<String> {
    let now = month_number(today);
    (now - count + 1..=now).map(month_at).collect()
}

/// The bucket of a duration from `from` to `to` (never negative).
pub fn bucket(from: OffsetDateTime, to: OffsetDateTime) -> usize {
    let minutes = (to - from).whole_minutes().max(0);
    BUCKETS
        .iter()
        .position(|b| minutes <= *b)
        .unwrap_or(BUCKETS.len())
}

/// One counter of one month: `(month, field)`.
pub type Counter = (String, String);

/// What a ticket counts, each counter once (a ticket counts at most once in each).
pub fn counts(t: &Ticket) -> Vec<Counter> {
    let mut out = Vec::new();
    let mut add = |month: &str, field: String| out.push((month.to_owned(), field));
    let raised = month_of(t.created_at);
    let each = |what: &str| {
        [
            what.to_owned(),
            format!("{what}.type.{}", t.request_type),
            format!("{what}.priority.{}", super::labels::wire(t.priority)),
            format!("{what}.contact.{}", t.contact_id),
        ]
    };
    for field in each("opened") {
        add(&raised, field);
    }
    if !t.status.is_open()
        && let Some(done) = t.work.resolved_at.or(t.closed_at)
    {
        let month = month_of(done);
        for field in each("closed") {
            add(&month, field);
        }
        if t.status != TicketStatus::Cancelled
            && let Some(resolved) = t.work.resolved_at
        {
            add(
                &month_of(resolved),
                format!("resolution.{}", bucket(t.created_at, resolved)),
            );
        }
    }
    if let Some(first) = t.work.first_response_at {
        add(
            &month_of(first),
            format!("response.{}", bucket(t.created_at, first)),
        );
    }
    if let Some(targets) = &t.work.targets {
        if let Some(due) = targets.response_due {
            match targets.responded_at {
                Some(at) => add(&month_of(at), format!("target.response.{}", met(at <= due))),
                None if targets.response_missed => {
                    add(&month_of(due), "target.response.missed".into())
                }
                None => {}
            }
        }
        if let Some(due) = targets.resolution_due {
            match targets.resolved_at {
                Some(at) => add(
                    &month_of(at),
                    format!("target.resolution.{}", met(at <= due)),
                ),
                None if targets.resolution_missed => {
                    add(&month_of(due), "target.resolution.missed".into())
                }
                None => {}
            }
        }
    }
    if let Some(rating) = &t.work.rating {
        let field = if rating.good {
            "rating.good"
        } else {
            "rating.bad"
        };
        add(&month_of(rating.at), field.into());
    }
    out
}

fn met(yes: bool) -> &'static str {
    if yes { "met" } else { "missed" }
}

/// The changes to the counters when a ticket goes from `before` (`None`: new) to `after`: each
/// counter with a non-zero change, in a stable order.
pub fn delta(before: Option<&Ticket>, after: &Ticket) -> Vec<(Counter, i64)> {
    let mut changes: BTreeMap<Counter, i64> = BTreeMap::new();
    for c in counts(after) {
        *changes.entry(c).or_default() += 1;
    }
    for c in before.map(counts).unwrap_or_default() {
        *changes.entry(c).or_default() -= 1;
    }
    changes.into_iter().filter(|(_, n)| *n != 0).collect()
}

/// What an issued invoice counts, in the month it was issued: one invoice and its total, by
/// currency (`None` for one never issued). Voiding it takes this back.
pub fn invoice_counts(invoice: &super::billing::Invoice) -> Option<(String, Vec<(String, i64)>)> {
    let issued = invoice.issue_date?;
    Some((
        month_of_date(issued),
        vec![
            ("invoices".to_owned(), 1),
            (
                format!("invoiced.{}", invoice.currency.as_str()),
                invoice.total,
            ),
        ],
    ))
}

/// What a succeeded payment counts, in the month it succeeded: one payment and its amount, by
/// currency (`None` for any other).
pub fn payment_counts(payment: &super::billing::Payment) -> Option<(String, Vec<(String, i64)>)> {
    if payment.status != super::billing::PaymentStatus::Succeeded {
        return None;
    }
    let paid = payment.paid_at?;
    Some((
        month_of(paid),
        vec![
            ("payments".to_owned(), 1),
            (
                format!("paid.{}", payment.currency.as_str()),
                payment.amount,
            ),
        ],
    ))
}

/// The month an active configuration expires in (what the executive report counts as expiring).
pub fn configuration_expiry(c: &super::configurations::Configuration) -> Option<String> {
    let expires = c.fields.expires?;
    (c.fields.status == super::configurations::ConfigurationStatus::Active)
        .then(|| month_of_date(expires))
}

/// The MSP's view of a company's counter: by company where a company's counts by contact.
pub fn msp_field(field: &str, company: &crate::domain::CompanyId) -> String {
    match field.split_once(".contact.") {
        Some((what, _)) => format!("{what}.company.{company}"),
        None => field.to_owned(),
    }
}

/// The counters of many tickets added up (a recount; the rebuild and the property test).
pub fn recount<'a>(tickets: impl IntoIterator<Item = &'a Ticket>) -> BTreeMap<Counter, i64> {
    let mut all = BTreeMap::new();
    for t in tickets {
        for c in counts(t) {
            *all.entry(c).or_default() += 1;
        }
    }
    all
}

/// A duration estimated from bucket counts: the `share` (0.5: the median, 0.9: the 90th
/// percentile) point, interpolated within its bucket; `None` without any, and for the last bucket
/// (over 30 days) its lower bound.
pub fn percentile(buckets: &[i64], share: f64) -> Option<i64> {
    let total: i64 = buckets.iter().sum();
    if total <= 0 {
        return None;
    }
    let wanted = share * total as f64;
    let mut seen = 0.0;
    for (i, n) in buckets.iter().enumerate() {
        let n = *n as f64;
        if n > 0.0 && seen + n >= wanted {
            let low = if i == 0 { 0 } else { BUCKETS[i - 1] } as f64;
            let Some(high) = BUCKETS.get(i) else {
                return Some(low as i64);
            };
            let within = ((wanted - seen) / n).clamp(0.0, 1.0);
            return Some((low + within * (*high as f64 - low)).round() as i64);
        }
        seen += n;
    }
    None
}

/// One month's first response and resolution times, and targets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct Responsiveness {
    pub month: String,
    /// Tickets first answered this month, and the median and 90th percentile of how long it
    /// took (minutes; estimated within the buckets).
    pub responses: i64,
    pub response_median: Option<i64>,
    pub response_p90: Option<i64>,
    /// Tickets resolved this month, and how long from being raised.
    pub resolutions: i64,
    pub resolution_median: Option<i64>,
    pub resolution_p90: Option<i64>,
    /// Response targets judged this month, and how many were met.
    pub response_targets: i64,
    pub response_targets_met: i64,
    pub resolution_targets: i64,
    pub resolution_targets_met: i64,
}

/// A month's counters, as stored (`field → count`).
pub type MonthCounts = BTreeMap<String, i64>;

impl Responsiveness {
    pub fn of(month: &str, counts: &MonthCounts) -> Self {
        let buckets = |what: &str| -> Vec<i64> {
            (0..=BUCKETS.len())
                .map(|i| counts.get(&format!("{what}.{i}")).copied().unwrap_or(0))
                .collect()
        };
        let get = |field: &str| counts.get(field).copied().unwrap_or(0);
        let response = buckets("response");
        let resolution = buckets("resolution");
        Responsiveness {
            month: month.to_owned(),
            responses: response.iter().sum(),
            response_median: percentile(&response, 0.5),
            response_p90: percentile(&response, 0.9),
            resolutions: resolution.iter().sum(),
            resolution_median: percentile(&resolution, 0.5),
            resolution_p90: percentile(&resolution, 0.9),
            response_targets: get("target.response.met") + get("target.response.missed"),
            response_targets_met: get("target.response.met"),
            resolution_targets: get("target.resolution.met") + get("target.resolution.missed"),
            resolution_targets_met: get("target.resolution.met"),
        }
    }
}

/// The named counts of one breakdown (`opened.type.`…) in a month, added into `into`.
pub fn breakdown(counts: &MonthCounts, prefix: &str, into: &mut BTreeMap<String, i64>) {
    for (field, n) in counts.range(prefix.to_owned()..) {
        let Some(name) = field.strip_prefix(prefix) else {
            break;
        };
        *into.entry(name.to_owned()).or_default() += n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn durations_fall_in_buckets_and_percentiles_interpolate() {
        let at = datetime!(2026-11-02 09:00 UTC);
        assert_eq!(bucket(at, at + time::Duration::minutes(10)), 0);
        assert_eq!(bucket(at, at + time::Duration::minutes(15)), 0);
        assert_eq!(bucket(at, at + time::Duration::minutes(16)), 1);
        assert_eq!(bucket(at, at + time::Duration::days(40)), BUCKETS.len());
        assert_eq!(
            bucket(at, at - time::Duration::minutes(5)),
            0,
            "never negative"
        );
        // Four answers within 15 minutes, four within 30: the median is 15 minutes.
        let mut b = vec![0; BUCKETS.len() + 1];
        b[0] = 4;
        b[1] = 4;
        assert_eq!(percentile(&b, 0.5), Some(15));
        assert_eq!(percentile(&b, 0.9), Some(27));
        assert_eq!(percentile(&[0; 15], 0.5), None);
        let mut slow = vec![0; BUCKETS.len() + 1];
        slow[BUCKETS.len()] = 3;
        assert_eq!(
            percentile(&slow, 0.5),
            Some(43_200),
            "over 30 days: its lower bound"
        );
    }

    #[test]
    fn months_are_utc() {
        assert_eq!(month_of(datetime!(2026-11-30 23:30 -05:00)), "2026-12");
        assert_eq!(month_of(datetime!(2026-01-01 00:00 UTC)), "2026-01");
    }
}
