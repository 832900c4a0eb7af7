//! The site prerenderer: renders every page with maud into `site/dist/`, copies the static assets
//! and writes `brand.css` from `branding.toml`. The output is deterministic (no clock in it), and
//! the build fails if a page links to a page that was not produced.
//!
//! `cargo run -p site [-- OUT_DIR]`

mod account_pages;
mod agreement_pages;
mod billing_pages;
mod components;
mod configuration_pages;
mod document_pages;
mod kb_pages;
mod pages;
mod project_pages;
mod quote_pages;
mod report_pages;
mod sign_in_pages;
mod ticket_pages;
mod ticket_settings_page;

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};

pub use portal::domain::branding::Branding;

/// CSS custom properties for Pico, per theme. A file, not inline styles: the CSP forbids those.
fn brand_css(branding: &Branding) -> String {
    let light = format!(
        "--pico-primary: {l}; --pico-primary-hover: {l}; --pico-primary-focus: {l}40; --pico-primary-underline: {l}80;",
        l = branding.link_light
    );
    let dark = format!(
        "--pico-primary: {d}; --pico-primary-hover: {d}; --pico-primary-focus: {d}40; --pico-primary-underline: {d}80;",
        d = branding.link_dark
    );
    let button = format!(
        "--pico-primary-background: {b}; --pico-primary-hover-background: {b}; --pico-primary-border: {b}; --pico-primary-hover-border: {b}; --pico-primary-inverse: #fff;",
        b = branding.button
    );
    format!(
        "/* Generated from site/branding.toml by `cargo run -p site`. */\n\
             :root:not([data-theme=dark]), [data-theme=light] {{ {light} {button} }}\n\
             @media only screen and (prefers-color-scheme: dark) {{ :root:not([data-theme]) {{ {dark} {button} }} }}\n\
             [data-theme=dark] {{ {dark} {button} }}\n"
    )
}

fn main() {
    if let Err(err) = run() {
        eprintln!("site: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("dist"));
    let path = root.join("branding.toml");
    let branding = Branding::parse(
        &std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?,
    )?;
    if out.exists() {
        std::fs::remove_dir_all(&out).with_context(|| format!("clearing {}", out.display()))?;
    }
    copy_dir(&root.join("static"), &out)?;
    std::fs::write(out.join("brand.css"), brand_css(&branding))?;
    let mut written = Vec::new();
    for page in pages::all(&branding) {
        let path = out.join(page.path.trim_start_matches('/'));
        let file = if page.path.ends_with('/') {
            path.join("index.html")
        } else {
            path
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&file, page.html.into_string())?;
        written.push(file);
    }
    check_links(&out, &written)?;
    check_error_slots(&written)?;
    check_unique_ids(&written)?;
    println!("site: {} pages written to {}", written.len(), out.display());
    Ok(())
}

/// No page gives two elements one id (a label, an error slot or a script would find the wrong
/// one: two sections of a page each with a `comment` field did).
fn check_unique_ids(pages: &[PathBuf]) -> anyhow::Result<()> {
    let mut twice = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(page)?;
        let mut seen = std::collections::HashSet::new();
        for (i, _) in html.match_indices(" id=\"") {
            let rest = &html[i + 5..];
            let id = &rest[..rest.find('"').unwrap_or(0)];
            if !seen.insert(id) {
                twice.push(format!("{}: #{id}", page.display()));
            }
        }
    }
    if !twice.is_empty() {
        bail!("ids used twice on a page:\n  {}", twice.join("\n  "));
    }
    Ok(())
}

/// The value of attribute `name` in one tag's text, if it has it.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let rest = &tag[start..];
    Some(&rest[..rest.find('"')?])
}

/// Every form field whose messages go to an error slot names it `{name}-error`, and the page has
/// it: the pages' scripts put an API problem's per-field message into `{field}-error`
/// (`forms.js`, `showProblem`), so a slot named otherwise leaves the message unsaid and the field
/// unmarked.
fn check_error_slots(pages: &[PathBuf]) -> anyhow::Result<()> {
    let mut wrong = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(page)?;
        for open in ["<input", "<textarea", "<select"] {
            for (i, _) in html.match_indices(open) {
                let tag = &html[i..i + html[i..].find('>').unwrap_or(0)];
                let (Some(name), Some(described)) =
                    (attribute(tag, "name"), attribute(tag, "aria-describedby"))
                else {
                    continue;
                };
                for slot in described.split(' ').filter(|d| d.ends_with("-error")) {
                    if slot != format!("{name}-error") {
                        wrong.push(format!(
                            "{}: field {name} has its errors in #{slot}",
                            page.display()
                        ));
                    } else if !html.contains(&format!("id=\"{slot}\"")) {
                        wrong.push(format!("{}: no #{slot} for field {name}", page.display()));
                    }
                }
            }
        }
    }
    if !wrong.is_empty() {
        bail!(
            "form fields whose error slot is not `{{name}}-error`:\n  {}",
            wrong.join("\n  ")
        );
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Every same-site `href`/`src` in the written pages (but `/api/…`) must name a file in `out`.
fn check_links(out: &Path, pages: &[PathBuf]) -> anyhow::Result<()> {
    let mut broken = Vec::new();
    for page in pages {
        let html = std::fs::read_to_string(page)?;
        for attr in ["href=\"/", "src=\"/"] {
            for (i, _) in html.match_indices(attr) {
                let rest = &html[i + attr.len() - 1..];
                let target = &rest[..rest.find(['"', '?', '#']).unwrap_or(rest.len())];
                if target.starts_with("/api/") {
                    continue; // the functions' routes (checked against the router by a test)
                }
                let file = out.join(target.trim_start_matches('/'));
                let file = if target.ends_with('/') {
                    file.join("index.html")
                } else {
                    file
                };
                if !file.is_file() {
                    broken.push(format!("{} links to {target}", page.display()));
                }
            }
        }
    }
    if !broken.is_empty() {
        bail!(
            "links to pages or files that were not produced:\n  {}",
            broken.join("\n  ")
        );
    }
    Ok(())
}
