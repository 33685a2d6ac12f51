//! psql scripts: SQL mixed with backslash meta-commands and `:variables`.
//!
//! Lexing follows psql's own rules (source: PostgreSQL docs, "psql", sections
//! "Meta-Commands", "Advanced features / Variables", "SQL Interpolation"): outside quotes,
//! comments and dollar quotes, a `\` starts a meta-command that runs to the end of the line;
//! `:name`, `:'name'` and `:"name"` interpolate variables. `COPY ... FROM STDIN;` in a script
//! is followed by data lines up to `\.`, which are not SQL.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value as Json;

use super::text::summarize;
use super::{Dialect, analyze};
use crate::fact::{Fact, Span};

/// The result of [`analyze_psql`].
#[derive(Debug, Clone, Default)]
pub struct PsqlAnalysis {
    /// Facts of the SQL (as [`analyze`] with [`Dialect::Postgres`]) and of the meta-commands
    /// (`sql.copy` for `\copy`, `sql.dynamic` with `reason = "gexec"` for `\gexec`).
    pub facts: Vec<Fact>,
    /// Shell commands the script runs, with their spans in the script: `\! cmd`,
    /// `\copy ... program 'cmd'`, `\o |cmd`, `\g |cmd`, `\w |cmd`. A bare `\!` (interactive
    /// shell) is reported as `${SHELL:-/bin/sh}`.
    pub shell_commands: Vec<(String, Span)>,
    /// Files the script reads as more script: `\i`, `\ir`, `\include`, `\include_relative`.
    pub includes: Vec<(String, Span)>,
}

/// Analyzes a psql script: SQL statements plus psql meta-commands.
///
/// Input: the script text. Output: a [`PsqlAnalysis`]; all spans are byte ranges in `text`.
/// SQL facts touching a psql variable carry `psql_variables = true` (variables are replaced
/// by same-length placeholders before parsing: `:'x'` by the string `':x'`, `:"x"` by the
/// identifier `":x"`, `:x` by the identifier `_x`; so `id = :id` is not a tautology). Harmless meta-commands (`\set`, `\d`, `\x`, `\timing`, `\c`, `\q`, ...)
/// produce nothing. Never panics.
pub fn analyze_psql(text: &str) -> PsqlAnalysis {
    let lexed = lex(text);
    let sql = String::from_utf8(lexed.sql).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let mut result = PsqlAnalysis { facts: analyze(&sql, Dialect::Postgres), ..Default::default() };
    for (span, stmt) in &lexed.copy_stmts {
        let stmt = String::from_utf8_lossy(stmt);
        for mut f in analyze(&stmt, Dialect::Postgres) {
            f.span = Span::new(f.span.start + span.start, f.span.end + span.start);
            result.facts.push(f);
        }
    }
    for f in &mut result.facts {
        if lexed.variables.iter().any(|v| v.start < f.span.end && v.end > f.span.start) {
            f.attrs.insert("psql_variables".into(), Json::Bool(true));
        }
    }
    for m in &lexed.metas {
        meta_command(text, m, &mut result);
    }
    result.facts.sort_by_key(|f| f.span.start);
    result
}

/// One meta-command: `\name args` from the backslash to the end of the line.
#[derive(Debug, Clone)]
struct Meta {
    /// The command name without the backslash (`copy`, `!`, `g`, ...).
    name: String,
    /// Span of the whole command (backslash to end of line).
    span: Span,
    /// Span of the arguments (trimmed).
    args: Span,
}

/// What [`lex`] found.
struct Lexed {
    /// The script with meta-commands, `COPY` data and variable markers blanked out
    /// (same length and byte offsets as the script).
    sql: Vec<u8>,
    /// Meta-commands, in order.
    metas: Vec<Meta>,
    /// Spans of variable references.
    variables: Vec<Span>,
    /// `COPY ... FROM STDIN` statements (span, placeholder text without `;`). They are blanked
    /// in `sql`: `sqlparser` would read everything after `COPY ... FROM STDIN;` as data.
    copy_stmts: Vec<(Span, Vec<u8>)>,
}

