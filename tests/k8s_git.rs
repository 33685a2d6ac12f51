//! The Kubernetes and git catalog entries (`catalog/k8s.toml`, `catalog/git.toml`) make the
//! same facts, with the same attributes, as the hand-written analyzers they replaced, and the
//! argv shapes and configuration tricks that used to hide an operation do not.

use guard::analyze::analyze_script;
use guard::fact::Fact;
use serde_json::{json, Value};

fn facts(line: &str, kind: &str) -> Vec<Fact> {
    let cwd = std::env::current_dir().expect("cwd");
    analyze_script(line, &cwd).facts.into_iter().filter(|f| f.kind == kind).collect()
}

fn one(line: &str, kind: &str) -> Fact {
    let mut all = facts(line, kind);
    assert_eq!(all.len(), 1, "{line}: {all:?}");
    all.remove(0)
}

fn attr<'f>(f: &'f Fact, name: &str) -> &'f Value {
    f.attrs.get(name).unwrap_or(&Value::Null)
}

#[test]
fn kubectl_delete_attributes() {
    let f = one("oc --cluster c delete pod x --grace-period 0 -n kube-system", "k8s.delete");
    assert_eq!(attr(&f, "program"), "oc");
    assert_eq!(attr(&f, "kube_context"), "c", "--cluster when no --context");
    assert_eq!(attr(&f, "force"), true, "--grace-period 0 forces");
    assert_eq!(attr(&f, "namespace"), "kube-system");
    assert_eq!(attr(&f, "resource"), "pod");
    assert_eq!(attr(&f, "names"), &json!(["x"]));
    let f = one("kubectl --cluster c --context k delete ns a", "k8s.delete");
    assert_eq!(attr(&f, "kube_context"), "k", "--context wins over --cluster");
    assert_eq!(attr(&f, "namespace"), "", "an absent namespace is empty");
    let all = facts("kubectl delete ns/a deploy/b ns/c -f x.yaml", "k8s.delete");
    let kinds: Vec<(&Value, &Value)> = all.iter().map(|f| (attr(f, "resource"), attr(f, "names"))).collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.contains(&(&json!("namespace"), &json!(["a", "c"]))));
    assert!(kinds.contains(&(&json!("file"), &json!([]))));
    let f = one("kubectl delete --raw=/api/v1/namespaces/web/secrets/s", "k8s.delete");
    assert_eq!((attr(&f, "resource"), attr(&f, "namespace")), (&json!("secret"), &json!("web")));
}

#[test]
fn kubectl_dry_runs() {
    for dry in ["--dry-run", "--dry-run=client", "--dry-run=server", "--dry-run=none --dry-run=server"] {
        assert!(facts(&format!("kubectl delete ns a {dry}"), "k8s.delete").is_empty(), "{dry}");
    }
    for real in ["--dry-run=none", "--dry-run=false", "--dry-run=client --dry-run=none", "--dry-run=bogus"] {
        assert_eq!(facts(&format!("kubectl delete ns a {real}"), "k8s.delete").len(), 1, "{real}");
    }
}

#[test]
fn kubectl_other_paths() {
    let f = one("kubectl -n web scale --replicas 0 deploy/a", "k8s.scale");
    assert_eq!((attr(&f, "replicas"), attr(&f, "names")), (&json!(0), &json!(["deploy/a"])));
    assert!(facts("kubectl scale deploy/a --replicas=x", "k8s.scale").is_empty(), "no count, no fact");
    let f = one("kubectl drain n1 n2 --force", "k8s.drain");
    assert_eq!((attr(&f, "nodes"), attr(&f, "force")), (&json!(["n1", "n2"]), &json!(true)));
    assert_eq!(facts("kubectl replace -f x.yaml", "k8s.replace").len(), 0);
    assert_eq!(facts("kubectl replace -f x.yaml --force", "k8s.replace").len(), 1);
    let f = one("helm --kube-context prod uninstall a b --keep-history", "k8s.helm_uninstall");
    assert_eq!(attr(&f, "release"), "a");
    assert_eq!(attr(&f, "releases"), &json!(["a", "b"]));
    assert_eq!(attr(&f, "kube_context"), "prod");
    assert_eq!(attr(&f, "namespace"), "");
    assert_eq!(attr(&f, "keep_history"), true);
    let f = one("kubectl get secret/db -ojson", "data.source");
    assert_eq!((attr(&f, "kind"), attr(&f, "path"), attr(&f, "program")), (&json!("k8s_secret"), &json!("secret/db"), &json!("kubectl")));
    assert!(facts("kubectl get secret db -o name", "data.source").is_empty());
    assert!(facts("kubectl get secret db", "data.source").is_empty());
}

#[test]
fn kubectl_exec_runs_the_argv_after_the_double_dash() {
    for line in [
        "kubectl exec pod -- rm -rf /",
        "kubectl exec -f pod.yaml -- rm -rf /",
        "kubectl exec -c -- pod -- rm -rf /",
        "kubectl --namespace=x exec -it pod -- rm -rf /",
        "kubectl exec pod rm -r /",
    ] {
        assert!(!facts(line, "fs.delete").is_empty(), "{line}");
    }
    assert!(facts("kubectl -n exec get pods -- rm -rf /", "fs.delete").is_empty(), "-n takes `exec`: a get");
}

