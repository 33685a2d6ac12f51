//! `guard check`: static verdicts on scripts, SQL files, and the shell embedded in CI
//! workflows, Makefiles, Dockerfiles, package.json, compose files and Kubernetes manifests.
//! Never runs anything and writes no audit record.
//!
//! The pipeline per input: read ([`walk`] expands directories), skip binary files
//! ([`crate::input::is_binary`]), decide the language ([`lang`]), cut the shell or SQL out of
//! its container into [`Part`]s whose [`Snippet`]s map back into the file, evaluate each part
//! with the engine, map the findings' spans into the file, apply [`suppress`]ions, and report
//! ([`output`], [`sarif`]). Files are checked in parallel; reports come out in input order.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

pub mod compose;
pub mod dockerfile;
pub mod gitlab;
pub mod k8s;
pub mod lang;
pub mod lsp;
pub mod makefile;
pub mod output;
pub mod package_json;
pub mod sarif;
pub mod snippet;
pub mod suppress;
pub mod walk;
pub mod workflow;
pub mod yaml;

use crate::catalog::SqlDialect;
use crate::engine::{Input, Session};
use crate::exit::{self, Error};
use crate::fact::Span;
use crate::format::Format;
use crate::policy::Action;
use crate::report::Lines;
use lang::Lang;
use serde_json::{Map, Value};
use snippet::Snippet;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use walk::Target;

/// What `guard check` was asked to do (the command-line options).
#[derive(Debug, Clone)]
pub struct Options {
    /// Output format.
    pub format: Format,
    /// The `-c` line.
    pub command: Option<String>,
    /// Files and directories (`-` for standard input).
    pub paths: Vec<PathBuf>,
    /// Findings at or above this action make the exit status 1.
    pub severity: Action,
    /// Read files whose name and first line say nothing as shell (`--shell`); also makes a
    /// directory walk check them.
    pub shell: bool,
    /// The SQL dialect of `.sql` files (`--sql-dialect`; default: a `-- dialect:` comment, else
    /// PostgreSQL).
    pub sql_dialect: Option<SqlDialect>,
    /// Context values that replace the detected ones (`--actor`, `--environment`).
    pub pinned: crate::policy::ContextValues,
}

/// Parses a `--severity` value: `deny`, `ask`, `warn`, or `info` (also `allow`).
pub fn parse_severity(s: &str) -> Result<Action, String> {
    match s {
        "deny" => Ok(Action::Deny),
        "ask" => Ok(Action::Ask),
        "warn" => Ok(Action::Warn),
        "info" | "allow" => Ok(Action::Allow),
        _ => Err(format!("unknown severity {s:?} (deny, ask, warn, info)")),
    }
}

/// Parses a `--sql-dialect` or `-- dialect:` value: postgres (postgresql, psql), mysql
/// (mariadb), sqlite (sqlite3), duckdb, generic.
pub fn parse_dialect(s: &str) -> Result<SqlDialect, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "postgres" | "postgresql" | "psql" | "pg" => Ok(SqlDialect::Postgres),
        "mysql" | "mariadb" => Ok(SqlDialect::Mysql),
        "sqlite" | "sqlite3" => Ok(SqlDialect::Sqlite),
        "duckdb" => Ok(SqlDialect::Duckdb),
        "generic" | "ansi" => Ok(SqlDialect::Generic),
        other => Err(format!("unknown SQL dialect {other:?} (postgres, mysql, sqlite, duckdb, generic)")),
    }
}

/// Diagnostics of `guard check` itself (not rules of the rule set): they have ids, actions and
/// explanations like rules and are reported like findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diag {
    /// A container file (YAML, JSON, Dockerfile) does not parse: its commands were not seen.
    ParseError,
    /// A binary file was named: it is not a script and was not analysed.
    BinaryFile,
    /// A suppression gives no reason; it does not apply.
    SuppressionWithoutReason,
    /// A suppression matches no finding.
    UnusedSuppression,
}

impl Diag {
    /// Every diagnostic, for SARIF's rule list and the docs.
    pub const ALL: [Diag; 4] = [Diag::ParseError, Diag::BinaryFile, Diag::SuppressionWithoutReason, Diag::UnusedSuppression];

