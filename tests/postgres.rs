//! End to end against a real PostgreSQL: the built `guard` binary in front of a real `psql`
//! talking to a throwaway cluster on 127.0.0.1. A refused statement must never reach the
//! database (the rows are all still there afterwards); an allowed one runs with its real
//! output and effect; every decision leaves exactly one signed, chained audit record.
//!
//! One cluster is shared by all tests of this file (`PgCluster::shared()`); each test works
//! in its own database.

mod common;

use std::path::Path;

use common::check::{assert_cases, assert_code, case_problems};
use common::*;
use serde_json::Value;

/// How a case invokes guard.
enum Via {
    /// `guard -- ARGV...`
    Wrap(Vec<String>),
    /// `guard FLAGS... SCRIPT` where FLAGS ends in `-c` (or a cluster like `-ec`).
    Shell(Vec<&'static str>, String),
}

impl Via {
    fn mode(&self) -> &'static str {
        match self {
            Via::Wrap(_) => "wrap",
            Via::Shell(..) => "shell",
        }
    }

    fn run(&self, env: &TestEnv) -> std::process::Output {
        let mut cmd = env.guard();
        match self {
            Via::Wrap(argv) => cmd.arg("--").args(argv),
            Via::Shell(flags, script) => cmd.args(flags).arg(script),
        };
        cmd.output().expect("run guard")
    }

    fn show(&self) -> String {
        match self {
            Via::Wrap(argv) => format!("guard -- {}", argv.join(" ")),
            Via::Shell(flags, script) => format!("guard {} {script:?}", flags.join(" ")),
        }
    }
}

fn wrap(db: &Db, extra: &[&str]) -> Via {
    let mut argv = db.psql_args();
    argv.extend(extra.iter().map(|s| s.to_string()));
    Via::Wrap(argv)
}

fn shell(script: String) -> Via {
    Via::Shell(vec!["-c"], script)
}

/// Checks the last audit record after one decision: exactly one new line, right verdict/mode.
fn record_problem(env: &TestEnv, lines_before: usize, mode: &str, refused: bool) -> Option<String> {
    if let Some(p) = env.one_new_record_problem(lines_before) {
        return Some(p);
    }
    let records = env.records();
    let rec = records.last().unwrap();
    let verdict = rec["verdict"].as_str().unwrap_or("<missing>");
    let ok_verdict = if refused {
        verdict == "deny" || verdict == "ask"
    } else {
        verdict == "allow" || verdict == "warn"
    };
    if !ok_verdict {
        return Some(format!("record verdict is {verdict:?}; record: {rec}"));
    }
    if rec["mode"].as_str() != Some(mode) {
        return Some(format!("record mode is {}, expected {mode:?}; record: {rec}", rec["mode"]));
    }
    for field in ["seq", "prev", "key_id", "sig"] {
        if rec.get(field).is_none() {
            return Some(format!("record has no `{field}` field: {rec}"));
        }
    }
    None
}

#[test]
fn pg_cluster_starts_answers_and_stops() {
    let cluster = PgCluster::start();
    assert_eq!(cluster.query("select 1"), "1");
    let db = cluster.create_db("smoke");
    db.reset_table();
    assert_eq!(db.count_t(), Ok(5));
    let probe = cluster.postgres_db();
    drop(cluster);
    assert!(
        probe.try_query("select 1").is_err(),
        "the server still answers after PgCluster was dropped"
    );
}

