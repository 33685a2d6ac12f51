//! `guard check` over real public CI definitions (GitHub Actions workflows and actions,
//! Dockerfiles, package.json) listed with their repository and commit in
//! `tests/corpus/ci_files.toml`: no crash, no hang, every finding inside the file it names,
//! and every `deny` one of the reviewed ones the manifest lists. The files are downloaded by
//! `tests/corpus/fetch.sh` into `$GUARD_CORPUS_DIR` (`.ci/run` does it); without them the test
//! says SKIPPED (and fails under .ci/run, which sets GUARD_TESTS_REQUIRE_ALL).

mod common;

use common::check::run_check;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

#[test]
fn real_workflows_and_dockerfiles() {
    let manifest_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ci_files.toml");
    let manifest: toml::Table = toml::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    let Some(dir) = std::env::var_os("GUARD_CORPUS_DIR").map(PathBuf::from).filter(|d| d.is_dir()) else {
        eprintln!("SKIPPED: set GUARD_CORPUS_DIR to a directory filled by tests/corpus/fetch.sh (bash .ci/run does)");
        assert!(std::env::var_os("GUARD_TESTS_REQUIRE_ALL").is_none(), "CI must check the corpus");
        return;
    };
    let mut files = vec![];
    for repo in manifest["repo"].as_array().unwrap() {
        for p in repo["paths"].as_array().unwrap() {
            let f = dir.join(repo["name"].as_str().unwrap()).join(p.as_str().unwrap());
            assert!(f.is_file(), "{} is missing: run tests/corpus/fetch.sh {}", f.display(), dir.display());
            files.push(f);
        }
    }
    let env = TestEnv::new();
    let report: Value =
        run_check(env.guard().args(["check", "--format", "json", "--severity", "ask"]).args(&files), Duration::from_secs(120)).unwrap();
    let mut per_action: BTreeMap<String, usize> = BTreeMap::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    let mut denies = vec![];
    for f in report["findings"].as_array().unwrap() {
        let file = f["file"].as_str().unwrap();
        assert!(files.iter().any(|p| p.to_str() == Some(file)), "finding in a file that was not checked: {f}");
        assert!(f["line"].as_u64().unwrap() >= 1 && f["column"].as_u64().unwrap() >= 1, "{f}");
        *per_action.entry(f["action"].as_str().unwrap().to_string()).or_default() += 1;
        *per_rule.entry(f["rule"].as_str().unwrap().to_string()).or_default() += 1;
        if f["action"] == "deny" {
            let rel = PathBuf::from(file).strip_prefix(&dir).unwrap().display().to_string();
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
