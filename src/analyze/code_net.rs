//! Inline interpreter code that sends a secret over the network: the HTTP clients and sockets
//! of Python, JavaScript, Ruby, Perl and PHP, and the secrets such code reads (a literal secret
//! file path, the whole environment, an environment variable named like a credential).
//!
//! Code is not parsed, so what a call sends is not known; when one piece of inline code both
//! reads a secret and calls a sending client, the source is taken to reach the send (a
//! `data.source` and a `net.send` of the same command, which `net::flows` pairs into
//! `net.exfil`). Sources: `requests`, `httpx`, `urllib.request`, `http.client` (Python docs);
//! `fetch`, `axios`, `http.request` (Node.js docs); `Net::HTTP`, `RestClient`, `HTTParty`
//! (Ruby); `LWP::UserAgent`, `HTTP::Tiny` (Perl); cURL and stream contexts (PHP manual);
//! MITRE ATT&CK T1041, T1552.001.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{net, Analyzer};
use crate::catalog::Language as Lang;
use crate::fact::Fact;
use crate::shell::SpanMap;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// A sending call: its pattern over the code with string contents blanked, and, when the call
/// only sends with a body, a pattern that must also match (over the same text, or over the
/// original code when `in_strings`).
struct Sender {
    call: &'static str,
    with: Option<&'static str>,
    in_strings: bool,
}

const fn s(call: &'static str) -> Sender {
    Sender { call, with: None, in_strings: false }
}
const fn w(call: &'static str, with: &'static str) -> Sender {
    Sender { call, with: Some(with), in_strings: false }
}
const fn ws(call: &'static str, with: &'static str) -> Sender {
    Sender { call, with: Some(with), in_strings: true }
}

/// Sending calls per language.
fn senders(lang: Lang) -> &'static [Sender] {
    const PY: &[Sender] = &[
        s(r"\b(?:requests|httpx|session|s|client)\s*\.\s*(?:post|put|patch)\s*\("),
        ws(r"\b(?:requests|httpx)\s*\.\s*request\s*\(", r"(?i)['\x22](?:post|put|patch)['\x22]"),
        w(r"\burlopen\s*\(", r"\bdata\s*=|\burlopen\s*\([^()]*,"),
        ws(r"\bHTTPS?Connection\s*\(", r"['\x22](?:POST|PUT|PATCH)['\x22]"),
        w(r"\bsocket\s*\.\s*(?:socket|create_connection)\s*\(", r"\.\s*send(?:all|to)?\s*\("),
    ];
    const JS: &[Sender] = &[
        w(r"\bfetch\s*\(", r"\bbody\s*:"),
        s(r"\baxios\s*\.\s*(?:post|put|patch)\s*\("),
        w(r"\baxios\s*\(", r"\bdata\s*:"),
        w(r"\b(?:https?|http2)\s*\.\s*request\s*\(", r"\.\s*(?:write|end)\s*\(\s*[^)\s]"),
        w(r"\bnet\s*\.\s*(?:connect|createConnection)\s*\(", r"\.\s*(?:write|end)\s*\(\s*[^)\s]"),
    ];
    const RUBY: &[Sender] = &[
        s(r"\bNet::HTTP\s*\.\s*(?:post|post_form|put)\b"),
        s(r"\bNet::HTTP::(?:Post|Put|Patch)\s*\.\s*new\b"),
        s(r"\b(?:RestClient|HTTParty|Faraday|HTTP)\s*\.\s*(?:post|put|patch)\b"),
        w(r"\bTCPSocket\s*\.\s*(?:new|open)\b", r"\.\s*(?:write|puts|print|send)\b"),
    ];
    const PERL: &[Sender] = &[
        w(r"\b(?:LWP::UserAgent|HTTP::Tiny|Mojo::UserAgent)\b", r"->\s*(?:post|put|post_form|patch)\b"),
        ws(r"\bHTTP::Request\s*->\s*new\b", r"['\x22](?:POST|PUT)['\x22]"),
        w(r"\bIO::Socket::(?:INET|IP|SSL)\b", r"\b(?:print|send|syswrite)\b"),
    ];
    const PHP: &[Sender] = &[
        s(r"\bCURLOPT_(?:POSTFIELDS|UPLOAD|INFILE)\b"),
        ws(r"\bstream_context_create\s*\(", r"(?i)['\x22](?:post|put)['\x22]"),
        w(r"\bfsockopen\s*\(", r"\bf(?:write|puts)\s*\("),
    ];
    match lang {
        Lang::Python => PY,
        Lang::Javascript => JS,
        Lang::Ruby => RUBY,
        Lang::Perl => PERL,
        Lang::Php => PHP,
        Lang::Awk | Lang::Lua => &[],
    }
}

/// Reads of the whole environment per language (a dump, kind `env_dump`).
fn env_dump(lang: Lang) -> &'static str {
    match lang {
        Lang::Python => r"\bos\s*\.\s*environ\b\s*(?:[^\[.\s]|\.\s*(?:items|copy|values|keys)\b|$)",
        Lang::Javascript => r"\bprocess\s*\.\s*env\b\s*(?:[^\[.\s]|$)",
        Lang::Ruby => r"\bENV\s*\.\s*(?:to_h|to_hash|to_a|inspect|each|map|select|filter|keys|values)\b|\bENV\s*(?:[)\],]|$)",
        Lang::Perl => r"%ENV\b",
        Lang::Php => r"\$_ENV\b|\bgetenv\s*\(\s*\)|\$_SERVER\b",
        Lang::Awk | Lang::Lua => r"$^",
    }
}

