//! Database clients: collect every SQL text a client would run and analyse it with
//! [`crate::sql`] in the client's dialect.
//!
//! Which options carry SQL text (`psql -c`, `mysql -e`, `sqlite3 -cmd`), which name an SQL
//! file (`psql -f`, `sqlite3 -init`), which operands are SQL (`sqlite3 DB SQL...`) and the
//! dialect are catalog data: the `sql` field of an entry (`catalog/db.toml`,
//! [`crate::catalog::Sql`]); the command line is split by [`crate::argv::parse`] with the
//! entry's spec. When none of those is given, the client reads standard input: a heredoc, a
//! here-string, `< FILE`, or the known output of a pipe (`echo`, `printf`, `cat`).
//!
//! SQL whose text is only known at run time yields `sql.dynamic` (attr `reason`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{word_map, Analyzer, Invocation};
use crate::catalog::{Program, Sql, SqlDialect};
use crate::fact::Fact;
use crate::shell::{SpanMap, Word};
use crate::sql::{self, Dialect};

/// Analyses one invocation of a database client: `program` is its catalog entry and `spec`
/// the entry's `sql` field. Makes the facts of [`crate::sql`] for every SQL text found.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, program: &Program, spec: &Sql, depth: usize) {
    let client = spec.dialect;
    let Some((parsed, end)) = program.sql_at(inv.args()) else { return };
    let values_of = |opts: &[String]| -> Vec<&Word> {
        parsed.options.iter().filter(|o| opts.contains(&o.name)).filter_map(|o| o.value.as_ref()).collect()
    };
    let mut texts = values_of(&spec.text);
    if let Some(from) = spec.operands {
        texts.extend(parsed.operands.iter().skip(end.saturating_add(from)));
    }
    let files = values_of(&spec.file);
    let explicit = !texts.is_empty() || !files.is_empty();
    for w in texts {
        sql_word(a, client, w, &w.text, depth);
    }
    for w in files {
        let name = w.text.as_str();
        if w.dynamic {
            a.push(dynamic(w.span, "file known only at run time", name));
        } else if name == "-" || super::is_stdin_file(name) {
            stdin(a, inv, client, depth);
        } else if let Some(text) = a.read_file(name, w.span) {
            sql_text(a, client, &text, SpanMap::nested(None, w.span), depth);
        }
    }
    if !explicit {
        stdin(a, inv, client, depth);
    }
}

fn dynamic(span: crate::fact::Span, reason: &str, text: &str) -> Fact {
    Fact::new("sql.dynamic", format!("SQL known only at run time: {reason}"), span)
        .with("reason", reason.to_string())
        .with("text", text.to_string())
}

fn stdin(a: &mut Analyzer, inv: &Invocation, client: SqlDialect, depth: usize) {
    let expands = super::stdin_dynamic(inv);
    match a.stdin_text(inv) {
        Ok(Some((text, _))) if expands => {
            let w = Word { text: text.clone(), dynamic: true, quoted: true, span: inv.cmd.span, verbatim_at: None };
            sql_word(a, client, &w, &text, depth);
        }
        Ok(Some((text, map))) => sql_text(a, client, &text, map, depth),
        Ok(None) => {}
        Err(from) => a.push(dynamic(inv.cmd.span, "SQL read from a stream", &from).with("from", from)),
    }
}

/// Analyses SQL given in one shell word. Expansions inside it are replaced by placeholders:
/// if the statement still parses, its facts stand (and carry `dynamic = true`); a word that is
/// entirely an expansion, or that no longer parses, is `sql.dynamic`.
fn sql_word(a: &mut Analyzer, client: SqlDialect, w: &Word, text: &str, depth: usize) {
    let map = word_map(std::slice::from_ref(w));
    if !w.dynamic {
        sql_text(a, client, text, map, depth);
        return;
    }
    let placeheld = placeholders(text);
    if placeheld.trim().chars().all(|c| c.is_alphanumeric() || c == '_') {
        a.push(dynamic(w.span, "the whole SQL text is an expansion", text));
        return;
    }
    let before = a.facts.len();
    sql_text(a, client, &placeheld, SpanMap::nested(None, w.span), depth);
    let mut parse_failed = false;
    for f in a.facts.iter_mut().skip(before) {
        if f.kind == "sql.parse_error" {
            parse_failed = true;
        }
        f.attrs.insert("dynamic".into(), true.into());
    }
    if parse_failed {
        a.facts.retain(|f| f.kind != "sql.parse_error" || f.attrs.get("dynamic").is_none());
        a.push(dynamic(w.span, "SQL built from shell expansions", text));
    }
}

