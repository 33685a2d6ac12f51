//! `composer run X` / `run-script X` / `composer X`: the `scripts` of `composer.json`
//! (getcomposer.org, "Scripts").
//!
//! - `composer.json` in the working directory (`-d`/`--working-dir DIR`).
//! - A script is a string or a list of strings. `@php ARGS` runs `php ARGS`, `@composer ARGS`
//!   runs `composer ARGS`, `@putenv` sets a variable, `@NAME` runs script `NAME` (bounded by
//!   [`MAX_STEPS`]); a PHP callback (`Vendor\Class::method`) is code guard does not see: its
//!   method name is classified like a subcommand ([`crate::verbs`], `exec.destructive_verb`).
//! - Events: `install` runs `pre-install-cmd`, `post-install-cmd`, `pre-autoload-dump`,
//!   `post-autoload-dump`; `update` the `-update-cmd` ones and the autoload ones; `dump-autoload`
//!   the autoload ones; `test` runs script `test`. `--no-scripts` runs none.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{quoted_args, read_project_file, run_text, work_dir, MAX_STEPS};
use crate::analyze::{Analyzer, Invocation};
use crate::argv::{self, Spec, Style};
use crate::fact::Fact;
use crate::shell::Word;

const VALUES: &[&str] = &["-d", "--working-dir", "--timeout"];

/// Analyses a composer line.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let parsed = argv::parse(inv.args(), &Spec::new(Style::Gnu, VALUES));
    if parsed.has(&["--no-scripts", "-l", "--list", "-h", "--help"]) {
        return;
    }
    let Some(dir) = work_dir(a, parsed.value(&["-d", "--working-dir"])) else { return };
    let path = dir.join("composer.json");
    if std::fs::symlink_metadata(&path).is_err() {
        return;
    }
    let ops = &parsed.operands;
    let autoload = ["pre-autoload-dump", "post-autoload-dump"];
    let (names, args): (Vec<String>, &[Word]) = match ops.first().map(|w| w.text.as_str()) {
        Some("run-script" | "run") => match ops.get(1) {
            Some(n) if !n.dynamic => (vec![n.text.clone()], ops.get(2..).unwrap_or_default()),
            _ => return,
        },
        Some("install" | "i") => {
            (["pre-install-cmd", "post-install-cmd"].iter().chain(&autoload).map(|s| s.to_string()).collect(), &[])
        }
        Some("update" | "u" | "upgrade") => {
            (["pre-update-cmd", "post-update-cmd"].iter().chain(&autoload).map(|s| s.to_string()).collect(), &[])
        }
        Some("dump-autoload" | "dumpautoload") => (autoload.iter().map(|s| s.to_string()).collect(), &[]),
        Some(n) => (vec![n.to_string()], ops.get(1..).unwrap_or_default()),
        None => return,
    };
    let Some(text) = read_project_file(a, &path, inv.span()) else { return };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return };
    let Some(scripts) = json.get("scripts").and_then(|s| s.as_object()) else { return };
    let mut steps = 0;
    let mut queue: Vec<(String, bool)> = names.into_iter().map(|n| (n, true)).collect();
    queue.reverse();
    while let Some((name, top)) = queue.pop() {
        steps += 1;
        if steps > MAX_STEPS {
            break;
        }
        let items: Vec<&str> = match scripts.get(&name) {
            Some(serde_json::Value::String(s)) => vec![s.as_str()],
            Some(serde_json::Value::Array(v)) => v.iter().filter_map(|x| x.as_str()).collect(),
            _ => continue,
        };
        let extra = if top && !args.is_empty() { format!(" {}", quoted_args(args)) } else { String::new() };
        let mut nested = vec![];
        for item in items {
            let item = item.trim();
            if let Some(rest) = item.strip_prefix("@php ") {
                run_text(a, &format!("php {rest}{extra}"), &dir, inv.span(), depth);
            } else if let Some(rest) = item.strip_prefix("@composer ") {
                run_text(a, &format!("composer {rest}{extra}"), &dir, inv.span(), depth);
            } else if item.starts_with("@putenv ") {
            } else if let Some(other) = item.strip_prefix('@') {
                nested.push((other.split_whitespace().next().unwrap_or_default().to_string(), false));
            } else if let Some(method) = php_callback(item) {
                if let Some(hit) = crate::verbs::classify(&[method], &[]) {
                    a.push(
                        Fact::new("exec.destructive_verb", format!("composer script {name}: PHP callback {item}"), inv.span())
                            .with("program", "composer")
                            .with("words", vec![item.to_string()])
                            .with("verbs", hit.verbs)
                            .with("widening", Vec::<String>::new())
                            .with("place", "callback"),
                    );
                }
            } else {
                run_text(a, &format!("{item}{extra}"), &dir, inv.span(), depth);
            }
        }
        queue.extend(nested.into_iter().rev());
    }
}

/// The method name of a PHP callback script item (`Vendor\Class::method`), if it is one.
fn php_callback(item: &str) -> Option<&str> {
    let (class, method) = item.split_once("::")?;
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '\\');
    (ident(class) && ident(method)).then_some(method)
}
