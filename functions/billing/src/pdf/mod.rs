//! Invoice, credit-note and quote PDFs: A4, the MSP's name, colour and address from
//! `site/branding.toml`, the client's details, the lines (over as many pages as they need),
//! totals, and notes (what was paid and what is due; what a credit is for). One renderer draws a
//! `Document`; `render`, `render_credit_note` and `render_quote` say what each document holds.
//! Text is set in DejaVu Sans, embedded as a subset (only the glyphs used) with a ToUnicode map,
//! so the PDF looks the same everywhere and its text can be searched and copied.

use portal::domain::account::Company;
use portal::domain::billing::{CreditNote, Invoice, InvoiceStatus, Line, Quantity, format_money};
use portal::domain::branding::Branding;
use portal::domain::quotes::{Quote, QuoteStatus, Recurrence};
use portal_pdf::*;
use time::Date;

// Columns of the lines table.
const COL_QTY: f32 = 360.0;
const COL_PRICE: f32 = 450.0;
const COL_AMOUNT: f32 = PAGE_W - MARGIN;
const DESC_WIDTH: f32 = 280.0;

/// What one PDF shows.
struct Document<'a> {
    /// The word in the header band: `INVOICE`, `CREDIT NOTE`, `QUOTE`.
    title: &'static str,
    /// `INV-0007`, `CN-0001`: in the footer and the file's title.
    label: String,
    /// Beside the MSP's address: (label, value).
    facts: Vec<(&'static str, String)>,
    /// Above the client's name: `BILL TO`, `CREDIT TO`, `PREPARED FOR`.
    to: &'static str,
    stamp: Option<(&'static str, (f32, f32, f32))>,
    lines: &'a [Line],
    currency: &'a portal::domain::billing::Currency,
    /// (label, amount as text, bold).
    totals: Vec<(String, String, bool)>,
    /// Each: a title, then paragraphs.
    notes: Vec<(&'static str, Vec<String>)>,
}

/// Render `invoice` of `client` as a PDF.
pub fn render(
    brand: &Branding,
    invoice: &Invoice,
    client: &Company,
    today: Date,
) -> anyhow::Result<Vec<u8>> {
    let money = |amount: i64| format_money(amount, &invoice.currency);
    let date = |d: Option<Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let stamp = match invoice.status {
        InvoiceStatus::Paid => Some(("PAID", GOOD)),
        InvoiceStatus::Void => Some(("VOID", BAD)),
        InvoiceStatus::Draft => Some(("DRAFT", MUTED)),
        InvoiceStatus::Issued if invoice.is_overdue(today) => Some(("OVERDUE", BAD)),
        InvoiceStatus::Issued => None,
    };
    let mut totals = vec![
        ("Subtotal".to_owned(), money(invoice.subtotal), false),
        (
            format!("Tax ({}%)", percent(invoice.tax_rate_bp)),
            money(invoice.tax),
            false,
        ),
        ("Total".to_owned(), money(invoice.total), true),
    ];
    if invoice.paid > 0 {
        totals.push((
            "Paid".to_owned(),
            format!("−{}", money(invoice.paid)),
            false,
        ));
    }
    let due = if invoice.status == InvoiceStatus::Void {
        0
    } else {
        invoice.balance
    };
    totals.push(("Balance due".to_owned(), money(due), true));
    let mut notes: Vec<(&str, Vec<String>)> = Vec::new();
    if !invoice.payments.is_empty() {
        let paid = invoice
            .payments
            .iter()
            .map(|p| {
                format!(
                    "{} · {} · {} · receipt {}",
                    p.paid_at.date(),
                    p.method,
                    money(p.amount),
                    p.payment_id
                )
            })
            .collect();
        notes.push(("Payments received", paid));
    }
    if !invoice.notes.is_empty() {
        notes.push(("Notes", vec![invoice.notes.clone()]));
    }
    if !invoice.tickets.is_empty() {
        let list: Vec<String> = invoice.tickets.iter().map(|n| format!("#{n}")).collect();
        notes.push(("Tickets", vec![list.join(", ")]));
    }
    if due > 0 {
        let how = if brand.invoice.payment_instructions.is_empty() {
            "Pay online in the client portal, or contact us for bank transfer details.".to_owned()
        } else {
            brand.invoice.payment_instructions.clone()
        };
        notes.push(("How to pay", vec![how]));
    }
    draw(
        brand,
        client,
        &Document {
            title: "INVOICE",
            label: invoice.label(),
            facts: vec![
                ("Invoice number", invoice.label()),
                ("Issue date", date(invoice.issue_date)),
                ("Due date", date(invoice.due_date)),
                ("Currency", invoice.currency.to_string()),
            ],
            to: "BILL TO",
            stamp,
            lines: &invoice.lines,
            currency: &invoice.currency,
            totals,
            notes,
        },
    )
}

/// Render credit note `note` of `client` as a PDF.
pub fn render_credit_note(
    brand: &Branding,
    note: &CreditNote,
    client: &Company,
) -> anyhow::Result<Vec<u8>> {
    let amount = format_money(note.amount, &note.currency);
    let line = [Line {
        description: note.reason.clone(),
        quantity: Quantity(1000),
        unit_price: note.amount,
        amount: note.amount,
    }];
    let mut facts = vec![
        ("Credit note number", note.label()),
        ("Date", note.created_at.date().to_string()),
        ("Currency", note.currency.to_string()),
    ];
    if let Some(invoice) = &note.invoice {
        facts.push(("Credits invoice", invoice.label.clone()));
    }
    draw(
        brand,
        client,
        &Document {
            title: "CREDIT NOTE",
            label: note.label(),
            facts,
            to: "CREDIT TO",
            stamp: None,
            lines: &line,
            currency: &note.currency,
            totals: vec![("Credit".to_owned(), amount.clone(), true)],
            notes: vec![(
                "How it is used",
                vec![format!(
                    "{amount} is added to your store credit with us. It pays your next invoices: \
                     apply it on an invoice's page in the client portal, or ask us to."
                )],
            )],
        },
    )
}

/// Render quote revision `quote` of `client` as a PDF: its lines (recurring ones say so), the
/// totals of each recurrence, the introduction and terms, and who approved or declined it.
pub fn render_quote(
    brand: &Branding,
    quote: &Quote,
    client: &Company,
    today: Date,
) -> anyhow::Result<Vec<u8>> {
    let money = |amount: i64| format_money(amount, &quote.currency);
    let stamp = match quote.status {
        QuoteStatus::Draft => Some(("DRAFT", MUTED)),
        QuoteStatus::Approved => Some(("APPROVED", GOOD)),
        QuoteStatus::Declined => Some(("DECLINED", BAD)),
        QuoteStatus::Superseded => Some(("SUPERSEDED", MUTED)),
        QuoteStatus::Sent if quote.expired(today) => Some(("EXPIRED", BAD)),
        QuoteStatus::Sent => None,
    };
    let lines: Vec<Line> = quote
        .lines
        .iter()
        .map(|l| {
            let mut line = l.line.clone();
            match l.recurrence {
                Recurrence::OneTime => {}
                Recurrence::Monthly => line.description.push_str(" (monthly)"),
                Recurrence::Annually => line.description.push_str(" (annually)"),
            }
            line
        })
        .collect();
    let mut totals = Vec::new();
    for t in &quote.totals {
        let (label, bold_label) = match t.recurrence {
            Recurrence::OneTime => ("One-off", "One-off total"),
            Recurrence::Monthly => ("Monthly", "Monthly total"),
            Recurrence::Annually => ("Annual", "Annual total"),
        };
        totals.push((format!("{label} subtotal"), money(t.subtotal), false));
        if quote.tax_rate_bp > 0 {
            totals.push((
                format!("Tax ({}%)", percent(quote.tax_rate_bp)),
                money(t.tax),
                false,
            ));
        }
        totals.push((bold_label.to_owned(), money(t.total), true));
    }
    let mut notes: Vec<(&str, Vec<String>)> = Vec::new();
    if !quote.introduction.is_empty() {
        notes.push(("About this quote", vec![quote.introduction.clone()]));
    }
    if !quote.terms.is_empty() {
        notes.push(("Terms", vec![quote.terms.clone()]));
    }
    if let Some(a) = &quote.approval {
        notes.push((
            "Approved",
            vec![
                format!(
                    "Signed “{}” by {} on {} (UTC) from {}, revision {}:",
                    a.name,
                    a.user_name,
                    a.at.date(),
                    a.ip,
                    a.revision
                ),
                a.consent.clone(),
            ],
        ));
    }
    if let Some(d) = &quote.decline {
        notes.push((
            "Declined",
            vec![format!(
                "By {} on {}: {}",
                d.user_name,
                d.at.date(),
                d.reason
            )],
        ));
    }
    if quote.status == QuoteStatus::Sent && !quote.expired(today) {
        notes.push((
            "How to approve",
            vec![format!(
                "Approve or decline it in the client portal by {}.",
                quote.valid_until
            )],
        ));
    }
    draw(
        brand,
        client,
        &Document {
            title: "QUOTE",
            label: quote.label(),
            facts: vec![
                ("Quote number", quote.label()),
                ("Date", quote.updated_at.date().to_string()),
                ("Valid until", quote.valid_until.to_string()),
                ("Currency", quote.currency.to_string()),
            ],
            to: "PREPARED FOR",
            stamp,
            lines: &lines,
            currency: &quote.currency,
            totals,
            notes,
        },
    )
}

/// Draw `doc` for `client`.
fn draw(brand: &Branding, client: &Company, doc: &Document<'_>) -> anyhow::Result<Vec<u8>> {
    let mut l = portal_pdf::begin(
        brand,
        client,
        &Letter {
            title: doc.title,
            facts: doc.facts.clone(),
            to: doc.to,
            stamp: doc.stamp,
        },
    )?;
    let money = |amount: i64| format_money(amount, doc.currency);
    // The lines, with a header on every page.
    let header = |l: &mut Layout| {
        let y = l.y;
        l.fill(
            MARGIN,
            y - 5.0,
            PAGE_W - 2.0 * MARGIN,
            18.0,
            (0.95, 0.96, 0.97),
        );
        l.text(Face::Bold, 9.0, MARGIN + 4.0, y, INK, "Description");
        l.text_right(Face::Bold, 9.0, COL_QTY, y, INK, "Qty");
        l.text_right(Face::Bold, 9.0, COL_PRICE, y, INK, "Unit price");
        l.text_right(Face::Bold, 9.0, COL_AMOUNT - 4.0, y, INK, "Amount");
        l.y = y - ROW - 4.0;
    };
    header(&mut l);
    for line in doc.lines {
        let wrapped = l.wrap(Face::Regular, 9.0, DESC_WIDTH, &line.description);
        let height = ROW * wrapped.len() as f32;
        if l.y - height < MARGIN + 40.0 {
            l.pages.push(PageOut::default());
            l.y = PAGE_H - MARGIN;
            header(&mut l);
        }
        let y = l.y;
        for (i, text) in wrapped.iter().enumerate() {
            l.text(
                Face::Regular,
                9.0,
                MARGIN + 4.0,
                y - ROW * i as f32,
                INK,
                text,
            );
        }
        l.text_right(
            Face::Regular,
            9.0,
            COL_QTY,
            y,
            INK,
            &line.quantity.to_string(),
        );
        l.text_right(
            Face::Regular,
            9.0,
            COL_PRICE,
            y,
            INK,
            &money(line.unit_price),
        );
        l.text_right(
            Face::Regular,
            9.0,
            COL_AMOUNT - 4.0,
            y,
            INK,
            &money(line.amount),
        );
        l.fill(
            MARGIN,
            y - height + ROW - 10.0,
            PAGE_W - 2.0 * MARGIN,
            0.5,
            RULE,
        );
        l.y = y - height;
    }

    // Totals (and notes) need about 160 points.
    if l.y < MARGIN + 170.0 {
        l.pages.push(PageOut::default());
        l.y = PAGE_H - MARGIN;
    }
    let mut y = l.y - 10.0;
    for (label, value, bold) in &doc.totals {
        let face = if *bold { Face::Bold } else { Face::Regular };
        l.text(face, 10.0, 360.0, y, INK, label);
        l.text_right(face, 10.0, COL_AMOUNT - 4.0, y, INK, value);
        y -= 16.0;
    }
    l.y = y - 10.0;
    for (title, paragraphs) in &doc.notes {
        portal_pdf::section(&mut l, title, paragraphs);
    }
    portal_pdf::finish(l, brand, &doc.label)
}

fn percent(bp: u32) -> String {
    let whole = bp / 100;
    let frac = bp % 100;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:02}")
            .trim_end_matches('0')
            .to_owned()
    }
}
