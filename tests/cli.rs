//! The command-line contract through the real binary: ways in, exit codes, JSON output,
//! refusal messages, fail-closed behaviour, rule layers.

mod common;

use std::path::Path;

use common::check::{assert_cases, guard_cmd, rule_ids};
use common::{TestEnv, guard_bin};
use serde_json::Value;

#[test]
fn wrap_runs_allowed_command_with_its_output_and_status() {
    let env = TestEnv::new();
    env.guard().args(["--", "echo", "hello world"]).assert().success().stdout("hello world\n");
    env.guard().args(["--", "sh", "-c", "exit 7"]).assert().code(7);
    assert_eq!(env.records().len(), 2);
}

#[test]
fn wrap_refuses_with_126_rule_id_and_caret_and_runs_nothing() {
    let env = TestEnv::new();
    let marker = env.path().join("marker");
    let script = format!("touch {} ; rm -rf /", marker.display());
    let out = env.run(["--", "bash", "-c", &script]);
    assert_eq!(out.status.code(), Some(126));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fs.rm-root"), "{err}");
    assert!(err.contains("^^^^^^^^"), "no caret under the span: {err}");
    assert!(err.contains("nothing was run"), "{err}");
    assert!(!marker.exists(), "a refused script must not run at all");
    let rec = &env.records()[0];
    assert_eq!(rec["verdict"], "deny");
    assert_eq!(rec["outcome"], "refused");
    assert_eq!(rec["rules"][0], "fs.rm-root");
}

#[test]
fn shell_mode_accepts_every_bash_argv_shape() {
    let env = TestEnv::new();
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
        env.guard().args(*s).assert().success().stdout("ok\n");
    }
    // $0 and positional parameters come after the command string, as in bash.
    env.guard().args(["-c", "echo $0 $1 $2", "name", "a", "b"]).assert().success().stdout("name a b\n");
    assert_eq!(env.records().len(), shapes.len() + 1);
}