    /// The id, as rule ids are shown.
    pub fn id(self) -> &'static str {
        match self {
            Diag::ParseError => "check.parse-error",
            Diag::BinaryFile => "check.binary-file",
            Diag::SuppressionWithoutReason => "check.suppression-without-reason",
            Diag::UnusedSuppression => "check.unused-suppression",
        }
    }

    /// The action: a file guard could not read asks, as `shell.parse-error` does.
    pub fn action(self) -> Action {
        match self {
            Diag::ParseError | Diag::SuppressionWithoutReason => Action::Ask,
            Diag::BinaryFile | Diag::UnusedSuppression => Action::Warn,
        }
    }

    /// One line.
    pub fn summary(self) -> &'static str {
        match self {
            Diag::ParseError => "The file does not parse",
            Diag::BinaryFile => "A binary file, not a script: not analysed",
            Diag::SuppressionWithoutReason => "A suppression without a reason",
            Diag::UnusedSuppression => "A suppression that matches no finding",
        }
    }

    /// Why it matters.
    pub fn why(self) -> &'static str {
        match self {
            Diag::ParseError => "guard cannot see the commands in a file it cannot parse.",
            Diag::BinaryFile => "Bash refuses to run a binary file as a script, so there is nothing to check.",
            Diag::SuppressionWithoutReason => {
                "A suppression hides a finding from every later reader; the reason is what tells them it was deliberate."
            }
            Diag::UnusedSuppression => "The finding it was written for is gone (or the rule id is misspelt); a stale suppression may hide a new one.",
        }
    }

    /// How to fix it.
    pub fn hint(self) -> &'static str {
        match self {
            Diag::ParseError => "Fix the syntax error at the position shown.",
            Diag::BinaryFile => "Leave binary files out of the command line (directory walks skip them).",
            Diag::SuppressionWithoutReason => "Write the reason after ` -- `: `# guard: allow RULE_ID -- why this is safe`.",
            Diag::UnusedSuppression => "Delete the suppression, or correct its rule id.",
        }
    }

    /// A finding of this diagnostic at `span`, labelled `summary`.
    pub fn finding(self, span: Span, summary: String) -> Finding {
        Finding {
            rule: self.id().to_string(),
            action: self.action(),
            message: self.summary().to_string(),
            why: self.why().to_string(),
            hint: Some(self.hint().to_string()),
            fact: None,
            attrs: Map::new(),
            summary,
            span,
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        }
    }
}

/// One finding, positioned in its file.
#[derive(Debug, Clone)]
pub struct Finding {
    /// The rule id (or a [`Diag`] id).
    pub rule: String,
    /// The rule's action.
    pub action: Action,
    /// The rule's summary.
    pub message: String,
    /// Why the rule exists.
    pub why: String,
    /// How to do it safely.
    pub hint: Option<String>,
    /// The fact kind the rule matched (none for diagnostics).
    pub fact: Option<String>,
    /// The fact's attributes.
    pub attrs: Map<String, Value>,
    /// The part of the input the fact came from, as text.
    pub summary: String,
    /// Byte range in the file.
    pub span: Span,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column of the start, in characters (Unicode code points).
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end (exclusive), in characters.
    pub end_column: usize,
}

/// A container that does not parse, at the position the parser gave.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Where in the file.
    pub span: Span,
    /// The parser's message.
    pub message: String,
}

impl Problem {
    /// A parse error at `span`.
    pub fn parse(span: Span, message: String) -> Problem {
        Problem { span, message }
    }
}

/// The language of a [`Part`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartLang {
    /// Shell (bash's grammar).
    Shell,
    /// SQL in a dialect.
    Sql(SqlDialect),
}

/// Shell or SQL cut out of a file.
#[derive(Debug, Clone)]
pub struct Part {
    /// The text and where it came from.
    pub snippet: Snippet,
    /// Its language.
    pub lang: PartLang,
}

impl Part {
    /// A shell part.
    pub fn shell(snippet: Snippet) -> Part {
        Part { snippet, lang: PartLang::Shell }
    }
}

/// One word of an exec-form command (`["sh", "-c", "..."]` in YAML or a Dockerfile).
#[derive(Debug, Clone)]
pub struct ArgvWord {
    /// The word's value.
    pub value: String,
    /// Where the word is in the file.
    pub span: Span,
    /// The word mapped piece by piece into the file, when known.
    pub snippet: Option<Snippet>,
}

