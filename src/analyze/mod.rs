//! Analyzers: turn parsed commands into [`Fact`]s.
//!
//! [`Analyzer`] walks a [`Script`], resolves simple literal variables assigned earlier in the
//! same script, expands calls of functions and aliases defined in the script with their
//! arguments ([`call`]), strips wrappers ([`unwrap`]), recurses into nested shells and scripts
//! (depth-bounded by [`MAX_NESTING`]) and reads each resulting program invocation against its
//! command catalog entry ([`crate::catalog`]): the entry's subcommand paths make facts (or hand
//! them to a [`handlers`] function), and its `sql`, `send`/`prints` and `code` blocks go to the
//! semantics that need code ([`db`], [`net`], [`code`]). One module per tool family.

pub mod call;
pub mod cloud;
pub mod code;
pub mod code_net;
pub mod container;
pub mod datastore;
pub mod db;
pub mod fs;
pub mod git;
pub mod git_remote;
pub mod handlers;
pub mod http;
pub mod k8s;
pub mod net;
pub mod project;
pub mod sed;
pub mod serve;
pub mod unlisted;
pub mod unwrap;

use crate::fact::{Fact, Span};
use crate::shell::{self, Command, Flow, Script, SpanMap, Word};
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How many wrappers and nested shells (`sudo bash -c "ssh h 'sh -c ...'"`) are followed
/// before giving up with an `exec.too_deep` fact.
pub const MAX_NESTING: usize = 12;
/// How many files (`-f FILE`, `source FILE`, `\i FILE`) one analysis reads at most.
pub const MAX_FILES: usize = 64;
/// Largest file read for analysis, in bytes; larger files yield an `exec.unknown` fact.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// A family analyzer: the programs it knows and its entry point.
type Family = (&'static [&'static str], fn(&mut Analyzer, &Invocation, usize));

/// Every family analyzer not yet described by the catalog; a program may belong to several.
/// Files and disks (`catalog/fs.toml`: path handlers) and interpreters (`[[program.code]]`)
/// are dispatched from their catalog entries in [`Analyzer::family`].
const FAMILIES: &[Family] = &[
    (git::PROGRAMS, git::analyze),
    (net::PROGRAMS, net::analyze),
];

/// The result of analysing one input.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every fact found, in the order found.
    pub facts: Vec<Fact>,
    /// How each command was understood, one line per command, indented by nesting; empty
    /// unless the analyzer was [`Analyzer::traced`] (for `guard explain`).
    pub trace: Vec<String>,
}

/// One program invocation after wrappers were removed.
#[derive(Debug)]
pub struct Invocation<'s> {
    /// The program's base name (`/usr/bin/psql` -> `psql`).
    pub name: String,
    /// The argv: `words[0]` is the program as written, then its arguments.
    pub words: Vec<Word>,
    /// The simple command it came from (redirects, heredoc, inputs, span).
    pub cmd: &'s Command,
    /// The script the command belongs to (to follow [`Command::inputs`]).
    pub script: &'s Script,
    /// Environment assignments in effect for this invocation (`PGPASSWORD=x psql`, `env A=1`).
    pub env: Vec<(String, String)>,
}

