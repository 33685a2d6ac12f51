//! `guard check` over real public CI definitions (GitHub Actions workflows, a Makefile) that the
//! crates guard depends on ship in their crates.io packages, listed with crate, version,
//! repository and license in `tests/corpus/ci_files.toml`: no crash, no hang, every finding
//! inside the file it names, and every `deny` one of the reviewed ones the manifest lists. The
//! files are read where building guard extracted those crates (`$CARGO_HOME/registry/src`, the
//! Cargo book's "Cargo Home"), at the versions Cargo.lock pins; nothing is downloaded.

mod common;

use common::check::run_check;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Cargo's home: `$CARGO_HOME`, else `~/.cargo` (the Cargo book, "Cargo Home").
fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| dirs::home_dir().unwrap().join(".cargo"))
}

/// The version of crate `name` Cargo.lock pins (the one crates.io package of that name).
fn locked_version(lock: &toml::Table, name: &str) -> String {
    let versions: Vec<&str> = lock["package"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"].as_str() == Some(name) && p.get("source").is_some())
        .map(|p| p["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions.len(), 1, "Cargo.lock pins {name} at {versions:?}");
    versions[0].to_string()
}

/// The extracted source of crate `name-version` under `$CARGO_HOME/registry/src/<registry>/`.
fn crate_dir(name: &str, version: &str) -> PathBuf {
    let src = cargo_home().join("registry/src");
    std::fs::read_dir(&src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .map(|r| r.unwrap().path().join(format!("{name}-{version}")))
        .find(|d| d.join("Cargo.toml").is_file())
        .unwrap_or_else(|| panic!("{name} {version} is not extracted under {}: build guard first", src.display()))
}

#[test]
fn real_workflows_and_makefiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("tests/corpus/ci_files.toml")).unwrap()).unwrap();
    let lock: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("Cargo.lock")).unwrap()).unwrap();
    // (file, its name in the manifest's `deny`: "CRATE/PATH")
    let mut files: Vec<(PathBuf, String)> = vec![];
    for c in manifest["crate"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let version = c["version"].as_str().unwrap();
        let license = c["license"].as_str().unwrap();
        assert!(["MIT", "Apache-2.0", "BSD-3-Clause"].iter().any(|l| license.contains(l)), "{name}: {license}");
        assert_eq!(version, locked_version(&lock, name), "{name}: Cargo.lock moved it; update tests/corpus/ci_files.toml and review");
        let dir = crate_dir(name, version);
        for p in c["paths"].as_array().unwrap() {
            let p = p.as_str().unwrap();
            let f = dir.join(p);
            assert!(f.is_file(), "{} is missing", f.display());
            files.push((f, format!("{name}/{p}")));
        }
    }
    let env = TestEnv::new();
    let report: Value =
        run_check(env.guard().args(["check", "--format", "json", "--severity", "ask"]).args(files.iter().map(|(f, _)| f)), Duration::from_secs(120)).unwrap();
    let mut per_action: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut denies = vec![];
    for f in report["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        let Some((_, rel)) = files.iter().find(|(p, _)| p.to_str() == Some(file)) else {
            panic!("finding in a file that was not checked: {f}");
        };
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1, "{f}");
        *per_action.entry(f["action"].as_str().unwrap().to_string()).or_default() += 1;
        *per_rule.entry(f["rule"].as_str().unwrap().to_string()).or_default() += 1;
        if f["action"] == "deny" {
            denies.push(format!("{rel}:{} {}", f["line"], f["rule"].as_str().unwrap()));
        }
    }
    println!("== guard check over {} real CI files: {:?}", files.len(), report["summary"]);
    println!("   findings per action: {per_action:?}");
    println!("   findings per rule: {per_rule:?}");
    let reviewed: Vec<String> = manifest["deny"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string()).collect();
    assert_eq!(denies, reviewed, "every deny must be reviewed and listed in tests/corpus/ci_files.toml");
    assert_eq!(report["summary"]["checked"].as_u64().unwrap() as usize, files.len());
}
