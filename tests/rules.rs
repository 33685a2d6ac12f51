//! Every built-in rule's `examples`: each `block` line must make the rule fire and each
//! `allow` line must not, through the real analysis pipeline.

use guard::explain::example_failures;
use guard::policy::RuleSet;

#[test]
fn every_rule_example_behaves() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    let total: usize = rules.rules.iter().map(|r| r.examples.block.len() + r.examples.allow.len()).sum();
    assert!(total > 50, "too few rule examples ({total}): the test would prove little");
    let failures = example_failures(&rules);
    assert!(failures.is_empty(), "{} of {total} rule examples fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_rule_is_documented() {
    let rules = RuleSet::builtin().expect("built-in rules load");
    for r in &rules.rules {
        assert!(r.why.len() > 40, "rule {} needs a real `why`", r.id);
        assert!(!r.summary.is_empty(), "rule {} needs a summary", r.id);
        if r.action != guard::policy::Action::Allow {
            assert!(!r.examples.block.is_empty() || r.id == "exec.too-deep", "rule {} has no block example", r.id);
        }
    }
}
