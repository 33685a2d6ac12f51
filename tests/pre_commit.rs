//! The `.pre-commit-hooks.yaml` of this repository with the real `pre-commit` (PyPI), in a
//! throwaway git repository that uses it the way README.md shows: the hook fails on a staged
//! destructive script, names it with its position, and passes once the script is fixed.
//! `pre-commit` is installed by `.ci/run`; without it the test says SKIPPED (and fails under .ci/run, which sets GUARD_TESTS_REQUIRE_ALL).

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git").args(args).current_dir(dir).output().expect("git");
    assert!(out.status.success(), "git {args:?}: {}", describe(&out));
}

#[test]
fn pre_commit_hook_fails_on_a_destructive_script_and_passes_when_fixed() {
    if Command::new("pre-commit").arg("--version").output().is_err() {
        eprintln!("SKIPPED: pre-commit is not installed (bash .ci/run installs it from PyPI)");
        assert!(std::env::var_os("GUARD_TESTS_REQUIRE_ALL").is_none(), "CI must run the pre-commit test");
        return;
    }
    let hooks_file = Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml");
    let env = TestEnv::new();
    // The hook repository: this repository's hooks file, committed.
    let hooks = env.path().join("hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::copy(&hooks_file, hooks.join(".pre-commit-hooks.yaml")).unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["-c", "user.name=t", "-c", "user.email=t@t", "add", "."]);
    git(&hooks, &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "hooks"]);
    let rev = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(&hooks).output().unwrap();
    let rev = String::from_utf8_lossy(&rev.stdout).trim().to_string();
    // The project using it.
    let project = env.path().join("project");
    std::fs::create_dir_all(project.join(".github/workflows")).unwrap();
    git(&project, &["init", "-q"]);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks: [{{id: guard-check-system}}]\n", hooks.display()),
    )
    .unwrap();
    std::fs::write(project.join("deploy.sh"), "#!/bin/sh\nrm -rf /\n").unwrap();
    std::fs::write(project.join(".github/workflows/ci.yml"), "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make test\n").unwrap();
    std::fs::write(project.join("notes.json"), "{\"a\": 1}\n").unwrap();
    git(&project, &["add", "."]);
    let bin_dir = guard_bin().parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let run = || {
        Command::new("pre-commit")
            .args(["run", "--all-files"])
            .current_dir(&project)
            .env("PATH", &path)
            .env("PRE_COMMIT_HOME", env.path().join("cache"))
            .env("XDG_CONFIG_HOME", env.path().join("config"))
            .env("XDG_STATE_HOME", env.path().join("state"))
            .env("GUARD_AUDIT_LOG", env.log())
            .output()
            .expect("pre-commit")
    };
    let out = run();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let s = stdout(&out);
    assert!(s.contains("deploy.sh:2:1: error:") && s.contains("[fs.rm-root]"), "{}", describe(&out));
    std::fs::write(project.join("deploy.sh"), "#!/bin/sh\nrm -rf ./build\n").unwrap();
    git(&project, &["add", "."]);
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stdout(&out).contains("Passed"), "{}", describe(&out));
}
