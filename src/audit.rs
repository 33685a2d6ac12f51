//! Audit log: one ed25519-signed, hash-chained JSON line per decision, appended
//! before the command runs (allowed and refused alike). The log is audit evidence:
//! anyone holding the public key can check that no record was altered, removed,
//! reordered or inserted, with [`verify`] (`guard audit verify`).
//!
//! # Files
//!
//! - Log: `$GUARD_AUDIT_LOG`, else `<state dir>/guard/audit.jsonl` (state dir falls back
//!   to the local data dir). Created mode `0600`, parent folders `0700`.
//! - Signing key: `$GUARD_KEY`, else `<config dir>/guard/audit.key`. It holds the 32-byte
//!   ed25519 seed as 64 lowercase hex characters and a newline; created on first use with
//!   mode `0600`. The public key is written beside it as `<key>.pub` (64 hex + newline).
//! - `key_id`: the first 16 hex characters of `sha256(verifying key bytes)`.
//!
//! # Record contract
//!
//! Each line is one JSON object. Fields given by the caller (decision, argv, rule, ...,
//! already redacted with [`crate::redact`]) plus four reserved fields that guard sets
//! and a caller may not: `seq` (1, 2, 3, ... with no gaps), `prev` (lowercase hex
//! sha256 of the exact bytes of the previous line without its newline; 64 zeros for the
//! first record), `key_id` and `sig`.
//! Numbers must be integers (floats do not round-trip exactly through every JSON parser,
//! so they are refused: encode them as strings or integer units, e.g. `duration_us`).
//!
//! # Canonical form and signature
//!
//! 1. Take all fields except `sig` as a JSON object.
//! 2. Serialize compactly (no whitespace), object keys sorted by byte order at every
//!    depth, strings escaped as `serde_json` does (only `"`, `\` and control
//!    characters; other characters as raw UTF-8), integers in plain decimal.
//! 3. Sign those bytes with ed25519 (RFC 8032, verified strictly).
//! 4. The line is those bytes with the final `}` replaced by `,"sig":"<128 hex>"}`,
//!    followed by `\n`. So `sig` is always last, the other keys are sorted.
//!
//! A verifier strips the `,"sig":"<hex>"}` suffix, puts back `}`, checks that
//! re-serializing the parsed record (without `sig`) gives the same bytes, checks the
//! signature, that `seq` is the previous one plus one and that `prev` is the hash of the
//! previous line.
//!
//! # Concurrency and durability
//!
//! Appenders take an exclusive `flock` ([`File::try_lock`], waiting at most
//! [`LOCK_TIMEOUT`]) on the log, read only its last line (from the end), and write the
//! new line with one `write_all` on a file opened in append mode, so concurrent guard
//! processes never interleave or lose lines and `seq` strictly increases. The lock is advisory and per open file description; it is not
//! reliable on some network file systems. Records are not `fsync`ed: an append costs
//! well under a millisecond, and a crash of the machine (not of guard) may lose the last
//! records or leave a torn last line, which [`append`] then refuses to build on, and
//! [`verify`] reports.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::fmt;
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// `prev` of the first record: 64 zeros.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Fields that [`append`] sets itself; a caller passing any of them gets an error.
pub const RESERVED_FIELDS: [&str; 4] = ["seq", "prev", "key_id", "sig"];

/// Where the audit log and the signing key live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditConfig {
    /// The JSONL log that records are appended to.
    pub log: PathBuf,
    /// The file holding the ed25519 seed (64 hex + newline); `<key>.pub` is beside it.
    pub key: PathBuf,
}

impl AuditConfig {
    /// Resolves the paths from the environment.
    ///
    /// `log` is `$GUARD_AUDIT_LOG` if set and non-empty, else `dirs::state_dir()` (or,
    /// failing that, `dirs::data_local_dir()`) joined with `guard/audit.jsonl`.
    /// `key` is `$GUARD_KEY` if set and non-empty, else `dirs::config_dir()` joined with
    /// `guard/audit.key`. Nothing is created or read.
    ///
    /// # Errors
    /// An [`AuditError`] naming the variable to set when a path cannot be resolved
    /// (no home directory).
    pub fn from_env() -> Result<AuditConfig, AuditError> {
        let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        let log = match env("GUARD_AUDIT_LOG") {
            Some(p) => p,
            None => dirs::state_dir()
                .or_else(dirs::data_local_dir)
                .map(|d| d.join("guard").join("audit.jsonl"))
                .ok_or_else(|| {
                    AuditError::new(
                        None,
                        "cannot find a state or local data directory for the audit log",
                        "set GUARD_AUDIT_LOG to the audit log path",
                    )
                })?,
        };
        let key = match env("GUARD_KEY") {
            Some(p) => p,
            None => dirs::config_dir().map(|d| d.join("guard").join("audit.key")).ok_or_else(|| {
                AuditError::new(
                    None,
                    "cannot find a config directory for the audit signing key",
                    "set GUARD_KEY to the signing key path",
                )
            })?,
        };
        Ok(AuditConfig { log, key })
    }
}

/// Why an audit record could not be written (or a key not loaded). The caller fails
/// closed: it runs nothing.
///
/// Display: `audit: <path>: <problem>; <fix>` (the path part is left out when there is
/// no path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditError {
    /// The file or folder concerned, if any.
    pub path: Option<PathBuf>,
    /// What went wrong, e.g. `cannot take the lock: Permission denied (os error 13)`.
    pub problem: String,
    /// What to do about it, e.g. `check that the folder is writable by this user`.
    pub fix: String,
}

