//! Data stores beyond SQL clients: `redis-cli`, `mongosh`/`mongo`, `dropdb`, `mysqladmin`,
//! `mongorestore`, `pg_restore`.
//!
//! Facts:
//! - `datastore.flush`: `FLUSHALL`/`FLUSHDB` (redis-cli argv, stdin lines, `--cluster call`,
//!   or named in the Lua script of an `EVAL`):
//!   `store`, `command`.
//! - `datastore.command`: other dangerous Redis commands: `CONFIG SET dir|dbfilename` (the
//!   classic write-a-file-anywhere RCE), `SHUTDOWN`, `DEBUG`, `SLAVEOF`/`REPLICAOF`, `MODULE
//!   LOAD`: `store`, `command`, `parameter`.
//! - `datastore.delete`: `store`, `command`, `filter`: `none` (Mongo `deleteMany({})`,
//!   `remove({})`), `some`, or `stdin` (Redis `DEL`/`UNLINK` of keys read from stdin, e.g.
//!   `redis-cli --scan | xargs redis-cli del`).
//! - `datastore.update`: Mongo `updateMany({}, ...)`: `store`, `filter`.
//! - `datastore.drop`: Mongo `dropDatabase()`, `.drop()`, `dropAllUsers()`, `dropAllRoles()`:
//!   `store`, `target` (`database`, `collection`, `users`).
//! - `datastore.dynamic`: commands read from a stream guard cannot see: `store`, `from`.
//! - `datastore.restore`: a restore that drops existing objects first (`pg_restore --clean`
//!   into a database, `mongorestore --drop`): `program`, `drop`.
//! - `sql.drop` with `object_type = "database"`: `dropdb NAME`, `mysqladmin drop NAME`
//!   (so the SQL rule `sql.drop` applies): `name`, `program`.
//!
//! Strings and comments inside Mongo shell JavaScript are data: the JS is tokenized and only
//! code tokens are matched.

use super::{Analyzer, Invocation};
use crate::fact::Fact;
use crate::shell::Word;

/// Programs this module analyses.
pub const PROGRAMS: &[&str] =
    &["redis-cli", "valkey-cli", "keydb-cli", "mongosh", "mongo", "dropdb", "mysqladmin", "mariadb-admin", "mongorestore", "pg_restore"];

/// Analyses one invocation of a data store client.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    match inv.name.as_str() {
        "redis-cli" | "valkey-cli" | "keydb-cli" => redis(a, inv),
        "mongosh" | "mongo" => mongo(a, inv),
        "dropdb" => dropdb(a, inv),
        "mysqladmin" | "mariadb-admin" => mysqladmin(a, inv),
        "mongorestore"
            if inv.args().iter().any(|w| w.text == "--drop") && !inv.args().iter().any(|w| w.text == "--dryRun") => {
                a.push(Fact::new("datastore.restore", inv.display(), inv.span()).with("program", "mongorestore").with("drop", true));
            }
        "pg_restore" => pg_restore(a, inv),
        _ => {}
    }
}

/// redis-cli options that take a value (redis-cli(1), `redis-cli --help`).
const REDIS_VALUE: &[&str] = &[
    "-h", "-p", "-s", "-a", "-u", "-r", "-i", "-n", "-d", "-D", "--user", "--pass", "--askpass-file", "--cacert",
    "--cacertdir", "--cert", "--key", "--sni", "--tls-ciphers", "--tls-ciphersuites", "--pattern", "--count",
    "--rdb", "--functions-rdb", "--pipe-timeout", "--memkeys-samples", "--eval", "--intrinsic-latency",
    "--lru-test", "--quoted-pattern", "-t", "--show-pushes",
];

