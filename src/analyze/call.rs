//! Calls of shell functions and aliases defined in the analysed script, expanded at their call
//! sites with the call's arguments (bash manual §3.3 "Shell Functions", §3.4.1 "Positional
//! Parameters", §6.6 "Aliases").
//!
//! - A function's body is analysed once more for each call, with `$1`..`$9`, `${N}`, `$@`,
//!   `"$@"`, `$*` and `$#` substituted from the call's words ([`Frame`]). Its body is also
//!   analysed where it is defined (with the positional parameters unknown), as before.
//! - An alias's text followed by the call's arguments is parsed again as bash and analysed.
//! - A call of a function the script does not define, but an earlier analysed script did, is
//!   analysed with that definition (`p() {...}; eval p -rf /`, `trap 'p' EXIT`, `source`,
//!   `export -f p; bash -c 'p'`).
//! - Parameter operators on positional parameters are substituted too: `${1:?}`, `${1-word}`,
//!   `${1:-word}`, `${1:+word}` (bash manual §3.5.3); others (`${1%/}`) stay run-time.
//! - The program itself is still analysed as a program too: a definition may sit in a branch
//!   that does not run, so `rm() { :; }; rm -rf /` keeps its verdict (tighten, don't guess).
//!
//! Bounds: nesting by [`MAX_NESTING`] (`exec.too_deep`), the total work by [`MAX_EXPANDED`]
//! commands per analysis (`exec.too_deep`, reported once); a function
//! already being expanded is not expanded again (recursion), but if that recursive call runs
//! in the background or in a pipeline the function is a fork bomb (`exec.fork_bomb`).
//! Limits: calls made inside a function body are expanded only when that function is itself
//! called.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{word_map, Analyzer, MAX_NESTING};
use crate::fact::Fact;
use crate::shell::{AliasChange, Script, Word};
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;

/// How many commands one analysis analyses through function and alias expansion, at most;
/// past it the analysis records `exec.too_deep` (a deny) instead of expanding further.
pub const MAX_EXPANDED: usize = 20_000;

/// Duplicate facts made by an expansion are removed only while the analysis has at most this
/// many facts (the comparison is quadratic); past it duplicates are kept (harmless).
const MAX_DEDUPE_FACTS: usize = 2_048;

/// Function and alias expansion state of one analysis.
#[derive(Debug, Default)]
pub struct Calls {
    /// Aliases in effect, in order of definition (name, replacement text).
    aliases: Vec<(String, Word)>,
    /// Functions being expanded, innermost last.
    functions: Vec<String>,
    /// Aliases being expanded (bash does not expand an alias inside its own expansion).
    expanding_aliases: Vec<String>,
    /// Commands analysed through expansion so far.
    expanded: usize,
    /// True once [`MAX_EXPANDED`] was reached and reported.
    over_budget: bool,
    /// Functions already reported as fork bombs (one fact per function).
    fork_bombs: Vec<String>,
    /// Calls already expanded, by script, function, arguments and variables in effect: the
    /// same call again finds nothing new.
    done: HashSet<CallKey>,
    /// Every function definition of the scripts analysed so far (name, body text): code the
    /// same shell runs later (`eval`, `trap`, `source`) or that inherits it (`export -f`, then
    /// `bash -c`) can call it, though it is parsed as another script.
    defined: Vec<(String, String)>,
    /// Functions being expanded from [`Calls::defined`] (a call inside such an expansion is
    /// not expanded again that way: `f() { eval f; }`).
    expanding_defined: Vec<String>,
}

/// Most function definitions remembered for calls from other scripts ([`Calls::defined`]).
const MAX_DEFINED: usize = 256;

/// Identifies one expansion: the script (its address, while it is being analysed: see
/// [`Calls::forget`]), the function's index in it, the arguments (text and whether dynamic),
/// a digest of the variables in effect, the directory `cd` moved to and the functions being
/// expanded around it (a recursive call, e.g. a fork bomb, depends on them).
type CallKey = (usize, usize, Vec<(String, bool)>, u64, Option<String>, Vec<String>);

