//! The coverage table (issue 8): `docs/coverage.md` and the README's summary are generated
//! from the built-in catalog (`guard::coverage`), and this test fails when either is stale.
//! `GUARD_BLESS=1 cargo test --test coverage` rewrites them.

use guard::catalog::Catalog;

const BEGIN: &str = "<!-- coverage:begin (generated: GUARD_BLESS=1 cargo test --test coverage) -->\n";
const END: &str = "<!-- coverage:end -->";

fn bless() -> bool {
    std::env::var_os("GUARD_BLESS").is_some()
}

#[test]
fn coverage_md_is_current() {
    let catalog = Catalog::builtin().expect("built-in catalog loads");
    let want = guard::coverage::markdown(&catalog);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/coverage.md");
    if bless() {
        std::fs::write(path, &want).expect("write docs/coverage.md");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/coverage.md is stale: run GUARD_BLESS=1 cargo test --test coverage");
    // The table names every built-in program.
    for p in catalog.programs() {
        for n in &p.names {
            assert!(want.contains(&format!("`{n}`")), "{n} missing from the coverage table");
        }
    }
}

#[test]
fn readme_summary_is_current() {
    let catalog = Catalog::builtin().expect("built-in catalog loads");
    let summary = guard::coverage::summary(&catalog);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no coverage markers ({BEGIN:?} ... {END:?})");
    };
    let current = readme.get(b + BEGIN.len()..e).unwrap_or_default();
    if bless() {
        let new = format!("{}{BEGIN}{summary}{}", readme.get(..b).unwrap_or_default(), readme.get(e..).unwrap_or_default());
        std::fs::write(path, new).expect("write README.md");
        return;
    }
    assert!(current == summary, "the README's coverage summary is stale: run GUARD_BLESS=1 cargo test --test coverage");
    let counts = guard::coverage::counts(catalog.programs());
    assert!(summary.contains(&format!("**{} entries", counts.entries)));
}
