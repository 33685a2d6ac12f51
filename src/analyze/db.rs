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
    let mut texts: Vec<&Word> = vec![];
    let mut files: Vec<&Word> = vec![];
    let mut positional = 0usize;
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        let next = args.get(i + 1);
        match client {
            Client::Psql => match t {
                "-c" | "--command" => texts.extend(next),
                "-f" | "--file" => files.extend(next),
                _ if t.starts_with("--command=") || (t.starts_with("-c") && t.len() > 2 && !t.starts_with("--")) => {
                    texts.push(w);
                }
                _ if t.starts_with("--file=") || (t.starts_with("-f") && t.len() > 2 && !t.starts_with("--")) => {
                    files.push(w);
                }
                "-d" | "-h" | "-p" | "-U" | "-v" | "-P" | "-o" | "-L" | "-T" | "-F" | "-R" | "--set" | "--variable"
                | "--dbname" | "--host" | "--port" | "--username" | "--pset" | "--output" | "--log-file" => {
                    i += 1;
                }
                _ => {}
            },
            Client::MySql => match t {
                "-e" | "--execute" => texts.extend(next),
                _ if t.starts_with("--execute=") || (t.starts_with("-e") && t.len() > 2 && !t.starts_with("--")) => {
                    texts.push(w)
                }
                "-u" | "-h" | "-P" | "-D" | "-S" | "--user" | "--host" | "--port" | "--database" | "--socket" => i += 1,
                _ => {}
            },
            Client::Sqlite | Client::DuckDb => match t {
                "-cmd" | "-c" | "-s" => texts.extend(next),
                "-init" => files.extend(next),
                "-separator" | "-newline" | "-nullvalue" | "-escape" | "-maxsize" | "-vfs" | "-pagecache"
                | "-lookaside" | "-heap" | "-mmap" => i += 1,
                _ if t.starts_with('-') && t.len() > 1 => {}
                _ => {
                    positional += 1;
                    if positional > 1 {
                        texts.push(w);
                    }
                }
            },
        }
        if matches!(t, "-c" | "--command" | "-f" | "--file" | "-e" | "--execute" | "-cmd" | "-init" | "-s") {
            i += 1;
        }
        i += 1;
    }
    let explicit = !texts.is_empty() || !files.is_empty();
    for w in texts {
        let text = strip_flag(w);
        sql_word(a, client, w, &text, depth);
    }
    for w in files {
        let name = strip_flag(w);
        if w.dynamic {
            a.push(dynamic(w.span, "file known only at run time", &name));
        } else if name == "-" {
            stdin(a, inv, client, depth);
        } else if let Some(text) = a.read_file(&name, w.span) {
            sql_text(a, client, &text, SpanMap::nested(None, w.span), depth);
        }
    }
    if !explicit {
        stdin(a, inv, client, depth);
    }
}

/// The value of `--flag=VALUE` or `-fVALUE`, or the word itself.
fn strip_flag(w: &Word) -> String {
    let t = w.text.as_str();
    if let Some((_, v)) = t.split_once('=').filter(|_| t.starts_with("--")) {
        return v.to_string();
    }
    for f in ["-c", "-f", "-e"] {
        if let Some(v) = t.strip_prefix(f)
            && t.starts_with('-') && !t.starts_with("--") && !v.is_empty() {
                return v.to_string();
            }
    }
    t.to_string()
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
                    match cmd {
                        ".shell" | ".system" => a.shell_text(arg, SpanMap::nested(None, span), depth + 1),
                        ".read" => {
                            if let Some(t) = a.read_file(arg.trim_matches(['\'', '"']), span) {
                                sql_text(a, client, &t, SpanMap::nested(None, span), depth + 1);
                            }
                        }
                        ".once" | ".output" if arg.starts_with('|') => {
                            a.shell_text(&arg[1..], SpanMap::nested(None, span), depth + 1)
                        }
                        _ => {}
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
