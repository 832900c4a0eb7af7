//! Demo statuses and targets (issue 22): the MSP's list gains "No Action Required" (counts as
//! closed) and "On hold" (waiting on the client; clients may set it), and its business hours two
//! holidays; the tickets raised since the MSP set its targets (the last six weeks) carry them, met
//! or missed as their first reply (two hours after each was raised) and their resolution came, so
//! the queue shows both; and one closed Acme ticket ended as "No Action Required". Skipped once
//! the settings were saved.

use time::{Duration, OffsetDateTime};

use portal::domain::CompanyId;
use portal::domain::tickets::{Holiday, StatusDef, TicketStatus, plan_targets};
use portal::store::Store;

/// How long ago the MSP set its targets: tickets raised before have none.
const TARGETS_SINCE_DAYS: i64 = 42;

pub async fn seed_targets(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    let mut settings = store.ticket_settings().await?;
    if settings.version > 0 {
        return Ok(());
    }
    let no_action = StatusDef {
        id: "x-no-action-required".into(),
        name: "No Action Required".into(),
        stage: TicketStatus::Closed,
        retired: false,
    };
    settings.statuses.push(no_action.clone());
    settings.statuses.insert(
        3,
        StatusDef {
            id: "x-on-hold".into(),
            name: "On hold".into(),
            stage: TicketStatus::WaitingOnClient,
            retired: false,
        },
    );
    settings.client_statuses.push("x-on-hold".into());
    let year = now.year();
    for (date, name) in [
        (
            time::Date::from_calendar_date(year, time::Month::December, 25)?,
            "Christmas Day",
        ),
        (
            time::Date::from_calendar_date(year + 1, time::Month::January, 1)?,
            "New Year's Day",
        ),
    ] {
        settings.business_hours.holidays.push(Holiday {
            date,
            name: name.into(),
        });
    }
    settings = settings.validated().map_err(|e| anyhow::anyhow!("{e:?}"))?;
    settings.version = 1;
    store.put_ticket_settings(&settings).await?;

    let since = now - Duration::days(TARGETS_SINCE_DAYS);
    let mut no_action_set = false;
    for company in ["acme-dental", "globex-logistics"] {
        let company = CompanyId::parse(company).map_err(anyhow::Error::msg)?;
        for number in (1..=super::DEMO_TICKETS.len() as u64).rev() {
            let Some(ticket) = store.get_ticket(&company, number).await? else {
                continue;
            };
            let mut changed = ticket.clone();
            if ticket.created_at >= since {
                let mut targets = plan_targets(
                    &settings,
                    &[],
                    &ticket.request_type,
                    ticket.priority,
                    ticket.created_at,
                );
                if let Some(t) = &mut targets {
                    // Every demo ticket was answered two hours after it was raised.
                    t.responded(ticket.created_at + Duration::hours(2));
                    if matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
                        t.resolved_at = ticket.closed_at;
                    }
                    if ticket.status != TicketStatus::Cancelled {
                        t.mark(now);
                    }
                }
                changed.work.targets = targets;
            } else if !no_action_set
                && ticket.status == TicketStatus::Closed
                && ticket.work.signoff.is_none()
                && company.as_str() == "acme-dental"
            {
                changed.work.custom_status = no_action.custom();
                no_action_set = true;
            }
            if changed != ticket {
                changed.version = ticket.version + 1;
                store.save_ticket(&changed, &ticket, None, None).await?;
            }
        }
    }
    Ok(())
}
