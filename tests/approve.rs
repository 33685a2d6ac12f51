//! `guard approve RECORD` end to end through the real binary: an agent's refused `ask`, a
//! person approving it in a real pseudo-terminal, the agent's next identical run consuming the
//! approval once; a different command, an expired or declined approval doing nothing; and a
//! pseudo-terminal that `script` makes for a process without a terminal never passing for a
//! person (ask, approve, trust).

mod common;

use common::*;
use serde_json::Value;

/// `git push --delete` asks (git.delete-remote-branch); with no repository git then fails
/// by itself, which tells "ran" (git's status) from "refused" (126).
const ASKS: &[&str] = &["git", "push", "origin", "--delete", "old-feature"];

/// `guard -- ARGS` as the AI agent `test-agent`, no terminal.
fn agent_run(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut c = env.guard();
    for v in ACTOR_VARS {
        c.env_remove(v);
    }
    c.env("GUARD_AGENT", "test-agent").arg("--").args(args).output().unwrap()
}

/// The `guard approve ...` line a refusal printed.
fn approve_line(out: &std::process::Output) -> String {
    let err = stderr(out);
    err.lines().find_map(|l| l.trim().strip_prefix("guard approve ").map(str::to_string)).unwrap_or_else(|| panic!("no approve line:\n{}", describe(out)))
}

fn approvals(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let dir = env.path().join("state/guard/approvals");
    std::fs::read_dir(dir).map(|d| d.map(|e| e.unwrap().path()).collect()).unwrap_or_default()
}

fn last(env: &TestEnv) -> Value {
    env.records().pop().expect("a record")
}

#[test]
fn a_person_approves_an_agents_refused_command_once() {
    let env = TestEnv::new();
    let out = agent_run(&env, ASKS);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    let line = approve_line(&out);
    let seq = last(&env)["seq"].as_u64().unwrap();
    assert!(line.starts_with(&format!("{seq} --log ")), "the line names the record and its log: {line}");
    assert!(last(&env)["input_sha256"].as_str().is_some_and(|h| h.len() == 64));

    // The person is shown the command and the finding, and declines: nothing is written.
    let no = in_pty(&env, &format!("approve {line}"), "n\n");
    assert_eq!(no.status.code(), Some(1), "{}", describe(&no));
    assert!(stdout(&no).contains("git push origin --delete old-feature"), "{}", describe(&no));
    assert!(stdout(&no).contains("git.delete-remote-branch"), "{}", describe(&no));
    assert!(approvals(&env).is_empty());

    let yes = in_pty(&env, &format!("approve {line}"), "y\n");
    assert_eq!(yes.status.code(), Some(0), "{}", describe(&yes));
    assert_eq!(approvals(&env).len(), 1);

    // Another command (one word differs) is not covered: refused, the approval stays.
    let other = agent_run(&env, &["git", "push", "origin", "--delete", "other-feature"]);
    assert_eq!(other.status.code(), Some(REFUSED), "{}", describe(&other));
    assert_eq!(approvals(&env).len(), 1);

    // The identical run consumes it: it runs (git's own failure, not 126), recorded as approved.
    let ran = agent_run(&env, ASKS);
    assert_ne!(ran.status.code(), Some(REFUSED), "{}", describe(&ran));
    assert!(stderr(&ran).contains("approved once by"), "{}", describe(&ran));
    let r = last(&env);
    assert_eq!((r["outcome"].as_str(), r["approved_by"]["record"].as_u64()), (Some("approved"), Some(seq)), "{r}");
    assert!(approvals(&env).is_empty(), "used approvals are removed");

    // Once only.
    let again = agent_run(&env, ASKS);
    assert_eq!(again.status.code(), Some(REFUSED), "{}", describe(&again));

    // Shell mode the same way.
    let script = "git push origin --delete old-feature";
    let shell = |env: &TestEnv| {
        let mut c = env.guard();
        for v in ACTOR_VARS {
            c.env_remove(v);
        }
        c.env("GUARD_AGENT", "test-agent").args(["-c", script]).output().unwrap()
    };
    let out = shell(&env);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert_eq!(in_pty(&env, &format!("approve {}", approve_line(&out)), "y\n").status.code(), Some(0));
    let ran = shell(&env);
    assert_ne!(ran.status.code(), Some(REFUSED), "{}", describe(&ran));
    assert_eq!(last(&env)["outcome"], "approved");
    env.assert_log_verifies();
}