/// Replaces shell expansions (`$X`, `${X}`, `$(...)`, `` `...` ``) with the identifier `guard_dyn`.
fn placeholders(text: &str) -> String {
    let b = text.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = at(i) {
        let next = at(i + 1);
        if c == b'$' && next.is_some_and(|n| n == b'{' || n == b'(' || n.is_ascii_alphabetic() || n == b'_') {
            let (open, close) = match next {
                Some(b'{') => (b'{', b'}'),
                Some(b'(') => (b'(', b')'),
                _ => (0, 0),
            };
            if open == 0 {
                i += 1;
                while at(i).is_some_and(|x| x.is_ascii_alphanumeric() || x == b'_') {
                    i += 1;
                }
            } else {
                let mut level = 0;
                i += 1;
                while let Some(x) = at(i) {
                    if x == open {
                        level += 1;
                    } else if x == close {
                        level -= 1;
                        if level == 0 {
                            i += 1;
                            break;
                        }
                    }
                    i += 1;
                }
            }
            out.push_str("guard_dyn");
        } else if c == b'`' {
            i += 1;
            while at(i).is_some_and(|x| x != b'`') {
                i += 1;
            }
            i += 1;
            out.push_str("guard_dyn");
        } else {
            let ch = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Analyses an SQL text of `client`, with spans mapped by `map`. psql meta-commands and sqlite3
/// dot-commands that run shell commands or include files are followed.
fn sql_text(a: &mut Analyzer, client: SqlDialect, text: &str, map: SpanMap, depth: usize) {
    let remap = |f: &mut Fact| f.span = map.map(f.span.start, f.span.end);
    match client {
        SqlDialect::Postgres => {
            let r = sql::analyze_psql(text);
            for mut f in r.facts {
                remap(&mut f);
                a.push(f);
            }
            for (cmd, span) in r.shell_commands {
                a.shell_text(&cmd, SpanMap::nested(None, map.map(span.start, span.end)), depth + 1);
            }
            includes(a, client, r.includes, &map, depth);
        }
        SqlDialect::Cql => {
            let r = sql::analyze_cql(text);
            for mut f in r.facts {
                remap(&mut f);
                a.push(f);
            }
            includes(a, client, r.includes, &map, depth);
        }
        SqlDialect::Sqlite | SqlDialect::Duckdb => {
            // Dot-commands (sqlite3(1) "Special commands"): blank them out for the SQL parser.
            let mut sql_only = String::with_capacity(text.len());
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                let trimmed = line.trim_start();
                if trimmed.starts_with('.') {
                    let mut parts = trimmed.trim_end().splitn(2, char::is_whitespace);
                    let cmd = parts.next().unwrap_or("");
                    let arg = parts.next().unwrap_or("").trim();
                    let span = map.map(offset, offset + line.trim_end().len());
                    // Arguments are quoted like shell words; commands may be abbreviated
                    // (`.sh`, `.rea`); `|CMD` as a file runs CMD (sqlite3 shell.c, "do_meta_command").
                    let words = shlex::split(arg).unwrap_or_else(|| arg.split_whitespace().map(str::to_string).collect());
                    let file = words.iter().find(|w| !w.starts_with('-')).map(String::as_str).unwrap_or("");
                    let is = |full: &str, min: usize| cmd.len() > min && cmd.get(1..).is_some_and(|c| full.starts_with(c));
                    if is("shell", 2) || is("system", 2) {
                        a.shell_text(arg, SpanMap::nested(None, span), depth + 1);
                    } else if let Some(pipe) = file.strip_prefix('|').filter(|_| is("read", 3) || is("import", 3) || is("once", 1) || is("output", 1)) {
                        a.shell_text(pipe, SpanMap::nested(None, span), depth + 1);
                    } else if is("read", 3)
                        && let Some(t) = a.read_file(file, span)
                    {
                        sql_text(a, client, &t, SpanMap::nested(None, span), depth + 1);
                    }
                    sql_only.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
                } else {
                    sql_only.push_str(line);
                }
                offset += line.len();
            }
            let d = if client == SqlDialect::Sqlite { Dialect::Sqlite } else { Dialect::DuckDb };
            for mut f in sql::analyze(&sql_only, d) {
                remap(&mut f);
                a.push(f);
            }
        }
        _ => {
            let d = match client {
                SqlDialect::Mysql => Dialect::MySql,
                SqlDialect::Clickhouse => Dialect::ClickHouse,
                SqlDialect::Mssql => Dialect::MsSql,
                SqlDialect::Bigquery => Dialect::BigQuery,
                SqlDialect::Snowflake => Dialect::Snowflake,
                SqlDialect::Hive => Dialect::Hive,
                _ => Dialect::Generic,
            };
            // sqlcmd's batch separator `GO [count]` is a client command, not T-SQL
            // (sqlcmd(1), "Commands"): it ends the statements before it, so it becomes `;`.
            let owned;
            let text = if client == SqlDialect::Mssql {
                owned = blank_go_lines(text);
                owned.as_str()
            } else {
                text
            };
            for mut f in sql::analyze(text, d) {
                remap(&mut f);
                a.push(f);
            }
        }
    }
}

/// Follows the files a script runs as more script of the same `client` (psql `\i`, cqlsh
/// `SOURCE`): each is read (an unreadable file is an `exec.unknown` fact, see
/// [`Analyzer::read_file`]) and analysed; `includes` holds names and spans in the script that
/// `map` places in the command line.
fn includes(a: &mut Analyzer, client: SqlDialect, includes: Vec<(String, crate::fact::Span)>, map: &SpanMap, depth: usize) {
    for (file, span) in includes {
        let s = map.map(span.start, span.end);
        if let Some(t) = a.read_file(&file, s) {
            sql_text(a, client, &t, SpanMap::nested(None, s), depth + 1);
        }
    }
}

/// `text` with every line that is sqlcmd's `GO [count]` batch separator replaced by a `;`
/// and blanks (same length, so spans stay).
fn blank_go_lines(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let mut w = line.split_whitespace();
            let go = w.next().is_some_and(|g| g.eq_ignore_ascii_case("go")) && w.all(|c| c.bytes().all(|b| b.is_ascii_digit()));
            if go {
                // The batch ends there: a `;` in place of `G` (same length), the rest blank.
                line.chars().enumerate().map(|(k, c)| if c == '\n' { '\n' } else if k == line.len() - line.trim_start().len() { ';' } else { ' ' }).collect()
            } else {
                line.to_string()
            }
        })
        .collect()
}

/// Analyses a `.sql` file's text in `dialect` (PostgreSQL: psql meta-commands allowed; SQLite
/// and DuckDB: dot-commands allowed), as the dialect's client would run it.
pub fn analyze_sql_file(a: &mut Analyzer, dialect: SqlDialect, text: &str) {
    sql_text(a, dialect, text, SpanMap::top(text.len()), 0);
}