impl AuditError {
    /// An error about `path` (if any) with a `problem` and a `fix` hint.
    pub fn new(path: Option<&Path>, problem: impl Into<String>, fix: impl Into<String>) -> Self {
        AuditError { path: path.map(Path::to_path_buf), problem: problem.into(), fix: fix.into() }
    }

    fn io(path: &Path, what: &str, err: &io::Error, fix: &str) -> Self {
        AuditError::new(Some(path), format!("{what}: {err}"), fix)
    }
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "audit: {}: {}; {}", p.display(), self.problem, self.fix),
            None => write!(f, "audit: {}; {}", self.problem, self.fix),
        }
    }
}

impl std::error::Error for AuditError {}

/// What [`append`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The record's sequence number (1 for the first record of a log).
    pub seq: u64,
    /// Lowercase hex sha256 of the written line without its newline (the next `prev`).
    pub hash: String,
}

/// The first problem [`verify`] found.
///
/// Display: `line N: reason`; line 0 means the file as a whole (missing, unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// 1-based line number of the offending record; 0 for a file-level problem.
    pub line: usize,
    /// Why, e.g. `bad signature`, `broken chain: ...`, `unknown key 0123abcd...`.
    pub reason: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for VerifyError {}

/// What [`verify`] checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Number of records (lines) checked, all valid.
    pub records: u64,
    /// `seq` of the last record; 0 for an empty log.
    pub last_seq: u64,
    /// Hex sha256 of the last line; [`GENESIS_PREV`] for an empty log.
    pub last_hash: String,
}

// ---------------------------------------------------------------------------------------
// Hex and hashing

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    let digit = |n: u8| DIGITS.get(usize::from(n & 15)).map_or('0', |d| char::from(*d));
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 15));
    }
    s
}

fn unhex<const N: usize>(s: &[u8]) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(s.chunks_exact(2)) {
        let [hi, lo] = pair else { return None };
        *o = (nibble(*hi)? << 4) | nibble(*lo)?;
    }
    Some(out)
}

/// Lowercase hex sha256 of `bytes` (64 characters).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The key id of a verifying key: first 16 lowercase hex characters of the sha256 of its
/// 32 bytes.
pub fn key_id(key: &VerifyingKey) -> String {
    let mut id = sha256_hex(key.as_bytes());
    id.truncate(16);
    id
}

// ---------------------------------------------------------------------------------------
// Keys

/// The public key file for a signing key file: `<key>.pub` (the suffix is appended, not
/// substituted: `audit.key` -> `audit.key.pub`).
pub fn pub_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_os_string();
    s.push(".pub");
    PathBuf::from(s)
}

fn create_parent(path: &Path) -> Result<(), AuditError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
                AuditError::io(dir, "cannot create folder", &e, "create it or fix the permissions of its parent")
            })
        }
        _ => Ok(()),
    }
}

fn parse_hex_key_file(path: &Path, what: &str) -> Result<[u8; 32], AuditError> {
    let text = fs::read(path).map_err(|e| {
        AuditError::io(path, &format!("cannot read {what}"), &e, "check that it exists and is readable by this user")
    })?;
    parse_hex_key(&text, path, what)
}

fn parse_hex_key(text: &[u8], path: &Path, what: &str) -> Result<[u8; 32], AuditError> {
    unhex::<32>(text.trim_ascii()).ok_or_else(|| {
        AuditError::new(
            Some(path),
            format!("malformed {what}: expected 64 hex characters and a newline, found {} bytes", text.len()),
            "restore the file from backup, or move it away to create a new key (old records then need the old public key to verify)",
        )
    })
}

/// Loads the signing key from `path`, creating it if the file does not exist.
///
/// A new key is a 32-byte seed from the OS random generator, stored as 64 lowercase hex
/// characters and a newline in a file of mode `0600` (parent folders created `0700`);
/// the file appears atomically (written to a temporary file, then hard-linked into
/// place without overwriting), so concurrent first runs agree on one key. The public key
/// is written to [`pub_path`]`(path)` (mode `0644`).
///
/// An existing key file that is group- or world-readable is accepted (see
/// [`key_permission_warning`]).
///
/// # Errors
/// [`AuditError`] naming the file when it cannot be read, is malformed, or cannot be
/// created.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey, AuditError> {
    match fs::read(path) {
        Ok(text) => return Ok(SigningKey::from_bytes(&parse_hex_key(&text, path, "audit signing key")?)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(AuditError::io(
                path,
                "cannot read audit signing key",
                &e,
                "check that it is readable by this user (mode 0600, owned by you)",
            ));
        }
    }
    create_parent(path)?;
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| {
        AuditError::new(Some(path), format!("cannot get random bytes for a new key: {e}"), "check the OS random source")
    })?;
    let key = SigningKey::from_bytes(&seed);
    let mut tmp_name = path.as_os_str().to_os_string();
    tmp_name.push(format!(".tmp.{}.{}", std::process::id(), hex(&seed[..4])));
    let tmp = PathBuf::from(tmp_name);
    let write_tmp = || -> io::Result<()> {
        let mut f = OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        f.write_all(format!("{}\n", hex(&seed)).as_bytes())?;
        f.sync_all()
    };
    if let Err(e) = write_tmp() {
        let _ = fs::remove_file(&tmp);
        return Err(AuditError::io(path, "cannot create audit signing key", &e, "check that its folder is writable"));
    }
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            write_pub(path, &key.verifying_key())?;
            Ok(key)
        }
        // Another process created the key first: use that one.
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Ok(SigningKey::from_bytes(&parse_hex_key_file(path, "audit signing key")?))
        }
        Err(e) => Err(AuditError::io(path, "cannot create audit signing key", &e, "check that its folder is writable")),
    }
}

