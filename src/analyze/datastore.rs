//! Data stores beyond SQL clients: the semantics of `redis-cli`, `mongosh`/`mongo`,
//! `mysqladmin` and `pg_restore` command lines. Their options, subcommand paths and secrets are
//! catalog data (`catalog/datastore.toml`, read with [`crate::argv::parse`]); the paths that
//! need more than options and operands name a handler (`analyze::handlers`) that calls the
//! functions here with the parsed command line. `dropdb NAME` and `mongorestore --drop` are
//! catalog paths alone.
//!
//! Facts:
//! - `datastore.flush`: `FLUSHALL`/`FLUSHDB` (redis-cli argv, stdin lines, `--cluster call`,
//!   or named in the Lua script of an `EVAL` or of `--eval FILE`):
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
//! - `datastore.write`: any other Redis command that changes data (`REDIS_WRITES`):
//!   `store`, `command`.
//! - `datastore.dynamic`: commands read from a stream guard cannot see: `store`, `from`.
//! - `datastore.restore`: a restore that drops existing objects first (`pg_restore --clean`
//!   into a database, `mongorestore --drop`): `program`, `drop`.
//! - `sql.drop` with `object_type = "database"`: `dropdb NAME`, `mysqladmin drop NAME`
//!   (so the SQL rule `sql.drop` applies): `name`, `program`.
//!
//! Strings and comments inside Mongo shell JavaScript are data: the JS is tokenized and only
//! code tokens are matched.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::fact::Fact;

// Options of a `redis-cli` line that change what its operands are (`catalog/datastore.toml`).
const CLUSTER: &[&str] = &["--cluster"];
const EVAL_FILE: &[&str] = &["--eval"];
const LAST_ARG_FROM_STDIN: &[&str] = &["-x"];