fn redis(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let mut i = 0;
    let mut reads_last_arg = false;
    let mut cluster_call = false;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--cluster" {
            // `--cluster call HOST:PORT COMMAND ARGS...` runs COMMAND on every node.
            if args.get(i + 1).is_some_and(|w| w.text == "call") {
                cluster_call = true;
                i += 3;
                break;
            }
            return;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        if t == "-x" {
            reads_last_arg = true;
        }
        i += if REDIS_VALUE.contains(&t) { 2 } else { 1 };
    }
    let words = &args[i.min(args.len())..];
    if !words.is_empty() {
        let line: Vec<(String, bool)> = words.iter().map(|w| (w.text.clone(), w.dynamic)).collect();
        redis_command(a, inv, &line, reads_last_arg);
        return;
    }
    if cluster_call {
        return;
    }
    // No command on the line: redis-cli reads commands from stdin, one per line.
    match a.stdin_text(inv) {
        Ok(Some((text, _))) => {
            for l in text.lines() {
                let l = l.trim();
                // `--pipe` input may be raw RESP: skip the `*N`/`$N` framing lines.
                if l.is_empty() || l.starts_with('*') || l.starts_with('$') {
                    continue;
                }
                let parts = shlex::split(l).unwrap_or_else(|| l.split_whitespace().map(str::to_string).collect());
                let line: Vec<(String, bool)> = parts.into_iter().map(|p| (p, false)).collect();
                redis_command(a, inv, &line, false);
            }
        }
        Ok(None) => {}
        Err(from) => a.push(
            Fact::new("datastore.dynamic", format!("redis-cli reads commands from {from}"), inv.cmd.span)
                .with("store", "redis")
                .with("from", from),
        ),
    }
}

fn redis_command(a: &mut Analyzer, inv: &Invocation, line: &[(String, bool)], reads_last_arg: bool) {
    let Some((cmd, _)) = line.first() else { return };
    let cmd = cmd.to_ascii_uppercase();
    let arg = |k: usize| line.get(k).map(|(t, _)| t.to_ascii_uppercase()).unwrap_or_default();
    let fact = |kind: &str, command: &str| {
        Fact::new(kind, inv.display(), inv.span()).with("store", "redis").with("command", command.to_string())
    };
    match cmd.as_str() {
        "FLUSHALL" | "FLUSHDB" => a.push(fact("datastore.flush", &cmd)),
        // A Lua script run by the server: `EVAL "return redis.call('FLUSHALL')" 0`.
        "EVAL" | "EVAL_RO" if ["FLUSHALL", "FLUSHDB"].iter().any(|f| arg(1).contains(f)) => {
            a.push(fact("datastore.flush", &cmd))
        }
        "CONFIG" if arg(1) == "SET" && matches!(arg(2).as_str(), "DIR" | "DBFILENAME") => {
            a.push(fact("datastore.command", "CONFIG SET").with("parameter", arg(2).to_ascii_lowercase()))
        }
        "SHUTDOWN" | "DEBUG" | "SLAVEOF" | "REPLICAOF" => a.push(fact("datastore.command", &cmd).with("parameter", arg(1).to_ascii_lowercase())),
        "MODULE" if arg(1) == "LOAD" => a.push(fact("datastore.command", "MODULE LOAD").with("parameter", "load")),
        "DEL" | "UNLINK" if reads_last_arg || line[1..].iter().any(|(_, d)| *d) => {
            a.push(fact("datastore.delete", &cmd).with("filter", "stdin"))
        }
        _ => {}
    }
}

/// mongosh/mongo options that take a value.
const MONGO_VALUE: &[&str] = &[
    "--host", "--port", "-u", "--username", "--authenticationDatabase", "--authenticationMechanism", "--eval",
    "-f", "--file", "--tlsCAFile", "--tlsCertificateKeyFile", "--tlsCertificateKeyFilePassword", "--tlsCRLFile",
    "--apiVersion", "--gssapiServiceName", "--sspiHostnameCanonicalization", "--awsAccessKeyId",
    "--awsSecretAccessKey", "--awsSessionToken", "--awsIamSessionToken", "--cryptSharedLibPath", "--keyVaultNamespace",
    "--kmsURL", "--sslPEMKeyFile", "--sslCAFile", "--sslPEMKeyPassword",
];

