//! Cloud and infrastructure as code: `terraform`/`tofu`/`terragrunt`, `pulumi`, `aws`,
//! `gcloud`, `gsutil`, `az`.
//!
//! Facts:
//! - `cloud.destroy`: an IaC tool destroys what its state manages (`terraform destroy`,
//!   `terraform apply -destroy`, `pulumi destroy`): `tool`, `auto_approve`, `targets`
//!   (array), `targeted` (some `-target`/`--target` given). `terraform plan -destroy`,
//!   `pulumi destroy --preview-only` change nothing and yield no fact.
//! - `cloud.delete`: a cloud resource is deleted: `provider` (`aws`, `gcloud`, `az`,
//!   `terraform`, `pulumi`), `service`, `operation`, `resources` (array), `scope`
//!   (`environment`, `cluster`, `database`, `bucket`, `objects`, `object`, `instance`,
//!   `function`, `identity`, `state`, `other`), `recursive`, `force`, `auto_approve`
//!   (`--quiet`, `--yes`, ...), and for RDS `skip_final_snapshot`. Dry runs (`--dryrun`,
//!   `--dry-run`) yield no fact.

use super::{Analyzer, Invocation};
use crate::fact::Fact;
use crate::shell::Word;

/// Programs this module analyses.
pub const PROGRAMS: &[&str] = &["terraform", "tofu", "terragrunt", "pulumi", "aws", "gcloud", "gsutil", "az"];

/// Analyses one invocation of a cloud or IaC CLI.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    match inv.name.as_str() {
        "terraform" | "tofu" | "terragrunt" => terraform(a, inv),
        "pulumi" => pulumi(a, inv),
        "aws" => aws(a, inv),
        "gcloud" | "az" => by_path(a, inv),
        "gsutil" => gsutil(a, inv),
        _ => {}
    }
}

fn texts(args: &[Word]) -> Vec<&str> {
    args.iter().map(|w| w.text.as_str()).collect()
}

fn delete_fact(inv: &Invocation, provider: &str, service: &str, operation: &str, scope: &str) -> Fact {
    Fact::new("cloud.delete", inv.display(), inv.span())
        .with("provider", provider.to_string())
        .with("service", service.to_string())
        .with("operation", operation.to_string())
        .with("scope", scope.to_string())
}

/// Terraform's flags accept one or two dashes (Go `flag` package); returns the name and value
/// of `-name[=value]` with one dash.
fn tf_flag(t: &str) -> Option<(&str, Option<&str>)> {
    let t = t.strip_prefix("--").or_else(|| t.strip_prefix('-'))?;
    Some(match t.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (t, None),
    })
}

fn is_true(v: Option<&str>) -> bool {
    !matches!(v, Some("false" | "0" | "f" | "F" | "FALSE" | "False"))
}