/// The shell an exec-form command runs: for `[SHELL, OPTIONS..., -c, SCRIPT, ...]` (any
/// option word holding `c`: `-c`, `-ec`, `-lc`) the script itself, exactly mapped; for
/// any other argv, the words shell-quoted into one command line (each word mapped to its
/// place). `None` for an empty argv.
pub fn argv_part(words: &[ArgvWord]) -> Option<Part> {
    let first = words.first()?;
    if lang::is_shell(&first.value) {
        let mut rest = words.iter().skip(1);
        while let Some(w) = rest.next() {
            let Some(opts) = w.value.strip_prefix('-') else { break };
            if opts.starts_with('-') || opts.is_empty() {
                continue;
            }
            if opts.contains('c') {
                let script = rest.next()?;
                let snippet = script.snippet.clone().unwrap_or_else(|| {
                    let mut s = Snippet::default();
                    s.push_synthetic(&script.value, script.span.start, script.span.end);
                    s
                });
                return Some(Part::shell(snippet));
            }
        }
    }
    let mut s = Snippet::default();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            s.push_synthetic(" ", w.span.start, w.span.start);
        }
        let quoted = shlex::try_quote(&w.value).map_or_else(|_| w.value.replace('\0', ""), |q| q.into_owned());
        s.push_synthetic(&quoted, w.span.start, w.span.end);
    }
    Some(Part::shell(s))
}

/// What a container yields.
#[derive(Debug, Default)]
pub struct Extracted {
    /// The shell and SQL in it.
    pub parts: Vec<Part>,
    /// Steps or recipes in another language (`shell: pwsh`, `SHELL ["powershell"]`), skipped.
    pub skipped: usize,
    /// Why it does not parse.
    pub problems: Vec<Problem>,
}

impl Extracted {
    /// One problem, nothing else.
    pub fn problem(p: Problem) -> Extracted {
        Extracted { problems: vec![p], ..Extracted::default() }
    }

    /// The text of every part, in order (for the extractors' tests).
    #[cfg(test)]
    pub fn texts(&self) -> Vec<&str> {
        self.parts.iter().map(|p| p.snippet.text.as_str()).collect()
    }
}

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Checked.
    Checked,
    /// A binary file (skipped when walked, reported when named).
    Binary,
    /// A script in another language (its shebang names another interpreter), skipped.
    OtherLanguage,
    /// Found in a directory but neither its name nor its first line says it is a script.
    NotScript,
    /// Could not be read (the error).
    Unreadable(String),
}

/// The report of one input.
#[derive(Debug)]
pub struct FileReport {
    /// The name shown: the path, `<command>` or `<stdin>`.
    pub name: String,
    /// The file's text (what spans point into).
    pub text: String,
    /// What happened.
    pub status: Status,
    /// The findings left after suppressions, in file order.
    pub findings: Vec<Finding>,
    /// A verdict the findings do not show (the catalog failed to load: deny).
    pub floor: Action,
    /// Steps in another language skipped.
    pub skipped_steps: usize,
    /// Findings suppressed.
    pub suppressed: usize,
}

impl FileReport {
    fn new(name: String, status: Status) -> FileReport {
        FileReport { name, text: String::new(), status, findings: vec![], floor: Action::Allow, skipped_steps: 0, suppressed: 0 }
    }

    /// The worst action of the report.
    pub fn verdict(&self) -> Action {
        self.findings.iter().map(|f| f.action).fold(self.floor, Action::max)
    }
}

/// What every worker shares.
struct Ctx<'a> {
    session: &'a Session,
    opts: &'a Options,
    project: &'a suppress::Project,
}

/// The SQL dialect a `.sql` file names in a `-- dialect: NAME` comment in its first 5 lines.
fn dialect_comment(text: &str) -> Option<SqlDialect> {
    text.lines().take(5).find_map(|l| {
        let rest = l.trim_start().strip_prefix("--")?.trim_start().strip_prefix("dialect:")?;
        parse_dialect(rest).ok()
    })
}

