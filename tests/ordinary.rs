//! False-alarm corpus: every command line in `tests/corpus/ordinary.txt` is ordinary
//! development or operations work, and `guard check` must allow it (`allow` or `warn`).
//!
//! The test runs every line through the real binary and fails once, at the end, listing
//! every line guard refused together with the rule ids that fired.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::check::{fired_rules, guard_cmd, run_check, verdict};

/// The corpus must not shrink below this, so the test cannot pass on an empty file.
const MIN_COMMANDS: usize = 300;
const TIMEOUT: Duration = Duration::from_secs(10);

fn corpus_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ordinary.txt")
}

/// guard runs in a small fixture project with a fixture HOME, so that lines which source or
/// read files (`source .venv/bin/activate`, `psql -f migrations/...`, `source ~/.bashrc`) see
/// real, ordinary files, and the verdicts do not depend on the machine.
fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/ordinary_env")
        .join(name)
}

/// `(line number, command)` for every line that is neither blank nor a `#` comment.
fn load_commands() -> Vec<(usize, String)> {
    let path = corpus_path();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                None
            } else {
                Some((i + 1, line.to_string()))
            }
        })
        .collect()
}

#[test]
fn ordinary_commands_are_allowed() {
    let commands = load_commands();
    assert!(
        commands.len() >= MIN_COMMANDS,
        "{} holds only {} commands; the false-alarm corpus needs at least {MIN_COMMANDS}",
        corpus_path().display(),
        commands.len()
    );

    let (project, home) = (fixture_dir("project"), fixture_dir("home"));
    assert!(
        project.join(".venv/bin/activate").is_file() && home.join(".bashrc").is_file(),
        "fixtures missing under {}",
        project.parent().unwrap().display()
    );

    let mut refused = Vec::new();
    let mut broken = Vec::new();
    for (lineno, command) in &commands {
        let mut cmd = guard_cmd();
        cmd.args(["check", "--format", "json", "-c", command]).current_dir(&project).env("HOME", &home);
        let report = match run_check(&mut cmd, TIMEOUT) {
            Ok(report) => report,
            Err(why) => {
                broken.push(format!("  line {lineno}: {command}\n      {why}"));
                continue;
            }
        };
        let verdict = verdict(&report);
        if !matches!(verdict, "allow" | "warn") {
            refused.push(format!(
                "  line {lineno}: {command}\n      verdict {verdict}; rules: {}",
                fired_rules(&report).join(", ")
            ));
        }
    }

    println!(
        "ordinary corpus: {} commands, {} refused, {} broken",
        commands.len(),
        refused.len(),
        broken.len()
    );
    let mut problems = String::new();
    if !refused.is_empty() {
        problems += &format!(
            "\n{} ordinary command(s) refused (false alarms):\n{}\n",
            refused.len(),
            refused.join("\n")
        );
    }
    if !broken.is_empty() {
        problems += &format!(
            "\n{} command(s) where guard crashed, hung or printed bad JSON:\n{}\n",
            broken.len(),
            broken.join("\n")
        );
    }
    assert!(problems.is_empty(), "{problems}");
}
