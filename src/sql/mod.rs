//! SQL analysis: turns the SQL text a database client would run into [`Fact`]s.
//!
//! Parse, don't grep: the text is tokenized and parsed with `sqlparser`, so strings,
//! comments and dollar-quoted bodies are data (`INSERT INTO notes VALUES ('drop table users')`
//! yields no `sql.drop`). What a statement does is read from its syntax tree
//! (see [`analyze`] for the fact kinds). Text that does not parse is split at top-level `;`
//! (found with the tokenizer, so semicolons inside strings do not split) and each piece is
//! parsed alone, so one unparsable statement cannot hide a `DROP TABLE` next to it.
//!
//! psql scripts (meta-commands such as `\!`, `\copy`, `\i`, `\gexec`, and `:variables`) are
//! handled by [`analyze_psql`]; cqlsh scripts (shell commands such as `DESCRIBE`, `SOURCE`,
//! `COPY ... TO`) by [`analyze_cql`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

mod cql;
mod expr;
mod facts;
mod psql;
#[cfg(test)]
mod tests;
mod text;

use sqlparser::dialect as sqld;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::fact::{Fact, Span};
pub use cql::{CqlAnalysis, analyze_cql};
pub use psql::{PsqlAnalysis, analyze_psql};
use text::LineIndex;

/// Maximum parser recursion depth (nested parentheses, subqueries, ...). Deeper input is
/// reported as `sql.parse_error` instead of overflowing the stack.
const RECURSION_LIMIT: usize = 64;

/// Maximum operator chain length in one statement (see [`too_complex`]). `sqlparser` builds
/// chains of binary operators (`1+1+1+...`, `a OR b OR ...`) iteratively into left-deep
/// trees that its recursion limit does not bound; walking, printing or dropping such a tree
/// recurses once per operator. Statements over this limit are not parsed (reported as
/// `sql.parse_error`, plus token-level facts). 2,000 was measured safe in a 2 MiB debug-build
/// test thread; 1,000 leaves a margin.
const MAX_OPERATORS_PER_STATEMENT: usize = 1_000;

/// The SQL dialect to parse with; chosen from the client that runs the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// PostgreSQL (`psql`): `sqlparser::dialect::PostgreSqlDialect`.
    Postgres,
    /// MySQL / MariaDB (`mysql`, `mariadb`): `MySqlDialect`.
    MySql,
    /// SQLite (`sqlite3`): `SQLiteDialect`.
    Sqlite,
    /// DuckDB (`duckdb`): `DuckDbDialect`.
    DuckDb,
    /// ClickHouse (`clickhouse-client`): `ClickHouseDialect`.
    ClickHouse,
    /// SQL Server T-SQL (`sqlcmd`): `MsSqlDialect`.
    MsSql,
    /// BigQuery GoogleSQL (`bq query`): `BigQueryDialect`.
    BigQuery,
    /// Snowflake (`snowsql`): `SnowflakeDialect`.
    Snowflake,
    /// HiveQL, also Spark SQL (`hive`, `beeline`, `spark-sql`): `HiveDialect`.
    Hive,
    /// Anything else: `GenericDialect` (permissive).
    Generic,
}

impl Dialect {
    /// The `sqlparser` dialect object for this dialect.
    fn parser_dialect(self) -> Box<dyn sqld::Dialect> {
        match self {
            Dialect::Postgres => Box::new(sqld::PostgreSqlDialect {}),
            Dialect::MySql => Box::new(sqld::MySqlDialect {}),
            Dialect::Sqlite => Box::new(sqld::SQLiteDialect {}),
            Dialect::DuckDb => Box::new(sqld::DuckDbDialect {}),
            Dialect::ClickHouse => Box::new(sqld::ClickHouseDialect {}),
            Dialect::MsSql => Box::new(sqld::MsSqlDialect {}),
            Dialect::BigQuery => Box::new(sqld::BigQueryDialect {}),
            Dialect::Snowflake => Box::new(sqld::SnowflakeDialect {}),
            Dialect::Hive => Box::new(sqld::HiveDialect {}),
            Dialect::Generic => Box::new(sqld::GenericDialect {}),
        }
    }
}

