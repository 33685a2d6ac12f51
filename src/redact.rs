//! Redaction: replaces secrets in command text with `***` before it is written to the
//! audit log or shown, keeping the structure visible (`postgres://user:***@host`,
//! `PGPASSWORD=*** psql`, `Authorization: Bearer ***`, `ghp_***`).
//!
//! What is redacted (names case-insensitive unless noted):
//! - URL passwords, any scheme: `scheme://user:SECRET@host`.
//! - Assignments `NAME=value` where NAME ends in `_TOKEN`, `_SECRET`, `_KEY`, `_PWD`,
//!   `_PASSWD`, `_PASS`, `_APIKEY`, contains `PASSWORD`, or is `TOKEN`, `SECRET`,
//!   `PASSWD`, `APIKEY` (so `PGPASSWORD`, `MYSQL_PWD`, `api_key=` in query strings,
//!   `password=` in libpq strings). `PWD=` (the working directory) is kept.
//! - Long flags ending in `password`, `passwd`, `token`, `secret`, `api-key`, `apikey`,
//!   `access-key`, `secret-key`, `private-key`, and `--pass`/`--*-pass`, as `--flag=VALUE` or `--flag VALUE`
//!   (a following word starting with `-` is taken as the next flag and kept; `--no-...`
//!   flags are kept); openssl `-pass pass:SECRET`.
//! - The options the command catalog declares secret (`secrets` on an entry, `docs/catalog.md`),
//!   after one of the entry's program names in the same command (and its subcommand `path`):
//!   `value` (`redis-cli -a SECRET`, `mongosh -p SECRET`, `sshpass -pSECRET`,
//!   `docker login -p SECRET`), `attached` (mysql-family `-pSECRET`; a bare `-p` prompts) and
//!   `userinfo` (curl `-u user:SECRET`, `--user`, `-U`, `--proxy-user`).
//! - Headers `Authorization:`/`Proxy-Authorization:` (the scheme, e.g. `Bearer`, is kept),
//!   `X-Api-Key:`, `X-Auth-Token:`, `Private-Token:`, `X-Vault-Token:`.
//! - SQL literals after `PASSWORD` or `IDENTIFIED BY`: `PASSWORD '***'`.
//! - Tokens anywhere: AWS access key ids `AKIA`/`ASIA` + 16, GitHub `gh[pousr]_...` and
//!   `github_pat_...`, Slack `xox[abprs]-...` (the recognisable prefix is kept).
//! - Private key blocks `-----BEGIN ... PRIVATE KEY-----` ... `-----END ... PRIVATE KEY-----`
//!   (to the end of the text when the END line is missing).
//!
//! Ordinary words are not secrets: `SELECT password FROM users` is unchanged; only the
//! values after `=`, `:` or a flag are replaced. Redaction is best effort: it lowers the
//! chance of a secret reaching the log, it does not prove its absence.
//!
//! Each pattern is compiled on its first use, and only tried when a cheap literal trigger
//! (`://`, `authorization`, `pass`, `token`, ...) occurs in the text. The catalog's secret
//! options are the built-in entries' (a table `build.rs` makes, so no catalog is parsed) and
//! those of the installed layers (a layer adds secrets but never removes a built-in one), read
//! the first time a text has an option word (` -`); each entry's pattern is compiled when its
//! program name and option occur in the text.

use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

use crate::catalog::SecretForm;

use regex::{Captures, Regex};
use serde_json::Value;

/// The replacement text for a secret.
pub const MASK: &str = "***";

/// Secret-looking assignment names (see the module docs), case-insensitive.
const NAME: &str = r"(?:[A-Za-z0-9_]*_(?:TOKEN|SECRET|KEY|PWD|PASSWD|PASS|APIKEY)|TOKEN|SECRET|PASSWD|APIKEY|[A-Za-z0-9_]*PASSWORD[A-Za-z0-9_]*)";

/// Long flags that take a secret value (without the leading `--`).
const FLAG: &str =
    r"(?:[a-z0-9-]*(?:password|passwd|token|secret|api-key|apikey|access-key|secret-key|private-key)|(?:[a-z0-9-]*-)?pass)";

/// Compiles a pattern with ASCII word boundaries and blanks: shell words split on ASCII
/// blanks, and ASCII classes keep the automata smaller than Unicode ones.
// The patterns given here are constants of this file, each compiled by the test suite
// (`every_constant_pattern_compiles`), so this cannot fail at run time; patterns made from data
// go through `build_checked`.
#[allow(clippy::expect_used)]
fn build(pattern: &str) -> Regex {
    build_checked(pattern).expect("redaction pattern is valid")
}

/// [`build`] for patterns made from data (the catalog): `None` if it does not compile.
fn build_checked(pattern: &str) -> Option<Regex> {
    let s = pattern.replace(r"\b", r"(?-u:\b)").replace(r"\s", r"[ \t\r\n\x0B\x0C]").replace(r"\S", r"[^ \t\r\n\x0B\x0C]");
    Regex::new(&s).ok()
}

/// Each pattern is compiled on first use only, and used only when its cheap literal trigger
/// occurs in the text, so the common case (no secret-looking text) compiles nothing: guard's
/// start-up cost stays in microseconds.
macro_rules! pattern {
    ($name:ident, $pat:expr) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| build(&$pat));
    };
}

