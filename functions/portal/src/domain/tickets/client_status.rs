//! Which status changes a client may make to a ticket they can see: the statuses the MSP lets
//! clients set, on an open ticket; and reopening (back to New) a ticket that was resolved or
//! cancelled, within the reopen window. Everything else about a closed ticket is for the MSP.

use time::{Duration, OffsetDateTime};

use super::{StatusDef, TicketSettings, TicketStatus};

/// Why a client may not make a status change.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A status the MSP does not let clients set.
    NotAllowed,
    /// Closed for good: the reopen window has passed, or it was closed by the MSP.
    Closed(String),
}

/// Whether a client may move a ticket from `from` (closed at `closed_at`) to status `to` at `now`.
pub fn client_may_set(
    settings: &TicketSettings,
    from: TicketStatus,
    closed_at: Option<OffsetDateTime>,
    to: &StatusDef,
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    let reopenable = matches!(from, TicketStatus::Resolved | TicketStatus::Cancelled);
    if reopenable && to.stage == TicketStatus::New {
        let days = settings.reopen_days;
        let closed = closed_at.unwrap_or(now);
        if now - closed > Duration::days(i64::from(days)) {
            let what = from.label().to_lowercase();
            return Err(Refusal::Closed(format!(
                "This ticket was {what} more than {days} days ago and can no longer be reopened. Raise a new ticket and mention this one's number."
            )));
        }
        return Ok(());
    }
    if !from.is_open() {
        return Err(Refusal::Closed(
            "This ticket is closed. Raise a new ticket and mention this one's number.".into(),
        ));
    }
    if !to.retired && settings.client_statuses.contains(&to.id) {
        Ok(())
    } else {
        Err(Refusal::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketStatus::*;

    fn to(stage: TicketStatus) -> StatusDef {
        StatusDef::builtin(stage)
    }

    #[test]
    fn clients_reopen_resolved_and_cancelled_tickets_within_the_window_only() {
        let settings = TicketSettings::default();
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(100);
        let ago = |days| Some(now - Duration::days(days));
        for from in [Resolved, Cancelled] {
            assert_eq!(
                client_may_set(&settings, from, ago(7), &to(New), now),
                Ok(())
            );
            assert!(matches!(
                client_may_set(&settings, from, ago(8), &to(New), now),
                Err(Refusal::Closed(why)) if why.contains("more than 7 days")
            ));
            // Reopening is back to New; any other change of a closed ticket is the MSP's.
            assert!(matches!(
                client_may_set(&settings, from, ago(1), &to(InProgress), now),
                Err(Refusal::Closed(_))
            ));
        }
        assert!(matches!(
            client_may_set(&settings, Closed, ago(1), &to(New), now),
            Err(Refusal::Closed(_))
        ));
        let never = TicketSettings {
            reopen_days: 0,
            ..TicketSettings::default()
        };
        assert!(client_may_set(&never, Cancelled, ago(1), &to(New), now).is_err());
    }

    #[test]
    fn on_an_open_ticket_clients_set_only_the_statuses_the_msp_allows() {
        let settings = TicketSettings::default();
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(
            client_may_set(&settings, New, None, &to(Resolved), now),
            Ok(())
        );
        assert_eq!(
            client_may_set(&settings, InProgress, None, &to(Cancelled), now),
            Ok(())
        );
        assert_eq!(
            client_may_set(&settings, New, None, &to(Scheduled), now),
            Err(Refusal::NotAllowed)
        );
    }
}