/// Analyzes SQL `text` (one or more statements) as `dialect` and returns its facts.
///
/// Facts (spans are byte ranges of the statement within `text`; summaries are the
/// statement text, whitespace-collapsed and cut to about 80 characters):
/// - `sql.drop`: `object_type` (`"table"`, `"schema"`, `"database"`, `"view"`,
///   `"materialized_view"`, `"index"`, `"function"`, `"procedure"`, `"sequence"`, `"type"`,
///   `"domain"`, `"role"`, `"user"`, `"extension"`, `"trigger"`, `"policy"`, `"owned"`, ...;
///   lowercase, words joined with `_`), `names` (array), `cascade`, `if_exists` (bools).
///   Statements `sqlparser` cannot parse (e.g. `DROP OWNED BY x`, `DROP FOREIGN TABLE t`)
///   are recognised from their tokens and carry `from_tokens = true`.
/// - `sql.truncate`: `tables` (array), `cascade`.
/// - `sql.delete` / `sql.update`: `table`, `tables` (array), `filter` (`"none"`,
///   `"always_true"` or `"some"`, see `expr::filter_kind`), `limit` (bool).
/// - `sql.alter_table`: `table`, `operation` (`"drop_column"` with `columns`,
///   `"drop_constraint"` with `constraint`, `"rename"` with `new_name`, `"rename_column"`,
///   `"add_column"`, `"add_constraint"`, `"alter_column"`, `"owner_to"`,
///   `"disable_row_level_security"`, `"disable_trigger"`, `"other"`); one fact per operation.
/// - `sql.copy`: `direction` (`"to"`/`"from"`), `target` (`"program"`, `"stdout"`,
///   `"stdin"`, `"file"`), `program` (command text, target program), `path` (target file),
///   `table` or `query`.
/// - `sql.select_into_outfile`: `path`, `kind` (`"outfile"`/`"dumpfile"`): MySQL
///   `SELECT ... INTO OUTFILE|DUMPFILE 'path'`, found in the token stream.
/// - `sql.grant`: `privileges` (text), `on` (text), `grantees` (array, lowercase),
///   `to_public` (bool).
/// - `sql.alter_role`: `role`, `superuser` (bool), `statement` (`"alter_role"`,
///   `"create_role"`), for `ALTER ROLE|USER` and `CREATE ROLE|USER`.
/// - `sql.write`: `statement` (`"insert"`, `"merge"`, `"create_table"`, `"revoke"`, ...) for
///   other statements that change data, schema or server state; `table` where obvious.
/// - `sql.dynamic`: `reason = "do_block"` for a PostgreSQL `DO` block (its body runs).
/// - `sql.parse_error`: `message`, `line`, `column` (1-based, from `sqlparser`). The failing
///   statement may also yield token-level facts (`from_tokens = true`): `sql.drop`,
///   `sql.truncate`, `sql.delete`/`sql.update` (filter `"some"` if it has a `WHERE`, else
///   `"none"`), `sql.alter_role` (`CREATE USER x SUPERUSER`), `sql.dynamic` (`DO`).
///
/// DML nested in CTEs, `EXPLAIN ANALYZE` and `PREPARE` is reported; plain `EXPLAIN` (which
/// does not run its statement) and bodies of `CREATE FUNCTION/PROCEDURE/TRIGGER` are not.
/// Never panics; recursion is bounded (`RECURSION_LIMIT`, `MAX_OPERATORS_PER_STATEMENT`).
pub fn analyze(text: &str, dialect: Dialect) -> Vec<Fact> {
    let d = dialect.parser_dialect();
    let lines = LineIndex::new(text);
    let mut out = Vec::new();
    let tokens = match Tokenizer::new(d.as_ref(), text).tokenize_with_location() {
        Ok(t) => t,
        Err(e) => {
            let err_at = lines.offset(e.location.line, e.location.column);
            out.push(parse_error(&e.message, e.location.line, e.location.column, text, err_at, text.len()));
            // Whatever precedes the bad token still runs: analyse its complete statements.
            let prefix = text.get(..err_at).map(|t| Tokenizer::new(d.as_ref(), t).tokenize_with_location());
            if let Some(Ok(prefix)) = prefix {
                let pieces = split_pieces(&prefix);
                let complete = pieces.iter().filter(|p| p.terminated);
                for p in complete {
                    analyze_tokens(p.tokens, d.as_ref(), text, &lines, &mut out, true);
                }
            }
            return out;
        }
    };
    analyze_tokens(&tokens, d.as_ref(), text, &lines, &mut out, false);
    out
}

/// One statement-sized run of tokens between top-level semicolons.
#[derive(Debug, Clone, Copy)]
struct Piece<'a> {
    /// The tokens of the piece, without the terminating `;`.
    tokens: &'a [TokenWithSpan],
    /// Index, in the whole token list, one past the piece's last token (that of its `;`, or
    /// the list's length).
    end: usize,
    /// Whether a `;` ends the piece (false for the last piece of the text).
    terminated: bool,
}

/// Splits `tokens` at `;` tokens. Strings, comments and dollar quotes are single tokens, so
/// only real statement separators split. Pieces holding only whitespace are dropped.
fn split_pieces(tokens: &[TokenWithSpan]) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut end = 0;
    let mut parts = tokens.split(|t| t.token == Token::SemiColon).peekable();
    while let Some(part) = parts.next() {
        end += part.len();
        pieces.push(Piece { tokens: part, end, terminated: parts.peek().is_some() });
        end += 1; // the `;`
    }
    pieces.retain(|p| p.tokens.iter().any(|t| is_significant(&t.token)));
    pieces
}