pattern!(PRIVATE_KEY, r"(?s)(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----).*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)");
pattern!(URL, r#"\b([A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@'"]*):[^\s/?#@'"]+@"#);
pattern!(
    AUTH_HEADER,
    r#"(?i-u:\b((?:proxy-)?authorization\s*:\s*)(?:(bearer|basic|token|digest|negotiate|ntlm|aws4-hmac-sha256)(\s+))?)[^\s'"]+"#
);
pattern!(KEY_HEADER, r#"(?i-u:\b((?:x-api-key|x-auth-token|private-token|x-vault-token)\s*:\s*))[^\s'"]+"#);
pattern!(FLAG_VALUE, format!(r#"(?i-u:(--{FLAG})(=|\s+))("[^"]*"|'[^']*'|[^\s'"]+)"#));
pattern!(OPENSSL_PASS, r#"(-pass(?:in|out)?\s+pass:)[^\s'"]+"#);
pattern!(ASSIGN, format!(r#"(?i-u:\b({NAME})=)("[^"]*"|'[^']*'|[^\s'"&;|)]+)"#));
pattern!(SQL_PASSWORD, r"(?i-u:\b(PASSWORD|IDENTIFIED\s+BY)(\s+))'(?:[^']|'')*'");
pattern!(
    TOKENS,
    r"\b(?:(AKIA|ASIA)[0-9A-Z]{16}|(gh[pousr]_)[A-Za-z0-9]{20,}|(github_pat_)[A-Za-z0-9_]{20,}|(xox[abprs]-)[A-Za-z0-9-]{8,})\b"
);
pattern!(JSON_KEY, format!(r"(?i-u:^(?:{NAME}|[a-z0-9_-]*[_-](?:token|secret|key|password|passwd|apikey))$)"));
pattern!(ARGV_FLAG, format!(r"(?i-u:^--{FLAG}$)"));

/// Lowercase fragments of every secret name the patterns know (see [`NAME`] and [`FLAG`]).
const SECRET_WORDS: &[&str] = &["pass", "pwd", "token", "secret", "key"];

fn has_secret_word(lower: &str) -> bool {
    SECRET_WORDS.iter().any(|w| lower.contains(w))
}

/// The part of `orig` that redaction replaced to give `red` (what differs between them once
/// their common prefix and suffix are taken off), without surrounding quotes and blanks.
fn masked_part<'t>(orig: &'t str, red: &str) -> Option<&'t str> {
    let (o, r) = (orig.as_bytes(), red.as_bytes());
    let mut p = o.iter().zip(r).take_while(|(a, b)| a == b).count();
    while !orig.is_char_boundary(p) {
        p -= 1;
    }
    let max_s = o.len().min(r.len()) - p;
    let mut s = o.iter().rev().zip(r.iter().rev()).take(max_s).take_while(|(a, b)| a == b).count();
    while !orig.is_char_boundary(o.len() - s) {
        s -= 1;
    }
    let middle = orig.get(p..o.len().saturating_sub(s))?.trim_matches(|c: char| c == '\'' || c == '"' || c.is_ascii_whitespace());
    (!middle.is_empty() && middle != MASK).then_some(middle)
}

/// Applies `re` with `rep` to `text`, keeping it borrowed when nothing matched, and adds each
/// masked value to `found`.
fn apply<'a>(text: Cow<'a, str>, re: &Regex, mut rep: impl regex::Replacer, found: &mut Vec<String>) -> Cow<'a, str> {
    let rep = |c: &Captures| {
        let mut r = String::new();
        rep.replace_append(c, &mut r);
        if let Some(m) = masked_part(&c[0], &r) {
            found.push(m.to_string());
        }
        r
    };
    match text {
        Cow::Borrowed(s) => match re.replace_all(s, rep) {
            // A closure that kept every match returns an unchanged copy.
            Cow::Owned(n) if n == s => Cow::Borrowed(s),
            other => other,
        },
        Cow::Owned(s) => {
            let changed = match re.replace_all(&s, rep) {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            };
            Cow::Owned(changed.unwrap_or(s))
        }
    }
}

/// `***` keeping the quotes of a quoted value: `"x"` -> `"***"`, `'x'` -> `'***'`.
fn mask_keeping_quotes(value: &str) -> String {
    match value.as_bytes().first() {
        Some(q @ (b'"' | b'\'')) => format!("{0}{MASK}{0}", *q as char),
        _ => MASK.to_string(),
    }
}

/// Returns `text` with the secrets described in the module docs replaced by `***`.
///
/// Input: any text (a shell script, an argv joined with spaces, SQL, a header).
/// Output: the text borrowed unchanged when nothing was found, else a redacted copy.
/// Never fails; compiles its patterns on the first call.
pub fn redact(text: &str) -> Cow<'_, str> {
    redact_found(text, &mut vec![])
}

/// [`redact`], adding every value it masks to `found`.
fn redact_found<'a>(text: &'a str, found: &mut Vec<String>) -> Cow<'a, str> {
    let lower = text.to_ascii_lowercase();
    let secret_word = has_secret_word(&lower);
    let mut t = Cow::Borrowed(text);
    if text.contains("PRIVATE KEY") {
        t = apply(t, &PRIVATE_KEY, |c: &Captures| format!("{}{MASK}{}", &c[1], &c[2]), found);
    }
    if text.contains("://") && text.contains('@') {
        t = apply(t, &URL, format!("${{1}}:{MASK}@").as_str(), found);
    }
    if lower.contains("authorization") {
        t = apply(t, &AUTH_HEADER, |c: &Captures| {
            format!("{}{}{}{MASK}", &c[1], c.get(2).map_or("", |m| m.as_str()), c.get(3).map_or("", |m| m.as_str()))
        }, found);
    }
    if secret_word && lower.contains(':') {
        t = apply(t, &KEY_HEADER, format!("${{1}}{MASK}").as_str(), found);
    }
    if secret_word && text.contains("--") {
        t = apply(t, &FLAG_VALUE, |c: &Captures| {
            let (flag, sep, value) = (&c[1], &c[2], &c[3]);
            let keep = flag.get(..5).is_some_and(|f| f.eq_ignore_ascii_case("--no-")) && flag.len() > 5 || (sep != "=" && value.starts_with('-'));
            if keep { c[0].to_string() } else { format!("{flag}{sep}{}", mask_keeping_quotes(value)) }
        }, found);
    }
    if text.contains("pass:") {
        t = apply(t, &OPENSSL_PASS, format!("${{1}}{MASK}").as_str(), found);
    }
    if secret_word && text.contains('=') {
        t = apply(t, &ASSIGN, |c: &Captures| {
            if c[1].eq_ignore_ascii_case("pwd") {
                c[0].to_string()
            } else {
                format!("{}={}", &c[1], mask_keeping_quotes(&c[2]))
            }
        }, found);
    }
    if lower.contains("password") || lower.contains("identified") {
        t = apply(t, &SQL_PASSWORD, format!("${{1}}${{2}}'{MASK}'").as_str(), found);
    }
    if has_option_word(text) {
        for c in clients_named_in(text).into_iter().filter(|c| c.triggered_by(text)) {
            let Some(re) = c.pattern() else { continue };
            t = match c.form {
                SecretForm::Value => apply(t, re, |c: &Captures| format!("{}{}", &c[1], mask_keeping_quotes(&c[2])), found),
                SecretForm::Attached | SecretForm::Userinfo => apply(t, re, format!("${{1}}{MASK}").as_str(), found),
            };
        }
    }
    if ["AKIA", "ASIA", "gh", "github_pat_", "xox"].iter().any(|p| text.contains(p)) {
        t = apply(t, &TOKENS, |c: &Captures| {
            let prefix = (1..=4).find_map(|i| c.get(i)).map_or("", |m| m.as_str());
            format!("{prefix}{MASK}")
        }, found);
    }
    t
}

fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Redacts an argv element by element, also catching secrets that are split across
/// elements: the value after `--password`/`--token`/`--secret`-like flags, and the options
/// the command catalog declares secret ([`ClientSecret`]) in any element after one whose
/// basename is one of the entry's program names (and after its subcommand `path`): the value
/// of a `value` option (`redis-cli -a SECRET`, `sshpass -pSECRET`, `docker login -p SECRET`),
/// `-pSECRET` of an `attached` one (mysql), the `user:SECRET` of a `userinfo` one (curl
/// `-u`, `--user=`, `-uuser:SECRET`). Every element also goes through [`redact`].
///
/// Input: the argv as given to exec. Output: a new argv of the same length.
pub fn redact_argv(argv: &[String]) -> Vec<String> {
    let clients = if argv.iter().any(|a| a.starts_with('-')) { client_secrets() } else { &[] };
    let mut out = Vec::with_capacity(argv.len());
    // Secrets whose program was seen, with how many words of their path were seen since.
    let mut seen: Vec<(&ClientSecret, usize)> = vec![];
    #[derive(PartialEq)]
    enum Next {
        Plain,
        Secret,
        UserPass,
    }
    let mut next = Next::Plain;
    for arg in argv {
        let pending = std::mem::replace(&mut next, Next::Plain);
        if pending == Next::Secret && !arg.starts_with('-') {
            out.push(MASK.to_string());
            continue;
        }
        if pending == Next::UserPass
            && let Some((user, _)) = arg.split_once(':')
        {
            out.push(format!("{user}:{MASK}"));
            continue;
        }
        for (c, k) in &mut seen {
            if c.path.get(*k).is_some_and(|w| crate::catalog::word_matches(w, arg)) {
                *k += 1;
            }
        }
        let base = basename(arg);
        seen.extend(clients.iter().filter(|c| c.names.iter().any(|n| n == base)).map(|c| (c, 0)));
        let active = seen.iter().filter(|(c, k)| *k >= c.path.len()).map(|(c, _)| *c);
        let mut masked = None;
        for c in active {
            match c.argv_element(arg) {
                Element::Plain => continue,
                Element::SecretNext => next = Next::Secret,
                Element::UserinfoNext => next = Next::UserPass,
                Element::Masked(m) => masked = Some(m),
            }
            break;
        }
        if let Some(m) = masked {
            out.push(m);
            continue;
        }
        if next == Next::Plain
            && arg.starts_with("--")
            && has_secret_word(&arg.to_ascii_lowercase())
            && ARGV_FLAG.is_match(arg)
            && !arg.to_ascii_lowercase().starts_with("--no-")
        {
            next = Next::Secret;
        }
        out.push(redact(arg).into_owned());
    }
    out
}

/// True if `text` has a word that starts with `-` (an option) after a blank: every catalog
/// secret pattern needs one, so other texts never load the catalog.
fn has_option_word(text: &str) -> bool {
    text.as_bytes().windows(2).any(|w| matches!(w, [b' ' | b'\t' | b'\n', b'-']))
}

