//! The PDF machinery any document uses (invoices now; quotes, ticket PDFs, sign-off forms and
//! reports next): A4 pages, DejaVu Sans embedded as a subset with a ToUnicode map, text runs and
//! shapes laid out in points, and the writer that turns them into PDF objects.

use anyhow::Context;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;

pub const REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
pub const BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

pub const PAGE_W: f32 = 595.28;
pub const PAGE_H: f32 = 841.89;
pub const MARGIN: f32 = 50.0;
pub const ROW: f32 = 15.0;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Face {
    Regular,
    Bold,
}

pub struct Font {
    pub face: ttf_parser::Face<'static>,
    pub data: &'static [u8],
    pub upem: f32,
}

impl Font {
    pub fn load(data: &'static [u8]) -> anyhow::Result<Self> {
        let face = ttf_parser::Face::parse(data, 0).context("parsing an embedded font")?;
        let upem = f32::from(face.units_per_em());
        Ok(Self { face, data, upem })
    }

    pub fn glyph(&self, c: char) -> u16 {
        self.face
            .glyph_index(c)
            .or_else(|| self.face.glyph_index('?'))
            .map_or(0, |g| g.0)
    }

    pub fn advance(&self, glyph: u16) -> f32 {
        f32::from(
            self.face
                .glyph_hor_advance(ttf_parser::GlyphId(glyph))
                .unwrap_or(0),
        ) / self.upem
            * 1000.0
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c)))
            .sum::<f32>()
            * size
            / 1000.0
    }
}

/// One piece of text placed on a page.
pub struct Run {
    pub face: Face,
    pub size: f32,
    pub x: f32,
    pub y: f32,
    pub rgb: (f32, f32, f32),
    pub text: String,
}

/// A filled rectangle or a rule.
pub struct Shape {
    pub rect: (f32, f32, f32, f32),
    pub rgb: (f32, f32, f32),
}

#[derive(Default)]
pub struct PageOut {
    pub runs: Vec<Run>,
    pub shapes: Vec<Shape>,
}

pub struct Layout {
    pub regular: Font,
    pub bold: Font,
    pub pages: Vec<PageOut>,
    pub y: f32,
}

pub const INK: (f32, f32, f32) = (0.12, 0.13, 0.15);
pub const MUTED: (f32, f32, f32) = (0.38, 0.40, 0.44);
pub const RULE: (f32, f32, f32) = (0.82, 0.84, 0.87);

impl Layout {
    pub fn font(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    pub fn page(&mut self) -> &mut PageOut {
        self.pages.last_mut().expect("a page")
    }

    pub fn text(
        &mut self,
        face: Face,
        size: f32,
        x: f32,
        y: f32,
        rgb: (f32, f32, f32),
        text: &str,
    ) {
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
    pub fn text_right(
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

    pub fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (f32, f32, f32)) {
        self.page().shapes.push(Shape {
            rect: (x, y, w, h),
            rgb,
        });
    }

    /// `text` broken into lines no wider than `width`.
    pub fn wrap(&self, face: Face, size: f32, width: f32, text: &str) -> Vec<String> {
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

pub fn hex_colour(hex: &str) -> (f32, f32, f32) {
    let v = |i: usize| {
        hex.trim_start_matches('#')
            .get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.1, |b| f32::from(b) / 255.0)
    };
    (v(0), v(2), v(4))
}

/// The PDF objects: pages, their content, and each face as a subset CID font.
pub fn write(l: &Layout, title: &str) -> anyhow::Result<Vec<u8>> {
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

pub fn font_name(face: Face) -> Name<'static> {
    match face {
        Face::Regular => Name(b"F1"),
        Face::Bold => Name(b"F2"),
    }
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, 6)
}