/// Whether a token is more than whitespace, a comment or the end marker.
fn is_significant(t: &Token) -> bool {
    !matches!(t, Token::Whitespace(_) | Token::EOF)
}

/// Parses `tokens` statement by statement and appends the facts to `out`.
///
/// On the first parse error, the rest is split into [`Piece`]s and each piece after the
/// failing one is parsed alone (`single` mode: no further splitting). Token-level detectors
/// ([`facts::token_facts`]) run on every piece that fails to parse, and the `INTO OUTFILE`
/// detector on every piece.
fn analyze_tokens(
    tokens: &[TokenWithSpan],
    d: &dyn sqld::Dialect,
    text: &str,
    lines: &LineIndex,
    out: &mut Vec<Fact>,
    single: bool,
) {
    for p in split_pieces(tokens) {
        facts::outfile_facts(p.tokens, text, lines, out);
    }
    // Statements too complex to walk safely are skipped up front.
    if let Some(bad) = split_pieces(tokens).into_iter().find(|p| too_complex(p.tokens)) {
        if single {
            let span = token_span(bad.tokens, lines, text);
            let (line, col) = first_location(bad.tokens);
            out.push(parse_error(
                "statement too complex to analyze (too many operators)",
                line,
                col,
                text,
                span.start,
                span.end,
            ));
            facts::token_facts(bad.tokens, text, lines, out);
            return;
        }
        for p in split_pieces(tokens) {
            analyze_tokens(p.tokens, d, text, lines, out, true);
        }
        return;
    }

    let mut parser = Parser::new(d).with_recursion_limit(RECURSION_LIMIT).with_tokens_with_locations(tokens.to_vec());
    loop {
        while parser.consume_token(&Token::SemiColon) {}
        let first = parser.index();
        if parser.peek_token_ref().token == Token::EOF {
            return;
        }
        let start_loc = parser.peek_token_ref().span.start;
        let result = parser.parse_statement();
        let parsed = result.is_ok();
        let error = match result {
            Ok(stmt) => {
                let start = lines.offset(start_loc.line, start_loc.column);
                let end = last_end(tokens.get(..parser.index()).unwrap_or(tokens), lines).unwrap_or(text.len());
                let span = if end > start { Span::new(start, end) } else { Span::new(0, text.len()) };
                facts::statement_facts(&stmt, span, text, out);
                let next = parser.peek_token_ref();
                match next.token {
                    Token::SemiColon | Token::EOF => None,
                    _ => Some(ParserError::ParserError(format!(
                        "Expected: end of statement, found: {}{}",
                        next.token, next.span.start
                    ))),
                }
            }
            Err(e) => Some(e),
        };
        let Some(error) = error else { continue };
        // Error: report it for the failing piece, then parse each later piece alone.
        let pieces = split_pieces(tokens);
        let failing = pieces.iter().position(|p| p.end > first).unwrap_or(pieces.len());
        if let Some(p) = pieces.get(failing) {
            let piece = p.tokens;
            if is_maintenance(piece) {
                if single {
                    return;
                }
                for p in pieces.iter().skip(failing + 1) {
                    analyze_tokens(p.tokens, d, text, lines, out, true);
                }
                return;
            }
            let span = token_span(piece, lines, text);
            let (line, col) = error_location(&error).unwrap_or_else(|| first_location(piece));
            out.push(parse_error(&error_message(&error), line, col, text, span.start, span.end));
            if !parsed {
                facts::token_facts(piece, text, lines, out);
            }
        }
        if single {
            return;
        }
        for p in pieces.iter().skip(failing + 1) {
            analyze_tokens(p.tokens, d, text, lines, out, true);
        }
        return;
    }
}

/// Statements that change no data and that `sqlparser` may not parse: maintenance and
/// session commands (PostgreSQL manual, SQL Commands: VACUUM, ANALYZE, CHECKPOINT, REINDEX,
/// CLUSTER, LISTEN/UNLISTEN/NOTIFY, DISCARD, COMMENT, SECURITY LABEL, REFRESH MATERIALIZED VIEW).
/// Failing to parse one of them is not worth asking about.
const MAINTENANCE: &[&str] =
    &["VACUUM", "ANALYZE", "ANALYSE", "CHECKPOINT", "REINDEX", "CLUSTER", "LISTEN", "UNLISTEN", "NOTIFY", "DISCARD", "COMMENT", "SECURITY", "REFRESH"];

