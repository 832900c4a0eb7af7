//! Field checks shared by the account forms. Each returns the cleaned value or the field's error.

use crate::domain::{DomainError, FieldError};

/// A person's or company's name: 1–100 characters after trimming, no control characters.
pub fn name(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "Enter a name"));
    } else if v.chars().count() > 100 {
        errors.push(FieldError::new(field, "Use at most 100 characters"));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "Use letters, digits and punctuation only",
        ));
    }
    v.to_owned()
}

/// A phone number, possibly empty: up to 40 of digits, spaces and `+ ( ) - . x`.
pub fn phone(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > 40
        || !v
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-.x".contains(c))
    {
        errors.push(FieldError::new(
            field,
            "Use digits, spaces and + ( ) - only, at most 40 characters",
        ));
    }
    v.to_owned()
}

/// Free text such as an address: at most `max` characters (line breaks allowed).
pub fn text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("Use at most {max} characters"),
        ));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        errors.push(FieldError::new(field, "Remove the control characters"));
    }
    v.to_owned()
}

/// `Ok(())` if no field failed, else 422 with every failure.
pub fn done(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}
