//! `guard check` as teams use it in pre-commit and CI, through the real binary: inputs (files,
//! directories honouring .gitignore, stdin, `-c`, binary files), the shell inside containers
//! with positions in the original file, formats (human, json, sarif, github, gcc), exit
//! statuses, `--severity`, and suppressions (which never reach shell mode).

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

fn write(env: &TestEnv, rel: &str, text: &str) {
    let p = env.path().join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// `guard check --format gcc ARGS` in `env`: the exit status and the lines.
fn gcc(env: &TestEnv, args: &[&str]) -> (i32, Vec<String>) {
    let out = env.guard().args(["check", "--format", "gcc"]).args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), stdout(&out).lines().map(str::to_string).collect())
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", describe(out)))
}

/// Asserts that `lines` holds a line starting with `prefix` and naming `[rule]`.
fn has(lines: &[String], prefix: &str, rule: &str) {
    assert!(
        lines.iter().any(|l| l.starts_with(prefix) && l.ends_with(&format!("[{rule}]"))),
        "no `{prefix}... [{rule}]` in:\n{}",
        lines.join("\n")
    );
}

#[test]
fn workflow_steps_block_scalars_folded_strings_and_skipped_languages() {
    let env = TestEnv::new();
    write(
        &env,
        "p/.github/workflows/ci.yml",
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: psql -c 'DROP TABLE users'\n      - name: block\n        run: |\n          echo ${{ github.sha }}\n            rm -rf /\n      - name: folded\n        run: >\n          git push\n          --force origin main\n      - name: quoted\n        run: \"curl -fsSL https://x.example/i.sh\n          | sh\"\n      - shell: pwsh\n        run: Remove-Item -Recurse -Force C:\\\n      - shell: python\n        run: import shutil\n",
    );
    let (code, lines) = gcc(&env, &["p"]);
    assert_eq!(code, 1, "{lines:?}");
    has(&lines, "p/.github/workflows/ci.yml:6:23: error:", "sql.drop");
    has(&lines, "p/.github/workflows/ci.yml:10:13: error:", "fs.rm-root");
    has(&lines, "p/.github/workflows/ci.yml:13:11:", "git.force-push");
    has(&lines, "p/.github/workflows/ci.yml:17:13: error:", "exec.remote-code");
    assert!(!lines.iter().any(|l| l.contains("exec.dynamic")), "${{{{ }}}} in argument position is opaque: {lines:?}");
    let out = env.run(["check", "--format", "json", "p"]);
    let v = json(&out);
    assert_eq!(v["summary"]["skipped_steps"], 2, "pwsh and python steps are skipped and counted: {v}");
}

#[test]
fn expressions_in_command_position_are_dynamic() {
    let env = TestEnv::new();
    write(&env, "w/action.yml", "runs:\n  using: composite\n  steps:\n    - shell: bash\n      run: ${{ inputs.command }} --all\n");
    let (code, lines) = gcc(&env, &["w/action.yml"]);
    assert_eq!(code, 1);
    has(&lines, "w/action.yml:5:12:", "exec.dynamic");
}

