//! `guard check --format json` from the tests' side: running it, holding it to its output
//! contract, reading the verdict and the rule ids that fired, and asserting on many cases at
//! once so that one failure does not hide the others.

use std::fmt::Display;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{TestEnv, describe, describe_status, guard_bin};

/// The built binary as an assert_cmd `Command`, in the test's own environment and working
/// directory (the crate root under `cargo test`).
pub fn guard_cmd() -> assert_cmd::Command {
    assert_cmd::Command::new(guard_bin())
}

/// Runs `cmd` (a `guard check --format json ...` command) with a timeout and holds the run to
/// the output contract of `guard check`: exit 0 or 1, never a crash or a hang; one JSON object
/// on stdout with a known `verdict` and a `findings` array; exit 0 for `allow`/`warn` and 1
/// for `ask`/`deny`. Returns the report, or what broke the contract together with everything
/// the run printed.
pub fn run_check(cmd: &mut assert_cmd::Command, timeout: Duration) -> Result<Value, String> {
    let started = Instant::now();
    let out = cmd.timeout(timeout).output().map_err(|e| format!("cannot run guard: {e}"))?;
    let code = match out.status.code() {
        Some(code @ (0 | 1)) => code,
        Some(code) => return Err(format!("exit {code}, expected 0 or 1\n{}", describe(&out))),
        None if started.elapsed() >= timeout => {
            return Err(format!("hang: killed after {timeout:?}\n{}", describe(&out)));
        }
        None => return Err(format!("crashed: {}\n{}", describe_status(&out), describe(&out))),
    };
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("stdout is not one JSON object (unparsable JSON: {e})\n{}", describe(&out)))?;
    let expected_code = match report["verdict"].as_str() {
        Some("allow" | "warn") => 0,
        Some("ask" | "deny") => 1,
        _ => return Err(format!("no known `verdict` in the report: {}\n{}", report["verdict"], describe(&out))),
    };
    if code != expected_code {
        return Err(format!(
            "verdict {} but exit {code} (contract: allow/warn -> 0, ask/deny -> 1)\n{}",
            report["verdict"],
            describe(&out)
        ));
    }
    if !report["findings"].is_array() {
        return Err(format!("no findings array\n{}", describe(&out)));
    }
    Ok(report)
}

/// `guard check --format json --actor person -c LINE` through the bare binary, held to the
/// output contract (see [`run_check`]); the error names the line. The actor is pinned to a
/// person so the verdicts are the command's own, whoever runs the tests (a CI job or a test
/// without a terminal would be `ci` or `automation`; tests/context.rs covers those).
pub fn check_line(line: &str, timeout: Duration) -> Result<Value, String> {
    run_check(guard_cmd().args(["check", "--format", "json", "--actor", "person", "-c", line]), timeout)
        .map_err(|e| format!("{line:?}: {e}"))
}

/// The verdict of a report that passed [`run_check`].
pub fn verdict(report: &Value) -> &str {
    report["verdict"].as_str().unwrap_or("<missing>")
}

/// The rule id of every finding, in order.
pub fn rule_ids(report: &Value) -> Vec<String> {
    findings(report).map(|f| f["rule"].as_str().unwrap_or("?").to_string()).collect()
}

/// Every finding as `rule (action)`, for failure messages.
pub fn fired_rules(report: &Value) -> Vec<String> {
    findings(report)
        .map(|f| {
            let rule = f["rule"].as_str().unwrap_or("?");
            match f["action"].as_str() {
                Some(action) => format!("{rule} ({action})"),
                None => rule.to_string(),
            }
        })
        .collect()
}

fn findings(report: &Value) -> impl Iterator<Item = &Value> {
    report["findings"].as_array().into_iter().flatten()
}

/// No single `guard check -c LINE` in a verdict table may take longer than this.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(60);

/// Checks every `(line, verdict, rule)` with `guard check --format json -c LINE`: the verdict
/// must be `verdict`, and `rule` must be among the rule ids that fired (an empty `rule` means
/// no finding at all). Fails once, at the end, naming every wrong line with the verdict and
/// the rule ids it got.
#[track_caller]
pub fn assert_verdicts(cases: &[(&str, &str, &str)]) {
    assert_cases("verdict", cases, |(line, want, rule)| {
        let report = match check_line(line, CHECK_TIMEOUT) {
            Ok(report) => report,
            Err(e) => return Some(e),
        };
        let (got, rules) = (verdict(&report), rule_ids(&report));
        let rule_ok = if rule.is_empty() { rules.is_empty() } else { rules.iter().any(|r| r == rule) };
        (got != *want || !rule_ok).then(|| format!("{line:?}: want {want} {rule}, got {got} {rules:?}"))
    });
}

/// Runs `problem` on every case and fails once, at the end, with every failing case's
/// description (`problem` returns None for a case that is right).
#[track_caller]
pub fn assert_cases<T>(what: &str, cases: &[T], mut problem: impl FnMut(&T) -> Option<String>) {
    let failures: Vec<String> = cases.iter().filter_map(&mut problem).collect();
    assert!(
        failures.is_empty(),
        "{} of {} {what} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// One case's failure description, `label` then each problem on its own indented line, or
/// None when there is no problem.
pub fn case_problems(label: impl Display, problems: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let problems: Vec<String> = problems.into_iter().flatten().collect();
    (!problems.is_empty()).then(|| format!("{label}\n  {}", problems.join("\n  ")))
}

impl TestEnv {
    /// `guard check --format json -c LINE` in this environment: the exit code and the report.
    /// Panics, naming the line and showing the output, when guard is killed or stdout is not JSON.
    pub fn check_json(&self, line: &str) -> (i32, Value) {
        let out = self.run(["check", "--format", "json", "-c", line]);
        let report = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("bad JSON for {line:?}: {e}\n{}", describe(&out)));
        let code = out.status.code().unwrap_or_else(|| panic!("guard was killed on {line:?}\n{}", describe(&out)));
        (code, report)
    }
}

/// Asserts the exit code of a run, showing everything it printed otherwise.
#[track_caller]
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(out.status.code(), Some(code), "{}", describe(out));
}