impl Invocation<'_> {
    /// The arguments after the program name.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }

    /// The span from the program name to the last argument.
    pub fn span(&self) -> Span {
        match (self.words.first(), self.words.last()) {
            (Some(a), Some(b)) => Span::new(a.span.start.min(b.span.start), a.span.end.max(b.span.end)),
            _ => self.cmd.span,
        }
    }

    /// The invocation as one line of text (for summaries).
    pub fn display(&self) -> String {
        self.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// Walks scripts and invocations and collects facts. One per analysed input.
#[derive(Debug)]
pub struct Analyzer {
    /// The facts found so far.
    pub facts: Vec<Fact>,
    /// How each command was understood, when asked for ([`Analyzer::traced`]).
    trace: Option<Vec<String>>,
    files_read: usize,
    base_dir: PathBuf,
    /// Files the analysed scripts write (`> FILE`, `tee FILE`): if one of them is later run or
    /// sourced and does not exist yet, its content is only known at run time.
    written: Vec<String>,
    /// Variables exported earlier in the analysed scripts (`export A=1`, `declare -x A=1`,
    /// `export A` after `A=1`) with their value, `None` when known only at run time.
    exported: HashMap<String, Option<String>>,
    /// Where literal `cd` commands earlier in the script moved (see [`Analyzer::cd`]).
    cd: Option<String>,
    /// The range of facts made by each script analysed so far, in order of completion.
    scripts: Vec<Range<usize>>,
    /// Function and alias expansion state: aliases in effect, calls being expanded, budget.
    calls: call::Calls,
    /// Git aliases defined by `git config alias.X V` earlier in the analysed scripts.
    git_aliases: Vec<project::gitalias::Alias>,
    /// Git remotes added or re-pointed earlier in the analysed scripts (name, URL).
    git_remotes: Vec<(String, String)>,
    /// Syntax nodes parsed so far, over every text of this analysis ([`crate::budget`]).
    nodes: usize,
    /// True once a budget of [`crate::budget`] was passed and reported (once per analysis).
    over_budget: bool,
}

impl Analyzer {
    /// A new analyzer resolving relative file names (`-f x.sql`, `source lib.sh`) against
    /// `base_dir`.
    pub fn new(base_dir: &Path) -> Self {
        Analyzer {
            facts: vec![],
            trace: None,
            files_read: 0,
            base_dir: base_dir.to_path_buf(),
            written: vec![],
            cd: None,
            exported: HashMap::new(),
            scripts: vec![],
            calls: call::Calls::default(),
            git_aliases: vec![],
            git_remotes: vec![],
            nodes: 0,
            over_budget: false,
        }
    }

    /// The same analyzer, also recording how each command was understood (for `guard explain`).
    pub fn traced(mut self) -> Self {
        self.trace = Some(vec![]);
        self
    }

    /// Finishes the analysis.
    pub fn finish(self) -> Analysis {
        Analysis { facts: self.facts, trace: self.trace.unwrap_or_default() }
    }

    /// Adds a fact.
    pub fn push(&mut self, f: Fact) {
        self.facts.push(f);
    }

    /// Parses `text` as bash (spans mapped by `map`) and analyses it at nesting `depth`.
    pub fn shell_text(&mut self, text: &str, map: SpanMap, depth: usize) {
        if depth > MAX_NESTING {
            self.push(Fact::new("exec.too_deep", "nesting too deep to analyse", map.whole).with("depth", depth));
            return;
        }
        // bash drops NUL bytes from the script it reads (`shell_getc`), while tree-sitter
        // would stop at one: analyse the text bash runs (its spans no longer map exactly).
        let cleaned;
        let (text, map) = if text.contains('\0') {
            cleaned = text.replace('\0', "");
            (cleaned.as_str(), SpanMap::nested(None, map.whole))
        } else {
            (text, map)
        };
        if self.over_budget {
            return;
        }
        let sc = shell::parse(text, map);
        self.nodes = self.nodes.saturating_add(sc.nodes);
        if self.nodes > crate::budget::MAX_SYNTAX_NODES {
            return self.past_budget(crate::budget::over("nodes", self.nodes, crate::budget::MAX_SYNTAX_NODES, map.whole));
        }
        if let Some(at) = sc.too_deep {
            self.past_budget(crate::budget::over("depth", shell::MAX_DEPTH + 1, shell::MAX_DEPTH, at));
        }
        self.script(&sc, depth);
    }

    /// Records that a budget of [`crate::budget`] was passed (once per analysis; further texts
    /// are not parsed).
    fn past_budget(&mut self, f: Fact) {
        if !self.over_budget {
            self.over_budget = true;
            self.push(f);
        }
    }

    /// Analyses word `w` as shell code that `what` runs (`bash -c`, a trap, a git filter) at
    /// nesting `depth + 1`; text known only at run time is an `exec.dynamic` fact (reason
    /// `shell_string`) instead.
    pub fn shell_word(&mut self, w: &Word, what: &str, depth: usize) {
        if w.dynamic {
            self.push(
                Fact::new("exec.dynamic", format!("{what} with text known only at run time"), w.span)
                    .with("reason", "shell_string")
                    .with("text", w.text.clone()),
            );
        } else {
            self.shell_text(&w.text, word_map(std::slice::from_ref(w)), depth + 1);
        }
    }

    /// Analyses every command of a parsed script.
    pub fn script(&mut self, sc: &Script, depth: usize) {
        self.calls.define(sc);
        let first = self.facts.len();
        for &e in sc.errors.iter().take(1) {
            self.push(Fact::new("shell.parse_error", "the shell text does not parse", e));
        }
        for cmd in &sc.commands {
            let tee = cmd.words.first().is_some_and(|w| program_name(&w.text) == "tee");
            let targets = cmd.redirects.iter().filter(|r| r.op.contains('>')).map(|r| &r.target);
            let tee_files = cmd.words.iter().skip(1).filter(|w| tee && !w.text.starts_with('-'));
            self.written.extend(targets.chain(tee_files).filter(|w| !w.dynamic).map(|w| w.text.clone()));
        }
        let mut vars: HashMap<String, Option<String>> = HashMap::new();
        // The facts each command produced (its own and those of code nested in it), by
        // command index, for the passes that follow data between commands.
        let mut ranges: Vec<Range<usize>> = Vec::with_capacity(sc.commands.len());
        for i in 0..sc.commands.len() {
            let start = self.facts.len();
            self.command(sc, i, &mut vars, depth);
            ranges.push(start..self.facts.len());
        }
        self.between_commands(sc, &ranges);
        self.scripts.push(first..self.facts.len());
        self.calls.forget(sc);
    }

    /// True if fact `f` was made inside a script nested in the command whose facts start at
    /// `from` (`bash -c '...'`, `ssh host '...'`, a sourced file), not by the command itself.
    pub fn in_nested_script(&self, f: usize, from: usize) -> bool {
        self.scripts.iter().rev().take_while(|r| r.start >= from).any(|r| r.contains(&f))
    }

    /// The passes over a whole script once each command was analysed: data flows from
    /// sources to network sinks ([`net::flows`]) and what feeds opaque code ([`code::refine`]).
    /// `ranges[i]` is the range of [`Analyzer::facts`] that command `i` produced.
    fn between_commands(&mut self, sc: &Script, ranges: &[Range<usize>]) {
        net::flows(self, sc, ranges);
        code::refine(self, sc, ranges);
    }

    /// Analyses command `i` of `sc`: records its persistent assignments in `vars`, then
    /// analyses its argv with variables resolved.
    fn command(&mut self, sc: &Script, i: usize, vars: &mut HashMap<String, Option<String>>, depth: usize) {
        self.command_in(sc, i, vars, depth, None);
    }

    /// [`Analyzer::command`] inside the expansion of a function call `frame` (positional
    /// parameters substituted from the call's words), or at the top of the script (`None`).
    /// After the command itself, a call of a function or alias defined in the script is
    /// expanded ([`call`]).
    fn command_in(
        &mut self,
        sc: &Script,
        i: usize,
        vars: &mut HashMap<String, Option<String>>,
        depth: usize,
        frame: Option<&call::Frame>,
    ) {
        let Some(cmd) = sc.commands.get(i) else { return };
        self.calls.alias_changes(sc, i);
        let positional = |w: &Word| frame.map_or_else(|| w.clone(), |f| f.joined(w));
        // `local X=...` in a called function makes a new variable: no earlier value competes.
        let local = frame.is_some()
            && cmd.words.first().is_some_and(|w| matches!(w.text.as_str(), "local" | "declare" | "typeset"));
        if cmd.persistent_assignments {
            for (name, w) in &cmd.assignments {
                let w = &positional(w);
                let v = resolve(w, vars).and_then(|w| w.literal().map(str::to_string));
                // A second, different value: which one holds depends on the branches taken at
                // run time (`X=rm; if c; then X=ls; fi`), so the variable is unknown from here.
                let v = match vars.get(name) {
                    Some(old) if *old != v && !local => None,
                    _ => v,
                };
                vars.insert(name.clone(), v);
            }
        }
        for (name, w) in &cmd.assignments {
            self.code_variable(name, &positional(w), depth);
        }
        if cmd.persistent_assignments && exports(&cmd.words) {
            let names = cmd.assignments.iter().map(|(n, _)| n.clone());
            let plain = cmd.words.iter().skip(1).filter(|w| !w.text.starts_with('-') && !w.text.contains('='));
            for name in names.chain(plain.map(|w| w.text.clone())).collect::<Vec<_>>() {
                let value = vars.get(&name).cloned().flatten();
                self.exported.insert(name, value);
            }
        }
        if frame.is_none() {
            fs::redirect_writes(self, cmd);
            fs::redirect_truncates(self, cmd);
        }
        let words = match frame {
            Some(f) => f.substitute(&cmd.words),
            None => cmd.words.clone(),
        };
        if let Some(dir) = cd_target(&words, vars) {
            self.cd = dir;
        }
        // `read X`, `printf -v X`, `mapfile X`, ...: X gets a value only known at run time.
        for name in set_at_run_time(&words) {
            vars.insert(name, None);
        }
        if words.is_empty() {
            return;
        }
        let words = expand_words(&words, vars);
        let env = cmd.assignments.iter().map(|(n, w)| (n.clone(), positional(w).text)).collect();
        self.invocation(sc, i, words.clone(), env, depth);
        call::expand(self, sc, i, &words, vars, depth, frame);
    }

    /// Variables whose value a program runs as shell code or sources as a file
    /// (bash manual §5.2 `BASH_ENV`, `PROMPT_COMMAND`; git(1) `GIT_SSH_COMMAND`, `GIT_EDITOR`,
    /// `GIT_PAGER`; environ(7) `EDITOR`, `VISUAL`, `PAGER`): their value is analysed as such.
    fn code_variable(&mut self, name: &str, w: &Word, depth: usize) {
        const CODE: &[&str] = &[
            "PROMPT_COMMAND", "GIT_SSH_COMMAND", "GIT_SSH", "GIT_EDITOR", "GIT_PAGER", "GIT_ASKPASS", "SSH_ASKPASS",
            "GIT_SEQUENCE_EDITOR", "EDITOR", "VISUAL", "PAGER", "MANPAGER", "SYSTEMD_PAGER", "LESSOPEN", "PSQL_PAGER",
        ];
        const SOURCED: &[&str] = &["BASH_ENV", "ENV"];
        if CODE.contains(&name) {
            if w.dynamic {
                self.push(
                    Fact::new("exec.dynamic", format!("{name} holds a command known only at run time"), w.span)
                        .with("reason", "code_variable")
                        .with("text", w.text.clone()),
                );
            } else {
                self.shell_text(&w.text, word_map(std::slice::from_ref(w)), depth + 1);
            }
        } else if SOURCED.contains(&name) && !w.text.is_empty() {
            unwrap::source_file(self, w, depth);
        }
    }

    /// The directory a literal `cd` in the analysed script moved to, if any (relative paths
    /// are relative to it; `None`: the directory guard runs in).
    pub fn cd(&self) -> Option<&str> {
        self.cd.as_deref()
    }

    /// Analyses one command's argv (after variable resolution): unwraps wrappers, recurses
    /// into nested code, then runs the family analyzer for the program.
    pub fn invocation(
        &mut self,
        sc: &Script,
        index: usize,
        words: Vec<Word>,
        env: Vec<(String, String)>,
        depth: usize,
    ) {
        let Some(cmd) = sc.commands.get(index) else { return };
        if depth > MAX_NESTING {
            self.push(Fact::new("exec.too_deep", "nesting too deep to analyse", cmd.span).with("depth", depth));
            return;
        }
        let Some(first) = words.first() else { return };
        if let Some(trace) = &mut self.trace {
            let line = words.iter().map(|w| shlex::try_quote(&w.text).map(|c| c.into_owned()).unwrap_or_default());
            trace.push(format!("{}{}", "  ".repeat(depth), line.collect::<Vec<_>>().join(" ")));
        }
        if first.dynamic {
            let span = first.span;
            self.push(
                Fact::new("exec.dynamic", format!("program name known only at run time: {}", first.text), span)
                    .with("reason", "program_name")
                    .with("text", first.text.clone()),
            );
            return;
        }
        let inv = Invocation { name: program_name(&first.text).to_string(), words, cmd, script: sc, env };
        match unwrap::unwrap(self, &inv, depth) {
            unwrap::Unwrapped::Argv { words, env } => {
                let mut all_env = inv.env.clone();
                all_env.extend(env);
                self.invocation(sc, index, words, all_env, depth + 1);
            }
            unwrap::Unwrapped::Many(all) => {
                for words in all {
                    self.invocation(sc, index, words, inv.env.clone(), depth + 1);
                }
                // The program acts itself too (`find / -delete -exec true {} +`).
                self.family(&inv, depth);
            }
            unwrap::Unwrapped::Done => {}
            unwrap::Unwrapped::NotAWrapper => self.family(&inv, depth),
        }
    }

    /// The facts of one invocation of a program (no longer wrapped): its catalog entry's paths
    /// and blocks, then the family analyzers not yet fully described by the catalog.
    fn family(&mut self, inv: &Invocation, depth: usize) {
        let before = self.facts.len();
        self.family_facts(inv, depth);
        // Facts of code nested in this invocation already name their own (inner) origin.
        if self.facts.get(before..).is_some_and(|new| new.iter().any(|f| f.origin.is_none())) {
            let origin = std::sync::Arc::new(crate::fact::Origin {
                program: inv.name.clone(),
                args: inv.args().iter().map(|w| w.text.clone()).collect(),
                dynamic: inv.args().iter().map(|w| w.dynamic).collect(),
                env: inv.env.clone(),
            });
            for f in self.facts.iter_mut().skip(before).filter(|f| f.origin.is_none()) {
                f.origin = Some(origin.clone());
            }
        }
    }

    fn family_facts(&mut self, inv: &Invocation, depth: usize) {
        let listed = crate::catalog::program(&inv.name);
        // Arguments the program reads from its environment (`TF_CLI_ARGS_apply=-destroy`)
        // are read as if written after its subcommand.
        let expanded = listed.and_then(|p| {
            let known = self.exported.iter().filter_map(|(n, v)| Some((n.clone(), v.clone()?)));
            let env: Vec<(String, String)> = known.chain(inv.env.iter().cloned()).collect();
            let args = p.with_env_args(inv.args(), &env, inv.span())?;
            let words = inv.words.first().into_iter().cloned().chain(args).collect();
            Some(Invocation { name: inv.name.clone(), words, cmd: inv.cmd, script: inv.script, env: inv.env.clone() })
        });
        let inv = expanded.as_ref().unwrap_or(inv);
        let family = FAMILIES.iter().any(|(programs, _)| programs.contains(&inv.name.as_str()));
        let runner = project::PROGRAMS.contains(&inv.name.as_str());
        if runner {
            project::analyze(self, inv, depth);
        } else if listed.is_none() && !family {
            unlisted::analyze(self, inv);
        }
        if let Some(p) = listed {
            for m in p.matches(inv.args()) {
                match m.path.handler.as_deref() {
                    Some(h) => handlers::run(h, self, inv, &m, depth),
                    None if m.path.fact.is_empty() => {}
                    None => self.push(m.fact_env(&inv.display(), inv.span(), &inv.env)),
                }
                handlers::path_runs(self, inv, &m, depth);
            }
            if let Some(sql) = &p.sql {
                db::analyze(self, inv, p, sql, depth);
            }
            if p.send.is_some() || !p.prints.is_empty() || p.sql.is_some() {
                net::catalog(self, inv, p, depth);
            }
            if !p.code.is_empty() {
                code::analyze(self, inv, p, depth);
            }
        }
        for (programs, analyze) in FAMILIES {
            if programs.contains(&inv.name.as_str()) {
                analyze(self, inv, depth);
            }
        }
    }

    /// Analyses `words` as the program its first word names, run by the interpreter of `inv`
    /// (`python manage.py flush`, `php artisan migrate:fresh`, `python -m django flush`): when
    /// the script's or module's base name has a catalog entry of its own (other than the
    /// interpreter's), its paths and blocks apply as if it were run directly.
    pub fn as_program(&mut self, inv: &Invocation, words: Vec<Word>, depth: usize) {
        let Some(first) = words.first() else { return };
        let name = program_name(&first.text).to_string();
        if first.dynamic || name == inv.name || depth >= MAX_NESTING || crate::catalog::program(&name).is_none() {
            return;
        }
        let inner = Invocation { name, words, cmd: inv.cmd, script: inv.script, env: inv.env.clone() };
        self.family(&inner, depth + 1);
    }

    /// Reads a file named in the analysed text (relative to the base directory), bounded by
    /// [`MAX_FILES`] and [`MAX_FILE_BYTES`]; only regular files (and `/dev/null`) are read. On
    /// failure, records an `exec.unknown` fact at `span` saying why (`exec.dynamic` for a file
    /// descriptor such as `/dev/stdin`), and returns `None`.
    pub fn read_file(&mut self, name: &str, span: Span) -> Option<String> {
        if is_descriptor_file(name) {
            // `/dev/stdin`, `/dev/fd/3`: guard's own descriptors are not the command's.
            self.push(
                Fact::new("exec.dynamic", format!("{name} is a file descriptor known only at run time"), span)
                    .with("reason", "file_descriptor")
                    .with("file", name.to_string()),
            );
            return None;
        }
        let path = expand_home(name);
        let path = if path.is_absolute() { path } else { self.base_dir.join(path) };
        let fail = |why: String| {
            Fact::new("exec.unknown", format!("cannot read {}: {why}", path.display()), span)
                .with("file", path.display().to_string())
                .with("reason", "unreadable_file")
        };
        if self.files_read >= MAX_FILES {
            self.push(fail(format!("more than {MAX_FILES} files")));
            return None;
        }
        self.files_read += 1;
        match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_FILE_BYTES => {
                self.push(fail(format!("larger than {MAX_FILE_BYTES} bytes")));
                None
            }
            // A device, FIFO or socket may never end (`/dev/zero`) or block (`mkfifo p`).
            Ok(m) if !m.is_file() && path != Path::new("/dev/null") => {
                self.push(fail(if m.is_dir() { "a directory".into() } else { "not a regular file".into() }));
                None
            }
            Ok(_) => match std::fs::File::open(&path).and_then(|f| {
                let mut b = vec![];
                std::io::Read::read_to_end(&mut std::io::Read::take(f, MAX_FILE_BYTES), &mut b).map(|_| b)
            }) {
                Ok(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                Err(e) => {
                    self.push(fail(e.to_string()));
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let shown = path.display().to_string();
                if self.written.iter().any(|w| self.base_dir.join(expand_home(w)) == path) {
                    self.push(
                        Fact::new("exec.dynamic", format!("{shown} is written by the script itself before it is used"), span)
                            .with("reason", "file_written_by_script")
                            .with("file", shown),
                    );
                } else {
                    self.push(
                        Fact::new("exec.unknown", format!("{shown} does not exist"), span)
                            .with("file", shown)
                            .with("reason", "missing_file"),
                    );
                }
                None
            }
            Err(e) => {
                self.push(fail(e.to_string()));
                None
            }
        }
    }

    /// The text a command would write to stdout, when it is known statically: `echo`/`printf`
    /// of literal words, `cat` of a heredoc (expansions kept as written), here-string or
    /// readable file. `None` otherwise.
    pub fn stdout_text(&mut self, sc: &Script, index: usize) -> Option<(String, SpanMap)> {
        let cmd = sc.commands.get(index)?;
        let (first, args) = cmd.words.split_first()?;
        match program_name(&first.text) {
            "echo" => {
                let mut rest = args;
                let mut escapes = false;
                while let Some((w, tail)) = rest.split_first() {
                    match w.text.as_str() {
                        "-n" | "-E" => rest = tail,
                        "-e" | "-ne" | "-en" => {
                            escapes = true;
                            rest = tail
                        }
                        _ => break,
                    }
                }
                if rest.iter().any(|w| w.dynamic) {
                    return None;
                }
                let text = rest.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
                let text = if escapes { text.replace("\\n", "\n").replace("\\t", "\t") } else { text };
                if escapes && text.contains('\\') {
                    // `\x72`, `\0162`, `\c`: not decoded here, so the text is not known.
                    return None;
                }
                Some((text, word_map(rest)))
            }
            "printf" => {
                if args.iter().any(|w| w.dynamic) || args.is_empty() {
                    return None;
                }
                // A format with conversions (`%s`, `%b`) or escapes other than `\n`
                // (`\x72`) is not interpreted here, so the output is not known.
                if args.iter().any(|w| w.text.contains('%') || w.text.replace("\\n", "").contains('\\')) {
                    return None;
                }
                let text = args.iter().map(|w| w.text.replace("\\n", "\n")).collect::<Vec<_>>().join(" ");
                Some((text, word_map(args)))
            }
            "cat" => {
                if let Some(h) = &cmd.heredoc {
                    return Some((h.body.clone(), SpanMap::nested(h.verbatim_at, h.span)));
                }
                let files: Vec<&Word> = args.iter().filter(|w| !w.text.starts_with('-') || w.text == "-").collect();
                if files.is_empty() || files.iter().any(|w| w.dynamic || w.text == "-") {
                    return None;
                }
                let mut text = String::new();
                for w in &files {
                    text.push_str(&self.read_file(&w.text, w.span)?);
                }
                Some((text, SpanMap::nested(None, word_map(args).whole)))
            }
            _ => None,
        }
    }

    /// The text a command reads on stdin, if known statically: its heredoc or here-string
    /// (with expansions kept as written: check [`crate::shell::HereDoc::dynamic`]),
    /// a `< FILE` redirect, or the known output of the commands piped into it.
    /// Returns `Err(summary)` naming the producer when stdin comes from a command whose
    /// output is not known, and `Ok(None)` when stdin is not redirected at all.
    pub fn stdin_text(&mut self, inv: &Invocation) -> Result<Option<(String, SpanMap)>, String> {
        let cmd = inv.cmd;
        if let Some(h) = &cmd.heredoc {
            // A heredoc with expansions is returned as written (`$X` kept): shell text re-parses
            // them as expansions, and SQL callers check `HereDoc::dynamic` themselves.
            return Ok(Some((h.body.clone(), SpanMap::nested(h.verbatim_at, h.span))));
        }
        for r in &cmd.redirects {
            if r.op == "<" && r.fd.is_none_or(|fd| fd == 0) {
                if r.target.dynamic {
                    return Err(format!("a file known only at run time ({})", r.target.text));
                }
                return match self.read_file(&r.target.text, r.target.span) {
                    Some(t) => Ok(Some((t, SpanMap::nested(None, r.target.span)))),
                    None => Err(format!("unreadable file {}", r.target.text)),
                };
            }
        }
        let producers: Vec<usize> =
            cmd.inputs.iter().filter(|i| i.flow == Flow::Pipe).map(|i| i.from).collect();
        if producers.is_empty() {
            return Ok(None);
        }
        let mut text = String::new();
        let mut map = None;
        for p in producers {
            match self.stdout_text(inv.script, p) {
                Some((t, m)) => {
                    text.push_str(&t);
                    text.push('\n');
                    let span = inv.script.commands.get(p).map_or(inv.cmd.span, |c| c.span);
                    map = Some(map.map_or(m, |_: SpanMap| SpanMap::nested(None, span)));
                }
                None => {
                    let c = inv.script.commands.get(p);
                    let name = c.and_then(|c| c.words.first()).map(|w| w.text.clone()).unwrap_or_default();
                    return Err(format!("the output of `{name}`"));
                }
            }
        }
        Ok(map.map(|m| (text, m)))
    }
}

/// True if the stdin text of `inv` ([`Analyzer::stdin_text`]) contains shell expansions: its
/// own heredoc, or a heredoc of a command piped into it, is unquoted and expands something.
pub fn stdin_dynamic(inv: &Invocation) -> bool {
    let own = inv.cmd.heredoc.as_ref().is_some_and(|h| h.dynamic);
    own || inv.cmd.inputs.iter().filter(|i| i.flow == Flow::Pipe).any(|i| {
        inv.script.commands.get(i.from).and_then(|c| c.heredoc.as_ref()).is_some_and(|h| h.dynamic)
    })
}

/// True for a name that reads standard input (`/dev/stdin`, `/dev/fd/0`, `/proc/self/fd/0`).
pub fn is_stdin_file(name: &str) -> bool {
    matches!(name, "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// True for a file operand that names standard input: `-` (the convention of curl, wget,
/// awk, the interpreters and most tools) or an [`is_stdin_file`] name.
pub fn is_stdin_operand(name: &str) -> bool {
    name == "-" || is_stdin_file(name)
}

/// True for a name that opens a file descriptor of the process that opens it (`/dev/stdin`,
/// `/dev/fd/N`, `/proc/self/fd/N`): its content is only known at run time.
pub fn is_descriptor_file(name: &str) -> bool {
    matches!(name, "/dev/stdin" | "/dev/stdout" | "/dev/stderr")
        || name.starts_with("/dev/fd/")
        || name.starts_with("/proc/self/fd/")
        || name.starts_with("/proc/thread-self/fd/")
}

/// True if the declaration `words` (`export A=1`, `declare -x A`, `typeset -gx A`) export
/// their names to the environment of later commands (bash manual §4.2 `export`, `declare -x`).
fn exports(words: &[Word]) -> bool {
    match words.first().map(|w| w.text.as_str()) {
        Some("export") => !words.iter().skip(1).any(|w| w.text == "-n"),
        Some("declare" | "typeset") => {
            words.iter().skip(1).any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('x'))
        }
        _ => false,
    }
}

/// The directory `cd` moves to, when `words` is a `cd` command: `Some(Some(dir))` for a
/// literal absolute directory or the home directory (`cd`, `cd ~`), `Some(None)` when it is
/// relative or only known at run time, `None` for other commands.
fn cd_target(words: &[Word], vars: &HashMap<String, Option<String>>) -> Option<Option<String>> {
    if words.first().map(|w| w.text.as_str()) != Some("cd") {
        return None;
    }
    let arg = words.get(1..).unwrap_or_default().iter().find(|w| !w.text.starts_with('-') || w.text == "-");
    let Some(w) = arg else { return Some(Some("~".into())) };
    // `cd "$HOME"`, `cd ${HOME}/x`: the home directory, as `cd ~` (bash manual §3.5.2).
    for v in ["$HOME", "${HOME}"] {
        if let Some(rest) = w.text.strip_prefix(v).filter(|r| (r.is_empty() || r.starts_with('/')) && !r.contains(['$', '`']))
        {
            return Some(Some(format!("~{rest}")));
        }
    }
    let w = resolve(w, vars)?;
    Some((!w.dynamic && (w.text.starts_with('/') || w.text == "~" || w.text.starts_with("~/"))).then(|| w.text.clone()))
}

/// A span map for text made by joining `words` with spaces: exact for a single verbatim word.
pub fn word_map(words: &[Word]) -> SpanMap {
    let whole = match (words.first(), words.last()) {
        (Some(a), Some(b)) => Span::new(a.span.start, b.span.end),
        _ => Span::default(),
    };
    match words {
        [w] => SpanMap::nested(w.verbatim_at, w.span),
        _ => SpanMap::nested(None, whole),
    }
}

/// The base name of a program as bash would look it up: `/usr/bin/rm` -> `rm`.
pub fn program_name(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Expands a leading `~` or `$HOME` to the home directory (for reading files named in input).
pub fn expand_home(name: &str) -> PathBuf {
    let home = || dirs::home_dir().unwrap_or_else(|| PathBuf::from("/"));
    if let Some(rest) = name.strip_prefix("~/") {
        home().join(rest)
    } else if let Some(rest) = name.strip_prefix("$HOME/").or_else(|| name.strip_prefix("${HOME}/")) {
        home().join(rest)
    } else {
        PathBuf::from(name)
    }
}

/// Resolves `$NAME`/`${NAME}` in a dynamic word from literal assignments made earlier in the
/// same script. Returns `None` if some expansion stays unknown.
fn resolve(w: &Word, vars: &HashMap<String, Option<String>>) -> Option<Word> {
    if !w.dynamic {
        return Some(w.clone());
    }
    let mut out = String::new();
    let mut rest = w.text.as_str();
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("<(") || rest.starts_with(">(") {
            return None; // a process substitution (bash manual §3.5.6): a file made at run time
        }
        if let Some(after) = rest.strip_prefix('`') {
            let (inner, tail) = after.split_once('`')?;
            out.push_str(&echo_output(inner)?);
            rest = tail;
            continue;
        }
        if let Some(after) = rest.strip_prefix("$(").filter(|a| !a.starts_with('(')) {
            let (inner, tail) = after.split_once(')')?;
            out.push_str(&echo_output(inner)?);
            rest = tail;
            continue;
        }
        let Some(after) = rest.strip_prefix('$') else {
            out.push(c);
            rest = rest.get(c.len_utf8()..)?;
            continue;
        };
        let (name, tail) = match after.strip_prefix('{') {
            Some(braced) => braced.split_once('}')?,
            None => after.split_at_checked(after.bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count())?,
        };
        if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
            return None;
        }
        out.push_str(vars.get(name)?.as_deref()?);
        rest = tail;
    }
    Some(Word { text: out, dynamic: false, quoted: w.quoted, span: w.span, verbatim_at: None })
}

/// Variables a builtin assigns from run-time input (bash manual §4.2: `read`, `mapfile`,
/// `readarray`, `getopts`, `printf -v`, `let`, `unset`, `wait -p`): every argument that is a
/// name (or `NAME=...` for `let`), so that an earlier literal value is forgotten.
fn set_at_run_time(words: &[Word]) -> Vec<String> {
    let Some(first) = words.first() else { return vec![] };
    let is_name = |t: &str| t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && t.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
    let args = words.get(1..).unwrap_or_default();
    let names: Vec<&str> = match program_name(&first.text) {
        "read" | "mapfile" | "readarray" | "getopts" | "unset" | "wait" => args.iter().map(|w| w.text.as_str()).collect(),
        "let" => args.iter().filter_map(|w| w.text.split(['=', '+', '-', '*', '/']).next()).collect(),
        "printf" => args
            .windows(2)
            .filter_map(|p| match p {
                [flag, name] if flag.text == "-v" => Some(name.text.as_str()),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    names.into_iter().map(|n| n.split('[').next().unwrap_or(n)).filter(|n| is_name(n)).map(str::to_string).collect()
}

/// The output of a command substitution whose command is `echo` of literal words
/// (`$(echo rm)`, `` `echo -n rm` ``), without the trailing newline (bash manual §3.5.4);
/// `None` for anything else.
fn echo_output(inner: &str) -> Option<String> {
    if inner.contains(['$', '`', '\\', '*', '?', '[', '(', ')', ';', '|', '&', '<', '>', '\n']) {
        return None;
    }
    let words = shlex::split(inner)?;
    let (first, mut rest) = words.split_first()?;
    if first != "echo" {
        return None;
    }
    while let Some((_, tail)) = rest.split_first().filter(|(w, _)| *w == "-n" || *w == "-E") {
        rest = tail;
    }
    if rest.first().is_some_and(|w| w.starts_with('-')) {
        return None;
    }
    Some(rest.join(" "))
}

/// Resolves variables in every word; an unquoted word whose resolved value contains blanks
/// is split into several words, as bash's word splitting (manual §3.5.7) would.
fn expand_words(words: &[Word], vars: &HashMap<String, Option<String>>) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    for w in words {
        match resolve(w, vars) {
            Some(r) if w.dynamic && !w.quoted && r.text.contains([' ', '\t', '\n']) => {
                out.extend(r.text.split_whitespace().map(|p| Word { text: p.to_string(), ..r.clone() }));
            }
            Some(r) => out.push(r),
            None => out.push(w.clone()),
        }
    }
    out
}

/// Analyses a bash script text. `base_dir` resolves relative file names it mentions.
pub fn analyze_script(text: &str, base_dir: &Path) -> Analysis {
    let mut a = Analyzer::new(base_dir);
    a.shell_text(text, SpanMap::top(text.len()), 0);
    a.finish()
}

/// Analyses an argv given directly (wrap mode: `guard -- PROGRAM ARGS...`) as one simple
/// command. Returns the argv shown as a shell-quoted line, which the spans refer to, and the
/// analysis.
pub fn analyze_argv(argv: &[String], base_dir: &Path) -> (String, Analysis) {
    let mut words = vec![];
    let mut text = String::new();
    for a in argv {
        if !text.is_empty() {
            text.push(' ');
        }
        let quoted = shlex::try_quote(a).map(|c| c.into_owned()).unwrap_or_else(|_| a.replace('\0', ""));
        let pos = text.len();
        let verbatim_at = if quoted == *a {
            Some(pos)
        } else if quoted.len() == a.len() + 2 && quoted.get(1..quoted.len() - 1) == Some(a.as_str()) {
            Some(pos + 1)
        } else {
            None
        };
        text.push_str(&quoted);
        words.push(Word { verbatim_at, ..Word::plain(a, Span::new(pos, text.len())) });
    }
    let sc = Script::from_commands(vec![Command::simple(words.clone(), Span::new(0, text.len()))]);
    let mut a = Analyzer::new(base_dir);
    a.invocation(&sc, 0, words, vec![], 0);
    let all = 0..a.facts.len();
    a.between_commands(&sc, &[all]);
    (text, a.finish())
}
