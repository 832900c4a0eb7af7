//! The PDFs the portal hands out — invoices, credit notes, quotes, ticket PDFs and sign-off forms —
//! share this crate: the page machinery (`layout`: A4, DejaVu Sans embedded as a subset, text runs,
//! shapes, the writer) and the letterhead every document starts with (the MSP's band, address and
//! the document's facts, the client it is for), titled sections of paragraphs over as many pages
//! as they need, and the footers.

mod layout;

pub use layout::*;
use portal::domain::account::Company;
use portal::domain::branding::Branding;

/// The top of a document.
pub struct Letter<'a> {
    /// The word in the header band: `INVOICE`, `TICKET`, `SIGN-OFF`.
    pub title: &'a str,
    /// Beside the MSP's address: (label, value).
    pub facts: Vec<(&'a str, String)>,
    /// Above the client's name: `BILL TO`, `FOR`.
    pub to: &'a str,
    /// A word stamped beside the client's address (`PAID`, `SIGNED`) and its colour.
    pub stamp: Option<(&'a str, (f32, f32, f32))>,
}

/// Green, red: for stamps.
pub const GOOD: (f32, f32, f32) = (0.09, 0.5, 0.25);
pub const BAD: (f32, f32, f32) = (0.7, 0.1, 0.1);

/// A layout with the letterhead of `letter` for `client` drawn on its first page; `y` is where the
/// body starts.
pub fn begin(brand: &Branding, client: &Company, letter: &Letter<'_>) -> anyhow::Result<Layout> {
    let accent = hex_colour(&brand.button);
    let mut l = Layout {
        regular: Font::load(REGULAR)?,
        bold: Font::load(BOLD)?,
        pages: vec![PageOut::default()],
        y: 0.0,
    };
    // Header band with the MSP's name.
    l.fill(0.0, PAGE_H - 70.0, PAGE_W, 70.0, accent);
    l.text(
        Face::Bold,
        18.0,
        MARGIN,
        PAGE_H - 44.0,
        (1.0, 1.0, 1.0),
        &brand.name,
    );
    l.text_right(
        Face::Bold,
        22.0,
        PAGE_W - MARGIN,
        PAGE_H - 46.0,
        (1.0, 1.0, 1.0),
        letter.title,
    );

    // From (the MSP) and the document's facts.
    let mut y = PAGE_H - 100.0;
    let from_name = if brand.invoice.legal_name.is_empty() {
        brand.name.clone()
    } else {
        brand.invoice.legal_name.clone()
    };
    l.text(Face::Bold, 10.0, MARGIN, y, INK, &from_name);
    let mut from: Vec<String> = brand.invoice.address.lines().map(str::to_owned).collect();
    from.push(format!("{} · {}", brand.support.email, brand.support.phone));
    if !brand.invoice.tax_id.is_empty() {
        from.push(brand.invoice.tax_id.clone());
    }
    for line in &from {
        y -= 13.0;
        l.text(Face::Regular, 9.0, MARGIN, y, MUTED, line);
    }
    let mut fy = PAGE_H - 100.0;
    for (label, value) in &letter.facts {
        l.text(Face::Regular, 9.0, 360.0, fy, MUTED, label);
        l.text_right(Face::Bold, 9.0, PAGE_W - MARGIN, fy, INK, value);
        fy -= 14.0;
    }

    // To whom.
    y = y.min(fy) - 28.0;
    l.text(Face::Bold, 9.0, MARGIN, y, MUTED, letter.to);
    y -= 15.0;
    l.text(Face::Bold, 11.0, MARGIN, y, INK, &client.name);
    let mut to: Vec<String> = client.address.lines().map(str::to_owned).collect();
    if let Some(email) = &client.billing_email {
        to.push(email.to_string());
    }
    for line in &to {
        y -= 13.0;
        l.text(Face::Regular, 9.0, MARGIN, y, INK, line);
    }
    if let Some((word, colour)) = letter.stamp {
        l.text_right(Face::Bold, 20.0, PAGE_W - MARGIN, y, colour, word);
    }
    l.y = y - 30.0;
    Ok(l)
}

/// A titled section of paragraphs (each wrapped to the page), starting at `l.y` and going on to
/// new pages as it needs; `l.y` ends below it.
pub fn section(l: &mut Layout, title: &str, paragraphs: &[String]) {
    let lines: Vec<String> = paragraphs
        .iter()
        .flat_map(|text| l.wrap(Face::Regular, 9.0, PAGE_W - 2.0 * MARGIN, text))
        .collect();
    let mut y = l.y;
    for (i, line) in std::iter::once(title.to_owned()).chain(lines).enumerate() {
        if y < MARGIN + 20.0 {
            l.pages.push(PageOut::default());
            y = PAGE_H - MARGIN;
        }
        let face = if i == 0 { Face::Bold } else { Face::Regular };
        l.text(
            face,
            9.0,
            MARGIN,
            y,
            if i == 0 { INK } else { MUTED },
            &line,
        );
        y -= 13.0;
    }
    l.y = y - 6.0;
}

/// The document's bytes: every page gets a footer naming the MSP, `label` and the page.
pub fn finish(mut l: Layout, brand: &Branding, label: &str) -> anyhow::Result<Vec<u8>> {
    let count = l.pages.len();
    for i in 0..count {
        let footer = format!("{} · {label} · Page {} of {count}", brand.name, i + 1);
        let w = l.regular.width(&footer, 8.0);
        l.pages[i].runs.push(Run {
            face: Face::Regular,
            size: 8.0,
            x: (PAGE_W - w) / 2.0,
            y: 28.0,
            rgb: MUTED,
            text: footer,
        });
    }
    write(&l, &format!("{} {label}", brand.name))
}
