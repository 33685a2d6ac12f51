//! Bash parsing: tree-sitter-bash syntax tree -> a flat list of [`Command`]s with spans.
//!
//! Every simple command in the input becomes one [`Command`], wherever it sits: in a list,
//! a pipeline, a subshell, a function body, a loop, a condition, a command substitution,
//! a process substitution or an arithmetic expansion (all of these run commands; bash manual
//! §3.2 "Shell Commands" and §3.5 "Shell Expansions"). Data flow between commands is kept as
//! [`Input`] links: a pipe (§3.2.3) or a substitution whose output becomes another command's
//! words. Words are literal (after quote removal, §3.5.9) or dynamic (contain an expansion).
//!
//! Function definitions (§3.3) and alias definitions (§6.6) are also kept as data
//! ([`Script::functions`], [`Script::aliases`]) so the analysis can expand them at their call
//! sites with the call's arguments; the commands of a function body are in
//! [`Script::commands`] like all others.
//!
//! Recursion is bounded by [`MAX_DEPTH`]; deeper nesting is reported as an error span, never a
//! stack overflow.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::Span;
use std::ops::Range;
use tree_sitter::{Node, Parser};

/// Maximum syntax-tree nesting this module descends into. Deeper input is reported as an error.
pub const MAX_DEPTH: usize = 256;

/// A shell word: its value after quote removal, and whether part of it is only known at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The value after quote removal and backslash unescaping. Dynamic parts
    /// (`$X`, `${X}`, `$(...)`, `$((...))`) are kept as their raw source text.
    pub text: String,
    /// True if the word contains a parameter expansion, command or process substitution or
    /// arithmetic expansion, so its run-time value can differ from `text`.
    pub dynamic: bool,
    /// True if the word contained quotes or backslashes (so no globbing, tilde or brace
    /// expansion applies to the quoted parts).
    pub quoted: bool,
    /// Where the word is in the top-level input.
    pub span: Span,
    /// Byte offset in the top-level input where `text` appears verbatim, if it does
    /// (so a nested parse of `text` can map its spans exactly).
    pub verbatim_at: Option<usize>,
}

impl Word {
    /// The literal value, or `None` if the word is dynamic.
    pub fn literal(&self) -> Option<&str> {
        (!self.dynamic).then_some(self.text.as_str())
    }

    /// A literal word made from a string, e.g. for argv given directly (wrap mode).
    pub fn plain(text: &str, span: Span) -> Word {
        Word { text: text.to_string(), dynamic: false, quoted: false, span, verbatim_at: None }
    }
}

impl AsRef<str> for Word {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

/// How a command's output reaches another command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// `a | b`: a's stdout is b's stdin.
    Pipe,
    /// `b "$(a)"` or `b <(a)`: a's output becomes part of b's words or a file b reads.
    Substitution,
}

/// A link from another command whose output this command consumes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// Index into [`Script::commands`] of the producing command.
    pub from: usize,
    /// How the output arrives.
    pub flow: Flow,
}

/// A redirection (bash manual §3.6) other than heredocs and here-strings.
#[derive(Debug, Clone)]
pub struct Redirect {
    /// The operator: `>`, `>>`, `<`, `&>`, `&>>`, `>&`, `<&`, `<>`, `>|`.
    pub op: String,
    /// The file descriptor written before the operator, if any (`2>` -> 2).
    pub fd: Option<u32>,
    /// The target word (a file name or a descriptor number).
    pub target: Word,
}

/// Standard input given in the script text itself (bash manual §3.6.6, §3.6.7).
#[derive(Debug, Clone)]
pub struct HereDoc {
    /// The body text (for `<<-`, with leading tabs removed; for a here-string, the word value
    /// plus the newline bash appends).
    pub body: String,
    /// True if the body undergoes expansion (unquoted delimiter) and contains an expansion.
    pub dynamic: bool,
    /// Where the body is in the top-level input.
    pub span: Span,
    /// Offset where `body` appears verbatim in the top-level input, if it does.
    pub verbatim_at: Option<usize>,
}

/// One simple command (bash manual §3.2.2), with everything known about it statically.
#[derive(Debug, Clone)]
pub struct Command {
    /// Leading `NAME=value` assignments (environment for this command only).
    pub assignments: Vec<(String, Word)>,
    /// The command name followed by its arguments. Empty for a bare assignment `X=1`.
    pub words: Vec<Word>,
    /// File redirections.
    pub redirects: Vec<Redirect>,
    /// Heredoc or here-string fed to standard input.
    pub heredoc: Option<HereDoc>,
    /// Commands whose output this command consumes.
    pub inputs: Vec<Input>,
    /// The whole command in the top-level input.
    pub span: Span,
    /// True for `export`/`declare`/`local`/`readonly`/`typeset` and bare assignments, whose
    /// assignments persist in the shell.
    pub persistent_assignments: bool,
    /// True if the command runs asynchronously: it, or the pipeline, list or compound command
    /// it belongs to, is terminated by `&` (bash manual §3.2.4).
    pub background: bool,
    /// True if the command's standard output goes into a pipe (bash manual §3.2.3).
    pub pipes_out: bool,
    /// True if the command is in the body of a function definition (it runs only when the
    /// function is called).
    pub in_function: bool,
}

impl Command {
    /// A simple command of `words` at `span`, with no assignments, redirections or inputs.
    pub fn simple(words: Vec<Word>, span: Span) -> Command {
        Command {
            assignments: vec![],
            words,
            redirects: vec![],
            heredoc: None,
            inputs: vec![],
            span,
            persistent_assignments: false,
            background: false,
            pipes_out: false,
            in_function: false,
        }
    }

    /// Assignments that persist in the shell (`X=1`, `export X=1`, a `for` loop variable),
    /// with the declaration's `words` (`export`, `declare -r`, ...; empty for a bare assignment).
    pub fn persistent(assignments: Vec<(String, Word)>, words: Vec<Word>, span: Span) -> Command {
        Command { assignments, persistent_assignments: true, ..Command::simple(words, span) }
    }
}