/// One `secrets` item of a catalog entry ([`crate::catalog::Secret`]) with the entry's
/// program names, and its text pattern, compiled on first use.
#[derive(Debug)]
pub struct ClientSecret {
    /// The entry's program names.
    pub names: Vec<String>,
    /// Subcommand words that must follow a program name (`login`; `a|b` accepts either).
    pub path: Vec<String>,
    /// The secret options.
    pub options: Vec<String>,
    /// How their values are written.
    pub form: SecretForm,
    pattern: OnceLock<Option<Regex>>,
}

/// What one argv element is for a [`ClientSecret`].
enum Element {
    /// Nothing to do with it.
    Plain,
    /// A `value` option alone: the next element is the secret.
    SecretNext,
    /// A `userinfo` option alone: the next element is `user:SECRET`.
    UserinfoNext,
    /// The element with its secret masked.
    Masked(String),
}

impl ClientSecret {
    fn short(o: &str) -> bool {
        !o.starts_with("--") && o.chars().count() == 2
    }

    /// How `arg` (one argv element after the program) reads for this secret.
    fn argv_element(&self, arg: &str) -> Element {
        for o in &self.options {
            let (exact, rest) = match arg.strip_prefix(o.as_str()) {
                Some("") => (true, ""),
                Some(r) if Self::short(o) => (false, r),
                Some(r) => match r.strip_prefix('=') {
                    Some(v) => (false, v),
                    None => continue,
                },
                None => continue,
            };
            let eq = if Self::short(o) || arg.len() == o.len() { "" } else { "=" };
            return match (self.form, exact) {
                (SecretForm::Value, true) => Element::SecretNext,
                (SecretForm::Userinfo, true) => Element::UserinfoNext,
                (SecretForm::Attached, true) => Element::Plain,
                (SecretForm::Value | SecretForm::Attached, false) => Element::Masked(format!("{o}{eq}{MASK}")),
                (SecretForm::Userinfo, false) => match rest.split_once(':') {
                    Some((user, _)) => Element::Masked(format!("{o}{eq}{user}:{MASK}")),
                    None => Element::Plain,
                },
            };
        }
        Element::Plain
    }

    /// True if `text` mentions one of the options (a cheap literal test before the pattern
    /// is compiled or run; [`clients_named_in`] found the program name).
    fn triggered_by(&self, text: &str) -> bool {
        self.options.iter().any(|o| text.contains(o.as_str()))
    }

    /// The text pattern: group 1 is the program, path and option up to the secret; for
    /// `value`, group 2 is the value (quotes included).
    fn pattern(&self) -> Option<&Regex> {
        self.pattern.get_or_init(|| build_checked(&self.pattern_text()?)).as_ref()
    }

    fn pattern_text(&self) -> Option<String> {
        // Catalog text is escaped; a backslash in it would meet `build`'s `\s`/`\b` rewriting.
        let alt = |items: &mut dyn Iterator<Item = &str>, f: &dyn Fn(String, bool) -> String| -> Option<String> {
            let mut v = vec![];
            for x in items {
                if x.is_empty() || x.contains('\\') {
                    return None;
                }
                v.push(f(regex::escape(x), x.starts_with("--")));
            }
            (!v.is_empty()).then(|| v.join("|"))
        };
        let plain = |x: String, _| x;
        let names = alt(&mut self.names.iter().map(String::as_str), &plain)?;
        let mut path = String::new();
        for w in &self.path {
            path.push_str(&format!(r"\s+(?:{})\b", alt(&mut w.split('|'), &plain)?));
        }
        let prefix = format!(r"\b((?:{names})\b{path}[^\n;&|]*?\s");
        let options = &mut self.options.iter().map(String::as_str);
        Some(match self.form {
            SecretForm::Value => {
                let o = alt(options, &|o, long| if long { format!(r"{o}(?:=|\s+)") } else { format!(r"{o}\s*") })?;
                format!(r#"{prefix}(?:{o}))("[^"]*"|'[^']*'|[^\s'"-][^\s'"]*)"#)
            }
            SecretForm::Attached => {
                let o = alt(options, &|o, long| if long { format!("{o}=") } else { o })?;
                format!(r#"{prefix}(?:{o}))(?:'[^']*'|"[^"]*"|\S+)"#)
            }
            SecretForm::Userinfo => {
                let o = alt(options, &plain)?;
                format!(r#"{prefix}(?:{o})(?:\s+|=)?['"]?[^\s:'"]*:)[^\s'"]+"#)
            }
        })
    }
}

/// The [`ClientSecret`]s whose program names occur in `text` as the base name of a word
/// (one pass over the text, a hash lookup per word), in catalog order.
fn clients_named_in(text: &str) -> Vec<&'static ClientSecret> {
    static BY_NAME: LazyLock<std::collections::HashMap<&'static str, Vec<usize>>> = LazyLock::new(|| {
        let mut m: std::collections::HashMap<&'static str, Vec<usize>> = std::collections::HashMap::new();
        for (i, c) in client_secrets().iter().enumerate() {
            for n in &c.names {
                m.entry(n.as_str()).or_default().push(i);
            }
        }
        m
    });
    let words = text.split(|c: char| c.is_ascii_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')' | '`' | '\'' | '"' | '<' | '>'));
    let mut hits: Vec<usize> = words.filter_map(|w| BY_NAME.get(basename(w))).flatten().copied().collect();
    hits.sort_unstable();
    hits.dedup();
    let all = client_secrets();
    hits.into_iter().filter_map(|i| all.get(i)).collect()
}