/// Lexer state between bytes.
#[derive(Debug, Clone, PartialEq)]
enum State {
    Normal,
    /// Inside `'...'`; `true` for `E'...'` (backslash escapes).
    Single(bool),
    Double,
    /// Inside `$tag$...$tag$`, holding the closing delimiter.
    Dollar(Vec<u8>),
    LineComment,
    /// Inside `/* */`, with nesting depth.
    Block(usize),
}

/// Whether `b` can continue an identifier (ASCII letters, digits, `_`, `$`, non-ASCII).
fn ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Whether `b` can be part of a psql variable name.
fn var_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Meta-commands that send the query buffer (so they end the SQL statement before them).
const SENDS_BUFFER: &[&str] = &["g", "gx", "gset", "gexec", "gdesc", "crosstabview", "watch", ";"];

/// Sets `sql[i]` to `to` (nothing when `i` is out of range).
fn set(sql: &mut [u8], i: usize, to: u8) {
    if let Some(x) = sql.get_mut(i) {
        *x = to;
    }
}

/// Replaces the bytes of `sql` in `range` with spaces (the part of it that is in range).
fn blank(sql: &mut [u8], range: std::ops::Range<usize>) {
    let end = range.end.min(sql.len());
    if let Some(s) = sql.get_mut(range.start.min(end)..end) {
        s.fill(b' ');
    }
}

/// Index of the first `\n` in `b` at or after `from`, or `b.len()`.
fn line_end(b: &[u8], from: usize) -> usize {
    b.get(from..).and_then(|r| r.iter().position(|&x| x == b'\n')).map_or(b.len(), |p| from + p)
}