/// A shell function definition (bash manual §3.3): `NAME () BODY` or `function NAME BODY`.
#[derive(Debug, Clone)]
pub struct Function {
    /// The function's name.
    pub name: String,
    /// Indices into [`Script::commands`] of the commands of its body (a contiguous range,
    /// which includes the bodies of functions defined inside it). A call at an index at or
    /// past `body.end` comes after the definition.
    pub body: Range<usize>,
    /// The body's source text (`{ ...; }` or `( ... )`).
    pub text: String,
    /// The whole definition in the top-level input.
    pub span: Span,
}

/// What an `alias` or `unalias` command does (bash manual §4.2, §6.6).
#[derive(Debug, Clone)]
pub enum AliasChange {
    /// `alias NAME=VALUE`: NAME is replaced by VALUE when it starts a command.
    Define {
        /// The alias name.
        name: String,
        /// The replacement text (`text` is its value after quote removal).
        value: Word,
    },
    /// `unalias NAME`.
    Remove(String),
    /// `unalias -a`.
    RemoveAll,
}

/// An alias definition or removal made by command [`Alias::command`] of the script.
#[derive(Debug, Clone)]
pub struct Alias {
    /// Index into [`Script::commands`] of the `alias`/`unalias` command.
    pub command: usize,
    /// What it does.
    pub change: AliasChange,
}

/// A parsed script: its commands, in source order of completion, and its syntax errors.
#[derive(Debug, Default)]
pub struct Script {
    /// All simple commands, flattened. Commands inside a substitution come before the
    /// command that consumes their output.
    pub commands: Vec<Command>,
    /// Spans of syntax errors (tree-sitter ERROR/MISSING nodes) and of nesting beyond
    /// [`MAX_DEPTH`].
    pub errors: Vec<Span>,
    /// Function definitions, in order of the end of their bodies.
    pub functions: Vec<Function>,
    /// `alias` and `unalias` commands, in order of [`Alias::command`] (ascending).
    pub aliases: Vec<Alias>,
    /// Syntax nodes in the parsed tree (for the budget, [`crate::budget::MAX_SYNTAX_NODES`]).
    pub nodes: usize,
    /// Where the syntax tree nests deeper than [`MAX_DEPTH`], if it does (first place).
    pub too_deep: Option<Span>,
    /// Indices into [`Script::functions`] by name.
    by_name: std::collections::HashMap<String, Vec<usize>>,
}

impl Script {
    /// A script of `commands` alone (no syntax errors, functions or aliases), e.g. the one
    /// simple command of wrap mode.
    pub fn from_commands(commands: Vec<Command>) -> Script {
        Script { commands, ..Script::default() }
    }

    /// True if command `i` is inside the body of a function definition (it runs only when the
    /// function is called).
    pub fn in_function_body(&self, i: usize) -> bool {
        self.commands.get(i).is_some_and(|c| c.in_function)
    }

    /// Indices into [`Script::functions`] of the definitions of `name`, in order.
    pub fn functions_named(&self, name: &str) -> &[usize] {
        self.by_name.get(name).map(Vec::as_slice).unwrap_or_default()
    }

    /// True if command `i` reads from or writes to a pipe (bash manual §3.2.3).
    pub fn piped(&self, i: usize) -> bool {
        self.commands.get(i).is_some_and(|c| c.pipes_out || c.inputs.iter().any(|x| x.flow == Flow::Pipe))
    }
}

/// Maps byte ranges of a parsed text to spans of the top-level input.
#[derive(Debug, Clone, Copy)]
pub struct SpanMap {
    /// Offset of the parsed text in the top-level input, when it appears there verbatim.
    pub base: Option<usize>,
    /// Span used for everything when the text is not verbatim in the input.
    pub whole: Span,
}

impl SpanMap {
    /// The identity map for top-level input of `len` bytes.
    pub fn top(len: usize) -> Self {
        SpanMap { base: Some(0), whole: Span::new(0, len) }
    }

    /// A map for text nested inside the top-level input: exact if `verbatim_at` is known,
    /// otherwise everything maps to `whole`.
    pub fn nested(verbatim_at: Option<usize>, whole: Span) -> Self {
        SpanMap { base: verbatim_at, whole }
    }

    /// Maps a byte range `[start, end)` of the parsed text.
    pub fn map(&self, start: usize, end: usize) -> Span {
        match self.base {
            Some(b) => Span::new(b + start, b + end),
            None => self.whole,
        }
    }
}

/// Bytes of bash text parsed at once by [`parse`]: longer texts are parsed in windows of
/// complete top-level statements ([`parse_windowed`]), so the syntax tree of only one window
/// is held at a time.
pub const WINDOW_BYTES: usize = 1 << 20;

/// Parses `text` as bash. Never fails: syntax errors are recorded in [`Script::errors`] and
/// whatever tree-sitter recovered is still turned into commands. Texts longer than
/// [`WINDOW_BYTES`] are parsed in windows ([`parse_windowed`]) with the same result.
pub fn parse(text: &str, map: SpanMap) -> Script {
    parse_windowed(text, map, WINDOW_BYTES)
}