#[test]
fn refused_statements_never_reach_postgres() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("refused");
    let env = TestEnv::new();
    let psql = db.psql_line();
    let sql_file = env.write("migrate.sql", "SELECT 1;\n-- cleanup\nDROP TABLE t;\n");
    let sql_file = sql_file.to_str().unwrap();

    let cases: Vec<(&str, Via, &str)> = vec![
        ("wrap -c DROP TABLE", wrap(&db, &["-c", "DROP TABLE t"]), SQL_DROP),
        ("wrap -c DELETE without WHERE", wrap(&db, &["-c", "DELETE FROM t"]), SQL_DELETE_WITHOUT_WHERE),
        (
            "wrap -c DELETE WHERE 1=1",
            wrap(&db, &["-c", "DELETE FROM t WHERE 1=1"]),
            SQL_DELETE_WITHOUT_WHERE,
        ),
        ("wrap -c TRUNCATE", wrap(&db, &["-c", "TRUNCATE t"]), SQL_TRUNCATE),
        ("wrap --command=DROP", wrap(&db, &["--command=DROP TABLE t"]), SQL_DROP),
        (
            "wrap DELETE inside a CTE",
            wrap(&db, &["-c", "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d"]),
            SQL_DELETE_WITHOUT_WHERE,
        ),
        (
            "wrap EXPLAIN ANALYZE DELETE",
            wrap(&db, &["-c", "EXPLAIN ANALYZE DELETE FROM t"]),
            SQL_DELETE_WITHOUT_WHERE,
        ),
        (
            "wrap SELECT then DROP in one -c",
            wrap(&db, &["-c", "SELECT 1; DROP TABLE t"]),
            SQL_DROP,
        ),
        ("wrap -f FILE with a DROP inside", wrap(&db, &["-f", sql_file]), SQL_DROP),
        (
            "shell heredoc DROP",
            shell(format!("{psql} <<EOF\nDROP TABLE t;\nEOF")),
            SQL_DROP,
        ),
        (
            "shell cat heredoc piped into psql",
            shell(format!("cat <<EOF | {psql}\nDROP TABLE t;\nEOF")),
            SQL_DROP,
        ),
        (
            "shell echo piped into psql",
            shell(format!("echo \"DROP TABLE t\" | {psql}")),
            SQL_DROP,
        ),
        (
            "shell here-string",
            shell(format!("{psql} <<< 'TRUNCATE t'")),
            SQL_TRUNCATE,
        ),
        (
            "shell sh -c nesting",
            shell(format!("sh -c \"{psql} -c \\\"TRUNCATE t\\\"\"")),
            SQL_TRUNCATE,
        ),
        (
            "shell allowed command then refused one",
            shell(format!("{psql} -c 'SELECT 1' && {psql} -c 'DELETE FROM t'")),
            SQL_DELETE_WITHOUT_WHERE,
        ),
        (
            "shell PGPASSWORD=... DROP SCHEMA public CASCADE",
            shell(format!("PGPASSWORD=x {psql} -c 'DROP SCHEMA public CASCADE'")),
            SQL_DROP,
        ),
        (
            "shell -euo pipefail -c",
            Via::Shell(vec!["-euo", "pipefail", "-c"], format!("{psql} -c 'DROP TABLE t'")),
            SQL_DROP,
        ),
        (
            "shell -lc",
            Via::Shell(vec!["-lc"], format!("{psql} -c 'DELETE FROM t'")),
            SQL_DELETE_WITHOUT_WHERE,
        ),
        (
            "wrap env VAR=x psql",
            Via::Wrap(
                ["env", "PGCONNECT_TIMEOUT=5"]
                    .iter()
                    .map(|s| s.to_string())
                    .chain(db.psql_args())
                    .chain(["-c".into(), "DROP TABLE t".into()])
                    .collect(),
            ),
            SQL_DROP,
        ),
    ];

    assert_cases("refusal", &cases, |(name, via, rule)| {
        db.reset_table();
        let before = env.log_lines().len();
        let out = via.run(&env);
        case_problems(
            format_args!("[{name}] {}", via.show()),
            [
                refusal_problem(&out, rule),
                rows_kept_problem(db.count_t()),
                record_problem(&env, before, via.mode(), true),
            ],
        )
    });
}