/// Splits a psql script into SQL (blanked copy) and meta-commands. Linear time.
fn lex(text: &str) -> Lexed {
    let b = text.as_bytes();
    let mut sql = b.to_vec();
    let mut metas = Vec::new();
    let mut variables = Vec::new();
    let mut copy_stmts = Vec::new();
    let mut state = State::Normal;
    let mut stmt_start = 0usize;
    let mut i = 0usize;
    // The byte `n` places before `i` (`None` before the start of the text).
    let before = |i: usize, n: usize| i.checked_sub(n).and_then(|k| b.get(k)).copied();
    while let Some(&c) = b.get(i) {
        match &state {
            State::Normal => match c {
                b'\'' => {
                    let escape = matches!(before(i, 1), Some(b'e' | b'E')) && !before(i, 2).is_some_and(ident_byte);
                    state = State::Single(escape);
                }
                b'"' => state = State::Double,
                b'-' if b.get(i + 1) == Some(&b'-') => state = State::LineComment,
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    state = State::Block(1);
                    i += 1;
                }
                b'$' if !before(i, 1).is_some_and(ident_byte) => {
                    let mut j = i + 1;
                    while b.get(j).is_some_and(|&x| x.is_ascii_alphanumeric() || x == b'_' || x >= 0x80) {
                        j += 1;
                    }
                    let digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                    if let Some(tag) = b.get(i..=j).filter(|t| t.ends_with(b"$") && !digit) {
                        state = State::Dollar(tag.to_vec());
                        i = j;
                    }
                }
                b';' => {
                    let copy = sql.get(stmt_start..i).filter(|stmt| is_copy_from_stdin(stmt)).map(<[u8]>::to_vec);
                    if let Some(stmt) = copy {
                        // Analysed alone (see `Lexed::copy_stmts`), then blanked with its data.
                        copy_stmts.push((Span::new(stmt_start, i), stmt));
                        blank(&mut sql, stmt_start..i + 1);
                        i = skip_copy_data(b, &mut sql, i + 1);
                        stmt_start = i;
                        continue;
                    }
                    stmt_start = i + 1;
                }
                b':' => {
                    if b.get(i + 1) == Some(&b':') {
                        i += 2;
                        continue;
                    }
                    if before(i, 1) == Some(b':') {
                        i += 1;
                        continue;
                    }
                    let end = match b.get(i + 1) {
                        Some(q @ (b'\'' | b'"')) => {
                            let mut j = i + 2;
                            while b.get(j).copied().is_some_and(var_byte) {
                                j += 1;
                            }
                            (j > i + 2 && b.get(j) == Some(q)).then_some(j + 1)
                        }
                        Some(&n) if n.is_ascii_alphabetic() || n == b'_' || n >= 0x80 => {
                            let mut j = i + 1;
                            while b.get(j).copied().is_some_and(var_byte) {
                                j += 1;
                            }
                            Some(j)
                        }
                        _ => None,
                    };
                    if let Some(end) = end {
                        // Same-length placeholders that cannot equal another column or
                        // literal: `:x` -> `_x`, `:'x'` -> `':x'`, `:"x"` -> `":x"`.
                        match b.get(i + 1) {
                            Some(&q @ (b'\'' | b'"')) => {
                                set(&mut sql, i, q);
                                set(&mut sql, i + 1, b':');
                            }
                            _ => set(&mut sql, i, b'_'),
                        }
                        variables.push(Span::new(i, end));
                        i = end;
                        continue;
                    }
                }
                b'\\' => {
                    let eol = line_end(b, i);
                    let m = parse_meta(text, i, eol);
                    let terminates = SENDS_BUFFER.contains(&m.name.as_str());
                    blank(&mut sql, i..eol);
                    if terminates {
                        set(&mut sql, i, b';');
                        stmt_start = i + 1;
                    }
                    metas.push(m);
                    i = eol;
                    continue;
                }
                _ => {}
            },
            State::Single(escape) => match c {
                b'\\' if *escape => i += 1,
                b'\'' if b.get(i + 1) == Some(&b'\'') => i += 1,
                b'\'' => state = State::Normal,
                _ => {}
            },
            State::Double => match c {
                b'"' if b.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => state = State::Normal,
                _ => {}
            },
            State::Dollar(tag) => {
                if b.get(i..).is_some_and(|rest| rest.starts_with(tag)) {
                    i += tag.len();
                    state = State::Normal;
                    continue;
                }
            }
            State::LineComment => {
                if c == b'\n' {
                    state = State::Normal;
                }
            }
            State::Block(depth) => {
                let depth = *depth;
                if c == b'/' && b.get(i + 1) == Some(&b'*') {
                    state = State::Block(depth + 1);
                    i += 1;
                } else if c == b'*' && b.get(i + 1) == Some(&b'/') {
                    state = if depth <= 1 { State::Normal } else { State::Block(depth - 1) };
                    i += 1;
                }
            }
        }
        i += 1;
    }
    Lexed { sql, metas, variables, copy_stmts }
}

/// Whether a statement (blanked script bytes) is `COPY ... FROM STDIN`, whose data follows
/// the statement in the script. Comments before `COPY` are skipped; the check is on words.
fn is_copy_from_stdin(stmt: &[u8]) -> bool {
    let s = String::from_utf8_lossy(stmt).to_ascii_lowercase();
    let code: String = s.lines().map(|l| l.split("--").next().unwrap_or("")).collect::<Vec<_>>().join(" ");
    let words: Vec<&str> =
        code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    words.first() == Some(&"copy") && words.windows(2).any(|w| w == ["from", "stdin"])
}

/// Blanks `COPY` data from `from` (just after the `;`) through the line `\.`; returns the
/// index after it. Data starts on the line after the statement.
fn skip_copy_data(b: &[u8], sql: &mut [u8], from: usize) -> usize {
    let mut i = match line_end(b, from) {
        eol if eol < b.len() => eol + 1,
        _ => return b.len(),
    };
    while i < b.len() {
        let eol = line_end(b, i);
        let line = b.get(i..eol).unwrap_or_default();
        let is_end = line.strip_suffix(b"\r").unwrap_or(line) == b"\\.";
        blank(sql, i..eol);
        i = (eol + 1).min(b.len());
        if is_end {
            break;
        }
    }
    i
}

