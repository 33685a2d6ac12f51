//! End to end against a real `sqlite3` on a temp file: refused statements never reach the
//! database file, allowed ones run with their real output and effect, every decision is
//! recorded and the log verifies.

mod common;

use std::path::{Path, PathBuf};

use common::check::{assert_cases, assert_code, case_problems};
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

    assert_cases("refusal", &cases, |(name, args, rule)| {
        reset(&db);
        let before = env.log_lines().len();
        let out = env.run(args);
        case_problems(
            format_args!("[{name}] guard {args:?}"),
            [
                refusal_problem(&out, rule),
                rows_kept_problem(count(&db)),
                (sqlite(&db, "SELECT v FROM t WHERE id = 1").as_deref() != Ok("one"))
                    .then(|| "row 1 was changed".to_string()),
                env.one_new_record_problem(before),
            ],
        )
    });
    env.assert_log_verifies();
}

#[test]
fn allowed_statements_run_on_sqlite() {
    let (env, db) = setup();
    let f = db.to_str().unwrap();

    let out = env.run(["--", "sqlite3", f, "SELECT count(*) FROM t"]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), "5");

    let out = env.run(["--", "sqlite3", f, "DELETE FROM t WHERE id = 1"]);
    assert_code(&out, 0);
    assert_eq!(count(&db), Ok(4));

    let out = env.run(["--", "sqlite3", f, "INSERT INTO t VALUES (6, 'drop table t')"]);
    assert_code(&out, 0);
    assert_eq!(sqlite(&db, "SELECT v FROM t WHERE id = 6").as_deref(), Ok("drop table t"));

    let out = env.shell(format!("sqlite3 {f} <<EOF\nSELECT count(*) FROM t;\nEOF"));
    assert_code(&out, 0);
    assert_eq!(stdout(&out).trim(), "5");

    let out = env.shell(format!("echo \"UPDATE t SET v = 'x' WHERE id = 2;\" | sqlite3 {f}"));
    assert_code(&out, 0);
    assert_eq!(sqlite(&db, "SELECT v FROM t WHERE id = 2").as_deref(), Ok("x"));

    assert_eq!(env.log_lines().len(), 5, "one record per decision");
    env.assert_log_verifies();
}