fn write_pub(key_path: &Path, vk: &VerifyingKey) -> Result<(), AuditError> {
    let pub_file = pub_path(key_path);
    let mut tmp_name = pub_file.as_os_str().to_os_string();
    tmp_name.push(format!(".tmp.{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let res = (|| -> io::Result<()> {
        let mut f = OpenOptions::new().write(true).create(true).truncate(true).mode(0o644).open(&tmp)?;
        f.write_all(format!("{}\n", hex(vk.as_bytes())).as_bytes())?;
        fs::rename(&tmp, &pub_file)
    })();
    res.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        AuditError::io(&pub_file, "cannot write audit public key", &e, "check that its folder is writable")
    })
}

/// A warning when the key file at `path` is readable by group or others (mode & 0o077),
/// e.g. `audit signing key /x/audit.key is readable by group or others (mode 0644); run chmod 600 /x/audit.key`.
/// `None` when the permissions are fine or the file cannot be inspected.
/// This is advice only: [`append`] still uses such a key.
pub fn key_permission_warning(path: &Path) -> Option<String> {
    let mode = fs::metadata(path).ok()?.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "audit signing key {} is readable by group or others (mode {mode:04o}); run chmod 600 {}",
            path.display(),
            path.display()
        )
    })
}

/// Reads a verifying (public) key: a file holding 64 hex characters (32 bytes),
/// optionally followed by a newline, as written to `<key>.pub`.
///
/// # Errors
/// [`AuditError`] naming the file when it is unreadable, not 64 hex characters, or not a
/// valid ed25519 point.
pub fn load_verifying_key(path: &Path) -> Result<VerifyingKey, AuditError> {
    let bytes = parse_hex_key_file(path, "audit public key")?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| {
        AuditError::new(
            Some(path),
            format!("not a valid ed25519 public key: {e}"),
            "use the .pub file written beside the signing key",
        )
    })
}

/// The verifying key of the local signing key at `key` (as in [`AuditConfig::key`]):
/// derived from the seed when the key file is readable, else read from
/// [`pub_path`]`(key)`. Never creates a key.
///
/// # Errors
/// [`AuditError`] when neither file gives a key; the error of the `.pub` file is
/// returned if the seed file does not exist, else the seed file's.
pub fn local_verifying_key(key: &Path) -> Result<VerifyingKey, AuditError> {
    match parse_hex_key_file(key, "audit signing key") {
        Ok(seed) => Ok(SigningKey::from_bytes(&seed).verifying_key()),
        Err(seed_err) => {
            let pub_file = pub_path(key);
            if key.exists() && !pub_file.exists() {
                return Err(seed_err);
            }
            load_verifying_key(&pub_file)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Canonical form

/// Appends the canonical serialization of `value` to `out`: compact JSON with object
/// keys sorted by byte order at every depth (independent of serde_json's
/// `preserve_order` feature).
///
/// # Errors
/// Only if serde_json fails to serialize a string or scalar into a `Vec` (it does not in
/// practice); the caller then refuses to write or to accept the record.
pub fn write_canonical(value: &Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if !entries.is_sorted_by(|a, b| a.0 <= b.0) {
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push(b'{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                serde_json::to_writer(&mut *out, k)?;
                out.push(b':');
                write_canonical(v, out)?;
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(v, out)?;
            }
            out.push(b']');
        }
        scalar => serde_json::to_writer(&mut *out, scalar)?,
    }
    Ok(())
}

/// The first float found in `value`, as a dotted path (`a.b[2]`), if any.
fn find_float(value: &Value, path: &mut String) -> Option<String> {
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => Some(path.clone()),
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            let found = find_float(v, path);
            path.truncate(len);
            found
        }),
        Value::Array(a) => a.iter().enumerate().find_map(|(i, v)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = find_float(v, path);
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Append

/// How many bytes one backward read of the log takes while looking for the start of its last
/// line; the only buffer the search holds.
const TAIL_CHUNK: usize = 64 * 1024;

/// Where the last line of `file` (of `len` bytes, `len > 0`) is: its start offset and its end
/// (exclusive, before the newline). Reads backwards from the end in [`TAIL_CHUNK`] steps and
/// keeps nothing but the chunk in hand, so the cost is the length of the last line, whatever
/// the size of the log. `Ok(None)` when the file does not end with a newline (a torn write).
fn last_line_range(file: &File, len: u64) -> io::Result<Option<(u64, u64)>> {
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1)?;
    if last != [b'\n'] {
        return Ok(None);
    }
    let end = len - 1; // exclusive end of the line
    let mut chunk = vec![0u8; TAIL_CHUNK];
    let mut pos = end;
    while pos > 0 {
        let n = (TAIL_CHUNK as u64).min(pos);
        pos -= n;
        let Some(buf) = chunk.get_mut(..n as usize) else { break };
        file.read_exact_at(buf, pos)?;
        if let Some(i) = buf.iter().rposition(|&b| b == b'\n') {
            return Ok(Some((pos + i as u64 + 1, end)));
        }
    }
    Ok(Some((0, end)))
}

/// Reads bytes `[pos, end)` of a file (positioned reads: the file's own offset is left alone)
/// and feeds every byte read to a SHA-256 hasher.
struct HashedRange<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
    hasher: Sha256,
}

