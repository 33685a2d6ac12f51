//! Code guard cannot read before it runs: downloads and decoded text fed to a shell or an
//! interpreter, and inline interpreter code (`python -c`, `node -e`, `perl -e`, ...).
//!
//! Facts:
//! - `exec.remote_code`: a shell or interpreter runs what a downloader printed (`curl URL | sh`,
//!   `bash <(curl URL)`, `sh -c "$(wget -qO- URL)"`, `source <(curl URL)`, `curl URL | python3`).
//!   Attrs `via` (how the code arrives: the `reason` of the `exec.dynamic` fact it refines),
//!   `producer` (the downloader), `insecure` (a plain `http://` URL), `interpreter`.
//! - `exec.obfuscated`: a shell or interpreter runs decoded text (`base64 -d | sh`,
//!   `xxd -r -p | sh`, `rev | sh`, `printf '\x72\x6d ...' | sh`). Attrs `via`, `decoder`.
//! - `code.inline`: inline interpreter code calls something destructive. Attrs `language`,
//!   `call` (as written, e.g. `shutil.rmtree`), `effect` (`tree_delete`, `file_delete`,
//!   `shell`), `literal` (the argument is a string literal), `argument` (its value, if literal).
//!   A literal shell command (`os.system("rm -rf /")`) is also analysed as bash, and a literal
//!   tree or file delete (`shutil.rmtree("/")`, `os.remove("/etc/passwd")`) also yields
//!   `fs.delete`, so the file rules apply.
//!
//! The first two are made by [`refine`], which runs over a script after its commands are
//! analysed and turns `exec.dynamic` facts (from unwrap and from [`analyze`]) into the more
//! specific kind when the unknown text comes from a downloader or a decoder.
//!
//! Which programs are interpreters, decoders and downloaders, and how their options read, is
//! catalog data (`catalog/code.toml`, `catalog/net.toml`): an entry's `[[program.code]]` items
//! (which options carry code, which name a program file, what the first operand is, the
//! language), `decodes` and `downloads`. This module keeps the semantics: URLs, `printf` and
//! `echo -e` escapes, following data between commands, and reading the code.
//!
//! Inline code is not parsed: string literals and comments are blanked out, calls are found in
//! what remains, and only the arguments of those calls are read back as literals. So
//! `print("shutil.rmtree")` is data, and `shutil.rmtree("/")` is a delete of `/`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{fs, program_name, Analyzer, Invocation};
use crate::catalog::{self, option_names, CodeOperand, Language as Lang, Program};
use crate::fact::Fact;
use crate::shell::{Flow, Script, SpanMap, Word};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// `exec.dynamic` reasons whose unknown text comes from the command's stdin.
const STDIN_REASONS: &[&str] = &["shell_stdin", "ssh_stdin", "interpreter_stdin"];
/// `exec.dynamic` reasons whose unknown text comes from a substitution in the fact's span.
const WORD_REASONS: &[&str] = &["shell_string", "source_file", "eval", "program_name", "inline_code"];

/// The program a command runs, past wrappers, options and `NAME=value` words, with its args.
fn effective(words: &[Word]) -> Option<(String, Vec<Word>)> {
    let mut words = words.to_vec();
    // Bounded: each step removes at least the wrapper's name.
    for _ in 0..super::MAX_NESTING {
        match super::unwrap::inner_argv(&words) {
            Some(inner) => words = inner,
            None => break,
        }
    }
    let (first, rest) = words.split_first()?;
    Some((program_name(&first.text).to_string(), rest.to_vec()))
}

/// What makes a producer's output opaque code.
enum Origin {
    Decoder(String),
    Download { program: String, insecure: bool },
}

/// What makes the output of `words` opaque code: a decoder (the catalog's `decodes`, or the
/// escapes of `printf` and `echo -e`) or a downloader (the catalog's `downloads`).
fn origin(words: &[Word]) -> Option<Origin> {
    let (name, args) = effective(words)?;
    if escapes(&name, &args) {
        return Some(Origin::Decoder(name));
    }
    let p = catalog::program(&name)?;
    if p.decodes.as_ref().is_some_and(|d| d.applies(&crate::argv::parse(&args, p.spec()))) {
        return Some(Origin::Decoder(name));
    }
    if p.downloads {
        let insecure = args.iter().any(|w| w.text.starts_with("http://") || w.text.starts_with("ftp://"));
        return Some(Origin::Download { program: name, insecure });
    }
    None
}

