//! The second false-alarm corpus (issue 8): every line of `tests/corpus/ordinary-tools.txt` is an
//! everyday command of the tools the catalog covers (migrations forward, deploys, reads, plans
//! and dry runs, `gh pr`/`gh issue`, single-object deletes in development, the project runners),
//! and `guard check` must allow it (`allow` or `warn`).
//!
//! It also measures the generic destructive-verb rule (`exec.destructive_verb`, tools nobody
//! listed): on how many lines it fires through the real analysis (target: at most 1%), and, for
//! information, on how many lines the bare classifier would fire if no program had a catalog
//! entry (what the catalog saves).

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::check::{fired_rules, guard_cmd, run_check, verdict};
use guard::analyze::Analyzer;
use guard::shell::{self, SpanMap};

/// The corpus must not shrink below the 600 commands.
const MIN_COMMANDS: usize = 600;
const TIMEOUT: Duration = Duration::from_secs(10);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The project the lines run in (its package.json, Makefile, justfile, Taskfile.yml and
/// composer.json hold ordinary scripts) and the HOME of the first corpus.
fn fixtures() -> (PathBuf, PathBuf) {
    (root().join("tests/corpus/ordinary_tools_env/project"), root().join("tests/corpus/ordinary_env/home"))
}

fn load_commands() -> Vec<(usize, String)> {
    let path = root().join("tests/corpus/ordinary-tools.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

#[test]
fn ordinary_tool_commands_are_allowed() {
    let commands = load_commands();
    assert!(commands.len() >= MIN_COMMANDS, "only {} commands; the corpus needs at least {MIN_COMMANDS}", commands.len());
    let (project, home) = fixtures();
    assert!(project.join("package.json").is_file() && project.join("Makefile").is_file(), "fixture project missing");
    let mut refused = vec![];
    let mut broken = vec![];
    for (lineno, command) in &commands {
        let mut cmd = guard_cmd();
        cmd.args(["check", "--format", "json", "-c", command]).current_dir(&project).env("HOME", &home);
        match run_check(&mut cmd, TIMEOUT) {
            Ok(report) if matches!(verdict(&report), "allow" | "warn") => {}
            Ok(report) => refused.push(format!(
                "  line {lineno}: {command}\n      verdict {}; rules: {}",
                verdict(&report),
                fired_rules(&report).join(", ")
            )),
            Err(why) => broken.push(format!("  line {lineno}: {command}\n      {why}")),
        }
    }
    println!("ordinary tools corpus: {} commands, {} refused, {} broken", commands.len(), refused.len(), broken.len());
    assert!(
        refused.is_empty() && broken.is_empty(),
        "{} refused (false alarms):\n{}\n{} broken:\n{}",
        refused.len(),
        refused.join("\n"),
        broken.len(),
        broken.join("\n")
    );
}

/// The generic rule's false-alarm rate on the corpus, through the analysis (programs with a
/// catalog entry, the families and the project runners are decided elsewhere): at most 1%.
#[test]
fn generic_verb_rule_false_alarm_rate() {
    let commands = load_commands();
    let (project, _) = fixtures();
    let mut fired = vec![];
    let mut bare = 0usize;
    for (lineno, command) in &commands {
        let mut a = Analyzer::new(&project);
        a.shell_text(command, SpanMap::top(command.len()), 0);
        if a.finish().facts.iter().any(|f| f.kind == "exec.destructive_verb") {
            fired.push(format!("  line {lineno}: {command}"));
        }
        // The bare classifier, as if no program had an entry.
        let script = shell::parse(command, SpanMap::top(command.len()));
        let hit = script.commands.iter().any(|c| {
            let words = c.words.get(1..).unwrap_or_default();
            let scan = guard::verbs::scan_argv(words);
            let w: Vec<&str> = scan.words.iter().map(|w| w.text.as_str()).filter(|t| guard::verbs::is_subcommand_word(t)).collect();
            let o: Vec<&str> = scan.options.iter().map(String::as_str).collect();
            guard::verbs::classify(&w, &o).is_some()
        });
        bare += usize::from(hit);
    }
    let rate = fired.len() as f64 * 100.0 / commands.len() as f64;
    println!(
        "generic verb rule: fires on {} of {} ordinary tool commands ({rate:.2}%); the bare classifier without the catalog would fire on {bare} ({:.2}%)",
        fired.len(),
        commands.len(),
        bare as f64 * 100.0 / commands.len() as f64
    );
    assert!(bare > 0, "the bare classifier never fired: the measurement cannot tell anything");
    assert!(rate <= 1.0, "false-alarm rate {rate:.2}% > 1%:\n{}", fired.join("\n"));
}