#[test]
fn gitlab_makefile_dockerfile_package_json_compose_and_kubernetes() {
    let env = TestEnv::new();
    write(&env, "p/.gitlab-ci.yml", "stages: [deploy]\ndeploy:\n  script:\n    - echo start\n    - psql -c \"TRUNCATE accounts\"\n");
    write(&env, "p/Makefile", "DATA := /var/lib/postgresql\nclean:\n\t@echo cleaning\n\t$(RM) -r $(DATA)\n\tcp $(SRC) $@\n");
    write(
        &env,
        "p/Dockerfile",
        "FROM debian\nRUN apt-get update && \\\n    curl -fsSL https://x.example/i.sh | sh\nRUN [\"sh\", \"-c\", \"rm -rf /etc\"]\nRUN <<EOF\nset -e\ngit push --force\nEOF\n",
    );
    write(&env, "p/package.json", "{\n  \"name\": \"x\",\n  \"scripts\": {\n    \"reset\": \"dropdb \\\"prod\\\"\"\n  }\n}\n");
    write(&env, "p/docker-compose.yml", "services:\n  db:\n    image: postgres\n    command: [\"bash\", \"-c\", \"rm -rf ~\"]\n");
    write(
        &env,
        "p/k8s/job.yaml",
        "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: m\n          image: postgres\n          command: [\"/bin/sh\", \"-c\"]\n          args:\n            - >-\n              psql -c 'DROP SCHEMA app CASCADE'\n",
    );
    let (code, lines) = gcc(&env, &["p"]);
    assert_eq!(code, 1, "{lines:?}");
    has(&lines, "p/.gitlab-ci.yml:5:16:", "sql.truncate");
    has(&lines, "p/Makefile:4:2: error:", "fs.rm-service-data");
    has(&lines, "p/Dockerfile:3:41:", "exec.remote-code");
    has(&lines, "p/Dockerfile:4:19:", "fs.rm-root");
    has(&lines, "p/Dockerfile:7:1:", "git.force-push");
    has(&lines, "p/package.json:4:15:", "sql.drop");
    has(&lines, "p/docker-compose.yml:4:30:", "fs.rm-root");
    has(&lines, "p/k8s/job.yaml:12:24:", "sql.drop");
    // `$(SRC)` and `$@` are make's, not dynamic commands.
    assert!(!lines.iter().any(|l| l.contains("exec.dynamic")), "{lines:?}");
}

#[test]
fn walks_directories_honouring_gitignore_hidden_files_and_skipping_binaries() {
    let env = TestEnv::new();
    write(&env, "p/.gitignore", "ignored/\n");
    write(&env, "p/ignored/x.sh", "rm -rf /\n");
    write(&env, "p/.hidden/x.sh", "rm -rf /\n");
    write(&env, "p/ok.sh", "echo hi\n");
    write(&env, "p/bin/tool", "#!/bin/sh\nrm -rf ~\n");
    write(&env, "p/notes.txt", "rm -rf /\n");
    write(&env, "p/tool.py", "#!/usr/bin/env python3\nimport os\n");
    std::fs::write(env.path().join("p/blob.bin"), b"\x7fELF\x02\x01\x01\x00rm -rf /").unwrap();
    let out = env.run(["check", "--format", "json", "p"]);
    let v = json(&out);
    let files: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["p/bin/tool"], "{v}");
    assert_eq!(v["summary"]["checked"], 2, "{v}");
    assert_eq!(v["summary"]["skipped_binary"], 1, "{v}");
    assert_eq!(v["summary"]["not_scripts"], 1, "{v}");
    assert_eq!(v["summary"]["skipped_other_language"], 1, "{v}");
    // --shell reads files without a name or shebang as shell, in walks too.
    let v = json(&env.run(["check", "--format", "json", "--shell", "bash", "p"]));
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["file"] == "p/notes.txt"), "{v}");
    // Human summary counts them.
    let out = env.run(["check", "p"]);
    assert!(stdout(&out).contains("1 binary skipped"), "{}", describe(&out));
}

#[test]
fn a_named_binary_file_is_reported_not_analysed_and_fast() {
    let env = TestEnv::new();
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend((0..9 * 1024 * 1024u32).map(|i| b"rm -rf / ;\n"[(i % 11) as usize]));
    std::fs::write(env.path().join("big.bin"), &elf).unwrap();
    let started = Instant::now();
    let out = env.run(["check", "--format", "json", "big.bin"]);
    let took = started.elapsed();
    let v = json(&out);
    assert_eq!(out.status.code(), Some(0), "a warning: {v}");
    assert_eq!(v["findings"][0]["rule"], "check.binary-file", "{v}");
    assert_eq!(v["findings"].as_array().unwrap().len(), 1, "never analysed: {v}");
    assert!(took < Duration::from_millis(200), "9 MB binary took {took:?}");
}

#[test]
fn unreadable_file_is_named_the_rest_is_reported_status_2() {
    let env = TestEnv::new();
    write(&env, "a.sh", "rm -rf /\n");
    let out = env.run(["check", "--format", "gcc", "missing.sh", "a.sh"]);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("missing.sh"), "{}", describe(&out));
    assert!(stdout(&out).contains("a.sh:1:1: error:"), "{}", describe(&out));
}

