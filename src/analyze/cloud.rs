//! Cloud and infrastructure as code: the semantics of `catalog/cloud.toml` that options and
//! operands cannot express. The catalog reads `terraform`/`tofu`/`terragrunt`, `pulumi`, `aws`,
//! `gcloud`, `gsutil` and `az` command lines (subcommand paths, options, operands); the path
//! handlers here finish three of their facts:
//!
//! - [`iac_destroy`] (`terraform destroy`, `apply -destroy`): `tool` is the name the tool was
//!   invoked as (`terraform`, `tofu` or `terragrunt`), which one catalog entry cannot know.
//! - [`aws_delete`] (`aws SERVICE delete-*|terminate-*|remove-*`): `scope` is classified from
//!   the service and operation ([`AWS_SCOPES`]; `other` when not listed), and the extra items
//!   of a list-valued id option (`--instance-ids i-1 i-2`) join `resources`.
//! - [`storage_rm`] (`gsutil rm`, `gcloud storage rm`): a `**` wildcard in a URL deletes
//!   every object under a prefix, as `-r` does; `scope` is `objects` or `object`.
//! - [`storage_sync`] (`aws s3 sync --delete`, `gsutil rsync -d`, `gcloud storage rsync
//!   --delete-unmatched-destination-objects`): a recursive delete only when the destination
//!   is a cloud URL.
//!
//! Facts (declared in `facts.toml`): `cloud.destroy` (`tool`, `auto_approve`, `targeted`,
//! `targets`) and `cloud.delete` (`provider`, `service`, `operation`, `resources`, `scope`,
//! `recursive`, `force`, `auto_approve`, `skip_final_snapshot`).
#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::catalog::PathMatch;
use serde_json::Value;

/// `(service, operation, scope)` of AWS operations whose deletion is classified; an operation
/// ending in `*` is a prefix (`iam delete-*`). Unlisted deleting operations get scope `other`.
/// Sources: the AWS CLI command reference of each operation.
pub const AWS_SCOPES: &[(&str, &str, &str)] = &[
    ("s3api", "delete-bucket", "bucket"),
    ("s3api", "delete-object", "object"),
    ("s3api", "delete-objects", "objects"),
    ("rds", "delete-db-instance", "database"),
    ("rds", "delete-db-cluster", "database"),
    ("rds", "delete-global-cluster", "database"),
    ("docdb", "delete-db-cluster", "database"),
    ("neptune", "delete-db-cluster", "database"),
    ("dynamodb", "delete-table", "database"),
    ("redshift", "delete-cluster", "database"),
    ("elasticache", "delete-cache-cluster", "database"),
    ("elasticache", "delete-replication-group", "database"),
    ("opensearch", "delete-domain", "database"),
    ("es", "delete-elasticsearch-domain", "database"),
    ("kms", "schedule-key-deletion", "database"),
    ("backup", "delete-backup-vault", "database"),
    ("backup", "delete-recovery-point", "database"),
    ("efs", "delete-file-system", "bucket"),
    ("ec2", "terminate-instances", "instance"),
    ("ec2", "delete-volume", "instance"),
    ("ec2", "delete-snapshot", "instance"),
    ("cloudformation", "delete-stack", "environment"),
    ("eks", "delete-cluster", "cluster"),
    ("ecs", "delete-cluster", "cluster"),
    ("eks", "delete-nodegroup", "instance"),
    ("lambda", "delete-function", "function"),
    ("ecr", "delete-repository", "instance"),
    ("route53", "delete-hosted-zone", "instance"),
    ("iam", "delete-*", "identity"),
];

/// The scope of AWS operation `operation` of `service` per [`AWS_SCOPES`], or `other`.
pub fn aws_scope(service: &str, operation: &str) -> &'static str {
    AWS_SCOPES
        .iter()
        .find(|(s, o, _)| *s == service && o.strip_suffix('*').map_or(*o == operation, |p| operation.starts_with(p)))
        .map_or("other", |(_, _, scope)| scope)
}

/// Handler `iac_destroy`: the path's fact with `tool` set to the invoked program name.
pub fn iac_destroy(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    a.push(m.fact(&inv.display(), inv.span()).with("tool", inv.name.clone()));
}

/// Handler `aws_delete`: the path's fact (`service` and `operation` are the path's words) with
/// `scope` from [`aws_scope`] and the operands after the operation (more items of a
/// list-valued option such as `--instance-ids i-1 i-2`) added to `resources`.
pub fn aws_delete(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let service = m.words.first().map(String::as_str).unwrap_or_default();
    let operation = m.words.get(1).map(String::as_str).unwrap_or_default();
    let mut f = m.fact(&inv.display(), inv.span()).with("scope", aws_scope(service, operation));
    let mut resources = strings(f.attrs.get("resources"));
    resources.extend(m.operands().iter().map(|w| w.text.clone()));
    f = f.with("resources", resources);
    a.push(f);
}

/// Handler `storage_rm`: the path's fact, `recursive` also when a URL holds a `**` wildcard
/// (gsutil and gcloud storage: "all objects under the prefix"), and `scope` `objects` when
/// recursive, `object` otherwise.
pub fn storage_rm(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let f = m.fact(&inv.display(), inv.span());
    let recursive = f.attrs.get("recursive").and_then(Value::as_bool).unwrap_or(false)
        || strings(f.attrs.get("resources")).iter().any(|r| r.contains("**"));
    a.push(f.with("recursive", recursive).with("scope", if recursive { "objects" } else { "object" }));
}

/// Handler `storage_sync`: a sync that deletes what the source lacks (`aws s3 sync --delete`,
/// `gsutil rsync -d`, `gcloud storage rsync --delete-unmatched-destination-objects`) is a
/// recursive delete of cloud objects when its destination (the last operand) is a cloud URL
/// (`s3://`, `gs://`); a local destination yields no fact here.
pub fn storage_sync(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let f = m.fact(&inv.display(), inv.span());
    let cloud = m.operands().last().is_some_and(|w| CLOUD_URLS.iter().any(|p| w.text.starts_with(p)));
    if cloud {
        a.push(f.with("recursive", true).with("scope", "objects"));
    }
}

/// URL schemes of cloud object stores whose objects a sync may delete.
const CLOUD_URLS: &[&str] = &["s3://", "gs://"];

/// The strings of a `strings` attribute (empty when absent).
fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array).map_or_else(Vec::new, |a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_scopes() {
        assert_eq!(aws_scope("rds", "delete-db-instance"), "database");
        assert_eq!(aws_scope("iam", "delete-role"), "identity");
        assert_eq!(aws_scope("iam", "list-roles"), "other");
        assert_eq!(aws_scope("ec2", "delete-tags"), "other");
        assert_eq!(aws_scope("", ""), "other");
    }
}
