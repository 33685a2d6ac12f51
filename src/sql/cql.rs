//! cqlsh scripts: CQL statements mixed with cqlsh's own shell commands.
//!
//! cqlsh (Apache Cassandra docs, "cqlsh: the CQL shell", section "Special Commands") accepts,
//! besides CQL, commands it runs itself: `CONSISTENCY`, `SERIAL CONSISTENCY`, `SHOW`, `SOURCE`,
//! `CAPTURE`, `HELP`, `TRACING`, `PAGING`, `EXPAND`, `LOGIN`, `EXIT`/`QUIT`, `CLEAR`/`CLS`,
//! `DESCRIBE`/`DESC` and `COPY TO`/`COPY FROM`. They are not SQL, so they are taken out
//! before the rest is parsed (with `sqlparser`'s generic dialect, as [`Dialect::Generic`]).
//! Statements are split like cqlsh splits them (cqlsh's `cqlhandling.py`,
//! `cql_massage_tokens`): at `;`, and a statement whose first word is one of the commands in
//! [`SHELL_COMMANDS`] marked `ends_at_newline` also ends at the end of its line.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use sqlparser::dialect::GenericDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use super::psql::{client_copy, unquote_arg};
use super::text::LineIndex;
use super::{Dialect, analyze, is_comment, is_significant};
use crate::fact::{Fact, Span};

/// What guard makes of a cqlsh shell command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Reads server metadata, changes only cqlsh's own session settings or output, or leaves
    /// cqlsh: nothing to report. `CAPTURE 'file'` writes query output to a local file, like
    /// redirecting the output of any client.
    Harmless,
    /// `SOURCE 'file'`: runs the CQL statements of a file.
    Source,
    /// `COPY table TO|FROM 'file'|STDOUT|STDIN`: exports or imports table data on the client.
    Copy,
}

/// One cqlsh shell command, by its first word.
#[derive(Debug, Clone, Copy)]
struct ShellCommand {
    /// The first word, uppercase (cqlsh compares it case-insensitively).
    word: &'static str,
    /// What it does.
    effect: Effect,
    /// Whether the end of its line ends it (else only `;` does).
    ends_at_newline: bool,
}

/// cqlsh's shell commands. Source: Apache Cassandra docs, "cqlsh: the CQL shell", "Special
/// Commands" (the list); which of them end at a newline: cqlsh's `cqlshhandling.py`,
/// `my_commands_ending_with_newline` (`help`, `?`, `consistency`, `serial`, `describe`, `desc`,
/// `show`, `source`, `capture`, `login`, `debug`, `tracing`, `expand`, `paging`, `exit`, `quit`,
/// `clear`, `cls`; `COPY` needs a `;` or the end of the text). `SERIAL` starts
/// `SERIAL CONSISTENCY`; `DEBUG` is an undocumented cqlsh command that toggles debug output.
const SHELL_COMMANDS: &[ShellCommand] = &[
    ShellCommand { word: "DESCRIBE", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "DESC", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "SHOW", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "CONSISTENCY", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "SERIAL", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "TRACING", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "PAGING", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "EXPAND", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "HELP", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "?", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "CLEAR", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "CLS", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "CAPTURE", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "LOGIN", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "DEBUG", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "EXIT", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "QUIT", effect: Effect::Harmless, ends_at_newline: true },
    ShellCommand { word: "SOURCE", effect: Effect::Source, ends_at_newline: true },
    ShellCommand { word: "COPY", effect: Effect::Copy, ends_at_newline: false },
];

/// The result of [`analyze_cql`].
#[derive(Debug, Clone, Default)]
pub struct CqlAnalysis {
    /// Facts of the CQL statements (as [`analyze`] with [`Dialect::Generic`]) and of the shell
    /// commands (`sql.copy` with `client = true` for `COPY`).
    pub facts: Vec<Fact>,
    /// Files the script runs as more CQL (`SOURCE 'file'`), with the command's span.
    pub includes: Vec<(String, Span)>,
}