fn terraform(a: &mut Analyzer, inv: &Invocation) {
    let args = texts(inv.args());
    // Global options (`-chdir=DIR`) come first; terragrunt's `run-all`/`run --all` prefix a command.
    let mut i = 0;
    while i < args.len() && (args[i].starts_with('-') || matches!(args[i], "run-all" | "run")) {
        i += 1;
    }
    let Some(&sub) = args.get(i) else { return };
    let rest = &args[i + 1..];
    let flags: Vec<(&str, Option<&str>)> = rest.iter().filter_map(|t| tf_flag(t)).collect();
    let has = |n: &str| flags.iter().any(|(f, v)| *f == n && is_true(*v));
    let mut targets: Vec<String> = vec![];
    for (k, t) in rest.iter().enumerate() {
        match tf_flag(t) {
            Some(("target", Some(v))) => targets.push(v.to_string()),
            Some(("target", None)) => targets.extend(rest.get(k + 1).map(|s| s.to_string())),
            _ => {}
        }
    }
    let destroy = match sub {
        // `destroy-all`: terragrunt before 0.73 (now `run --all destroy`).
        "destroy" | "destroy-all" => true,
        "apply" => has("destroy"),
        _ => false,
    };
    if destroy {
        // `terraform apply -destroy PLANFILE` applies a saved plan (reviewed with `plan -destroy`).
        a.push(
            Fact::new("cloud.destroy", inv.display(), inv.span())
                .with("tool", inv.name.clone())
                .with("auto_approve", has("auto-approve") || has("force"))
                .with("targeted", !targets.is_empty())
                .with("targets", targets),
        );
        return;
    }
    let ops: Vec<&str> = rest.iter().copied().filter(|t| !t.starts_with('-')).collect();
    match (sub, ops.first().copied()) {
        ("state", Some("rm")) => a.push(
            delete_fact(inv, "terraform", "state", "state rm", "state")
                .with("resources", ops[1..].iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        ),
        ("workspace", Some("delete")) => a.push(
            delete_fact(inv, "terraform", "workspace", "workspace delete", "workspace")
                .with("resources", ops[1..].iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .with("force", has("force")),
        ),
        _ => {}
    }
}

fn pulumi(a: &mut Analyzer, inv: &Invocation) {
    let args = texts(inv.args());
    let value_flags = ["-C", "--cwd", "-s", "--stack", "--color", "--target", "-t", "--config-file", "-m", "--message", "--parallel", "-p", "--exec-kind", "--tracing", "--profiling", "--verbose", "-v"];
    let mut ops: Vec<&str> = vec![];
    let mut targets: Vec<String> = vec![];
    let mut i = 0;
    while i < args.len() {
        let t = args[i];
        if value_flags.contains(&t) {
            if matches!(t, "--target" | "-t") {
                targets.extend(args.get(i + 1).map(|s| s.to_string()));
            }
            i += 2;
            continue;
        }
        if let Some(v) = t.strip_prefix("--target=") {
            targets.push(v.to_string());
        }
        if !t.starts_with('-') {
            ops.push(t);
        }
        i += 1;
    }
    let yes = args.iter().any(|t| matches!(*t, "--yes" | "-y" | "--skip-preview" | "-f") || t.starts_with("--yes="));
    match ops.as_slice() {
        ["destroy" | "down", ..] if !args.contains(&"--preview-only") => a.push(
            Fact::new("cloud.destroy", inv.display(), inv.span())
                .with("tool", "pulumi")
                .with("auto_approve", yes)
                .with("targeted", !targets.is_empty())
                .with("targets", targets),
        ),
        ["stack", "rm", rest @ ..] => a.push(
            delete_fact(inv, "pulumi", "stack", "stack rm", "workspace")
                .with("resources", rest.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .with("force", args.iter().any(|t| matches!(*t, "--force" | "-f")))
                .with("auto_approve", yes),
        ),
        _ => {}
    }
}

/// AWS CLI global options that take no value (aws(1) "GLOBAL OPTIONS"); every other
/// `--option` before the service takes one.
const AWS_BOOL_GLOBALS: &[&str] =
    &["--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request", "--no-cli-pager", "--cli-auto-prompt", "--no-cli-auto-prompt", "--version"];

/// `(service, operation, scope)` of AWS operations that delete (`*` ends a prefix).
const AWS_DELETES: &[(&str, &str, &str)] = &[
    ("s3api", "delete-bucket", "bucket"),
    ("rds", "delete-db-instance", "database"),
    ("rds", "delete-db-cluster", "database"),
    ("rds", "delete-global-cluster", "database"),
    ("dynamodb", "delete-table", "database"),
    ("redshift", "delete-cluster", "database"),
    ("elasticache", "delete-cache-cluster", "database"),
    ("elasticache", "delete-replication-group", "database"),
    ("docdb", "delete-db-cluster", "database"),
    ("ec2", "terminate-instances", "instance"),
    ("ec2", "delete-volume", "instance"),
    ("ec2", "delete-snapshot", "instance"),
    ("cloudformation", "delete-stack", "environment"),
    ("eks", "delete-cluster", "cluster"),
    ("ecs", "delete-cluster", "cluster"),
    ("eks", "delete-nodegroup", "instance"),
    ("lambda", "delete-function", "function"),
    ("kms", "schedule-key-deletion", "database"),
    ("ecr", "delete-repository", "instance"),
    ("route53", "delete-hosted-zone", "instance"),
    ("iam", "delete-*", "identity"),
];

/// Options naming the resource an AWS delete operation acts on (their values may be lists).
const AWS_ID_OPTIONS: &[&str] = &[
    "--bucket", "--db-instance-identifier", "--db-cluster-identifier", "--global-cluster-identifier",
    "--table-name", "--cluster-identifier", "--cache-cluster-id", "--replication-group-id", "--instance-ids",
    "--volume-id", "--snapshot-id", "--stack-name", "--name", "--cluster", "--nodegroup-name", "--function-name",
    "--key-id", "--repository-name", "--id", "--user-name", "--role-name", "--policy-arn", "--group-name",
];

fn aws(a: &mut Analyzer, inv: &Invocation) {
    let args = texts(inv.args());
    // Global options may come before the service and between the service and the operation
    // (`aws --profile p s3 rm ...`, `aws s3 --profile p rm ...`): aws(1) parses them anywhere.
    let skip_globals = |mut i: usize| {
        while i < args.len() && args[i].starts_with('-') {
            i += if AWS_BOOL_GLOBALS.contains(&args[i]) || args[i].contains('=') { 1 } else { 2 };
        }
        i
    };
    let i = skip_globals(0);
    let Some(&service) = args.get(i) else { return };
    let j = skip_globals(i + 1);
    let Some(&op) = args.get(j) else { return };
    let rest = &args[j + 1..];
    let has = |f: &str| rest.contains(&f);
    if has("--dryrun") || has("--dry-run") {
        return;
    }
    if service == "s3" {
        let paths: Vec<String> = rest.iter().filter(|t| t.starts_with("s3://")).map(|s| s.to_string()).collect();
        match op {
            "rm" => {
                let recursive = has("--recursive");
                a.push(
                    delete_fact(inv, "aws", "s3", "rm", if recursive { "objects" } else { "object" })
                        .with("resources", paths)
                        .with("recursive", recursive),
                );
            }
            "rb" => a.push(delete_fact(inv, "aws", "s3", "rb", "bucket").with("resources", paths).with("force", has("--force"))),
            _ => {}
        }
        return;
    }
    let Some(&(_, _, scope)) = AWS_DELETES.iter().find(|(s, o, _)| {
        *s == service && (o.strip_suffix('*').map_or(*o == op, |p| op.starts_with(p)))
    }) else {
        return;
    };
    let mut resources: Vec<String> = vec![];
    let mut k = 0;
    while k < rest.len() {
        let t = rest[k];
        if let Some((n, v)) = t.split_once('=').filter(|(n, _)| AWS_ID_OPTIONS.contains(n)) {
            let _ = n;
            resources.push(v.to_string());
        } else if AWS_ID_OPTIONS.contains(&t) {
            k += 1;
            while k < rest.len() && !rest[k].starts_with("--") {
                resources.push(rest[k].to_string());
                k += 1;
            }
            continue;
        }
        k += 1;
    }
    let mut f = delete_fact(inv, "aws", service, op, scope)
        .with("resources", resources)
        .with("force", has("--force") || has("--force-delete-without-recovery"));
    if service == "rds" || service == "docdb" {
        f = f.with("skip_final_snapshot", has("--skip-final-snapshot"));
    }
    a.push(f);
}

/// `(command path, scope)` of gcloud and az commands that delete, matched as a contiguous run
/// of the command's operands (so flags anywhere, with or without values, cannot hide them).
const PATH_DELETES: &[(&str, &[&str], &str)] = &[
    ("gcloud", &["projects", "delete"], "environment"),
    ("gcloud", &["sql", "instances", "delete"], "database"),
    ("gcloud", &["sql", "databases", "delete"], "database"),
    ("gcloud", &["spanner", "instances", "delete"], "database"),
    ("gcloud", &["spanner", "databases", "delete"], "database"),
    ("gcloud", &["bigtable", "instances", "delete"], "database"),
    ("gcloud", &["firestore", "databases", "delete"], "database"),
    ("gcloud", &["redis", "instances", "delete"], "database"),
    ("gcloud", &["container", "clusters", "delete"], "cluster"),
    ("gcloud", &["dataproc", "clusters", "delete"], "cluster"),
    ("gcloud", &["storage", "buckets", "delete"], "bucket"),
    ("gcloud", &["storage", "rm"], "object"),
    ("gcloud", &["compute", "instances", "delete"], "instance"),
    ("gcloud", &["compute", "disks", "delete"], "instance"),
    ("gcloud", &["run", "services", "delete"], "function"),
    ("gcloud", &["functions", "delete"], "function"),
    ("gcloud", &["iam", "service-accounts", "delete"], "identity"),
    ("az", &["group", "delete"], "environment"),
    ("az", &["sql", "db", "delete"], "database"),
    ("az", &["sql", "server", "delete"], "database"),
    ("az", &["cosmosdb", "delete"], "database"),
    ("az", &["postgres", "flexible-server", "delete"], "database"),
    ("az", &["mysql", "flexible-server", "delete"], "database"),
    ("az", &["aks", "delete"], "cluster"),
    ("az", &["storage", "account", "delete"], "bucket"),
    ("az", &["storage", "container", "delete"], "bucket"),
    ("az", &["vm", "delete"], "instance"),
    ("az", &["webapp", "delete"], "function"),
    ("az", &["functionapp", "delete"], "function"),
    ("az", &["ad", "user", "delete"], "identity"),
    ("az", &["ad", "sp", "delete"], "identity"),
];

/// gcloud and az flags that take a value as the next word (when not written `--flag=value`).
const PATH_VALUE_FLAGS: &[&str] = &[
    "--project", "--account", "--configuration", "--verbosity", "--format", "--impersonate-service-account",
    "--billing-project", "--flags-file", "--zone", "--region", "--location", "--trace-token", "--filter",
    "--limit", "--sort-by", "--page-size", "--instance", "--cluster", "--subscription", "--output", "-o",
    "--query", "--resource-group", "-g", "--name", "-n", "--server", "-s", "--account-name", "--ids", "--database",
];

/// If `path` occurs in `ops` in order, starting at the first operand (or the second, after a
/// release track such as `gcloud beta`), the index just after its last word.
fn in_order(ops: &[&str], path: &[&str]) -> Option<usize> {
    let first = path.first()?;
    let start = ops.iter().take(2).position(|o| o == first)?;
    if start == 1 && !matches!(ops[0], "alpha" | "beta" | "preview") {
        return None;
    }
    let mut at = start;
    for p in path {
        at += ops[at..].iter().position(|o| o == p)? + 1;
    }
    Some(at)
}

fn by_path(a: &mut Analyzer, inv: &Invocation) {
    let args = texts(inv.args());
    let mut ops: Vec<&str> = vec![];
    let mut names: Vec<String> = vec![];
    let mut i = 0;
    while i < args.len() {
        let t = args[i];
        if t == "--" {
            break;
        }
        if PATH_VALUE_FLAGS.contains(&t) {
            if matches!(t, "--name" | "-n" | "--ids") {
                names.extend(args.get(i + 1).map(|s| s.to_string()));
            }
            i += 2;
            continue;
        }
        if let Some(v) = t.strip_prefix("--name=") {
            names.push(v.to_string());
        }
        if !t.starts_with('-') {
            ops.push(t);
        }
        i += 1;
    }
    let provider = inv.name.as_str();
    // The command path starts at the first operand; the words of the path may be separated by
    // values of flags guard does not know (`gcloud container --access-token-file f clusters
    // delete c`), so they are matched in order, not necessarily next to each other.
    let hit = PATH_DELETES.iter().filter(|(p, _, _)| *p == provider).find_map(|(_, path, scope)| {
        in_order(&ops, path).map(|end| (path, end, scope))
    });
    let Some((path, at, scope)) = hit else { return };
    let has = |fs: &[&str]| args.iter().any(|t| fs.contains(t));
    let mut resources: Vec<String> = ops[at..].iter().map(|s| s.to_string()).collect();
    resources.extend(names);
    let recursive = has(&["-r", "-R", "--recursive"]) || resources.iter().any(|r| r.contains("**"));
    let mut scope = *scope;
    if scope == "object" && recursive {
        scope = "objects";
    }
    a.push(
        delete_fact(inv, provider, path[0], &path[1..].join(" "), scope)
            .with("resources", resources)
            .with("recursive", recursive)
            .with("auto_approve", has(&["--quiet", "-q", "--yes", "-y"]))
            .with("force", has(&["--force", "-f"])),
    );
}

fn gsutil(a: &mut Analyzer, inv: &Invocation) {
    let args = texts(inv.args());
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        i += if matches!(args[i], "-o" | "-h" | "-u" | "-i") { 2 } else { 1 };
    }
    let Some(&sub) = args.get(i) else { return };
    let rest = &args[i + 1..];
    let urls: Vec<String> = rest.iter().filter(|t| !t.starts_with('-')).map(|s| s.to_string()).collect();
    let short = |c: char| rest.iter().any(|t| t.starts_with('-') && !t.starts_with("--") && t.contains(c));
    match sub {
        "rm" | "del" | "delete" | "remove" => {
            let recursive = short('r') || short('R') || urls.iter().any(|u| u.contains("**"));
            a.push(
                delete_fact(inv, "gcloud", "gsutil", "rm", if recursive { "objects" } else { "object" })
                    .with("resources", urls)
                    .with("recursive", recursive),
            );
        }
        "rb" => a.push(delete_fact(inv, "gcloud", "gsutil", "rb", "bucket").with("resources", urls).with("force", short('f'))),
        _ => {}
    }
}
