//! End to end against a real `sqlite3` on a temp file: refused statements never reach the
//! database file, allowed ones run with their real output and effect, every decision is
//! recorded and the log verifies.

mod common;

use std::path::{Path, PathBuf};

use common::*;

fn reset(db: &Path) {
    let _ = std::fs::remove_file(db);
    sqlite(
        db,
        "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT); \
         INSERT INTO t VALUES (1,'one'),(2,'two'),(3,'three'),(4,'four'),(5,'five');",
    )
    .unwrap_or_else(|e| panic!("create the SQLite table: {e}"));
}

fn count(db: &Path) -> Result<i64, String> {
    sqlite(db, "SELECT count(*) FROM t;").and_then(|s| s.parse().map_err(|e| format!("{s:?}: {e}")))
}

fn setup() -> (TestEnv, PathBuf) {
    require_program("sqlite3", "sqlite3");
    let env = TestEnv::new();
    let db = env.path().join("test.db");
    reset(&db);
    (env, db)
}

#[test]
fn refused_statements_never_reach_sqlite() {
    let (env, db) = setup();
    let f = db.to_str().unwrap().to_string();

    let wrap = |sql: &str| -> Vec<String> { vec!["--".into(), "sqlite3".into(), f.clone(), sql.into()] };
    let shell = |script: String| -> Vec<String> { vec!["-c".into(), script] };
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        ("positional DROP", wrap("DROP TABLE t"), SQL_DROP),
        ("positional DELETE without WHERE", wrap("DELETE FROM t"), SQL_DELETE_WITHOUT_WHERE),
        ("positional DELETE WHERE 1=1", wrap("DELETE FROM t WHERE 1=1"), SQL_DELETE_WITHOUT_WHERE),
        ("positional UPDATE without WHERE", wrap("UPDATE t SET v = 'x'"), SQL_UPDATE_WITHOUT_WHERE),
        ("SELECT then DROP", wrap("SELECT 1; DROP TABLE t;"), SQL_DROP),
        ("with an option before the file", vec!["--".into(), "sqlite3".into(), "-batch".into(), f.clone(), "DROP TABLE t".into()], SQL_DROP),
        ("heredoc DROP", shell(format!("sqlite3 {f} <<EOF\nDROP TABLE t;\nEOF")), SQL_DROP),
        ("quoted heredoc DROP", shell(format!("sqlite3 {f} <<'SQL'\nSELECT 1;\nDROP TABLE t;\nSQL")), SQL_DROP),
        ("echo piped DELETE", shell(format!("echo 'DELETE FROM t;' | sqlite3 {f}")), SQL_DELETE_WITHOUT_WHERE),
        ("printf piped DROP", shell(format!("printf 'DROP TABLE t;\\n' | sqlite3 {f}")), SQL_DROP),
        ("here-string DROP", shell(format!("sqlite3 {f} <<< 'DROP TABLE t'")), SQL_DROP),
        ("bash -c nesting", shell(format!("bash -c \"sqlite3 {f} 'DELETE FROM t'\"")), SQL_DELETE_WITHOUT_WHERE),
    ];

    let mut failures = Vec::new();
    for (name, args, rule) in &cases {
        reset(&db);
        let before = env.log_lines().len();
        let out = env.guard().args(args).output().unwrap();
        let mut problems = Vec::new();
        if let Some(p) = refusal_problem(&out, rule) {
            problems.push(p);
        }
        match count(&db) {
            Ok(5) => {}
            Ok(n) => problems.push(format!("t has {n} rows afterwards, expected 5")),
            Err(e) => problems.push(format!("t is gone afterwards: {e}")),
        }
        if sqlite(&db, "SELECT v FROM t WHERE id = 1").as_deref() != Ok("one") {
            problems.push("row 1 was changed".into());
        }
        let after = env.log_lines().len();
        if after != before + 1 {
            problems.push(format!("audit log went from {before} to {after} lines"));
        }
        if !problems.is_empty() {
            failures.push(format!("[{name}] guard {args:?}\n  {}", problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} refusal cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    let out = env.verify(&env.log());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}

#[test]
fn allowed_statements_run_on_sqlite() {
    let (env, db) = setup();
    let f = db.to_str().unwrap();

    let out = env.guard().args(["--", "sqlite3", f, "SELECT count(*) FROM t"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "5");

    let out = env.guard().args(["--", "sqlite3", f, "DELETE FROM t WHERE id = 1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(count(&db), Ok(4));

    let out = env
        .guard()
        .args(["--", "sqlite3", f, "INSERT INTO t VALUES (6, 'drop table t')"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(sqlite(&db, "SELECT v FROM t WHERE id = 6").as_deref(), Ok("drop table t"));

    let out = env
        .guard()
        .arg("-c")
        .arg(format!("sqlite3 {f} <<EOF\nSELECT count(*) FROM t;\nEOF"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(stdout(&out).trim(), "5");

    let out = env
        .guard()
        .arg("-c")
        .arg(format!("echo \"UPDATE t SET v = 'x' WHERE id = 2;\" | sqlite3 {f}"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(sqlite(&db, "SELECT v FROM t WHERE id = 2").as_deref(), Ok("x"));

    assert_eq!(env.log_lines().len(), 5, "one record per decision");
    let out = env.verify(&env.log());
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
}