impl io::Read for HashedRange<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = (self.end.saturating_sub(self.pos)).min(buf.len() as u64) as usize;
        let Some(buf) = buf.get_mut(..want) else { return Ok(0) };
        if buf.is_empty() {
            return Ok(0);
        }
        let n = self.file.read_at(buf, self.pos)?;
        self.hasher.update(buf.get(..n).unwrap_or_default());
        self.pos += n as u64;
        Ok(n)
    }
}

/// The `seq` and the SHA-256 (lowercase hex) of the last line of `file` (of `len` bytes,
/// `len > 0`), read in one forward pass from the line's start with bounded memory (fields
/// other than `seq` are skipped, not kept). `Ok(None)`: the file does not end with a newline.
/// `Ok(Some(Err(_)))`: the line is not a JSON record with a `seq`.
fn last_record(file: &File, len: u64) -> io::Result<Option<Result<(u64, String), serde_json::Error>>> {
    let Some((start, end)) = last_line_range(file, len)? else { return Ok(None) };
    let mut range = HashedRange { file, pos: start, end, hasher: Sha256::new() };
    let tail = serde_json::from_reader::<_, Tail>(io::BufReader::with_capacity(TAIL_CHUNK, &mut range));
    match tail {
        Ok(t) => Ok(Some(Ok((t.seq, hex(&range.hasher.finalize()))))),
        Err(e) if e.is_io() => Err(io::Error::other(e)),
        Err(e) => Ok(Some(Err(e))),
    }
}

#[derive(serde::Deserialize)]
struct Tail {
    seq: u64,
}

fn open_log(log: &Path) -> Result<File, AuditError> {
    let open = || OpenOptions::new().read(true).append(true).create(true).mode(0o600).open(log);
    match open() {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_parent(log)?;
            open().map_err(|e| {
                AuditError::io(
                    log,
                    "cannot open audit log",
                    &e,
                    "check that its folder exists and is writable by this user",
                )
            })
        }
        Err(e) => Err(AuditError::io(
            log,
            "cannot open audit log for appending",
            &e,
            "check that the file and its folder are writable by this user (or set GUARD_AUDIT_LOG)",
        )),
    }
}

/// How long [`append`] waits for the log lock before failing (a holder normally keeps
/// it for well under a millisecond; a stopped or hung process could keep it forever).
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Takes the exclusive lock on `file` (the log at `log`), polling with a growing sleep
/// (50 µs up to 10 ms) for at most `timeout`.
fn lock_with_timeout(file: &File, log: &Path, timeout: Duration) -> Result<(), AuditError> {
    let start = Instant::now();
    let mut pause = Duration::from_micros(50);
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(10));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(AuditError::new(
                    Some(log),
                    format!("timed out after {timeout:?} waiting for the audit log lock"),
                    "another process holds it (a stopped or hung guard?); find it with `fuser` or `lsof` on the log",
                ));
            }
            Err(TryLockError::Error(e)) => {
                return Err(AuditError::io(
                    log,
                    "cannot lock audit log",
                    &e,
                    "check that the file system supports flock and that the file is yours",
                ));
            }
        }
    }
}

