//! Database clients: collect every SQL text a client would run and analyse it with
//! [`crate::sql`] in the client's dialect.
//!
//! Sources of SQL, per client manual: `psql -c/--command`, `-f/--file` (psql(1)); `mysql
//! -e/--execute` (mysql(1)); `sqlite3 DB SQL...`, `-cmd SQL`, `-init FILE` (sqlite3(1));
//! `duckdb DB SQL`, `-c SQL`; and, when none of those is given, standard input: a heredoc,
//! a here-string, `< FILE`, or the known output of a pipe (`echo`, `printf`, `cat`).
//!
//! SQL whose text is only known at run time yields `sql.dynamic` (attr `reason`).

use super::{word_map, Analyzer, Invocation};
use crate::fact::Fact;
use crate::shell::{SpanMap, Word};
use crate::sql::{self, Dialect};

/// Programs this module analyses.
pub const PROGRAMS: &[&str] = &["psql", "mysql", "mariadb", "sqlite3", "duckdb"];

#[derive(Clone, Copy)]
enum Client {
    Psql,
    MySql,
    Sqlite,
    DuckDb,
}

/// Analyses one invocation of a database client.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let client = match inv.name.as_str() {
        "psql" => Client::Psql,
        "mysql" | "mariadb" => Client::MySql,
        "sqlite3" => Client::Sqlite,
        _ => Client::DuckDb,
    };
    let args = inv.args();
    // (the word it is in, the SQL text or file name)
    let mut texts: Vec<(&Word, String)> = vec![];
    let mut files: Vec<(&Word, String)> = vec![];
    let mut positional = 0usize;
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        let next = args.get(i + 1);
        match client {
            Client::Psql | Client::MySql => {
                // psql(1) and mysql(1) options: `--name=VALUE`, `--name VALUE`, and clusters of
                // short options where the first one taking a value takes the rest of the word
                // or the next word (`-Xc SQL`, `-sNe SQL`, `-cSQL`).
                let (long_values, short_values, text_opts, file_opts): (&[&str], &str, &[&str], &[&str]) = match client {
                    Client::Psql => (
                        &["command", "file", "dbname", "host", "port", "username", "set", "variable", "pset", "output",
                          "log-file", "field-separator", "record-separator", "table-attr"],
                        "cdfhLopPRTUvF",
                        &["c", "command"],
                        &["f", "file"],
                    ),
                    _ => (
                        &["execute", "init-command", "user", "host", "port", "database", "socket"],
                        "eDhPSup",
                        &["e", "execute", "init-command"],
                        &[],
                    ),
                };
                let (opt, value): (Option<String>, Option<(&Word, String)>) = if let Some(long) = t.strip_prefix("--") {
                    match long.split_once('=') {
                        Some((n, v)) => (Some(n.to_string()), Some((w, v.to_string()))),
                        None if long_values.contains(&long) => {
                            i += 1;
                            (Some(long.to_string()), next.map(|n| (n, n.text.clone())))
                        }
                        None => (None, None),
                    }
                } else if t.len() > 1 && t.starts_with('-') && !w.dynamic {
                    match t.char_indices().skip(1).find(|&(_, c)| short_values.contains(c)) {
                        Some((k, c)) => {
                            let rest = &t[k + c.len_utf8()..];
                            if !rest.is_empty() {
                                (Some(c.to_string()), Some((w, rest.to_string())))
                            } else if c == 'p' {
                                // mysql `-p` prompts for the password: no value.
                                (None, None)
                            } else {
                                i += 1;
                                (Some(c.to_string()), next.map(|n| (n, n.text.clone())))
                            }
                        }
                        None => (None, None),
                    }
                } else {
                    (None, None)
                };
                if let Some(opt) = opt {
                    if text_opts.contains(&opt.as_str()) {
                        texts.extend(value);
                    } else if file_opts.contains(&opt.as_str()) {
                        files.extend(value);
                    }
                }
            }
            Client::Sqlite | Client::DuckDb => match t {
                "-cmd" | "-c" | "-s" => {
                    texts.extend(next.map(|n| (n, n.text.clone())));
                    i += 1;
                }
                "-init" => {
                    files.extend(next.map(|n| (n, n.text.clone())));
                    i += 1;
                }
                "-separator" | "-newline" | "-nullvalue" | "-escape" | "-maxsize" | "-vfs" | "-pagecache"
                | "-lookaside" | "-heap" | "-mmap" => i += 1,
                _ if t.starts_with('-') && t.len() > 1 => {}
                _ => {
                    positional += 1;
                    if positional > 1 {
                        texts.push((w, t.to_string()));
                    }
                }
            },
        }
        i += 1;
    }
    let explicit = !texts.is_empty() || !files.is_empty();
    for (w, text) in texts {
        sql_word(a, client, w, &text, depth);
    }
    for (w, name) in files {
        if w.dynamic {
            a.push(dynamic(w.span, "file known only at run time", &name));
        } else if name == "-" || super::is_stdin_file(&name) {
            stdin(a, inv, client, depth);
        } else if let Some(text) = a.read_file(&name, w.span) {
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

fn stdin(a: &mut Analyzer, inv: &Invocation, client: Client, depth: usize) {
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
fn sql_word(a: &mut Analyzer, client: Client, w: &Word, text: &str, depth: usize) {
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
    for f in &mut a.facts[before..] {
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
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'$' && i + 1 < b.len() && (b[i + 1] == b'{' || b[i + 1] == b'(' || b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'_') {
            let (open, close) = match b[i + 1] {
                b'{' => (b'{', b'}'),
                b'(' => (b'(', b')'),
                _ => (0, 0),
            };
            if open == 0 {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
            } else {
                let mut level = 0;
                i += 1;
                while i < b.len() {
                    if b[i] == open {
                        level += 1;
                    } else if b[i] == close {
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
            while i < b.len() && b[i] != b'`' {
                i += 1;
            }
            i += 1;
            out.push_str("guard_dyn");
        } else {
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Analyses an SQL text of `client`, with spans mapped by `map`. psql meta-commands and sqlite3
/// dot-commands that run shell commands or include files are followed.
fn sql_text(a: &mut Analyzer, client: Client, text: &str, map: SpanMap, depth: usize) {
    let remap = |f: &mut Fact| f.span = map.map(f.span.start, f.span.end);
    match client {
        Client::Psql => {
            let r = sql::analyze_psql(text);
            for mut f in r.facts {
                remap(&mut f);
                a.push(f);
            }
            for (cmd, span) in r.shell_commands {
                a.shell_text(&cmd, SpanMap::nested(None, map.map(span.start, span.end)), depth + 1);
            }
            for (file, span) in r.includes {
                let s = map.map(span.start, span.end);
                if let Some(t) = a.read_file(&file, s) {
                    sql_text(a, client, &t, SpanMap::nested(None, s), depth + 1);
                }
            }
        }
        Client::Sqlite | Client::DuckDb => {
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
                    let is = |full: &str, min: usize| cmd.len() > min && full.starts_with(&cmd[1..]);
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
            let d = if matches!(client, Client::Sqlite) { Dialect::Sqlite } else { Dialect::DuckDb };
            for mut f in sql::analyze(&sql_only, d) {
                remap(&mut f);
                a.push(f);
            }
        }
        Client::MySql => {
            for mut f in sql::analyze(text, Dialect::MySql) {
                remap(&mut f);
                a.push(f);
            }
        }
    }
}

/// Analyses a `.sql` file's text (PostgreSQL dialect, psql meta-commands allowed).
pub fn analyze_sql_file(a: &mut Analyzer, text: &str) {
    sql_text(a, Client::Psql, text, SpanMap::top(text.len()), 0);
}
