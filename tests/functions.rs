//! Functions and aliases defined in a script, expanded at their call sites with the call's
//! arguments, and fork bombs, through the real binary: `guard check --format json -c LINE`,
//! asserting the verdict and a rule id that fired.

mod common;

use std::time::{Duration, Instant};

use common::check::{assert_verdicts, check_line, rule_ids, verdict};

#[test]
fn function_calls_are_seen_with_their_arguments() {
    assert_verdicts(&[
        ("p() { psql \"$@\"; }; p -c 'DROP TABLE users'", "deny", "sql.drop"),
        ("function p { psql -c \"$1\"; }; p 'DROP TABLE users'", "deny", "sql.drop"),
        ("f() { rm -rf \"$1\"; }; f /", "deny", "fs.rm-root"),
        ("k() { kubectl \"$@\"; }; k delete ns prod", "deny", "k8s.delete-namespace"),
        ("a() { b \"$@\"; }; b() { rm -rf \"$@\"; }; a /", "deny", "fs.rm-root"),
        ("f() { \"$@\"; }; f rm -rf /", "deny", "fs.rm-root"),
        // Braces, later positions, unquoted splitting, embedded references, `$*`.
        ("f() { rm -rf \"${1}\"; }; f /", "deny", "fs.rm-root"),
        ("f() { rm -rf \"$2\"; }; f x /", "deny", "fs.rm-root"),
        ("f() { rm $1; }; f '-rf /'", "deny", "fs.rm-root"),
        ("f() { psql -c \"DROP TABLE $1\"; }; f users", "deny", "sql.drop"),
        ("f() { psql -c \"$*\"; }; f DROP TABLE users", "deny", "sql.drop"),
        ("f() { kubectl delete ns \"${@}\"; }; f prod", "deny", "k8s.delete-namespace"),
        // Through a variable of the body, a subshell body, a `shift`.
        ("f() { local d=\"$1\"; rm -rf \"$d\"; }; f /", "deny", "fs.rm-root"),
        ("f() ( rm -rf \"$1\" ); f /", "deny", "fs.rm-root"),
        ("f() { shift; rm -rf \"$1\"; }; f x /", "deny", "fs.rm-root"),
        // A definition in a branch, a redefinition, a call through a wrapper in the body.
        ("if true; then f() { rm -rf \"$1\"; }; fi; f /", "deny", "fs.rm-root"),
        ("f() { rm -rf \"$1\"; }; [ -n x ] && f() { ls; }; f /", "deny", "fs.rm-root"),
        ("f() { sudo rm -rf \"$@\"; }; f /", "deny", "fs.rm-root"),
        ("f() { bash -c \"$1\"; }; f 'rm -rf /'", "deny", "fs.rm-root"),
        // A function calling a function defined after it, called after both.
        ("outer() { inner \"$1\"; }; inner() { psql -c \"$1\"; }; outer 'DROP TABLE t'", "deny", "sql.drop"),
        // A function named like a program still shows the program's own use.
        ("rm() { echo \"$@\"; }; command rm -rf /", "deny", "fs.rm-root"),
    ]);
}

/// Parameter operators on positional parameters, and calls made from code the same shell runs
/// later (`eval`, `trap`, `source`) or that inherits the function (`export -f` then `bash -c`).
#[test]
fn function_calls_through_operators_eval_and_subshells() {
    assert_verdicts(&[
        ("p() { rm -rf \"${1:?}\"; }; p /", "deny", "fs.rm-root"),
        ("p() { rm -rf \"${1:?missing}\"; }; p /etc", "deny", "fs.rm-root"),
        ("p() { rm -rf \"${1:-x}\"; }; p /etc", "deny", "fs.rm-root"),
        ("p() { rm -rf \"${1:-/}\"; }; p", "deny", "fs.rm-root"),
        ("p() { psql -c \"${1?}\"; }; p 'DROP TABLE users'", "deny", "sql.drop"),
        ("p() { rm \"$@\"; }; eval p -rf /", "deny", "fs.rm-root"),
        ("p() { rm \"$@\"; }; eval 'p -rf /'", "deny", "fs.rm-root"),
        ("p() { rm \"$@\"; }; trap 'p -rf /' EXIT", "deny", "fs.rm-root"),
        ("p() { rm \"$@\"; }; source /dev/stdin <<< 'p -rf /'", "deny", "fs.rm-root"),
        ("p() { rm \"$@\"; }; export -f p; bash -c 'p -rf /'", "deny", "fs.rm-root"),
        ("p() { psql \"$@\"; }; eval \"p -c 'DROP TABLE users'\"", "deny", "sql.drop"),
        ("f() { eval 'f | f &'; }; f", "deny", "exec.fork-bomb"),
        // Recursion through eval ends.
        ("f() { eval f; }; f", "allow", ""),
        ("f() { g; }; g() { eval f; }; f", "allow", ""),
    ]);
}

