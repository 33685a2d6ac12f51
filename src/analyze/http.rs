//! HTTP as a command language: a request that changes state on a server (`curl -X DELETE URL`,
//! `wget --method=DELETE URL`, `http DELETE URL`, `gh api -X DELETE repos/o/r`) is a
//! `net.http_write` fact with its method and its URL taken apart (host, path, path segments,
//! query), so that rules (`rules/http.toml`) can name the admin APIs whose requests delete or
//! wipe: a table of method and path patterns, kept as data.
//!
//! The method and the URL are parsed, not grepped: the catalog path (`handler = "http_request"`)
//! gives the option that sets the method (`method = { value = ["-X", "--request"] }`), the
//! option naming the URL (`url = { value = ["--url"] }`), the options that send a body
//! (`body = { option = [...] }`, or the entry's `[program.send]` body options), and for an API
//! client whose endpoint is relative (`gh api repos/o/r`) the `host` and path `prefix`.
//! Without a method option, a request with a body is a `POST` (curl(1) `-d`, wget(1)
//! `--post-data`, HTTPie request items, gh-api(1) `-f`), else a `GET`; an HTTPie request's
//! leading method word (`http DELETE URL`) is its method. `GET`, `HEAD`, `OPTIONS` and
//! `TRACE` change nothing (RFC 9110 §9.2.1, safe methods) and make no fact.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::catalog::{option_names, PathMatch};
use serde_json::Value;

/// Most URLs of one command line that get a fact each (`curl -X DELETE URL1 URL2 ...`).
const MAX_URLS: usize = 16;

/// The methods RFC 9110 §9.2.1 defines as safe (read-only), which make no fact.
const SAFE: &[&str] = &["GET", "HEAD", "OPTIONS", "TRACE"];

/// The HTTP methods an HTTPie request may start with (HTTPie docs, "HTTP method").
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"];

/// The parts of a URL a rule looks at.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Url {
    /// `host[:port]`, lowercase, without user information; empty when the URL has none.
    pub host: String,
    /// The path, starting with `/` (`/` when empty).
    pub path: String,
    /// The query string without `?` (empty when none).
    pub query: String,
}

/// Splits `text` into host, path and query. A URL without a scheme is `host/path` as curl
/// reads it (`localhost:9200/idx`), unless it starts with `/`. User information (`user:pw@`)
/// and a fragment are dropped; percent-encoding is kept as written.
pub fn parse_url(text: &str) -> Url {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let rest = rest.split('#').next().unwrap_or_default();
    let (authority, tail) = if rest.starts_with('/') {
        ("", rest)
    } else {
        let end = rest.find(['/', '?']).unwrap_or(rest.len());
        (rest.get(..end).unwrap_or_default(), rest.get(end..).unwrap_or_default())
    };
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h).to_ascii_lowercase();
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path = if path.is_empty() { "/".to_string() } else { path.to_string() };
    Url { host, path, query: query.to_string() }
}

/// Path handler `http_request` (see the module docs): one `net.http_write` fact per URL of a
/// request whose method is not safe.
pub fn request(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let base = m.fact(&inv.display(), inv.span()).with("program", inv.name.clone());
    let text = |k: &str| base.attrs.get(k).and_then(Value::as_str).map(str::to_string);
    let items = m.program.send.as_ref().is_some_and(|s| s.items);
    let mut operands: Vec<&crate::shell::Word> = m.operands().iter().collect();
    let mut method = text("method").map(|x| x.to_ascii_uppercase());
    if items
        && operands.len() > 1
        && let Some(first) = operands.first().filter(|w| METHODS.contains(&w.text.to_ascii_uppercase().as_str()))
    {
        method.get_or_insert(first.text.to_ascii_uppercase());
        operands.remove(0);
    }
    let send_body = m.program.send.iter().flat_map(|s| s.body.iter()).any(|b| m.parsed.has(&option_names(&b.options)));
    let item_body = items && operands.iter().skip(1).any(|w| is_data_item(&w.text));
    let body = base.attrs.get("body").and_then(Value::as_bool).unwrap_or(false) || send_body || item_body;
    let method = method.unwrap_or_else(|| if body { "POST".into() } else { "GET".into() });
    if SAFE.contains(&method.as_str()) {
        return;
    }
    // curl and wget fetch every operand; HTTPie and API clients take one URL.
    let urls: Vec<String> = match text("url") {
        Some(u) => vec![u],
        None if items || text("host").is_some() => operands.first().map(|w| w.text.clone()).into_iter().collect(),
        None => operands.iter().map(|w| w.text.clone()).collect(),
    };
    for raw in urls.into_iter().take(MAX_URLS) {
        let mut url = match text("host") {
            // An API client's endpoint relative to its server (`gh api repos/o/r`).
            Some(h) if !raw.contains("://") => {
                let prefix = text("prefix").unwrap_or_default();
                let endpoint = parse_url(&format!("/{}", raw.trim_start_matches('/')));
                Url { host: h, path: format!("{prefix}{}", endpoint.path), query: endpoint.query }
            }
            _ => parse_url(&raw),
        };
        if url.path.len() > 1 {
            url.path = url.path.trim_end_matches('/').to_string();
        }
        let segments: Vec<String> = url.path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
        let depth = i64::try_from(segments.len()).unwrap_or(i64::MAX);
        let mut f = base.clone();
        f.summary = format!("{method} {raw}");
        f.attrs.remove("body");
        f.attrs.remove("prefix");
        a.push(
            f.with("method", method.clone())
                .with("url", raw.clone())
                .with("host", url.host)
                .with("path", url.path)
                .with("segments", segments)
                .with("depth", depth)
                .with("query", url.query)
                .with("body", body),
        );
    }
}

/// True for an HTTPie request item that sends data (`name=value`, `name:=json`, `name@file`,
/// `name=@file`), not a header (`Name:value`) or query parameter (`name==value`).
fn is_data_item(t: &str) -> bool {
    let Some(at) = t.find(['=', '@', ':']) else { return false };
    let rest = t.get(at..).unwrap_or_default();
    (rest.starts_with('=') && !rest.starts_with("==")) || rest.starts_with(":=") || rest.starts_with('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_taken_apart() {
        let u = parse_url("https://user:pw@ES.example.com:9200/logs-*/_delete_by_query?conflicts=proceed#x");
        assert_eq!(u, Url { host: "es.example.com:9200".into(), path: "/logs-*/_delete_by_query".into(), query: "conflicts=proceed".into() });
        assert_eq!(parse_url("localhost:8500/v1/kv/?recurse").path, "/v1/kv/");
        assert_eq!(parse_url("localhost:8500/v1/kv/?recurse").query, "recurse");
        assert_eq!(parse_url("http://h").path, "/");
        assert_eq!(parse_url("/repos/o/r").host, "");
        assert!(is_data_item("a=1") && is_data_item("a:=1") && is_data_item("f@x") && !is_data_item("q==1") && !is_data_item("X-A:b"));
    }
}
