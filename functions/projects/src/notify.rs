//! The emails projects send: the project's client contact hears when a phase completes and when
//! the expected completion date moves (old and new date, and why), as their email preferences
//! say (`project_updates`). One email per change, linking to the project's page.

use portal::App;
use portal::aws::mail::Outgoing;
use portal::domain::projects::{PhaseStatus, Project};
use portal::domain::{UserStatus, display_date};

/// The project's page on the portal.
pub fn project_link(app: &App, number: u64) -> String {
    format!("{}/projects/view/?number={number}", app.config.origin)
}

/// What changed from `before` to `after` that the client contact is told of, as lines.
fn news(before: &Project, after: &Project) -> Vec<String> {
    let mut lines = Vec::new();
    for phase in after.phases.iter().filter(|p| {
        p.status == PhaseStatus::Completed
            && before
                .phase(&p.id)
                .is_some_and(|was| was.status != PhaseStatus::Completed)
    }) {
        lines.push(format!("Phase \"{}\" is complete.", phase.name));
    }
    if after.expected_completion != before.expected_completion {
        let reason = after
            .completion_changes
            .last()
            .map(|c| format!(" Why: {}", c.reason))
            .unwrap_or_default();
        lines.push(format!(
            "The expected completion moved from {} to {}.{reason}",
            display_date(before.expected_completion),
            display_date(after.expected_completion)
        ));
    }
    lines
}

/// Tell the client contact of `after` what changed since `before`, if anything they hear of.
pub async fn changes(app: &App, before: &Project, after: &Project) {
    let lines = news(before, after);
    let Some(contact) = after.contact_id.as_ref().filter(|_| !lines.is_empty()) else {
        return;
    };
    let user = match app.store.get_user(&after.company_id, contact).await {
        Ok(user) => user,
        Err(err) => {
            tracing::error!(error = ?err, project = after.number, "reading the project contact");
            return;
        }
    };
    let Some(user) = user.filter(|u| u.status == UserStatus::Active && u.notify.project_updates)
    else {
        return;
    };
    let text = format!(
        "Project P-{n}, {name}:\n\n{body}\n\nSee the project: {link}\n\nYou get this email because you are the contact of this project on the support portal; you can turn these emails off in your profile.",
        n = after.number,
        name = after.name,
        body = lines.join("\n"),
        link = project_link(app, after.number),
    );
    app.send_mail(&Outgoing {
        to: vec![user.email],
        subject: format!("Project P-{}: {} – update", after.number, after.name),
        text,
        html: None,
    })
    .await;
}