#[test]
fn allowed_statements_run_with_real_output_and_effect() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("allowed");
    db.reset_table();
    let env = TestEnv::new();
    let psql = db.psql_line();

    // A SELECT's real output passes through.
    let out = wrap(&db, &["-At", "-c", "SELECT count(*) FROM t"]).run(&env);
    assert_eq!(out.status.code(), Some(0), "SELECT was not run:\n{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "5", "{}", describe(&out));

    // A scoped DELETE really deletes one row.
    let out = wrap(&db, &["-c", "DELETE FROM t WHERE id = 1"]).run(&env);
    assert_eq!(out.status.code(), Some(0), "scoped DELETE was not run:\n{}", describe(&out));
    assert!(stdout(&out).contains("DELETE 1"), "{}", describe(&out));
    assert_eq!(db.count_t(), Ok(4));

    // Strings are data.
    let out = wrap(&db, &["-c", "INSERT INTO t VALUES (6, 'drop table t')"]).run(&env);
    assert_eq!(out.status.code(), Some(0), "INSERT of a string was refused:\n{}", describe(&out));
    assert_eq!(db.count_t(), Ok(5));
    assert_eq!(db.query("SELECT v FROM t WHERE id = 6"), "drop table t");

    // Plain EXPLAIN does not run the statement.
    let out = wrap(&db, &["-c", "EXPLAIN DELETE FROM t"]).run(&env);
    assert_eq!(out.status.code(), Some(0), "plain EXPLAIN was refused:\n{}", describe(&out));
    assert!(stdout(&out).contains("Delete on t"), "{}", describe(&out));
    assert_eq!(db.count_t(), Ok(5));

    // Shell mode: a heredoc SELECT, with flags.
    let out = env
        .guard()
        .arg("-ec")
        .arg(format!("{psql} -At <<EOF\nSELECT count(*) FROM t;\nEOF"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "heredoc SELECT was not run:\n{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "5", "{}", describe(&out));

    // Shell mode: a scoped UPDATE through a pipe.
    let out = env.shell(format!("echo \"UPDATE t SET v = 'x' WHERE id = 2\" | {psql}"));
    assert_eq!(out.status.code(), Some(0), "scoped UPDATE was not run:\n{}", describe(&out));
    assert_eq!(db.query("SELECT v FROM t WHERE id = 2"), "x");

    // Merely mentioning danger is allowed; the exit status of the program passes through.
    let out = env.shell("echo \"DROP TABLE t\"; exit 3");
    assert_code(&out, 3);
    assert_eq!(stdout(&out), "DROP TABLE t\n");

    // Every decision above was allowed and recorded.
    let records = env.records();
    assert_eq!(records.len(), 7, "expected one record per decision: {records:#?}");
    for r in &records {
        let v = r["verdict"].as_str().unwrap_or("");
        assert!(v == "allow" || v == "warn", "unexpected verdict in {r}");
    }
}

#[test]
fn check_runs_nothing_and_writes_no_record() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("check");
    db.reset_table();
    let env = TestEnv::new();
    let line = format!("{} -c 'DROP TABLE t'", db.psql_line());
    let out = env.run(["check", "--format", "json", "-c", &line]);
    assert_code(&out, 1);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("check output is not JSON ({e}):\n{}", describe(&out)));
    assert_eq!(v["verdict"], "deny", "{v}");
    let findings = v["findings"].as_array().expect("findings array");
    let f = findings
        .iter()
        .find(|f| f["rule"] == SQL_DROP)
        .unwrap_or_else(|| panic!("no {SQL_DROP} finding in {v}"));
    assert_eq!(f["line"], 1, "{f}");
    assert!(f["column"].as_u64().is_some_and(|c| c >= 1), "{f}");
    assert_eq!(db.count_t(), Ok(5));
    assert!(env.log_lines().is_empty(), "guard check wrote an audit record");

    // Human format shows the rule and a caret.
    let out = env.run(["check", "-c", &line]);
    assert_code(&out, 1);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(text.contains(SQL_DROP) && text.contains('^'), "{}", describe(&out));
    assert!(env.log_lines().is_empty(), "guard check wrote an audit record");
}

fn copy_with(env: &TestEnv, name: &str, lines: &[String]) -> std::path::PathBuf {
    let mut text = lines.join("\n");
    text.push('\n');
    env.write(name, &text)
}

fn assert_verify_fails_at(env: &TestEnv, log: &Path, line: usize, what: &str) {
    let out = env.verify(log);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        out.status.code().is_some_and(|c| c != 0),
        "verify accepted a log with {what}:\n{}",
        describe(&out)
    );
    assert!(
        names_line(&text, line),
        "verify of a log with {what} does not name `line {line}`:\n{}",
        describe(&out)
    );
}

