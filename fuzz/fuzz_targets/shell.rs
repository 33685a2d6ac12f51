//! The shell pipeline: any text as a bash script -> `engine::evaluate` with the built-in rules.
#![no_main]

use guard::context::Context;
use guard::engine::{self, Input};
use guard::policy::RuleSet;
use libfuzzer_sys::fuzz_target;
use std::path::Path;
use std::sync::OnceLock;

fn rules() -> &'static (RuleSet, Context) {
    static R: OnceLock<(RuleSet, Context)> = OnceLock::new();
    R.get_or_init(|| (RuleSet::builtin().expect("built-in rules load"), Context::detect()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (rules, context) = rules();
    // Files the script names (`source x`, `psql -f x.sql`) resolve under a directory with none.
    let input = Input::bash(text, Path::new("/nonexistent-guard-fuzz")).traced();
    let _ = engine::evaluate(&input, rules, context);
});
