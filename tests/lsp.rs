//! `guard lsp` driven by a scripted LSP client over stdin/stdout: diagnostics on open and on
//! change, UTF-16 positions, the container languages, shutdown and exit.

mod common;

use common::*;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Stdio};

fn send(stdin: &mut ChildStdin, msg: Value) {
    let body = msg.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
    stdin.flush().unwrap();
}

fn receive(out: &mut BufReader<ChildStdout>) -> Value {
    let mut length = 0;
    loop {
        let mut line = String::new();
        assert!(out.read_line(&mut line).unwrap() > 0, "guard lsp closed its output");
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    out.read_exact(&mut body).unwrap();
    serde_json::from_slice(&body).unwrap()
}

#[test]
fn diagnostics_on_open_and_change_then_shutdown() {
    let env = TestEnv::new();
    let mut child = env.guard_std().arg("lsp").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}));
    let init = receive(&mut out);
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["capabilities"]["textDocumentSync"]["change"], 1);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let uri = format!("file://{}/deploy.sh", env.path().display());
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": uri, "languageId": "shellscript", "version": 1, "text": "echo \"𝄞\"; rm -rf /\n"}}}),
    );
    let d = receive(&mut out);
    assert_eq!(d["method"], "textDocument/publishDiagnostics");
    assert_eq!(d["params"]["uri"], uri.as_str());
    let diag = &d["params"]["diagnostics"][0];
    assert_eq!(diag["code"], "fs.rm-root");
    assert_eq!(diag["severity"], 1);
    // `𝄞` is two UTF-16 code units: rm starts at character 11.
    assert_eq!(diag["range"]["start"], json!({"line": 0, "character": 11}));
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "rm -rf ./build\n"}]}}),
    );
    let d = receive(&mut out);
    assert_eq!(d["params"]["diagnostics"], json!([]));
    // A workflow: the shell inside it, at its place in the file.
    let wf = format!("file://{}/.github/workflows/ci.yml", env.path().display());
    send(
        &mut stdin,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": wf, "languageId": "yaml", "version": 1, "text": "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: psql -c 'DROP TABLE t'\n"}}}),
    );
    let d = receive(&mut out);
    assert_eq!(d["params"]["diagnostics"][0]["code"], "sql.drop");
    assert_eq!(d["params"]["diagnostics"][0]["range"]["start"], json!({"line": 4, "character": 22}));
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {}}));
    assert_eq!(receive(&mut out)["error"]["code"], -32601);
    send(&mut stdin, json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
    assert_eq!(receive(&mut out)["id"], 3);
    send(&mut stdin, json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert!(env.log_lines().is_empty(), "the LSP writes no audit record");
}
