//! Invoice PDFs: A4, the MSP's name, colour and address from `site/branding.toml`, the client's
//! details, the lines (over as many pages as they need), totals, what was paid and what is due.
//! Text is set in DejaVu Sans, embedded as a subset (only the glyphs used) with a ToUnicode map,
//! so the PDF looks the same everywhere and its text can be searched and copied.

use anyhow::Context;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use portal::domain::account::Company;
use portal::domain::billing::{Invoice, InvoiceStatus, format_money};
use portal::domain::branding::Branding;
use std::collections::BTreeMap;
use time::Date;

const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 50.0;
const ROW: f32 = 15.0;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Face {
    Regular,
    Bold,
}

struct Font {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    upem: f32,
}

impl Font {
    fn load(data: &'static [u8]) -> anyhow::Result<Self> {
        let face = ttf_parser::Face::parse(data, 0).context("parsing an embedded font")?;
        let upem = f32::from(face.units_per_em());
        Ok(Self { face, data, upem })
    }

    fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    fn advance(&self, glyph: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(glyph))
                .unwrap_or(0),
        ) / self.upem
            * 1000.0
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// One piece of text placed on a page.
struct Run {
    face: Face,
    size: f32,
    x: f32,
    y: f32,
    rgb: (f32, f32, f32),
    text: String,
}

/// A filled rectangle or a rule.
struct Shape {
    rect: (f32, f32, f32, f32),
    rgb: (f32, f32, f32),
}

#[derive(Default)]
struct PageOut {
    runs: Vec<Run>,
    shapes: Vec<Shape>,
}

struct Layout {
    regular: Font,
    bold: Font,
    pages: Vec<PageOut>,
    y: f32,
}

const INK: (f32, f32, f32) = (0.12, 0.13, 0.15);
const MUTED: (f32, f32, f32) = (0.38, 0.40, 0.44);
const RULE: (f32, f32, f32) = (0.82, 0.84, 0.87);

