//! The cloud family as catalog data (`catalog/cloud.toml` + the path handlers in
//! `src/analyze/cloud.rs`): verdicts on argv shapes that try to hide a destroy or delete, and
//! the attributes of the facts the catalog makes, through the library (analysis and the
//! built-in rules).

use guard::analyze::analyze_script;
use guard::fact::Fact;
use guard::policy::RuleSet;
use serde_json::{Value, json};

fn facts(line: &str) -> Vec<Fact> {
    let cwd = std::env::current_dir().expect("cwd");
    analyze_script(line, &cwd).facts
}

fn verdict(line: &str) -> String {
    let rules = RuleSet::builtin().expect("built-in rules load");
    rules.decide(&facts(line)).verdict.to_string()
}

/// The one fact of `kind` that `line` makes.
fn fact(line: &str, kind: &str) -> Fact {
    let found: Vec<Fact> = facts(line).into_iter().filter(|f| f.kind == kind).collect();
    assert_eq!(found.len(), 1, "{line}: {found:?}");
    found.into_iter().next().expect("one fact")
}

fn attr<'f>(f: &'f Fact, name: &str) -> &'f Value {
    f.attrs.get(name).unwrap_or(&Value::Null)
}

#[test]
fn bypass_shapes_are_refused() {
    let mut wrong = vec![];
    for (line, want) in [
        // terraform: Go flag, one or two dashes, per-subcommand options.
        ("terraform -chdir=infra -no-color destroy", "deny"),
        ("terraform --chdir=infra destroy", "deny"),
        ("terraform -- destroy", "deny"),
        ("terraform apply -var x=1 -var-file f -destroy", "deny"),
        ("terraform apply -destroy=1", "deny"),
        ("terraform apply -destroy=TRUE -auto-approve", "deny"),
        // A required option after an operand still counts (an unknown value option must not hide it).
        ("terraform apply -some-new-option value -destroy", "deny"),
        ("terraform apply tfplan -destroy", "deny"),
        ("tofu apply --destroy", "deny"),
        ("terragrunt run --all --non-interactive destroy", "deny"),
        ("terragrunt --terragrunt-non-interactive run-all destroy", "deny"),
        ("terragrunt run-all --terragrunt-parallelism 4 destroy", "deny"),
        ("terragrunt --working-dir live run --all -- apply -destroy", "deny"),
        ("terraform destroy -target=a -target=b", "ask"),
        ("cd infra; terraform destroy", "deny"),
        ("terraform workspace delete -lock-timeout 5s prod", "ask"),
        // pulumi: pflag, options anywhere.
        ("pulumi destroy --stack=prod --yes", "deny"),
        ("pulumi --color never -C infra down -y", "deny"),
        ("pulumi destroy -s prod --yes --preview-only=false", "deny"),
        ("pulumi --cwd infra stack rm prod", "ask"),
        // aws: global options anywhere, `--opt=value`, abbreviations.
        ("aws s3 rm s3://b --recursive --profile=prod", "deny"),
        ("aws --output text --query x s3 rm s3://b --recursive", "deny"),
        ("aws s3 --region us-east-1 rm s3://b --recur", "deny"),
        ("aws --no-verify-ssl --endpoint-url http://x s3 rb s3://b", "deny"),
        ("aws s3api delete-bucket --bucket b --dry-run=false", "deny"),
        ("aws rds delete-db-cluster --db-cluster-identifier c --skip-final-snapshot", "deny"),
        ("aws neptune delete-db-cluster --db-cluster-identifier c", "deny"),
        ("aws opensearch delete-domain --domain-name d", "deny"),
        ("aws ec2 delete-snapshot --snapshot-id s", "ask"),
        ("aws s3 sync ./empty s3://b --delete", "deny"),
        // gcloud and az: release tracks, values of unknown flags between path words.
        ("gcloud preview projects delete p", "deny"),
        ("gcloud sql --some-new-flag x instances delete db", "deny"),
        ("gcloud alloydb clusters delete c --region r", "deny"),
        ("gcloud beta storage rm --recursive gs://b/p", "deny"),
        ("gcloud compute snapshots delete s", "ask"),
        ("az group --some-new-flag x delete -n rg", "deny"),
        ("az --subscription s group delete --name=rg --yes", "deny"),
        ("az redis delete -n r -g rg", "deny"),
        ("az postgres server delete -n p -g rg", "deny"),
        // gsutil: short clusters, options after operands.
        ("gsutil -mq rm -r gs://b", "deny"),
        ("gsutil rm gs://b -r", "deny"),
        ("gsutil -m rm -R gs://b/p", "deny"),
        ("gsutil -m rsync -d -r ./empty gs://b", "deny"),
    ] {
        let got = verdict(line);
        if got != want {
            wrong.push(format!("{line}: got {got}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn ordinary_cloud_work_runs() {
    let mut wrong = vec![];
    for line in [
        "terraform apply -var env=destroy", "terraform plan -destroy -target=x", "terraform state rm -dry-run x",
        "terraform -chdir=destroy init", "terraform apply -destroy=false -auto-approve", "terragrunt run --all plan",
        "pulumi up --target urn:x", "pulumi destroy --preview-only -s prod", "pulumi stack ls",
        "aws s3 rm s3://b/k", "aws s3 rm s3://b --recursive --dryrun", "aws ec2 describe-instances",
        "aws ec2 delete-tags --resources i-1 --tags Key=x", "aws s3 sync s3://b ./local --delete",
        "aws ec2 terminate-instances --instance-ids i-1 --dry-run", "gcloud compute instances list",
        "gcloud storage rm gs://b/one", "gcloud container clusters list", "az group list", "az vm show -n delete",
        "gsutil rm gs://b/one", "gsutil rsync -r ./d gs://b", "gsutil rsync -d -r gs://b ./mirror",
    ] {
        let got = verdict(line);
        if got != "allow" && got != "warn" {
            wrong.push(format!("{line}: got {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn facts_carry_the_family_attributes() {
    let f = fact("tofu destroy -target=a --target b -auto-approve", "cloud.destroy");
    assert_eq!(attr(&f, "tool"), "tofu");
    assert_eq!(attr(&f, "targets"), &json!(["a", "b"]));
    assert_eq!(attr(&f, "targeted"), true);
    assert_eq!(attr(&f, "auto_approve"), true);

    let f = fact("pulumi destroy -y", "cloud.destroy");
    assert_eq!(attr(&f, "tool"), "pulumi");
    assert_eq!(attr(&f, "targeted"), false);

    let f = fact("terraform state rm a.b c.d", "cloud.delete");
    assert_eq!(attr(&f, "scope"), "state");
    assert_eq!(attr(&f, "resources"), &json!(["a.b", "c.d"]));

    let f = fact("aws --profile p ec2 terminate-instances --instance-ids i-1 i-2", "cloud.delete");
    assert_eq!(attr(&f, "provider"), "aws");
    assert_eq!(attr(&f, "service"), "ec2");
    assert_eq!(attr(&f, "operation"), "terminate-instances");
    assert_eq!(attr(&f, "scope"), "instance");
    assert_eq!(attr(&f, "resources"), &json!(["i-1", "i-2"]));

    let f = fact("aws rds delete-db-instance --db-instance-identifier=db --skip-final-snapshot", "cloud.delete");
    assert_eq!(attr(&f, "scope"), "database");
    assert_eq!(attr(&f, "skip_final_snapshot"), true);
    assert_eq!(attr(&f, "resources"), &json!(["db"]));

    let f = fact("aws iam delete-user-policy --user-name u --policy-name p", "cloud.delete");
    assert_eq!(attr(&f, "scope"), "identity");
    let f = fact("aws sqs delete-queue --queue-url q", "cloud.delete");
    assert_eq!(attr(&f, "scope"), "other");

    let f = fact("aws s3 rm s3://b/p --recursive", "cloud.delete");
    assert_eq!((attr(&f, "scope"), attr(&f, "recursive")), (&json!("objects"), &json!(true)));
    let f = fact("aws s3 rm s3://b/k", "cloud.delete");
    assert_eq!((attr(&f, "scope"), attr(&f, "recursive")), (&json!("object"), &json!(false)));

    let f = fact("gcloud beta --project p sql instances delete db1 -q", "cloud.delete");
    assert_eq!(attr(&f, "service"), "sql");
    assert_eq!(attr(&f, "scope"), "database");
    assert_eq!(attr(&f, "resources"), &json!(["db1"]));
    assert_eq!(attr(&f, "auto_approve"), true);

    let f = fact("gsutil rm gs://b/**", "cloud.delete");
    assert_eq!((attr(&f, "scope"), attr(&f, "recursive")), (&json!("objects"), &json!(true)));

    let f = fact("az group delete -n rg -y", "cloud.delete");
    assert_eq!(attr(&f, "resources"), &json!(["rg"]));
    assert_eq!(attr(&f, "scope"), "environment");
    assert_eq!(attr(&f, "auto_approve"), true);
}

/// Odd and truncated argv shapes never crash the analysis (a crash is a bypass in hook mode).
#[test]
fn odd_argv_shapes_do_not_crash() {
    for program in ["terraform", "tofu", "terragrunt", "pulumi", "aws", "gcloud", "gsutil", "az"] {
        for rest in [
            "", "--", "-", "-chdir", "-chdir=", "--profile", "-target", "run", "run --all", "run-all --", "beta",
            "s3", "s3 rm", "s3 rm --exclude", "x delete-", "* delete-*", "'[' ']'", "stack rm -s", "rsync -d",
            "storage rm -r", "apply -destroy --", "-v", "-C", "-o", "-h", "group delete -n",
        ] {
            let _ = facts(&format!("{program} {rest}"));
        }
    }
}
