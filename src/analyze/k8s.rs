//! Kubernetes and Helm: `kubectl` (and OpenShift's `oc`), `helm`.
//!
//! kubectl parses its flags with spf13/pflag, so global flags may appear anywhere on the
//! line (`kubectl --context prod -n x delete ns y`, `kubectl delete ns y -n x`), as
//! `--flag value`, `--flag=value`, `-n value`, `-nvalue` or `-n=value` (kubectl(1), "kubectl
//! options"). The first operand is the subcommand.
//!
//! Facts:
//! - `k8s.delete`: one per resource type named: `resource` (normalised: `namespace`, `crd`,
//!   `pod`, `deployment`, ... or `all`; `file` for `-f`/`-k` deletes), `names` (array),
//!   `namespace`, `context`, `all` (`--all`), `all_namespaces` (`-A`), `selector` (`-l` or
//!   `--field-selector`), `from_file` (`-f`/`-k`), `force` (`--force` or `--grace-period=0`),
//!   `program`. `delete --raw PATH` names the resource by its API path. A client or server dry run (`--dry-run`, `--dry-run=client|server`) deletes
//!   nothing and yields no fact; `--dry-run=none` does delete.
//! - `k8s.drain`: `kubectl drain NODE`: `nodes`, `force`, `context`.
//! - `k8s.replace`: `kubectl replace --force` (deletes, then re-creates): `force`.
//! - `k8s.scale`: `kubectl scale --replicas=0`: `replicas`, `names`, `namespace`.
//! - `k8s.helm_uninstall`: `helm uninstall|delete|del|un RELEASE...`: `releases` (array),
//!   `release` (the first), `namespace`, `context`, `keep_history`.

use super::{Analyzer, Invocation};
use crate::fact::Fact;
use crate::shell::Word;

/// Programs this module analyses.
pub const PROGRAMS: &[&str] = &["kubectl", "oc", "helm"];

/// kubectl/oc flags that take a value (global options and those of the subcommands we read).
/// Boolean flags (`--all`, `-A`, `--force`, `--now`, `-R`, `-i`, `-t`, `-w`,
/// `--match-server-version`, `--record`, `--prefix`, ...) take none: listing one here would
/// make it swallow the next word, e.g. the subcommand.
const KUBECTL_VALUE_LONG: &[&str] = &[
    "namespace", "context", "cluster", "kubeconfig", "selector", "filename", "output", "user", "server",
    "field-selector", "grace-period", "timeout", "as", "as-group", "as-uid", "token", "certificate-authority",
    "client-certificate", "client-key", "cache-dir", "request-timeout", "tls-server-name", "v", "vmodule",
    "log-dir", "log-file", "container", "kustomize", "raw", "for", "template", "replicas", "current-replicas",
    "resource-version", "pod-selector", "chunk-size", "label-columns", "sort-by", "password", "username",
    "skip-wait-for-delete-timeout", "field-manager", "overrides", "image", "port", "type", "patch",
    "subresource", "profile", "profile-output", "log-flush-frequency", "env",
    "serviceaccount", "restart", "labels", "limits", "requests", "since", "since-time", "tail",
    "max-log-requests", "pod-running-timeout", "session", "api-version",
];
/// Single-letter kubectl flags that take a value.
const KUBECTL_VALUE_SHORT: &str = "nlfoscpkLv";

/// Helm's flags that take a value (global and `uninstall`'s).
const HELM_VALUE_LONG: &[&str] = &[
    "namespace", "kube-context", "kubeconfig", "registry-config", "repository-cache", "repository-config",
    "burst-limit", "kube-apiserver", "kube-as-group", "kube-as-user", "kube-ca-file", "kube-token",
    "kube-tls-server-name", "qps", "cascade", "timeout", "description", "deletion-propagation", "content-cache",
];
const HELM_VALUE_SHORT: &str = "n";

/// One flag or operand of a pflag-style command line.
#[derive(Debug)]
pub struct Arg<'w> {
    /// The flag name without dashes (`namespace`, `n`), or `None` for an operand.
    pub flag: Option<String>,
    /// The flag's value (`--flag=v`, `--flag v`, `-nv`, `-n=v`, `-n v`), or the operand text.
    pub value: Option<String>,
    /// The word it came from.
    pub word: &'w Word,
}