/// The parts of `text`, a file of language `lang`.
fn extract(lang: Lang, text: &str, ctx: &Ctx) -> Extracted {
    match lang {
        Lang::Shell => Extracted { parts: vec![Part::shell(Snippet::verbatim(text, 0))], ..Extracted::default() },
        Lang::Sql => {
            let dialect = ctx.opts.sql_dialect.or_else(|| dialect_comment(text)).unwrap_or(SqlDialect::Postgres);
            Extracted { parts: vec![Part { snippet: Snippet::verbatim(text, 0), lang: PartLang::Sql(dialect) }], ..Extracted::default() }
        }
        Lang::Workflow => workflow::extract(text),
        Lang::GitLab => gitlab::extract(text),
        Lang::Compose => compose::extract(text),
        Lang::Yaml => sniff_yaml(text),
        Lang::Makefile => makefile::extract(text),
        Lang::Dockerfile => dockerfile::extract(text),
        Lang::PackageJson => package_json::extract(text),
        Lang::Json => Extracted::default(),
    }
}

/// A YAML file whose name says nothing more: a workflow if it has `jobs` or `runs`, a compose
/// file if it has `services`, Kubernetes if it has `apiVersion` and `kind`, GitLab CI if a
/// top-level job has `script`; otherwise there is no shell in it.
fn sniff_yaml(text: &str) -> Extracted {
    let y = match yaml::Yaml::parse(text) {
        Ok(y) => y,
        Err(p) => return Extracted::problem(p),
    };
    let has = |key: &str| y.docs.iter().any(|d| yaml::get(d, key).is_some());
    if has("apiVersion") && has("kind") {
        k8s::extract_from(&y)
    } else if has("jobs") || has("runs") {
        workflow::extract_from(&y)
    } else if has("services") {
        compose::extract_from(&y)
    } else {
        gitlab::extract_from(&y)
    }
}

/// Reads a file's first bytes (up to [`crate::input::BINARY_SNIFF_BYTES`]).
fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![];
    std::fs::File::open(path)?.take(crate::input::BINARY_SNIFF_BYTES as u64).read_to_end(&mut buf)?;
    Ok(buf)
}