/// Parses the meta-command starting with the backslash at `start` and ending at `eol`.
fn parse_meta(text: &str, start: usize, eol: usize) -> Meta {
    let b = text.as_bytes();
    let at = |j: usize| b.get(j).copied().filter(|_| j < eol);
    let mut j = start + 1;
    if at(j).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
        while at(j).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'+') {
            j += 1;
        }
    } else if j < eol {
        // One-character command names: `\!`, `\?`, `\;`, `\\`, ...
        j += text.get(j..eol).and_then(|t| t.chars().next()).map_or(1, char::len_utf8);
    }
    // `start` is a `\`, `eol` a `\n` or the end, and `j` ends an ASCII name or a character:
    // all char boundaries. Out of range, the command has no name and no arguments.
    let name = text.get(start + 1..j).unwrap_or_default().to_string();
    let raw = text.get(j..eol).unwrap_or_default();
    let lead = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim();
    Meta { name, span: Span::new(start, eol), args: Span::new(j + lead, j + lead + trimmed.len()) }
}

/// Records what one meta-command does.
fn meta_command(text: &str, m: &Meta, out: &mut PsqlAnalysis) {
    let args = text.get(m.args.start..m.args.end).unwrap_or_default();
    let summary = summarize(text.get(m.span.start..m.span.end).unwrap_or_default());
    match m.name.as_str() {
        "!" => {
            let cmd = if args.is_empty() { "${SHELL:-/bin/sh}".to_string() } else { args.to_string() };
            out.shell_commands.push((cmd, if args.is_empty() { m.span } else { m.args }));
        }
        "copy" => client_copy(text, m.span, m.args, &mut out.facts, &mut out.shell_commands),
        "o" | "out" | "g" | "gx" | "w" | "write" => {
            // `\g [ (option=value ...) ] [ filename | |command ]`
            let mut rest = args;
            if m.name.starts_with('g') && rest.starts_with('(') {
                rest = rest.split_once(')').map_or("", |(_, after)| after.trim_start());
            }
            if let Some(cmd) = rest.strip_prefix('|') {
                let cmd = cmd.trim();
                let start = m.args.end - rest.len() + (rest.len() - rest.trim_start_matches('|').trim_start().len());
                out.shell_commands.push((cmd.to_string(), Span::new(start, start + cmd.len())));
            }
        }
        "i" | "include" | "ir" | "include_relative" => {
            let file = unquote_arg(args);
            if !file.is_empty() {
                out.includes.push((file, m.args));
            }
        }
        "gexec" => out.facts.push(Fact::new("sql.dynamic", summary, m.span).with("reason", "gexec")),
        // `\setenv PAGER 'cmd'`: psql later runs the pager and editor variables as shell
        // commands (psql(1), Environment: PAGER, PSQL_PAGER, PSQL_EDITOR, EDITOR, VISUAL).
        "setenv" => {
            let (var, value) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
            let value = match value.trim().strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(dq) => dq.to_string(),
                None => unquote_arg(value),
            };
            let runs = ["PAGER", "PSQL_PAGER", "PSQL_WATCH_PAGER", "PSQL_EDITOR", "EDITOR", "VISUAL", "SHELL"];
            if runs.contains(&var) && !value.is_empty() {
                out.shell_commands.push((value, m.args));
            }
        }
        _ => {}
    }
}

/// The first argument of a meta-command, without psql single quotes (`''` -> `'`).
pub(super) fn unquote_arg(args: &str) -> String {
    let a = args.trim();
    if let Some(inner) = a.strip_prefix('\'') {
        let end = find_quote_end(inner).unwrap_or(inner.len());
        return inner.get(..end).unwrap_or(inner).replace("''", "'");
    }
    a.split_whitespace().next().unwrap_or("").to_string()
}

