//! Issue 8 items 2 and 3 through the real binary: a tool nobody listed, made on PATH, is
//! refused when its subcommand holds a destructive verb and runs otherwise; and project-defined
//! commands (package.json scripts, Makefile targets, justfile recipes, Taskfile tasks,
//! composer scripts, git aliases) are decided as what they run, from real project files in a
//! temporary directory.

mod common;

use common::TestEnv;
use serde_json::Value;
use std::path::Path;

/// The verdict and rule ids of `guard check -c LINE` run in `dir` with HOME `home`.
fn check_in(env: &TestEnv, dir: &Path, home: &Path, line: &str) -> (String, Vec<String>) {
    let out = env.guard().args(["check", "--format", "json", "-c", line]).current_dir(dir).env("HOME", home).output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{line:?}: bad JSON {e}: {out:?}"));
    let rules = v["findings"].as_array().into_iter().flatten().filter_map(|f| f["rule"].as_str().map(String::from)).collect();
    (v["verdict"].as_str().unwrap_or("?").to_string(), rules)
}

/// Asserts every `(line, verdict, rule)` in `dir` (rule "" = none fired; verdict "refused" = ask
/// or deny by any rule: the catalog entries of other families may decide these lines too).
#[track_caller]
fn assert_in(env: &TestEnv, dir: &Path, cases: &[(&str, &str, &str)]) {
    let home = env.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut bad = vec![];
    for (line, want, rule) in cases {
        let (got, rules) = check_in(env, dir, &home, line);
        let verdict_ok = if *want == "refused" { got == "ask" || got == "deny" } else { got == *want };
        let rule_ok = if *want == "refused" || rule.is_empty() {
            *want == "refused" || rules.is_empty()
        } else {
            rules.iter().any(|r| r == rule)
        };
        if !verdict_ok || !rule_ok {
            bad.push(format!("{line:?}: want {want} {rule}, got {got} {rules:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

/// An unknown tool on PATH: `guard -- acmectl db:drop` refuses (ask without a terminal) and
/// runs nothing; `guard -- acmectl status` runs it.
#[test]
fn unlisted_tool_with_a_destructive_verb_is_refused() {
    let env = TestEnv::new();
    let bin = env.path().join("bin");
    write(&bin, "acmectl", "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/../ran.txt\"\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("acmectl"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[&str]| env.guard().arg("--").args(args).env("PATH", &path).output().expect("runs");
    for refused in [&["acmectl", "db:drop"][..], &["acmectl", "--config", "prod.yml", "apps:destroy", "web"], &["acmectl", "remove", "--all"]] {
        let out = run(refused);
        assert_eq!(out.status.code(), Some(126), "{refused:?} must be refused: {}", common::describe(&out));
        assert!(common::stderr(&out).contains("exec.destructive-verb"), "{}", common::describe(&out));
    }
    assert!(!env.path().join("ran.txt").exists(), "a refused command ran");
    for allowed in [&["acmectl", "status"][..], &["acmectl", "--name", "delete", "list"], &["acmectl", "remove", "web"], &["acmectl", "delete", "--dry-run"]] {
        let out = run(allowed);
        assert_eq!(out.status.code(), Some(0), "{allowed:?} must run: {}", common::describe(&out));
    }
    let ran = std::fs::read_to_string(env.path().join("ran.txt")).expect("the allowed lines ran");
    assert_eq!(ran.lines().count(), 4, "{ran}");
    // A project script run by a path is judged by its name (guard does not read it).
    write(&bin, "reset-db", "#!/bin/sh\n");
    assert_in(&env, env.path(), &[("./bin/reset-db", "ask", "exec.destructive-verb"), ("./bin/acmectl status", "allow", "")]);
}

#[test]
fn package_json_scripts_are_analysed() {
    let env = TestEnv::new();
    let dir = env.path().join("app");
    write(
        &dir,
        "package.json",
        r#"{"scripts": {"db:reset": "prisma migrate reset --force", "nuke": "rm -rf /", "pretest": "rm -rf ~",
            "test": "vitest run", "build": "tsc", "clean": "rm -rf dist", "start": "node server.js",
            "postinstall": "psql -c 'DROP TABLE users'", "fwd": "echo"}}"#,
    );
    write(&dir, "packages/x/.keep", "");
    assert_in(
        &env,
        &dir,
        &[
            ("npm run db:reset", "refused", ""),
            ("npm run-script nuke", "deny", "fs.rm-root"),
            ("npm test", "deny", "fs.rm-root"),
            ("npm start", "allow", ""),
            ("npm run build", "allow", ""),
            ("npm run clean", "allow", ""),
            ("npm ci", "deny", "sql.drop"),
            ("npm run fwd -- rm -rf /", "allow", ""),
            ("pnpm nuke", "deny", "fs.rm-root"),
            ("pnpm run build", "allow", ""),
            ("yarn nuke", "deny", "fs.rm-root"),
            ("yarn run build", "allow", ""),
            ("bun run nuke", "deny", "fs.rm-root"),
            ("cd packages/x && npm run nuke", "deny", "fs.rm-root"),
            ("npm --prefix .. run nuke", "allow", ""),
            ("npx prisma migrate reset --force", "refused", ""),
        ],
    );
    // No package.json anywhere up to the root of the temp dir: nothing of the project runs.
    let empty = env.path().join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    assert_in(&env, &empty, &[("npm test", "allow", ""), ("npm run nuke", "allow", ""), ("npm --prefix ../app run nuke", "deny", "fs.rm-root")]);
    // A package.json guard cannot read (here: a directory) is a script it cannot see.
    let broken = env.path().join("broken");
    std::fs::create_dir_all(broken.join("package.json")).expect("mkdir");
    assert_in(&env, &broken, &[("npm test", "ask", "exec.unreadable")]);
}

#[test]
fn makefile_recipes_are_analysed() {
    let env = TestEnv::new();
    let dir = env.path().join("mk");
    write(
        &dir,
        "Makefile",
        ".PHONY: all build reset wipe\nDB ?= app\n\nall: build\n\nbuild:\n\tcargo build\n\nreset: build\n\t@psql $(DB) -c \"DROP TABLE users\"\n\nwipe:\n\t-$(RM) -r $(HOME)/\n\nclean:\n\t$(RM) -r target\n",
    );
    write(&dir, "other.mk", "go:\n\trm -rf /\n");
    write(&dir, "sub/Makefile", "deep: prep\nprep:\n\trm -rf /\n");
    assert_in(
        &env,
        &dir,
        &[
            ("make reset", "deny", "sql.drop"),
            ("make", "allow", ""),
            ("make build", "allow", ""),
            ("make clean", "allow", ""),
            ("make -n reset", "allow", ""),
            ("make -f other.mk go", "deny", "fs.rm-root"),
            ("make -C sub deep", "deny", "fs.rm-root"),
            ("make -C sub", "deny", "fs.rm-root"),
            ("make wipe", "refused", ""),
        ],
    );
    let empty = env.path().join("nomk");
    std::fs::create_dir_all(&empty).expect("mkdir");
    assert_in(&env, &empty, &[("make reset", "allow", "")]);
}

#[test]
fn justfile_taskfile_and_composer_are_analysed() {
    let env = TestEnv::new();
    let dir = env.path().join("proj");
    write(&dir, "justfile", "db := \"app\"\n\ndefault: build\n\nbuild:\n    cargo build\n\nreset target='users': build\n    psql {{db}} -c 'DROP TABLE {{target}}'\n\nalias r := reset\n");
    write(
        &dir,
        "Taskfile.yml",
        "version: '3'\ntasks:\n  build:\n    cmds:\n      - go build ./...\n  wipe:\n    deps: [build]\n    cmds:\n      - task: really\n  really:\n    cmds:\n      - rm -rf /\n",
    );
    write(
        &dir,
        "composer.json",
        r#"{"scripts": {"fresh": ["@clear", "echo fresh"], "clear": "rm -rf /", "lint": "phpcs src",
            "wipe": "App\\Tools::dropEverything", "post-install-cmd": ["psql -c 'DROP TABLE users'"]}}"#,
    );
    assert_in(
        &env,
        &dir,
        &[
            ("just reset", "deny", "sql.drop"),
            ("just r orders", "deny", "sql.drop"),
            ("just", "allow", ""),
            ("just build", "allow", ""),
            ("just --list", "allow", ""),
            ("task wipe", "deny", "fs.rm-root"),
            ("task build", "allow", ""),
            ("task --list", "allow", ""),
            ("composer fresh", "deny", "fs.rm-root"),
            ("composer run-script clear", "deny", "fs.rm-root"),
            ("composer lint", "allow", ""),
            ("composer run wipe", "ask", "exec.destructive-verb"),
            ("composer install", "deny", "sql.drop"),
            ("composer install --no-scripts", "allow", ""),
        ],
    );
}

#[test]
fn git_aliases_are_analysed() {
    let env = TestEnv::new();
    let dir = env.path().join("repo");
    write(&dir, ".git/config", "[core]\n\tbare = false\n[alias]\n\tzap = \"!rm -rf /\"\n\tpf = push --force origin main\n\tst = status\n");
    let home = env.path().join("home");
    write(&home, ".gitconfig", "[alias]\n\thomezap = !rm -rf ~\n");
    assert_in(
        &env,
        &dir,
        &[
            ("git zap", "deny", "fs.rm-root"),
            ("git pf", "refused", ""),
            ("git st", "allow", ""),
            ("git homezap", "deny", "fs.rm-root"),
            ("git config alias.boom '!rm -rf /'; git boom", "deny", "fs.rm-root"),
            ("git config --global alias.fp 'push -f origin main' && git fp", "refused", ""),
            ("git config alias.ok status; git ok", "allow", ""),
            ("git status", "allow", ""),
        ],
    );
}
