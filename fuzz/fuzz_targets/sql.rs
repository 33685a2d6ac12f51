//! The SQL pipeline: any text as an SQL file (`engine::evaluate` with `Input::sql`), and the
//! same text through `sql::analyze` in every dialect.
#![no_main]

use guard::context::Context;
use guard::engine::{self, Input};
use guard::policy::RuleSet;
use guard::sql::{self, Dialect};
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
    let _ = engine::evaluate(&Input::sql(text, Path::new("/nonexistent-guard-fuzz")), rules, context);
    for d in [Dialect::MySql, Dialect::Sqlite, Dialect::DuckDb, Dialect::Generic] {
        let _ = sql::analyze(text, d);
    }
});