fn mongo(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let mut evals: Vec<&Word> = vec![];
    let mut files: Vec<&Word> = vec![];
    let mut i = 0;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        if let Some(v) = t.strip_prefix("--eval=") {
            let _ = v;
            evals.push(w);
        } else if t == "--eval" {
            evals.extend(args.get(i + 1));
        } else if t == "-f" || t == "--file" {
            files.extend(args.get(i + 1));
        } else if t.starts_with("--file=") {
            files.push(w);
        } else if (t == "-p" || t == "--password") && args.get(i + 1).is_some_and(|n| !n.text.starts_with('-')) {
            i += 1;
        } else if !t.starts_with('-') && t.ends_with(".js") {
            files.push(w);
        }
        i += if MONGO_VALUE.contains(&t) { 2 } else { 1 };
    }
    let explicit = !evals.is_empty() || !files.is_empty();
    for w in evals {
        let code = w.text.strip_prefix("--eval=").unwrap_or(&w.text).to_string();
        mongo_js(a, inv, &code);
    }
    for w in files {
        if w.dynamic {
            continue;
        }
        if let Some(code) = a.read_file(w.text.strip_prefix("--file=").unwrap_or(&w.text), w.span) {
            mongo_js(a, inv, &code);
        }
    }
    if !explicit {
        match a.stdin_text(inv) {
            Ok(Some((code, _))) => mongo_js(a, inv, &code),
            Ok(None) => {}
            Err(from) => a.push(
                Fact::new("datastore.dynamic", format!("{} reads code from {from}", inv.name), inv.cmd.span)
                    .with("store", "mongodb")
                    .with("from", from),
            ),
        }
    }
}

/// A JavaScript token: an identifier, a number or a punctuation character. String and
/// template literals become [`Tok::Str`]; comments are dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// An identifier or keyword (`db`, `dropDatabase`).
    Ident(String),
    /// A string or template literal (contents ignored: it is data).
    Str,
    /// One punctuation character.
    Punct(char),
    /// A number or anything else.
    Other,
}