/// Every secret option the effective command catalog declares (built-in entries, and those
/// of the system, user and trusted project layers, including entries a later layer
/// replaced), read once per process.
pub fn client_secrets() -> &'static [ClientSecret] {
    static ALL: LazyLock<Vec<ClientSecret>> = LazyLock::new(|| {
        let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Built-in entries from the table build.rs made (no catalog parsing), then the layers.
        let mut out: Vec<ClientSecret> = crate::catalog::BUILTIN_SECRETS
            .iter()
            .map(|b| ClientSecret {
                names: owned(b.names),
                path: owned(b.path),
                options: owned(b.options),
                form: match b.form {
                    "attached" => SecretForm::Attached,
                    "userinfo" => SecretForm::Userinfo,
                    _ => SecretForm::Value,
                },
                pattern: OnceLock::new(),
            })
            .collect();
        for p in crate::catalog::installed().programs() {
            for s in &p.secrets {
                out.push(ClientSecret {
                    names: p.names.clone(),
                    path: s.path.clone(),
                    options: s.options.clone(),
                    form: s.form,
                    pattern: OnceLock::new(),
                });
            }
        }
        out
    });
    &ALL
}

/// Shortest masked value that [`scrub`] removes everywhere else in a record: shorter ones
/// would mangle ordinary text (they stay masked where redaction found them).
pub const MIN_SCRUB_LEN: usize = 4;

/// The secret values that [`redact`] and [`redact_argv`] mask in `texts` (each text as a
/// whole and the texts as an argv), longest first, at least [`MIN_SCRUB_LEN`] bytes long.
/// Give them to [`scrub`] to mask the same values where they reappear in another shape: in
/// a parser's error message, a fact's summary without the quotes, an attribute.
pub fn secrets(texts: &[&str]) -> Vec<String> {
    let mut found = vec![];
    for t in texts {
        let _ = redact_found(t, &mut found);
    }
    let argv: Vec<String> = texts.iter().map(|t| t.to_string()).collect();
    for (orig, red) in argv.iter().zip(redact_argv(&argv)) {
        // Only masks the argv pass adds (a value after `--password`, `-pX`, `-u user:X`):
        // what plain redaction masks inside an element was collected above, value by value.
        if red == redact(orig) {
            continue;
        }
        if let Some(m) = masked_part(orig, &red) {
            found.push(m.to_string());
        }
    }
    found.retain(|s| s.len() >= MIN_SCRUB_LEN);
    found.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    found.dedup();
    found
}

/// Replaces every occurrence of each of `secrets` in the strings of `value` (recursively,
/// keys left as they are) with `***`. Linear in the size of `value`: the secrets are matched
/// together, as one set of literals.
pub fn scrub(value: &mut Value, secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let alternation = secrets.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|");
    match regex::RegexBuilder::new(&alternation).size_limit(64 << 20).build() {
        Ok(re) => scrub_with(value, &|s: &str| match re.replace_all(s, MASK) {
            Cow::Owned(n) => Some(n),
            Cow::Borrowed(_) => None,
        }),
        // Too many secrets for one automaton: one pass per secret, longest first.
        Err(_) => scrub_with(value, &|s: &str| {
            let mut out = Cow::Borrowed(s);
            for x in secrets {
                if out.contains(x.as_str()) {
                    out = Cow::Owned(out.replace(x.as_str(), MASK));
                }
            }
            match out {
                Cow::Owned(n) => Some(n),
                Cow::Borrowed(_) => None,
            }
        }),
    }
}