/// Appends one signed record with the caller's `fields` to the log in `cfg`, creating
/// the log (mode `0600`, parent folders `0700`) and the signing key if needed.
///
/// Under an exclusive lock on the log it reads the last line, sets `seq` (last + 1, or 1)
/// `prev` (sha256 of the last line, or [`GENESIS_PREV`]) and `key_id`, serializes the
/// record canonically (see the module docs), signs it and writes the line with one
/// `write_all`. No `fsync`.
///
/// # Errors
/// [`AuditError`] saying which path and what to fix when: `fields` contains a reserved
/// name ([`RESERVED_FIELDS`]) or a float; the key cannot be read or created; the log
/// cannot be created, locked, read or written; the last line of the log is torn (no
/// trailing newline) or corrupt (not JSON, no `seq`). The caller must then run nothing.
///
/// For speed, the last record's signature is not checked here (only its `seq` is read);
/// [`verify`] checks everything.
pub fn append(cfg: &AuditConfig, mut fields: Map<String, Value>) -> Result<Appended, AuditError> {
    if let Some(name) = RESERVED_FIELDS.iter().find(|n| fields.contains_key(**n)) {
        return Err(AuditError::new(
            None,
            format!("record field `{name}` is reserved (guard sets seq, prev, key_id and sig itself)"),
            "rename the field in the caller (this is a bug in guard)",
        ));
    }
    let record_probe = Value::Object(fields);
    if let Some(at) = find_float(&record_probe, &mut String::new()) {
        return Err(AuditError::new(
            None,
            format!("record field `{at}` is a float; audit records hold integers only"),
            "encode it as an integer unit or a string (this is a bug in guard)",
        ));
    }
    let Value::Object(f) = record_probe else { unreachable!() };
    fields = f;

    let key = load_or_create_signing_key(&cfg.key)?;
    let kid = key_id(&key.verifying_key());

    let log = &cfg.log;
    let file = open_log(log)?;
    lock_with_timeout(&file, log, LOCK_TIMEOUT)?;
    let len = file
        .metadata()
        .map_err(|e| AuditError::io(log, "cannot stat audit log", &e, "check the file is readable"))?
        .len();
    let (seq, prev) = if len == 0 {
        (1, GENESIS_PREV.to_string())
    } else {
        let (last_seq, last_hash) = last_record(&file, len)
            .map_err(|e| {
                AuditError::io(log, "cannot read the last audit record", &e, "check the file is readable by this user")
            })?
            .ok_or_else(|| {
                AuditError::new(
                    Some(log),
                    "the last audit record is torn (no trailing newline; an interrupted write?)",
                    format!(
                        "run `guard audit verify` on {} and repair the log before guarding more commands",
                        log.display()
                    ),
                )
            })?
            .map_err(|e| {
                AuditError::new(
                    Some(log),
                    format!("the last audit record is corrupt (not a JSON record with a `seq`: {e})"),
                    format!(
                        "run `guard audit verify` on {} and repair the log before guarding more commands",
                        log.display()
                    ),
                )
            })?;
        let next = last_seq.checked_add(1).ok_or_else(|| {
            AuditError::new(Some(log), "the last audit record has the largest possible seq", "start a new log")
        })?;
        (next, last_hash)
    };

    fields.insert("seq".into(), Value::from(seq));
    fields.insert("prev".into(), Value::String(prev));
    fields.insert("key_id".into(), Value::String(kid));
    let mut line = Vec::with_capacity(512);
    write_canonical(&Value::Object(fields), &mut line).map_err(|e| {
        AuditError::new(Some(log), format!("cannot serialize the audit record: {e}"), "report this as a bug")
    })?;
    let sig = key.sign(&line);
    line.pop(); // the final `}`
    line.extend_from_slice(b",\"sig\":\"");
    line.extend_from_slice(hex(&sig.to_bytes()).as_bytes());
    line.extend_from_slice(b"\"}");
    let hash = sha256_hex(&line);
    line.push(b'\n');
    (&file).write_all(&line).map_err(|e| {
        AuditError::io(log, "cannot write audit record", &e, "check free space and that the file is writable")
    })?;
    drop(file); // closing releases the lock
    Ok(Appended { seq, hash })
}

// ---------------------------------------------------------------------------------------
// Verify

const SIG_PREFIX: &[u8] = b",\"sig\":\"";

fn check_line(line: &[u8], keys: &[(String, VerifyingKey)], expect_seq: u64, expect_prev: &str) -> Result<u64, String> {
    if line.is_empty() {
        return Err("empty line".into());
    }
    let mut obj: Map<String, Value> = serde_json::from_slice(line).map_err(|e| format!("not a JSON object: {e}"))?;
    // Suffix: ,"sig":"<128 hex>"}
    let sig_len = 128;
    let suffix_len = SIG_PREFIX.len() + sig_len + 2;
    // `body` is the record up to (not including) `,"sig":"`; `tail` is `,"sig":"<128 hex>"}`.
    let split = line.len().checked_sub(suffix_len).filter(|at| *at >= 1);
    let Some((body, tail)) = split.and_then(|at| Some((line.get(..at)?, line.get(at..)?))) else {
        return Err("does not end with ,\"sig\":\"<128 hex>\"}".into());
    };
    let Some(sig_hex) = tail.strip_prefix(SIG_PREFIX).and_then(|t| t.strip_suffix(b"\"}")) else {
        return Err("does not end with ,\"sig\":\"<128 hex>\"}".into());
    };
    let sig_bytes = unhex::<64>(sig_hex).ok_or("signature is not 128 hex characters")?;
    if obj.remove("sig").and_then(|v| v.as_str().map(|s| s.as_bytes() == sig_hex)) != Some(true) {
        return Err("`sig` field does not match the signature suffix".into());
    }
    let mut signed = body.to_vec();
    signed.push(b'}');

    let seq = obj.get("seq").and_then(Value::as_u64).ok_or("missing or invalid `seq`")?;
    let prev = obj.get("prev").and_then(Value::as_str).ok_or("missing or invalid `prev`")?.to_string();
    let kid = obj.get("key_id").and_then(Value::as_str).ok_or("missing or invalid `key_id`")?.to_string();

    let mut canonical = Vec::with_capacity(signed.len());
    write_canonical(&Value::Object(obj), &mut canonical).map_err(|e| format!("cannot serialize: {e}"))?;
    if canonical != signed {
        return Err("not in canonical form (altered record)".into());
    }
    let (_, vk) = keys.iter().find(|(id, _)| *id == kid).ok_or_else(|| format!("unknown key {kid}"))?;
    vk.verify_strict(&signed, &Signature::from_bytes(&sig_bytes))
        .map_err(|_| "bad signature (altered record)".to_string())?;
    if seq < expect_seq {
        return Err(format!("reorder or replay: seq {seq}, expected {expect_seq}"));
    }
    if seq > expect_seq {
        return Err(format!("gap: records missing: seq {seq}, expected {expect_seq}"));
    }
    if prev != expect_prev {
        return Err("broken chain: prev is not the sha256 of the previous line".into());
    }
    Ok(seq)
}

