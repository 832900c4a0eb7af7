//! Ticket lists as CSV (through `portal::web::csv`, which neutralises formulas).

use portal::domain::tickets::{Ticket, TicketSettings};
use portal::web::csv::{document, time};

/// The export: a header row, then one row per ticket (its status under the MSP's name for it, as
/// the pages say it); `staff` adds the company column.
pub fn tickets(tickets: &[Ticket], settings: &TicketSettings, staff: bool) -> String {
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
    let rows = tickets.iter().map(|t| {
        let mut row = vec![t.number.to_string()];
        if staff {
            row.push(t.company_id.to_string());
        }
        row.extend([
            t.summary.clone(),
            t.request_type.clone(),
            t.status_name(Some(settings)),
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
        row
    });
    document(&header, rows)
}
