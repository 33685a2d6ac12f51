//! The command-line contract through the real binary: ways in, exit codes, JSON output,
//! refusal messages, fail-closed behaviour, rule layers.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

/// A guard command with its audit log and key inside `dir`.
fn guard(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("guard").unwrap();
    c.env("GUARD_AUDIT_LOG", dir.join("audit.jsonl"))
        .env("GUARD_KEY", dir.join("key"))
        .env_remove("GUARD_RULES")
        .env_remove("GUARD_SHELL")
        .current_dir(dir);
    c
}

fn log_lines(dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(dir.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn check_json(dir: &Path, line: &str) -> (i32, Value) {
    let out = guard(dir).args(["check", "--format", "json", "-c", line]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("bad JSON for {line:?}: {e}\n{}", String::from_utf8_lossy(&out.stdout))
    });
    (out.status.code().unwrap(), v)
}

#[test]
fn wrap_runs_allowed_command_with_its_output_and_status() {
    let d = TempDir::new().unwrap();
    guard(d.path()).args(["--", "echo", "hello world"]).assert().success().stdout("hello world\n");
    guard(d.path()).args(["--", "sh", "-c", "exit 7"]).assert().code(7);
    assert_eq!(log_lines(d.path()).len(), 2);
}

#[test]
fn wrap_refuses_with_126_rule_id_and_caret_and_runs_nothing() {
    let d = TempDir::new().unwrap();
    let marker = d.path().join("marker");
    let script = format!("touch {} ; rm -rf /", marker.display());
    let out = guard(d.path()).args(["--", "bash", "-c", &script]).output().unwrap();
    assert_eq!(out.status.code(), Some(126));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fs.rm-root"), "{err}");
    assert!(err.contains("^^^^^^^^"), "no caret under the span: {err}");
    assert!(err.contains("nothing was run"), "{err}");
    assert!(!marker.exists(), "a refused script must not run at all");
    let rec = &log_lines(d.path())[0];
    assert_eq!(rec["verdict"], "deny");
    assert_eq!(rec["outcome"], "refused");
    assert_eq!(rec["rules"][0], "fs.rm-root");
}

#[test]
fn shell_mode_accepts_every_bash_argv_shape() {
    let d = TempDir::new().unwrap();
    let shapes: &[&[&str]] = &[
        &["-c", "echo ok"],
        &["-lc", "echo ok"],
        &["-cl", "echo ok"],
        &["-ec", "echo ok"],
        &["-e", "-c", "echo ok"],
        &["-euo", "pipefail", "-c", "echo ok"],
        &["-o", "pipefail", "-c", "echo ok"],
        &["-O", "extglob", "-c", "echo ok"],
        &["--login", "-c", "echo ok"],
        &["--noprofile", "--norc", "-c", "echo ok"],
        &["-c", "--", "echo ok"],
        &["+e", "-c", "echo ok"],
    ];
    for s in shapes {
        guard(d.path()).args(*s).assert().success().stdout("ok\n");
    }
    // $0 and positional parameters come after the command string, as in bash.
    guard(d.path()).args(["-c", "echo $0 $1 $2", "name", "a", "b"]).assert().success().stdout("name a b\n");
    assert_eq!(log_lines(d.path()).len(), shapes.len() + 1);
}

#[test]
fn shell_mode_refuses_dangerous_scripts_whatever_the_flags() {
    let d = TempDir::new().unwrap();
    for s in [
        vec!["-c", "rm -rf /"],
        vec!["-euo", "pipefail", "-c", "echo hi && rm -rf ~"],
        vec!["-lc", "X=rm; $X -rf /"],
        vec!["-c", "sudo bash -c 'rm -rf /etc'"],
    ] {
        let out = guard(d.path()).args(&s).output().unwrap();
        assert_eq!(out.status.code(), Some(126), "{s:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn shell_mode_script_file_is_analysed_then_run() {
    let d = TempDir::new().unwrap();
    std::fs::write(d.path().join("ok.sh"), "echo from-file \"$1\"\n").unwrap();
    std::fs::write(d.path().join("bad.sh"), "echo hi\nrm -rf ~\n").unwrap();
    guard(d.path()).args(["ok.sh", "arg"]).assert().success().stdout("from-file arg\n");
    guard(d.path()).args(["bad.sh"]).assert().code(126).stdout("");
}

#[test]
fn shell_mode_without_script_is_a_clear_error_not_an_unchecked_shell() {
    let d = TempDir::new().unwrap();
    let out = guard(d.path()).args(["-s"]).write_stdin("rm -rf /\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not supported"));
    assert!(log_lines(d.path()).is_empty());
}

#[test]
fn guard_shell_pointing_at_guard_is_refused() {
    let d = TempDir::new().unwrap();
    let me = assert_cmd::cargo::cargo_bin("guard");
    let out = guard(d.path()).env("GUARD_SHELL", &me).args(["-c", "echo hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guard itself"));
}

#[test]
fn ask_without_a_terminal_is_a_refusal() {
    let d = TempDir::new().unwrap();
    let out = guard(d.path()).args(["-c", "eval \"$SOMETHING\""]).output().unwrap();
    assert_eq!(out.status.code(), Some(126));
    let rec = &log_lines(d.path())[0];
    assert_eq!(rec["verdict"], "ask");
    assert_eq!(rec["outcome"], "refused");
}

#[test]
fn warn_runs_and_says_why() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir(d.path().join("x")).unwrap();
    let out = guard(d.path()).args(["-c", "D=$(pwd)/x; rm -rf \"$D\"/; echo done"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fs.rm-dynamic"));
    assert_eq!(log_lines(d.path())[0]["verdict"], "warn");
}

#[test]
fn check_json_contract() {
    let d = TempDir::new().unwrap();
    let (code, v) = check_json(d.path(), "echo hi; rm -rf /");
    assert_eq!(code, 1);
    assert_eq!(v["verdict"], "deny");
    let f = &v["findings"][0];
    for key in ["rule", "action", "message", "file", "line", "column"] {
        assert!(!f[key].is_null(), "finding lacks {key}: {f}");
    }
    assert_eq!(f["rule"], "fs.rm-root");
    assert_eq!(f["action"], "deny");
    assert_eq!(f["line"], 1);
    assert_eq!(f["column"], 10);
    let (code, v) = check_json(d.path(), "ls -la");
    assert_eq!((code, v["verdict"].as_str()), (0, Some("allow")));
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(log_lines(d.path()).is_empty(), "check never writes audit records");
}

#[test]
fn check_exit_codes_and_files() {
    let d = TempDir::new().unwrap();
    std::fs::write(d.path().join("a.sh"), "#!/bin/sh\nls\n").unwrap();
    std::fs::write(d.path().join("b.sh"), "#!/bin/sh\n\nrm -rf /usr\n").unwrap();
    std::fs::write(d.path().join("broken.sh"), "if then fi ((\n").unwrap();
    guard(d.path()).args(["check", "a.sh"]).assert().code(0);
    let out = guard(d.path()).args(["check", "--format", "json", "a.sh", "b.sh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["file"], "b.sh");
    assert_eq!(v["findings"][0]["line"], 3);
    // A script that does not parse is a finding, not a usage error.
    let out = guard(d.path()).args(["check", "--format", "json", "broken.sh"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "shell.parse-error");
    // Unreadable file and bad usage: 2.
    guard(d.path()).args(["check", "missing.sh"]).assert().code(2);
    guard(d.path()).args(["check"]).assert().code(2);
    // Standard input.
    guard(d.path()).args(["check", "-"]).write_stdin("rm -rf ~\n").assert().code(1);
}

#[test]
fn mentions_of_danger_are_allowed() {
    let d = TempDir::new().unwrap();
    for line in [
        "echo \"rm -rf /\"",
        "grep -r \"DROP TABLE\" .",
        "git commit -m \"fix DROP TABLE bug\"",
        "printf '%s\\n' 'rm -rf ~'",
        "# rm -rf /",
        "cat <<'EOF' > notes.txt\nrm -rf /\nEOF",
    ] {
        let (code, v) = check_json(d.path(), line);
        assert_eq!(code, 0, "{line:?} should be allowed: {v}");
    }
}

#[test]
fn rm_flag_spellings_and_targets() {
    let d = TempDir::new().unwrap();
    for line in [
        "rm -rf /", "rm -r -f /", "rm -fr /", "rm --recursive --force /", "rm -rfv /", "rm -Rf /*",
        "rm -rf ~", "rm -rf ~/", "rm -rf $HOME", "rm -rf \"$HOME\"", "rm -rf /etc", "rm -rf /usr/",
        "rm -rf /var", "rm -rf /boot", "rm -rf /bin", "rm -rf /lib", "/bin/rm -rf /", "\\rm -rf /",
        "r\"m\" -rf /", "'rm' -rf /", "sudo -u root rm -rf /", "env FOO=1 rm -rf /", "command rm -rf /",
        "nice -n 5 rm -rf /", "timeout 10 rm -rf /", "nohup rm -rf / &", "exec rm -rf /",
        "time rm -rf /", "stdbuf -o0 rm -rf /", "doas rm -rf /", "bash -c 'rm -rf /'",
        "sh -c \"rm -rf /\"", "zsh -c 'rm -rf /'", "dash -c 'rm -rf /'", "bash <<< 'rm -rf /'",
        "bash <<EOF\nrm -rf /\nEOF", "echo ok && rm -rf /", "true || rm -rf /", "(rm -rf /)",
        "{ rm -rf /; }", "echo $(rm -rf /)", "if true; then rm -rf /; fi", "f() { rm -rf /; }",
        "docker exec web rm -rf /", "kubectl exec pod -- rm -rf /", "VAR=x rm -rf /",
        "rm -rf /usr/..", "rm -rf //", "rm -rf -- /", "xargs rm -rf / < list",
    ] {
        let (code, v) = check_json(d.path(), line);
        assert_eq!(code, 1, "{line:?} must be refused: {v}");
        assert_eq!(v["verdict"], "deny", "{line:?}: {v}");
    }
    for line in ["rm -rf ./build", "rm -rf target node_modules", "rm -rf /tmp/x", "rm -rf \"$TMPDIR/x\"", "rm -f *.log", "rm -r dist"] {
        let (code, v) = check_json(d.path(), line);
        assert_eq!(code, 0, "{line:?} must be allowed: {v}");
    }
}

#[test]
fn bad_rule_file_names_file_line_and_column_and_fails_closed() {
    let d = TempDir::new().unwrap();
    let rules = d.path().join("extra.toml");
    std::fs::write(&rules, "[[rule]]\nid = \"x.y\"\naction = \"explode\"\n").unwrap();
    let out = guard(d.path()).env("GUARD_RULES", &rules).args(["--", "echo", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing may run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("extra.toml:3:"), "{err}");
}

#[test]
fn project_rules_tighten_but_never_loosen() {
    let d = TempDir::new().unwrap();
    std::fs::create_dir_all(d.path().join(".guard/rules")).unwrap();
    std::fs::write(
        d.path().join(".guard/rules/project.toml"),
        r#"
[[rule]]
id = "fs.rm-root"
action = "allow"
summary = "try to loosen"
why = "an agent wrote this file to allow rm -rf / in its project"
[rule.match]
fact = "fs.delete"

[[rule]]
id = "local.everything"
action = "allow"
summary = "try to allow everything"
why = "an agent wrote this file to allow everything in its project"
[rule.match]
fact = "fs.delete"

[[rule]]
id = "local.no-curl"
action = "deny"
summary = "no curl here"
why = "this project must not reach the network from scripts"
[rule.match]
fact = "exec.dynamic"
"#,
    )
    .unwrap();
    let (code, _) = check_json(d.path(), "rm -rf /");
    assert_eq!(code, 1, "a project file must not loosen a built-in rule");
    let (code, v) = check_json(d.path(), "$CMD");
    assert_eq!(code, 1);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "local.no-curl" && f["action"] == "deny"), "{v}");
}

#[test]
fn audit_fails_closed_when_the_log_cannot_be_written() {
    let d = TempDir::new().unwrap();
    let marker = d.path().join("marker");
    let out = Command::cargo_bin("guard")
        .unwrap()
        .env("GUARD_AUDIT_LOG", "/etc/hostname/x.jsonl")
        .env("GUARD_KEY", d.path().join("key"))
        .args(["--", "touch", marker.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was run"));
}

#[test]
fn audit_verify_detects_tampering() {
    let d = TempDir::new().unwrap();
    for cmd in ["true", "false", "true"] {
        let _ = guard(d.path()).args(["--", cmd]).output().unwrap();
    }
    guard(d.path()).args(["audit", "verify"]).assert().success();
    let log = d.path().join("audit.jsonl");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"mode\":\"wrap\"", "\"mode\":\"wrAp\"", 1)).unwrap();
    let out = guard(d.path()).args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn secrets_never_reach_the_audit_log() {
    let d = TempDir::new().unwrap();
    let _ = guard(d.path())
        .args(["-c", "PGPASSWORD=hunter2secret true postgres://app:s3cretpw@db/x --password=topsecret1"])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(d.path().join("audit.jsonl")).unwrap();
    for s in ["hunter2secret", "s3cretpw", "topsecret1"] {
        assert!(!text.contains(s), "secret {s} leaked into the audit log: {text}");
    }
}

#[test]
fn explain_shows_commands_facts_and_rules() {
    let d = TempDir::new().unwrap();
    let out = guard(d.path()).args(["explain", "sudo bash -c 'rm -rf /'"]).output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    for want in ["sudo bash -c", "rm -rf /", "fs.delete", "fs.rm-root", "Verdict: deny"] {
        assert!(s.contains(want), "explain output lacks {want:?}:\n{s}");
    }
    let out = guard(d.path()).args(["explain", "sql.drop"]).output().unwrap();
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Why is this bad?") && s.contains("Use instead:"), "{s}");
}

#[test]
fn completions_are_generated_and_committed_copies_are_current() {
    for (shell, file) in [("bash", "guard.bash"), ("zsh", "_guard"), ("fish", "guard.fish")] {
        let out = Command::cargo_bin("guard").unwrap().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions").join(file))
            .unwrap_or_default();
        assert!(committed == out.stdout, "completions/{file} is stale: run `guard completions {shell} > completions/{file}`");
    }
}