/// True if the bash builtins `printf` (a `\` escape other than `\n`, or `%b`) or `echo -e` (a
/// `\` escape other than `\n`) print text other than the one written (bash manual §4.2): the
/// escapes decode it (`printf '\x72\x6d -rf ~'`).
fn escapes(name: &str, args: &[Word]) -> bool {
    let escaped = |w: &Word| w.text.replace("\\n", "").contains('\\');
    match name {
        "printf" => args.iter().any(|w| escaped(w) || w.text.contains("%b")),
        "echo" => args.iter().take_while(|w| w.text.starts_with('-')).any(|w| w.text.contains('e')) && args.iter().any(escaped),
        _ => false,
    }
}

/// The origins of the output of commands `starts` and everything feeding them.
fn origins(sc: &Script, starts: Vec<usize>) -> Vec<Origin> {
    let mut seen = vec![false; sc.commands.len()];
    let mut stack = starts;
    let mut out = vec![];
    while let Some(i) = stack.pop() {
        let (Some(seen), Some(c)) = (seen.get_mut(i), sc.commands.get(i)) else { continue };
        if *seen {
            continue;
        }
        *seen = true;
        out.extend(origin(&c.words));
        if c.redirects.iter().any(|r| r.op == "<" && (r.target.text.starts_with("/dev/tcp/") || r.target.text.starts_with("/dev/udp/"))) {
            out.push(Origin::Download { program: "/dev/tcp".into(), insecure: true });
        }
        stack.extend(c.inputs.iter().map(|x| x.from));
    }
    out
}

/// Turns `exec.dynamic` facts made by the commands of `sc` themselves (not by scripts nested
/// in them) into `exec.obfuscated` or `exec.remote_code` when the unknown text is decoded or
/// downloaded. `ranges[i]` is the range of facts command `i` produced.
pub fn refine(a: &mut Analyzer, sc: &Script, ranges: &[Range<usize>]) {
    for (i, (range, cmd)) in ranges.iter().zip(&sc.commands).enumerate() {
        for f in range.clone() {
            let Some(fact) = a.facts.get(f) else { continue };
            if fact.kind != "exec.dynamic" || a.in_nested_script(f, range.start) {
                continue;
            }
            let reason = fact.attrs.get("reason").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let span = fact.span;
            let mut starts: Vec<usize> = vec![];
            if STDIN_REASONS.contains(&reason.as_str()) {
                starts.extend(cmd.inputs.iter().filter(|x| x.flow == Flow::Pipe).map(|x| x.from));
                if cmd.redirects.iter().any(|r| r.op == "<" && r.target.text.starts_with("/dev/")) {
                    starts.push(i);
                }
            } else if WORD_REASONS.contains(&reason.as_str()) {
                starts.extend(
                    cmd.inputs
                        .iter()
                        .filter(|x| x.flow == Flow::Substitution)
                        .map(|x| x.from)
                        .filter(|&j| sc.commands.get(j).is_some_and(|c| c.span.start >= span.start && c.span.end <= span.end)),
                );
            } else {
                continue;
            }
            let found = origins(sc, starts);
            let Some(fact) = a.facts.get_mut(f) else { continue };
            if let Some(d) = found.iter().find_map(|o| match o {
                Origin::Decoder(d) => Some(d.clone()),
                _ => None,
            }) {
                fact.kind = "exec.obfuscated".into();
                fact.summary = format!("runs text decoded by `{d}`: {}", fact.summary);
                fact.attrs.insert("via".into(), reason.clone().into());
                fact.attrs.insert("decoder".into(), d.into());
            } else if let Some((p, insecure)) = found.iter().find_map(|o| match o {
                Origin::Download { program, insecure } => Some((program.clone(), *insecure)),
                _ => None,
            }) {
                fact.kind = "exec.remote_code".into();
                fact.summary = format!("runs code downloaded by `{p}`: {}", fact.summary);
                fact.attrs.insert("via".into(), reason.clone().into());
                fact.attrs.insert("producer".into(), p.into());
                fact.attrs.insert("insecure".into(), insecure.into());
            }
        }
    }
}