/// Splits a pflag (Go, spf13/pflag) command line into flags and operands. `long` and `short`
/// name the flags that take a value; everything after `--` is an operand.
pub fn pflag<'w>(args: &'w [Word], long: &[&str], short: &str) -> Vec<Arg<'w>> {
    let mut out = vec![];
    let mut i = 0;
    let mut operands_only = false;
    while i < args.len() {
        let w = &args[i];
        let t = w.text.as_str();
        i += 1;
        if operands_only || t == "-" || !t.starts_with('-') {
            out.push(Arg { flag: None, value: Some(t.to_string()), word: w });
            continue;
        }
        if t == "--" {
            operands_only = true;
            continue;
        }
        if let Some(l) = t.strip_prefix("--") {
            let (name, value) = match l.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None if long.contains(&l) => {
                    let v = args.get(i).map(|w| w.text.clone());
                    i += 1;
                    (l.to_string(), v)
                }
                None => (l.to_string(), None),
            };
            out.push(Arg { flag: Some(name), value, word: w });
            continue;
        }
        // A short cluster: `-it`, `-nfoo`, `-n=foo`, `-A`.
        let rest = &t[1..];
        for (k, c) in rest.char_indices() {
            if short.contains(c) {
                let after = &rest[k + c.len_utf8()..];
                let value = if !after.is_empty() {
                    Some(after.strip_prefix('=').unwrap_or(after).to_string())
                } else {
                    let v = args.get(i).map(|w| w.text.clone());
                    i += 1;
                    v
                };
                out.push(Arg { flag: Some(c.to_string()), value, word: w });
                break;
            }
            out.push(Arg { flag: Some(c.to_string()), value: None, word: w });
        }
    }
    out
}

fn flag_value(args: &[Arg], names: &[&str]) -> Option<String> {
    args.iter().rev().find(|a| a.flag.as_deref().is_some_and(|f| names.contains(&f))).and_then(|a| a.value.clone())
}

fn has_flag(args: &[Arg], names: &[&str]) -> bool {
    args.iter().any(|a| {
        a.flag.as_deref().is_some_and(|f| names.contains(&f))
            && !matches!(a.value.as_deref(), Some("false" | "False" | "0"))
    })
}

/// A kubectl argv split into flags and operands, with kubectl's flags that take a value.
pub fn kubectl_args(args: &[Word]) -> Vec<Arg<'_>> {
    pflag(args, KUBECTL_VALUE_LONG, KUBECTL_VALUE_SHORT)
}

/// The kubectl subcommand (`delete`, `get`, ...) of an argv, with global flags skipped
/// wherever they are. Used by [`super::unwrap`] to find `kubectl exec`.
pub fn kubectl_subcommand(args: &[Word]) -> Option<String> {
    kubectl_args(args).into_iter().find(|a| a.flag.is_none()).and_then(|a| a.value)
}

/// True if a `--dry-run` flag makes the command a dry run (kubectl(1): `--dry-run` alone means
/// `client` in old releases and `unchanged`/client now; `none` runs for real).
fn dry_run(args: &[Arg]) -> bool {
    args.iter().any(|a| {
        a.flag.as_deref() == Some("dry-run") && !matches!(a.value.as_deref(), Some("none" | "false"))
    })
}

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

