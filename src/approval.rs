//! One-time approvals: a person lets one refused `ask` command of an agent run once.
//!
//! `guard approve RECORD` (see `cmd::approve`) writes an [`Approval`] for the command of one
//! signed audit record; the next identical run (same input, working directory and rule ids:
//! [`digest`]) within [`VALID_FOR`] consumes it ([`Store::consume`]: claimed by an atomic
//! rename, removed, used once) and runs, its record naming the approval (`approved_by`).
//! An approval only answers an `ask` that no person was there to answer; it never turns a
//! `deny` into a run and never covers another text, another directory or another rule.
//!
//! # Stores
//!
//! - **Personal** (default): `<state dir>/guard/approvals`. The guarded user can write it, so an
//!   agent running as that user can forge an approval: this store is a convenience, not a
//!   defence.
//! - **Privileged**: `approvals = "DIR"` in `/etc/guard/config.toml` (system layer only), or
//!   `/var/lib/guard/approvals` when that directory exists. The agent runs as its own user.
//!   An approval counts only if its file is a regular file (not a symlink, one link) owned by
//!   another user than the one guard runs as, and writable by nobody else than its owner; so a
//!   file the agent writes, copies or links there does nothing. The directory must be
//!   writable by the agent's user (to remove a used approval) and by the people who approve,
//!   without the sticky bit (`docs/privileged.md`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::audit::sha256_hex;
use serde::{Deserialize, Serialize};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How long an approval stays valid after the person gave it: 10 minutes, in seconds.
pub const VALID_FOR: u64 = 600;

/// The privileged store used when it exists and `config.toml` names none.
pub const PRIVILEGED_DIR: &str = "/var/lib/guard/approvals";

/// Largest approval file read, in bytes (bounded work on a planted file).
const MAX_FILE: u64 = 64 * 1024;

/// The SHA-256 (lowercase hex) of a run's raw input: the way in (`wrap`, `shell`) and every
/// raw part (the argv or shell arguments, then the analysed text), each followed by a NUL.
pub fn input_sha256(mode: &str, raw: &[&str]) -> String {
    let mut bytes = Vec::new();
    for part in std::iter::once(mode).chain(raw.iter().copied()) {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    sha256_hex(&bytes)
}

/// What an approval covers: the SHA-256 of the input's hash, the working directory and the
/// sorted, deduplicated rule ids, as a canonical JSON array `[input_sha256, cwd, [rules]]`.
pub fn digest(input_sha256: &str, cwd: &str, rules: &[String]) -> String {
    let mut rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    rules.sort_unstable();
    rules.dedup();
    let text = serde_json::json!([input_sha256, cwd, rules]).to_string();
    sha256_hex(text.as_bytes())
}

/// One approval file (`<digest>.json`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// What it covers ([`digest`]).
    pub digest: String,
    /// The `seq` of the audit record of the refused run that was approved.
    pub record: u64,
    /// The audit log that record is in.
    pub log: String,
    /// The input hash of that record.
    pub input_sha256: String,
    /// Its working directory.
    pub cwd: String,
    /// Its rule ids.
    pub rules: Vec<String>,
    /// When the person approved, in seconds since the Unix epoch.
    pub approved_at: u64,
    /// The first second (since the epoch) at which it no longer applies.
    pub expires: u64,
    /// The approving person's user name and uid.
    pub approver: String,
    /// The approving person's uid.
    pub approver_uid: u32,
}

/// Seconds since the Unix epoch, now.
pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Where approvals are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// The directory.
    pub dir: PathBuf,
    /// True for the privileged store (owner checks apply), false for the personal one.
    pub privileged: bool,
}

impl Store {
    /// The store for `config`: the system layer's `approvals` directory, else
    /// [`PRIVILEGED_DIR`] if it is a directory, else `<state dir>/guard/approvals`
    /// (`None` when there is no state or local data directory).
    pub fn locate(config: &crate::config::Config) -> Option<Store> {
        if let Some(dir) = &config.approvals {
            return Some(Store { dir: dir.clone(), privileged: true });
        }
        if Path::new(PRIVILEGED_DIR).is_dir() {
            return Some(Store { dir: PRIVILEGED_DIR.into(), privileged: true });
        }
        dirs::state_dir().or_else(dirs::data_local_dir).map(|d| Store { dir: d.join("guard/approvals"), privileged: false })
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.json"))
    }

