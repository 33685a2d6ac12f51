//! The one engine every way in calls (wrap, shell, file, hook, check, explain): load the
//! rules for a directory ([`Session`]), then [`evaluate`] an [`Input`] — analyse it into facts
//! and decide on them — into an [`Evaluation`].
//!
//! Running a command is gated here too: only [`Evaluation::clear`] makes the [`Clearance`]
//! that the exec step of wrap and shell mode takes, and it refuses an evaluation whose
//! analysis did not complete, whatever the rules say.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::analyze::{self, db, Analysis, Analyzer};
use crate::config::Enforcement;
use crate::catalog::SqlDialect;
use crate::context::Context;
use crate::exit;
use crate::fault;
use crate::policy::{Action, ContextValues, Decision, RuleSet};
use crate::target;
use crate::report::Outcome;
use crate::shell::SpanMap;
use std::path::{Path, PathBuf};

/// Fact kinds that say the analysis gave up before seeing everything (source: the analyzer,
/// [`analyze::MAX_NESTING`]). An evaluation with one of them never lets a command run.
/// Also the facts of [`crate::budget`]: input past the analysis budget, binary input.
pub const GAVE_UP: &[&str] = &["exec.too_deep", crate::budget::OVER_BUDGET, crate::budget::BINARY];

/// What is analysed.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// An argv given directly (wrap mode, `guard -- PROGRAM ARGS...`), as one simple command.
    Argv(&'a [String]),
    /// A bash script text (shell mode, hooks, `check`, `explain`).
    Bash(&'a str),
    /// An SQL text in a dialect (PostgreSQL: psql meta-commands allowed; SQLite and DuckDB:
    /// dot-commands allowed): `.sql` files in `check`.
    Sql(&'a str, SqlDialect),
}

/// One input to [`evaluate`]: what is analysed, and the directory relative file names in it
/// (`-f x.sql`, `source lib.sh`) resolve against.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// What is analysed.
    pub source: Source<'a>,
    /// The base directory for relative file names.
    pub base_dir: &'a Path,
    /// Also record how each command was understood ([`Analysis::trace`], for `explain`).
    pub traced: bool,
}

impl<'a> Input<'a> {
    /// An argv (wrap mode).
    pub fn argv(argv: &'a [String], base_dir: &'a Path) -> Self {
        Input { source: Source::Argv(argv), base_dir, traced: false }
    }

    /// A bash script text.
    pub fn bash(text: &'a str, base_dir: &'a Path) -> Self {
        Input { source: Source::Bash(text), base_dir, traced: false }
    }

    /// An SQL text (PostgreSQL dialect, psql meta-commands allowed).
    pub fn sql(text: &'a str, base_dir: &'a Path) -> Self {
        Input::sql_in(text, SqlDialect::Postgres, base_dir)
    }

    /// An SQL text in `dialect`.
    pub fn sql_in(text: &'a str, dialect: SqlDialect, base_dir: &'a Path) -> Self {
        Input { source: Source::Sql(text, dialect), base_dir, traced: false }
    }

    /// The content of a file named `name`: SQL if the name ends in `.sql`, bash otherwise.
    pub fn file(name: &str, text: &'a str, base_dir: &'a Path) -> Self {
        if name.ends_with(".sql") { Input::sql(text, base_dir) } else { Input::bash(text, base_dir) }
    }

    /// The same input, with the analysis traced.
    pub fn traced(self) -> Self {
        Input { traced: true, ..self }
    }
}

/// The result of evaluating one input.
#[derive(Debug)]
pub struct Evaluation {
    /// The text the fact spans refer to: the script, or the argv as a shell-quoted line.
    pub text: String,
    /// The facts (and the trace, when asked for).
    pub analysis: Analysis,
    /// The rules' decision on the facts.
    pub decision: Decision,
    /// The context values each fact was decided in (by fact index): actor, environment,
    /// target ([`fact_contexts`]).
    pub contexts: Vec<ContextValues>,
}

/// Proof that an [`Evaluation`] lets its input run; only [`Evaluation::clear`] makes one, so
/// code that runs a command can only be reached with a complete, allowing evaluation.
#[derive(Debug)]
pub struct Clearance {
    approved: bool,
    observed: Option<Refusal>,
}

impl Clearance {
    /// True if a person approved an `ask` verdict (outcome `approved` rather than `ran`).
    pub fn approved(&self) -> bool {
        self.approved
    }

    /// In observe mode, the refusal that enforcement would have made (outcome `observed`).
    pub fn observed(&self) -> Option<&Refusal> {
        self.observed.as_ref()
    }
}

/// Why an evaluation does not let its input run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A rule denies it.
    Denied,
    /// A rule asks, and no person confirmed.
    NotConfirmed,
    /// The analysis gave up before seeing everything (the summary of the fact that says so).
    Incomplete(String),
}