/// Reads of one environment variable per language; the first group or the next string
/// literal names it.
fn env_var(lang: Lang) -> &'static str {
    match lang {
        Lang::Python => r"\bos\s*\.\s*(?:environ\s*(?:\[|\.\s*get\s*\()|getenv\s*\()",
        Lang::Javascript => r"\bprocess\s*\.\s*env\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[)",
        Lang::Ruby => r"\bENV\s*(?:\[|\.\s*fetch\s*\()",
        Lang::Perl => r"\$ENV\s*\{\s*([A-Za-z_][A-Za-z0-9_]*)?",
        Lang::Php => r"\bgetenv\s*\(|\$_ENV\s*\[",
        Lang::Awk | Lang::Lua => r"$^",
    }
}

/// True if an environment variable's name says it holds a credential.
pub fn secret_var(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH"].iter().any(|k| n.contains(k))
}

/// A compiled [`Sender`]: the call, the pattern that must also match, and whether that one
/// reads the original code.
type CompiledSender = (Option<Regex>, Option<Regex>, bool);

/// Per language: its senders, the environment-dump pattern, the one-variable pattern.
type CompiledLanguage = (Lang, Vec<CompiledSender>, Option<Regex>, Option<Regex>);

static COMPILED: LazyLock<Vec<CompiledLanguage>> = LazyLock::new(|| {
    [Lang::Python, Lang::Javascript, Lang::Ruby, Lang::Perl, Lang::Php]
        .into_iter()
        .map(|l| {
            let sends = senders(l).iter().map(|x| (Regex::new(x.call).ok(), x.with.and_then(|p| Regex::new(p).ok()), x.in_strings)).collect();
            (l, sends, Regex::new(&format!("(?m){}", env_dump(l))).ok(), Regex::new(&format!("(?m){}", env_var(l))).ok())
        })
        .collect()
});

/// Finds sends and secret reads in inline `code` of `lang`; `blank` is the code with string
/// contents and comments blanked (same length), `strings` the literal ranges. Pushes a
/// `data.source` for each secret read and, when there is one, a `net.send` (method `post`) to
/// the host of the first `http(s)://` literal.
pub fn scan(a: &mut Analyzer, program: &str, lang: Lang, code: &str, blank: &str, strings: &[Range<usize>], map: &SpanMap) {
    let Some((_, sends, dump, var)) = COMPILED.iter().find(|(l, ..)| *l == lang) else { return };
    let sends_data = sends.iter().any(|(call, with, in_strings)| {
        // A pattern that did not compile counts as found (fail closed).
        let found = call.as_ref().is_none_or(|c| c.is_match(blank));
        found && with.as_ref().is_none_or(|wp| wp.is_match(if *in_strings { code } else { blank }))
    });
    if !sends_data {
        return;
    }
    let literal = |r: &Range<usize>| code.get(r.start + 1..r.end.saturating_sub(1)).unwrap_or_default().to_string();
    let mut sources: Vec<(&'static str, String, crate::fact::Span)> = vec![];
    for r in strings {
        let v = literal(r);
        if let Some(kind) = net::secret_path(&v) {
            sources.push((kind, v, map.map(r.start, r.end)));
        }
    }
    if let Some(m) = dump.as_ref().and_then(|d| d.find(blank)) {
        sources.push(("env_dump", code.get(m.range()).unwrap_or_default().trim().to_string(), map.map(m.start(), m.end())));
    }
    if let Some(re) = var {
        for c in re.captures_iter(blank).take(16) {
            let Some(m) = c.get(0) else { continue };
            let name = match c.get(1) {
                Some(n) => n.as_str().to_string(),
                None => strings.iter().find(|r| r.start >= m.end() && blank.get(m.end()..r.start).is_some_and(|g| g.trim().is_empty())).map(literal).unwrap_or_default(),
            };
            if secret_var(&name) {
                sources.push(("secret_env", format!("${name}"), map.map(m.start(), m.end())));
            }
        }
    }
    if sources.is_empty() {
        return;
    }
    for (kind, path, span) in sources {
        a.push(
            Fact::new("data.source", format!("{} code reads {path}", lang.name()), span)
                .with("kind", kind)
                .with("path", path)
                .with("program", program.to_string()),
        );
    }
    let host = strings.iter().map(literal).find(|v| v.starts_with("http://") || v.starts_with("https://")).map(|u| net::host_of(&u)).unwrap_or_default();
    a.push(
        Fact::new("net.send", format!("{} code sends to {}", lang.name(), if host.is_empty() { "a host known at run time" } else { &host }), map.whole)
            .with("program", program.to_string())
            .with("host", host)
            .with("method", "post")
            .with("stdin", false),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn patterns_compile() {
        for (_, sends, dump, var) in super::COMPILED.iter() {
            assert!(sends.iter().all(|(c, _, _)| c.is_some()));
            assert!(dump.is_some() && var.is_some());
        }
        for (l, sends, ..) in super::COMPILED.iter() {
            assert_eq!(sends.len(), super::senders(*l).len());
            for (x, (_, w, _)) in super::senders(*l).iter().zip(sends) {
                assert_eq!(x.with.is_some(), w.is_some(), "{}", x.call);
            }
        }
        assert!(super::secret_var("GITHUB_TOKEN") && super::secret_var("aws_secret_access_key") && !super::secret_var("HOME"));
    }
}
