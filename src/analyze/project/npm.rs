//! `package.json` scripts run by npm, pnpm, yarn and bun.
//!
//! - `npm run X` / `run-script` / `rum` / `urn`, `pnpm run X`, `yarn run X`, `bun run X`: the
//!   script `X` with its `preX` and `postX` scripts (npm-run-script(1): "pre and post scripts
//!   ... are run"; yarn 2+ and pnpm 7+ skip them by default, which only makes this stricter),
//!   with the arguments after `X` appended, as npm passes them.
//! - `pnpm X`, `yarn X`, `bun X` where `X` is a script of `package.json` (their shorthand).
//! - lifecycle commands (npm-scripts(7) "Life Cycle Operation Order"): `test` (`t`, `tst`),
//!   `start`, `stop`, `restart`, and `install` (`i`, `ci`, or bare `yarn`/`pnpm install` with
//!   no package named): `preinstall`, `install`, `postinstall`, `prepublish`, `preprepare`,
//!   `prepare`, `postprepare`.
//! - `npm exec`/`x`, `pnpm exec`/`dlx`, `yarn exec`/`dlx`, `bun x`: the rest is the command run.
//!
//! `package.json` is found from the working directory upward (npm's local prefix, yarn's and
//! pnpm's project root), or from `--prefix DIR` (npm), `-C`/`--dir DIR` (pnpm), `--cwd DIR`
//! (yarn, bun). Workspaces (`-w`, `--filter`) are not followed.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{find_file, quoted_args, read_project_file, run_text, work_dir};
use crate::analyze::{Analyzer, Invocation};
use crate::argv::{self, Spec, Style};
use crate::shell::Word;

/// Options of the four tools that take a value (npm-config(7), pnpm and yarn CLI references,
/// `bun --help`); a union, so a value is never read as a script name.
const VALUES: &[&str] = &[
    "--prefix", "-C", "--dir", "--cwd", "-w", "--workspace", "--filter", "-F", "--script-shell", "--registry",
    "--loglevel", "--reporter", "--userconfig", "--cache", "--tag", "--otp", "-p", "--package", "-c", "--call",
];

/// The directory options of each tool.
const DIR_OPTIONS: &[&str] = &["--prefix", "-C", "--dir", "--cwd"];

/// The lifecycle scripts `npm install` runs for the root package, in order (npm-scripts(7)).
const INSTALL: &[&str] = &["preinstall", "install", "postinstall", "prepublish", "preprepare", "prepare", "postprepare"];

/// The program an npm package spec runs, for a spec with a version or tag: `prisma@5` and
/// `prisma@latest` run `prisma`, `@scope/name@1.2` runs `name` (npm-package-arg: `name@version`,
/// `@scope/name@version`; npx runs the package's bin, which is by convention its unscoped
/// name). `None` for a plain name (it is the program already), a path or a URL.
pub fn package_bin(spec: &str) -> Option<String> {
    if spec.contains("://") || spec.starts_with(['.', '/', '~', '$']) {
        return None;
    }
    let (scoped, rest) = match spec.strip_prefix('@') {
        Some(r) => (true, r.split_once('/').map(|(_, n)| n)?),
        None => (false, spec),
    };
    let name = match rest.split_once('@') {
        Some((n, _)) => n,
        None if scoped => rest,
        None => return None,
    };
    (!name.is_empty() && !name.contains(['/', ':'])).then(|| name.to_string())
}

/// Analyses an npm, pnpm, yarn or bun line.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    let spec = Spec::new(Style::Gnu, VALUES);
    let parsed = argv::parse(inv.args(), &spec);
    let ops = &parsed.operands;
    let tool = inv.name.as_str();
    let first = ops.first().map(|w| w.text.as_str());
    // `npm exec -- CMD`, `pnpm dlx CMD`, `bun x CMD`: a package binary runs.
    if let Some("exec" | "x" | "dlx") = first {
        // The command is every word from the first operand after the subcommand on, its
        // options included (`pnpm dlx prisma migrate reset --force`).
        let at = ops.first().and_then(|f| inv.args().iter().position(|w| w.span == f.span)).map_or(0, |i| i + 1);
        let after = inv.args().get(at..).unwrap_or_default();
        let mut rest = argv::parse(after, &Spec::new(Style::Posix, VALUES)).operands;
        if let Some(w) = rest.first_mut()
            && let Some(bin) = package_bin(&w.text)
        {
            w.text = bin;
        }
        if !rest.is_empty() {
            run_text(a, &quoted_args(&rest), &work_dir(a, None).unwrap_or_default(), inv.span(), depth);
        }
        return;
    }
    let Some(dir) = work_dir(a, parsed.value(DIR_OPTIONS)) else { return };
    let Some(path) = find_file(&dir, &["package.json"], true) else { return };
    let run = matches!(first, Some("run" | "run-script" | "rum" | "urn"));
    let (scripts, args): (Vec<String>, &[Word]) = match first {
        _ if run => match ops.get(1) {
            Some(name) if !name.dynamic => (around(&name.text), ops.get(2..).unwrap_or_default()),
            _ => return,
        },
        Some("test" | "t" | "tst") => (around("test"), ops.get(1..).unwrap_or_default()),
        Some(s @ ("start" | "stop" | "restart")) => (around(s), ops.get(1..).unwrap_or_default()),
        Some("install" | "i" | "ci" | "add") if ops.len() == 1 || tool == "npm" && first == Some("ci") => {
            (INSTALL.iter().map(|s| s.to_string()).collect(), &[])
        }
        // A bare `yarn` installs.
        None if tool == "yarn" => (INSTALL.iter().map(|s| s.to_string()).collect(), &[]),
        Some(name) if tool != "npm" => (around(name), ops.get(1..).unwrap_or_default()),
        _ => return,
    };
    let Some(text) = read_project_file(a, &path, inv.span()) else { return };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else { return };
    let Some(table) = json.get("scripts").and_then(|s| s.as_object()) else { return };
    let project = path.parent().map(|p| p.to_path_buf()).unwrap_or(dir);
    // The arguments go to the script named (the middle of `preX X postX`), not its neighbours.
    let main = if args.is_empty() { None } else { scripts.get(1).cloned() };
    for name in scripts.iter().take(super::MAX_STEPS) {
        let Some(body) = table.get(name).and_then(|v| v.as_str()) else { continue };
        let extra = if Some(name) == main.as_ref() { format!(" {}", quoted_args(args)) } else { String::new() };
        run_text(a, &format!("{body}{extra}"), &project, inv.span(), depth);
    }
}

/// `preX`, `X`, `postX`.
fn around(name: &str) -> Vec<String> {
    vec![format!("pre{name}"), name.to_string(), format!("post{name}")]
}

#[cfg(test)]
mod tests {
    use super::package_bin;

    #[test]
    fn package_specs() {
        for (spec, bin) in [("prisma@5", Some("prisma")), ("prisma@latest", Some("prisma")), ("@prisma/cli@5.1.0", Some("cli")),
            ("@scope/tool", Some("tool")), ("prisma", None), ("./bin/x@1", None), ("https://x/y@1", None), ("@", None), ("@x", None)] {
            assert_eq!(package_bin(spec).as_deref(), bin, "{spec}");
        }
    }
}