/// Whether the first significant token of `piece` names a [`MAINTENANCE`] statement.
fn is_maintenance(piece: &[TokenWithSpan]) -> bool {
    match piece.iter().map(|t| &t.token).find(|t| is_significant(t)) {
        Some(Token::Word(w)) => MAINTENANCE.iter().any(|m| w.value.eq_ignore_ascii_case(m)),
        _ => false,
    }
}

/// Byte offset of the end of the last significant token of `tokens` with a known location.
fn last_end(tokens: &[TokenWithSpan], lines: &LineIndex) -> Option<usize> {
    tokens
        .iter()
        .rev()
        .find(|t| is_significant(&t.token) && !is_comment(&t.token) && t.span.end.line > 0)
        .map(|t| lines.offset(t.span.end.line, t.span.end.column))
}

/// Whether a statement's tokens could build a syntax tree too deep to walk safely.
///
/// `sqlparser` builds operator chains (`1+1+...`, `a OR b OR ...`, `x::t::t...`) iteratively,
/// so its recursion limit does not bound their depth. The depth of the tree is at most the
/// number of operators and keywords along the chain of open parentheses, where a comma ends
/// a chain element (`VALUES (-1, -2, ...)` stays shallow). Over
/// `MAX_OPERATORS_PER_STATEMENT` the statement is not parsed.
fn too_complex(tokens: &[TokenWithSpan]) -> bool {
    let mut levels: Vec<usize> = vec![0];
    let mut path = 0usize;
    for t in tokens {
        match &t.token {
            Token::LParen => levels.push(0),
            Token::LBracket => {
                // A subscript is an operator on the enclosing chain (`a[1][1]...` nests).
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                    path += 1;
                    if path > MAX_OPERATORS_PER_STATEMENT {
                        return true;
                    }
                }
                levels.push(0);
            }
            Token::RParen | Token::RBracket => {
                if levels.len() > 1 {
                    path -= levels.pop().unwrap_or(0);
                }
            }
            Token::Comma | Token::SemiColon => {
                if let Some(top) = levels.last_mut() {
                    path -= *top;
                    *top = 0;
                }
            }
            Token::Word(w) if w.quote_style.is_some() || w.keyword == sqlparser::keywords::Keyword::NoKeyword => {}
            Token::Whitespace(_)
            | Token::EOF
            | Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::EscapedStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_) => {}
            _ => {
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                    path += 1;
                    if path > MAX_OPERATORS_PER_STATEMENT {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// Byte span from the first to the last significant token of `tokens`.
fn token_span(tokens: &[TokenWithSpan], lines: &LineIndex, text: &str) -> Span {
    let sig = |t: &&TokenWithSpan| is_significant(&t.token) && !is_comment(&t.token);
    match tokens.iter().find(sig) {
        None => Span::new(0, text.len()),
        Some(first) => {
            let last = tokens.iter().rev().find(sig).unwrap_or(first);
            let s = lines.offset(first.span.start.line, first.span.start.column);
            let e = lines.offset(last.span.end.line, last.span.end.column);
            if e > s { Span::new(s, e) } else { Span::new(0, text.len()) }
        }
    }
}

/// Whether a token is a comment.
fn is_comment(t: &Token) -> bool {
    matches!(t, Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_)))
}

/// Line and column of the first significant token (1-based), or (1, 1).
fn first_location(tokens: &[TokenWithSpan]) -> (u64, u64) {
    tokens
        .iter()
        .find(|t| is_significant(&t.token) && !is_comment(&t.token))
        .map(|t| (t.span.start.line, t.span.start.column))
        .unwrap_or((1, 1))
}

/// The message of a parser error without the `sql parser error: ` prefix.
fn error_message(e: &ParserError) -> String {
    match e {
        ParserError::TokenizerError(s) | ParserError::ParserError(s) => s.clone(),
        ParserError::RecursionLimitExceeded => "recursion limit exceeded".to_string(),
    }
}

/// Line and column from the ` at Line: L, Column: C` suffix `sqlparser` puts on messages.
fn error_location(e: &ParserError) -> Option<(u64, u64)> {
    let msg = error_message(e);
    let at = msg.rfind(" at Line: ")?;
    let rest = msg.get(at..)?.strip_prefix(" at Line: ")?;
    let (l, c) = rest.split_once(", Column: ")?;
    Some((l.trim().parse().ok()?, c.trim().parse().ok()?))
}

/// A `sql.parse_error` fact for `text[start..end]`.
fn parse_error(message: &str, line: u64, column: u64, text: &str, start: usize, end: usize) -> Fact {
    let span = Span::new(start.min(text.len()), end.min(text.len()));
    Fact::new("sql.parse_error", format!("SQL parse error: {}", text::summarize(text.get(span.start..span.end).unwrap_or(text))), span)
        .with("message", message)
        .with("line", line)
        .with("column", column)
}