#[test]
fn audit_log_is_verified_and_tampering_is_caught() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("audit");
    db.reset_table();
    let env = TestEnv::new();
    let psql = db.psql_line();

    let decisions: Vec<(Via, bool)> = vec![
        (wrap(&db, &["-At", "-c", "SELECT count(*) FROM t"]), true),
        (wrap(&db, &["-c", "DROP TABLE t"]), false),
        (shell(format!("{psql} -c 'DELETE FROM t WHERE id = 5'")), true),
        (shell(format!("{psql} <<EOF\nTRUNCATE t;\nEOF")), false),
        (wrap(&db, &["-c", "INSERT INTO t VALUES (5, 'five')"]), true),
        (shell("true".into()), true),
    ];
    for (i, (via, allowed)) in decisions.iter().enumerate() {
        let out = via.run(&env);
        let want = if *allowed { 0 } else { REFUSED };
        assert_eq!(out.status.code(), Some(want), "decision {} ({}):\n{}", i + 1, via.show(), describe(&out));
    }
    // `guard check` is not a decision that is recorded.
    env.run(["check", "-c", "rm -rf /"]);

    let lines = env.log_lines();
    assert_eq!(lines.len(), decisions.len(), "one record per decision:\n{}", lines.join("\n"));
    let records = env.records();
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["seq"].as_u64().map(|_| ()), Some(()), "record {} has no numeric seq: {r}", i + 1);
        if i > 0 {
            assert!(
                r["seq"].as_u64() > records[i - 1]["seq"].as_u64(),
                "seq does not increase at line {}",
                i + 1
            );
        }
    }
    assert_eq!(db.count_t(), Ok(5));

    // The key was created with mode 0600.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(env.key()).expect("GUARD_KEY was created").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "key file mode is {:o}", mode & 0o777);

    // The untouched log verifies, with --log and through GUARD_AUDIT_LOG.
    let out = env.verify(&env.log());
    assert_eq!(out.status.code(), Some(0), "verify of the untouched log failed:\n{}", describe(&out));
    let out = env.run(["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "verify via GUARD_AUDIT_LOG failed:\n{}", describe(&out));

    // One byte edited in record 3.
    let mut edited = lines.clone();
    edited[2] = tamper_one_byte(&edited[2]);
    assert_ne!(edited[2], lines[2]);
    serde_json::from_str::<Value>(&edited[2]).expect("tampered line is still JSON");
    let log = copy_with(&env, "edited.jsonl", &edited);
    assert_verify_fails_at(&env, &log, 3, "one byte edited in record 3");

    // Record 2 deleted.
    let mut deleted = lines.clone();
    deleted.remove(1);
    let log = copy_with(&env, "deleted.jsonl", &deleted);
    assert_verify_fails_at(&env, &log, 2, "line 2 deleted");

    // Records 3 and 4 swapped.
    let mut swapped = lines.clone();
    swapped.swap(2, 3);
    let log = copy_with(&env, "swapped.jsonl", &swapped);
    assert_verify_fails_at(&env, &log, 3, "lines 3 and 4 swapped");

    // A record signed by another key (a second environment's log) spliced in at line 4.
    let other = TestEnv::new();
    other.guard().args(["--", "true"]).output().unwrap();
    let foreign = other.log_lines();
    assert_eq!(foreign.len(), 1, "the other environment recorded its decision");
    let mut spliced = lines.clone();
    spliced[3] = foreign[0].clone();
    let log = copy_with(&env, "spliced.jsonl", &spliced);
    assert_verify_fails_at(&env, &log, 4, "a foreign record at line 4");

    // The original is still fine.
    env.assert_log_verifies();
}

#[test]
fn secrets_are_redacted_from_the_audit_log() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("secrets");
    db.reset_table();
    let env = TestEnv::new();
    let psql = db.psql_line();
    let env_secret = "pgpw-Zq81xKv";
    let url_secret = "urlpw-Yt27mNe";

    // Refused, with PGPASSWORD in the script.
    let out = env.shell(format!("PGPASSWORD={env_secret} {psql} -c 'DROP SCHEMA public CASCADE'"));
    assert!(refusal_problem(&out, SQL_DROP).is_none(), "{}", describe(&out));
    // Allowed, with PGPASSWORD in the script (trust auth ignores it).
    let out = env.shell(format!("PGPASSWORD={env_secret} {psql} -At -c 'SELECT count(*) FROM t'"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), "5");
    // Refused and allowed, with a password in a connection URL.
    let url = db.url_with_password(url_secret);
    let out = env.run(["--", "psql", "-X", &url, "-c", "DROP TABLE t"]);
    assert!(refusal_problem(&out, SQL_DROP).is_none(), "{}", describe(&out));
    let out = env.run(["--", "psql", "-X", "-At", &url, "-c", "SELECT count(*) FROM t"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), "5");
    assert_eq!(db.count_t(), Ok(5));

    let log = std::fs::read_to_string(env.log()).expect("audit log written");
    assert_eq!(log.lines().count(), 4);
    for secret in [env_secret, url_secret] {
        assert!(!log.contains(secret), "secret {secret:?} appears in the audit log:\n{log}");
    }
    // Redaction keeps the record verifiable.
    env.assert_log_verifies();
}

