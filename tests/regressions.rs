//! Regressions found by the fuzz targets (`fuzz/`, docs/fuzzing.md) and the metamorphic
//! properties (tests/metamorphic.rs): each line is one finding, checked through the real
//! binary (`guard check --format json -c LINE`).

mod common;

use common::check::assert_verdicts;

/// tests/metamorphic.rs, quoting: bash removes quotes before a declaration builtin reads its
/// `NAME=VALUE` arguments, so a quoted assignment assigns as the bare one does; tree-sitter
/// only recognised the bare form (and split `P'ROMPT...'` into two nodes), and the quoted ones
/// were read as plain words: allow.
#[test]
fn a_quoted_assignment_to_a_declaration_builtin_is_an_assignment() {
    assert_verdicts(&[
        ("export PROMPT_COMMAND='rm -rf /'", "deny", "fs.rm-root"),
        ("export 'PROMPT_COMMAND=rm -rf /'", "deny", "fs.rm-root"),
        ("export P'ROMPT_COMMAND=rm -rf /'", "deny", "fs.rm-root"),
        ("export \"PROMPT_COMMAND=rm -rf /\"", "deny", "fs.rm-root"),
        ("'export' 'PROMPT_COMMAND=rm -rf /'", "deny", "fs.rm-root"),
        ("\\export PROMPT_COMMAND='rm -rf /'", "deny", "fs.rm-root"),
        ("declare -x 'GIT_SSH_COMMAND=rm -rf ~'", "deny", "fs.rm-root"),
        // Ordinary declarations stay allowed.
        ("export 'A=1' B=2; echo ok", "allow", ""),
        ("'export' 'PATH=/usr/local/bin:/usr/bin'", "allow", ""),
    ]);
}

/// tests/metamorphic.rs, wrappers: with its input unknown, `xargs CMD` was read only as
/// `CMD $(stdin)`; GNU xargs runs `CMD` as written once on empty input (unless -r), and
/// `gsutil rsync -d SRC DST ITEM` no longer named the bucket it deletes in: allow.
#[test]
fn xargs_with_unknown_input_may_run_its_command_as_written() {
    assert_verdicts(&[
        ("gsutil rsync -c -d -r ./empty gs://b", "deny", "cloud.delete-recursive"),
        ("xargs gsutil rsync -c -d -r ./empty gs://b", "deny", "cloud.delete-recursive"),
        ("find . -name '*.o' | xargs gsutil rsync -d -r ./empty gs://b", "deny", "cloud.delete-recursive"),
        ("xargs rm -rf /", "deny", "fs.rm-root"),
        // Known input: only the filled line runs.
        ("echo a.o | xargs rm -f", "allow", ""),
    ]);
}

/// docs/fuzzing.md: every fuzz target has its source file and is documented, and the fuzz crate
/// is a workspace of its own (never built by `cargo test`).
#[test]
fn fuzz_targets_are_documented_and_outside_the_test_suite() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let manifest: toml::Table = toml::from_str(&read("fuzz/Cargo.toml")).expect("fuzz/Cargo.toml parses");
    assert!(manifest.contains_key("workspace"), "fuzz/Cargo.toml must be its own workspace");
    assert!(!read("Cargo.toml").contains("[workspace]"), "the root manifest must not make fuzz/ a member");
    let docs = read("docs/fuzzing.md");
    let bins = manifest.get("bin").and_then(|b| b.as_array()).expect("[[bin]] targets");
    assert_eq!(bins.len(), 5, "shell, sql, rules, catalog, audit_verify");
    for b in bins {
        let name = b.get("name").and_then(|n| n.as_str()).expect("name");
        let path = b.get("path").and_then(|n| n.as_str()).expect("path");
        assert!(root.join("fuzz").join(path).is_file(), "fuzz target {name}: no {path}");
        assert!(docs.contains(&format!("| `{name}` |")), "docs/fuzzing.md does not document target {name}");
    }
}
