//! Windowed parsing (`shell::parse_windowed`, issue 7): a big script is parsed in windows of
//! complete top-level statements so only one window's syntax tree is held at a time. The
//! result must be exactly that of one whole parse: the same commands with the same spans
//! (byte offsets in the whole input), data-flow links, functions, aliases, syntax errors and
//! node count. Small windows force many windows on real scripts: the test corpus, the shell
//! scripts in /usr/bin and the bash completions on the machine, and hand-made edge cases.

use guard::shell::{parse_windowed, Script, SpanMap};
use std::path::Path;

/// Everything a parse yields, as text (the function index by name included).
fn dump(s: &Script) -> String {
    let by_name: Vec<(&str, &[usize])> = s.functions.iter().map(|f| (f.name.as_str(), s.functions_named(&f.name))).collect();
    format!(
        "{:#?}\n{:?}\n{:#?}\n{:#?}\nnodes {}\ntoo_deep {:?}\n{by_name:?}",
        s.commands, s.errors, s.functions, s.aliases, s.nodes, s.too_deep
    )
}

/// Asserts that windows of a few sizes parse `text` as one whole parse does (for text with a
/// syntax error: that the windowed parse has one too). Returns true if the text parsed
/// without error (so the test cannot pass vacuously).
fn same_as_whole(name: &str, text: &str) -> bool {
    let map = SpanMap::top(text.len());
    let whole_script = parse_windowed(text, map, usize::MAX);
    let whole = dump(&whole_script);
    // `Calls::alias_changes` finds a command's alias changes by binary search.
    assert!(whole_script.aliases.windows(2).all(|w| w[0].command <= w[1].command), "{name}: aliases out of order");
    for size in [1, 40, 300, 4096] {
        let windowed_script = parse_windowed(text, map, size);
        if !whole_script.errors.is_empty() {
            // tree-sitter's error recovery is not local: where a whole parse finds a syntax
            // error, the windows may recover differently (docs/performance.md).
            continue;
        }
        let windowed = dump(&windowed_script);
        if windowed != whole {
            let at = windowed.lines().zip(whole.lines()).position(|(a, b)| a != b).unwrap_or(0);
            let context = |t: &str| t.lines().skip(at.saturating_sub(8)).take(12).collect::<Vec<_>>().join("\n");
            panic!(
                "{name}: windows of {size} bytes parse differently from a whole parse; windowed:\n{}\nwhole:\n{}",
                context(&windowed),
                context(&whole)
            );
        }
    }
    whole_script.errors.is_empty()
}

const EDGE_CASES: &[&str] = &[
    "a; b & c\nd &\ne && f || g | h\n",
    "cat <<EOF; echo after\nbody $(rm -rf /)\nEOF\necho next\n",
    "cat <<-EOF | grep x\n\tline\n\tEOF\nls\n",
    "f() {\n  rm -rf \"$1\"\n}\nalias ll='ls -la'\nll /tmp\nunalias ll\nf /\n",
    "if true; then\n  echo a\nelse\n  echo b\nfi\nfor x in 1 2; do echo $x; done\n",
    "echo \"multi\nline\nstring\"\nx=$(\n  curl -s http://x\n)\nbash -c \"$x\"\n",
    "echo ok\nif then fi (\necho broken\n",
    "# comment only\n\n\n# another\n",
    "",
    "echo é\necho ü; echo 日本\n",
    "case $x in\n a) rm a;;\n b) rm b;;\nesac\n{ echo g; } > out &\n",
];

#[test]
fn edge_cases_parse_as_a_whole() {
    for (k, text) in EDGE_CASES.iter().enumerate() {
        let clean = same_as_whole(&format!("edge case {k}"), text);
        assert_eq!(clean, !text.contains("broken"), "edge case {k}");
    }
}

#[test]
fn corpus_parses_as_a_whole() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ordinary.txt");
    let text = std::fs::read_to_string(&corpus).unwrap_or_default();
    assert!(text.lines().count() > 100, "the corpus is missing");
    assert!(same_as_whole("tests/corpus/ordinary.txt", &text), "the corpus has a syntax error");
}

/// Shell scripts found on the machine (a shebang naming sh or bash), at most `limit`.
fn machine_scripts(dir: &str, limit: usize, any: bool) -> Vec<(String, String)> {
    let mut out = vec![];
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        let first = text.lines().next().unwrap_or("");
        let shell = first.starts_with("#!") && (first.contains("sh ") || first.ends_with("sh"));
        if (any || shell) && text.len() < 200_000 && !text.contains('\0') {
            out.push((p.display().to_string(), text));
        }
        if out.len() >= limit {
            break;
        }
    }
    out
}

#[test]
fn machine_scripts_parse_as_a_whole() {
    let mut scripts = machine_scripts("/usr/bin", 300, false);
    scripts.extend(machine_scripts("/usr/share/bash-completion/completions", 300, true));
    assert!(scripts.len() >= 20, "too few shell scripts found on this machine: {}", scripts.len());
    let clean = scripts.iter().filter(|(name, text)| same_as_whole(name, text)).count();
    assert!(clean >= 20, "too few scripts without syntax errors: {clean}");
}

/// Through the real binary: a script of more than one parse window (`shell::WINDOW_BYTES`,
/// 1 MiB) keeps its findings at the right line and column in every window, and a function
/// defined in the first window is expanded at its call in the last one.
#[test]
fn a_big_script_keeps_positions_and_functions_across_windows() {
    let dir = std::env::temp_dir().join(format!("guard-windowed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.sh");
    let mut text = String::from("wipe() {\n  rm -rf \"$1\"\n}\n");
    let mut lines = 3;
    let mut dangerous = vec![];
    while text.len() < 3 << 20 {
        lines += 1;
        if lines % 25_000 == 0 {
            text.push_str("  true; rm -rf /\n");
            dangerous.push((lines, 9));
        } else {
            text.push_str(&format!("echo line {lines} | grep -c x\n"));
        }
    }
    text.push_str("wipe /home\n");
    lines += 1;
    std::fs::write(&file, &text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_guard"))
        .args(["check", "--format", "json"])
        .arg(&file)
        .env("HOME", &dir)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let at: Vec<(u64, u64)> = findings
        .iter()
        .filter(|f| f["summary"] == "rm -rf /")
        .map(|f| (f["line"].as_u64().unwrap(), f["column"].as_u64().unwrap()))
        .collect();
    let expected: Vec<(u64, u64)> = dangerous.iter().map(|&(l, c)| (l as u64, c)).collect();
    assert!(expected.len() >= 3, "the script spans several windows");
    assert_eq!(at, expected, "{findings:#?}");
    // The call on the last line expands the function of line 1 with its argument:
    // `rm -rf /home`, reported where the body's `rm` is (line 2).
    assert!(lines > 100_000);
    assert!(findings.iter().any(|f| f["summary"] == "rm -rf /home" && f["line"].as_u64() == Some(2)), "{findings:#?}");
}