/// Analyses an interpreter invocation with the entry's `[[program.code]]` item whose path the
/// line takes: inline code (the values of its `text` options, or the first operand when that is
/// the code), else the script operand (a URL is code downloaded at run time, a process
/// substitution a script made at run time), else the code read on standard input. Options and
/// operands are read by [`crate::argv::parse`] with the entry's spec, so an option's value
/// (`python3 -W d -c CODE`, `perl -I lib -e CODE`) is never the code or the script.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, p: &Program, depth: usize) {
    let Some((c, parsed, end)) = p.code_at(inv.args()) else { return };
        let (text, stop) = (option_names(&c.text), option_names(&c.stop_if));
    // `python -m MODULE` runs no code guard reads, unless a `-c CODE` came first (each ends
    // python's options, so the later one is the program's argument).
    let first = |set: &[&str]| parsed.options.iter().position(|o| set.contains(&o.name.as_str()));
    if let Some(s) = first(&stop).filter(|&s| first(&text).is_none_or(|t| s < t)) {
        // `python -m django flush`: the module runs as the program of that name would.
        if let Some(module) = parsed.options.get(s).and_then(|o| o.value.clone()) {
            // The words after the module name as written: `-m` ends Python's options, so
            // `-d DIR` of `python3 -m http.server -d DIR` belongs to the module.
            let args = inv.args();
            let after = args.iter().position(|w| w.span == module.span && w.text.ends_with(module.text.as_str())).and_then(|i| args.get(i + 1..));
            let mut words = vec![module];
            words.extend(after.map_or_else(|| parsed.operands.clone(), <[Word]>::to_vec));
            a.as_program(inv, words, depth);
        }
        return;
    }
    let name = inv.name.as_str();
    let lang = c.language;
    let operands = parsed.operands.get(end..).unwrap_or_default();
    // A program file naming standard input (`awk -f -`, `php -f /dev/stdin`) is code on stdin.
    let files = parsed.values(&option_names(&c.file));
    let file_is_stdin = files.last().is_some_and(|w| super::is_stdin_operand(&w.text));
    let from_file = parsed.has(&option_names(&c.file)) && !file_is_stdin;
    let mut code: Vec<&Word> = parsed.values(&text);
    if code.is_empty() && c.operand == CodeOperand::Code && !from_file && !file_is_stdin {
        code.extend(operands.first());
    }
    if !code.is_empty() {
        for w in code {
            let t = w.text.trim();
            if w.dynamic && (t.starts_with("$(") || t.starts_with('`')) && (t.ends_with(')') || t.ends_with('`')) {
                a.push(
                    Fact::new("exec.dynamic", format!("{name} runs inline code known only at run time"), w.span)
                        .with("reason", "inline_code")
                        .with("text", w.text.clone()),
                );
                continue;
            }
            scan(a, &inv.name, lang, &w.text, SpanMap::nested(w.verbatim_at, w.span), depth);
        }
        return;
    }
    if from_file || (c.operand != CodeOperand::File && !file_is_stdin) {
        return;
    }
    let script = operands.first().filter(|_| !file_is_stdin);
    match script {
        Some(w) if !super::is_stdin_operand(&w.text) => {
            if !w.dynamic && (w.text.starts_with("http://") || w.text.starts_with("https://")) {
                a.push(
                    Fact::new("exec.remote_code", format!("{name} runs code from {}", w.text), w.span)
                        .with("via", "url")
                        .with("producer", name)
                        .with("insecure", w.text.starts_with("http://"))
                        .with("interpreter", name),
                );
            } else if w.dynamic && w.text.starts_with("<(") {
                a.push(
                    Fact::new("exec.dynamic", format!("{name} runs a script made at run time: {}", w.text), w.span)
                        .with("reason", "source_file")
                        .with("text", w.text.clone()),
                );
            } else if !w.dynamic {
                // `python manage.py flush`, `php artisan migrate:fresh`, `ruby bin/rails db:drop`:
                // the script is a program with a catalog entry of its own.
                a.as_program(inv, operands.to_vec(), depth);
            }
        }
        _ => match a.stdin_text(inv) {
            Ok(Some((text, map))) => scan(a, &inv.name, lang, &text, map, depth),
            Ok(None) => {}
            Err(from) => a.push(
                Fact::new("exec.dynamic", format!("{name} runs code read from {from}"), inv.cmd.span)
                    .with("reason", "interpreter_stdin")
                    .with("from", from),
            ),
        },
    }
}

