//! A ticket's checklist: tasks MSP staff add, tick and remove; clients see them and how many are
//! done ("Tasks 2/5"). They live inside the ticket's item.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::Ticket;
use crate::domain::validate::{self, schema};
use crate::domain::{DomainError, FieldError};

pub const MAX_TASKS: usize = 50;
pub const MAX_TASK_TEXT: usize = 200;

/// One item of a ticket's checklist.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Task {
    #[schema(pattern = "^[0-9a-f]{8}$")]
    pub id: String,
    pub text: String,
    pub done: bool,
    /// Who ticked it, and when (while it is done).
    pub done_by: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub done_at: Option<OffsetDateTime>,
}

/// What `POST /api/tickets/{number}/tasks` takes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTaskBody {
    #[schema(schema_with = task_text)]
    pub text: String,
}

/// What `PATCH /api/tickets/{number}/tasks/{id}` takes: only what changes.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskChange {
    #[schema(schema_with = optional_task_text)]
    pub text: Option<String>,
    pub done: Option<bool>,
}

fn task_text() -> utoipa::openapi::schema::Object {
    schema::text(true, MAX_TASK_TEXT, schema::Chars::NoControls)
}
fn optional_task_text() -> utoipa::openapi::schema::Object {
    schema::or_null(task_text())
}

/// A task's text, checked: one line, not blank, at most `MAX_TASK_TEXT` characters.
pub fn task_text_checked(raw: &str) -> Result<String, DomainError> {
    let mut errors = Vec::new();
    let text = validate::text("text", raw, MAX_TASK_TEXT, &mut errors);
    if text.is_empty() {
        errors.push(FieldError::new("text", "Say what needs doing"));
    } else if text.contains(['\n', '\r']) {
        errors.push(FieldError::new("text", "Write the task on one line"));
    }
    validate::done(errors)?;
    Ok(text)
}

impl Ticket {
    /// How many tasks are done, of how many.
    pub fn task_progress(&self) -> (usize, usize) {
        (
            self.work.tasks.iter().filter(|t| t.done).count(),
            self.work.tasks.len(),
        )
    }

    /// The ticket with a new task `text` added (422 when the list is full).
    pub fn with_task(&self, id: String, text: String) -> Result<Ticket, DomainError> {
        if self.work.tasks.len() >= MAX_TASKS {
            return Err(DomainError::Validation(vec![FieldError::new(
                "text",
                format!("A ticket holds at most {MAX_TASKS} tasks"),
            )]));
        }
        let mut next = self.clone();
        next.work.tasks.push(Task {
            id,
            text,
            done: false,
            done_by: None,
            done_at: None,
        });
        Ok(next)
    }

    /// The ticket with task `id` changed by `change` (ticked by `by` at `now`); `None` when no
    /// such task.
    pub fn with_task_changed(
        &self,
        id: &str,
        text: Option<String>,
        done: Option<bool>,
        by: &str,
        now: OffsetDateTime,
    ) -> Option<Ticket> {
        let mut next = self.clone();
        let task = next.work.tasks.iter_mut().find(|t| t.id == id)?;
        if let Some(text) = text {
            task.text = text;
        }
        if let Some(done) = done.filter(|d| *d != task.done) {
            task.done = done;
            (task.done_by, task.done_at) = if done {
                (Some(by.to_owned()), Some(now))
            } else {
                (None, None)
            };
        }
        Some(next)
    }

    /// The ticket without task `id`; `None` when no such task.
    pub fn without_task(&self, id: &str) -> Option<Ticket> {
        let mut next = self.clone();
        let before = next.work.tasks.len();
        next.work.tasks.retain(|t| t.id != id);
        (next.work.tasks.len() < before).then_some(next)
    }
}
