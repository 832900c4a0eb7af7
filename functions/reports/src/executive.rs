//! The executive management report: one PDF for a month or a quarter — tickets and the year's
//! trend, top request types, responsiveness, satisfaction, hours used and left on agreements,
//! invoices and payments, configurations expiring — from the month counters and the agreements'
//! record. Three DynamoDB calls: the session, the month items (one Query), the company with its
//! agreements (one BatchGetItem).

use std::collections::BTreeMap;

use lambda_http::http::StatusCode;
use lambda_http::{Body, Response};
use portal::domain::account::Company;
use portal::domain::agreements::AgreementBook;
use portal::domain::labels::Labelled;
use portal::domain::reports::{self, MonthCounts, Responsiveness, month_at};
use portal::domain::{CompanyId, display_date};
use portal::web::http::Ctx;
use portal::{ApiError, App};
use portal_pdf::{Letter, section};

use crate::{duration, month_label, scope};

/// A month (`2026-11`) or a quarter (`2026-Q4`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Period {
    /// `yyyy-mm` of its first and last month.
    pub first: String,
    pub last: String,
    pub label: String,
    /// The period before it, as a phrase.
    pub before: (String, String, &'static str),
}

fn month_index(m: &str) -> Option<i32> {
    let (y, mm) = m.split_once('-')?;
    let (y, mm): (i32, i32) = (y.parse().ok()?, mm.parse().ok()?);
    ((2000..=2100).contains(&y) && (1..=12).contains(&mm) && m.len() == 7).then(|| y * 12 + mm - 1)
}

impl Period {
    /// `2026-11` or `2026-Q4`; `None` for anything else (years 2000–2100).
    pub fn parse(raw: &str) -> Option<Period> {
        let (first, months, kind) = match raw.split_once("-Q") {
            Some((y, q)) => {
                let (y, q): (i32, i32) = (y.parse().ok()?, q.parse().ok()?);
                if !(2000..=2100).contains(&y) || !(1..=4).contains(&q) || raw.len() != 7 {
                    return None;
                }
                (y * 12 + (q - 1) * 3, 3, "quarter")
            }
            None => (month_index(raw)?, 1, "month"),
        };
        let last = first + months - 1;
        let label = if months == 3 {
            format!("Q{} {}", first.rem_euclid(12) / 3 + 1, first.div_euclid(12))
        } else {
            month_label(&month_at(first))
        };
        Some(Period {
            first: month_at(first),
            last: month_at(last),
            label,
            before: (month_at(first - months), month_at(first - 1), kind),
        })
    }
}

/// The counters of the months `from..=to` added up.
fn sum(months: &BTreeMap<String, MonthCounts>, from: &str, to: &str) -> MonthCounts {
    let mut total = MonthCounts::new();
    for (_, counts) in months.range(from.to_owned()..=to.to_owned()) {
        for (field, n) in counts {
            *total.entry(field.clone()).or_default() += n;
        }
    }
    total
}