/// Checks the whole log at `log` against the accepted public `keys`: every line is a
/// canonical, correctly signed record by one of `keys`, `seq` runs 1, 2, 3, ... and each
/// `prev` is the sha256 of the line before. Reads the file once, line by line.
///
/// An empty log is valid (0 records).
///
/// # Errors
/// The first failure as [`VerifyError`] with its 1-based line number and a reason:
/// `not a JSON object`, `not in canonical form`, `unknown key <id>`, `bad signature`,
/// `reorder or replay`, `gap: records missing`, `broken chain`, `torn last line`; line 0
/// when the file is missing or cannot be read (then no line was judged: callers report it
/// as an unreadable log, not a bad one).
pub fn verify(log: &Path, keys: &[VerifyingKey]) -> Result<VerifyReport, VerifyError> {
    let file =
        File::open(log).map_err(|e| VerifyError { line: 0, reason: format!("cannot open {}: {e}", log.display()) })?;
    let keys: Vec<(String, VerifyingKey)> = keys.iter().map(|k| (key_id(k), *k)).collect();
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut line = Vec::with_capacity(1024);
    let mut report = VerifyReport { records: 0, last_seq: 0, last_hash: GENESIS_PREV.to_string() };
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| VerifyError { line: 0, reason: format!("cannot read {}: {e}", log.display()) })?;
        if n == 0 {
            break;
        }
        number += 1;
        if line.pop() != Some(b'\n') {
            return Err(VerifyError { line: number, reason: "torn last line (no trailing newline)".into() });
        }
        let seq = check_line(&line, &keys, report.last_seq + 1, &report.last_hash)
            .map_err(|reason| VerifyError { line: number, reason })?;
        report.records += 1;
        report.last_seq = seq;
        report.last_hash = sha256_hex(&line);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    /// The log's lines without newlines.
    fn read_lines(path: &Path) -> Vec<Vec<u8>> {
        let s = fs::read(path).unwrap();
        s.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
    }

    fn cfg(dir: &Path) -> AuditConfig {
        AuditConfig { log: dir.join("logs/sub/audit.jsonl"), key: dir.join("cfg/guard/audit.key") }
    }

    fn fields(i: u64) -> Map<String, Value> {
        let Value::Object(m) = json!({
            "decision": "allow",
            "argv": ["psql", "-c", format!("select {i}")],
            "user": "alice",
            "ts_ms": 1_700_000_000_000u64 + i,
            "nested": {"z": 1, "a": [true, null, "é\"\\\n"]},
        }) else {
            unreachable!()
        };
        m
    }

    fn local_key(c: &AuditConfig) -> VerifyingKey {
        local_verifying_key(&c.key).unwrap()
    }

    fn write_lines(path: &Path, lines: &[Vec<u8>]) {
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(l);
            out.push(b'\n');
        }
        fs::write(path, out).unwrap();
    }

    #[test]
    fn first_record_shape_and_roundtrip() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        let a = append(&c, fields(1)).unwrap();
        assert_eq!(a.seq, 1);
        let lines = read_lines(&c.log);
        assert_eq!(lines.len(), 1);
        assert_eq!(a.hash, sha256_hex(&lines[0]));
        let text = std::str::from_utf8(&lines[0]).unwrap();
        assert!(text.starts_with("{\"argv\":[\"psql\""), "{text}");
        assert!(text.contains(&format!("\"prev\":\"{GENESIS_PREV}\"")));
        assert!(text.contains("\"seq\":1,"));
        assert!(text.contains("\"nested\":{\"a\":[true,null,\"é\\\"\\\\\\n\"],\"z\":1}"), "{text}");
        let sig_at = text.find(",\"sig\":\"").unwrap();
        assert_eq!(text.len() - sig_at, 8 + 128 + 2);
        let b = append(&c, fields(2)).unwrap();
        assert_eq!(b.seq, 2);
        assert!(std::str::from_utf8(&read_lines(&c.log)[1]).unwrap().contains(&format!("\"prev\":\"{}\"", a.hash)));
        let r = verify(&c.log, &[local_key(&c)]).unwrap();
        assert_eq!(r, VerifyReport { records: 2, last_seq: 2, last_hash: b.hash });
    }

    #[test]
    fn serde_json_map_is_sorted() {
        // The canonical form does not depend on it, but a change here means someone
        // enabled serde_json's preserve_order feature.
        let mut m = Map::new();
        m.insert("b".into(), Value::Null);
        m.insert("a".into(), Value::Null);
        assert_eq!(serde_json::to_string(&m).unwrap(), "{\"a\":null,\"b\":null}");
        let mut out = Vec::new();
        write_canonical(&Value::Object(m), &mut out).unwrap();
        assert_eq!(out, b"{\"a\":null,\"b\":null}");
    }

    #[test]
    fn key_file_mode_and_pub() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        append(&c, fields(1)).unwrap();
        let meta = fs::metadata(&c.key).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(c.key.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(fs::metadata(&c.log).unwrap().permissions().mode() & 0o777, 0o600);
        let text = fs::read_to_string(&c.key).unwrap();
        assert_eq!(text.len(), 65);
        assert!(text.ends_with('\n') && text[..64].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        let from_pub = load_verifying_key(&pub_path(&c.key)).unwrap();
        assert_eq!(from_pub, local_key(&c));
        assert!(key_permission_warning(&c.key).is_none());
        fs::set_permissions(&c.key, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(key_permission_warning(&c.key).unwrap().contains("chmod 600"));
        // Still usable: an open key is a warning, not an error.
        append(&c, fields(2)).unwrap();
        // Without the seed, the .pub file is used.
        fs::remove_file(&c.key).unwrap();
        assert_eq!(local_verifying_key(&c.key).unwrap(), from_pub);
    }

    #[test]
    fn malformed_key_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        fs::create_dir_all(c.key.parent().unwrap()).unwrap();
        fs::write(&c.key, "not hex\n").unwrap();
        let e = append(&c, fields(1)).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains(&c.key.display().to_string()) && msg.contains("malformed"), "{msg}");
        assert!(!c.log.exists());
    }

    #[test]
    fn reserved_fields_and_floats_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        for name in RESERVED_FIELDS {
            let mut f = fields(1);
            f.insert(name.into(), json!(7));
            assert!(append(&c, f).unwrap_err().to_string().contains(name));
        }
        let mut f = fields(1);
        f.insert("x".into(), json!({"y": [1, 2.5]}));
        assert!(append(&c, f).unwrap_err().to_string().contains("x.y[1]"));
    }

    #[test]
    fn concurrent_appends_keep_order() {
        let d = tempfile::tempdir().unwrap();
        let c = Arc::new(cfg(d.path()));
        append(&c, fields(0)).unwrap(); // create the key once
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || {
                    let mut seqs = Vec::new();
                    for i in 0..50 {
                        seqs.push(append(&c, fields(t * 1000 + i)).unwrap().seq);
                    }
                    seqs
                })
            })
            .collect();
        let mut all: Vec<u64> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
        all.sort();
        assert_eq!(all, (2..=401).collect::<Vec<_>>());
        let r = verify(&c.log, &[local_key(&c)]).unwrap();
        assert_eq!(r.records, 401);
        assert_eq!(r.last_seq, 401);
    }

    #[test]
    fn concurrent_first_use_agrees_on_one_key() {
        let d = tempfile::tempdir().unwrap();
        let c = Arc::new(cfg(d.path()));
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let c = Arc::clone(&c);
                std::thread::spawn(move || append(&c, fields(t)).unwrap())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(verify(&c.log, &[local_key(&c)]).unwrap().records, 6);
    }

    fn log_of(n: u64) -> (tempfile::TempDir, AuditConfig, Vec<Vec<u8>>) {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        for i in 1..=n {
            append(&c, fields(i)).unwrap();
        }
        let lines = read_lines(&c.log);
        (d, c, lines)
    }

    #[test]
    fn tamper_one_byte_names_the_line() {
        let (_d, c, lines) = log_of(5);
        let key = local_key(&c);
        // Change a digit inside the signed part of line 3 (`select 3` -> `select 4`).
        let mut l = lines.clone();
        let pos = l[2].windows(8).position(|w| w == b"select 3").unwrap() + 7;
        l[2][pos] = b'4';
        write_lines(&c.log, &l);
        let e = verify(&c.log, &[key]).unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.reason.contains("signature"), "{e}");
        // A byte of the signature itself.
        let mut l = lines.clone();
        let n = l[1].len();
        l[1][n - 3] = if l[1][n - 3] == b'0' { b'1' } else { b'0' };
        write_lines(&c.log, &l);
        assert_eq!(verify(&c.log, &[key]).unwrap_err().line, 2);
        // Whitespace added: still the same JSON, but not canonical.
        let mut l = lines.clone();
        l[3].splice(1..1, *b" ");
        write_lines(&c.log, &l);
        let e = verify(&c.log, &[key]).unwrap_err();
        assert_eq!((e.line, e.reason.contains("canonical")), (4, true), "{e}");
        // Every single-byte change in one line is caught on that line.
        for i in 0..lines[4].len() {
            let mut l = lines.clone();
            l[4][i] ^= 0x01;
            if l[4][i] == b'\n' {
                continue;
            }
            write_lines(&c.log, &l);
            assert_eq!(verify(&c.log, &[key]).unwrap_err().line, 5, "byte {i}");
        }
    }

    #[test]
    fn deleted_middle_line_is_caught() {
        let (_d, c, mut lines) = log_of(5);
        lines.remove(2);
        write_lines(&c.log, &lines);
        let e = verify(&c.log, &[local_key(&c)]).unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.reason.starts_with("gap"), "{e}");
        assert_eq!(e.to_string(), format!("line 3: {}", e.reason));
    }

    #[test]
    fn swapped_lines_are_caught() {
        let (_d, c, mut lines) = log_of(5);
        lines.swap(1, 3);
        write_lines(&c.log, &lines);
        let e = verify(&c.log, &[local_key(&c)]).unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn replayed_line_is_caught() {
        let (_d, c, mut lines) = log_of(3);
        lines.push(lines[1].clone());
        write_lines(&c.log, &lines);
        let e = verify(&c.log, &[local_key(&c)]).unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.reason.starts_with("reorder or replay"), "{e}");
    }

    #[test]
    fn first_line_must_be_seq_1() {
        let (_d, c, mut lines) = log_of(3);
        lines.remove(0);
        write_lines(&c.log, &lines);
        let e = verify(&c.log, &[local_key(&c)]).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.reason.starts_with("gap"), "{e}");
    }

    #[test]
    fn broken_chain_with_consistent_seq() {
        // Two logs signed by the same key: splicing line 2 of one into the other keeps
        // seq consistent and the signature valid, but breaks the chain.
        let d = tempfile::tempdir().unwrap();
        let c1 = cfg(d.path());
        let c2 = AuditConfig { log: d.path().join("other.jsonl"), key: c1.key.clone() };
        for i in 1..=3 {
            append(&c1, fields(i)).unwrap();
            append(&c2, fields(i + 10)).unwrap();
        }
        let mut l1 = read_lines(&c1.log);
        l1[1] = read_lines(&c2.log)[1].clone();
        write_lines(&c1.log, &l1);
        let e = verify(&c1.log, &[local_key(&c1)]).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.reason.starts_with("broken chain"), "{e}");
    }

    #[test]
    fn wrong_key_is_unknown_key() {
        let (_d, c, _) = log_of(2);
        let other = SigningKey::from_bytes(&[7u8; 32]).verifying_key();
        let e = verify(&c.log, &[other]).unwrap_err();
        assert_eq!(e.line, 1);
        assert_eq!(e.reason, format!("unknown key {}", key_id(&local_key(&c))));
        // Accepting several keys works.
        assert_eq!(verify(&c.log, &[other, local_key(&c)]).unwrap().records, 2);
    }

    #[test]
    fn missing_and_empty_logs() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("nope.jsonl");
        assert_eq!(verify(&missing, &[]).unwrap_err().line, 0);
        let empty = d.path().join("empty.jsonl");
        fs::write(&empty, "").unwrap();
        let r = verify(&empty, &[]).unwrap();
        assert_eq!(r, VerifyReport { records: 0, last_seq: 0, last_hash: GENESIS_PREV.into() });
    }

    #[test]
    fn corrupt_or_torn_last_line_blocks_append() {
        let (_d, c, lines) = log_of(3);
        let before = fs::read(&c.log).unwrap();
        // Corrupt last line.
        let mut corrupt = before.clone();
        corrupt.extend_from_slice(b"garbage\n");
        fs::write(&c.log, &corrupt).unwrap();
        let e = append(&c, fields(9)).unwrap_err().to_string();
        assert!(e.contains("corrupt") && e.contains("guard audit verify") && e.contains("audit.jsonl"), "{e}");
        assert_eq!(fs::read(&c.log).unwrap(), corrupt, "nothing appended");
        // JSON without seq.
        let mut noseq = before.clone();
        noseq.extend_from_slice(b"{\"a\":1}\n");
        fs::write(&c.log, &noseq).unwrap();
        assert!(append(&c, fields(9)).is_err());
        // Torn last line.
        let mut torn = before.clone();
        torn.extend_from_slice(&lines[0][..20]);
        fs::write(&c.log, &torn).unwrap();
        let e = append(&c, fields(9)).unwrap_err().to_string();
        assert!(e.contains("torn") && e.contains("guard audit verify"), "{e}");
        assert_eq!(verify(&c.log, &[local_key(&c)]).unwrap_err().line, 4);
        // Restored: appends again.
        fs::write(&c.log, &before).unwrap();
        assert_eq!(append(&c, fields(9)).unwrap().seq, 4);
    }

    #[test]
    fn held_lock_times_out_with_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        append(&c, fields(1)).unwrap();
        let holder = File::options().append(true).open(&c.log).unwrap();
        holder.lock().unwrap();
        let other = open_log(&c.log).unwrap();
        let e = lock_with_timeout(&other, &c.log, Duration::from_millis(30)).unwrap_err().to_string();
        assert!(e.contains("timed out") && e.contains("audit.jsonl"), "{e}");
        drop(holder);
        lock_with_timeout(&other, &c.log, Duration::from_millis(30)).unwrap();
    }

    #[test]
    fn last_line_longer_than_a_chunk() {
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        let mut f = fields(1);
        f.insert("script".into(), json!("x".repeat(3 * TAIL_CHUNK + 17)));
        append(&c, f.clone()).unwrap();
        append(&c, f).unwrap();
        assert_eq!(append(&c, fields(3)).unwrap().seq, 3);
        assert_eq!(verify(&c.log, &[local_key(&c)]).unwrap().records, 3);
    }

    #[test]
    fn unwritable_log_names_the_path() {
        let d = tempfile::tempdir().unwrap();
        let mut c = cfg(d.path());
        fs::write(d.path().join("file"), "").unwrap();
        c.log = d.path().join("file/audit.jsonl"); // parent is a regular file
        let e = append(&c, fields(1)).unwrap_err().to_string();
        assert!(e.contains(&d.path().join("file").display().to_string()), "{e}");
    }

    #[test]
    fn from_env_prefers_variables() {
        // Only checks the default shape; env vars are process-global, so they are not
        // set here (tests run in parallel).
        if std::env::var_os("GUARD_AUDIT_LOG").is_none()
            && std::env::var_os("GUARD_KEY").is_none()
            && let Ok(c) = AuditConfig::from_env()
        {
            assert!(c.log.ends_with("guard/audit.jsonl"));
            assert!(c.key.ends_with("guard/audit.key"));
        }
    }

    #[test]
    fn append_timing() {
        // Informational: prints the mean time per append (debug builds are far slower
        // than release; see the report in the commit message).
        let d = tempfile::tempdir().unwrap();
        let c = cfg(d.path());
        append(&c, fields(0)).unwrap();
        let n = 200;
        let t = Instant::now();
        for i in 0..n {
            append(&c, fields(i)).unwrap();
        }
        let per = t.elapsed() / n as u32;
        eprintln!("append: {per:?} per record (this build profile)");
    }
}