impl Evaluation {
    /// The summary of the first fact saying the analysis gave up ([`GAVE_UP`]), if any.
    pub fn incomplete(&self) -> Option<&str> {
        self.analysis.facts.iter().find(|f| GAVE_UP.contains(&f.kind.as_str())).map(|f| f.summary.as_str())
    }

    /// Whether the input may run: a deny refuses; an incomplete analysis refuses whatever the
    /// rules say; an ask runs only if `confirm` (asked only then) says yes; allow and warn run.
    pub fn clear(&self, confirm: impl FnOnce() -> bool) -> Result<Clearance, Refusal> {
        if self.decision.verdict == Action::Deny {
            return Err(Refusal::Denied);
        }
        if let Some(why) = self.incomplete() {
            return Err(Refusal::Incomplete(why.to_string()));
        }
        match self.decision.verdict {
            Action::Allow | Action::Warn => Ok(Clearance { approved: false, observed: None }),
            Action::Ask if confirm() => Ok(Clearance { approved: true, observed: None }),
            Action::Ask | Action::Deny => Err(Refusal::NotConfirmed),
        }
    }

    /// [`Evaluation::clear`] under `enforcement`: in observe mode nobody is asked and a
    /// refusal becomes a clearance that carries it ([`Clearance::observed`]), so the command
    /// runs and the record says what enforcement would have done.
    pub fn clear_under(&self, enforcement: Enforcement, confirm: impl FnOnce() -> bool) -> Result<Clearance, Refusal> {
        match enforcement {
            Enforcement::Enforce => self.clear(confirm),
            Enforcement::Observe => match self.clear(|| false) {
                Err(r) => Ok(Clearance { approved: false, observed: Some(r) }),
                ok => ok,
            },
        }
    }

    /// The evaluation as a report [`Outcome`] named `name` (a file, `<command>`, `script`).
    pub fn outcome<'a>(&'a self, name: &'a str) -> Outcome<'a> {
        Outcome { name, text: &self.text, facts: &self.analysis.facts, decision: &self.decision }
    }
}

/// Analyses `input` and decides on its facts with `rules` in `context`. Never runs anything.
/// An abnormal end of the analysis (a panic, a stack overflow) ends the process; callers
/// that must answer even then run this in a child process (`guard hook`).
pub fn evaluate(input: &Input, rules: &RuleSet, context: &Context) -> Evaluation {
    fault::inject();
    let (text, analysis) = analyse(input);
    let contexts = fact_contexts(&analysis.facts, rules, context, input.base_dir);
    let none = ContextValues::new();
    let today = context.time.get(..10).unwrap_or_default();
    let mut decision = rules.decide_each(&analysis.facts, &|i| contexts.get(i).unwrap_or(&none), today);
    if let Some(e) = crate::catalog::defect() {
        // A built-in catalog file did not load (a build defect): some program may have been
        // read wrongly, so nothing is allowed, as with broken built-in rules.
        eprintln!("guard: the built-in command catalog does not load ({e}); refusing everything");
        decision.verdict = Action::Deny;
    }
    Evaluation { text, analysis, decision, contexts }
}