/// "1 invoice", "2 invoices".
fn count(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn get(c: &MonthCounts, field: &str) -> i64 {
    c.get(field).copied().unwrap_or(0)
}

fn share(met: i64, all: i64) -> String {
    match all {
        0 => "no targets judged".into(),
        _ => format!("{met} of {all} ({}%)", (met * 100 + all / 2) / all),
    }
}

/// By currency: `{what}.{currency}` counters as "$1,234.00 + €50.00".
fn amounts(c: &MonthCounts, what: &str) -> String {
    let mut out = Vec::new();
    for (field, n) in c.range(format!("{what}.")..) {
        let Some(code) = field.strip_prefix(&format!("{what}.")) else {
            break;
        };
        if let Some(currency) = portal::domain::billing::Currency::parse(code) {
            out.push(portal::domain::billing::format_money(*n, &currency));
        }
    }
    if out.is_empty() {
        "nothing".into()
    } else {
        out.join(" + ")
    }
}

/// The report's sections.
fn sections(
    period: &Period,
    months: &BTreeMap<String, MonthCounts>,
    book: Option<&AgreementBook>,
    today: time::Date,
) -> Vec<(String, Vec<String>)> {
    let now = sum(months, &period.first, &period.last);
    let before = sum(months, &period.before.0, &period.before.1);
    let mut out = Vec::new();
    out.push((
        "Tickets".into(),
        vec![format!(
            "{} opened and {} closed in {}; {} opened and {} closed the {} before.",
            get(&now, "opened"),
            get(&now, "closed"),
            period.label,
            get(&before, "opened"),
            get(&before, "closed"),
            period.before.2,
        )],
    ));
    let end = month_index(&period.last).unwrap_or(0);
    let trend = (end - 11..=end)
        .map(|i| {
            let m = month_at(i);
            let c = months.get(&m).cloned().unwrap_or_default();
            format!(
                "{}: {} opened, {} closed",
                month_label(&m),
                get(&c, "opened"),
                get(&c, "closed")
            )
        })
        .collect();
    out.push(("The twelve months to the end of the period".into(), trend));
    let mut types = BTreeMap::new();
    reports::breakdown(&now, "opened.type.", &mut types);
    let mut types: Vec<(String, i64)> = types.into_iter().collect();
    types.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.push((
        "Top request types".into(),
        match types.is_empty() {
            true => vec!["No tickets in the period.".into()],
            false => types
                .iter()
                .take(5)
                .map(|(name, n)| format!("{name}: {n} opened"))
                .collect(),
        },
    ));
    let r = Responsiveness::of(&period.first, &now);
    out.push((
        "Responsiveness".into(),
        vec![
            format!(
                "First replies: {}; median {}, 90th percentile {}.",
                r.responses,
                duration(r.response_median),
                duration(r.response_p90)
            ),
            format!(
                "Resolved: {}; median {}, 90th percentile {} from being raised.",
                r.resolutions,
                duration(r.resolution_median),
                duration(r.resolution_p90)
            ),
            format!(
                "Response targets met: {}. Resolution targets met: {}.",
                share(r.response_targets_met, r.response_targets),
                share(r.resolution_targets_met, r.resolution_targets)
            ),
        ],
    ));
    let (good, bad) = (get(&now, "rating.good"), get(&now, "rating.bad"));
    out.push((
        "Satisfaction".into(),
        vec![match good + bad {
            0 => "No ratings in the period.".into(),
            all => format!(
                "{good} rated good and {bad} rated bad ({}% good).",
                (good * 100 + all / 2) / all
            ),
        }],
    ));
    if let Some(book) = book {
        let mut lines: Vec<String> = Vec::new();
        for a in &book.agreements {
            let kind = a.kind.label();
            lines.push(match book.balance(a, today) {
                Some(b) => format!(
                    "{} ({kind}): {} used of {}, {} left (on {}).",
                    a.name,
                    duration(Some(b.used_minutes)),
                    duration(Some(b.included_minutes)),
                    duration(Some(b.left_minutes)),
                    display_date(today)
                ),
                None => format!("{} ({kind}).", a.name),
            });
        }
        if lines.is_empty() {
            lines.push("No agreements.".into());
        }
        out.push(("Agreements and hours".into(), lines));
    }
    out.push((
        "Invoices and payments".into(),
        vec![
            format!(
                "{} issued in the period, for {}.",
                count(get(&now, "invoices"), "invoice", "invoices"),
                amounts(&now, "invoiced")
            ),
            format!(
                "{} received, for {}.",
                count(get(&now, "payments"), "payment", "payments"),
                amounts(&now, "paid")
            ),
        ],
    ));
    let expiring: Vec<String> = (end + 1..=end + 3)
        .map(|i| {
            let m = month_at(i);
            let n = months
                .get(&m)
                .map_or(0, |c| get(c, "configurations.expiring"));
            format!("{}: {n}", month_label(&m))
        })
        .collect();
    out.push((
        "Configurations expiring in the three months after".into(),
        expiring,
    ));
    out
}

/// The PDF of the report for `company` (`None`: every company, as the MSP's `msp` letterhead).
pub async fn render(
    app: &App,
    company: Option<&CompanyId>,
    msp: &Company,
    period: &Period,
) -> Result<Vec<u8>, ApiError> {
    let first = month_index(&period.first).unwrap_or(0);
    let last = month_index(&period.last).unwrap_or(0);
    let from = month_at(first.min(last - 11).min(first - (last - first + 1)));
    let read = app
        .store
        .report_months(company, &from, &month_at(last + 3))
        .await?;
    let (client, book) = match company {
        Some(c) => {
            let (client, book) = app.store.company_and_agreements(c).await?;
            (client.ok_or(ApiError::NotFound)?, Some(book))
        }
        None => (msp.clone(), None),
    };
    let today = app.now().date();
    let letter = Letter {
        title: "REPORT",
        facts: vec![
            ("Period", period.label.clone()),
            ("Prepared", display_date(today)),
        ],
        to: if company.is_some() {
            "FOR"
        } else {
            "EVERY CLIENT COMPANY OF"
        },
        stamp: None,
    };
    let mut l = portal_pdf::begin(&app.branding, &client, &letter).map_err(ApiError::Internal)?;
    for (title, lines) in sections(period, &read.months, book.as_ref(), today) {
        section(&mut l, &title, &lines);
    }
    portal_pdf::finish(
        l,
        &app.branding,
        &format!("Executive report, {}", period.label),
    )
    .map_err(ApiError::Internal)
}

/// The executive management report for a month or a quarter, as a PDF.
#[utoipa::path(get, path = "/api/reports/executive", tag = "reports",
    params(
        ("company" = Option<String>, Query, description = "The client company (MSP staff; none: every company); clients: their own"),
        ("period" = String, Query, description = "A month (`2026-11`) or a quarter (`2026-Q4`), years 2000–2100", pattern = "^[0-9]{4}-([0-9]{2}|Q[1-4])$"),
    ),
    responses(
        (status = 200, description = "The report", content_type = "application/pdf"),
        (status = 400, description = "No period, or not a month or a quarter", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A role without reports", body = portal::web::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Another company, or none such", body = portal::web::error::Problem, content_type = "application/problem+json"),
    ))]