    /// Writes `a` (mode 0644, replacing an older approval of the same command) through a
    /// temporary file renamed into place. Errors name the path.
    pub fn write(&self, a: &Approval) -> Result<PathBuf, String> {
        if !self.privileged {
            std::fs::create_dir_all(&self.dir).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        }
        let text = serde_json::to_string_pretty(a).map_err(|e| e.to_string())?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".approval-")
            .permissions(std::fs::Permissions::from_mode(0o644))
            .tempfile_in(&self.dir)
            .map_err(|e| format!("{}: cannot write an approval: {e}", self.dir.display()))?;
        std::io::Write::write_all(&mut tmp, format!("{text}\n").as_bytes()).map_err(|e| format!("{}: {e}", self.dir.display()))?;
        let path = self.path(&a.digest);
        tmp.persist(&path).map_err(|e| format!("{}: {}", path.display(), e.error))?;
        Ok(path)
    }

    /// Consumes the approval of `digest`, if a valid one exists, for a guard running as `uid`
    /// at `now` (seconds since the epoch): claims the file by renaming it (only one process
    /// can), checks it, removes it, and returns it. `Ok(None)`: there is none. `Err(why)`: there
    /// was one and it does not count (forged, expired, for another command, linked twice);
    /// it is removed all the same.
    pub fn consume(&self, digest: &str, uid: u32, now: u64) -> Result<Option<Approval>, String> {
        let path = self.path(digest);
        let claimed = self.dir.join(format!(".{digest}.{}.claimed", std::process::id()));
        match std::fs::rename(&path, &claimed) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: cannot claim the approval: {e}", path.display())),
        }
        let checked = self.check(&claimed, digest, uid, now);
        let removed = std::fs::remove_file(&claimed);
        let (a, file) = checked?;
        removed.map_err(|e| format!("{}: cannot remove the used approval: {e}", claimed.display()))?;
        // No name may be left for the file: a second link would let it be used again.
        match file.metadata() {
            Ok(m) if m.nlink() == 0 => Ok(Some(a)),
            _ => Err(format!("{}: the approval file has another link; not used", path.display())),
        }
    }

    fn check(&self, claimed: &Path, digest: &str, uid: u32, now: u64) -> Result<(Approval, std::fs::File), String> {
        let shown = self.path(digest).display().to_string();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(claimed)
            .map_err(|e| format!("{shown}: not a plain approval file: {e}"))?;
        let m = file.metadata().map_err(|e| format!("{shown}: {e}"))?;
        if !m.is_file() || m.nlink() != 1 {
            return Err(format!("{shown}: not a plain approval file with one link; not used"));
        }
        if self.privileged {
            if m.uid() == uid {
                return Err(format!(
                    "{shown}: written by this user (uid {uid}), not by a person; approvals in the privileged store must come from another user"
                ));
            }
            if m.mode() & 0o022 != 0 {
                return Err(format!("{shown}: writable by others than its owner; not used"));
            }
        }
        let mut text = String::new();
        (&file).take(MAX_FILE).read_to_string(&mut text).map_err(|e| format!("{shown}: {e}"))?;
        let a: Approval = serde_json::from_str(&text).map_err(|e| format!("{shown}: not an approval: {e}"))?;
        if a.digest != digest || digest != self::digest(&a.input_sha256, &a.cwd, &a.rules) {
            return Err(format!("{shown}: covers another command; not used"));
        }
        if a.approver_uid != m.uid() && self.privileged {
            return Err(format!("{shown}: names uid {} but belongs to uid {}; not used", a.approver_uid, m.uid()));
        }
        if now >= a.expires {
            return Err(format!("{shown}: expired (approvals are valid for {} minutes); not used", VALID_FOR / 60));
        }
        Ok((a, file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(d: &str, expires: u64) -> Approval {
        Approval {
            digest: digest(d, "/w", &["b".into(), "a".into()]),
            record: 7,
            log: "l".into(),
            input_sha256: d.into(),
            cwd: "/w".into(),
            rules: vec!["a".into(), "b".into()],
            approved_at: 1,
            expires,
            approver: "p".into(),
            approver_uid: 1,
        }
    }

    #[test]
    fn digest_ignores_rule_order_and_covers_each_part() {
        let r = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(digest("x", "/w", &r(&["a", "b"])), digest("x", "/w", &r(&["b", "a", "a"])));
        assert_ne!(digest("x", "/w", &r(&["a"])), digest("y", "/w", &r(&["a"])));
        assert_ne!(digest("x", "/w", &r(&["a"])), digest("x", "/v", &r(&["a"])));
        assert_ne!(digest("x", "/w", &r(&["a"])), digest("x", "/w", &r(&["a", "c"])));
        assert_ne!(input_sha256("wrap", &["a b"]), input_sha256("wrap", &["a", "b"]));
    }

    #[test]
    fn consumed_once_and_expired_does_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store { dir: dir.path().into(), privileged: false };
        let a = approval("x", 100);
        store.write(&a).unwrap();
        assert_eq!(store.consume(&a.digest, 0, 50).unwrap(), Some(a.clone()));
        assert_eq!(store.consume(&a.digest, 0, 50).unwrap(), None);
        store.write(&a).unwrap();
        assert!(store.consume(&a.digest, 0, 100).unwrap_err().contains("expired"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A file under another command's name does not count.
        let b = approval("y", 100);
        std::fs::write(store.path(&a.digest), serde_json::to_string(&b).unwrap()).unwrap();
        assert!(store.consume(&a.digest, 0, 50).unwrap_err().contains("another command"));
        // Own files do not count in the privileged store.
        let p = Store { privileged: true, ..store.clone() };
        store.write(&a).unwrap();
        let me = std::fs::metadata(dir.path()).unwrap().uid();
        assert!(p.consume(&a.digest, me, 50).unwrap_err().contains("written by this user"));
        // A symlink to an approval is not followed.
        let elsewhere = tempfile::tempdir().unwrap();
        let real = Store { dir: elsewhere.path().into(), privileged: false }.write(&a).unwrap();
        std::os::unix::fs::symlink(&real, store.path(&a.digest)).unwrap();
        assert!(store.consume(&a.digest, 0, 50).unwrap_err().contains("not a plain approval file"));
        assert!(real.exists());
    }
}