/// Tokenizes JavaScript well enough to find method calls outside strings and comments.
/// Linear in the input; never panics on malformed text.
pub fn js_tokens(src: &str) -> Vec<Tok> {
    let b: Vec<char> = src.chars().collect();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && b.get(i + 1) == Some(&'/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && b.get(i + 1) == Some(&'*') {
            i += 2;
            while i < b.len() && !(b[i] == '*' && b.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while i < b.len() && b[i] != c {
                if b[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str);
        } else if c == '/' && matches!(out.last(), None | Some(Tok::Punct('(' | ',' | '=' | ':' | '[' | '!' | '&' | '|' | '?' | '{' | '}' | ';'))) {
            // A regular expression literal (it follows an operator or opening bracket).
            i += 1;
            let mut class = false;
            while i < b.len() && b[i] != '\n' && (class || b[i] != '/') {
                match b[i] {
                    '\\' => i += 1,
                    '[' => class = true,
                    ']' => class = false,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            while i < b.len() && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            out.push(Tok::Str);
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let s = i;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_' || b[i] == '$') {
                i += 1;
            }
            out.push(Tok::Ident(b[s..i].iter().collect()));
        } else if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '.') {
                i += 1;
            }
            out.push(Tok::Other);
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

/// What a Mongo shell script does that destroys data: `(fact kind, attr name, attr value,
/// command)` for each dangerous call found in code (not in strings or comments).
pub fn mongo_effects(code: &str) -> Vec<(&'static str, &'static str, &'static str, String)> {
    let t = js_tokens(code);
    let mut out = vec![];
    let is = |k: usize, c: char| t.get(k) == Some(&Tok::Punct(c));
    // The first argument of a call whose `(` is at `open`: `None` if it is `{}` or absent.
    let empty_filter = |open: usize| -> bool {
        is(open + 1, ')') || (is(open + 1, '{') && is(open + 2, '}') && (is(open + 3, ')') || is(open + 3, ',')))
    };
    for (k, tok) in t.iter().enumerate() {
        let Tok::Ident(name) = tok else { continue };
        let dotted = k > 0 && is(k - 1, '.');
        let call = is(k + 1, '(');
        match name.as_str() {
            "dropDatabase" if call || is(k + 1, ':') => out.push(("datastore.drop", "target", "database", name.clone())),
            "drop" if dotted && call => out.push(("datastore.drop", "target", "collection", name.clone())),
            "dropAllUsers" | "dropAllRoles" if call => out.push(("datastore.drop", "target", "users", name.clone())),
            "deleteMany" | "remove" if dotted && call => {
                let f = if empty_filter(k + 1) { "none" } else { "some" };
                out.push(("datastore.delete", "filter", f, name.clone()));
            }
            "updateMany" if dotted && call => {
                let f = if empty_filter(k + 1) { "none" } else { "some" };
                out.push(("datastore.update", "filter", f, name.clone()));
            }
            _ => {}
        }
    }
    out
}

fn mongo_js(a: &mut Analyzer, inv: &Invocation, code: &str) {
    for (kind, key, value, command) in mongo_effects(code) {
        a.push(
            Fact::new(kind, inv.display(), inv.span())
                .with("store", "mongodb")
                .with("command", command)
                .with(key, value),
        );
    }
}

fn sql_drop_database(inv: &Invocation, name: &str) -> Fact {
    Fact::new("sql.drop", inv.display(), inv.span())
        .with("object_type", "database")
        .with("name", name.to_string())
        .with("program", inv.name.clone())
}

fn dropdb(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let value = ["-h", "--host", "-p", "--port", "-U", "--username", "--maintenance-db"];
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "--help" || t == "-?" || t == "--version" || t == "-V" {
            return;
        }
        if !t.starts_with('-') {
            a.push(sql_drop_database(inv, t));
            return;
        }
        i += if value.contains(&t) { 2 } else { 1 };
    }
}

fn mysqladmin(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let value = ["-u", "--user", "-h", "--host", "-P", "--port", "-S", "--socket", "-c", "--count", "-i", "--sleep", "-O", "--set-variable"];
    let mut ops: Vec<&str> = vec![];
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        if !t.starts_with('-') {
            ops.push(t);
        }
        i += if value.contains(&t) { 2 } else { 1 };
    }
    for (k, op) in ops.iter().enumerate() {
        if op.eq_ignore_ascii_case("drop")
            && let Some(db) = ops.get(k + 1) {
                a.push(sql_drop_database(inv, db));
            }
    }
}

fn pg_restore(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let value = "dfFIjLnNPStThpU";
    let (mut clean, mut to_db, mut list) = (false, false, false);
    let mut i = 0;
    while i < args.len() {
        let t = args[i].text.as_str();
        i += 1;
        if let Some(l) = t.strip_prefix("--") {
            match l.split_once('=').map_or(l, |(n, _)| n) {
                "clean" => clean = true,
                "dbname" => {
                    to_db = true;
                    i += usize::from(!l.contains('='));
                }
                "list" => list = true,
                "file" | "format" | "index" | "jobs" | "use-list" | "schema" | "exclude-schema" | "function"
                | "superuser" | "table" | "trigger" | "host" | "port" | "username" | "role" => {
                    i += usize::from(!l.contains('='));
                }
                _ => {}
            }
        } else if let Some(c) = t.strip_prefix('-').filter(|c| !c.is_empty()) {
            for (k, ch) in c.char_indices() {
                match ch {
                    'c' => clean = true,
                    'l' => list = true,
                    'd' => to_db = true,
                    _ => {}
                }
                if value.contains(ch) {
                    if k + 1 == c.len() {
                        i += 1;
                    }
                    break;
                }
            }
        }
    }
    // Without -d, pg_restore writes an SQL script to stdout and touches no database.
    if clean && to_db && !list {
        a.push(Fact::new("datastore.restore", inv.display(), inv.span()).with("program", "pg_restore").with("drop", true));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(code: &str) -> Vec<String> {
        mongo_effects(code).into_iter().map(|(k, _, v, _)| format!("{k}:{v}")).collect()
    }

    #[test]
    fn mongo_js() {
        assert_eq!(kinds("db.dropDatabase()"), ["datastore.drop:database"]);
        assert_eq!(kinds("db.users.drop()"), ["datastore.drop:collection"]);
        assert_eq!(kinds("db.users.deleteMany({})"), ["datastore.delete:none"]);
        assert_eq!(kinds("db.users.deleteMany( { } )"), ["datastore.delete:none"]);
        assert_eq!(kinds("db.users.deleteMany({a: 1})"), ["datastore.delete:some"]);
        assert_eq!(kinds("db.users.updateMany({}, {$set: {x: 1}})"), ["datastore.update:none"]);
        assert_eq!(kinds("db.runCommand({dropDatabase: 1})"), ["datastore.drop:database"]);
        assert!(kinds("db.users.find({name: \"drop()\"})").is_empty());
        assert!(kinds("// db.dropDatabase()\nprint('x')").is_empty());
        assert!(kinds("/* db.x.drop() */ db.x.find()").is_empty());
        assert!(kinds("db.x.find({n: /drop()/})").is_empty());
        assert!(kinds("'unterminated").is_empty());
    }
}