/// Parses `text` with tree-sitter-bash, reusing one parser per thread.
fn parse_tree(text: &str) -> Option<tree_sitter::Tree> {
    thread_local! {
        /// One parser per thread, reused for every text (nested `bash -c` strings, sourced files).
        static PARSER: std::cell::RefCell<Option<Parser>> = const { std::cell::RefCell::new(None) };
    }
    PARSER.with_borrow_mut(|slot| {
        if slot.is_none() {
            let mut p = Parser::new();
            p.set_language(&tree_sitter_bash::LANGUAGE.into()).ok()?;
            *slot = Some(p);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// [`parse`] with windows of about `window` bytes (at least one line): a window is parsed, its
/// complete top-level statements (every one but the last, none after the first with a syntax
/// error, none whose text overlaps the next one's, e.g. a heredoc body after a later command on
/// its line) become commands, and the next window starts at the end of the last one taken.
/// When a window yields no complete statement it is doubled, up to the rest of the text, which
/// is then parsed whole. Spans, command indices, functions, aliases and the syntax node count
/// are those of a whole parse (tested against it in `tests/windowed.rs`).
pub fn parse_windowed(text: &str, map: SpanMap, window: usize) -> Script {
    let mut b = Builder { src: text, map, script: Script::default() };
    let mut at = 0usize;
    let mut size = window.max(1);
    loop {
        let rest = text.get(at..).unwrap_or("");
        // The window ends after the first newline at or past `size` bytes (a char boundary).
        let end = rest.get(size..).and_then(|r| r.find('\n')).map_or(rest.len(), |p| size + p + 1);
        let last_window = end >= rest.len();
        let slice = rest.get(..end).unwrap_or(rest);
        let Some(tree) = parse_tree(slice) else {
            b.script.errors.push(map.whole);
            return b.script;
        };
        b.src = slice;
        b.map = SpanMap { base: map.base.map(|x| x + at), whole: map.whole };
        let root = tree.root_node();
        if last_window {
            b.script.nodes = b.script.nodes.saturating_add(root.descendant_count());
            b.statement(root, 0);
            return b.script;
        }
        let mut c = root.walk();
        let kids: Vec<Node> = root.children(&mut c).collect();
        let cut = if root.is_error() || root.is_missing() { None } else { complete_statements(slice, &kids) };
        match cut {
            Some(cut) => {
                let taken = kids.get(..cut).unwrap_or_default();
                b.top_level(taken);
                at += taken.last().map_or(0, |n| n.end_byte());
                size = window.max(1);
            }
            None => size = size.saturating_mul(2),
        }
    }
}

/// How many of the root's children `kids` (of window `src`, which may end inside a statement)
/// are complete statements, or `None` if none is. Statements are split where a named child
/// starts on a later line than every earlier named child ends (so no heredoc body is cut off)
/// and no earlier child has a syntax error. The text after the last split may be cut, and
/// tree-sitter may join a statement with what follows it (`X=` then a newline and `while`):
/// so the statements taken end at the last split but one, and the group after them, parsed
/// in the same window, is whole and error-free too; and no split follows an empty assignment.
fn complete_statements(src: &str, kids: &[Node]) -> Option<usize> {
    let (mut before_last, mut last) = (None, None);
    let mut max_end = 0usize;
    let mut named = 0usize;
    let mut after_empty_assignment = false;
    for (k, ch) in kids.iter().enumerate() {
        if !(ch.is_named() || ch.is_error() || ch.is_missing()) || ch.kind() == "comment" {
            // Comments are no statements: the split before a statement is decided by the
            // statement that follows it.
            continue;
        }
        if named > 0
            && !after_empty_assignment
            && src.get(max_end..ch.start_byte()).is_some_and(|gap| gap.contains('\n'))
        {
            before_last = last;
            last = Some(k);
        }
        if ch.has_error() {
            break;
        }
        max_end = max_end.max(ch.end_byte());
        named += 1;
        // tree-sitter-bash may read the next line as part of an empty assignment at the end
        // of a line (`X=`), depending on what follows: never split after a statement with one.
        let text = src.get(ch.byte_range()).unwrap_or("");
        after_empty_assignment = text.ends_with('=') || text.contains("=\n");
    }
    before_last
}

struct Builder<'a> {
    src: &'a str,
    map: SpanMap,
    script: Script,
}

/// What a walked statement produced: indices of its top-level commands (for pipe linking).
type Produced = Vec<usize>;

impl<'a> Builder<'a> {
    fn span(&self, n: Node) -> Span {
        self.map.map(n.start_byte(), n.end_byte())
    }

    fn text(&self, n: Node) -> &'a str {
        self.src.get(n.byte_range()).unwrap_or("")
    }

    fn too_deep(&mut self, n: Node, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            let s = self.span(n);
            self.script.errors.push(s);
            self.script.too_deep.get_or_insert(s);
            return true;
        }
        false
    }

    /// Walks any statement-level node; returns the top-level commands it produced.
    fn statement(&mut self, n: Node, depth: usize) -> Produced {
        if self.too_deep(n, depth) {
            return vec![];
        }
        if n.is_error() || n.is_missing() {
            let s = self.span(n);
            self.script.errors.push(s);
        }
        if n.kind() == "for_statement" {
            self.for_variable(n);
        }
        match n.kind() {
            "command" => self.command(n, depth),
            "declaration_command" => self.declaration(n, depth),
            "variable_assignment" | "variable_assignments" => self.bare_assignments(n, depth),
            "redirected_statement" => self.redirected(n, depth),
            "pipeline" => self.pipeline(n, depth),
            "function_definition" => self.function(n, depth),
            "comment" | "heredoc_body" | "heredoc_start" | "heredoc_end" => vec![],
            _ => {
                let mut c = n.walk();
                let children: Vec<Node> = n.children(&mut c).collect();
                self.children(&children, depth)
            }
        }
    }

    /// Walks complete top-level statements of a window ([`parse_windowed`]), as the children
    /// of the whole text's root node.
    fn top_level(&mut self, kids: &[Node]) {
        self.script.nodes = self.script.nodes.saturating_add(kids.iter().map(|k| k.descendant_count()).sum());
        self.children(kids, 0);
    }

    /// Walks the children of a compound node at `depth`; returns the top-level commands.
    fn children(&mut self, children: &[Node], depth: usize) -> Produced {
        let mut out = vec![];
        let mut last: Produced = vec![];
        for &ch in children {
            if ch.is_named() || ch.is_error() || ch.is_missing() {
                last = self.child_any(ch, depth + 1);
                out.extend(last.iter().copied());
            } else if ch.kind() == "&" {
                // `cmd &`: what came before the operator runs asynchronously.
                for &i in &last {
                    if let Some(cmd) = self.script.commands.get_mut(i) {
                        cmd.background = true;
                    }
                }
            }
        }
        out
    }

    /// `NAME () BODY` / `function NAME BODY`: walks the body (its commands are flattened like
    /// all others) and records the definition. Defining a function runs nothing, so it
    /// produces no top-level command.
    fn function(&mut self, n: Node, depth: usize) -> Produced {
        let first = self.script.commands.len();
        let mut name = None;
        let mut text = String::new();
        for (field, ch) in fields(n) {
            match field {
                Some("name") => name = Some(self.word(ch, depth + 1)),
                Some("body") => {
                    text = self.text(ch).to_string();
                    self.statement(ch, depth + 1);
                }
                _ if ch.is_named() || ch.is_error() || ch.is_missing() => {
                    self.child_any(ch, depth + 1);
                }
                _ => {}
            }
        }
        if let Some(name) = name.filter(|w| !w.dynamic && !w.text.is_empty()) {
            let span = self.span(n);
            let body = first..self.script.commands.len();
            for c in self.script.commands.get_mut(body.clone()).unwrap_or_default() {
                c.in_function = true;
            }
            self.script.by_name.entry(name.text.clone()).or_default().push(self.script.functions.len());
            self.script.functions.push(Function { name: name.text, body, text, span });
        }
        vec![]
    }

    /// Records the alias definitions or removals of an `alias`/`unalias` command `i`.
    fn alias_changes(&mut self, i: usize) {
        let Some(cmd) = self.script.commands.get(i) else { return };
        let Some((first, args)) = cmd.words.split_first() else { return };
        let mut changes = vec![];
        match first.literal() {
            Some("alias") => {
                for w in args.iter().filter(|w| !w.text.starts_with('-')) {
                    if let Some((name, value)) = w.text.split_once('=') {
                        let at = w.verbatim_at.map(|v| v + name.len() + 1);
                        let value = Word { text: value.to_string(), verbatim_at: at, ..w.clone() };
                        changes.push(AliasChange::Define { name: name.to_string(), value });
                    }
                }
            }
            Some("unalias") => {
                for w in args {
                    match w.text.as_str() {
                        "-a" => changes.push(AliasChange::RemoveAll),
                        "--" => {}
                        t => changes.push(AliasChange::Remove(t.to_string())),
                    }
                }
            }
            _ => {}
        }
        self.script.aliases.extend(changes.into_iter().map(|change| Alias { command: i, change }));
    }

    /// `for X in ...` (and `select`): X takes values at run time, recorded as a persistent
    /// assignment of a dynamic word.
    fn for_variable(&mut self, n: Node) {
        let Some(v) = n.child_by_field_name("variable") else { return };
        let span = self.span(v);
        let name = self.text(v).to_string();
        let value = Word { text: format!("$(for {name})"), dynamic: true, quoted: false, span, verbatim_at: None };
        self.push(Command::persistent(vec![(name, value)], vec![], span));
    }

    /// A child of a compound node: a statement, or a word-like node that may hold substitutions.
    fn child_any(&mut self, ch: Node, depth: usize) -> Produced {
        match ch.kind() {
            "command_substitution" | "process_substitution" => {
                self.substitution_commands(ch, depth);
                vec![]
            }
            "string" | "concatenation" | "expansion" | "arithmetic_expansion" | "word"
            | "raw_string" | "simple_expansion" | "number" | "ansi_c_string"
            | "translated_string" | "variable_name" | "test_operator" | "regex"
            | "extglob_pattern" => {
                // Words in non-command positions (for-loop lists, case values, test operands):
                // only their substitutions run commands.
                self.word(ch, depth);
                vec![]
            }
            _ => self.statement(ch, depth),
        }
    }

    fn pipeline(&mut self, n: Node, depth: usize) -> Produced {
        let mut stages: Vec<Produced> = vec![];
        let children = named(n);
        for ch in children {
            stages.push(self.child_any(ch, depth + 1));
        }
        self.link_stages(&stages);
        stages.into_iter().flatten().collect()
    }

    /// Links each stage's commands to the first command of the next stage (a pipe).
    fn link_stages(&mut self, stages: &[Produced]) {
        for w in stages.windows(2) {
            let [before, after] = w else { continue };
            let Some(&first) = after.first() else { continue };
            for &from in before.iter().filter(|&&from| from != first) {
                if let Some(c) = self.script.commands.get_mut(from) {
                    c.pipes_out = true;
                }
            }
            let Some(cmd) = self.script.commands.get_mut(first) else { continue };
            cmd.inputs.extend(before.iter().filter(|&&from| from != first).map(|&from| Input { from, flow: Flow::Pipe }));
        }
    }

    fn redirected(&mut self, n: Node, depth: usize) -> Produced {
        let mut body_cmds = vec![];
        let mut redirects = vec![];
        let mut heredoc = None;
        let mut after: Vec<Produced> = vec![]; // pipeline continuation inside a heredoc redirect
        let mut trailing: Produced = vec![]; // `&&`/`||` continuation inside a heredoc redirect
        for (field, ch) in fields(n) {
            if ch.is_error() || ch.is_missing() {
                let s = self.span(ch);
                self.script.errors.push(s);
                continue;
            }
            match (field, ch.kind()) {
                (Some("body"), _) => body_cmds = self.statement(ch, depth + 1),
                (_, "file_redirect") => {
                    if let Some(r) = self.file_redirect(ch, depth) {
                        redirects.push(r);
                    }
                }
                (_, "herestring_redirect") => heredoc = self.herestring(ch, depth),
                (_, "heredoc_redirect") => {
                    let first_sub = self.script.commands.len();
                    let (h, pipe, rest, reds, args) = self.heredoc_redirect(ch, depth);
                    heredoc = h.or(heredoc);
                    after.extend(pipe);
                    trailing.extend(rest);
                    redirects.extend(reds);
                    // `rm <<EOF -rf /`: words after the operator are the command's arguments.
                    if let Some(&last) = body_cmds.last()
                        && !args.is_empty()
                    {
                        let subs = first_sub..self.script.commands.len();
                        if let Some(cmd) = self.script.commands.get_mut(last) {
                            cmd.words.extend(args);
                            cmd.inputs.extend(subs.map(|from| Input { from, flow: Flow::Substitution }));
                        }
                    }
                }
                _ if ch.is_named() => {
                    self.child_any(ch, depth + 1);
                }
                _ => {}
            }
        }
        let whole = self.span(n);
        for &i in &body_cmds {
            let Some(cmd) = self.script.commands.get_mut(i) else { continue };
            cmd.redirects.extend(redirects.iter().cloned());
            if cmd.heredoc.is_none() {
                cmd.heredoc = heredoc.clone();
            }
            if body_cmds.len() == 1 {
                cmd.span = whole;
            }
        }
        let mut stages = vec![body_cmds];
        stages.extend(after);
        self.link_stages(&stages);
        let mut out: Produced = stages.into_iter().flatten().collect();
        out.extend(trailing);
        out
    }

    /// Returns (heredoc, pipeline stages after it, commands after `&&`/`||`, redirects,
    /// command arguments written after the operator on its line).
    fn heredoc_redirect(
        &mut self,
        n: Node,
        depth: usize,
    ) -> (Option<HereDoc>, Vec<Produced>, Produced, Vec<Redirect>, Vec<Word>) {
        let mut quoted = false;
        let mut strip_tabs = false;
        let mut body = None;
        let mut stages = vec![];
        let mut rest = vec![];
        let mut reds = vec![];
        let mut args = vec![];
        // End of the line holding the operator: the body starts after it.
        let mut line_end = n.end_byte();
        // tree-sitter-bash reads a first body line that starts with a backslash as `argument`
        // words (`<<EOF\n\\rm -rf /`): where the body really starts, and its expansions.
        let mut body_start: Option<usize> = None;
        let mut body_words_dynamic = false;
        for (field, ch) in fields(n) {
            match (field, ch.kind()) {
                (_, "<<-") => strip_tabs = true,
                (_, "heredoc_start") => {
                    let t = self.text(ch);
                    quoted = t.contains(['\'', '"', '\\']);
                    line_end = self.src.get(ch.end_byte()..).and_then(|r| r.find('\n')).map_or(n.end_byte(), |p| ch.end_byte() + p);
                }
                (Some("argument"), _) if ch.start_byte() < line_end => args.push(self.word(ch, depth + 1)),
                (Some("argument"), _) => {
                    body_start.get_or_insert(line_end + 1);
                    if !quoted && self.word(ch, depth + 1).dynamic {
                        body_words_dynamic = true;
                    }
                }
                (_, "heredoc_body") => body = Some(ch),
                (_, "pipeline") => {
                    let parts = named(ch);
                    for p in parts {
                        stages.push(self.child_any(p, depth + 1));
                    }
                }
                (Some("right"), _) => rest.extend(self.statement(ch, depth + 1)),
                (_, "file_redirect") => {
                    if let Some(r) = self.file_redirect(ch, depth) {
                        reds.push(r);
                    }
                }
                (_, "herestring_redirect") => {}
                _ if ch.is_error() || ch.is_missing() => {
                    let s = self.span(ch);
                    self.script.errors.push(s);
                }
                _ => {}
            }
        }
        let doc = body.map(|b| {
            let start = body_start.filter(|&s| s <= b.start_byte()).unwrap_or(b.start_byte());
            let raw = self.src.get(start..b.end_byte()).unwrap_or("");
            let mut dynamic = body_words_dynamic;
            if !quoted {
                // Expansions in an unquoted heredoc run: walk them for substitutions.
                let kids = named(b);
                for k in kids {
                    if k.kind() != "heredoc_content" {
                        dynamic = true;
                        self.word(k, depth + 1);
                    }
                }
            }
            let text = if strip_tabs {
                raw.lines().map(|l| l.trim_start_matches('\t')).collect::<Vec<_>>().join("\n")
            } else {
                raw.to_string()
            };
            let verbatim_at = if text == raw { self.map.base.map(|x| x + start) } else { None };
            HereDoc { body: text, dynamic, span: self.map.map(start, b.end_byte()), verbatim_at }
        });
        (doc, stages, rest, reds, args)
    }

    fn herestring(&mut self, n: Node, depth: usize) -> Option<HereDoc> {
        let mut c = n.walk();
        let w = n.named_children(&mut c).find(|ch| ch.kind() != "file_descriptor")?;
        let word = self.word(w, depth + 1);
        Some(HereDoc {
            body: format!("{}\n", word.text),
            dynamic: word.dynamic,
            span: word.span,
            verbatim_at: word.verbatim_at,
        })
    }

    fn file_redirect(&mut self, n: Node, depth: usize) -> Option<Redirect> {
        let mut op = String::new();
        let mut fd = None;
        let mut target = None;
        for (field, ch) in fields(n) {
            match (field, ch.kind()) {
                (Some("descriptor"), _) => fd = self.text(ch).parse().ok(),
                (Some("destination"), _) => target = Some(self.word(ch, depth + 1)),
                (None, _) if !ch.is_named() => op.push_str(self.text(ch)),
                _ => {}
            }
        }
        Some(Redirect { op, fd, target: target? })
    }

    fn bare_assignments(&mut self, n: Node, depth: usize) -> Produced {
        let mut assignments = vec![];
        self.collect_assignments(n, depth, &mut assignments);
        let span = self.span(n);
        self.push(Command::persistent(assignments, vec![], span));
        vec![]
    }

    fn collect_assignments(&mut self, n: Node, depth: usize, out: &mut Vec<(String, Word)>) {
        if n.kind() == "variable_assignments" {
            let kids = named(n);
            for k in kids {
                self.collect_assignments(k, depth, out);
            }
            return;
        }
        let name = n.child_by_field_name("name").map(|x| self.text(x).to_string()).unwrap_or_default();
        let value = match n.child_by_field_name("value") {
            Some(v) => self.word(v, depth + 1),
            None => {
                let e = n.end_byte();
                Word { text: String::new(), dynamic: false, quoted: false, span: self.map.map(e, e), verbatim_at: None }
            }
        };
        out.push((name, value));
    }

    fn declaration(&mut self, n: Node, depth: usize) -> Produced {
        let mut words = vec![];
        let mut assignments = vec![];
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        // tree-sitter gives the parts of an argument written without a space between them
        // (`P'ROMPT_COMMAND=x'`) as separate nodes here; bash reads them as one word.
        let mut last_end = None;
        for ch in children {
            let touches = last_end == Some(ch.start_byte());
            last_end = Some(ch.end_byte());
            match ch.kind() {
                "variable_assignment" => self.collect_assignments(ch, depth, &mut assignments),
                _ if !ch.is_named() => {
                    let t = self.text(ch);
                    words.push(Word::plain(t, self.span(ch)));
                }
                _ => {
                    let w = self.word(ch, depth + 1);
                    match words.last_mut() {
                        Some(prev) if touches => {
                            prev.text.push_str(&w.text);
                            prev.dynamic |= w.dynamic;
                            prev.quoted |= w.quoted;
                            prev.span = Span::new(prev.span.start.min(w.span.start), prev.span.end.max(w.span.end));
                            prev.verbatim_at = None;
                        }
                        _ => words.push(w),
                    }
                }
            }
        }
        let words = declaration_args(words, &mut assignments);
        let span = self.span(n);
        let i = self.push(Command::persistent(assignments, words, span));
        vec![i]
    }

    fn command(&mut self, n: Node, depth: usize) -> Produced {
        let first_sub = self.script.commands.len();
        let mut assignments = vec![];
        let mut words = vec![];
        let mut redirects = vec![];
        let mut heredoc = None;
        for (field, ch) in fields(n) {
            if ch.is_error() || ch.is_missing() {
                let s = self.span(ch);
                self.script.errors.push(s);
            }
            match (field, ch.kind()) {
                (_, "variable_assignment") => self.collect_assignments(ch, depth, &mut assignments),
                (Some("name"), _) => {
                    let inner = ch.named_child(0).unwrap_or(ch);
                    words.push(self.word(inner, depth + 1));
                }
                (Some("redirect"), "file_redirect") => {
                    if let Some(r) = self.file_redirect(ch, depth) {
                        redirects.push(r);
                    }
                }
                (Some("redirect"), "herestring_redirect") => heredoc = self.herestring(ch, depth),
                (Some("argument"), _) => words.push(self.word(ch, depth + 1)),
                (_, "subshell") => {
                    self.statement(ch, depth + 1);
                }
                _ if ch.is_named() => words.push(self.word(ch, depth + 1)),
                _ => {}
            }
        }
        let subs: Vec<usize> = (first_sub..self.script.commands.len()).collect();
        let span = self.span(n);
        // A quoted or escaped `'export' A=b` is still the builtin, which assigns.
        let declares = words.first().and_then(Word::literal).is_some_and(|w| DECLARATION_BUILTINS.contains(&w));
        let words = if declares { declaration_args(words, &mut assignments) } else { words };
        let i = self.push(Command {
            assignments,
            redirects,
            heredoc,
            inputs: subs.iter().map(|&from| Input { from, flow: Flow::Substitution }).collect(),
            persistent_assignments: declares,
            ..Command::simple(words, span)
        });
        self.alias_changes(i);
        vec![i]
    }

    fn push(&mut self, c: Command) -> usize {
        self.script.commands.push(c);
        self.script.commands.len() - 1
    }

    fn substitution_commands(&mut self, n: Node, depth: usize) {
        if self.too_deep(n, depth) {
            return;
        }
        let kids = named(n);
        for k in kids {
            if k.kind() == "file_redirect" {
                // `$(< file)` reads a file: model it as `cat file`.
                if let Some(r) = self.file_redirect(k, depth) {
                    let span = self.span(n);
                    self.push(Command::simple(vec![Word::plain("cat", span), r.target], span));
                }
            } else {
                self.statement(k, depth + 1);
            }
        }
    }

    /// Builds a [`Word`] from a word-like node, walking substitutions inside it.
    fn word(&mut self, n: Node, depth: usize) -> Word {
        let span = self.span(n);
        let mut w = Word { text: String::new(), dynamic: false, quoted: false, span, verbatim_at: None };
        if self.too_deep(n, depth) {
            w.dynamic = true;
            w.text = self.text(n).to_string();
            return w;
        }
        self.word_into(n, depth, &mut w);
        let raw = self.text(n);
        if let Some(base) = self.map.base {
            if w.text == raw {
                w.verbatim_at = Some(base + n.start_byte());
            } else if raw.starts_with(['\'', '"']) && raw.get(1..raw.len().saturating_sub(1)) == Some(w.text.as_str()) {
                w.verbatim_at = Some(base + n.start_byte() + 1);
            }
        }
        w
    }

    fn word_into(&mut self, n: Node, depth: usize, w: &mut Word) {
        if depth > MAX_DEPTH {
            w.dynamic = true;
            w.text.push_str(self.text(n));
            return;
        }
        let raw = self.text(n);
        match n.kind() {
            "word" | "command_name" if n.named_child_count() == 0 => {
                if raw.contains('\\') {
                    w.quoted = true;
                }
                w.text.push_str(&unescape_unquoted(raw));
            }
            "number" | "variable_name" | "test_operator" | "regex" | "extglob_pattern"
            | "file_descriptor" | "special_variable_name" | "heredoc_content" => {
                if n.named_child_count() == 0 {
                    w.text.push_str(raw);
                } else {
                    self.children_into(n, depth, w);
                }
            }
            "raw_string" => {
                w.quoted = true;
                w.text.push_str(raw.strip_prefix('\'').unwrap_or(raw).strip_suffix('\'').unwrap_or(raw.trim_start_matches('\'')));
            }
            "ansi_c_string" => {
                w.quoted = true;
                let inner = raw.strip_prefix("$'").unwrap_or(raw);
                let inner = inner.strip_suffix('\'').unwrap_or(inner);
                w.text.push_str(&ansi_c_unescape(inner));
            }
            "string" | "translated_string" => {
                w.quoted = true;
                let n = if n.kind() == "translated_string" { n.named_child(0).unwrap_or(n) } else { n };
                // Rebuild from byte ranges: gaps between named children are literal text.
                let (start, end) = (n.start_byte() + 1, n.end_byte().saturating_sub(1).max(n.start_byte() + 1));
                let mut pos = start;
                let kids = named(n);
                for k in kids {
                    if k.start_byte() > pos {
                        w.text.push_str(&unescape_double(self.src.get(pos..k.start_byte()).unwrap_or("")));
                    }
                    if k.kind() == "string_content" {
                        w.text.push_str(&unescape_double(self.text(k)));
                    } else {
                        self.word_into(k, depth + 1, w);
                    }
                    pos = k.end_byte();
                }
                if end > pos {
                    w.text.push_str(&unescape_double(self.src.get(pos..end).unwrap_or("")));
                }
            }
            "concatenation" | "command_name" => self.children_into(n, depth, w),
            "simple_expansion" | "expansion" => {
                w.dynamic = true;
                w.text.push_str(raw);
                // `${X:-$(cmd)}` runs cmd.
                self.walk_substitutions(n, depth);
            }
            "command_substitution" | "process_substitution" => {
                w.dynamic = true;
                w.text.push_str(raw);
                self.substitution_commands(n, depth + 1);
            }
            "arithmetic_expansion" => {
                w.dynamic = true;
                w.text.push_str(raw);
                self.walk_substitutions(n, depth);
            }
            "brace_expression" | "array" => {
                w.text.push_str(raw);
                self.walk_substitutions(n, depth);
            }
            _ => {
                if n.is_error() || n.is_missing() {
                    let s = self.span(n);
                    self.script.errors.push(s);
                }
                w.text.push_str(raw);
                if n.named_child_count() > 0 {
                    w.dynamic = true;
                    self.walk_substitutions(n, depth);
                }
            }
        }
    }

    fn children_into(&mut self, n: Node, depth: usize, w: &mut Word) {
        let mut pos = n.start_byte();
        let mut c = n.walk();
        let kids: Vec<Node> = n.children(&mut c).collect();
        for k in kids {
            if k.start_byte() > pos {
                w.text.push_str(self.src.get(pos..k.start_byte()).unwrap_or(""));
            }
            if k.is_named() {
                self.word_into(k, depth + 1, w);
            } else {
                let t = self.text(k);
                w.text.push_str(&unescape_unquoted(t));
            }
            pos = k.end_byte();
        }
        if n.end_byte() > pos {
            w.text.push_str(self.src.get(pos..n.end_byte()).unwrap_or(""));
        }
    }

    fn walk_substitutions(&mut self, n: Node, depth: usize) {
        if self.too_deep(n, depth) {
            return;
        }
        let kids = named(n);
        for k in kids {
            match k.kind() {
                "command_substitution" | "process_substitution" => self.substitution_commands(k, depth + 1),
                _ => self.walk_substitutions(k, depth + 1),
            }
        }
    }
}

/// The builtins whose `NAME=VALUE` arguments assign (bash manual §4.2: `declare`, `export`,
/// `local`, `readonly`, `typeset`).
const DECLARATION_BUILTINS: &[&str] = &["declare", "export", "local", "readonly", "typeset"];

/// The words of a declaration builtin without its `NAME=VALUE` arguments, which go to
/// `assignments`: after quote removal a quoted `'NAME=VALUE'` assigns too (bash manual §4.2
/// declare, export: "name[=value]" arguments), not only the bare form tree-sitter recognises.
fn declaration_args(words: Vec<Word>, assignments: &mut Vec<(String, Word)>) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    for (i, w) in words.into_iter().enumerate() {
        match assignment_word(&w) {
            Some(a) if i > 0 => assignments.push(a),
            _ => out.push(w),
        }
    }
    out
}