#[test]
fn alias_calls_are_seen_with_their_arguments() {
    assert_verdicts(&[
        ("alias p='psql -c'; p 'DROP TABLE users'", "deny", "sql.drop"),
        ("alias a='rm -rf' b=true; a /", "deny", "fs.rm-root"),
        ("alias s=sudo; s rm -rf /", "deny", "fs.rm-root"),
        ("alias k=kubectl\nk delete ns prod", "deny", "k8s.delete-namespace"),
        ("alias rm='rm -i'; rm -rf /", "deny", "fs.rm-root"),
        // `unalias` removes it: `p` is then an unknown program.
        ("alias p='psql -c'; unalias p; p 'DROP TABLE users'", "allow", ""),
        ("alias p='psql -c'; unalias -a; p 'DROP TABLE users'", "allow", ""),
    ]);
}

#[test]
fn ordinary_functions_and_aliases_stay_allowed() {
    assert_verdicts(&[
        ("f() { ls \"$@\"; }; f -la", "allow", ""),
        ("log() { echo \"$@\" >&2; }; log 'DROP TABLE x'", "allow", ""),
        ("alias ll='ls -la'; ll /", "allow", ""),
        ("greet() { echo \"hello $1\"; }; greet world", "allow", ""),
        ("pods() { kubectl get pods -n \"$1\"; }; pods prod", "allow", ""),
        ("die() { echo \"$*\" >&2; exit 1; }; [ -f x ] || die 'missing x'", "allow", ""),
        ("git() { command git \"$@\"; }; git status", "allow", ""),
        ("ls() { command ls --color \"$@\"; }; ls -la /", "allow", ""),
        ("f() { kubectl delete ns \"$1\"; }", "deny", "k8s.delete-namespace"),
        ("f() { sleep 1 & }; f", "allow", ""),
        ("f() { [ $1 -gt 0 ] && f $(($1-1)); }; f 3", "allow", ""),
        // The inner function's body runs with its own arguments, not the outer call's.
        ("f() { g() { rm -rf \"$1\"; }; g ./build; }; f /", "warn", "fs.rm-dynamic"),
    ]);
}

#[test]
fn fork_bombs_are_denied() {
    assert_verdicts(&[
        (":(){ :|:& };:", "deny", "exec.fork-bomb"),
        ("bomb() { bomb | bomb & }; bomb", "deny", "exec.fork-bomb"),
        ("f(){ f & f; }; f", "deny", "exec.fork-bomb"),
        ("function f { f | f; }; f", "deny", "exec.fork-bomb"),
        ("a() { b & }; b() { a | a; }; a", "deny", "exec.fork-bomb"),
        // The same call expanded earlier outside the recursion does not hide it.
        ("bomb() { helper; }; helper() { bomb & bomb; }; helper; bomb", "deny", "exec.fork-bomb"),
        // Defined but never called: nothing runs.
        (":(){ :|:& }", "allow", ""),
    ]);
}

#[test]
fn fork_bomb_is_reported_once() {
    let report = check_line("bomb() { bomb | bomb & }; bomb", Duration::from_secs(60)).unwrap();
    let ids = rule_ids(&report);
    assert_eq!(ids.iter().filter(|r| *r == "exec.fork-bomb").count(), 1, "{ids:?}");
}

#[test]
fn a_finding_of_the_body_is_not_reported_twice() {
    let report = check_line("f() { rm -rf /; }; f; f", Duration::from_secs(60)).unwrap();
    assert_eq!(verdict(&report), "deny");
    assert_eq!(rule_ids(&report), vec!["fs.rm-root".to_string()]);
}

#[test]
fn expansion_is_bounded() {
    // Each function calls the one before it four times: 4^12 calls if nothing bounded it.
    let mut s = String::from("f0() { rm -rf \"$1\"; }\n");
    for k in 1..=12 {
        let p = k - 1;
        s.push_str(&format!("f{k}() {{ f{p} \"$1\"; f{p} \"$1\"; f{p} \"$1\"; f{p} \"$1\"; }}\n"));
    }
    s.push_str("f12 ./build\n");
    let started = Instant::now();
    let report = check_line(&s, Duration::from_secs(60)).unwrap();
    assert_eq!(verdict(&report), "deny", "{report}");
    assert!(rule_ids(&report).iter().any(|r| r == "exec.too-deep"), "{report}");
    assert!(started.elapsed() < Duration::from_secs(30), "took {:?}", started.elapsed());
    // Calls nested deeper than the nesting limit.
    let mut s = String::new();
    for k in 0..20 {
        s.push_str(&format!("g{k}() {{ g{} \"$@\"; }}\n", k + 1));
    }
    s.push_str("g20() { ls; }\ng0 x\n");
    let report = check_line(&s, Duration::from_secs(60)).unwrap();
    assert_eq!(verdict(&report), "deny", "{report}");
    assert!(rule_ids(&report).iter().any(|r| r == "exec.too-deep"), "{report}");
    // Many calls of a small function stay allowed.
    let mut s = String::from("f() { echo \"$1\"; ls \"$1\"; }\n");
    for k in 0..2000 {
        s.push_str(&format!("f {k}\n"));
    }
    let report = check_line(&s, Duration::from_secs(60)).unwrap();
    assert_eq!(verdict(&report), "allow", "{report}");
}