/// Byte ranges in a code text.
type Ranges = Vec<Range<usize>>;

/// Ranges of string literals (with their quotes), comments and, in Perl, Ruby and PHP,
/// backtick strings (which are commands), in that order.
fn literals(code: &str, lang: Lang) -> (Ranges, Ranges, Ranges) {
    let b = code.as_bytes();
    let (mut strings, mut comments, mut backticks) = (vec![], vec![], vec![]);
    let mut i = 0;
    // The bytes from `k` on (empty past the end).
    let from = |k: usize| b.get(k..).unwrap_or_default();
    while let Some(&c) = b.get(i) {
        let after_dollar = i.checked_sub(1).and_then(|k| b.get(k)) == Some(&b'$');
        let hash_comment = c == b'#' && !matches!(lang, Lang::Javascript | Lang::Lua) && !(lang == Lang::Perl && after_dollar);
        let slash_comment = lang == Lang::Javascript || lang == Lang::Php;
        let dash_comment = lang == Lang::Lua && from(i).starts_with(b"--");
        if hash_comment || dash_comment || (slash_comment && from(i).starts_with(b"//")) {
            let end = from(i).iter().position(|&x| x == b'\n').map_or(b.len(), |e| i + e);
            comments.push(i..end);
            i = end;
            continue;
        }
        if slash_comment && from(i).starts_with(b"/*") {
            let end = from(i + 2).windows(2).position(|w| w == b"*/").map_or(b.len(), |e| i + 2 + e + 2);
            comments.push(i..end);
            i = end;
            continue;
        }
        let quote = match c {
            b'\'' | b'"' => Some(c),
            b'`' => Some(c),
            _ => None,
        };
        let Some(q) = quote else {
            i += 1;
            continue;
        };
        let triple = lang == Lang::Python && from(i).starts_with(&[q, q, q]);
        let open = if triple { 3 } else { 1 };
        let mut j = i + open;
        let mut end = b.len();
        while let Some(&x) = b.get(j) {
            if x == b'\\' {
                j += 2;
                continue;
            }
            if x == q && (!triple || from(j).starts_with(&[q, q, q])) {
                end = j + open;
                break;
            }
            j += 1;
        }
        let end = end.min(b.len());
        if q == b'`' && !matches!(lang, Lang::Javascript | Lang::Python | Lang::Lua) {
            backticks.push(i..end);
        } else {
            strings.push(i..end);
        }
        i = end;
    }
    (strings, comments, backticks)
}

