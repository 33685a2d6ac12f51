//! Kubernetes and Helm semantics: what `catalog/k8s.toml` (kubectl, oc, helm) cannot say with
//! options and operands. The catalog gives the option specs (pflag style: flags anywhere),
//! the subcommand paths and most attributes; its paths name the handlers here:
//!
//! - [`k8s`] (every `k8s.*` path): the `program` is the name invoked (`oc`, not `kubectl`);
//!   a client or server dry run (`--dry-run`, `--dry-run=client|server`) changes nothing and
//!   yields no fact, `--dry-run=none` does run (kubectl(1) `GetDryRunStrategy`);
//!   `--grace-period=0` forces like `--force`; `kube_context` falls back to `--cluster`;
//!   string attributes absent from the line are empty. Then per fact kind:
//!   - `k8s.delete`: one fact per resource type named, normalised (`ns` -> `namespace`,
//!     `crds` -> `crd`, `deployment.apps` -> `deployment`; `oc delete project` is a namespace),
//!     from `TYPE[,TYPE] NAME...` or `TYPE/NAME...`; `file` for `-f`/`-k`; `delete --raw PATH`
//!     names the resource by its API path.
//!   - `k8s.scale`: `replicas` is the integer `--replicas` (no fact without one).
//! - [`secret_read`] (`kubectl get`): a `data.source` of kind `k8s_secret` when a secret is
//!   printed with its values (`-o yaml|json|jsonpath=...`, or `get --raw` of a secret's path).
//!
//! `kubectl exec POD -- ARGV` is a `[program.wrapper]` of the catalog entry.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::argv::Parsed;
use crate::catalog::{AttrSource, PathMatch};
use crate::fact::Fact;

/// Normalises a resource type as kubectl's short names and plurals would resolve it
/// (`kubectl api-resources`): `ns` -> `namespace`, `crds` -> `crd`, `deployment.apps` ->
/// `deployment`.
pub fn normalize_resource(t: &str) -> String {
    let t = t.to_ascii_lowercase();
    if t.starts_with("customresourcedefinition") {
        return "crd".into();
    }
    let base = t.split('.').next().unwrap_or(&t);
    let n = match base {
        "ns" | "namespace" | "namespaces" => "namespace",
        "crd" | "crds" | "customresourcedefinition" | "customresourcedefinitions" => "crd",
        "po" | "pod" | "pods" => "pod",
        "deploy" | "deployment" | "deployments" => "deployment",
        "svc" | "service" | "services" => "service",
        "pv" | "persistentvolume" | "persistentvolumes" => "persistentvolume",
        "pvc" | "persistentvolumeclaim" | "persistentvolumeclaims" => "persistentvolumeclaim",
        "sts" | "statefulset" | "statefulsets" => "statefulset",
        "ds" | "daemonset" | "daemonsets" => "daemonset",
        "rs" | "replicaset" | "replicasets" => "replicaset",
        "cm" | "configmap" | "configmaps" => "configmap",
        "secret" | "secrets" => "secret",
        "no" | "node" | "nodes" => "node",
        "sa" | "serviceaccount" | "serviceaccounts" => "serviceaccount",
        "ing" | "ingress" | "ingresses" => "ingress",
        "job" | "jobs" => "job",
        "cj" | "cronjob" | "cronjobs" => "cronjob",
        "project" | "projects" => "namespace", // OpenShift projects are namespaces
        other => other,
    };
    n.to_string()
}

/// True if the last `--dry-run` given makes the command a dry run: bare (`unchanged`, i.e.
/// client), `client`, `server` or `true`. `none` and `false` run for real, and so does an
/// unknown value (kubectl refuses it; nothing is assumed safe).
fn dry_run(p: &Parsed) -> bool {
    let last = p.options.iter().rev().find(|o| o.name == "--dry-run");
    last.is_some_and(|o| matches!(o.value.as_ref().map(|w| w.text.as_str()), None | Some("client" | "server" | "unchanged" | "true")))
}

/// Handler `k8s`: the fact of a `k8s.*` catalog path, completed with what options alone cannot
/// say (see the module documentation). Pushes nothing for a dry run.
pub fn k8s(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    if dry_run(&m.parsed) {
        return;
    }
    let mut base = m.fact(&inv.display(), inv.span()).with("program", inv.name.clone());
    // String attributes not given on the line are empty, as rules have always seen them.
    for (name, src) in &m.path.attrs {
        if let AttrSource::From(f) = src
            && (f.value.is_some() || f.operand.is_some())
            && !base.attrs.contains_key(name)
        {
            base.attrs.insert(name.clone(), "".into());
        }
    }
    if base.attrs.get("kube_context").is_some_and(|v| v == "")
        && let Some(cluster) = m.parsed.value(&["--cluster"])
    {
        base.attrs.insert("kube_context".into(), cluster.text.clone().into());
    }
    if base.attrs.contains_key("force") && m.parsed.value(&["--grace-period"]).is_some_and(|w| w.text == "0") {
        base.attrs.insert("force".into(), true.into());
    }
    match base.kind.as_str() {
        "k8s.delete" => {
            for f in delete_facts(&base, m) {
                a.push(f);
            }
        }
        "k8s.scale" => {
            if let Some(n) = m.parsed.value(&["--replicas"]).and_then(|w| w.text.parse::<u64>().ok()) {
                a.push(base.with("replicas", n));
            }
        }
        _ => a.push(base),
    }
}

