//! `audit verify` on mutated logs: any bytes as an audit log, verified with the fixed key that
//! signed the seed logs (`fuzz/seeds.sh` writes them with this key).
#![no_main]

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The seed of the key the seed logs are signed with (also in `fuzz/seeds.sh`).
const SEED: [u8; 32] = [7; 32];

fn log_path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| std::env::temp_dir().join(format!("guard-fuzz-audit-{}.jsonl", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let key = SigningKey::from_bytes(&SEED).verifying_key();
    let path = log_path();
    if std::fs::write(path, data).is_err() {
        return;
    }
    let _ = guard::audit::verify(path, &[key]);
});