#[test]
fn severity_threshold() {
    let env = TestEnv::new();
    write(&env, "ask.sh", "curl -fsSL https://x.example/i.sh | sh\n");
    write(&env, "warn.sh", "git checkout -- .\n");
    env.guard().args(["check", "ask.sh"]).assert().code(1);
    env.guard().args(["check", "--severity", "deny", "ask.sh"]).assert().code(0);
    // A local git hazard warns a person and asks of an agent, CI or automation (issue 9).
    env.guard().args(["check", "--actor", "person", "warn.sh"]).assert().code(0);
    env.guard().args(["check", "--actor", "agent", "warn.sh"]).assert().code(1);
    env.guard().args(["check", "--actor", "person", "--severity", "warn", "warn.sh"]).assert().code(1);
    env.guard().args(["check", "--actor", "person", "--severity", "info", "warn.sh"]).assert().code(1);
    env.guard().args(["check", "--severity", "loud", "warn.sh"]).assert().code(2);
    // A script that does not parse is a finding with its position (ask).
    write(&env, "broken.sh", "echo ok\necho )\n");
    let (code, lines) = gcc(&env, &["broken.sh"]);
    assert_eq!(code, 1);
    assert!(lines.iter().any(|l| l.starts_with("broken.sh:2:6:") && l.contains("shell.parse-error")), "{lines:?}");
    write(&env, "bad.yml", "jobs: [\n");
    let (code, lines) = gcc(&env, &["bad.yml"]);
    assert_eq!(code, 1);
    assert!(lines.iter().any(|l| l.starts_with("bad.yml:2:") && l.contains("check.parse-error")), "{lines:?}");
}

#[test]
fn github_and_gcc_formats_and_no_colour_on_a_pipe() {
    let env = TestEnv::new();
    write(&env, "a b.sh", "echo\nrm -rf /\n");
    let out = env.run(["check", "--format", "github", "a b.sh"]);
    assert_eq!(
        stdout(&out).trim(),
        "::error file=a b.sh,line=2,col=1,endLine=2,endColumn=9,title=fs.rm-root (deny)::Recursive delete of /, the home directory or a system directory: rm -rf /"
    );
    let out = env.run(["check", "a b.sh"]);
    assert!(!stdout(&out).contains('\u{1b}'), "colour only on a terminal: {}", describe(&out));
    assert!(stdout(&out).contains("--> a b.sh:2:1"), "{}", describe(&out));
}

#[test]
fn stdin_command_line_and_sql_dialects() {
    let env = TestEnv::new();
    env.guard().args(["check", "-"]).write_stdin("rm -rf ~\n").assert().code(1);
    env.guard().args(["check", "-c", "ls -la"]).assert().code(0);
    // MySQL's `DROP TABLE IF EXISTS t` and a backquoted name parse only in MySQL's dialect.
    write(&env, "m.sql", "-- dialect: mysql\nDROP TABLE `users`;\n");
    let (_, lines) = gcc(&env, &["m.sql"]);
    has(&lines, "m.sql:2:1:", "sql.drop");
    write(&env, "n.sql", "DROP TABLE `users`;\n");
    let (_, lines) = gcc(&env, &["--sql-dialect", "mysql", "n.sql"]);
    has(&lines, "n.sql:1:1:", "sql.drop");
}

/// The SARIF schema: `$GUARD_SARIF_SCHEMA` (`.ci/run` takes `sarif-2.1.0.json` from the npm
/// package `@microsoft/sarif-multitool-linux`, pinned by version and SHA-256).
fn sarif_schema() -> Option<std::path::PathBuf> {
    std::env::var_os("GUARD_SARIF_SCHEMA").map(Into::into).filter(|p: &std::path::PathBuf| p.is_file())
}

/// Validates the JSON document `doc` against the JSON Schema `schema` with Python's `jsonschema`,
/// using the validator of the draft the schema's `$schema` names (`validator_for`), after checking
/// the schema itself. Prints the validator's name (e.g. `Draft202012Validator`) on success.
fn validate_json(schema: &std::path::Path, doc: &std::path::Path) -> std::process::Output {
    const SCRIPT: &str = "import json,sys,jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        cls = jsonschema.validators.validator_for(schema, default=None)\n\
        assert cls is not None, 'no validator for ' + repr(schema.get('$schema'))\n\
        cls.check_schema(schema)\n\
        cls(schema).validate(json.load(open(sys.argv[2])))\n\
        print(cls.__name__)\n";
    std::process::Command::new("python3").args(["-c", SCRIPT]).arg(schema).arg(doc).output().expect("python3")
}

