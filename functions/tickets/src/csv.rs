//! Ticket lists as CSV (RFC 4180), safe to open in a spreadsheet.

use portal::tickets::Ticket;
use time::OffsetDateTime;

/// One cell, quoted. A value a spreadsheet would take for a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) gets a leading `'`, so it shows as text and never runs.
pub fn cell(value: &str) -> String {
    let neutral = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    format!("\"{}\"", neutral.replace('"', "\"\""))
}

fn time(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The export: a header row, then one row per ticket; `staff` adds the company column.
pub fn tickets(tickets: &[Ticket], staff: bool) -> String {
    let mut header = vec!["Number"];
    if staff {
        header.push("Company");
    }
    header.extend([
        "Summary",
        "Request type",
        "Status",
        "Priority",
        "Emergency",
        "Contact",
        "Assigned to",
        "Submitted (UTC)",
        "Updated (UTC)",
        "Closed (UTC)",
        "Due date",
        "PO number",
    ]);
    let mut out = header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for t in tickets {
        let mut row = vec![t.number.to_string()];
        if staff {
            row.push(t.company_id.to_string());
        }
        row.extend([
            t.summary.clone(),
            t.request_type.clone(),
            t.status.label().to_owned(),
            format!("{:?}", t.priority),
            if t.emergency { "Yes" } else { "No" }.to_owned(),
            t.contact_name.clone(),
            t.assignee_name.clone().unwrap_or_default(),
            time(t.created_at),
            time(t.updated_at),
            t.closed_at.map(time).unwrap_or_default(),
            t.due_date.map(|d| d.to_string()).unwrap_or_default(),
            t.po_number.clone().unwrap_or_default(),
        ]);
        out.push_str(&row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised_and_quotes_doubled() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("-2"), "\"'-2\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("\tx"), "\"'\tx\"");
        assert_eq!(cell("Printer, jammed"), "\"Printer, jammed\"");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