#[test]
fn a_critical_rule_makes_the_person_type_the_target() {
    let env = TestEnv::new();
    write_critical_orders_rule(&env);
    let cmd = ["psql", "-h", "127.0.0.1", "-p", "1", "-d", "orders_live", "-c", "DELETE FROM t WHERE id = 1"];
    let line = approve_line(&agent_run(&env, &cmd));
    let out = in_pty(&env, &format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("orders_live"), "{}", describe(&out));
    assert!(approvals(&env).is_empty());
    let out = in_pty(&env, &format!("approve {line}"), "orders_live\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(approvals(&env).len(), 1);
}

#[test]
fn an_expired_approval_does_nothing_and_a_deny_cannot_be_approved() {
    let env = TestEnv::new();
    let out = agent_run(&env, ASKS);
    let line = approve_line(&out);
    assert_eq!(in_pty(&env, &format!("approve {line}"), "y\n").status.code(), Some(0));
    let file = approvals(&env).pop().unwrap();
    let mut a: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    a["expires"] = Value::from(a["approved_at"].as_u64().unwrap());
    std::fs::write(&file, a.to_string()).unwrap();
    let run = agent_run(&env, ASKS);
    assert_eq!(run.status.code(), Some(REFUSED), "{}", describe(&run));
    assert!(stderr(&run).contains("expired"), "{}", describe(&run));

    // A denied command (no `input_sha256`, no approve line) cannot be approved.
    let denied = agent_run(&env, &["rm", "-rf", "/"]);
    assert_eq!(denied.status.code(), Some(REFUSED), "{}", describe(&denied));
    assert!(!stderr(&denied).contains("guard approve"), "{}", describe(&denied));
    let seq = last(&env)["seq"].as_u64().unwrap();
    let out = in_pty(&env, &format!("approve {seq}"), "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("not a refused run waiting for a person"), "{}", describe(&out));
}

#[test]
fn approve_refuses_an_agent_and_a_tampered_log() {
    let env = TestEnv::new();
    let line = approve_line(&agent_run(&env, ASKS));
    let seq: String = line.split_whitespace().next().unwrap().into();
    // No terminal: not a person.
    let out = env.run(["approve", &seq]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("needs a person at their own terminal"), "{}", describe(&out));
    // An agent at a terminal: still an agent.
    let out = env.guard().env("GUARD_AGENT", "x").args(["approve", &seq]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    // A record altered after the fact: the log does not verify, nothing approved.
    let lines = env.log_lines();
    let tampered = lines.last().unwrap().replace("old-feature", "old-featurf");
    std::fs::write(env.log(), format!("{}\n", lines[..lines.len() - 1].iter().chain([&tampered]).cloned().collect::<Vec<_>>().join("\n"))).unwrap();
    let out = in_pty(&env, &format!("approve {seq}"), "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("does not verify"), "{}", describe(&out));
    assert!(approvals(&env).is_empty());
}

/// `script` run by a process without a terminal (the test, as an agent would) makes a
/// pseudo-terminal: guard does not take it for a person's, for ask, approve or trust.
#[test]
fn a_pty_made_by_script_without_a_terminal_is_not_a_person() {
    require_program("script", "bsdutils");
    let env = TestEnv::new();
    let line = approve_line(&agent_run(&env, ASKS));
    let in_script = |args: &str, input: &str| in_pty_of("script", &env, args, input);
    let out = in_script(&format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("made by script"), "{}", describe(&out));
    assert!(approvals(&env).is_empty());

    let out = in_script("-- git push origin --delete old-feature", "y\n");
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(stdout(&out).contains("made by script"), "{}", describe(&out));
    assert_eq!(last(&env)["answer"], Value::Null, "nobody was asked");

    std::fs::create_dir_all(env.path().join(".guard/rules")).unwrap();
    std::fs::write(env.path().join(".guard/rules/x.toml"), "").unwrap();
    let out = in_script("trust", "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("made by script"), "{}", describe(&out));
}
