//! The fact registry (`facts.toml`) against the analyzers, the rules and the docs:
//! every fact the rule examples produce is declared with the right types, every kind that is
//! not internal has a rule, every built-in pack passes load-time validation, `docs/facts.md`
//! is current, and rule files with unknown names or wrong types fail with file:line:column.

use guard::analyze::Analyzer;
use guard::shell::SpanMap;
use guard::policy::{parse_rules, RuleSet, BUILTIN};
use guard::registry;

fn example_lines() -> Vec<String> {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let mut lines: Vec<String> =
        rules.rules().iter().flat_map(|r| r.examples.block.iter().chain(r.examples.allow.iter()).cloned()).collect();
    let ordinary = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/ordinary.txt")).unwrap_or_default();
    let catalog = guard::catalog::Catalog::builtin().expect("built-in catalog loads");
    lines.extend(catalog.programs().iter().flat_map(|p| p.examples.block.iter().chain(p.examples.allow.iter()).cloned()));
    lines.extend(ordinary.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')).map(String::from));
    lines
}

#[test]
fn registry_is_sound() {
    let reg = registry::get().expect("facts.toml loads");
    assert!(reg.problems().is_empty(), "facts.toml:\n{}", reg.problems().join("\n"));
}

#[test]
fn every_fact_the_examples_produce_is_declared() {
    let cwd = std::env::current_dir().expect("cwd");
    let mut failures = vec![];
    let mut facts = 0;
    for line in example_lines() {
        let mut a = Analyzer::new(&cwd);
        a.shell_text(&line, SpanMap::top(line.len()), 0);
        for f in a.finish().facts {
            facts += 1;
            if let Err(e) = registry::check_fact(&f) {
                failures.push(format!("{line:?}: {e}"));
            }
        }
    }
    assert!(facts > 300, "too few facts ({facts}) to prove anything");
    failures.sort();
    failures.dedup();
    assert!(failures.is_empty(), "facts not matching facts.toml (fix the registry or the analyzer):\n{}", failures.join("\n"));
}

#[test]
fn every_kind_has_a_rule_or_is_internal() {
    let reg = registry::get().expect("facts.toml loads");
    let rules = RuleSet::builtin().expect("built-in rules load");
    let has_rule = |kind: &str| {
        rules.rules().iter().any(|r| {
            r.matcher.fact == kind || r.matcher.fact.strip_suffix(".*").is_some_and(|f| f == registry::family_of(kind))
        })
    };
    let missing: Vec<&String> =
        reg.kinds.iter().filter(|(k, d)| !d.internal && !has_rule(k)).map(|(k, _)| k).collect();
    assert!(missing.is_empty(), "fact kinds with no built-in rule (add a rule, or mark the kind internal in facts.toml and say why): {missing:?}");
}

#[test]
fn builtin_packs_pass_load_validation() {
    for pack in BUILTIN {
        if let Err(e) = parse_rules(&format!("rules/{}", pack.name), pack.toml) {
            panic!("{e}");
        }
    }
}

#[test]
fn facts_md_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/facts.md");
    let want = registry::markdown();
    if std::env::var_os("GUARD_BLESS").is_some() {
        std::fs::write(path, &want).expect("write docs/facts.md");
        return;
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(have == want, "docs/facts.md is stale; regenerate it with: GUARD_BLESS=1 cargo test --test registry");
}

/// Loads one rule whose match table is `body` and returns the error, `file:line:column: message`.
fn load_error(body: &str) -> String {
    let text = format!(
        "[[rule]]\nid = \"t.one\"\naction = \"deny\"\nsummary = \"s\"\nwhy = \"w\"\n[rule.match]\n{body}\n"
    );
    match parse_rules("t.toml", &text) {
        Ok(_) => panic!("loaded, but should not:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unknown_names_and_wrong_types_fail_with_their_position() {
    // Line 7 is the first line after [rule.match].
    let cases: &[(&str, &str, &str)] = &[
        ("fact = \"sql.drop\"\noperatoin = \"x\"", "t.toml:8:1:", "unknown attribute \"operatoin\""),
        ("fact = \"sql.dorp\"", "t.toml:7:1:", "unknown fact kind"),
        ("fact = \"sqll.*\"", "t.toml:7:1:", "unknown fact family"),
        ("fact = \"fs.delete\"\nrecursive = \"yes\"", "t.toml:8:1:", "cannot apply to a bool"),
        ("fact = \"k8s.scale\"\nreplicas = { gt = \"a\" }", "t.toml:8:14:", "takes an integer"),
        ("fact = \"k8s.scale\"\nreplicas = 1.5", "t.toml:8:1:", "float"),
        ("fact = \"k8s.scale\"\nreplicas = { ge = 2.0 }", "t.toml:8:14:", "integer"),
        ("fact = \"k8s.scale\"\nreplicas = { between = 3 }", "t.toml:8:14:", "unknown operator"),
        ("fact = \"fs.delete\"\nrecursive = { glob = \"t*\" }", "t.toml:8:1:", "`glob` cannot apply to a bool"),
        ("fact = \"fs.delete\"\nclasses = { gt = 3 }", "t.toml:8:1:", "comparison cannot apply"),
        ("fact = \"fs.delete\"\nclasses = [\"root\", 3]", "t.toml:8:20:", "cannot apply to a strings"),
        ("fact = \"fs.delete\"\n[rule.match.unless]\nforse = true", "t.toml:9:1:", "unknown attribute \"forse\""),
        ("fact = \"sql.drop\"\n[rule.match.context]\nenvironmnet = \"production\"", "t.toml:9:1:", "unknown context value"),
        ("fact = \"sql.drop\"\n[rule.match.context]\nenvironment = 1", "t.toml:9:1:", "cannot apply to a string"),
        ("fact = \"sql.drop\"\ntable = { glob = \"[\" }", "t.toml:8:11:", "bad glob"),
        ("fact = \"sql.*\"\ntable = { not = 3 }", "t.toml:8:1:", "cannot apply to a string"),
    ];
    for (body, at, what) in cases {
        let e = load_error(body);
        assert!(e.starts_with(at) && e.contains(what), "{body:?}: want {at} ... {what}, got: {e}");
    }
}

#[test]
fn the_grammar_loads_and_matches() {
    let text = r#"
[[rule]]
id = "t.scale"
action = "ask"
summary = "s"
why = "w"
[rule.match]
fact = "k8s.scale"
replicas = { ge = 2, le = 5 }
names = { glob = "deploy/web*" }
namespace = { not = { any = ["dev", "test"] } }
[rule.match.context]
environment = ["production", "staging"]
"target.host" = { glob = "db-*" }
"#;
    let rules = parse_rules("t.toml", text).expect("loads");
    let rule = rules.first().expect("one rule");
    let fact = |replicas: u64, name: &str, ns: &str| {
        guard::fact::Fact::new("k8s.scale", "x", guard::fact::Span::default())
            .with("replicas", replicas)
            .with("names", vec![name])
            .with("namespace", ns)
    };
    use guard::policy::ContextValues;
    let prod = ContextValues::new().with("environment", "production").with("target.host", "db-1");
    assert!(rule.matches_in(&fact(3, "deploy/web", "prod"), &prod));
    assert!(!rule.matches_in(&fact(3, "deploy/web", "prod"), &ContextValues::new()), "a missing context value does not hold");
    assert!(!rule.matches_in(&fact(3, "deploy/web", "prod"), &prod.clone().with("target.host", "web-1")));
    assert!(!rule.matches_in(&fact(1, "deploy/web", "prod"), &prod), "ge 2");
    assert!(!rule.matches_in(&fact(6, "deploy/web", "prod"), &prod), "le 5");
    assert!(!rule.matches_in(&fact(3, "sts/db", "prod"), &prod), "glob");
    assert!(!rule.matches_in(&fact(3, "deploy/web", "dev"), &prod), "not any");
}