#[test]
fn git_push_attributes() {
    let f = one("git -C r push --force-with-lease=main origin +main :old -o x", "git.push");
    assert_eq!(attr(&f, "program"), "git");
    assert_eq!(attr(&f, "remote"), "origin");
    assert_eq!(attr(&f, "refs"), &json!(["+main", ":old"]));
    assert_eq!(attr(&f, "force"), false, "the lease names main");
    assert_eq!(attr(&f, "force_with_lease"), true);
    assert_eq!(attr(&f, "delete"), true);
    assert_eq!(attr(&f, "deleted"), &json!(["old"]));
    let f = one("git push", "git.push");
    assert_eq!((attr(&f, "remote"), attr(&f, "refs"), attr(&f, "force")), (&json!(""), &json!([]), &json!(false)));
    assert_eq!(attr(&one("git push --repo=backup", "git.push"), "remote"), "backup");
    let f = one("git push --mirror x", "git.push");
    assert_eq!((attr(&f, "force"), attr(&f, "mirror"), attr(&f, "delete")), (&json!(true), &json!(true), &json!(false)));
    assert_eq!(attr(&one("git push --prune origin", "git.push"), "prune"), true);
    assert_eq!(attr(&one("git push --prune --no-prune origin", "git.push"), "prune"), false);
    assert!(facts("git push -nf origin main", "git.push").is_empty());
    assert_eq!(attr(&one("git push -n --no-dry-run -f", "git.push"), "force"), true);
    assert_eq!(attr(&one("git push -f --no-force", "git.push"), "force"), false);
    assert_eq!(attr(&one("git -c remote.origin.push=+HEAD push origin", "git.push"), "force"), true);
    assert_eq!(attr(&one("git -c remote.origin.push=+HEAD push other", "git.push"), "force"), false);
    assert_eq!(attr(&one("git -c remote.backup.mirror push backup", "git.push"), "mirror"), true, "`-c NAME` is true");
}

#[test]
fn git_discards() {
    let op = |line: &str| facts(line, "git.discard").iter().map(|f| attr(f, "operation").clone()).collect::<Vec<_>>();
    for (line, want) in [
        ("git reset --hard", "reset_hard"),
        ("git reset --har HEAD~1", "reset_hard"),
        ("git clean -fdx", "clean"),
        ("git -c clean.requireForce=false clean -d", "clean"),
        ("git clean -n --no-dry-run -f", "clean"),
        ("git branch -D x", "branch_force_delete"),
        ("git branch --delete --force x", "branch_force_delete"),
        ("git branch -df x", "branch_force_delete"),
        ("git checkout -- .", "checkout_discard"),
        ("git checkout HEAD~1 -- src", "checkout_discard"),
        ("git checkout -f main", "checkout_discard"),
        ("git restore x", "restore_discard"),
        ("git restore -S -W x", "restore_discard"),
        ("git stash drop", "stash_drop"),
        ("git stash clear", "stash_clear"),
    ] {
        assert_eq!(op(line), vec![json!(want)], "{line}");
    }
    for line in ["git reset --soft", "git clean -f -n", "git clean -d", "git branch -d x", "git branch -f x", "git checkout main",
        "git restore --staged x", "git restore -s HEAD", "git stash list", "git log --hard"] {
        assert!(op(line).is_empty(), "{line}");
    }
    assert_eq!(attr(&one("git-filter-repo --path x", "git.rewrite_history"), "operation"), "filter-repo");
    assert_eq!(attr(&one("git filter-branch --tree-filter x HEAD", "git.rewrite_history"), "operation"), "filter-branch");
}

#[test]
fn git_configuration_on_the_line() {
    for line in [
        "git -c alias.p='push --force' p",
        "git -c alias.P='push -f' P",
        "git -c alias.a=b -c alias.b='push -f' a",
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.p GIT_CONFIG_VALUE_0='push -f' git p",
        "A='push -f' git --config-env=alias.p=A p",
        "GIT_CONFIG_PARAMETERS=\"'alias.p'='push -f'\" git p",
        "git -c alias.push=status push -f",
    ] {
        assert!(facts(line, "git.push").iter().any(|f| attr(f, "force") == true), "{line}");
    }
    // An alias loop ends; a shell alias is shell text.
    assert!(facts("git -c alias.a=b -c alias.b=a a", "git.push").is_empty());
    assert!(!facts("git -c 'alias.x=!rm -rf /' x", "fs.delete").is_empty());
    assert!(!facts("git -c core.sshCommand='rm -rf /' fetch", "fs.delete").is_empty());
    assert!(!facts("GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='rm -rf /' git log", "fs.delete").is_empty());
}

#[test]
fn git_filter_branch_filters_are_shell_code() {
    assert!(!facts("git filter-branch --tree-filter 'rm -rf /' HEAD", "fs.delete").is_empty());
    assert!(!facts("git filter-branch -f --index-filter='rm -rf /' -- --all", "fs.delete").is_empty());
    assert!(!facts("git filter-branch --msg-filter \"$CMD\" HEAD", "exec.dynamic").is_empty());
    assert_eq!(facts("git filter-branch --tree-filter 'rm -f secrets.txt' HEAD", "git.rewrite_history").len(), 1);
}
