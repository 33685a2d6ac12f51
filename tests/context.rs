//! Context-aware policy end to end, through the real binary: who acts (agent, automation,
//! person through a real pseudo-terminal), where the command points (a real PostgreSQL with a
//! staging and a production database on 127.0.0.1; kubectl with a kubeconfig holding two
//! contexts), config layers (environments, exceptions with expiry, observe mode, an untrusted
//! project layer), fail-closed rule directories, `guard rules lint` and `guard explain`.

mod common;

use common::*;
use serde_json::Value;
use std::process::Output;

/// `guard` in `env` as the AI agent `test-agent`.
fn agent(env: &TestEnv) -> assert_cmd::Command {
    let mut c = neutral(env);
    c.env("GUARD_AGENT", "test-agent");
    c
}

/// `guard` in `env` with no agent or CI variables (and no terminal: the actor is automation).
fn neutral(env: &TestEnv) -> assert_cmd::Command {
    let mut c = env.guard();
    for v in ACTOR_VARS {
        c.env_remove(v);
    }
    c
}

fn last_record(env: &TestEnv) -> Value {
    env.records().pop().expect("an audit record")
}

fn user_config(env: &TestEnv, text: &str) {
    let dir = env.path().join("config/guard");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

const DELETE_OLD: &str = "DELETE FROM t WHERE id > 3";

fn psql(db: &Db, sql: &str) -> Vec<String> {
    let mut a = db.psql_args();
    a.extend(["-c".to_string(), sql.to_string()]);
    a
}

#[test]
fn agent_deletes_in_staging_and_is_refused_in_production() {
    let pg = PgCluster::shared();
    let staging = pg.create_db("ctx_staging");
    let prod = pg.create_db("ctx_prod");
    staging.reset_table();
    prod.reset_table();
    let env = TestEnv::new();

    let out = agent(&env).arg("--").args(psql(&staging, DELETE_OLD)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "staging delete must run:\n{}", describe(&out));
    assert_eq!(staging.count_t(), Ok(3));

    let out = agent(&env).arg("--").args(psql(&prod, DELETE_OLD)).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert_eq!(prod.count_t(), Ok(5), "the refused delete reached production");
    let r = last_record(&env);
    assert_eq!(r["actor"], "agent");
    assert_eq!(r["agent"], "test-agent");
    assert_eq!(r["outcome"], "refused");
    assert_eq!(r["enforcement"], "enforce");
    assert_eq!(r["targets"][0]["environment"], "production");
    assert_eq!(r["targets"][0]["target.database"], "ctx_prod");

    // Reads stay open to the agent in production.
    let out = agent(&env).arg("--").args(psql(&prod, "SELECT count(*) FROM t")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));

    // The database named by PGDATABASE in the script's own assignment counts.
    let line = format!("PGDATABASE=ctx_prod psql -X -h 127.0.0.1 -p {} -U postgres -c '{DELETE_OLD}'", pg.port);
    let out = agent(&env).args(["-c", &line]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert_eq!(prod.count_t(), Ok(5));

    // The connection service file.
    let services = env.write("pg_service.conf", &format!("[live]\nhost=127.0.0.1\nport={}\ndbname=ctx_prod\nuser=postgres\n", pg.port));
    let out = agent(&env).env("PGSERVICEFILE", &services).args(["--", "psql", "-X", "service=live", "-c", DELETE_OLD]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert_eq!(prod.count_t(), Ok(5));

    // Exports: pg_dump of production.
    let dump = format!("pg_dump -h 127.0.0.1 -p {} -U postgres ctx_prod > dump.sql", pg.port);
    let out = agent(&env).args(["-c", &dump]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.export").is_none(), "{}", describe(&out));

    // An agent that clears its variables has no terminal: automation, still refused.
    let out = neutral(&env).arg("--").args(psql(&prod, DELETE_OLD)).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert_eq!(last_record(&env)["actor"], "automation");
    assert_eq!(prod.count_t(), Ok(5));
}

#[test]
fn configured_environments_exceptions_and_observe_mode() {
    let pg = PgCluster::shared();
    let main = pg.create_db("ctx_main");
    main.reset_table();
    let env = TestEnv::new();
    // `ctx_main` has no prod component: production only by the config's pattern.
    let out = agent(&env).arg("--").args(psql(&main, "DELETE FROM t WHERE id = 5")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert_eq!(main.count_t(), Ok(4));
    main.reset_table();

    user_config(&env, "[environments]\nproduction = [\"ctx_main\"]\n");
    let out = agent(&env).arg("--").args(psql(&main, DELETE_OLD)).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));

    // An expired exception stops applying and says so.
    let exception = "[environments]\nproduction = [\"ctx_main\"]\n[[exception]]\nrules = [\"production.read-only.sql\"]\n\
                     reason = \"nightly cleanup, OPS-142\"\nprogram = \"psql\"\ntargets = [\"ctx_*\"]\nactor = \"agent\"\n";
    user_config(&env, &format!("{exception}expires = 2020-01-01\n"));
    let out = agent(&env).arg("--").args(psql(&main, DELETE_OLD)).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert!(stderr(&out).contains("expired on 2020-01-01"), "{}", describe(&out));
    assert_eq!(main.count_t(), Ok(5));
    let lint = neutral(&env).args(["rules", "lint"]).output().unwrap();
    assert_eq!(lint.status.code(), Some(1), "{}", describe(&lint));
    assert!(stdout(&lint).contains("expired on 2020-01-01"), "{}", describe(&lint));

    // A current one waives the rule; the record says which exception and why.
    user_config(&env, &format!("{exception}expires = 2999-01-01\n"));
    let out = agent(&env).arg("--").args(psql(&main, DELETE_OLD)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stderr(&out).contains("waived"), "{}", describe(&out));
    assert_eq!(main.count_t(), Ok(3));
    let r = last_record(&env);
    assert_eq!(r["waived"][0]["rule"], "production.read-only.sql");
    assert_eq!(r["waived"][0]["reason"], "nightly cleanup, OPS-142");
    assert_eq!(r["waived"][0]["expires"], "2999-01-01");
    main.reset_table();

    // Observe mode: decided, recorded as observed, run.
    user_config(&env, "mode = \"observe\"\n[environments]\nproduction = [\"ctx_main\"]\n");
    let out = agent(&env).arg("--").args(psql(&main, DELETE_OLD)).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(stderr(&out).contains("observe mode"), "{}", describe(&out));
    assert_eq!(main.count_t(), Ok(3));
    let r = last_record(&env);
    assert_eq!((r["outcome"].as_str(), r["enforcement"].as_str()), (Some("observed"), Some("observe")));
    main.reset_table();

    // GUARD_MODE=enforce from the environment makes it stricter again.
    let out = agent(&env).env("GUARD_MODE", "enforce").arg("--").args(psql(&main, DELETE_OLD)).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert_eq!(main.count_t(), Ok(5));
}

#[test]
fn guard_mode_observe_from_the_environment_is_ignored() {
    let env = TestEnv::new();
    let out = agent(&env).env("GUARD_MODE", "observe").args(["--", "psql", "-h", "db-prod.internal", "-c", DELETE_OLD]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    assert!(stderr(&out).contains("GUARD_MODE=observe is ignored"), "{}", describe(&out));
    assert_eq!(last_record(&env)["enforcement"], "enforce");
}

#[test]
fn untrusted_project_layer_cannot_loosen() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.path().join(".guard")).unwrap();
    env.write(
        ".guard/config.toml",
        "mode = \"observe\"\n[environments]\nstaging = [\"db-prod*\"]\n[[exception]]\nrules = [\"production.read-only.sql\"]\nreason = \"trust me\"\n",
    );
    let out = agent(&env).args(["--", "psql", "-h", "db-prod.internal", "-c", DELETE_OLD]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.sql").is_none(), "{}", describe(&out));
    let err = stderr(&out);
    for what in ["mode = \"observe\" from an untrusted project file", "environment \"staging\" from an untrusted", "exception for"] {
        assert!(err.contains(what), "no notice {what:?}:\n{}", describe(&out));
    }
    let lint = neutral(&env).args(["rules", "lint"]).output().unwrap();
    assert!(stdout(&lint).contains("loosening ignored"), "{}", describe(&lint));
    // It may add production patterns.
    env.write(".guard/config.toml", "[environments]\nproduction = [\"db-blue\"]\n");
    let out = agent(&env).args(["check", "-c", &format!("psql -h db-blue -c '{DELETE_OLD}'")]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn kubectl_contexts_from_flags_and_kubeconfig() {
    require_program("kubectl", "kubernetes-client");
    let env = TestEnv::new();
    // No cluster: guard refuses before kubectl runs; what it lets through fails to connect.
    let kubeconfig = env.write(
        "kubeconfig",
        "apiVersion: v1\nkind: Config\ncurrent-context: prod-eu\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n\
         contexts:\n- name: prod-eu\n  context:\n    cluster: c\n    namespace: payments\n- name: staging\n  context:\n    cluster: c\n    namespace: apps\n\
         users: []\n",
    );
    let k = |c: &mut assert_cmd::Command| {
        c.env("KUBECONFIG", &kubeconfig);
    };
    // The current context is production: no node deletes for anyone.
    let mut c = neutral(&env);
    k(&mut c);
    let out = c.args(["--", "kubectl", "delete", "node", "worker-3"]).output().unwrap();
    assert!(refusal_problem(&out, "production.k8s-no-node-or-namespace-delete").is_none(), "{}", describe(&out));
    let r = last_record(&env);
    assert_eq!(r["targets"][0]["target.kube_context"], "prod-eu");
    assert_eq!(r["targets"][0]["target.namespace"], "payments");
    // An agent may not delete a pod there either (read-only in production)...
    let mut c = agent(&env);
    k(&mut c);
    let out = c.args(["--", "kubectl", "delete", "pod", "web-1"]).output().unwrap();
    assert!(refusal_problem(&out, "production.read-only.k8s").is_none(), "{}", describe(&out));
    // ...but may in staging: guard lets kubectl run (which then cannot reach the cluster).
    let mut c = agent(&env);
    k(&mut c);
    let out = c.args(["--", "kubectl", "--context", "staging", "--request-timeout=2s", "delete", "pod", "web-1"]).output().unwrap();
    assert_ne!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(!stderr(&out).contains("guard: refused"), "{}", describe(&out));
    assert_eq!(last_record(&env)["outcome"], "ran");
}

#[test]
fn git_hazards_ask_for_agents_and_warn_for_people() {
    let env = TestEnv::new();
    let check = |c: &mut assert_cmd::Command, extra: &[&str]| -> Output {
        c.args(["check", "--format", "json"]).args(extra).args(["-c", "git reset --hard"]).output().unwrap()
    };
    let out = check(&mut agent(&env), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(stdout(&out).contains("git.discard-local-unattended"));
    // Without a terminal the actor is automation, and GUARD_ACTOR cannot widen it to a person.
    let out = check(neutral(&env).env("GUARD_ACTOR", "person"), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    let out = check(&mut neutral(&env), &["--actor", "person"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = check(&mut neutral(&env), &["--actor", "person", "--environment", "production"]);
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let out = neutral(&env).args(["check", "--actor", "agent", "--environment", "production", "-c", "psql -c 'UPDATE t SET a = 1 WHERE id = 2'"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
}

#[test]
fn unreadable_rules_directory_stops_guard() {
    let env = TestEnv::new();
    // A file where the directory should be cannot be listed, even by root.
    std::fs::create_dir_all(env.path().join("config/guard")).unwrap();
    env.write("config/guard/rules", "not a directory");
    let out = neutral(&env).args(["check", "-c", "ls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let err = stderr(&out);
    assert!(err.contains("config/guard/rules") && err.contains("cannot read the rules directory") && err.contains("chmod"), "{}", describe(&out));
    if is_root() {
        eprintln!("note: running as root, which reads any directory: the chmod 000 case is only checked as a normal user");
        return;
    }
    std::fs::remove_file(env.path().join("config/guard/rules")).unwrap();
    let dir = env.path().join("config/guard/rules");
    std::fs::create_dir_all(&dir).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o000)).unwrap();
    let out = neutral(&env).args(["check", "-c", "ls"]).output().unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stderr(&out).contains("cannot read the rules directory"), "{}", describe(&out));
}

#[test]
fn explain_shows_conditions_and_their_file_and_lint_finds_unknown_ids() {
    let env = TestEnv::new();
    let out = neutral(&env).args(["explain", "production.read-only.sql"]).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("Conditions (all from builtin:context.toml)"), "{text}");
    assert!(text.contains("context environment = \"production\""), "{text}");
    user_config(&env, "[[exception]]\nrules = [\"no.such-rule\"]\nreason = \"x\"\n");
    let lint = neutral(&env).args(["rules", "lint"]).output().unwrap();
    assert_eq!(lint.status.code(), Some(1));
    assert!(stdout(&lint).contains("unknown rule id \"no.such-rule\""), "{}", describe(&lint));
    user_config(&env, "[[exception]]\nrules = [\"git.discard-local\"]\nreason = \"\"\n");
    let out = neutral(&env).args(["check", "-c", "ls"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an exception without a reason must not load:\n{}", describe(&out));
}

#[test]
fn ask_flow_through_a_real_terminal() {
    let env = TestEnv::new();
    // `git push --delete` asks (git.delete-remote-branch); no repository: git fails after.
    let out = in_pty(&env, "-- git push origin --delete old-feature", "n\n");
    assert!(stdout(&out).contains("the person at the terminal declined"), "{}", describe(&out));
    let r = last_record(&env);
    assert_eq!((r["actor"].as_str(), r["answer"].as_str(), r["outcome"].as_str()), (Some("person"), Some("no"), Some("refused")));

    let _ = in_pty(&env, "-- git push origin --delete old-feature", "y\n");
    let r = last_record(&env);
    assert_eq!((r["answer"].as_str(), r["outcome"].as_str()), (Some("yes"), Some("approved")));

    // A critical rule makes the person type the target's name.
    write_critical_orders_rule(&env);
    let cmd = "-- psql -h 127.0.0.1 -p 1 -d orders_live -c 'DELETE FROM t WHERE id = 1'";
    let out = in_pty(&env, cmd, "y\n");
    assert!(stdout(&out).contains("type \\\"orders_live\\\"") || stdout(&out).contains("type \"orders_live\""), "{}", describe(&out));
    assert_eq!(last_record(&env)["answer"], "mistyped");
    let _ = in_pty(&env, cmd, "orders_live\n");
    let r = last_record(&env);
    assert_eq!((r["answer"].as_str(), r["outcome"].as_str()), (Some("typed"), Some("approved")));

    // An agent inside a pseudo-terminal it made is still an agent: never asked.
    let out = {
        let mut s = std::process::Command::new("script");
        s.args(["-qec", &format!("{} -- git push origin --delete x", guard_bin().display()), "/dev/null"]);
        for (k, v) in env.guard_std().get_envs() {
            if let Some(v) = v {
                s.env(k, v);
            }
        }
        s.env("GUARD_ACTOR", "agent").current_dir(env.path());
        assert_cmd::Command::from_std(s).write_stdin("y\n").timeout(GUARD_TIMEOUT).output().unwrap()
    };
    assert!(stdout(&out).contains("needs confirmation by a person"), "{}", describe(&out));
    assert_eq!(last_record(&env)["actor"], "agent");
}
