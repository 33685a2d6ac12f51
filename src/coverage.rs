//! The coverage table: what the built-in command catalog knows, generated from it, so the
//! documentation cannot drift. `docs/coverage.md` is [`markdown`] and the README's summary
//! between `<!-- coverage:begin -->` and `<!-- coverage:end -->` is [`summary`]; the test suite
//! fails when either is stale (`GUARD_BLESS=1 cargo test --test coverage` rewrites them).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::catalog::{Catalog, Program};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Counts over a catalog: entries (CLIs), program names, subcommand paths, examples.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Catalog entries (one per CLI or family of names).
    pub entries: usize,
    /// Program names (`kubectl`, `oc`, ...).
    pub names: usize,
    /// Subcommand paths that produce facts.
    pub paths: usize,
    /// `block` and `allow` examples.
    pub examples: usize,
}

/// The counts of `programs`.
pub fn counts(programs: &[Program]) -> Counts {
    Counts {
        entries: programs.len(),
        names: programs.iter().map(|p| p.names.len()).sum(),
        paths: programs.iter().map(|p| p.commands.len()).sum(),
        examples: programs.iter().map(|p| p.examples.block.len() + p.examples.allow.len()).sum(),
    }
}

/// The built-in entries grouped by catalog file (`fs.toml`), in file order.
fn by_file(catalog: &Catalog) -> BTreeMap<String, Vec<&Program>> {
    let mut out: BTreeMap<String, Vec<&Program>> = BTreeMap::new();
    for p in catalog.programs() {
        let file = p.origin.strip_prefix("builtin:").unwrap_or(&p.origin).to_string();
        out.entry(file).or_default().push(p);
    }
    out
}

/// What the entries of one file make: the fact kinds of their paths, and the semantics their
/// blocks hand to Rust (SQL, sends, printed secrets, inline code, wrapped commands, decoders).
fn yields(programs: &[&Program]) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let mut add = |s: &str| {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_string());
        }
    };
    for p in programs {
        for c in &p.commands {
            add(&format!("`{}`", c.fact));
        }
        if p.sql.is_some() {
            add("SQL (`sql.*`)");
        }
        if p.send.is_some() {
            add("`net.send`");
        }
        if !p.prints.is_empty() {
            add("`data.source`");
        }
        if !p.code.is_empty() {
            add("inline code (`code.inline`)");
        }
        if p.wrapper.is_some() {
            add("the command it runs");
        }
        if p.decodes.is_some() {
            add("`exec.obfuscated` when run");
        }
    }
    out
}

/// Escapes a command line for a Markdown table cell.
fn cell(line: &str) -> String {
    let one = line.replace('\n', "⏎").replace('|', "\\|");
    format!("`{}`", one.replace('`', "'"))
}

/// The first `n` examples of `pick` over `programs`, one per entry first.
fn examples(programs: &[&Program], n: usize, pick: fn(&Program) -> &Vec<String>) -> String {
    let mut out = vec![];
    for round in 0..n {
        for p in programs {
            if out.len() < n
                && let Some(e) = pick(p).get(round)
            {
                out.push(cell(e));
            }
        }
    }
    out.join(", ")
}

/// `docs/coverage.md` for `catalog` (the built-in entries).
pub fn markdown(catalog: &Catalog) -> String {
    let all = counts(catalog.programs());
    let mut s = String::new();
    let _ = writeln!(s, "# Coverage\n");
    let _ = writeln!(
        s,
        "Generated from the built-in command catalog (`catalog/*.toml`) by `GUARD_BLESS=1 cargo test --test coverage`;\nthe test fails when this file is stale. How entries are written: [catalog.md](catalog.md); the facts: [facts.md](facts.md).\n"
    );
    let _ = writeln!(
        s,
        "**{} entries, {} program names, {} subcommand paths, {} examples** (every example runs in the test suite and in `guard rules test`).\n",
        all.entries, all.names, all.paths, all.examples
    );
    let _ = writeln!(s, "| file | programs | what guard reads as facts | refused (examples) | runs (examples) |");
    let _ = writeln!(s, "|---|---|---|---|---|");
    for (file, programs) in by_file(catalog) {
        let names: Vec<String> = programs.iter().map(|p| format!("`{}`", p.names.join("`, `"))).collect();
        let _ = writeln!(
            s,
            "| `{file}` | {} | {} | {} | {} |",
            names.join(", "),
            yields(&programs).join(", "),
            examples(&programs, 3, |p| &p.examples.block),
            examples(&programs, 3, |p| &p.examples.allow)
        );
    }
    let v = crate::verbs::get();
    let _ = writeln!(s, "\n## Beyond the catalog\n");
    let _ = writeln!(
        s,
        "- **Tools nobody listed** (`src/verbs.rs`, `verbs.toml`, rule `exec.destructive-verb`: ask): a program with no entry whose first two subcommand words hold one of {} always-destructive verbs ({}), or one of {} verbs that count only with a widening option ({} with {}), e.g. `acmectl db:drop`, `acmectl apps destroy web`, `./bin/reset-db`. Not for {} programs whose operands are not subcommands (`echo drop`, `mkdir reset`).",
        v.always.len(),
        v.always.join(", "),
        v.conditional.len(),
        v.conditional.join(", "),
        v.widening.join(" "),
        v.operand_programs.len()
    );
    let _ = writeln!(
        s,
        "- **Project commands run by name** (`src/analyze/project`): {} analyse the script, recipe or task a name stands for (`package.json` scripts, Makefile targets, justfile recipes, Taskfile tasks, composer scripts), and git aliases come from git's configuration files and earlier `git config alias.X` lines: `npm run db:reset` whose script is `prisma migrate reset --force` is decided as that.",
        crate::analyze::project::PROGRAMS.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
    );
    s
}

/// The README's short coverage summary for `catalog` (between the coverage markers).
pub fn summary(catalog: &Catalog) -> String {
    let all = counts(catalog.programs());
    let files = by_file(catalog);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "The built-in catalog holds **{} entries ({} program names) in {} files, with {} subcommand paths and {} examples**; tools it does not name are still read for destructive verbs, and project scripts (`npm run`, `make`, `just`, `task`, `composer`, git aliases) as what they run. Per file, with examples: [docs/coverage.md](docs/coverage.md).\n",
        all.entries,
        all.names,
        files.len(),
        all.paths,
        all.examples
    );
    let _ = writeln!(s, "| catalog file | entries | programs (first few) |");
    let _ = writeln!(s, "|---|---|---|");
    for (file, programs) in &files {
        let names: Vec<&str> = programs.iter().flat_map(|p| p.names.iter().map(String::as_str)).take(6).collect();
        let _ = writeln!(s, "| `{file}` | {} | {} |", programs.len(), names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "));
    }
    s
}