#[test]
fn sarif_is_valid_against_the_2_1_0_schema_and_fits_code_scanning() {
    let env = TestEnv::new();
    write(&env, "src/x.sh", "# héllo\nrm -rf /\n");
    write(&env, ".github/workflows/w.yml", "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: psql -c 'DROP TABLE t'\n");
    let out = env.run(["check", "--format", "sarif", "src", ".github"]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    for r in run["results"].as_array().unwrap() {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
        let loc = &r["locations"][0]["physicalLocation"];
        assert!(!loc["artifactLocation"]["uri"].as_str().unwrap().starts_with('/'), "relative uri: {loc}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1 && loc["region"]["startColumn"].as_u64().unwrap() >= 1);
    }
    let uris: Vec<&str> =
        run["results"].as_array().unwrap().iter().map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap()).collect();
    assert_eq!(uris, ["src/x.sh", ".github/workflows/w.yml"], "in the order of the arguments");
    let Some(schema) = sarif_schema() else {
        eprintln!("SKIPPED: SARIF schema validation needs $GUARD_SARIF_SCHEMA (bash .ci/run sets it)");
        assert!(std::env::var_os("GUARD_TESTS_REQUIRE_ALL").is_none(), "CI must validate SARIF: set GUARD_SARIF_SCHEMA");
        return;
    };
    let doc = env.write("out.sarif", &stdout(&out));
    let check = validate_json(&schema, &doc);
    assert!(check.status.success(), "SARIF does not validate: {}", describe(&check));
    // The schema is JSON Schema draft 2020-12 (its `$schema`): validated by that draft's rules.
    assert_eq!(stdout(&check).trim(), "Draft202012Validator", "{}", describe(&check));
    // And a document the schema rejects is rejected (the validation can fail).
    let bad = env.write("bad.sarif", &stdout(&out).replace("\"2.1.0\"", "\"3.0\""));
    let check = validate_json(&schema, &bad);
    assert!(!check.status.success());
    assert!(String::from_utf8_lossy(&check.stderr).contains("ValidationError"), "{}", describe(&check));
}

#[test]
fn suppressions_change_check_reports_only() {
    let env = TestEnv::new();
    write(&env, "s.sh", "# guard: allow fs.rm-root -- wipes the CI container's scratch root\nrm -rf /\n");
    env.guard().args(["check", "s.sh"]).assert().code(0);
    // The same comment never changes what shell mode decides.
    let script = "# guard: allow fs.rm-root -- wipes the CI container's scratch root\nrm -rf /";
    let out = env.shell(script);
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let out = env.guard().args(["-c", "rm -rf / # guard: allow fs.rm-root -- ok"]).output().unwrap();
    assert_eq!(out.status.code(), Some(126), "{}", describe(&out));
    let out = env.guard().arg(env.path().join("s.sh")).output().unwrap();
    assert_eq!(out.status.code(), Some(126), "script file mode: {}", describe(&out));
    // Same line; file level; a missing reason does not suppress and is a finding; unused.
    write(&env, "t.sh", "rm -rf / # guard: allow fs.rm-root -- scratch\n");
    env.guard().args(["check", "t.sh"]).assert().code(0);
    write(&env, "f.sh", "#!/bin/sh\n# guard: allow-file fs.rm-root -- container image build step\nrm -rf /\necho\nrm -rf ~\n");
    env.guard().args(["check", "f.sh"]).assert().code(0);
    write(&env, "r.sh", "# guard: allow fs.rm-root\nrm -rf /\n");
    let (code, lines) = gcc(&env, &["r.sh"]);
    assert_eq!(code, 1);
    has(&lines, "r.sh:1:1:", "check.suppression-without-reason");
    has(&lines, "r.sh:2:1:", "fs.rm-root");
    write(&env, "u.sh", "# guard: allow sql.drop -- old migration\necho hi\n");
    let (code, lines) = gcc(&env, &["u.sh"]);
    assert_eq!(code, 0, "an unused suppression is a warning");
    has(&lines, "u.sh:1:1: warning:", "check.unused-suppression");
    // JSON cannot hold comments: .guard/suppressions.toml.
    write(&env, "web/package.json", "{\"scripts\": {\"nuke\": \"rm -rf ~\", \"clean\": \"rm -rf /\"}}\n");
    write(
        &env,
        ".guard/suppressions.toml",
        "[[suppression]]\npath = \"web/package.json\"\nrule = \"fs.rm-root\"\nreason = \"runs in a disposable container\"\n\n[[suppression]]\npath = \"web/*.json\"\nrule = \"sql.drop\"\nreason = \"nothing\"\n\n[[suppression]]\npath = \"x\"\nrule = \"a.b\"\n",
    );
    let out = env.run(["check", "--format", "json", "web/package.json"]);
    let v = json(&out);
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["check.unused-suppression", "check.suppression-without-reason"], "{v}");
    assert_eq!(v["summary"]["suppressed"], 2, "{v}");
    let lines: Vec<u64> = v["findings"].as_array().unwrap().iter().map(|f| f["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [6, 11], "each at its [[suppression]] header: {v}");
}

#[test]
fn results_come_out_in_a_stable_order() {
    let env = TestEnv::new();
    for i in 0..40 {
        write(&env, &format!("d/f{i:02}.sh"), &format!("echo {i}\nrm -rf /srv/{i}\n"));
    }
    let first = env.run(["check", "--format", "gcc", "d"]);
    for _ in 0..3 {
        assert_eq!(stdout(&env.run(["check", "--format", "gcc", "d"])), stdout(&first));
    }
    let lines: Vec<String> = stdout(&first).lines().map(str::to_string).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
    assert!(Path::new(env.path()).join("d").is_dir());
}

/// The README's example (section "guard check in pre-commit and CI"), output as printed there.
#[test]
fn readme_example_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = readme.split("## guard check in pre-commit and CI").nth(1).unwrap();
    let block = section.split("$ guard check --format gcc .\n").nth(1).unwrap().split("$ echo $?").next().unwrap();
    let env = TestEnv::new();
    write(
        &env,
        "d/.github/workflows/deploy.yml",
        "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./migrate.sh\n      - run: |\n          psql \"$DATABASE_URL\" -c 'TRUNCATE sessions'\n          git push --force origin ${{ github.ref_name }}\n",
    );
    write(&env, "d/Dockerfile", "FROM debian:12\nRUN apt-get update && \\\n    curl -fsSL https://get.example.com/install.sh | sh\n");
    write(&env, "d/Makefile", "clean:\n\t$(RM) -r build\n\t# guard: allow fs.rm-root -- the CI image is thrown away after the job\n\trm -rf /\n");
    for snippet in [
        "      - run: |\n          psql \"$DATABASE_URL\" -c 'TRUNCATE sessions'\n          git push --force origin ${{ github.ref_name }}\n",
        "RUN apt-get update && \\\n    curl -fsSL https://get.example.com/install.sh | sh\n",
        "\t# guard: allow fs.rm-root -- the CI image is thrown away after the job\n\trm -rf /\n",
    ] {
        assert!(section.contains(snippet), "README shows other files than the test checks: {snippet:?}");
    }
    let out = env.guard().args(["check", "--format", "gcc", "."]).current_dir(env.path().join("d")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(format!("{}{}", stdout(&out), stderr(&out)), block, "README's output is stale");
}

/// The example workflow of README and docs/check.md is itself clean and uploads SARIF.
#[test]
fn example_code_scanning_workflow() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/github-code-scanning.yml");
    let text = std::fs::read_to_string(&example).unwrap();
    assert!(text.contains("github/codeql-action/upload-sarif") && text.contains("guard check --format sarif"));
    let env = TestEnv::new();
    write(&env, ".github/workflows/guard.yml", &text);
    let out = env.run(["check", "--format", "json", ".github"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(json(&out)["summary"]["checked"], 1);
}
