//! The shared library's layers point one way: `domain` ← `store` ← `auth` / `aws` ← `web` ← `app`.
//! This test reads every source file and fails on any `crate::` path that reaches a layer above the
//! file's own (or across from `auth` to `aws` and back), naming the file, line and path.

use std::path::Path;

/// The rank of a layer; `auth` and `aws` share one but may not import each other.
fn rank(layer: &str) -> Option<u8> {
    Some(match layer {
        "domain" => 0,
        "store" => 1,
        "auth" | "aws" => 2,
        "web" => 3,
        "app" => 4,
        _ => return None,
    })
}

/// The layer a `crate::` path names: a layer folder, or a root re-export (`lib.rs`).
fn layer_of_path(first: &str) -> Option<&'static str> {
    Some(match first {
        "domain" => "domain",
        "store" => "store",
        "auth" => "auth",
        "aws" => "aws",
        "web" | "ApiError" => "web",
        "app" | "App" | "SystemClock" => "app",
        "Clock" => "domain",
        _ => return None,
    })
}

/// Every first segment after `crate::` in `line`, including each item of `crate::{a, b::c}`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split on commas at depth 0.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.push(std::mem::take(&mut item));
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 || item.is_empty() {
                    item.push(c);
                }
            }
            found.push(item);
        } else {
            found.push(rest.to_owned());
        }
    }
    found
        .into_iter()
        .map(|p| {
            p.trim()
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading src") {
        let path = entry.expect("reading src").path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_from_a_layer_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut all = Vec::new();
    files(&src, &mut all);
    let mut checked = 0;
    let mut violations = Vec::new();
    for path in &all {
        let relative = path.strip_prefix(&src).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or("")
            .trim_end_matches(".rs");
        if top == "lib" {
            continue;
        }
        let own = rank(top).unwrap_or_else(|| panic!("{} is in no layer", relative.display()));
        checked += 1;
        let text = std::fs::read_to_string(path).expect("reading a source file");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for first in crate_paths(line) {
                let Some(layer) = layer_of_path(&first) else {
                    panic!(
                        "{}:{}: `crate::{first}` names no layer",
                        relative.display(),
                        n + 1
                    );
                };
                let theirs = rank(layer).expect("a layer");
                if theirs > own || (theirs == own && layer != top) {
                    violations.push(format!(
                        "{}:{}: {top} imports {layer} (`crate::{first}`): {}",
                        relative.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} files were checked");
    assert!(
        violations.is_empty(),
        "imports against the layers (domain ← store ← auth/aws ← web ← app):\n{}",
        violations.join("\n")
    );
}

#[test]
fn grouped_imports_are_read_item_by_item() {
    assert_eq!(
        crate_paths("use crate::{app::App, domain::{Email, UserId}, web};"),
        ["app", "domain", "web"]
    );
    assert_eq!(crate_paths("let x = crate::store::keys::PK;"), ["store"]);
}