#[test]
fn shell_mode_refuses_dangerous_scripts_whatever_the_flags() {
    let env = TestEnv::new();
    for s in [
        vec!["-c", "rm -rf /"],
        vec!["-euo", "pipefail", "-c", "echo hi && rm -rf ~"],
        vec!["-lc", "X=rm; $X -rf /"],
        vec!["-c", "sudo bash -c 'rm -rf /etc'"],
    ] {
        let out = env.run(&s);
        assert_eq!(out.status.code(), Some(126), "{s:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn shell_mode_script_file_is_analysed_then_run() {
    let env = TestEnv::new();
    env.write("ok.sh", "echo from-file \"$1\"\n");
    env.write("bad.sh", "echo hi\nrm -rf ~\n");
    env.guard().args(["ok.sh", "arg"]).assert().success().stdout("from-file arg\n");
    env.guard().args(["bad.sh"]).assert().code(126).stdout("");
}

#[test]
fn shell_mode_without_script_is_a_clear_error_not_an_unchecked_shell() {
    let env = TestEnv::new();
    let out = env.guard().args(["-s"]).write_stdin("rm -rf /\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not supported"));
    assert!(env.records().is_empty());
}

#[test]
fn guard_shell_pointing_at_guard_is_refused() {
    let env = TestEnv::new();
    let out = env.guard().env("GUARD_SHELL", guard_bin()).args(["-c", "echo hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("guard itself"));
}

#[test]
fn guard_shell_may_not_switch_to_another_interpreter() {
    // The agent sets its own environment: GUARD_SHELL must not make text analysed as bash run
    // in an interpreter that reads it differently.
    let env = TestEnv::new();
    let marker = env.path().join("marker");
    let out = env
        .guard()
        .env("GUARD_SHELL", "/usr/bin/python3")
        .args(["-c", &format!("open('{}', 'w')", marker.display())])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists());
    env.guard().env("GUARD_SHELL", "/bin/sh").args(["-c", "echo ok"]).assert().success().stdout("ok\n");
}

#[test]
fn ask_without_a_terminal_is_a_refusal() {
    let env = TestEnv::new();
    let out = env.run(["-c", "eval \"$SOMETHING\""]);
    assert_eq!(out.status.code(), Some(126));
    let rec = &env.records()[0];
    assert_eq!(rec["verdict"], "ask");
    assert_eq!(rec["outcome"], "refused");
}

#[test]
fn warn_runs_and_says_why() {
    let env = TestEnv::new();
    std::fs::create_dir(env.path().join("x")).unwrap();
    let out = env.run(["-c", "D=$(pwd)/x; rm -rf \"$D\"/; echo done"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fs.rm-dynamic"));
    assert_eq!(env.records()[0]["verdict"], "warn");
}

#[test]
fn check_json_contract() {
    let env = TestEnv::new();
    let (code, v) = env.check_json("echo hi; rm -rf /");
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
    let (code, v) = env.check_json("ls -la");
    assert_eq!((code, v["verdict"].as_str()), (0, Some("allow")));
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert!(env.records().is_empty(), "check never writes audit records");
}

#[test]
fn check_exit_codes_and_files() {
    let env = TestEnv::new();
    env.write("a.sh", "#!/bin/sh\nls\n");
    env.write("b.sh", "#!/bin/sh\n\nrm -rf /usr\n");
    env.write("broken.sh", "if then fi ((\n");
    env.guard().args(["check", "a.sh"]).assert().code(0);
    let out = env.run(["check", "--format", "json", "a.sh", "b.sh"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["file"], "b.sh");
    assert_eq!(v["findings"][0]["line"], 3);
    // A script that does not parse is a finding, not a usage error.
    let out = env.run(["check", "--format", "json", "broken.sh"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "shell.parse-error");
    // Unreadable file and bad usage: 2.
    env.guard().args(["check", "missing.sh"]).assert().code(2);
    env.guard().args(["check"]).assert().code(2);
    // Standard input.
    env.guard().args(["check", "-"]).write_stdin("rm -rf ~\n").assert().code(1);
}

/// A problem unless `guard check -c LINE` allows `line` (exit 0).
fn must_be_allowed(env: &TestEnv, line: &str) -> Option<String> {
    let (code, v) = env.check_json(line);
    (code != 0).then(|| format!("{line:?} must be allowed (exit 0): exit {code}, rules {:?}: {v}", rule_ids(&v)))
}

#[test]
fn mentions_of_danger_are_allowed() {
    let env = TestEnv::new();
    let mentions = [
        "echo \"rm -rf /\"",
        "grep -r \"DROP TABLE\" .",
        "git commit -m \"fix DROP TABLE bug\"",
        "printf '%s\\n' 'rm -rf ~'",
        "# rm -rf /",
        "cat <<'EOF' > notes.txt\nrm -rf /\nEOF",
    ];
    assert_cases("allowed mention", &mentions, |line| must_be_allowed(&env, line));
}

#[test]
fn rm_flag_spellings_and_targets() {
    let env = TestEnv::new();
    let refused = [
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
        "rm <<EOF -rf /\nEOF", "bash <<'EOF'\n\\rm -rf /\nEOF", "trap 'rm -rf /' EXIT", "coproc rm -rf /",
        "source /dev/stdin <<< 'rm -rf /'", "bash /dev/stdin <<< 'rm -rf /'", "rm -rf ~root", "rm -rf ~alice",
        "sqlite3 db '.sh rm -rf /'", "sqlite3 db \".once '|rm -rf /'\"", "sqlite3 db '.read \"|rm -rf /\"'",
    ];
    assert_cases("refused rm", &refused, |line| {
        let (code, v) = env.check_json(line);
        (code != 1 || v["verdict"] != "deny")
            .then(|| format!("{line:?} must be refused (exit 1, verdict deny): exit {code}, rules {:?}: {v}", rule_ids(&v)))
    });
    let allowed = [
        "rm -rf ./build", "rm -rf target node_modules", "rm -rf /tmp/x", "rm -rf \"$TMPDIR/x\"", "rm -f *.log", "rm -r dist",
        "trap 'rm -f /tmp/lock' EXIT", "trap - EXIT", "rm -rf ~alice/project/target", "echo \\é",
    ];
    assert_cases("allowed rm", &allowed, |line| must_be_allowed(&env, line));
}

#[test]
fn bad_rule_file_names_file_line_and_column_and_fails_closed() {
    let env = TestEnv::new();
    let rules = env.write("extra.toml", "[[rule]]\nid = \"x.y\"\naction = \"explode\"\n");
    let out = env.guard().env("GUARD_RULES", &rules).args(["--", "echo", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing may run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("extra.toml:3:"), "{err}");
}

#[test]
fn misspelt_match_key_fails_to_load_with_its_position() {
    // A typo in a match key used to load silently, so the rule never fired; now the file does
    // not load: guard refuses to run anything, and `guard rules test` reports it (exit 2).
    let env = TestEnv::new();
    let rules = env.write(
        "typo.toml",
        "[[rule]]\nid = \"x.drop\"\naction = \"deny\"\nsummary = \"s\"\nwhy = \"w\"\n[rule.match]\nfact = \"sql.drop\"\noperatoin = \"x\"\n",
    );
    let out = env.guard().env("GUARD_RULES", &rules).args(["--", "echo", "hi"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing may run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typo.toml:8:1:") && err.contains("operatoin"), "{err}");
    let out = env.guard().env("GUARD_RULES", &rules).args(["rules", "test"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("typo.toml:8:1:") && err.contains("unknown attribute"), "{err}");
}

#[test]
fn disks_and_permissions_are_refused_as_the_readme_says() {
    // README, "files and disks": dd of=/dev/sda, mkfs and shred of a device are refused, and
    // recursive chmod/chown of / and system directories.
    let env = TestEnv::new();
    let refused = [
        "dd if=/dev/zero of=/dev/sda", "mkfs.ext4 /dev/sda1", "shred /dev/sda", "wipefs -a /dev/sda", "sgdisk --zap-all /dev/sda",
        "blkdiscard /dev/nvme0n1", "chmod -R 777 /", "sudo chown -R user /usr",
    ];
    assert_cases("refused disk and permission changes", &refused, |line| {
        let (code, v) = env.check_json(line);
        (code != 1 || v["verdict"] != "deny").then(|| format!("{line:?} must be refused (exit 1, verdict deny): exit {code}: {v}"))
    });
    let allowed = ["dd if=/dev/zero of=./disk.img bs=1M count=10", "mkfs.ext4 ./disk.img", "chmod -R 755 ./build", "chmod 644 /etc/motd"];
    assert_cases("allowed disk and permission changes", &allowed, |line| must_be_allowed(&env, line));
}

#[test]
fn project_rules_tighten_but_never_loosen() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join(".guard/rules")).unwrap();
    std::fs::write(
        env.path().join(".guard/rules/project.toml"),
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
    let (code, _) = env.check_json("rm -rf /");
    assert_eq!(code, 1, "a project file must not loosen a built-in rule");
    let (code, v) = env.check_json("$CMD");
    assert_eq!(code, 1);
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "local.no-curl" && f["action"] == "deny"), "{v}");
}

#[test]
fn audit_fails_closed_when_the_log_cannot_be_written() {
    let env = TestEnv::new();
    let marker = env.path().join("marker");
    let out = env
        .guard()
        .env("GUARD_AUDIT_LOG", "/etc/hostname/x.jsonl")
        .args(["--", "touch", marker.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing was run"));
}

#[test]
fn audit_verify_detects_tampering() {
    let env = TestEnv::new();
    for cmd in ["true", "false", "true"] {
        let _ = env.run(["--", cmd]);
    }
    env.guard().args(["audit", "verify"]).assert().success();
    let log = env.log();
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::write(&log, text.replacen("\"mode\":\"wrap\"", "\"mode\":\"wrAp\"", 1)).unwrap();
    let out = env.run(["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn secrets_never_reach_the_audit_log() {
    let env = TestEnv::new();
    let _ = env.guard()
        .args(["-c", "PGPASSWORD=hunter2secret true postgres://app:s3cretpw@db/x --password=topsecret1"])
        .output()
        .unwrap();
    let text = std::fs::read_to_string(env.log()).unwrap();
    for s in ["hunter2secret", "s3cretpw", "topsecret1"] {
        assert!(!text.contains(s), "secret {s} leaked into the audit log: {text}");
    }
}

#[test]
fn refusal_diagnostics_mask_secrets_and_keep_the_caret_in_place() {
    let env = TestEnv::new();
    let out = env.run(["-c", "PGPASSWORD=hunter2secret psql postgres://app:s3cretpw@db/x -c 'DROP TABLE users'"]);
    assert_eq!(out.status.code(), Some(126));
    let err = String::from_utf8_lossy(&out.stderr);
    for s in ["hunter2secret", "s3cretpw"] {
        assert!(!err.contains(s), "secret {s} shown on stderr: {err}");
    }
    let line = err.lines().find(|l| l.contains("PGPASSWORD=")).unwrap_or_default();
    let caret = err.lines().find(|l| l.contains("^^^")).unwrap_or_default();
    let (at, caret_at) = (line.find("'DROP").unwrap_or(0) + 1, caret.find('^').unwrap_or(0));
    assert_eq!(at, caret_at, "the caret must still point at the SQL:\n{err}");
}

#[test]
fn secrets_in_client_flags_and_echoed_by_parsers_never_reach_the_audit_log() {
    let env = TestEnv::new();
    let shell = [
        "true redis-cli -a redispw01 ping",
        "redis-cli -h db -a redispw02 FLUSHALL",
        "true sshpass -p sshpw0003 ssh host",
        "true mongosh -u admin -p mongopw04 app",
        "true docker login -u me -p dockerpw05 registry",
        // The SQL parser's error message quotes the password token.
        "psql -c \"CREATE USER x PASSWORD 'sqlpw0006'\"",
    ];
    for script in shell {
        let _ = env.shell(script);
    }
    let wrap: &[&[&str]] = &[
        &["true", "redis-cli", "-a", "redispw07", "ping"],
        &["true", "sshpass", "-psshpw0008", "ssh", "h"],
        &["true", "curl", "--user=bob:curlpw09", "https://x.invalid"],
        &["true", "mongosh", "-p", "mongopw10"],
    ];
    for argv in wrap {
        let _ = env.guard().arg("--").args(*argv).output().unwrap();
    }
    let text = std::fs::read_to_string(env.log()).unwrap();
    assert_eq!(text.lines().count(), shell.len() + wrap.len(), "{text}");
    for s in [
        "redispw01", "redispw02", "sshpw0003", "mongopw04", "dockerpw05", "sqlpw0006", "redispw07", "sshpw0008",
        "curlpw09", "mongopw10",
    ] {
        assert!(!text.contains(s), "secret {s} leaked into the audit log: {text}");
    }
    // Ordinary -p and -a flags stay readable.
    let _ = env.shell("true docker run -p 8080:80 img; true ssh -p 2222 h; true mysql -p -h db app");
    let last = env.log_lines().pop().unwrap();
    assert!(last.contains("8080:80") && last.contains("2222") && last.contains("-p -h db"), "{last}");
    env.assert_log_verifies();
}

#[test]
fn audit_verify_of_an_unreadable_log_exits_2() {
    let env = TestEnv::new();
    let _ = env.run(["--", "true"]);
    // A directory opens but cannot be read: the log is unreadable (2), not invalid (1).
    let dir = env.path().join("a-directory.jsonl");
    std::fs::create_dir(&dir).unwrap();
    let out = env.verify(&dir);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    let out = env.verify(&env.path().join("missing.jsonl"));
    assert_eq!(out.status.code(), Some(2));
    env.assert_log_verifies();
}

#[test]
fn explain_shows_commands_facts_and_rules() {
    let env = TestEnv::new();
    let out = env.run(["explain", "sudo bash -c 'rm -rf /'"]);
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    for want in ["sudo bash -c", "rm -rf /", "fs.delete", "fs.rm-root", "Verdict: deny"] {
        assert!(s.contains(want), "explain output lacks {want:?}:\n{s}");
    }
    let out = env.run(["explain", "sql.drop"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Why is this bad?") && s.contains("Use instead:"), "{s}");
}

#[test]
fn completions_are_generated_and_committed_copies_are_current() {
    for (shell, file) in [("bash", "guard.bash"), ("zsh", "_guard"), ("fish", "guard.fish")] {
        let out = guard_cmd().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("completions").join(file))
            .unwrap_or_default();
        assert!(committed == out.stdout, "completions/{file} is stale: run `guard completions {shell} > completions/{file}`");
    }
}

#[test]
fn claude_hook_denies_asks_and_stays_silent_on_allow() {
    let env = TestEnv::new();
    let ask = |cmd: &str| {
        let ev = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": cmd}, "cwd": env.path()});
        let out = env.guard().args(["hook", "claude"]).write_stdin(ev.to_string()).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let deny: Value = serde_json::from_str(&ask("cd /srv && rm -rf /")).unwrap();
    assert_eq!(deny["hookSpecificOutput"]["permissionDecision"], "deny");
    assert!(deny["hookSpecificOutput"]["permissionDecisionReason"].as_str().unwrap().contains("fs.rm-root"));
    let q: Value = serde_json::from_str(&ask("eval \"$X\"")).unwrap();
    assert_eq!(q["hookSpecificOutput"]["permissionDecision"], "ask");
    assert_eq!(ask("ls -la"), "", "allow must leave the agent's own permission flow alone");
    let recs = env.records();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0]["mode"], "hook");
    assert_eq!(recs[0]["outcome"], "refused");
    // Non-shell tools are not guard's business; bad JSON fails closed.
    let ev = serde_json::json!({"tool_name": "Read", "tool_input": {"file_path": "/etc/passwd"}});
    env.guard().args(["hook", "claude"]).write_stdin(ev.to_string()).assert().success().stdout("");
    env.guard().args(["hook", "claude"]).write_stdin("not json").assert().code(2);
}

#[test]
fn gemini_hook_denies() {
    let env = TestEnv::new();
    let ev = serde_json::json!({"tool_name": "run_shell_command", "tool_input": {"command": "psql -c 'DROP TABLE users'"}});
    let out = env.guard().args(["hook", "gemini"]).write_stdin(ev.to_string()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "deny");
    assert!(v["reason"].as_str().unwrap().contains("sql.drop"));
}

/// A project rule file that would loosen a built-in rule: an `allow` exception for
/// `exec.dynamic`.
const LOOSENING_RULES: &str = r#"
[[rule]]
id = "local.allow-dynamic"
action = "allow"
summary = "our deploy scripts run $CMD"
why = "a reviewed exception for this project's own command variable"
[rule.match]
fact = "exec.dynamic"
"#;

#[test]
fn trust_needs_a_person_and_approves_exact_content_only() {
    use sha2::Digest;
    let env = TestEnv::new();
    let dir = env.path().join(".guard/rules");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("local.toml");
    std::fs::write(&file, LOOSENING_RULES).unwrap();
    let store = env.path().join("config/guard/trusted");
    let verdict = |env: &TestEnv| env.check_json("$CMD --deploy").1["verdict"].as_str().unwrap_or_default().to_string();

    // Untrusted: the allow exception is ignored.
    assert_eq!(verdict(&env), "ask");
    // No person at a terminal (the tests have none): nothing is recorded.
    let out = env.run(["trust"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("person at a terminal"));
    assert!(!store.exists());

    // What `guard trust` records after a person said yes: the hash of the exact content.
    let hash: String = sha2::Sha256::digest(LOOSENING_RULES.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    std::fs::create_dir_all(store.parent().unwrap()).unwrap();
    std::fs::write(&store, format!("{hash}  {}\n", file.canonicalize().unwrap().display())).unwrap();
    assert_eq!(verdict(&env), "allow", "an approved project file may loosen");
    env.run(["trust", "--list"]).status.success().then_some(()).expect("trust --list works");

    // Any edit makes the file untrusted again.
    std::fs::write(&file, format!("{LOOSENING_RULES}\n# edited\n")).unwrap();
    assert_eq!(verdict(&env), "ask");

    // Revoking needs no terminal and removes the approval.
    std::fs::write(&file, LOOSENING_RULES).unwrap();
    assert_eq!(verdict(&env), "allow");
    assert_eq!(env.run(["trust", "--revoke"]).status.code(), Some(0));
    assert_eq!(verdict(&env), "ask");
}

/// Every way an analysis can end abnormally in a debug build (`GUARD_TEST_CRASH`), and what
/// the hook's parent sees.
const FAULTS: &[&str] = &["panic", "abort", "overflow", "sleep", "garbage"];

#[test]
fn hook_blocks_when_the_analysis_ends_abnormally() {
    let env = TestEnv::new();
    for agent in ["claude", "gemini"] {
        for fault in FAULTS {
            // A harmless command: only the crash can make guard block it.
            let ev = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": env.path()});
            let out = env
                .guard()
                .env("GUARD_TEST_CRASH", fault)
                .env("GUARD_TEST_HOOK_BUDGET_MS", "2000")
                .args(["hook", agent])
                .write_stdin(ev.to_string())
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{agent} {fault}: Claude Code and Gemini CLI block only on exit 2: {stderr}");
            let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{agent} {fault}: stdout is not JSON: {e}"));
            let reason = match agent {
                "claude" => {
                    assert_eq!(v["hookSpecificOutput"]["hookEventName"], "PreToolUse", "{v}");
                    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny", "{v}");
                    v["hookSpecificOutput"]["permissionDecisionReason"].as_str().unwrap_or_default().to_string()
                }
                _ => {
                    assert_eq!(v["decision"], "deny", "{v}");
                    v["reason"].as_str().unwrap_or_default().to_string()
                }
            };
            assert!(reason.contains("blocked") && stderr.contains(&reason), "{agent} {fault}: the reason goes to stderr too: {stderr}");
        }
    }
    // Without a fault the same call passes silently.
    let ev = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": "ls"}, "cwd": env.path()});
    env.guard().args(["hook", "claude"]).write_stdin(ev.to_string()).assert().success().stdout("");
}

#[test]
fn hook_input_errors_block_on_both_channels() {
    let env = TestEnv::new();
    let out = env.guard().args(["hook", "gemini"]).write_stdin("not json").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["decision"], "deny");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not JSON"));
}

/// Shell tool calls whose command is not a plain string: an argv array (the `shell` tool of
/// agents that pass `["bash", "-lc", "..."]`) is analysed as that argv; a missing, null or
/// other command is refused rather than let through unexamined; NUL bytes, which bash drops
/// when it reads a script, hide nothing.
#[test]
fn hook_odd_commands_fail_closed() {
    let env = TestEnv::new();
    let decide = |ev: Value| {
        let out = env.guard().args(["hook", "claude"]).write_stdin(ev.to_string()).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        (out.status.code(), v["hookSpecificOutput"]["permissionDecision"].as_str().unwrap_or("none").to_string())
    };
    for tool_input in [
        serde_json::json!({"command": ["bash", "-lc", "rm -rf /"]}),
        serde_json::json!({"command": ["rm", "-rf", "/"]}),
        serde_json::json!({"command": null}),
        serde_json::json!({"command": 1}),
        serde_json::json!({}),
        serde_json::json!("rm -rf /"),
        serde_json::json!({"command": "ls\u{0}; rm -rf /"}),
        serde_json::json!({"command": "rm -rf /\u{0}"}),
        serde_json::json!({"command": "r\u{0}m -rf /"}),
    ] {
        let ev = serde_json::json!({"tool_name": "Bash", "tool_input": tool_input, "cwd": env.path()});
        let (code, decision) = decide(ev.clone());
        assert!(matches!(code, Some(0 | 2)), "{ev}");
        assert_eq!(decision, "deny", "{ev}");
    }
    let ev = serde_json::json!({"tool_name": "shell", "tool_input": {"command": ["ls", "-la"]}, "cwd": env.path()});
    assert_eq!(decide(ev), (Some(0), "none".to_string()), "an ordinary argv is allowed");
}

#[test]
fn wrap_and_shell_mode_run_nothing_when_the_analysis_crashes() {
    let env = TestEnv::new();
    let marker = env.path().join("marker");
    let touch = format!("touch {}", marker.display());
    for fault in ["panic", "abort", "overflow"] {
        let out = env.guard().env("GUARD_TEST_CRASH", fault).args(["--", "touch", marker.to_str().unwrap()]).output().unwrap();
        assert!(!out.status.success(), "{fault}");
        let out = env.guard().env("GUARD_TEST_CRASH", fault).args(["-c", &touch]).output().unwrap();
        assert!(!out.status.success(), "{fault}");
        assert!(!marker.exists(), "{fault}: the command ran although its analysis crashed");
    }
}

#[test]
fn an_analysis_that_gave_up_never_runs_even_if_the_rules_allow_it() {
    let env = TestEnv::new();
    // A trusted (user) layer may replace a rule: here it allows the fact that says the
    // analysis gave up. The engine still refuses to run what it did not see.
    let dir = env.path().join("config/guard/rules");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("loosen.toml"),
        "[[rule]]\nid = \"exec.too-deep\"\naction = \"allow\"\nsummary = \"deep is fine\"\nwhy = \"a user who trusts deep nesting, which the engine must still refuse\"\n[rule.match]\nfact = \"exec.too_deep\"\n",
    )
    .unwrap();
    let marker = env.path().join("marker");
    let mut argv: Vec<String> = std::iter::repeat_n("nice".to_string(), 14).collect();
    argv.extend(["touch".into(), marker.display().to_string()]);
    assert_eq!(env.check_json(&argv.join(" ")).1["verdict"], "allow", "the loosened rule applies");
    let out = env.guard().arg("--").args(&argv).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not complete"));
    let out = env.guard().args(["-c", &argv.join(" ")]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!marker.exists(), "a command whose analysis gave up ran");
    let recs = env.records();
    assert!(recs.iter().all(|r| r["outcome"] == "refused"), "{recs:?}");
    // In hook mode the same call is denied.
    let ev = serde_json::json!({"tool_name": "Bash", "tool_input": {"command": argv.join(" ")}, "cwd": env.path()});
    let out = env.guard().args(["hook", "claude"]).write_stdin(ev.to_string()).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["hookSpecificOutput"]["permissionDecision"], "deny");
}

#[test]
fn hooks_doc_table_matches_the_adapters() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/hooks.md")).unwrap();
    let table = guard::hook::doc_table();
    assert!(doc.contains(&table), "docs/hooks.md is stale: paste the table from guard::hook::doc_table():\n{table}");
    for a in guard::hook::ADAPTERS {
        assert!(a.agent_timeout > guard::hook::BUDGET * 3, "{}: guard must answer well inside the agent's timeout", a.product);
    }
}

#[test]
fn cqlsh_source_runs_the_file_it_names() {
    // cqlsh's `SOURCE 'file'` runs the file's CQL (Apache Cassandra docs, "cqlsh: the CQL shell",
    // SOURCE): guard reads and checks it, with cqlsh's shell commands inside it skipped.
    let env = TestEnv::new();
    let bad = env.write("drop.cql", "DESC KEYSPACES\nDROP TABLE shop.orders;\n");
    let good = env.write("read.cql", "CONSISTENCY ONE\nDESCRIBE TABLE shop.orders\nSELECT * FROM shop.orders LIMIT 1;\n");
    let (code, v) = env.check_json(&format!("cqlsh -e \"DESC TABLES; SOURCE '{}'\"", bad.display()));
    assert!(code == 1 && rule_ids(&v).contains(&"sql.drop".to_string()), "exit {code}: {v}");
    assert_eq!(must_be_allowed(&env, &format!("cqlsh -e \"SOURCE '{}'\"", good.display())), None);
    // A file that is not there is not silently allowed.
    let (code, v) = env.check_json("cqlsh -e \"SOURCE '/nonexistent/x.cql'\"");
    assert!(code == 0 && v["verdict"] == "warn", "exit {code}: {v}");
}