/// The context values of each fact: the actor's ([`Context::values`]), the working directory
/// (`cwd`) and, only when a rule or exception tests them ([`RuleSet::needs_target`]), the
/// target of the command that made the fact ([`crate::target`]), its `environment`
/// ([`crate::config::Config::classify`]) and its `program`; values pinned by the caller win.
pub fn fact_contexts(facts: &[crate::fact::Fact], rules: &RuleSet, context: &Context, base_dir: &Path) -> Vec<ContextValues> {
    if facts.is_empty() {
        return vec![];
    }
    let base = context.values().with("cwd", base_dir.display().to_string());
    if !rules.needs_target() && rules.config.exceptions.is_empty() {
        return vec![base; facts.len()];
    }
    let needs_target = rules.needs_target();
    // Facts of one invocation share its origin: read each target once.
    let mut cache: Vec<(Option<&crate::fact::Origin>, ContextValues)> = vec![];
    facts
        .iter()
        .map(|f| {
            let origin = f.origin.as_deref();
            if let Some((_, cv)) = cache.iter().find(|(o, _)| *o == origin) {
                return cv.clone();
            }
            let mut cv = base.clone();
            if let Some(o) = origin {
                cv = cv.with("program", o.program.clone());
            }
            if needs_target {
                let t = target::of(origin, base_dir);
                cv = t.fill(cv);
                if let Some(env) = rules.config.classify(t.names()) {
                    cv = cv.with("environment", env);
                }
            }
            for (k, v) in context.pinned.values() {
                cv = cv.with(k, v.clone());
            }
            cache.push((origin, cv.clone()));
            cv
        })
        .collect()
}

fn analyse(input: &Input) -> (String, Analysis) {
    let analyzer = || {
        let a = Analyzer::new(input.base_dir);
        if input.traced { a.traced() } else { a }
    };
    // Input that is binary or past the budget is not parsed at all (crate::budget).
    let refused = match input.source {
        Source::Argv(argv) => {
            let text = argv.join(" ");
            crate::budget::check_argv(argv, text.len()).map(|f| (text, f))
        }
        Source::Bash(text) | Source::Sql(text, _) => crate::budget::check_text(text).map(|f| (text.to_string(), f)),
    };
    if let Some((text, fact)) = refused {
        return (text, Analysis { facts: vec![fact], trace: vec![] });
    }
    match input.source {
        Source::Argv(argv) => analyze::analyze_argv(argv, input.base_dir),
        Source::Bash(text) => {
            let mut a = analyzer();
            a.shell_text(text, SpanMap::top(text.len()), 0);
            (text.to_string(), a.finish())
        }
        Source::Sql(text, dialect) => {
            let mut a = analyzer();
            db::analyze_sql_file(&mut a, dialect, text);
            (text.to_string(), a.finish())
        }
    }
}

/// What every way in starts from: the working directory, the rules that apply there, and the
/// context of the decision.
#[derive(Debug)]
pub struct Session {
    /// The directory rules are looked up from and relative file names resolve against.
    pub cwd: PathBuf,
    /// The effective rules for `cwd`.
    pub rules: RuleSet,
    /// Who, where, when.
    pub context: Context,
}

impl Session {
    /// Loads the rules for the process's working directory (`/` if it is unknown).
    pub fn load() -> exit::Result<Session> {
        Session::load_at(current_dir())
    }

    /// Loads the command catalog ([`crate::catalog::install`]) and the rules for `cwd`. Errors (a rule file that does not load, with file, line and
    /// column) carry the message every caller prints; callers fail closed on them.
    pub fn load_at(cwd: PathBuf) -> exit::Result<Session> {
        match crate::catalog::Catalog::load(&cwd) {
            Ok(c) => {
                crate::catalog::install(c);
            }
            Err(e) => {
                return Err(exit::Error::guard(format_args!(
                    "{e}\nguard: the command catalog does not load, so nothing was checked or run"
                )));
            }
        }
        match RuleSet::load(&cwd) {
            Ok(rules) => Ok(Session { cwd, rules, context: Context::detect() }),
            Err(e) => Err(exit::Error::guard(format_args!("{e}\nguard: the rules do not load, so nothing was checked or run"))),
        }
    }

    /// [`evaluate`] with this session's rules and context.
    pub fn evaluate(&self, input: &Input) -> Evaluation {
        evaluate(input, &self.rules, &self.context)
    }
}

/// The process's working directory, `/` if it is unknown.
pub fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"))
}
