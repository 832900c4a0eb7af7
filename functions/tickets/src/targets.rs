//! Marking missed targets on tickets without activity: the open tickets whose nearest unmet
//! target passed since the last run (one Query of the queue's target list from the watermark,
//! never a scan) get the miss marked, each in a versioned save (a ticket changed meanwhile was
//! marked by that change).

use portal::App;
use time::OffsetDateTime;

/// Mark what passed up to `now`; answers how many tickets were marked. Re-running finds nothing
/// new: the watermark moves to `now` once all are marked.
pub async fn mark_missed(app: &App, now: OffsetDateTime) -> anyhow::Result<usize> {
    let after = app.store.targets_checked_until().await?;
    let mut marked = 0;
    for ticket in app.store.tickets_past_target(after, now).await? {
        if !ticket.status.is_open() {
            continue;
        }
        let mut changed = ticket.clone();
        let Some(targets) = &mut changed.work.targets else {
            continue;
        };
        if !targets.mark(now) {
            continue;
        }
        changed.version = ticket.version + 1;
        if app.store.save_ticket(&changed, &ticket, None, None).await? {
            tracing::info!(ticket = ticket.number, "target missed");
            marked += 1;
        }
    }
    app.store.set_targets_checked_until(now).await?;
    Ok(marked)
}