/// The `k8s.delete` facts of a `delete` line: one per resource type named (`base` holds the
/// common attributes).
fn delete_facts(base: &Fact, m: &PathMatch) -> Vec<Fact> {
    let fact = |resource: &str, names: Vec<String>| base.clone().with("resource", resource.to_string()).with("names", names);
    let mut facts = vec![];
    // `kubectl delete --raw /api/v1/namespaces/prod`: a DELETE of that API path.
    if let Some(raw) = m.parsed.value(&["--raw"]) {
        let (resource, names, ns) = raw_path(&raw.text);
        let mut f = fact(&resource, names);
        if let Some(ns) = ns {
            f = f.with("namespace", ns);
        }
        facts.push(f);
    }
    if base.attrs.get("from_file").is_some_and(|v| v == true) {
        facts.push(fact("file", vec![]));
    }
    let rest: Vec<&str> = m.operands().iter().map(|w| w.text.as_str()).collect();
    // `TYPE/NAME ...` or `TYPE[,TYPE...] [NAME...]`.
    if rest.iter().any(|r| r.contains('/')) {
        let mut by_type: Vec<(String, Vec<String>)> = vec![];
        for r in &rest {
            let (t, n) = r.split_once('/').unwrap_or((r, ""));
            let t = normalize_resource(t);
            match by_type.iter_mut().find(|(x, _)| *x == t) {
                Some((_, names)) => names.push(n.to_string()),
                None => by_type.push((t, vec![n.to_string()])),
            }
        }
        facts.extend(by_type.into_iter().map(|(t, n)| fact(&t, n)));
    } else if let Some((types, names)) = rest.split_first() {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        for t in types.split(',').filter(|t| !t.is_empty()) {
            facts.push(fact(&normalize_resource(t), names.clone()));
        }
    }
    facts
}

/// The resource type, names and namespace a Kubernetes API path names (`/api/v1/namespaces/x`
/// -> `namespace [x]`; `/apis/apps/v1/namespaces/web/deployments/d` -> `deployment [d]` in
/// `web`); `raw` when the path is not a resource path.
fn raw_path(path: &str) -> (String, Vec<String>, Option<String>) {
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let seg: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let rest = match seg.as_slice() {
        ["api", _version, rest @ ..] | ["apis", _, _version, rest @ ..] => rest,
        _ => return ("raw".into(), vec![path.to_string()], None),
    };
    let names = |n: &[&str]| n.first().map(|s| vec![s.to_string()]).unwrap_or_default();
    match rest {
        ["namespaces", ns, kind, name @ ..] => (normalize_resource(kind), names(name), Some(ns.to_string())),
        [kind, name @ ..] => (normalize_resource(kind), names(name), None),
        [] => ("raw".into(), vec![path.to_string()], None),
    }
}

/// Handler `k8s_secret` (`kubectl get`): a `data.source` (kind `k8s_secret`, `path` the
/// resources named) when the line prints secrets with their values: a `secret` type among the
/// operands and an output format that shows data (any `-o` but `name` and `wide`), or
/// `--raw` of a secret's API path.
pub fn secret_read(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let ops: Vec<&str> = m.operands().iter().map(|w| w.text.as_str()).collect();
    let raw = m.parsed.value(&["--raw"]).map(|w| w.text.as_str());
    let shown = match raw {
        Some(path) => (raw_path(path).0 == "secret").then(|| path.to_string()),
        None => {
            let is_secret = |r: &str| normalize_resource(r.split('/').next().unwrap_or(r)) == "secret";
            let output = m.parsed.value(&["-o", "--output"]).map(|w| w.text.as_str());
            let data = output.is_some_and(|o| !matches!(o, "name" | "wide"));
            (data && ops.iter().any(|w| w.split(',').any(is_secret))).then(|| ops.join(" "))
        }
    };
    if let Some(path) = shown {
        let f = m.fact(&format!("{} reads {path}", inv.name), inv.span());
        a.push(f.with("path", path).with("program", inv.name.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(normalize_resource("ns"), "namespace");
        assert_eq!(normalize_resource("Namespaces"), "namespace");
        assert_eq!(normalize_resource("customresourcedefinitions.apiextensions.k8s.io"), "crd");
        assert_eq!(normalize_resource("deployment.apps"), "deployment");
        assert_eq!(normalize_resource("po"), "pod");
    }

    #[test]
    fn raw_paths() {
        assert_eq!(raw_path("/api/v1/namespaces/prod"), ("namespace".into(), vec!["prod".into()], None));
        assert_eq!(
            raw_path("/api/v1/namespaces/d/secrets/db?x=1"),
            ("secret".into(), vec!["db".into()], Some("d".into()))
        );
        assert_eq!(raw_path("/healthz").0, "raw");
        assert_eq!(raw_path("").0, "raw");
    }
}
