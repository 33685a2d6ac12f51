//! `guard check` over real input found on the machine: every shell script in /usr/bin, every
//! bash completion in /usr/share/bash-completion/completions and every `.sql` file under
//! /usr/share/postgresql. Each must finish with exit 0 or 1 (parse errors are findings), never
//! exit 2 for a readable file, never crash or hang, and print the JSON report.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::check::{assert_code, run_check};
use common::*;
use serde_json::Value;

const BATCH: usize = 200;
const PER_FILE_TIMEOUT: Duration = Duration::from_secs(20);
const BATCH_TIMEOUT: Duration = Duration::from_secs(300);

/// The interpreter a shebang names: `#!/bin/sh -e` -> `sh`, `#!/usr/bin/env bash` -> `bash`.
fn shebang_interpreter(path: &Path) -> Option<String> {
    let mut head = [0u8; 256];
    let mut f = std::fs::File::open(path).ok()?;
    let n = f.read(&mut head).ok()?;
    let head = &head[..n];
    if !head.starts_with(b"#!") {
        return None;
    }
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = std::str::from_utf8(&head[2..line_end]).ok()?;
    let mut words = line.split_whitespace();
    let mut interp = words.next()?.rsplit('/').next()?.to_string();
    if interp == "env" {
        interp = words.find(|w| !w.starts_with('-') && !w.contains('='))?.to_string();
    }
    Some(interp)
}

fn is_shell_script(path: &Path) -> bool {
    matches!(shebang_interpreter(path).as_deref(), Some("sh" | "bash" | "dash"))
}

/// Regular files (after following symlinks) of `dir`, deduplicated by canonical path.
fn files_in(dir: &Path, seen: &mut BTreeSet<PathBuf>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let Ok(canon) = std::fs::canonicalize(&p) else { continue };
        if canon.is_file() && seen.insert(canon.clone()) {
            out.push(canon);
        }
    }
    out
}

fn sql_files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let Ok(ft) = std::fs::symlink_metadata(&p).map(|m| m.file_type()) else { continue };
        if ft.is_dir() {
            sql_files_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "sql") && p.is_file() {
            out.push(p);
        }
    }
}

fn require_dir(dir: &str, package: &str) -> PathBuf {
    let p = PathBuf::from(dir);
    assert!(
        p.is_dir(),
        "{dir} is missing: install the Debian package `{package}` \
         (`bash .ci/run` installs postgresql, sqlite3 and bash-completion)"
    );
    p
}

#[derive(Default)]
struct Summary {
    files: usize,
    verdicts: BTreeMap<String, usize>,
    actions: BTreeMap<String, usize>,
    rules: BTreeMap<String, usize>,
    denies: BTreeMap<String, usize>,
    failures: Vec<String>,
    slowest: Vec<(Duration, String)>,
}

/// Runs `guard check --format json` on `files`, held to the output contract of `guard check`
/// ([`run_check`]); returns the report or a failure text.
fn check(env: &TestEnv, files: &[PathBuf], timeout: Duration) -> Result<Value, String> {
    run_check(env.guard().args(["check", "--format", "json"]).args(files), timeout)
}

fn check_all(env: &TestEnv, files: &[PathBuf], summary: &mut Summary) {
    for batch in files.chunks(BATCH) {
        summary.files += batch.len();
        let started = Instant::now();
        match check(env, batch, BATCH_TIMEOUT) {
            Ok(json) => {
                let per_file = started.elapsed() / batch.len() as u32;
                summary.slowest.push((per_file, format!("batch of {} starting {}", batch.len(), batch[0].display())));
                let verdict = json["verdict"].as_str().unwrap_or("").to_string();
                *summary.verdicts.entry(verdict).or_default() += 1;
                let names: BTreeSet<String> =
                    batch.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                for f in json["findings"].as_array().unwrap() {
                    let action = f["action"].as_str().unwrap_or("<none>").to_string();
                    let rule = f["rule"].as_str().unwrap_or("<none>").to_string();
                    *summary.actions.entry(action.clone()).or_default() += 1;
                    if action == "deny" {
                        *summary.denies.entry(rule.clone()).or_default() += 1;
                    }
                    *summary.rules.entry(rule).or_default() += 1;
                    match f["file"].as_str() {
                        Some(file) if names.contains(file) => {}
                        other => summary.failures.push(format!(
                            "finding names file {other:?}, which is not one of the inputs: {f}"
                        )),
                    }
                    if f["line"].as_u64().is_none_or(|l| l < 1) {
                        summary.failures.push(format!("finding without a line number: {f}"));
                    }
                }
            }
            Err(batch_err) => {
                // Find the file(s) responsible: one by one, each with its own timeout.
                let mut blamed = 0;
                for file in batch {
                    let started = Instant::now();
                    if let Err(e) = check(env, std::slice::from_ref(file), PER_FILE_TIMEOUT) {
                        blamed += 1;
                        summary.failures.push(format!("{}: {e}", file.display()));
                    }
                    summary.slowest.push((started.elapsed(), file.display().to_string()));
                }
                if blamed == 0 {
                    summary.failures.push(format!(
                        "a batch of {} files starting at {} failed, but each file alone passes: {batch_err}",
                        batch.len(),
                        batch[0].display()
                    ));
                }
            }
        }
    }
}

