use super::*;

#[test]
fn search_terms() {
    assert_eq!(Search::parse("  "), None);
    assert_eq!(Search::parse("#1042"), Some(Search::Number(1042)));
    assert_eq!(Search::parse("1042"), Some(Search::Number(1042)));
    assert_eq!(
        Search::parse("Printer, JAMMED!"),
        Some(Search::Words(vec!["printer".into(), "jammed".into()]))
    );
    assert_eq!(Search::parse("a !"), Some(Search::Nothing));
    assert!(Search::matches(
        &["print".into()],
        "The printer is jammed",
        ""
    ));
    assert!(!Search::matches(
        &["print".into(), "fax".into()],
        "The printer is jammed",
        ""
    ));
    assert!(Search::matches(
        &["print".into(), "fax".into()],
        "The printer is jammed",
        "And the fax machine beeps."
    ));
    assert_eq!(
        summary_words("Outlook: outlook crashes, Ünïcode ok"),
        vec!["outlook", "crashes", "ünïcode", "ok"]
    );
    let long = "x".repeat(50);
    assert_eq!(summary_words(&long)[0].len(), MAX_WORD_LEN);
    // A ticket's words: the summary's first, then the description's that are new, up to the cap.
    assert_eq!(
        ticket_words("Outlook crashes", "Outlook 365 crashes on start."),
        vec!["outlook", "crashes", "365", "on", "start"]
    );
    let many: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
    let words = ticket_words("Printer", &many.join(" "));
    assert_eq!(words.len(), MAX_TICKET_WORDS);
    assert_eq!(words[..2], ["printer", "w0"]);
    // A summary too long for the index keeps its first words and leaves four to the description.
    let summary: Vec<String> = (0..30).map(|i| format!("s{i}")).collect();
    let words = ticket_words(&summary.join(" "), "fax");
    assert_eq!(words.len(), MAX_WORDS + 1);
    assert_eq!(words.last().map(String::as_str), Some("fax"));
}

#[test]
fn defaults_let_clients_cancel_and_resolve_and_are_valid() {
    let d = TicketSettings::default();
    assert_eq!(d.client_statuses, ["resolved", "cancelled"]);
    assert_eq!(d.attachment_max_mb, 25);
    assert_eq!(d.clone().validated().unwrap(), d);
}

#[test]
fn validation_names_each_bad_field() {
    let bad = TicketSettings {
        request_types: vec!["Problem".into(), " problem ".into()],
        reopen_days: 999,
        attachment_max_mb: 0,
        ..TicketSettings::default()
    };
    let Err(DomainError::Validation(errors)) = bad.validated() else {
        panic!("expected 422")
    };
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["request_types", "reopen_days", "attachment_max_mb"]
    );
}

#[test]
fn open_and_closed_statuses() {
    let open: Vec<_> = TicketStatus::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .collect();
    assert_eq!(open.len(), 5);
    assert!(!TicketStatus::Resolved.is_open() && !TicketStatus::Cancelled.is_open());
}
