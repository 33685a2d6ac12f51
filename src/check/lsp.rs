//! `guard lsp`: a Language Server Protocol server on standard input and output (LSP 3.17,
//! <https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/>)
//! that publishes `guard check`'s findings as diagnostics when a document is opened or changed
//! (full-text sync). Positions are LSP's default UTF-16 code units. Suppressions apply as in
//! `guard check`; nothing is ever run.

use super::{lang, Ctx, FileReport, Options};
use crate::engine::Session;
use crate::exit::{self, Error};
use crate::format::Format;
use crate::policy::Action;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The largest message accepted, in bytes (a document of 64 MiB is not a script).
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// Reads one framed message (`Content-Length: N` headers, blank line, N bytes of JSON);
/// `None` at end of input or on a malformed frame.
fn read_message(input: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let length = length.filter(|&n| n <= MAX_MESSAGE)?;
    let mut body = vec![0; length];
    input.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn send(out: &mut impl Write, msg: &Value) {
    let body = msg.to_string();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len());
    let _ = out.flush();
}

/// The file path of a `file://` URI (percent-decoded); other schemes keep the URI as the name.
fn path_of(uri: &str) -> PathBuf {
    let Some(rest) = uri.strip_prefix("file://") else { return PathBuf::from(uri) };
    let bytes = rest.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(h)) => {
                out.push(h);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    PathBuf::from(String::from_utf8_lossy(&out).into_owned())
}

/// An LSP position (0-based line, UTF-16 column) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> Value {
    let offset = text.floor_char_boundary(offset.min(text.len()));
    let before = text.get(..offset).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let character: usize = before.get(line_start..).unwrap_or_default().chars().map(char::len_utf16).sum();
    json!({ "line": line, "character": character })
}

/// The diagnostics of a report.
fn diagnostics(r: &FileReport) -> Vec<Value> {
    r.findings
        .iter()
        .map(|f| {
            json!({
                "range": { "start": position(&r.text, f.span.start), "end": position(&r.text, f.span.end) },
                "severity": if f.action >= Action::Ask { 1 } else { 2 },
                "code": f.rule,
                "source": "guard",
                "message": format!("{}: {} ({})", f.message, f.summary, f.action),
            })
        })
        .collect()
}

/// Runs the server until `exit`; status 0 after `shutdown`, 1 otherwise (as LSP specifies).
pub fn run() -> exit::Result {
    let session = Session::load()?;
    let project = super::suppress::Project::load(&session.cwd).map_err(Error::guard)?;
    let opts = Options { format: Format::Json, command: None, paths: vec![], severity: Action::Ask, shell: true, sql_dialect: None, pinned: Default::default() };
    let ctx = Ctx { session: &session, opts: &opts, project: &project };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut shut_down = false;
    while let Some(msg) = read_message(&mut input) {
        let str_at = |path: &str| msg.pointer(path).and_then(Value::as_str);
        let method = str_at("/method").unwrap_or_default();
        let id = msg.get("id").cloned();
        let uri = str_at("/params/textDocument/uri").unwrap_or_default();
        let text = match method {
            "textDocument/didOpen" => str_at("/params/textDocument/text"),
            "textDocument/didChange" => msg
                .pointer("/params/contentChanges")
                .and_then(Value::as_array)
                .and_then(|c| c.last())
                .and_then(|c| c.get("text"))
                .and_then(Value::as_str),
            _ => None,
        };
        match (method, id) {
            ("initialize", Some(id)) => send(
                &mut out,
                &json!({ "jsonrpc": "2.0", "id": id, "result": {
                    "capabilities": { "textDocumentSync": { "openClose": true, "change": 1 } },
                    "serverInfo": { "name": "guard", "version": env!("CARGO_PKG_VERSION") },
                }}),
            ),
            ("shutdown", Some(id)) => {
                shut_down = true;
                send(&mut out, &json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            ("exit", _) => return Ok(ExitCode::from(if shut_down { 0 } else { 1 })),
            ("textDocument/didClose", None) => send(
                &mut out,
                &json!({ "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": { "uri": uri, "diagnostics": [] } }),
            ),
            (_, None) if text.is_some() => {
                let path = path_of(uri);
                let text = text.unwrap_or_default().to_string();
                let language = lang::by_name(&path).unwrap_or(lang::Lang::Shell);
                let report = super::check_text(path.display().to_string(), text, language, Some(&path), &ctx);
                send(
                    &mut out,
                    &json!({ "jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                             "params": { "uri": uri, "diagnostics": diagnostics(&report) } }),
                );
            }
            (_, Some(id)) => send(
                &mut out,
                &json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": format!("method not found: {method}") } }),
            ),
            _ => {}
        }
    }
    Ok(ExitCode::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_and_uris() {
        assert_eq!(position("a\n𝄞x", 6), json!({"line": 1, "character": 2}));
        assert_eq!(path_of("file:///tmp/a%20b.sh"), PathBuf::from("/tmp/a b.sh"));
    }
}
