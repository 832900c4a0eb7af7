//! The executive report by email: on the first run of each month (the `reports-monthly` function
//! runs daily), every client company whose Full Admins subscribed (`notify.executive_report`)
//! gets the report of the month before as a PDF, once: a mark per company and month is written
//! before the mail goes (and taken back if it cannot go, so the next run tries again).

use portal::App;
use portal::aws::mail::Attachment;
use portal::domain::roles::Role;
use portal::domain::{CompanyKind, Outgoing};

use portal::domain::reports::{month_at, month_number};

use crate::executive::{Period, render};

/// Send the month before `today`'s executive report to every company's subscribers who have not
/// had it; how many companies' went.
pub async fn executive_reports(app: &App, today: time::Date) -> anyhow::Result<usize> {
    let month = month_at(month_number(today) - 1);
    let period = Period::parse(&month).ok_or_else(|| anyhow::anyhow!("no month before {today}"))?;
    let Some(mailer) = &app.mailer else {
        tracing::info!("executive reports not sent: MAIL_FROM is not set");
        return Ok(0);
    };
    let now = app.now();
    let mut sent = 0;
    let mut start = None;
    loop {
        let page = app.store.list_companies(None, start, 100).await?;
        for company in page.items.iter().filter(|c| c.kind == CompanyKind::Client) {
            // Marked first, so a second run never sends twice.
            if !app
                .store
                .mark_report_mailed(&company.id, &month, now)
                .await?
            {
                continue;
            }
            let to = app
                .recipients(&company.id, |u| {
                    u.role == Role::FullAdmin && u.notify.executive_report
                })
                .await;
            if to.is_empty() {
                continue;
            }
            let pdf = match render(app, Some(&company.id), company, &period).await {
                Ok(pdf) => pdf,
                Err(err) => {
                    app.store.unmark_report_mailed(&company.id, &month).await?;
                    anyhow::bail!("rendering {}'s executive report: {err:?}", company.id);
                }
            };
            let mail = Outgoing {
                to,
                subject: format!("{}: executive report, {}", company.name, period.label),
                text: format!(
                    "The executive report of {} for {} is attached: tickets and trends, \
                     responsiveness, satisfaction, hours, invoices and payments, and \
                     configurations expiring.\n\nReports, any time: {}/reports/\n\n\
                     You receive this because you asked for it in My account; untick \
                     \"the executive report\" there to stop it.",
                    company.name, period.label, app.config.origin
                ),
                html: None,
            };
            let attachment = Attachment {
                file_name: &format!("executive-report-{}-{month}.pdf", company.id),
                content_type: "application/pdf",
                bytes: &pdf,
            };
            if let Err(err) = mailer.send_with(&mail, &attachment).await {
                app.store.unmark_report_mailed(&company.id, &month).await?;
                return Err(err.context(format!("mailing {}'s executive report", company.id)));
            }
            sent += 1;
        }
        match page.last_key {
            Some(key) => start = Some(key),
            None => return Ok(sent),
        }
    }
}