/// A quoted argument of a declaration builtin that is an assignment after quote removal
/// (`export 'A=b'`): the name and the value, or `None` for an option or a plain name. A word
/// whose name part is not a literal identifier is not one.
fn assignment_word(w: &Word) -> Option<(String, Word)> {
    let (name, value) = w.text.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_') || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let value = Word { text: value.to_string(), dynamic: w.dynamic, quoted: w.quoted, span: w.span, verbatim_at: None };
    Some((name.to_string(), value))
}

/// The named children of `n`, collected (so the tree can be walked while `self` is borrowed).
fn named(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

/// The children of `n` with their field names (`name`, `argument`, `redirect`, ...), in one
/// linear pass of a tree cursor.
fn fields<'t>(n: Node<'t>) -> Vec<(Option<&'t str>, Node<'t>)> {
    let mut out = Vec::with_capacity(n.child_count() as usize);
    let mut c = n.walk();
    if c.goto_first_child() {
        loop {
            out.push((c.field_name(), c.node()));
            if !c.goto_next_sibling() {
                break;
            }
        }
    }
    out
}

/// Quote removal for unquoted text: `\x` -> `x`, `\<newline>` -> nothing (bash manual §3.1.2.1).
fn unescape_unquoted(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Backslash removal inside double quotes: only before `$`, `` ` ``, `"`, `\` and newline
/// (bash manual §3.1.2.3).
fn unescape_double(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some('$' | '`' | '"' | '\\') => out.push(it.next().unwrap_or('\\')),
                Some('\n') => {
                    it.next();
                }
                _ => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes `$'...'` escapes (bash manual §3.1.2.4): `\n`, `\t`, `\xHH`, `\NNN`, `\uHHHH`, ...
fn ansi_c_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    // Up to `max` digits of `radix` from `chars`, as a number (wrapping: at most 8 hex digits
    // fit a u32 anyway), and how many there were.
    let num = |radix: u32, max: usize, chars: &mut std::iter::Peekable<std::str::Chars>, first: Option<u32>| {
        let (mut v, mut n) = first.map_or((0u32, 0), |d| (d, 1));
        while n < max
            && let Some(d) = chars.peek().and_then(|c| c.to_digit(radix))
        {
            v = v.wrapping_mul(radix).wrapping_add(d);
            chars.next();
            n += 1;
        }
        (v, n)
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push(c);
            continue;
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'e' | 'E' => out.push('\x1b'),
            'f' => out.push('\x0c'),
            'v' => out.push('\x0b'),
            'x' => {
                let (v, n) = num(16, 2, &mut chars, None);
                if n == 0 {
                    out.push_str("\\x");
                } else {
                    out.push(char::from_u32(v).unwrap_or('?'));
                }
            }
            'u' | 'U' => {
                let (v, n) = num(16, if e == 'u' { 4 } else { 8 }, &mut chars, None);
                if n == 0 {
                    out.push('\\');
                    out.push(e);
                } else {
                    out.push(char::from_u32(v).unwrap_or('?'));
                }
            }
            '0'..='7' => {
                let (v, _) = num(8, 3, &mut chars, e.to_digit(8));
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(s: &str) -> Vec<Vec<String>> {
        parse(s, SpanMap::top(s.len()))
            .commands
            .iter()
            .map(|c| c.words.iter().map(|w| w.text.clone()).collect())
            .collect()
    }

    #[test]
    fn quote_removal() {
        assert_eq!(cmds(r#"r\m -"rf" '/' "a $X b""#), vec![vec!["rm", "-rf", "/", "a $X b"]]);
        assert_eq!(cmds(r#"echo $'a\x41\n'"#), vec![vec!["echo", "aA\n"]]);
        assert_eq!(cmds(r#"echo "a\"b\\c\d""#), vec![vec!["echo", "a\"b\\c\\d"]]);
    }

    #[test]
    fn heredoc_pipe_and_list_are_commands() {
        let s = "cat <<EOF | psql && rm -rf /\nDROP TABLE t;\nEOF\n";
        let sc = parse(s, SpanMap::top(s.len()));
        let names: Vec<_> = sc.commands.iter().map(|c| c.words[0].text.as_str()).collect();
        assert_eq!(names, vec!["cat", "psql", "rm"]);
        assert_eq!(sc.commands[0].heredoc.as_ref().unwrap().body, "DROP TABLE t;\n");
        assert_eq!(sc.commands[1].inputs, vec![Input { from: 0, flow: Flow::Pipe }]);
    }

    #[test]
    fn substitutions_are_commands() {
        let s = "echo \"$(rm -rf /)\" <(curl x) $((1 + $(id -u)))";
        let names: Vec<String> = cmds(s).into_iter().map(|c| c[0].clone()).collect();
        assert_eq!(names, vec!["rm", "curl", "id", "echo"]);
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let s = format!("{}true{}", "$(".repeat(5000), ")".repeat(5000));
        let sc = parse(&s, SpanMap::top(s.len()));
        assert!(!sc.errors.is_empty());
    }

    #[test]
    fn non_ascii_after_backslash_does_not_panic() {
        assert_eq!(cmds("echo \\é a\\é \"é\" 'é'"), vec![vec!["echo", "é", "aé", "é", "é"]]);
    }

    #[test]
    fn heredoc_arguments_and_backslash_first_line() {
        // Words after the operator are arguments of the command.
        assert_eq!(cmds("rm <<EOF -rf /\nEOF\n"), vec![vec!["rm", "-rf", "/"]]);
        // A first body line starting with a backslash is still body.
        let s = "bash <<'EOF'\n\\rm -rf /\nx\nEOF\n";
        let sc = parse(s, SpanMap::top(s.len()));
        assert_eq!(sc.commands[0].words.len(), 1);
        assert_eq!(sc.commands[0].heredoc.as_ref().unwrap().body, "\\rm -rf /\nx\n");
        // ... and its substitutions run.
        assert!(cmds("cat <<EOF\n\\x $(rm -rf /)\nEOF\n").contains(&vec!["rm".into(), "-rf".into(), "/".into()]));
    }

    #[test]
    fn functions_aliases_and_background_are_kept() {
        let s = "f() { a | b & }; function g { c; }\nalias x='ls -l' y=z; unalias -a; d &";
        let sc = parse(s, SpanMap::top(s.len()));
        let fns: Vec<_> = sc.functions.iter().map(|f| (f.name.as_str(), f.body.clone(), f.text.as_str())).collect();
        assert_eq!(fns, vec![("f", 0..2, "{ a | b & }"), ("g", 2..3, "{ c; }")]);
        let bg: Vec<_> = sc.commands.iter().map(|c| c.background).collect();
        assert_eq!(bg, vec![true, true, false, false, false, true]);
        assert!(sc.piped(0) && sc.piped(1) && !sc.piped(2));
        assert!(sc.in_function_body(2) && !sc.in_function_body(3));
        let defs: Vec<String> = sc
            .aliases
            .iter()
            .map(|a| match &a.change {
                AliasChange::Define { name, value } => format!("{}:{name}={}", a.command, value.text),
                AliasChange::Remove(n) => format!("{}:-{n}", a.command),
                AliasChange::RemoveAll => format!("{}:-a", a.command),
            })
            .collect();
        assert_eq!(defs, vec!["3:x=ls -l", "3:y=z", "4:-a"]);
    }

    #[test]
    fn dashed_heredoc_strips_tabs() {
        let s = "psql <<-EOF\n\tDROP TABLE t;\n\tEOF\n";
        let sc = parse(s, SpanMap::top(s.len()));
        assert_eq!(sc.commands[0].heredoc.as_ref().unwrap().body.trim(), "DROP TABLE t;");
    }
}

#[cfg(test)]
mod ansi_c_tests {
    use super::ansi_c_unescape;

    #[test]
    fn escapes() {
        assert_eq!(ansi_c_unescape(r"a\nb\tc"), "a\nb\tc");
        assert_eq!(ansi_c_unescape(r"\x72\155 \u00e9\U0001F600"), "rm é😀");
        assert_eq!(ansi_c_unescape(r"\x\q\"), "\\xq\\");
        assert_eq!(ansi_c_unescape(r"\UFFFFFFFF\101"), "?A");
        assert_eq!(ansi_c_unescape("é\\é"), "éé");
    }
}
