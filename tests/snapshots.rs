//! Snapshot tests (insta) of what people and programs read from guard, over a corpus of
//! command lines that covers every fact family (tests/corpus/snapshots.txt): for each line,
//! `guard check -c LINE` (human diagnostics and exit code), `guard explain --format json LINE`
//! (pretty-printed), and for a refused line the stderr and exit code of wrap mode,
//! `guard -- bash -c LINE`.
//!
//! Every run is in a fresh temporary directory with a cleared environment (no agent, CI or
//! terminal detected; `HOME`, the audit log and the key inside it) and `PATH` holding only
//! stub programs, so a refusal that failed would run a stub that prints `STUB RAN`, never the
//! real command. The temporary directory and `rules_hash` are replaced by placeholders.
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test --test snapshots`, then
//! review `git diff tests/snapshots/`.

mod common;

use common::guard_bin;
use std::path::Path;
use std::process::{Command, Output, Stdio};

const CORPUS: &str = include_str!("corpus/snapshots.txt");

/// Every fact family the registry declares (facts.toml), so the corpus must cover each.
fn families() -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("facts.toml")).expect("facts.toml");
    let doc: toml::Table = toml::from_str(&text).expect("facts.toml parses");
    doc.get("family").and_then(|f| f.as_table()).expect("[family] tables").keys().cloned().collect()
}

fn lines() -> Vec<&'static str> {
    CORPUS.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).collect()
}

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).expect("bin dir");
        for stub in ["bash", "sh", "rm", "psql", "git", "kubectl"] {
            let path = bin.join(stub);
            std::fs::write(&path, "#!/bin/sh\necho STUB RAN\n").expect("stub");
            let mut perms = std::fs::metadata(&path).expect("stub").permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&path, perms).expect("chmod stub");
        }
        Sandbox { dir }
    }

    fn guard<'a>(&self, args: impl IntoIterator<Item = &'a str>) -> Output {
        let d = self.dir.path();
        Command::new(guard_bin())
            .args(args)
            .env_clear()
            .env("PATH", d.join("bin"))
            .env("HOME", d)
            .env("XDG_CONFIG_HOME", d.join("config"))
            .env("XDG_STATE_HOME", d.join("state"))
            .env("GUARD_AUDIT_LOG", d.join("audit.jsonl"))
            .env("GUARD_KEY", d.join("audit.key"))
            .current_dir(d)
            .stdin(Stdio::null())
            .output()
            .expect("guard runs")
    }

    /// `text` with this sandbox's path and the rules hash replaced by placeholders.
    fn clean(&self, text: &str) -> String {
        let text = text.replace(&self.dir.path().display().to_string(), "[TMP]");
        let re = regex::Regex::new(r#"("rules_hash": ?")[0-9a-f]{64}"#).expect("regex");
        re.replace_all(&text, "${1}[hash]").into_owned()
    }
}

fn code(out: &Output) -> String {
    out.status.code().map_or_else(|| format!("{:?}", out.status), |c| c.to_string())
}

/// The snapshot's name: the line's words, lowercased (stable when lines are added).
fn snapshot_name(line: &str) -> String {
    let name = line
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .take(10)
        .collect::<Vec<_>>()
        .join("_");
    // A line of punctuation only (`:(){ :|:& };:`): named by its bytes.
    if name.is_empty() { line.bytes().map(|b| format!("{b:02x}")).take(12).collect() } else { name }
}

#[test]
fn the_corpus_covers_every_fact_family() {
    let sandbox = Sandbox::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in lines() {
        let out = sandbox.guard(["explain", "--format", "json", line]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
        for f in report["facts"].as_array().into_iter().flatten() {
            if let Some(kind) = f["kind"].as_str() {
                seen.insert(kind.split('.').next().unwrap_or_default().to_string());
            }
        }
    }
    let missing: Vec<_> = families().into_iter().filter(|f| !seen.contains(f)).collect();
    assert!(missing.is_empty(), "no corpus line makes a fact of the families {missing:?}");
    assert!(lines().len() >= 40, "the corpus has {} lines, want at least 40", lines().len());
}

#[test]
fn diagnostics_and_explain_json_match_the_snapshots() {
    let sandbox = Sandbox::new();
    let names: std::collections::BTreeSet<String> = lines().into_iter().map(snapshot_name).collect();
    assert_eq!(names.len(), lines().len(), "two corpus lines have the same snapshot name");
    for line in lines() {
        let check = sandbox.guard(["check", "-c", line]);
        let explain = sandbox.guard(["explain", "--format", "json", line]);
        let json: serde_json::Value = serde_json::from_slice(&explain.stdout).expect("explain JSON");
        let mut text = format!(
            "$ guard check -c {line:?}\nexit: {}\n--- stdout\n{}--- stderr\n{}\n$ guard explain --format json {line:?}\nexit: {}\n{}\n",
            code(&check),
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr),
            code(&explain),
            serde_json::to_string_pretty(&json).expect("JSON"),
        );
        if !check.status.success() {
            let wrap = sandbox.guard(["--", "bash", "-c", line]);
            assert!(!String::from_utf8_lossy(&wrap.stdout).contains("STUB RAN"), "wrap mode ran refused {line:?}");
            text.push_str(&format!(
                "\n$ guard -- bash -c {line:?}\nexit: {}\n--- stderr\n{}",
                code(&wrap),
                String::from_utf8_lossy(&wrap.stderr)
            ));
        }
        insta::assert_snapshot!(snapshot_name(line), sandbox.clean(&text));
    }
}
