//! Field checks shared by the account forms. Each returns the cleaned value or the field's error.

use crate::domain::{DomainError, FieldError};

/// Longest name and phone number, in characters as sent (white space around included).
pub const MAX_NAME: usize = 100;
pub const MAX_PHONE: usize = 40;

/// A person's or company's name: not blank, at most `MAX_NAME` characters, and no control
/// characters once trimmed.
pub fn name(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "Enter a name"));
    } else if value.chars().count() > MAX_NAME {
        errors.push(FieldError::new(
            field,
            format!("Use at most {MAX_NAME} characters"),
        ));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            "Use letters, digits and punctuation only",
        ));
    }
    v.to_owned()
}

/// A phone number, possibly empty: up to `MAX_PHONE` of digits, spaces and `+ ( ) - . x`.
pub fn phone(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if value.chars().count() > MAX_PHONE
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
    if value.chars().count() > max {
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

/// A date sent as `YYYY-MM-DD`, or the field's error.
pub fn date(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    match time::Date::parse(raw.trim(), &format) {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(FieldError::new(field, "Use a date like 2026-12-31"));
            None
        }
    }
}

/// The currency sent (`None`: `default`), or the field's error.
pub fn currency(
    raw: Option<&str>,
    default: &crate::domain::money::Currency,
    errors: &mut Vec<FieldError>,
) -> Option<crate::domain::money::Currency> {
    let currency = match raw {
        None => Some(default.clone()),
        Some(raw) => crate::domain::money::Currency::parse(raw),
    };
    if currency.is_none() {
        errors.push(FieldError::new(
            "currency",
            "Use a three-letter ISO code such as USD",
        ));
    }
    currency
}

/// `Ok(())` if no field failed, else 422 with every failure.
pub fn done(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The rules above as the OpenAPI document states them (JSON Schema `pattern`s and lengths), so a
/// value the document calls valid is one the server takes, and the other way round. The server
/// trims (`str::trim`: Unicode White_Space) before it checks, so each pattern allows that white
/// space around the value; lengths count the characters as sent. The patterns use only what
/// ECMA-262 and Python's `re` read alike (no `\s`, `\w`, which the two read differently).
pub mod schema {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{Object, ObjectBuilder, Schema, SchemaType, Type};

    /// A schema written as JSON, for what the derive cannot say (one field of two, a field one
    /// operation requires, `contains`). The keywords utoipa's types do not model are carried as
    /// they are (as unprefixed extensions, which serialise in place); one at most, since
    /// extensions are a `HashMap` and two would come out in a random order (the committed document
    /// is compared as text).
    pub fn json(value: serde_json::Value) -> RefOr<Schema> {
        let mut schema: Schema =
            serde_json::from_value(value.clone()).expect("a valid JSON Schema");
        let modelled = serde_json::to_value(&schema).expect("a schema serialises");
        let rest: utoipa::openapi::extensions::Extensions = value
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| modelled.get(k.as_str()).is_none())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        assert!(
            rest.len() <= 1,
            "more than one keyword utoipa does not model: {:?}",
            rest.keys()
        );
        if !rest.is_empty() {
            let extensions = match &mut schema {
                Schema::Object(s) => &mut s.extensions,
                Schema::Array(s) => &mut s.extensions,
                Schema::OneOf(s) => &mut s.extensions,
                Schema::AllOf(s) => &mut s.extensions,
                Schema::AnyOf(s) => &mut s.extensions,
                _ => panic!(
                    "keywords {:?} on a schema that cannot carry them",
                    rest.keys()
                ),
            };
            extensions.get_or_insert_default().merge(rest);
        }
        RefOr::T(schema)
    }

    /// What `char::is_whitespace` (so `str::trim`) takes: Unicode White_Space.
    pub const WHITE_SPACE: &[(u32, u32)] = &[
        (0x09, 0x0d),
        (0x20, 0x20),
        (0x85, 0x85),
        (0xa0, 0xa0),
        (0x1680, 0x1680),
        (0x2000, 0x200a),
        (0x2028, 0x2029),
        (0x202f, 0x202f),
        (0x205f, 0x205f),
        (0x3000, 0x3000),
    ];
    /// What `char::is_control` takes: Unicode Cc.
    pub const CONTROL: &[(u32, u32)] = &[(0x00, 0x1f), (0x7f, 0x9f)];
    /// Control characters but line breaks (`\n`, `\r`), which free text may hold.
    const CONTROL_BUT_BREAKS: &[(u32, u32)] =
        &[(0x00, 0x09), (0x0b, 0x0c), (0x0e, 0x1f), (0x7f, 0x9f)];

    /// A regex character class: `[…]` of the ranges and characters, or `[^…]` if `negated`.
    pub fn class(negated: bool, ranges: &[&[(u32, u32)]], chars: &str) -> String {
        let mut out = String::from(if negated { "[^" } else { "[" });
        for &(from, to) in ranges.iter().copied().flatten() {
            out += &format!("\\u{from:04x}");
            if to > from {
                out += &format!("-\\u{to:04x}");
            }
        }
        out += chars;
        out.push(']');
        out
    }

    /// A pattern for `core` with any white space around it (which the server trims), anchored.
    pub fn trimmed(core: &str) -> String {
        let space = class(false, &[WHITE_SPACE], "");
        format!("^{space}*{core}{space}*$")
    }

    /// Which characters a text may hold besides white space around it.
    #[derive(Clone, Copy)]
    pub enum Chars {
        /// Anything.
        Any,
        /// No control characters (a name: one line).
        NoControls,
        /// No control characters but line breaks (an address: several lines).
        Lines,
    }

    /// A text of at most `max` characters; `required`: not blank (something besides white space).
    pub fn text(required: bool, max: usize, chars: Chars) -> Object {
        let space = class(false, &[WHITE_SPACE], "");
        let pattern = match chars {
            Chars::Any if required => Some(class(true, &[WHITE_SPACE], "")),
            Chars::Any => None,
            Chars::NoControls | Chars::Lines => {
                let inner = match chars {
                    Chars::Lines => class(true, &[CONTROL_BUT_BREAKS], ""),
                    _ => class(true, &[CONTROL], ""),
                };
                let solid = class(true, &[CONTROL, WHITE_SPACE], "");
                let core = format!("{solid}({inner}*{solid})?");
                Some(if required {
                    format!("^{space}*{core}{space}*$")
                } else {
                    format!("^{space}*({core}{space}*)?$")
                })
            }
        };
        string(if required { 1 } else { 0 }, Some(max), pattern)
    }

    /// Any text but a blank one, of any length (what a sign-in form checks before looking up).
    pub fn non_blank() -> Object {
        string(1, None, Some(class(true, &[WHITE_SPACE], "")))
    }

    /// A string schema of `min`..=`max` characters matching `pattern` (a search: anchor it).
    pub fn string(min: usize, max: Option<usize>, pattern: Option<String>) -> Object {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length((min > 0).then_some(min))
            .max_length(max)
            .pattern(pattern)
            .build()
    }

    /// `schema`, or `null`.
    pub fn or_null(mut schema: Object) -> Object {
        schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
        schema
    }

    /// `Currency::parse`'s shape: three letters, white space around; or `null` (the default).
    pub fn currency_or_null() -> Object {
        or_null(string(3, None, Some(trimmed("[A-Za-z]{3}"))))
    }

    /// A person's or company's name (`validate::name`).
    pub fn name() -> Object {
        text(true, super::MAX_NAME, Chars::NoControls)
    }
    pub fn name_or_null() -> Object {
        or_null(name())
    }

    /// A phone number (`validate::phone`), possibly empty.
    pub fn phone() -> Object {
        string(0, Some(super::MAX_PHONE), Some(trimmed("[0-9 +().x-]*")))
    }
    pub fn phone_or_null() -> Object {
        or_null(phone())
    }

    fn email_pattern() -> String {
        let local = class(true, &[CONTROL, WHITE_SPACE], "@");
        let label = class(true, &[CONTROL, WHITE_SPACE], "@.");
        let max = crate::domain::email::MAX_LOCAL;
        trimmed(&format!("{local}{{1,{max}}}@{label}+(\\.{label}+)+"))
    }

    /// An email address (`Email::parse`): one `@`, a dotted domain, no white space inside.
    pub fn email() -> Object {
        string(
            1,
            Some(crate::domain::email::MAX_LEN),
            Some(email_pattern()),
        )
    }

    /// An email address, or blank (which clears it), or `null` (no change).
    pub fn email_blank_or_null() -> Object {
        let pattern = format!("{}|{}", trimmed(""), email_pattern());
        or_null(string(
            0,
            Some(crate::domain::email::MAX_LEN),
            Some(pattern),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::schema::{self, CONTROL, WHITE_SPACE};
    use super::*;
    use crate::domain::Email;

    fn within(ranges: &[(u32, u32)], c: char) -> bool {
        ranges.iter().any(|&(a, b)| (a..=b).contains(&(c as u32)))
    }

    #[test]
    fn the_classes_are_the_predicates_the_server_uses() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(within(WHITE_SPACE, c), c.is_whitespace(), "{c:?}");
            assert_eq!(within(CONTROL, c), c.is_control(), "{c:?}");
        }
    }

    /// Whether `value` is valid by `schema` (its pattern as a search, and its lengths).
    fn valid(schema: &utoipa::openapi::schema::Object, value: &str) -> bool {
        let n = value.chars().count();
        schema.min_length.is_none_or(|m| n >= m)
            && schema.max_length.is_none_or(|m| n <= m)
            && schema.pattern.as_ref().is_none_or(|p| {
                regex::Regex::new(p)
                    .expect("pattern compiles")
                    .is_match(value)
            })
    }

    const SAMPLES: &[&str] = &[
        "",
        " ",
        "\t",
        "\n",
        "\u{3000}",
        "A",
        " Ada Lovelace ",
        "Ada\tLovelace",
        "Ada\nLovelace",
        "\u{7}Ada",
        "Ada\u{85}",
        "\u{85}Ada",
        "Ada\u{a0}",
        "Ada \u{2028}",
        "x\u{1}",
        "O'Brien & Co.",
        "+1 (555) 010-2030 x7",
        " 555 ",
        "555a",
        "5\t5",
        "a@b.co",
        " A@B.Co ",
        "a@b",
        "@b.co",
        "a@.b.co",
        "a@b.co.",
        "a@b..co",
        "a@b@c.co",
        "a b@c.co",
        "a@b.c\u{7}",
        "ab\u{a0}@c.co",
        "line one\r\nline two",
        "\r\n",
        "x\u{9f}y",
        "é",
        "日本",
        "\u{200b}",
    ];

    fn accepts(check: impl Fn(&str, &mut Vec<FieldError>) -> String, value: &str) -> bool {
        let mut errors = Vec::new();
        check(value, &mut errors);
        errors.is_empty()
    }

    #[test]
    fn each_pattern_accepts_what_its_validator_accepts() {
        let long = |s: &str, n: usize| s.repeat(n);
        let mut samples: Vec<String> = SAMPLES.iter().map(|s| (*s).to_owned()).collect();
        for n in [39, 40, 41, 99, 100, 101, 253, 254, 255, 499, 500, 501] {
            samples.push(long("a", n));
            samples.push(format!(" {}", long("1", n - 1)));
            samples.push(format!("{}@example.com", long("a", n.saturating_sub(12))));
        }
        samples.push(format!("{}@example.com", long("a", 64)));
        samples.push(format!("{}@example.com", long("a", 65)));
        for value in &samples {
            let v = value.as_str();
            assert_eq!(
                valid(&schema::name(), v),
                accepts(|v, e| name("f", v, e), v),
                "name {v:?}"
            );
            assert_eq!(
                valid(&schema::phone(), v),
                accepts(|v, e| phone("f", v, e), v),
                "phone {v:?}"
            );
            assert_eq!(
                valid(&schema::email(), v),
                Email::parse(v).is_ok(),
                "email {v:?}"
            );
            let address = schema::text(false, 500, schema::Chars::Lines);
            assert_eq!(
                valid(&address, v),
                accepts(|v, e| text("f", v, 500, e), v),
                "text {v:?}"
            );
        }
    }
}
