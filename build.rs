//! Converts the built-in rule packs (`rules/*.toml`) and command catalog (`catalog/*.toml`),
//! the sources of truth, to JSON at build time, so the binary parses them with serde_json
//! (several times faster than TOML) when it needs them. A file that is not valid TOML fails
//! the build, naming the file, line and column. The fact registry (`facts.toml`) is converted
//! the same way (see `src/registry.rs`).

use std::path::Path;

/// The `*.toml` files of `dir`, sorted by name.
fn toml_files(dir: &str) -> Vec<std::path::PathBuf> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}/: {e}"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    names.sort();
    names
}

/// Converts one TOML file to JSON at `to`; returns the TOML value.
fn convert(path: &Path, to: &Path) -> toml::Value {
    let text = std::fs::read_to_string(path).expect("TOML file is readable");
    let value: toml::Value = toml::from_str(&text).unwrap_or_else(|e| {
        let at = e.span().map_or(0, |s| s.start);
        let line = text[..at].matches('\n').count() + 1;
        panic!("{}:{line}: {}", path.display(), e.message())
    });
    let json = serde_json::to_string(&value).expect("TOML values are JSON values");
    std::fs::write(to, json).expect("OUT_DIR is writable");
    value
}

/// Writes `OUT_DIR/{prefix}{stem}.json` for every TOML file of `dir`; returns the stems and
/// the TOML values.
fn to_json(dir: &str, prefix: &str, out: &Path) -> Vec<(String, toml::Value)> {
    println!("cargo::rerun-if-changed={dir}");
    let mut files = vec![];
    for path in toml_files(dir) {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("UTF-8 file name").to_string();
        let value = convert(&path, &out.join(format!("{prefix}{stem}.json")));
        files.push((stem, value));
    }
    files
}

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    to_json("rules", "", out);
    println!("cargo::rerun-if-changed=facts.toml");
    convert(Path::new("facts.toml"), &out.join("facts.json"));
    println!("cargo::rerun-if-changed=verbs.toml");
    convert(Path::new("verbs.toml"), &out.join("verb_lists.json"));
    let files = to_json("catalog", "catalog_", out);
    // Every program name of the built-in catalog with the index of its file, sorted by name, so
    // a lookup parses only the file that defines the name (most commands are in none).
    let mut names: Vec<(String, usize)> = vec![];
    for (i, (_, value)) in files.iter().enumerate() {
        let programs = value.get("program").and_then(|p| p.as_array()).map(Vec::as_slice).unwrap_or_default();
        for name in programs.iter().filter_map(|p| p.get("names")?.as_array()).flatten().filter_map(|n| n.as_str()) {
            names.push((name.to_string(), i));
        }
    }
    names.sort();
    // Every `secrets` item of the built-in entries, so redaction needs no catalog parsing.
    let mut secrets = String::from("/// Every `secrets` item of the built-in entries: names, path, options, form.\npub const BUILTIN_SECRETS: &[BuiltinSecret] = &[\n");
    let strs = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
    };
    for (_, value) in &files {
        let programs = value.get("program").and_then(|p| p.as_array()).map(Vec::as_slice).unwrap_or_default();
        for p in programs {
            let items = p.get("secrets").and_then(|s| s.as_array()).map(Vec::as_slice).unwrap_or_default();
            for item in items {
                let form = item.get("form").and_then(|f| f.as_str()).unwrap_or("value");
                secrets.push_str(&format!(
                    "    BuiltinSecret {{ names: &{:?}, path: &{:?}, options: &{:?}, form: {form:?} }},\n",
                    strs(p.get("names")),
                    strs(item.get("path")),
                    strs(item.get("options"))
                ));
            }
        }
    }
    secrets.push_str("];\n");
    let mut list = String::from("/// The built-in catalog files, embedded at build time.\npub const BUILTIN: &[BuiltinFile] = &[\n");
    for (s, _) in &files {
        list.push_str(&format!(
            "    BuiltinFile {{ name: \"{s}.toml\", toml: include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/catalog/{s}.toml\")), json: include_str!(concat!(env!(\"OUT_DIR\"), \"/catalog_{s}.json\")) }},\n"
        ));
    }
    list.push_str("];\n");
    list.push_str("/// Every built-in program name and the index in [`BUILTIN`] of the file that defines it, sorted.\n");
    list.push_str("pub const BUILTIN_NAMES: &[(&str, usize)] = &[\n");
    for (n, i) in &names {
        list.push_str(&format!("    ({n:?}, {i}),\n"));
    }
    list.push_str("];\n");
    list.push_str(&secrets);
    std::fs::write(out.join("catalog_files.rs"), list).expect("OUT_DIR is writable");
}