fn scrub_with(value: &mut Value, f: &dyn Fn(&str) -> Option<String>) {
    match value {
        Value::String(s) => {
            if let Some(n) = f(s) {
                *s = n;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_with(v, f)),
        Value::Object(map) => map.values_mut().for_each(|v| scrub_with(v, f)),
        _ => {}
    }
}

/// Applies [`redact`] to every string in `value`, recursively (object keys are left
/// as they are). A string value under an object key that names a secret (`password`,
/// `api_key`, `github_token`, `client_secret`, ...: the assignment names of the module
/// docs, plus `-`/`_`-separated names ending in `token`, `secret`, `key`, `password`,
/// `passwd`, `apikey`) is replaced by `***` as a whole.
pub fn redact_json(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(n) = redact(s) {
                *s = n;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_json),
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(s)
                        if !s.is_empty() && s != MASK && has_secret_word(&k.to_ascii_lowercase()) && JSON_KEY.is_match(k) =>
                    {
                        *s = MASK.to_string();
                    }
                    _ => redact_json(v),
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_constant_pattern_compiles() {
        for re in [
            &*super::PRIVATE_KEY, &*super::URL, &*super::AUTH_HEADER, &*super::KEY_HEADER, &*super::FLAG_VALUE,
            &*super::OPENSSL_PASS, &*super::ASSIGN, &*super::SQL_PASSWORD, &*super::TOKENS, &*super::JSON_KEY,
            &*super::ARGV_FLAG,
        ] {
            assert!(!re.as_str().is_empty());
        }
    }

    use super::*;
    use serde_json::json;

    #[track_caller]
    fn same(text: &str) {
        let out = redact(text);
        assert!(matches!(out, Cow::Borrowed(_)), "false redaction:\n  in:  {text}\n  out: {out}");
    }

    #[track_caller]
    fn red(text: &str, want: &str) {
        let out = redact(text);
        assert_eq!(out, want, "input: {text}");
        // Idempotent.
        assert_eq!(redact(&out), want, "second pass over: {out}");
    }

    #[test]
    fn url_passwords_any_scheme() {
        red("psql postgres://user:s3cr3t@db:5432/app", "psql postgres://user:***@db:5432/app");
        red("mongodb+srv://admin:p%40ss@cluster0.x.net/db", "mongodb+srv://admin:***@cluster0.x.net/db");
        red("redis://:hunter2@cache:6379/0", "redis://:***@cache:6379/0");
        red("'https://bob:pw@example.com/x' and ftp://a:b@h", "'https://bob:***@example.com/x' and ftp://a:***@h");
        red("DATABASE_URL=mysql://root:toor@localhost/db ./run", "DATABASE_URL=mysql://root:***@localhost/db ./run");
    }

    #[test]
    fn urls_without_password_stay() {
        same("curl https://example.com:8443/path?q=1");
        same("git clone https://github.com/owner/repo.git");
        same("ssh://git@github.com/owner/repo");
        same("http://host:8080/a?email=x@example.com");
        same("scp file user@host:/path");
    }

    #[test]
    fn env_assignments() {
        red("PGPASSWORD=secret psql -h db", "PGPASSWORD=*** psql -h db");
        red("MYSQL_PWD='a b c' mysql", "MYSQL_PWD='***' mysql");
        red("export GITHUB_TOKEN=abc123; gh pr list", "export GITHUB_TOKEN=***; gh pr list");
        red("AWS_SECRET_ACCESS_KEY=\"x/y+z\" aws s3 ls", "AWS_SECRET_ACCESS_KEY=\"***\" aws s3 ls");
        red("env CLIENT_SECRET=s API_KEY=k DB_PASS=p cmd", "env CLIENT_SECRET=*** API_KEY=*** DB_PASS=*** cmd");
        red("ADMIN_PASSWORD_HASH=h x", "ADMIN_PASSWORD_HASH=*** x");
        red("psql 'host=db user=app password=hunter2 dbname=x'", "psql 'host=db user=app password=*** dbname=x'");
        red("curl 'https://api.x.com/v1?api_key=abc&q=1'", "curl 'https://api.x.com/v1?api_key=***&q=1'");
        red("TOKEN=t cmd && SECRET=s cmd", "TOKEN=*** cmd && SECRET=*** cmd");
        red(
            "kubectl create secret generic s --from-literal=password=abc",
            "kubectl create secret generic s --from-literal=password=***",
        );
    }

    #[test]
    fn env_lookalikes_stay() {
        same("PWD=/tmp ls");
        same("export PATH=/usr/bin:$PATH");
        same("echo $PGPASSWORD");
        same("MY_TOKEN_FILE=/run/secrets/t cmd");
        same("FOO_TOKEN= cmd");
        same("KEY=value make");
        same("MONKEY=banana");
    }

    #[test]
    fn flags() {
        red("mysql --password=hunter2 db", "mysql --password=*** db");
        red("app --password hunter2 --user x", "app --password *** --user x");
        red("gh auth --token ghx_notreal", "gh auth --token ***");
        red("vault --secret 's e c' x", "vault --secret '***' x");
        red("tool --github-token=abc --api-key xyz", "tool --github-token=*** --api-key ***");
        red("cmd --PASSWORD=X", "cmd --PASSWORD=***");
        red("openssl pkcs12 -in a.p12 -passin pass:hunter2 -out b", "openssl pkcs12 -in a.p12 -passin pass:*** -out b");
    }

    #[test]
    fn flag_lookalikes_stay() {
        same("docker login --password-stdin -u user registry");
        same("tool --token-file /run/tok");
        same("psql --no-password -h db app");
        same("app --password -h host");
        same("grep -r token src/");
        same("kubectl get secret mysecret -o yaml");
    }

    #[test]
    fn mysql_attached_p() {
        red("mysql -uroot -phunter2 app", "mysql -uroot -p*** app");
        red("/usr/bin/mysqldump -h db -p'x y' app > d.sql", "/usr/bin/mysqldump -h db -p*** app > d.sql");
        red("cd /x && mariadb -psecret -e 'select 1'", "cd /x && mariadb -p*** -e 'select 1'");
        red("sudo mysqladmin -u root -ppw status", "sudo mysqladmin -u root -p*** status");
    }

    #[test]
    fn mysql_lookalikes_stay() {
        same("mysql -p -h db app");
        same("mysql -P3306 --port=3306 -h db");
        same("ssh -p 2222 host");
        same("tar -xpf x.tar");
        same("mkdir -p /tmp/x");
        same("mysql -h db app; mkdir -p/tmp/x");
        same("cp -pr a b");
    }

    #[test]
    fn client_short_password_flags() {
        red("redis-cli -h db -a s3cret FLUSHALL", "redis-cli -h db -a *** FLUSHALL");
        red("valkey-cli -a 'x y' ping", "valkey-cli -a '***' ping");
        red("sshpass -p hunter2 ssh h", "sshpass -p *** ssh h");
        red("sshpass -phunter2 ssh h", "sshpass -p*** ssh h");
        red("mongosh -u admin -p pw app", "mongosh -u admin -p *** app");
        red("docker login -u me -p tok registry", "docker login -u me -p *** registry");
        red("redis-cli --pass s3cret ping", "redis-cli --pass *** ping");
        same("docker run -p 8080:80 img");
        same("redis-cli -a");
        same("mongosh -p --eval 1");
        same("grep -a pattern file");
        same("tool --bypass x --passive y");
    }

    /// Clients that only the command catalog names (no list in this file): their secret
    /// options come from `secrets` on their entries.
    #[test]
    fn catalog_clients() {
        red("mysqlslap -uroot -phunter2 --concurrency=5", "mysqlslap -uroot -p*** --concurrency=5");
        red("mariadb-import -p'x y' db f.csv", "mariadb-import -p*** db f.csv");
        red("mongoexport -d app -p s3cret -o u.json", "mongoexport -d app -p *** -o u.json");
        red("mycli -u root -p s3cret app", "mycli -u root -p *** app");
        red("keydb-cli -a s3cret ping", "keydb-cli -a *** ping");
        red("podman login -p tok quay.io", "podman login -p *** quay.io");
        red("nerdctl login -ptok quay.io", "nerdctl login -p*** quay.io");
        red("curl --proxy-user=p:q https://x", "curl --proxy-user=p:*** https://x");
        same("mysqlslap -p --concurrency=5");
        same("podman run -p 8080:80 img");
        same("mycli -p --help");
        let names: Vec<&str> = client_secrets().iter().flat_map(|c| c.names.iter().map(String::as_str)).collect();
        for n in ["mysql", "mysqldump", "redis-cli", "mongosh", "mongodump", "sshpass", "docker", "curl", "mariadb-slap"] {
            assert!(names.contains(&n), "{n} has no secret options in the catalog");
        }
        for c in client_secrets() {
            assert!(c.pattern().is_some(), "the pattern of {:?} {:?} compiles", c.names, c.options);
        }
    }

    #[test]
    fn catalog_clients_argv() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases: &[(&[&str], &[&str])] = &[
            (&["docker", "login", "-u", "me", "-p", "tok", "reg"], &["docker", "login", "-u", "me", "-p", "***", "reg"]),
            (&["docker", "run", "-p", "8080:80", "img"], &["docker", "run", "-p", "8080:80", "img"]),
            (&["sshpass", "-phunter2", "ssh", "h"], &["sshpass", "-p***", "ssh", "h"]),
            (&["sshpass", "-p", "hunter2", "ssh", "h"], &["sshpass", "-p", "***", "ssh", "h"]),
            (&["/usr/bin/mysqlslap", "-p", "-pab", "x"], &["/usr/bin/mysqlslap", "-p", "-p***", "x"]),
            (&["redis-cli", "-a", "-x", "SET", "k"], &["redis-cli", "-a", "-x", "SET", "k"]),
            (&["mongosh", "-u", "a", "-p", "pw", "app"], &["mongosh", "-u", "a", "-p", "***", "app"]),
            (&["curl", "--user=a:b", "https://x"], &["curl", "--user=a:***", "https://x"]),
            (&["mysql", "-P3306", "--port", "3306"], &["mysql", "-P3306", "--port", "3306"]),
        ];
        for (argv, want) in cases {
            assert_eq!(redact_argv(&v(argv)), v(want), "{argv:?}");
        }
    }

    #[test]
    fn option_words() {
        assert!(!has_option_word("x"));
        assert!(!has_option_word("echo a-b"));
        assert!(has_option_word("ls -l"));
    }

    #[test]
    fn secrets_and_scrub() {
        let found = secrets(&["PGPASSWORD='a b c d' psql", "--password", "hunter22", "-pab", "x"]);
        assert_eq!(found, ["hunter22", "a b c d"]);
        let mut v = json!({"message": "found: 'hunter22' at 1", "n": ["a b c d!"], "k": 1});
        scrub(&mut v, &found);
        assert_eq!(v, json!({"message": "found: '***' at 1", "n": ["***!"], "k": 1}));
        assert_eq!(masked_part("u:pw@h", "u:***@h"), Some("pw"));
        assert_eq!(masked_part("é=ü", "é=***"), Some("ü"));
        assert_eq!(masked_part("x", "x"), None);
    }

    #[test]
    fn headers() {
        red(
            "curl -H 'Authorization: Bearer eyJhbGciOi.x.y' https://x",
            "curl -H 'Authorization: Bearer ***' https://x",
        );
        red("curl -H \"authorization: Basic dXNlcjpwYXNz\" u", "curl -H \"authorization: Basic ***\" u");
        red("Authorization:token abc", "Authorization:token ***");
        red("Proxy-Authorization: xyz", "Proxy-Authorization: ***");
        red("curl -H 'X-Api-Key: k123' -H 'Private-Token: p'", "curl -H 'X-Api-Key: ***' -H 'Private-Token: ***'");
        same("curl -H 'Content-Type: application/json' https://x");
        same("the Authorization header is required");
    }

    #[test]
    fn curl_user() {
        red("curl -u alice:s3cret https://x", "curl -u alice:*** https://x");
        red("curl -ualice:s3cret https://x", "curl -ualice:*** https://x");
        red("curl --user 'alice:s3cret' https://x", "curl --user 'alice:***' https://x");
        red("curl -sS --proxy-user p:q -x proxy https://x", "curl -sS --proxy-user p:*** -x proxy https://x");
        same("docker run -u 1000:1000 image");
        same("curl -u alice https://x");
        same("ps -u root:x");
    }

    #[test]
    fn tokens() {
        red("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE", "aws configure set aws_access_key_id AKIA***");
        red("echo ghp_abcdefghijklmnopqrstuvwxyz0123456789 | x", "echo ghp_*** | x");
        red(
            "git remote add o https://github_pat_11ABCDEFG0123456789_abcdefXYZ@github.com/x",
            "git remote add o https://github_pat_***@github.com/x",
        );
        red("post xoxb-1234-5678-abcdefgh to slack", "post xoxb-*** to slack");
        same("AKIA is a prefix; ghp_short; xoxb-; AKIAshort");
    }

    #[test]
    fn sql() {
        red("ALTER USER bob WITH PASSWORD 'it''s secret'", "ALTER USER bob WITH PASSWORD '***'");
        red("CREATE USER 'u'@'%' IDENTIFIED BY 'pw';", "CREATE USER 'u'@'%' IDENTIFIED BY '***';");
        red("UPDATE users SET password='x' WHERE id=1", "UPDATE users SET password='***' WHERE id=1");
        same("SELECT password FROM users");
        same("SELECT id, password_hash, token FROM sessions WHERE password IS NULL");
        same("ALTER TABLE users DROP COLUMN password");
    }

    #[test]
    fn private_keys() {
        let pem = "cat <<EOF > k\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\nAAAA\n-----END OPENSSH PRIVATE KEY-----\nEOF";
        red(pem, "cat <<EOF > k\n-----BEGIN OPENSSH PRIVATE KEY-----***-----END OPENSSH PRIVATE KEY-----\nEOF");
        red("-----BEGIN PRIVATE KEY-----\nMIIE\nrest", "-----BEGIN PRIVATE KEY-----***");
        red(
            "-----BEGIN RSA PRIVATE KEY-----\na\n-----END RSA PRIVATE KEY----- and -----BEGIN EC PRIVATE KEY-----b-----END EC PRIVATE KEY-----",
            "-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY----- and -----BEGIN EC PRIVATE KEY-----***-----END EC PRIVATE KEY-----",
        );
        same("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
        same("-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----");
    }

    #[test]
    fn ordinary_text_stays() {
        for t in [
            "",
            "ls -la /tmp",
            "git push origin main",
            "psql -h db.example.com -U alice -d app -c 'select 1'",
            "rm -rf ./build && cargo build",
            "echo 'password: please enter it below'",
            "the token bucket has a secret sauce and a key",
            "kubectl delete pod web-1 -n prod",
            "ssh-keygen -t ed25519 -f ~/.ssh/id",
            "git log --format=%H --since=2.weeks",
            "terraform apply -var region=eu-west-1",
            "mail user@example.com",
            "DROP TABLE users; -- 日本語 ünïcödé",
        ] {
            same(t);
        }
    }

    #[test]
    fn argv() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            redact_argv(&v(&["mysql", "-u", "root", "-phunter2", "--password", "pw2", "app"])),
            v(&["mysql", "-u", "root", "-p***", "--password", "***", "app"])
        );
        assert_eq!(
            redact_argv(&v(&["/usr/bin/curl", "-u", "a:b", "-H", "Authorization: Bearer t", "-Uc:d", "https://x:y@h"])),
            v(&["/usr/bin/curl", "-u", "a:***", "-H", "Authorization: Bearer ***", "-Uc:***", "https://x:***@h"])
        );
        assert_eq!(
            redact_argv(&v(&["sh", "-c", "PGPASSWORD=x psql -c 'select 1'"])),
            v(&["sh", "-c", "PGPASSWORD=*** psql -c 'select 1'"])
        );
        // Not mysql: -p is some other flag; not curl: -u is a user.
        let plain = v(&["ssh", "-p2222", "host", "docker", "run", "-u", "1000:1000", "--no-password", "x"]);
        assert_eq!(redact_argv(&plain), plain);
        // A secret flag followed by another flag: nothing to hide.
        assert_eq!(redact_argv(&v(&["app", "--token", "--verbose"])), v(&["app", "--token", "--verbose"]));
        assert_eq!(redact_argv(&v(&["app", "--token"])), v(&["app", "--token"]));
        assert!(redact_argv(&[]).is_empty());
    }

    #[test]
    fn json() {
        let mut v = json!({
            "argv": ["psql", "postgres://u:p@h/db"],
            "env": {"PGPASSWORD": "x", "GITHUB_TOKEN": "t", "key_id": "abcd", "HOME": "/root", "sort_key": "name"},
            "summary": "DROP TABLE users",
            "n": 3,
            "nested": [{"client_secret": "s", "password": ""}],
        });
        redact_json(&mut v);
        assert_eq!(
            v,
            json!({
                "argv": ["psql", "postgres://u:***@h/db"],
                "env": {"PGPASSWORD": "***", "GITHUB_TOKEN": "***", "key_id": "abcd", "HOME": "/root", "sort_key": "***"},
                "summary": "DROP TABLE users",
                "n": 3,
                "nested": [{"client_secret": "***", "password": ""}],
            })
        );
    }
}

#[cfg(test)]
mod timing {
    /// Informational: the first call compiles the patterns.
    #[test]
    fn redact_timing() {
        let t = std::time::Instant::now();
        let _ = super::redact("x");
        let first = t.elapsed();
        let text =
            "PGPASSWORD=x psql postgres://u:p@h/db -c 'select 1' && curl -H 'Authorization: Bearer t' x ".repeat(10);
        let t = std::time::Instant::now();
        for _ in 0..100 {
            let _ = super::redact(&text);
        }
        eprintln!("redact: first call (compiles patterns) {first:?}, then {:?} per 1 KB text", t.elapsed() / 100);
    }
}