fn report(what: &str, summary: &mut Summary, elapsed: Duration, reviewed: &[(&str, &str)]) {
    println!("== guard check over {what}: {} files in {:.1?}", summary.files, elapsed);
    println!("   denies per rule: {:?}", summary.denies);
    for rule in summary.denies.keys() {
        if !reviewed.iter().any(|(r, _)| r == rule) {
            summary.failures.push(format!("deny by {rule} was not reviewed: look at the findings and list it with the reason"));
        }
    }
    println!("   batch verdicts: {:?}", summary.verdicts);
    println!("   findings per action: {:?}", summary.actions);
    let mut rules: Vec<_> = summary.rules.iter().collect();
    rules.sort_by(|a, b| b.1.cmp(a.1));
    println!("   top rules: {:?}", &rules[..rules.len().min(12)]);
    summary.slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
    if let Some((d, name)) = summary.slowest.first() {
        println!("   slowest (per file): {d:.1?} {name}");
    }
    println!("   failures: {}", summary.failures.len());
    const SHOWN: usize = 25;
    let more = summary.failures.len().saturating_sub(SHOWN);
    assert!(
        summary.failures.is_empty(),
        "guard check failed on {} of the {what}:\n{}{}",
        summary.failures.len(),
        summary.failures[..summary.failures.len().min(SHOWN)].join("\n\n"),
        if more > 0 { format!("\n\n... and {more} more") } else { String::new() }
    );
}

/// Checks `files` in a fresh environment and asserts on the summary (see [`report`]); returns
/// the environment, whose audit log must stay empty.
fn check_and_report(what: &str, files: &[PathBuf], reviewed: &[(&str, &str)]) -> TestEnv {
    let env = TestEnv::new();
    let started = Instant::now();
    let mut summary = Summary::default();
    check_all(&env, files, &mut summary);
    report(what, &mut summary, started.elapsed(), reviewed);
    env
}

#[test]
fn check_every_shell_script_in_usr_bin() {
    let dir = require_dir("/usr/bin", "coreutils");
    let mut seen = BTreeSet::new();
    let scripts: Vec<PathBuf> =
        files_in(&dir, &mut seen).into_iter().filter(|p| is_shell_script(p)).collect();
    assert!(scripts.len() >= 10, "only {} shell scripts found in /usr/bin", scripts.len());
    let env = check_and_report("shell scripts in /usr/bin", &scripts, &[]);
    assert!(env.log_lines().is_empty(), "guard check wrote audit records");
}

/// Every regular file under `dir`, recursively, sorted, deduplicated by canonical path.
fn all_files_under(dir: &Path, seen: &mut BTreeSet<PathBuf>, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            all_files_under(&p, seen, out);
        } else if let Ok(canon) = std::fs::canonicalize(&p)
            && canon.is_file()
            && seen.insert(canon.clone())
        {
            out.push(canon);
        }
    }
}

#[test]
fn check_every_bash_completion() {
    // Every file of the package: the completions, helpers and the bash_completion library.
    let dir = require_dir("/usr/share/bash-completion", "bash-completion");
    let mut files = vec![];
    all_files_under(&dir, &mut BTreeSet::new(), &mut files);
    assert!(files.len() >= 100, "only {} bash-completion files found", files.len());
    check_and_report("bash-completion files", &files, &[]);
}

#[test]
fn check_every_postgresql_sql_file() {
    let dir = require_dir("/usr/share/postgresql", "postgresql");
    let mut files = Vec::new();
    sql_files_under(&dir, &mut files);
    assert!(files.len() >= 20, "only {} .sql files found under /usr/share/postgresql", files.len());
    // The extension scripts of pgTAP and pg_partman (large, real-world PL/pgSQL) are part of it.
    for (prefix, package) in [("pgtap", "postgresql-15-pgtap"), ("pg_partman", "postgresql-15-partman")] {
        assert!(
            files.iter().any(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix))),
            "no {prefix}*.sql under /usr/share/postgresql: install the Debian package `{package}` (bash .ci/run does)"
        );
    }
    // Reviewed denies (rule, why the files do it):
    let reviewed = [
        ("sql.drop", "extension upgrade scripts drop and recreate functions and views; uninstall_pgtap.sql drops everything pgTAP made"),
        ("sql.grant-public", "extensions and the system views grant EXECUTE/SELECT to PUBLIC by design"),
        ("sql.update-without-where", "pg_partman upgrade scripts rewrite every row of their own configuration tables"),
        ("sql.truncate", "pg_partman upgrade scripts empty their own temporary tables"),
    ];
    check_and_report(".sql files under /usr/share/postgresql", &files, &reviewed);
}

#[test]
fn check_exit_codes_on_edge_inputs() {
    let env = TestEnv::new();
    // An unreadable (missing) file is a usage error: exit 2.
    let out = env.run(["check", "/nonexistent/guard-e2e.sh"]);
    assert_code(&out, 2);
    // A script that does not parse is a finding, not exit 2.
    let bad = env.write("broken.sh", "if then fi (( \"unterminated\n");
    let out = env.guard().args(["check", "--format", "json"]).arg(&bad).output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", describe(&out));
    let json: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert!(!json["findings"].as_array().unwrap().is_empty(), "no finding for a broken script: {json}");
    // Binary garbage and an empty file do not crash it.
    let bin = env.path().join("garbage.sh");
    std::fs::write(&bin, (0..=255u8).cycle().take(4096).collect::<Vec<u8>>()).unwrap();
    let empty = env.write("empty.sql", "");
    for f in [&bin, &empty] {
        let out = env.guard().args(["check", "--format", "json"]).arg(f).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}: {}", f.display(), describe(&out));
    }
    // stdin.
    let out = env
        .guard()
        .args(["check", "-"])
        .write_stdin("rm -rf /\n")
        .output()
        .unwrap();
    assert_code(&out, 1);
    assert!(env.log_lines().is_empty(), "guard check wrote audit records");
}