/// Checks one file.
fn check_file(path: &Path, named: bool, ctx: &Ctx) -> FileReport {
    let name = path.display().to_string();
    let by_name = lang::by_name(path);
    // A file found in a directory whose name says nothing: its first bytes decide whether
    // it is read at all (a large binary or data file is not).
    if by_name.is_none() && !named {
        match head(path) {
            Err(e) => return FileReport::new(name, Status::Unreadable(e.to_string())),
            Ok(h) if crate::input::is_binary(&h) => return FileReport::new(name, Status::Binary),
            Ok(h) => match lang::shebang_is_shell(&h) {
                Some(true) => {}
                Some(false) => return FileReport::new(name, Status::OtherLanguage),
                None if ctx.opts.shell => {}
                None => return FileReport::new(name, Status::NotScript),
            },
        }
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return FileReport::new(name, Status::Unreadable(e.to_string())),
    };
    if crate::input::is_binary(&bytes) {
        let mut r = FileReport::new(name, Status::Binary);
        if named {
            r.findings.push(Diag::BinaryFile.finding(Span::default(), format!("{} bytes", bytes.len())));
            locate(&r.text, &mut r.findings);
        }
        return r;
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let lang = match by_name {
        Some(l) => l,
        None => match lang::shebang_is_shell(&bytes) {
            Some(false) => return FileReport::new(name, Status::OtherLanguage),
            _ => Lang::Shell,
        },
    };
    check_text(name, text, lang, Some(path), ctx)
}

/// Checks `text` (named `name`, of language `lang`, read from `path` if a file).
fn check_text(name: String, text: String, lang: Lang, path: Option<&Path>, ctx: &Ctx) -> FileReport {
    let extracted = extract(lang, &text, ctx);
    let mut report = FileReport::new(name, Status::Checked);
    report.skipped_steps = extracted.skipped;
    let rules = &ctx.session.rules;
    for p in extracted.problems {
        report.findings.push(Diag::ParseError.finding(p.span, p.message));
    }
    for part in &extracted.parts {
        let base = &ctx.session.cwd;
        let input = match part.lang {
            PartLang::Shell => Input::bash(&part.snippet.text, base),
            PartLang::Sql(d) => Input::sql_in(&part.snippet.text, d, base),
        };
        let eval = ctx.session.evaluate(&input);
        let mut worst = Action::Allow;
        for f in &eval.decision.findings {
            let (Some(rule), Some(fact)) = (rules.rules().get(f.rule), eval.analysis.facts.get(f.fact)) else { continue };
            worst = worst.max(rule.action);
            report.findings.push(Finding {
                rule: rule.id.clone(),
                action: rule.action,
                message: rule.summary.clone(),
                why: rule.why.clone(),
                hint: rule.hint.clone(),
                fact: Some(fact.kind.clone()),
                attrs: fact.attrs.clone(),
                summary: part.snippet.restore(&fact.summary),
                span: part.snippet.map(fact.span),
                line: 0,
                column: 0,
                end_line: 0,
                end_column: 0,
            });
        }
        if eval.decision.verdict > worst {
            report.floor = report.floor.max(eval.decision.verdict);
        }
    }
    report.findings.sort_by_key(|f| (f.span.start, f.span.end));
    report.suppressed = suppress::apply(&text, path, &ctx.session.cwd, ctx.project, &mut report.findings);
    report.findings.sort_by_key(|f| (f.span.start, f.span.end));
    locate(&text, &mut report.findings);
    report.text = text;
    report
}

/// Fills in the line and column fields of `findings` from their spans in `text`.
fn locate(text: &str, findings: &mut [Finding]) {
    let lines = Lines::new(text);
    for f in findings {
        (f.line, f.column) = lines.position(text, f.span.start);
        (f.end_line, f.end_column) = lines.position(text, f.span.end);
    }
}

/// Checks one target.
fn check_target(t: &Target, stdin: Option<&str>, ctx: &Ctx) -> FileReport {
    match t {
        Target::Command(c) => check_text("<command>".into(), c.clone(), Lang::Shell, None, ctx),
        Target::Stdin => check_text("<stdin>".into(), stdin.unwrap_or_default().to_string(), Lang::Shell, None, ctx),
        Target::File { path, named } => check_file(path, *named, ctx),
    }
}

/// Runs `guard check`: 0 when no finding reaches `--severity`, 1 when one does, 2 for usage
/// errors and unreadable inputs (named on stderr; the rest is still checked and reported).
pub fn run(opts: &Options) -> exit::Result {
    let mut session = Session::load()?;
    session.context.pinned = opts.pinned.clone();
    let project = suppress::Project::load(&session.cwd).map_err(Error::guard)?;
    let (targets, walk_errors) = walk::targets(opts.command.as_deref(), &opts.paths);
    let mut io_error = !walk_errors.is_empty();
    for e in &walk_errors {
        eprintln!("guard: {e}");
    }
    let stdin = if targets.contains(&Target::Stdin) {
        let mut s = vec![];
        match std::io::stdin().read_to_end(&mut s) {
            Ok(_) => Some(String::from_utf8_lossy(&s).into_owned()),
            Err(e) => return Err(Error::guard(format_args!("<stdin>: {e}"))),
        }
    } else {
        None
    };
    let ctx = Ctx { session: &session, opts, project: &project };
    let color = opts.format == Format::Human && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut sink = output::Sink::new(opts.format, color, &session.rules.hash);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(targets.len());
    let mut emit = |r: FileReport, out: &mut dyn Write| {
        if let Status::Unreadable(e) = &r.status {
            eprintln!("guard: {}: {e}", r.name);
            io_error = true;
        }
        sink.file(&r, out);
    };
    if workers <= 1 {
        for t in &targets {
            emit(check_target(t, stdin.as_deref(), &ctx), &mut out);
        }
    } else {
        let next = AtomicUsize::new(0);
        let (tx, rx) = std::sync::mpsc::channel::<(usize, FileReport)>();
        std::thread::scope(|s| {
            for _ in 0..workers {
                let tx = tx.clone();
                let (next, targets, ctx, stdin) = (&next, &targets, &ctx, stdin.as_deref());
                s.spawn(move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(t) = targets.get(i) else { break };
                        if tx.send((i, check_target(t, stdin, ctx))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            // Reports arrive in any order and leave in input order.
            let mut pending = BTreeMap::new();
            let mut due = 0;
            for (i, r) in rx {
                pending.insert(i, r);
                while let Some(r) = pending.remove(&due) {
                    emit(r, &mut out);
                    due += 1;
                }
            }
        });
    }
    for (name, f) in project.findings() {
        sink.extra(&name, f, &mut out);
    }
    let verdict = sink.finish(&mut out);
    let _ = out.flush();
    let status = if io_error {
        exit::ERROR
    } else if verdict > Action::Allow && verdict >= opts.severity {
        exit::FINDINGS
    } else {
        0
    };
    Ok(ExitCode::from(status))
}