#[test]
fn concurrent_guards_never_lose_or_interleave_records() {
    let cluster = PgCluster::shared();
    let db = cluster.create_db("concurrent");
    db.reset_table();
    let env = TestEnv::new();
    const N: usize = 12;
    let mut children = Vec::new();
    for i in 0..N {
        let mut cmd = env.guard_std();
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .arg("--")
            .args(db.psql_args());
        if i % 3 == 0 {
            cmd.args(["-c", "DROP TABLE t"]);
        } else {
            cmd.args(["-c", "SELECT count(*) FROM t"]);
        }
        children.push((i, cmd.spawn().expect("spawn guard")));
    }
    for (i, child) in children {
        let out = child.wait_with_output().unwrap();
        let want = if i % 3 == 0 { REFUSED } else { 0 };
        assert_eq!(out.status.code(), Some(want), "guard #{i}: {}", stderr(&out));
    }
    let records = env.records(); // panics on an interleaved (non-JSON) line
    assert_eq!(records.len(), N, "lost or extra records");
    env.assert_log_verifies();
    assert_eq!(db.count_t(), Ok(5));
}

#[test]
fn fail_closed_when_the_audit_log_cannot_be_written() {
    let env = TestEnv::new();
    let file = env.write("plain-file", "not a directory\n");
    let bad_log = file.join("audit.jsonl"); // a path under a regular file
    for (i, via) in [
        vec!["--".to_string(), "touch".into(), "MARKER-wrap".into()],
        vec!["-c".to_string(), "touch MARKER-shell".into()],
    ]
    .iter()
    .enumerate()
    {
        let out = env.guard().env("GUARD_AUDIT_LOG", &bad_log).args(via).output().unwrap();
        let marker = env.path().join(if i == 0 { "MARKER-wrap" } else { "MARKER-shell" });
        assert!(!marker.exists(), "the command ran although the audit log cannot be written");
        assert!(
            out.status.code().is_some_and(|c| c != 0),
            "exit 0 although the audit log cannot be written:\n{}",
            describe(&out)
        );
        assert!(
            stderr(&out).contains(&*bad_log.to_string_lossy()),
            "the error does not name the audit log path:\n{}",
            describe(&out)
        );
    }
}

#[test]
fn fail_closed_when_the_key_cannot_be_read() {
    let env = TestEnv::new();
    // A key path that is a directory: cannot be read, cannot be created.
    let bad_key = env.path().join("key-is-a-dir");
    std::fs::create_dir(&bad_key).unwrap();
    let out = env.guard().env("GUARD_KEY", &bad_key).args(["--", "touch", "MARKER"]).output().unwrap();
    assert!(!env.path().join("MARKER").exists(), "the command ran although the key cannot be read");
    assert!(out.status.code().is_some_and(|c| c != 0), "{}", describe(&out));
    assert!(env.log_lines().is_empty(), "a record was written without a usable key");
}