pub(crate) async fn executive(ctx: &Ctx<'_>) -> Result<Response<Body>, ApiError> {
    let principal = ctx.principal().await?;
    let company = scope(ctx, &principal)?;
    let period = ctx
        .query("period")
        .and_then(|p| Period::parse(&p))
        .ok_or_else(|| {
            ApiError::BadRequest("period must be a month (2026-11) or a quarter (2026-Q4)".into())
        })?;
    let bytes = render(ctx.app, company.as_ref(), &principal.company, &period).await?;
    let name = match &company {
        Some(c) => format!("executive-report-{c}-{}.pdf", period.first),
        None => format!("executive-report-{}.pdf", period.first),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/pdf")
        .header(
            "content-disposition",
            format!("attachment; filename=\"{name}\""),
        )
        .header("cache-control", "no-store")
        .body(Body::Binary(bytes))
        .map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_months_or_quarters() {
        let q = Period::parse("2026-Q4").unwrap();
        assert_eq!((q.first.as_str(), q.last.as_str()), ("2026-10", "2026-12"));
        assert_eq!(q.label, "Q4 2026");
        assert_eq!(q.before, ("2026-07".into(), "2026-09".into(), "quarter"));
        let m = Period::parse("2026-01").unwrap();
        assert_eq!(m.before, ("2025-12".into(), "2025-12".into(), "month"));
        for bad in [
            "2026-13",
            "2026-Q5",
            "1999-01",
            "2026-1",
            "2026-Q",
            "soon",
            "2026-01-01",
        ] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }
}