/// The value of the literal starting at `r` (quotes removed, simple escapes decoded).
fn literal_value(code: &str, r: &Range<usize>) -> String {
    let s = code.get(r.clone()).unwrap_or_default();
    let q = if s.starts_with("'''") || s.starts_with("\"\"\"") { 3 } else { 1 };
    let inner = s.get(q..s.len().saturating_sub(q).max(q)).unwrap_or("");
    let mut out = String::new();
    let mut it = inner.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Call {
    /// `None` when the pattern does not compile (a bug, which `all_call_patterns_compile`
    /// catches): [`scan`] then treats any inline code as making this call (fail closed).
    pattern: Option<Regex>,
    effect: &'static str,
}

fn calls(lang: Lang) -> &'static [Call] {
    fn mk(v: &[(&str, &'static str)]) -> Vec<Call> {
        v.iter().map(|(p, e)| Call { pattern: Regex::new(p).ok(), effect: e }).collect()
    }
    static PY: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\b(?:shutil\s*\.\s*)?rmtree\s*\(", "tree_delete"),
            (r"\bos\s*\.\s*(?:remove|unlink|rmdir|removedirs)\s*\(", "file_delete"),
            (r"\bos\s*\.\s*(?:system|popen)\s*\(", "shell"),
            (r"\bsubprocess\s*\.\s*(?:run|call|check_call|check_output|Popen|getoutput|getstatusoutput)\s*\(", "shell"),
            (r"\bos\s*\.\s*(?:exec|spawn)\w*\s*\(", "shell"),
            // ORMs: Django `Model.objects.all().delete()`, SQLAlchemy `session.query(M).delete()`,
            // `metadata.drop_all()` / Flask-SQLAlchemy `db.drop_all()`.
            (r"\.\s*objects\s*\.\s*(?:all|filter)\s*\(\s*\)\s*\.\s*delete\s*\(", "bulk_delete"),
            (r"\.\s*query\s*\(\s*[\w.]+\s*\)\s*\.\s*delete\s*\(", "bulk_delete"),
            (r"\b(?:metadata|db)\s*\.\s*drop_all\s*\(", "bulk_delete"),
        ])
    });
    static JS: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\.\s*(?:rmSync|rm|rmdirSync|rmdir)\s*\(", "tree_delete"),
            (r"\.\s*(?:unlinkSync|unlink)\s*\(", "file_delete"),
            (r"\b(?:execSync|exec|execFileSync|execFile|spawnSync|spawn)\s*\(", "shell"),
            // ORMs: Prisma `deleteMany()` / `deleteMany({})`, Sequelize `destroy({truncate: true})`
            // and `truncate()`.
            (r"\.\s*deleteMany\s*\(\s*(?:\{\s*\}\s*)?\)", "bulk_delete"),
            (r"\.\s*destroy\s*\(\s*\{\s*(?:truncate\s*:\s*true|where\s*:\s*\{\s*\})", "bulk_delete"),
            (r"\.\s*truncate\s*\(\s*\)", "bulk_delete"),
        ])
    });
    static PERL: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\b(?:File::Path::)?(?:rmtree|remove_tree)\b\s*\(?", "tree_delete"),
            (r"\bunlink\b\s*\(?", "file_delete"),
            (r"\b(?:system|exec|qx)\b\s*\(?", "shell"),
        ])
    });
    static RUBY: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\bFileUtils\s*\.\s*(?:rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree)\b\s*\(?", "tree_delete"),
            (r"\b(?:FileUtils\s*\.\s*(?:rm|rm_f|remove)|File\s*\.\s*(?:delete|unlink))\b\s*\(?", "file_delete"),
            (r"\b(?:system|exec|spawn|Open3\s*\.\s*\w+|%x)\b\s*\(?", "shell"),
            // ActiveRecord: `User.delete_all`, `User.all.destroy_all`, `connection.truncate(t)`,
            // `DatabaseTasks.drop_current` / `purge` / `truncate_all`.
            (r"\b[A-Z]\w*(?:::[A-Z]\w*)*\s*\.\s*(?:(?:all|unscoped)\s*\.\s*)?(?:delete_all|destroy_all)\b", "bulk_delete"),
            (r"\bconnection\s*\.\s*(?:truncate|truncate_tables|drop_table|drop_database)\b", "bulk_delete"),
            (r"\bDatabaseTasks\s*\.\s*(?:drop|drop_all|drop_current|purge|purge_all|purge_current|truncate_all)\b", "bulk_delete"),
        ])
    });
    static PHP: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\b(?:rmdir|unlink)\s*\(", "file_delete"),
            (r"\b(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec)\s*\(", "shell"),
            // Eloquent (`artisan tinker`): `User::truncate()`, `User::query()->delete()`,
            // `DB::table('t')->delete()` / `->truncate()`.
            (r"(?:::|->)\s*truncate\s*\(\s*\)", "bulk_delete"),
            (r"::\s*query\s*\(\s*\)\s*->\s*delete\s*\(\s*\)", "bulk_delete"),
            (r"\bDB\s*::\s*table\s*\([^)]*\)\s*->\s*delete\s*\(\s*\)", "bulk_delete"),
        ])
    });
    static AWK: LazyLock<Vec<Call>> = LazyLock::new(|| mk(&[(r"\bsystem\s*\(", "shell")]));
    static LUA: LazyLock<Vec<Call>> = LazyLock::new(|| {
        mk(&[
            (r"\bos\s*\.\s*remove\b\s*\(?", "file_delete"),
            (r"\b(?:os\s*\.\s*execute|io\s*\.\s*popen)\b\s*\(?", "shell"),
        ])
    });
    match lang {
        Lang::Python => &PY,
        Lang::Javascript => &JS,
        Lang::Perl => &PERL,
        Lang::Ruby => &RUBY,
        Lang::Php => &PHP,
        Lang::Awk => &AWK,
        Lang::Lua => &LUA,
    }
}