/// Analyzes a cqlsh script: CQL statements plus cqlsh shell commands.
///
/// Input: the script text (a `-e` value, a `-f` file, standard input). Output: a
/// [`CqlAnalysis`]; all spans are byte ranges in `text`. Harmless shell commands (`DESCRIBE`,
/// `CONSISTENCY`, `SHOW`, `TRACING`, ...) produce nothing; `COPY` produces `sql.copy`;
/// `SOURCE 'file'` an include. Text the tokenizer rejects (an unclosed quote) is analysed as
/// it is, so it is reported as `sql.parse_error`. Never panics; linear in the text.
pub fn analyze_cql(text: &str) -> CqlAnalysis {
    let Ok(tokens) = Tokenizer::new(&GenericDialect {}, text).tokenize_with_location() else {
        return CqlAnalysis { facts: analyze(text, Dialect::Generic), includes: vec![] };
    };
    let lines = LineIndex::new(text);
    let mut sql = text.as_bytes().to_vec();
    let mut result = CqlAnalysis::default();
    let mut rest = tokens.as_slice();
    while let Some(start) = rest.iter().position(|t| is_significant(&t.token) && !is_comment(&t.token)) {
        let stmt = rest.get(start..).unwrap_or_default();
        let command = stmt.first().and_then(|t| shell_command(&t.token));
        let ends = |t: &TokenWithSpan| match &t.token {
            Token::SemiColon => true,
            Token::Whitespace(Whitespace::Newline | Whitespace::SingleLineComment { .. }) => {
                command.is_some_and(|c| c.ends_at_newline)
            }
            _ => false,
        };
        let len = stmt.iter().position(ends).unwrap_or(stmt.len());
        let (body, after) = stmt.split_at(len);
        rest = after.get(1..).unwrap_or_default();
        let Some(command) = command else { continue };
        let Some(span) = significant_span(body, &lines) else { continue };
        // Blanked (same length, newlines kept) so the CQL around it keeps its offsets.
        if let Some(bytes) = sql.get_mut(span.start..span.end) {
            bytes.iter_mut().filter(|b| **b != b'\n').for_each(|b| *b = b' ');
        }
        let args = args_span(body, &lines).unwrap_or(Span::new(span.end, span.end));
        match command.effect {
            Effect::Harmless => {}
            Effect::Source => {
                let file = unquote_arg(text.get(args.start..args.end).unwrap_or_default());
                if !file.is_empty() {
                    result.includes.push((file, span));
                }
            }
            Effect::Copy => client_copy(text, span, args, &mut result.facts, &mut vec![]),
        }
    }
    let sql = String::from_utf8(sql).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    result.facts.extend(analyze(&sql, Dialect::Generic));
    result.facts.sort_by_key(|f| f.span.start);
    result
}

/// The [`SHELL_COMMANDS`] entry a statement's first token names, if any. A quoted identifier
/// (`"DESC"`) is a name, not a command.
fn shell_command(t: &Token) -> Option<ShellCommand> {
    let word = match t {
        Token::Word(w) if w.quote_style.is_none() => w.value.as_str(),
        Token::Placeholder(p) => p.as_str(),
        _ => return None,
    };
    SHELL_COMMANDS.iter().find(|c| c.word.eq_ignore_ascii_case(word)).copied()
}

/// Byte span from the first to the last significant, non-comment token of `tokens`.
fn significant_span(tokens: &[TokenWithSpan], lines: &LineIndex) -> Option<Span> {
    let sig = |t: &&TokenWithSpan| is_significant(&t.token) && !is_comment(&t.token);
    let first = tokens.iter().find(sig)?;
    let last = tokens.iter().rev().find(sig)?;
    let start = lines.offset(first.span.start.line, first.span.start.column);
    let end = lines.offset(last.span.end.line, last.span.end.column);
    (end >= start).then(|| Span::new(start, end))
}

/// Byte span of a command's arguments: its significant tokens after the first word.
fn args_span(tokens: &[TokenWithSpan], lines: &LineIndex) -> Option<Span> {
    let first = tokens.iter().position(|t| is_significant(&t.token) && !is_comment(&t.token))?;
    significant_span(tokens.get(first + 1..)?, lines)
}
