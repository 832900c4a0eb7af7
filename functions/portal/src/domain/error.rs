//! What a domain rule refuses: a value that names nothing, or fields that need attention. The web
//! layer maps these to HTTP (`From<DomainError> for ApiError`); nothing here knows of HTTP.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum DomainError {
    /// An id or number that cannot name anything (the same answer as one that names nothing).
    #[error("not found")]
    NotFound,
    /// Fields that need attention, each with a message for the person filling the form.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
}

/// One invalid field of a request body.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