/// The literal arguments at `pos` in `code` (after the call's opening, if any): a string, or
/// a list of strings (`["rm", "-rf", "/"]`, `("rm", "-rf")`). Stops at the first argument that
/// is not a literal. Returns the values and the span of the first one.
fn literal_args(code: &str, pos: usize, strings: &[Range<usize>]) -> (Vec<String>, Option<Range<usize>>, bool) {
    let b = code.as_bytes();
    let mut i = pos;
    let skip_ws = |i: &mut usize| {
        while b.get(*i).is_some_and(u8::is_ascii_whitespace) {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    let list = matches!(b.get(i), Some(b'[' | b'('));
    if list {
        i += 1;
    }
    let mut vals = vec![];
    let mut first = None;
    loop {
        skip_ws(&mut i);
        let Some(r) = strings.iter().find(|r| r.start == i) else { break };
        first.get_or_insert(r.clone());
        vals.push(literal_value(code, r));
        i = r.end;
        skip_ws(&mut i);
        if b.get(i) == Some(&b',') {
            i += 1;
            continue;
        }
        break;
    }
    (vals, first, list)
}

/// Finds destructive calls in inline `code` (see the module docs) and analyses their literal
/// arguments.
fn scan(a: &mut Analyzer, program: &str, lang: Lang, code: &str, map: SpanMap, depth: usize) {
    let (strings, comments, backticks) = literals(code, lang);
    let mut blank: Vec<u8> = code.as_bytes().to_vec();
    for r in strings.iter().chain(&comments).chain(&backticks) {
        // Keep the quotes of strings so a call's argument is still recognisable.
        let keep = strings.contains(r) || backticks.contains(r);
        for (k, byte) in blank.get_mut(r.clone()).unwrap_or_default().iter_mut().enumerate() {
            if !(keep && (k == 0 || k + r.start + 1 == r.end)) && *byte != b'\n' {
                *byte = b' ';
            }
        }
    }
    let blank = String::from_utf8_lossy(&blank).into_owned();
    super::code_net::scan(a, program, lang, code, &blank, &strings, &map);
    let language = lang.name();
    for call in calls(lang) {
        let Some(pattern) = &call.pattern else {
            a.push(
                Fact::new("code.inline", format!("{language} code (a call detector did not load)"), map.map(0, code.len()))
                    .with("language", language)
                    .with("call", "unknown")
                    .with("effect", call.effect)
                    .with("literal", false),
            );
            continue;
        };
        for m in pattern.find_iter(&blank) {
            let callee = m.as_str().trim_end_matches(['(', ' ', '\t']).split_whitespace().collect::<String>();
            let (vals, first, list) = literal_args(code, m.end(), &strings);
            let span = map.map(m.start(), m.end());
            // `exec(` in Python and JavaScript-ish names also match method calls like
            // `re.compile(...).exec(`; those never take a string literal command, so they stay
            // data unless a literal is passed.
            let literal = !vals.is_empty() && !vals.iter().any(|v| has_interpolation(v, lang));
            if call.effect == "tree_delete" && lang == Lang::Javascript {
                let args = blank.get(m.end()..).unwrap_or_default();
                if !args.split(')').next().unwrap_or_default().contains("recursive") {
                    continue;
                }
            }
            let argument = if list || vals.len() > 1 {
                vals.iter().map(|v| shlex::try_quote(v).map(|c| c.into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(" ")
            } else {
                vals.first().cloned().unwrap_or_default()
            };
            let mut fact = Fact::new("code.inline", format!("{language} {callee}({})", if literal { argument.as_str() } else { "..." }), span)
                .with("language", language)
                .with("call", callee.clone())
                .with("effect", call.effect)
                .with("literal", literal);
            if literal {
                fact = fact.with("argument", argument.clone());
            }
            a.push(fact);
            if !literal {
                continue;
            }
            match call.effect {
                "shell" => {
                    let at = first.as_ref().filter(|_| vals.len() == 1 && !list).and_then(|r| {
                        let inner = r.start + 1;
                        (code.get(inner..inner + argument.len()) == Some(argument.as_str())).then_some(inner)
                    });
                    let sub = match (map.base, at) {
                        (Some(b), Some(at)) => SpanMap::nested(Some(b + at), map.map(at, at + argument.len())),
                        _ => SpanMap::nested(None, span),
                    };
                    a.shell_text(&argument, sub, depth + 1);
                }
                "tree_delete" | "file_delete" => {
                    for v in vals.iter().take(1) {
                        let w = Word::plain(v, span);
                        let class = fs::classify(&w);
                        a.push(
                            Fact::new("fs.delete", format!("{language} {callee}({v})"), span)
                                .with("program", format!("{language}:{callee}"))
                                .with("recursive", call.effect == "tree_delete")
                                .with("force", true)
                                .with("targets", vec![v.clone()])
                                .with("classes", vec![class.name()]),
                        );
                    }
                }
                _ => {}
            }
        }
    }
    for r in &backticks {
        let value = literal_value(code, r);
        let literal = !has_interpolation(&value, lang);
        let span = map.map(r.start, r.end);
        let mut fact = Fact::new("code.inline", format!("{language} `{value}`"), span)
            .with("language", language)
            .with("call", "`...`")
            .with("effect", "shell")
            .with("literal", literal);
        if literal {
            fact = fact.with("argument", value.clone());
        }
        a.push(fact);
        if literal {
            a.shell_text(&value, SpanMap::nested(None, span), depth + 1);
        }
    }
}

/// True if a string literal's value interpolates variables in `lang`.
fn has_interpolation(v: &str, lang: Lang) -> bool {
    match lang {
        Lang::Python => false,
        Lang::Javascript => v.contains("${"),
        Lang::Ruby => v.contains("#{"),
        Lang::Perl | Lang::Php => v.contains('$') || v.contains('@'),
        Lang::Awk | Lang::Lua => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(lang: Lang, code: &str) -> Vec<Fact> {
        let mut a = Analyzer::new(std::path::Path::new("/"));
        scan(&mut a, "test", lang, code, SpanMap::top(code.len()), 0);
        a.facts
    }

    #[test]
    fn all_call_patterns_compile() {
        for lang in [Lang::Python, Lang::Javascript, Lang::Perl, Lang::Ruby, Lang::Php, Lang::Awk, Lang::Lua] {
            assert!(calls(lang).iter().all(|c| c.pattern.is_some()), "{lang:?}");
        }
    }

    #[test]
    fn strings_are_data() {
        assert!(facts(Lang::Python, "print(\"shutil.rmtree('/')\") # os.system('rm -rf /')").is_empty());
        assert!(facts(Lang::Javascript, "console.log('fs.rmSync(\"/\", {recursive: true})')").is_empty());
    }

    #[test]
    fn calls_found() {
        let f = facts(Lang::Python, "import shutil; shutil.rmtree('/')");
        assert!(f.iter().any(|f| f.kind == "code.inline" && f.attrs["effect"] == "tree_delete"));
        assert!(f.iter().any(|f| f.kind == "fs.delete" && f.attrs["classes"][0] == "root"));
        let f = facts(Lang::Python, "import subprocess; subprocess.run(['rm', '-rf', '/'])");
        assert!(f.iter().any(|f| f.kind == "fs.delete"), "{f:?}");
        let f = facts(Lang::Perl, "system('rm -rf ~')");
        assert!(f.iter().any(|f| f.kind == "fs.delete"), "{f:?}");
        let f = facts(Lang::Ruby, "`rm -rf /`");
        assert!(f.iter().any(|f| f.kind == "fs.delete"), "{f:?}");
        let f = facts(Lang::Javascript, "require('fs').rmSync('build', {recursive: true, force: true})");
        assert!(f.iter().any(|f| f.kind == "code.inline" && f.attrs["effect"] == "tree_delete"), "{f:?}");
        assert!(facts(Lang::Javascript, "require('fs').rmSync('x.txt')").is_empty());
    }
}