/// Index of the closing `'` of a single-quoted string whose opening quote was just before
/// `s` (`''` is an escaped quote).
fn find_quote_end(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A copy run by the client: psql's `\copy { table [(cols)] | (query) } { from | to } { 'file'
/// | file | program 'cmd' | stdin | stdout | pstdin | pstdout } [...]`, and cqlsh's `COPY table
/// [(cols)] { FROM | TO } { 'file' | STDIN | STDOUT } [WITH ...]` (the same shape).
///
/// Input: the script `text`, the command's `span` and the span of its arguments (`args_span`,
/// after the command word). Pushes a `sql.copy` fact (attr `client = true`: the file or
/// program is on the client) to `facts`, with the facts of DML nested in a `(query)`, and for
/// `program` the command to `shell_commands`.
pub(super) fn client_copy(text: &str, span: Span, args_span: Span, facts: &mut Vec<Fact>, shell_commands: &mut Vec<(String, Span)>) {
    let summary = summarize(text.get(span.start..span.end).unwrap_or_default());
    let args = text.get(args_span.start..args_span.end).unwrap_or_default();
    // Locate the direction word outside parentheses and quotes.
    let b = args.as_bytes();
    let (mut depth, mut i, mut quote) = (0usize, 0usize, false);
    let mut dir: Option<(usize, &str)> = None;
    while let Some(&c) = b.get(i) {
        if quote {
            if c == b'\'' {
                quote = false;
            }
        } else if c == b'\'' {
            quote = true;
        } else if c == b'(' {
            depth += 1;
        } else if c == b')' {
            depth = depth.saturating_sub(1);
        } else if depth == 0
            && i.checked_sub(1).and_then(|k| b.get(k)).is_none_or(|p| p.is_ascii_whitespace() || *p == b')')
        {
            for w in ["from", "to"] {
                let end = i + w.len();
                // Compared as bytes: `end` may fall inside a character (`froé`).
                if b.get(i..end).is_some_and(|x| x.eq_ignore_ascii_case(w.as_bytes()))
                    && b.get(end).is_none_or(|x| x.is_ascii_whitespace())
                    && i > 0
                {
                    dir = Some((end, w));
                    break;
                }
            }
            if dir.is_some() {
                break;
            }
        }
        i += 1;
    }
    let mut f = Fact::new("sql.copy", summary.as_str(), span).with("client", true);
    let Some((after, direction)) = dir else {
        facts.push(f.with("direction", "unknown").with("target", "unknown"));
        return;
    };
    // `after` ends the ASCII direction word, so both cuts are char boundaries.
    let source = args.get(..after - direction.len()).unwrap_or_default().trim();
    if source.starts_with('(') {
        // Nested DML in `\copy (DELETE ... RETURNING *) to ...` runs: analyse the query.
        for mut f in analyze(&format!("COPY {source} TO STDOUT"), Dialect::Postgres) {
            if f.kind != "sql.copy" && f.kind != "sql.parse_error" {
                f.span = span;
                f.summary = summary.clone();
                facts.push(f);
            }
        }
    }
    f = f.with("direction", direction);
    f = if source.starts_with('(') { f.with("query", summarize(source)) } else { f.with("table", source) };
    let rest = args.get(after..).unwrap_or_default().trim_start();
    let word = rest.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    match word.as_str() {
        "program" => {
            let cmd_part = rest.get("program".len()..).unwrap_or_default().trim_start();
            let cmd = unquote_arg(cmd_part);
            let start = args_span.end - cmd_part.len() + usize::from(cmd_part.starts_with('\''));
            shell_commands.push((cmd.clone(), Span::new(start, (start + cmd.len()).min(args_span.end))));
            f = f.with("target", "program").with("program", cmd);
        }
        "stdin" | "pstdin" => f = f.with("target", "stdin"),
        "stdout" | "pstdout" => f = f.with("target", "stdout"),
        _ => f = f.with("target", "file").with("path", unquote_arg(rest)),
    }
    facts.push(f);
}