impl Layout {
    fn font(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    fn page(&mut self) -> &mut PageOut {
        self.pages.last_mut().expect("a page")
    }

    fn text(&mut self, face: Face, size: f32, x: f32, y: f32, rgb: (f32, f32, f32), text: &str) {
        self.page().runs.push(Run {
            face,
            size,
            x,
            y,
            rgb,
            text: text.to_owned(),
        });
    }

    /// Text ending at `right`.
    fn text_right(
        &mut self,
        face: Face,
        size: f32,
        right: f32,
        y: f32,
        rgb: (f32, f32, f32),
        text: &str,
    ) {
        let w = self.font(face).width(text, size);
        self.text(face, size, right - w, y, rgb, text);
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (f32, f32, f32)) {
        self.page().shapes.push(Shape {
            rect: (x, y, w, h),
            rgb,
        });
    }

    /// `text` broken into lines no wider than `width`.
    fn wrap(&self, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
        let font = self.font(face);
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if font.width(&candidate, size) <= width || line.is_empty() {
                    line = candidate;
                } else {
                    lines.push(std::mem::take(&mut line));
                    line = word.to_owned();
                }
                // A single word wider than the column is cut.
                while font.width(&line, size) > width && line.chars().count() > 1 {
                    let cut: String = line.chars().take(line.chars().count() - 1).collect();
                    let rest: String = line.chars().skip(cut.chars().count()).collect();
                    if font.width(&cut, size) <= width {
                        lines.push(cut);
                        line = rest;
                    } else {
                        line = cut + &rest;
                        let n = line.chars().count();
                        let keep: String = line.chars().take(n / 2).collect();
                        let tail: String = line.chars().skip(n / 2).collect();
                        lines.push(keep);
                        line = tail;
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }
}

fn hex_colour(hex: &str) -> (f32, f32, f32) {
    let v = |i: usize| {
        hex.trim_start_matches('#')
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.1, |b| f32::from(b) / 255.0)
    };
    (v(0), v(2), v(4))
}

// Columns of the lines table.
const COL_QTY: f32 = 360.0;
const COL_PRICE: f32 = 450.0;
const COL_AMOUNT: f32 = PAGE_W - MARGIN;
const DESC_WIDTH: f32 = 280.0;

/// Render `invoice` of `client` as a PDF.
pub fn render(
    brand: &Branding,
    invoice: &Invoice,
    client: &Company,
    today: Date,
) -> anyhow::Result<Vec<u8>> {
    let accent = hex_colour(&brand.button);
    let mut l = Layout {
        regular: Font::load(REGULAR)?,
        bold: Font::load(BOLD)?,
        pages: vec![PageOut::default()],
        y: 0.0,
    };
    let money = |amount: i64| format_money(amount, &invoice.currency);

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
        "INVOICE",
    );

    // From (the MSP) and the invoice's facts.
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
    let facts = [
        ("Invoice number", invoice.label()),
        (
            "Issue date",
            invoice
                .issue_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        (
            "Due date",
            invoice
                .due_date
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
        ("Currency", invoice.currency.to_string()),
    ];
    let mut fy = PAGE_H - 100.0;
    for (label, value) in &facts {
        l.text(Face::Regular, 9.0, 360.0, fy, MUTED, label);
        l.text_right(Face::Bold, 9.0, PAGE_W - MARGIN, fy, INK, value);
        fy -= 14.0;
    }

    // Bill to.
    y = y.min(fy) - 28.0;
    l.text(Face::Bold, 9.0, MARGIN, y, MUTED, "BILL TO");
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
    let stamp = match invoice.status {
        InvoiceStatus::Paid => Some(("PAID", (0.09, 0.5, 0.25))),
        InvoiceStatus::Void => Some(("VOID", (0.7, 0.1, 0.1))),
        InvoiceStatus::Draft => Some(("DRAFT", MUTED)),
        InvoiceStatus::Issued if invoice.is_overdue(today) => Some(("OVERDUE", (0.7, 0.1, 0.1))),
        InvoiceStatus::Issued => None,
    };
    if let Some((word, colour)) = stamp {
        l.text_right(Face::Bold, 20.0, PAGE_W - MARGIN, y, colour, word);
    }
    l.y = y - 30.0;

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
    for line in &invoice.lines {
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
    let tax_label = format!("Tax ({}%)", percent(invoice.tax_rate_bp));
    let mut totals = vec![
        ("Subtotal", money(invoice.subtotal), Face::Regular),
        (tax_label.as_str(), money(invoice.tax), Face::Regular),
        ("Total", money(invoice.total), Face::Bold),
    ];
    if invoice.paid > 0 {
        totals.push(("Paid", format!("−{}", money(invoice.paid)), Face::Regular));
    }
    let due = if invoice.status == InvoiceStatus::Void {
        0
    } else {
        invoice.balance
    };
    totals.push(("Balance due", money(due), Face::Bold));
    for (label, value, face) in &totals {
        l.text(*face, 10.0, 360.0, y, INK, label);
        l.text_right(*face, 10.0, COL_AMOUNT - 4.0, y, INK, value);
        y -= 16.0;
    }
    y -= 10.0;
    // Each note: a title, then paragraphs (each wrapped on its own).
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
    for (title, paragraphs) in notes {
        let lines: Vec<String> = paragraphs
            .iter()
            .flat_map(|text| l.wrap(Face::Regular, 9.0, PAGE_W - 2.0 * MARGIN, text))
            .collect();
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
        y -= 6.0;
    }

    // Footers.
    let count = l.pages.len();
    for i in 0..count {
        let footer = format!(
            "{} · {} · Page {} of {count}",
            brand.name,
            invoice.label(),
            i + 1
        );
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
    write(&l, &format!("{} {}", brand.name, invoice.label()))
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

/// The PDF objects: pages, their content, and each face as a subset CID font.
fn write(l: &Layout, title: &str) -> anyhow::Result<Vec<u8>> {
    // The glyphs each face uses, remapped to the subset's consecutive ids (0 stays .notdef).
    let mut used: BTreeMap<Face, (subsetter::GlyphRemapper, BTreeMap<u16, char>)> = BTreeMap::new();
    for page in &l.pages {
        for run in &page.runs {
            let (remap, chars) = used
                .entry(run.face)
                .or_insert_with(|| (subsetter::GlyphRemapper::new(), BTreeMap::new()));
            let font = l.font(run.face);
            for c in run.text.chars() {
                let gid = font.glyph(c);
                let new = remap.remap(gid);
                chars.entry(new).or_insert(c);
            }
        }
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let catalog = alloc();
    let tree = alloc();
    let info = alloc();
    let page_ids: Vec<(Ref, Ref)> = l.pages.iter().map(|_| (alloc(), alloc())).collect();
    let mut font_refs: BTreeMap<Face, Ref> = BTreeMap::new();
    for (face, (remap, chars)) in &used {
        let (type0, cid, descriptor, file, cmap) = (alloc(), alloc(), alloc(), alloc(), alloc());
        font_refs.insert(*face, type0);
        let font = l.font(*face);
        let name = match face {
            Face::Regular => Name(b"ABCDEF+DejaVuSans"),
            Face::Bold => Name(b"ABCDEG+DejaVuSans-Bold"),
        };
        pdf.type0_font(type0)
            .base_font(name)
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(cid)
            .to_unicode(cmap);
        let system = SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        };
        let widths: Vec<f32> = remap.remapped_gids().map(|old| font.advance(old)).collect();
        let mut cid_font = pdf.cid_font(cid);
        cid_font
            .subtype(CidFontType::Type2)
            .base_font(name)
            .system_info(system)
            .font_descriptor(descriptor)
            .default_width(0.0)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        cid_font.widths().consecutive(0, widths);
        cid_font.finish();
        let bbox = font.face.global_bounding_box();
        let scale = |v: i16| f32::from(v) / font.upem * 1000.0;
        pdf.font_descriptor(descriptor)
            .name(name)
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(
                scale(bbox.x_min),
                scale(bbox.y_min),
                scale(bbox.x_max),
                scale(bbox.y_max),
            ))
            .italic_angle(0.0)
            .ascent(scale(font.face.ascender()))
            .descent(scale(font.face.descender()))
            .cap_height(scale(
                font.face.capital_height().unwrap_or(font.face.ascender()),
            ))
            .stem_v(if *face == Face::Bold { 140.0 } else { 80.0 })
            .font_file2(file);
        let subset = subsetter::subset(font.data, 0, remap)
            .map_err(|e| anyhow::anyhow!("subsetting a font: {e:?}"))?;
        let compressed = deflate(&subset);
        pdf.stream(file, &compressed)
            .filter(Filter::FlateDecode)
            .pair(Name(b"Length1"), subset.len() as i32);
        let mut unicode = UnicodeCmap::new(Name(b"Custom"), system);
        for (gid, c) in chars {
            unicode.pair(*gid, *c);
        }
        pdf.cmap(cmap, &unicode.finish());
    }

    pdf.catalog(catalog).pages(tree);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("MSP client portal"));
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(page_ids.len() as i32);
    for (page, (page_id, content_id)) in l.pages.iter().zip(&page_ids) {
        let mut p = pdf.page(*page_id);
        p.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree)
            .contents(*content_id);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (face, r) in &font_refs {
            fonts.pair(font_name(*face), *r);
        }
        fonts.finish();
        resources.finish();
        p.finish();
        let mut content = Content::new();
        for shape in &page.shapes {
            let (x, y, w, h) = shape.rect;
            content.set_fill_rgb(shape.rgb.0, shape.rgb.1, shape.rgb.2);
            content.rect(x, y, w, h);
            content.fill_nonzero();
        }
        for run in &page.runs {
            let (remap, _) = &used[&run.face];
            let font = l.font(run.face);
            let mut encoded = Vec::with_capacity(run.text.len() * 2);
            for c in run.text.chars() {
                let gid = remap.get(font.glyph(c)).unwrap_or(0);
                encoded.extend_from_slice(&gid.to_be_bytes());
            }
            content.set_fill_rgb(run.rgb.0, run.rgb.1, run.rgb.2);
            content.begin_text();
            content.set_font(font_name(run.face), run.size);
            content.next_line(run.x, run.y);
            content.show(Str(&encoded));
            content.end_text();
        }
        let data = deflate(&content.finish());
        pdf.stream(*content_id, &data).filter(Filter::FlateDecode);
    }
    Ok(pdf.finish())
}

fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F1"),
        Face::Bold => Name(b"F2"),
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