impl Calls {
    /// Applies the `alias`/`unalias` changes made by command `i` of `sc`. [`Script::aliases`]
    /// is in command order, so they are found by binary search (the cost per command does not
    /// grow with the script).
    pub fn alias_changes(&mut self, sc: &Script, i: usize) {
        let from = sc.aliases.partition_point(|x| x.command < i);
        let of_i = sc.aliases.get(from..).unwrap_or_default().iter().take_while(|x| x.command == i);
        for change in of_i.map(|x| &x.change) {
            match change {
                AliasChange::Define { name, value } => {
                    self.aliases.retain(|(n, _)| n != name);
                    self.aliases.push((name.clone(), value.clone()));
                }
                AliasChange::Remove(name) => self.aliases.retain(|(n, _)| n != name),
                AliasChange::RemoveAll => self.aliases.clear(),
            }
        }
    }

    /// Remembers the function definitions of `sc` (a script about to be analysed), so that
    /// scripts analysed later can call them.
    pub fn define(&mut self, sc: &Script) {
        for f in &sc.functions {
            if self.defined.len() < MAX_DEFINED && !self.defined.iter().any(|(n, t)| *n == f.name && *t == f.text) {
                self.defined.push((f.name.clone(), f.text.clone()));
            }
        }
    }

    /// Forgets the calls expanded in `sc`, whose analysis is complete (so that another script
    /// later allocated at the same address is not mistaken for it).
    pub fn forget(&mut self, sc: &Script) {
        let id = std::ptr::from_ref(sc) as usize;
        self.done.retain(|k| k.0 != id);
    }

    /// True if `name` is a function defined in `sc` or an analysed script, or an alias in
    /// effect: a call of it runs that definition, whose body is analysed at the call.
    pub fn is_defined(&self, sc: &Script, name: &str) -> bool {
        !sc.functions_named(name).is_empty()
            || self.defined.iter().any(|(n, _)| n == name)
            || self.aliases.iter().any(|(n, _)| n == name)
    }

    /// Takes `cost` from the expansion budget; false when it is spent.
    fn spend(&mut self, cost: usize) -> bool {
        if self.expanded.saturating_add(cost) > MAX_EXPANDED {
            return false;
        }
        self.expanded += cost;
        true
    }
}

/// The positional parameters of a function call being expanded.
#[derive(Debug)]
pub struct Frame {
    /// `$1`, `$2`, ...: the call's arguments; `None` when the body changes them (`shift`,
    /// `set -- ...`), so they are known only at run time and stay unsubstituted.
    args: Option<Vec<Word>>,
    /// Index of the script command whose call started the expansion: functions defined
    /// before it are visible to calls inside the expanded bodies.
    call_point: usize,
}

impl Frame {
    /// `words` with positional parameters substituted: a quoted `"$@"` gives each argument
    /// as its own word (with the argument's span), an unquoted one is also split at blanks
    /// (bash manual §3.5.7); an unquoted `$1` that is empty disappears.
    pub fn substitute(&self, words: &[Word]) -> Vec<Word> {
        let Some(args) = &self.args else { return words.to_vec() };
        let mut out = Vec::with_capacity(words.len());
        for w in words {
            substitute_word(w, args, &mut out);
        }
        out
    }

    /// One word with positional parameters substituted, as in an assignment (`x="$1"`, no
    /// word splitting): several resulting words are joined by spaces.
    pub fn joined(&self, w: &Word) -> Word {
        let words = self.substitute(std::slice::from_ref(w));
        match words.as_slice() {
            [one] => one.clone(),
            _ => Word {
                text: words.iter().map(|x| x.text.as_str()).collect::<Vec<_>>().join(" "),
                dynamic: words.iter().any(|x| x.dynamic),
                quoted: w.quoted,
                span: w.span,
                verbatim_at: None,
            },
        }
    }
}

/// A positional parameter reference.
enum Param {
    /// `$N` / `${N}` (1-based), possibly with an operator (`${N:-word}`).
    N(usize, Op),
    /// `$@`, `$*`, `${@}`, `${*}`.
    All,
    /// `$#`.
    Count,
}

/// An operator on a positional parameter (bash manual §3.5.3 "Shell Parameter Expansion").
enum Op {
    /// `$N`, `${N}`, and `${N?msg}` / `${N:?msg}` (the value, or an error when unset).
    Plain,
    /// `${N-word}` / `${N:-word}`: the value if set (and, with `:`, not empty), else `word`.
    Default(String, bool),
    /// `${N+word}` / `${N:+word}`: `word` if set (and, with `:`, not empty), else nothing.
    Alt(String, bool),
}

