//! Catalog loading: any text as a catalog file (`catalog::parse_file`); entries that load read
//! their own example lines (subcommand paths, sends, code).
#![no_main]

use guard::catalog::parse_file;
use guard::shell::{self, SpanMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(programs) = parse_file("fuzz.toml", text) else { return };
    for p in &programs {
        for (line, _) in p.examples.lines() {
            let script = shell::parse(line, SpanMap::top(line.len()));
            for c in &script.commands {
                let args = c.words.get(1..).unwrap_or_default();
                let _ = p.matches(args);
                let _ = p.send_match(args);
                let _ = p.code_at(args);
            }
        }
    }
});
