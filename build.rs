//! Converts the built-in rule packs (`rules/*.toml`, the source of truth) to JSON at build time,
//! so the binary parses them with serde_json (several times faster than TOML) when a decision
//! needs them. A pack that is not valid TOML fails the build, naming the file, line and column.
//! The fact registry (`facts.toml`) is converted the same way (see `src/registry.rs`).

use std::path::Path;

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    println!("cargo::rerun-if-changed=rules");
    println!("cargo::rerun-if-changed=facts.toml");
    let mut names: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    names.push("facts.toml".into());
    for path in names {
        let text = std::fs::read_to_string(&path).expect("rule pack is readable");
        let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| {
            let at = e.span().map_or(0, |s| s.start);
            let line = text[..at].matches('\n').count() + 1;
            panic!("{}:{line}: {}", path.display(), e.message())
        });
        let json = serde_json::to_string(&value).expect("TOML values are JSON values");
        let name = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 file name");
        std::fs::write(Path::new(&out).join(format!("{name}.json")), json).expect("OUT_DIR is writable");
    }
}