/// The byte index of the `}` closing the `${` whose `{` is at byte 0 of `rest` (nested
/// `${...}` counted).
fn closing_brace(rest: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (k, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

/// The positional parameter referenced at byte `i` of `t` (which holds `$`), and the byte
/// after the reference. Operators other than those of [`Op`] (`${1%/}`, `${1:0:2}`) are not
/// references here: the word stays run-time.
fn param_at(t: &str, i: usize) -> Option<(Param, usize)> {
    let rest = t.get(i + 1..)?;
    let c = rest.chars().next()?;
    match c {
        '1'..='9' => Some((Param::N(c.to_digit(10)? as usize, Op::Plain), i + 2)),
        '@' | '*' => Some((Param::All, i + 2)),
        '#' => Some((Param::Count, i + 2)),
        '{' => {
            let end = closing_brace(rest)?;
            let inner = rest.get(1..end)?;
            let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
            let (n, op) = inner.split_at(digits);
            let op = match op {
                "" => Op::Plain,
                _ if digits == 0 => Op::Plain,
                o if o.starts_with(":?") || o.starts_with('?') => Op::Plain,
                o => match o.strip_prefix(':').map_or((o, false), |r| (r, true)) {
                    (r, colon) if r.starts_with('-') => Op::Default(r.get(1..)?.to_string(), colon),
                    (r, colon) if r.starts_with('+') => Op::Alt(r.get(1..)?.to_string(), colon),
                    _ => return None,
                },
            };
            let p = match n {
                "" if inner == "@" || inner == "*" => Param::All,
                "" if inner == "#" => Param::Count,
                n if !n.is_empty() => match n.parse::<usize>().ok()? {
                    0 => return None,
                    k => Param::N(k, op),
                },
                _ => return None,
            };
            Some((p, i + 1 + end + 1))
        }
        _ => None,
    }
}

/// What `${N<op>}` gives for the call's `args`: the argument, a literal word (run-time if it
/// holds an expansion) or nothing (an unset parameter).
fn resolve(n: usize, op: &Op, args: &[Word], span: crate::fact::Span) -> Option<Word> {
    let arg = n.checked_sub(1).and_then(|k| args.get(k));
    let set = |colon: bool| arg.is_some_and(|a| !colon || a.dynamic || !a.text.is_empty());
    let word = |w: &str| Word { text: w.to_string(), dynamic: w.contains(['$', '`']), quoted: false, span, verbatim_at: None };
    match op {
        Op::Plain => arg.cloned(),
        Op::Default(_, colon) if set(*colon) => arg.cloned(),
        Op::Default(w, _) => Some(word(w)),
        Op::Alt(w, colon) if set(*colon) => Some(word(w)),
        Op::Alt(..) => None,
    }
}

/// Pushes argument `a` substituted into a word that is quoted (`"$1"`) or not (`$1`, split at
/// blanks; an empty literal disappears).
fn push_arg(a: &Word, quoted: bool, out: &mut Vec<Word>) {
    if quoted || a.dynamic {
        out.push(Word { quoted, ..a.clone() });
        return;
    }
    let parts: Vec<&str> = a.text.split_whitespace().collect();
    if let [one] = parts.as_slice()
        && *one == a.text
    {
        out.push(Word { quoted: false, ..a.clone() });
        return;
    }
    out.extend(parts.into_iter().map(|p| Word { text: p.to_string(), quoted: false, verbatim_at: None, ..a.clone() }));
}

/// Substitutes the positional parameters `args` into `w`, pushing the resulting words.
fn substitute_word(w: &Word, args: &[Word], out: &mut Vec<Word>) {
    let t = w.text.as_str();
    if !w.dynamic || !t.contains('$') {
        out.push(w.clone());
        return;
    }
    // The whole word is one reference: the arguments keep their own words and spans.
    if let Some((p, end)) = param_at(t, 0).filter(|(_, end)| *end == t.len() && t.starts_with('$')) {
        match p {
            Param::All if w.quoted && (t == "$*" || t == "${*}") => {}
            Param::All => {
                for a in args {
                    push_arg(a, w.quoted, out);
                }
                return;
            }
            Param::N(n, op) => {
                match resolve(n, &op, args, w.span) {
                    Some(a) => push_arg(&a, w.quoted, out),
                    None if w.quoted => out.push(Word { text: String::new(), dynamic: false, verbatim_at: None, ..w.clone() }),
                    None => {}
                }
                return;
            }
            Param::Count => {}
        }
        let _ = end;
    }
    // References inside a longer word: substituted as text.
    let mut text = String::with_capacity(t.len());
    let mut dynamic = false;
    let mut i = 0;
    while let Some(c) = t.get(i..).and_then(|r| r.chars().next()) {
        if c == '$'
            && let Some((p, next)) = param_at(t, i)
        {
            match p {
                Param::N(n, op) => {
                    if let Some(a) = resolve(n, &op, args, w.span) {
                        text.push_str(&a.text);
                        dynamic |= a.dynamic;
                    }
                }
                Param::All => {
                    text.push_str(&args.iter().map(|a| a.text.as_str()).collect::<Vec<_>>().join(" "));
                    dynamic |= args.iter().any(|a| a.dynamic);
                }
                Param::Count => text.push_str(&args.len().to_string()),
            }
            i = next;
            continue;
        }
        // Another expansion (`$X`, `$(...)`, `` `...` ``, `$((...))`) stays run-time.
        dynamic |= c == '$' || c == '`';
        text.push(c);
        i += c.len_utf8();
    }
    let word = Word { text, dynamic, quoted: w.quoted, span: w.span, verbatim_at: None };
    if w.quoted || dynamic {
        out.push(word);
    } else {
        push_arg(&word, false, out);
    }
}

/// How a function body changes its positional parameters.
#[derive(Debug, PartialEq, Eq)]
enum Positional {
    /// Never: `$1` is the call's first argument throughout.
    Kept,
    /// Only by `shift`: at any point `$1 $2 ...` is some suffix of the call's arguments.
    Shifted,
    /// Replaced (`set -- a b`, `set x`): known only at run time.
    Replaced,
}

/// Most `shift` positions analysed for one call (the arguments from the 0th to the 8th on).
const MAX_SHIFTS: usize = 8;

/// How the commands of a function body (`sc.commands[body]`) change the positional
/// parameters: `shift`, or `set` with operands (`set -- a b`; not `set -e`, `set -o x`).
fn positional_changes(sc: &Script, body: std::ops::Range<usize>) -> Positional {
    let cmds = sc.commands.get(body).unwrap_or(&[]);
    let first_is = |c: &crate::shell::Command, name: &str| c.words.first().is_some_and(|w| w.text == name);
    if cmds.iter().any(|c| first_is(c, "set") && set_replaces(c.words.get(1..).unwrap_or(&[]))) {
        Positional::Replaced
    } else if cmds.iter().any(|c| first_is(c, "shift") || c.words.first().is_some_and(|w| w.dynamic)) {
        // A run-time program name could be `shift` too.
        Positional::Shifted
    } else {
        Positional::Kept
    }
}

/// True if `set ARGS` replaces the positional parameters (it has an operand or `--`).
fn set_replaces(args: &[Word]) -> bool {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.text.as_str() {
            "-o" | "+o" => {
                it.next();
            }
            t if t.starts_with(['-', '+']) && t != "--" && t != "-" && !a.dynamic => {}
            _ => return true,
        }
    }
    false
}

/// After command `i` of `sc` (argv `words`, variables resolved) was analysed as a program:
/// if its name is an alias in effect, analyses the alias text followed by the arguments; if
/// it is a function defined earlier in the script, analyses every such definition's body with
/// the call's arguments. Calls inside a function body are expanded only when that function is
/// itself being expanded (`frame` is `Some`), since the body runs only then; aliases are
/// expanded everywhere, since bash expands them when it reads a definition.
pub(super) fn expand(
    a: &mut Analyzer,
    sc: &Script,
    i: usize,
    words: &[Word],
    vars: &HashMap<String, Option<String>>,
    depth: usize,
    frame: Option<&Frame>,
) {
    let Some(first) = words.first().filter(|w| !w.dynamic) else { return };
    let name = first.text.as_str();
    let alias = a.calls.aliases.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    if let Some(value) = alias
        && !a.calls.expanding_aliases.iter().any(|n| n == name)
    {
        expand_alias(a, name, &value, words, depth);
    }
    if frame.is_none() && sc.in_function_body(i) {
        return;
    }
    let call_point = frame.map_or(i, |f| f.call_point);
    let defs: Vec<usize> = sc
        .functions_named(name)
        .iter()
        .copied()
        .filter(|&k| sc.functions.get(k).is_some_and(|f| f.body.end <= i || f.body.end <= call_point))
        .collect();
    if defs.is_empty() {
        let forks = sc.commands.get(i).is_some_and(|c| c.background) || sc.piped(i);
        let span = sc.commands.get(i).map_or(word_map(words).whole, |c| c.span);
        expand_defined_elsewhere(a, name, words, depth, forks.then_some(span));
    }
    for k in defs {
        expand_function(a, sc, k, i, words, vars, depth, call_point);
    }
}

/// A call of `name`, which this script does not define but another analysed script did
/// ([`Calls::defined`]): each such definition is analysed with the call, parsed together as
/// one script (`p() BODY` then `p ARGS`), as [`expand_alias`] does for an alias.
///
/// `forks`: the call's span when it runs in the background or in a pipeline; such a call of a
/// function being expanded is a fork bomb (`f() { eval 'f | f &'; }`), as in [`expand_function`].
fn expand_defined_elsewhere(a: &mut Analyzer, name: &str, words: &[Word], depth: usize, forks: Option<crate::fact::Span>) {
    if a.calls.functions.iter().chain(&a.calls.expanding_defined).any(|n| n == name) {
        if let Some(span) = forks
            && !a.calls.fork_bombs.iter().any(|n| n == name)
        {
            a.calls.fork_bombs.push(name.to_string());
            a.push(
                Fact::new("exec.fork_bomb", format!("{name}() calls itself in the background or in a pipeline: a fork bomb"), span)
                    .with("function", name.to_string()),
            );
        }
        return;
    }
    let bodies: Vec<String> = a.calls.defined.iter().filter(|(n, _)| n == name).map(|(_, t)| t.clone()).collect();
    for body in bodies {
        if depth + 1 > MAX_NESTING {
            return too_deep(a, words, depth + 1, false);
        }
        if !a.calls.spend(1 + words.len()) {
            return too_deep(a, words, depth, true);
        }
        let mut text = format!("{name}() {body}\n{name}");
        for w in words.get(1..).unwrap_or(&[]) {
            text.push(' ');
            text.push_str(&requote(w));
        }
        let start = a.facts.len();
        let map = crate::shell::SpanMap::nested(None, word_map(words).whole);
        a.calls.expanding_defined.push(name.to_string());
        a.shell_text(&text, map, depth + 1);
        a.calls.expanding_defined.pop();
        dedupe(a, start);
    }
}

/// Records that expansion stops here: too deep, or past the budget (reported once).
fn too_deep(a: &mut Analyzer, words: &[Word], depth: usize, budget: bool) {
    if budget {
        if a.calls.over_budget {
            return;
        }
        a.calls.over_budget = true;
    }
    let what = if budget {
        format!("more than {MAX_EXPANDED} commands through function and alias calls")
    } else {
        "function and alias calls nested too deep to analyse".to_string()
    };
    a.push(Fact::new("exec.too_deep", what, word_map(words).whole).with("depth", depth));
}

/// Analyses alias `name`'s text `value` followed by the call's arguments, parsed as bash.
fn expand_alias(a: &mut Analyzer, name: &str, value: &Word, words: &[Word], depth: usize) {
    if depth + 1 > MAX_NESTING {
        return too_deep(a, words, depth + 1, false);
    }
    if !a.calls.spend(1 + words.len()) {
        return too_deep(a, words, depth, true);
    }
    let mut text = value.text.clone();
    for w in words.get(1..).unwrap_or(&[]) {
        text.push(' ');
        text.push_str(&requote(w));
    }
    let start = a.facts.len();
    a.calls.expanding_aliases.push(name.to_string());
    let map = crate::shell::SpanMap::nested(None, word_map(words).whole);
    a.shell_text(&text, map, depth + 1);
    a.calls.expanding_aliases.pop();
    dedupe(a, start);
}

/// A word written back as shell text: a literal quoted so it stays one word; a run-time word
/// as written (double-quoted when it holds blanks).
fn requote(w: &Word) -> String {
    if w.dynamic {
        if w.text.contains([' ', '\t', '\n']) { format!("\"{}\"", w.text) } else { w.text.clone() }
    } else {
        shlex::try_quote(&w.text).map(|c| c.into_owned()).unwrap_or_else(|_| format!("'{}'", w.text.replace(['\0', '\''], "")))
    }
}

/// Analyses the body of function `sc.functions[k]` for the call at command `i` with argv
/// `words`.
#[allow(clippy::too_many_arguments)]
fn expand_function(
    a: &mut Analyzer,
    sc: &Script,
    k: usize,
    i: usize,
    words: &[Word],
    vars: &HashMap<String, Option<String>>,
    depth: usize,
    call_point: usize,
) {
    let Some(f) = sc.functions.get(k) else { return };
    if a.calls.functions.contains(&f.name) {
        // A recursive call: its body is already being analysed. Run in the background or in a
        // pipeline, each call starts more processes that never end: a fork bomb.
        let forks = sc.commands.get(i).is_some_and(|c| c.background) || sc.piped(i);
        if forks && !a.calls.fork_bombs.contains(&f.name) {
            a.calls.fork_bombs.push(f.name.clone());
            let span = sc.commands.get(i).map_or(word_map(words).whole, |c| c.span);
            a.push(
                Fact::new("exec.fork_bomb", format!("{}() calls itself in the background or in a pipeline: a fork bomb", f.name), span)
                    .with("function", f.name.clone()),
            );
        }
        return;
    }
    if depth + 1 > MAX_NESTING {
        return too_deep(a, words, depth + 1, false);
    }
    let args = words.get(1..).unwrap_or(&[]);
    let key: CallKey = (
        std::ptr::from_ref(sc) as usize,
        k,
        args.iter().map(|w| (w.text.clone(), w.dynamic)).collect(),
        digest(vars),
        a.cd.clone(),
        a.calls.functions.clone(),
    );
    if !a.calls.done.insert(key) {
        return;
    }
    if !a.calls.spend(1 + f.body.len()) {
        return too_deep(a, words, depth, true);
    }
    // With `shift` in the body, `$1` may be any later argument: each suffix is analysed.
    let frames: Vec<Frame> = match positional_changes(sc, f.body.clone()) {
        Positional::Kept => vec![Frame { args: Some(args.to_vec()), call_point }],
        Positional::Shifted => {
            let mut v: Vec<Frame> = (0..=args.len().min(MAX_SHIFTS))
                .map(|k| Frame { args: Some(args.get(k..).unwrap_or(&[]).to_vec()), call_point })
                .collect();
            if args.len() > MAX_SHIFTS {
                v.push(Frame { args: None, call_point });
            }
            v
        }
        Positional::Replaced => vec![Frame { args: None, call_point }],
    };
    if frames.len() > 1 && !a.calls.spend((frames.len() - 1).saturating_mul(1 + f.body.len())) {
        return too_deep(a, words, depth, true);
    }
    // Bodies of functions defined inside this one run only when those are called.
    let nested: Vec<std::ops::Range<usize>> = sc
        .functions
        .iter()
        .take(k)
        .filter(|g| g.body.start >= f.body.start && g.body.end <= f.body.end)
        .map(|g| g.body.clone())
        .collect();
    let start = a.facts.len();
    a.calls.functions.push(f.name.clone());
    for frame in &frames {
        let mut vars = vars.clone();
        for j in f.body.clone() {
            if !nested.iter().any(|r| r.contains(&j)) {
                a.command_in(sc, j, &mut vars, depth + 1, Some(frame));
            }
        }
    }
    a.calls.functions.pop();
    dedupe(a, start);
}

/// A digest of the variables in effect, independent of the map's order.
fn digest(vars: &HashMap<String, Option<String>>) -> u64 {
    let state = std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
    vars.iter().fold(0u64, |acc, entry| acc.wrapping_add(state.hash_one(entry)))
}

/// Removes facts from `start` on that repeat a fact found before `start` (the same finding
/// made where the function or alias was defined), keeping [`Analyzer::scripts`] ranges right.
fn dedupe(a: &mut Analyzer, start: usize) {
    if a.facts.len() <= start || a.facts.len() > MAX_DEDUPE_FACTS {
        return;
    }
    let (before, after) = a.facts.split_at(start);
    let keep: Vec<bool> = after
        .iter()
        .map(|f| !before.iter().any(|g| g.kind == f.kind && g.span == f.span && g.summary == f.summary && g.attrs == f.attrs))
        .collect();
    if keep.iter().all(|&k| k) {
        return;
    }
    // New index of each old index from `start` on (one past the end included).
    let mut new_index = Vec::with_capacity(keep.len() + 1);
    let mut n = start;
    for &k in &keep {
        new_index.push(n);
        n += usize::from(k);
    }
    new_index.push(n);
    let map = |x: usize| if x < start { x } else { new_index.get(x - start).copied().unwrap_or(n) };
    for r in &mut a.scripts {
        *r = map(r.start)..map(r.end);
    }
    let mut it = keep.iter();
    let mut idx = 0;
    a.facts.retain(|_| {
        let k = idx < start || it.next().copied().unwrap_or(true);
        idx += 1;
        k
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    fn lit(t: &str) -> Word {
        Word::plain(t, Span::default())
    }

    fn var(t: &str, quoted: bool) -> Word {
        Word { dynamic: true, quoted, ..lit(t) }
    }

    fn texts(words: &[Word]) -> Vec<(String, bool)> {
        words.iter().map(|w| (w.text.clone(), w.dynamic)).collect()
    }

    fn frame(args: &[&str]) -> Frame {
        Frame { args: Some(args.iter().map(|a| lit(a)).collect()), call_point: 0 }
    }

    #[test]
    fn positional_parameters_are_substituted() {
        let f = frame(&["-c", "DROP TABLE t", ""]);
        let s = |w: Word| texts(&f.substitute(&[w]));
        let own = |v: &[&str]| v.iter().map(|t| (t.to_string(), false)).collect::<Vec<_>>();
        assert_eq!(s(var("$@", true)), own(&["-c", "DROP TABLE t", ""]));
        assert_eq!(s(var("$@", false)), own(&["-c", "DROP", "TABLE", "t"]));
        assert_eq!(s(var("$*", true)), own(&["-c DROP TABLE t "]));
        assert_eq!(s(var("${2}", true)), own(&["DROP TABLE t"]));
        assert_eq!(s(var("$3", false)), own(&[]));
        assert_eq!(s(var("$9", true)), own(&[""]));
        assert_eq!(s(var("n=$#", true)), own(&["n=3"]));
        assert_eq!(s(var("x$1y", true)), own(&["x-cy"]));
        // Other expansions stay run-time; `$0` is not a positional argument.
        assert_eq!(s(var("$1$HOME", true)), vec![("-c$HOME".to_string(), true)]);
        assert_eq!(s(var("$0", true)), vec![("$0".to_string(), true)]);
        assert_eq!(s(var("${10:-x}", true)), own(&["x"]));
        // `${N:?}`, `${N-w}`, `${N:-w}`, `${N+w}`, `${N:+w}` (bash manual §3.5.3).
        assert_eq!(s(var("${2:?}", true)), own(&["DROP TABLE t"]));
        assert_eq!(s(var("${2?no}", true)), own(&["DROP TABLE t"]));
        assert_eq!(s(var("${1:-x}", true)), own(&["-c"]));
        assert_eq!(s(var("${3:-/}", true)), own(&["/"]));
        assert_eq!(s(var("${3-/}", true)), own(&[""]));
        assert_eq!(s(var("${4-/}", true)), own(&["/"]));
        assert_eq!(s(var("${1:+/}", true)), own(&["/"]));
        assert_eq!(s(var("${3:+/}", true)), own(&[""]));
        assert_eq!(s(var("x${2:?}y", true)), own(&["xDROP TABLE ty"]));
        assert_eq!(s(var("${4:-$HOME}", true)), vec![("$HOME".to_string(), true)]);
        assert_eq!(s(var("${1%/}", true)), vec![("${1%/}".to_string(), true)]);
        // A run-time argument stays run-time.
        let g = Frame { args: Some(vec![var("$X", false)]), call_point: 0 };
        assert_eq!(texts(&g.substitute(&[var("$1", true)])), vec![("$X".to_string(), true)]);
        // Unknown positional parameters are left as written.
        let u = Frame { args: None, call_point: 0 };
        assert_eq!(texts(&u.substitute(&[var("$1", true)])), vec![("$1".to_string(), true)]);
    }

    #[test]
    fn set_with_operands_replaces_positional_parameters() {
        let w = |v: &[&str]| v.iter().map(|t| lit(t)).collect::<Vec<_>>();
        assert!(!set_replaces(&w(&["-e"])));
        assert!(!set_replaces(&w(&["-o", "pipefail", "+x"])));
        assert!(set_replaces(&w(&["--", "a"])));
        assert!(set_replaces(&w(&["a", "b"])));
    }
}