/// Analyses one invocation of kubectl, oc or helm.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    if inv.name == "helm" {
        helm(a, inv);
        return;
    }
    let args = kubectl_args(inv.args());
    let operands: Vec<&Arg> = args.iter().filter(|a| a.flag.is_none()).collect();
    let Some(sub) = operands.first().and_then(|o| o.value.clone()) else { return };
    let rest: Vec<String> = operands[1..].iter().filter_map(|o| o.value.clone()).collect();
    let namespace = flag_value(&args, &["n", "namespace"]).unwrap_or_default();
    let context = flag_value(&args, &["context"]).or_else(|| flag_value(&args, &["cluster"])).unwrap_or_default();
    let force = has_flag(&args, &["force"]) || flag_value(&args, &["grace-period"]).as_deref() == Some("0");
    let base = |kind: &str| {
        Fact::new(kind, inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("namespace", namespace.clone())
            .with("kube_context", context.clone())
            .with("force", force)
    };
    match sub.as_str() {
        // `oc delete project x` is `kubectl delete namespace x`.
        "delete" if !dry_run(&args) => {
            let all = has_flag(&args, &["all"]);
            let all_namespaces = has_flag(&args, &["A", "all-namespaces"]);
            let selector = flag_value(&args, &["l", "selector", "field-selector"]).is_some();
            let from_file = flag_value(&args, &["f", "filename", "k", "kustomize"]).is_some();
            let fact = |resource: &str, names: Vec<String>| {
                base("k8s.delete")
                    .with("resource", resource.to_string())
                    .with("names", names)
                    .with("all", all)
                    .with("all_namespaces", all_namespaces)
                    .with("selector", selector)
                    .with("from_file", from_file)
            };
            let mut facts = vec![];
            // `kubectl delete --raw /api/v1/namespaces/prod`: a DELETE of that API path.
            if let Some(raw) = flag_value(&args, &["raw"]) {
                let (resource, names, ns) = raw_path(&raw);
                let mut f = fact(&resource, names);
                if let Some(ns) = ns {
                    f = f.with("namespace", ns);
                }
                facts.push(f);
            }
            if from_file {
                facts.push(fact("file", vec![]));
            }
            // `TYPE/NAME ...` or `TYPE[,TYPE...] [NAME...]`.
            if rest.iter().any(|r| r.contains('/')) {
                let mut by_type: Vec<(String, Vec<String>)> = vec![];
                for r in &rest {
                    let (t, n) = r.split_once('/').unwrap_or((r.as_str(), ""));
                    let t = normalize_resource(t);
                    match by_type.iter_mut().find(|(x, _)| *x == t) {
                        Some((_, names)) => names.push(n.to_string()),
                        None => by_type.push((t, vec![n.to_string()])),
                    }
                }
                facts.extend(by_type.into_iter().map(|(t, n)| fact(&t, n)));
            } else if let Some((types, names)) = rest.split_first() {
                for t in types.split(',').filter(|t| !t.is_empty()) {
                    facts.push(fact(&normalize_resource(t), names.to_vec()));
                }
            }
            for f in facts {
                a.push(f);
            }
        }
        "drain" if !dry_run(&args) => {
            a.push(base("k8s.drain").with("nodes", rest));
        }
        "replace" if !dry_run(&args) && has_flag(&args, &["force"]) => {
            a.push(base("k8s.replace"));
        }
        "scale" if !dry_run(&args) => {
            if let Some(r) = flag_value(&args, &["replicas"])
                && let Ok(n) = r.parse::<u64>() {
                    a.push(base("k8s.scale").with("replicas", n).with("names", rest));
                }
        }
        _ => {}
    }
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

fn helm(a: &mut Analyzer, inv: &Invocation) {
    let args = pflag(inv.args(), HELM_VALUE_LONG, HELM_VALUE_SHORT);
    let operands: Vec<String> = args.iter().filter(|a| a.flag.is_none()).filter_map(|a| a.value.clone()).collect();
    let Some((sub, releases)) = operands.split_first() else { return };
    if !matches!(sub.as_str(), "uninstall" | "delete" | "del" | "un") || has_flag(&args, &["dry-run"]) {
        return;
    }
    a.push(
        Fact::new("k8s.helm_uninstall", inv.display(), inv.span())
            .with("program", "helm")
            .with("release", releases.first().cloned().unwrap_or_default())
            .with("releases", releases.to_vec())
            .with("namespace", flag_value(&args, &["n", "namespace"]).unwrap_or_default())
            .with("kube_context", flag_value(&args, &["kube-context"]).unwrap_or_default())
            .with("keep_history", has_flag(&args, &["keep-history"])),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    fn words(s: &str) -> Vec<Word> {
        s.split_whitespace().map(|t| Word::plain(t, Span::default())).collect()
    }

    #[test]
    fn subcommand_after_global_flags() {
        assert_eq!(kubectl_subcommand(&words("--context prod -n x delete ns y")).as_deref(), Some("delete"));
        assert_eq!(kubectl_subcommand(&words("-nx exec pod -- ls")).as_deref(), Some("exec"));
        assert_eq!(kubectl_subcommand(&words("--namespace=x -A get pods")).as_deref(), Some("get"));
        assert_eq!(kubectl_subcommand(&words("-it --kubeconfig k exec p")).as_deref(), Some("exec"));
    }

    #[test]
    fn resources() {
        assert_eq!(normalize_resource("ns"), "namespace");
        assert_eq!(normalize_resource("Namespaces"), "namespace");
        assert_eq!(normalize_resource("customresourcedefinitions.apiextensions.k8s.io"), "crd");
        assert_eq!(normalize_resource("deployment.apps"), "deployment");
        assert_eq!(normalize_resource("po"), "pod");
    }

    #[test]
    fn short_values() {
        let w = words("-n=kube-system -lapp=x delete");
        let a = kubectl_args(&w);
        assert_eq!(flag_value(&a, &["n"]).as_deref(), Some("kube-system"));
        assert_eq!(flag_value(&a, &["l"]).as_deref(), Some("app=x"));
    }
}