/// `redis-cli` (and `valkey-cli`, `keydb-cli`): the Redis command in its operands, or, with
/// none, each command line read from stdin; `--cluster call HOST:PORT CMD...` runs CMD on
/// every node; `--eval FILE` runs a Lua script. Makes `datastore.*` facts (module docs).
pub fn redis(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let p = &m.parsed;
    let words = m.operands();
    let mut command: &[crate::shell::Word] = words;
    if let Some(sub) = p.value(CLUSTER) {
        // `--cluster call HOST:PORT COMMAND ARGS...`; other cluster subcommands manage slots.
        if sub.text != "call" {
            return;
        }
        command = words.get(1..).unwrap_or_default();
        if command.is_empty() {
            return;
        }
    }
    if let Some(file) = p.value(EVAL_FILE) {
        // The operands are the script's keys and arguments, not a command.
        if !file.dynamic
            && let Some(code) = a.read_file(&file.text, file.span)
        {
            let upper = code.to_ascii_uppercase();
            if ["FLUSHALL", "FLUSHDB"].iter().any(|f| upper.contains(f)) {
                a.push(redis_fact(inv, "datastore.flush", "EVAL"));
            }
        }
        return;
    }
    if !command.is_empty() {
        let line: Vec<(String, bool)> = command.iter().map(|w| (w.text.clone(), w.dynamic)).collect();
        redis_command(a, inv, &line, p.has(LAST_ARG_FROM_STDIN));
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

/// Redis commands that change data: the `@write` ACL category of the Redis command reference
/// (redis.io/docs/latest/commands, "ACL categories: @write"; `ACL CAT write`), plus the
/// modules' writes most used from a shell (RedisJSON `JSON.SET`/`JSON.DEL`, RedisTimeSeries
/// `TS.ADD`). Flushes and the `DEL` of keys read from stdin have facts of their own.
const REDIS_WRITES: &[&str] = &[
    "SET", "SETNX", "SETEX", "PSETEX", "MSET", "MSETNX", "GETSET", "GETDEL", "GETEX", "APPEND", "INCR", "INCRBY", "INCRBYFLOAT",
    "DECR", "DECRBY", "SETRANGE", "DEL", "UNLINK", "EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT", "PERSIST", "RENAME", "RENAMENX",
    "MOVE", "COPY", "RESTORE", "MIGRATE", "HSET", "HSETNX", "HMSET", "HDEL", "HINCRBY", "HINCRBYFLOAT", "HEXPIRE", "HPEXPIRE",
    "LPUSH", "RPUSH", "LPUSHX", "RPUSHX", "LPOP", "RPOP", "BLPOP", "BRPOP", "LSET", "LREM", "LTRIM", "LINSERT", "LMOVE", "BLMOVE",
    "RPOPLPUSH", "BRPOPLPUSH", "LMPOP", "BLMPOP", "SADD", "SREM", "SPOP", "SMOVE", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE",
    "ZADD", "ZREM", "ZINCRBY", "ZREMRANGEBYSCORE", "ZREMRANGEBYRANK", "ZREMRANGEBYLEX", "ZPOPMIN", "ZPOPMAX", "BZPOPMIN",
    "BZPOPMAX", "ZMPOP", "BZMPOP", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZRANGESTORE", "XADD", "XDEL", "XTRIM",
    "XGROUP", "XACK", "XCLAIM", "XAUTOCLAIM", "XSETID", "PFADD", "PFMERGE", "GEOADD", "GEOSEARCHSTORE", "SETBIT",
    "BITOP", "BITFIELD", "SORT", "SWAPDB", "JSON.SET", "JSON.DEL", "JSON.MSET", "TS.ADD", "TS.DEL",
];

fn redis_fact(inv: &Invocation, kind: &str, command: &str) -> Fact {
    Fact::new(kind, inv.display(), inv.span()).with("store", "redis").with("command", command.to_string())
}

/// One Redis command (`line`: its words, and whether each is known only at run time).
fn redis_command(a: &mut Analyzer, inv: &Invocation, line: &[(String, bool)], reads_last_arg: bool) {
    let Some(((cmd, _), args)) = line.split_first() else { return };
    let cmd = cmd.to_ascii_uppercase();
    let arg = |k: usize| line.get(k).map(|(t, _)| t.to_ascii_uppercase()).unwrap_or_default();
    match cmd.as_str() {
        "FLUSHALL" | "FLUSHDB" => a.push(redis_fact(inv, "datastore.flush", &cmd)),
        // A Lua script run by the server: `EVAL "return redis.call('FLUSHALL')" 0`.
        "EVAL" | "EVAL_RO" if ["FLUSHALL", "FLUSHDB"].iter().any(|f| arg(1).contains(f)) => {
            a.push(redis_fact(inv, "datastore.flush", &cmd))
        }
        "CONFIG" if arg(1) == "SET" && matches!(arg(2).as_str(), "DIR" | "DBFILENAME") => {
            a.push(redis_fact(inv, "datastore.command", "CONFIG SET").with("parameter", arg(2).to_ascii_lowercase()))
        }
        "SHUTDOWN" | "DEBUG" | "SLAVEOF" | "REPLICAOF" => {
            a.push(redis_fact(inv, "datastore.command", &cmd).with("parameter", arg(1).to_ascii_lowercase()))
        }
        "MODULE" if arg(1) == "LOAD" => a.push(redis_fact(inv, "datastore.command", "MODULE LOAD").with("parameter", "load")),
        "DEL" | "UNLINK" if reads_last_arg || args.iter().any(|(_, d)| *d) => {
            a.push(redis_fact(inv, "datastore.delete", &cmd).with("filter", "stdin"))
        }
        // `SORT ... STORE dest` writes; a plain SORT reads.
        "SORT" if !line.iter().any(|(t, _)| t.eq_ignore_ascii_case("STORE")) => {}
        c if REDIS_WRITES.contains(&c) => a.push(redis_fact(inv, "datastore.write", &cmd)),
        _ => {}
    }
}

/// `mongosh`/`mongo`: the JavaScript of every `--eval`, every `-f`/`--file` and every `*.js`
/// operand, or, with none of them, of stdin. Makes `datastore.drop|delete|update` facts.
pub fn mongo_js(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let p = &m.parsed;
    let evals = p.values(&["--eval"]);
    let js_operands = m.operands().iter().filter(|w| w.text.ends_with(".js"));
    let files: Vec<&crate::shell::Word> = p.values(&["-f", "--file"]).into_iter().chain(js_operands).collect();
    let explicit = !evals.is_empty() || !files.is_empty();
    for w in evals {
        mongo_code(a, inv, &w.text);
    }
    for w in files {
        if w.dynamic {
            continue;
        }
        if let Some(code) = a.read_file(&w.text, w.span) {
            mongo_code(a, inv, &code);
        }
    }
    if !explicit {
        match a.stdin_text(inv) {
            Ok(Some((code, _))) => mongo_code(a, inv, &code),
            Ok(None) => {}
            Err(from) => a.push(
                Fact::new("datastore.dynamic", format!("{} reads code from {from}", inv.name), inv.cmd.span)
                    .with("store", "mongodb")
                    .with("from", from),
            ),
        }
    }
}

/// `mysqladmin [options] command [arg] [command [arg]]...`: each `drop DB` drops a database
/// (commands are case-insensitive). Makes `sql.drop` facts with `object_type = "database"`.
pub fn mysqladmin(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let ops = m.operands();
    for (op, db) in ops.iter().zip(ops.iter().skip(1)) {
        if op.text.eq_ignore_ascii_case("drop") {
            a.push(sql_drop_database(inv, &db.text));
        }
    }
}

/// `pg_restore --clean` drops objects only when it restores into a database (`-d`); without
/// one it writes an SQL script to stdout. Pushes the path's fact only then.
pub fn restore_to_database(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    if m.parsed.has(&["-d", "--dbname"]) {
        a.push(m.fact(&inv.display(), inv.span()));
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
    let at = |i: usize| b.get(i).copied();
    let mut out = vec![];
    let mut i = 0;
    while let Some(c) = at(i) {
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && at(i + 1) == Some('/') {
            while at(i).is_some_and(|x| x != '\n') {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == Some('*') {
            i += 2;
            while at(i).is_some() && !(at(i) == Some('*') && at(i + 1) == Some('/')) {
                i += 1;
            }
            i += 2;
        } else if c == '"' || c == '\'' || c == '`' {
            i += 1;
            while let Some(x) = at(i).filter(|x| *x != c) {
                if x == '\\' {
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
            while let Some(x) = at(i).filter(|x| *x != '\n' && (class || *x != '/')) {
                match x {
                    '\\' => i += 1,
                    '[' => class = true,
                    ']' => class = false,
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            while at(i).is_some_and(|x| x.is_ascii_alphabetic()) {
                i += 1;
            }
            out.push(Tok::Str);
        } else if c.is_alphabetic() || c == '_' || c == '$' {
            let s = i;
            while at(i).is_some_and(|x| x.is_alphanumeric() || x == '_' || x == '$') {
                i += 1;
            }
            out.push(Tok::Ident(b.get(s..i).unwrap_or_default().iter().collect()));
        } else if c.is_ascii_digit() {
            while at(i).is_some_and(|x| x.is_alphanumeric() || x == '.') {
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

fn mongo_code(a: &mut Analyzer, inv: &Invocation, code: &str) {
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
