//! Writes (`--write`) or checks (`--check`, the default) `docs/openapi.json` against the code.

fn main() {
    let path = portal_tests::openapi_path();
    let generated = portal_tests::openapi_json();
    if std::env::args().any(|a| a == "--write") {
        std::fs::write(&path, generated).expect("writing docs/openapi.json");
        println!("wrote {}", path.display());
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        eprintln!(
            "docs/openapi.json is out of date: run `cargo run -p portal-tests --bin openapi -- --write` and commit it"
        );
        std::process::exit(1);
    }
    println!("docs/openapi.json matches the code");
}
