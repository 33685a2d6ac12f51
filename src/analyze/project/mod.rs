//! Project-defined commands run by name, analysed as what they run: `npm run X` and the other
//! package managers' scripts ([`npm`]: npm, pnpm, yarn, bun), `make X` ([`make`]), `just X`
//! ([`just`]), `task X` ([`task`]), `composer run X` ([`composer`]), and git aliases from git's
//! configuration files or defined earlier in the same script ([`gitalias`]).
//!
//! Each runner finds its project file the way the tool does (the directory the analysis is in,
//! or the one a literal `cd` moved to, or `--prefix`/`-C`/`--cwd`/`--dir`; upward where the
//! tool searches upward), reads the text of the script, recipe or task named, and analyses it
//! as shell text nested one level deeper ([`run_text`]: the same pipeline as `bash -c`, bounded
//! by [`super::MAX_NESTING`]), with relative paths relative to the project directory.
//!
//! Project files are written by the agent being guarded; reading them can only add facts, never
//! remove one. What is decided here:
//! - no project file, or no such script: the tool fails or does nothing of the project's, so
//!   there are no facts (`npm test` with no `package.json` is harmless);
//! - a project file that exists but cannot be read (permissions, a directory, over
//!   [`super::MAX_FILE_BYTES`]): `exec.unknown` (`reason = "unreadable_file"`, rule
//!   `exec.unreadable`: ask), since what runs cannot be seen;
//! - a file that does not parse (invalid JSON or YAML): the tool refuses it too, no facts;
//! - a directory or file named by a word known only at run time: no facts (not read).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

pub mod composer;
pub mod gitalias;
pub mod just;
pub mod make;
pub mod npm;
pub mod task;

use super::{expand_home, Analyzer, Invocation};
use crate::fact::Span;
use crate::shell::{SpanMap, Word};
use std::path::{Path, PathBuf};

/// The runners this module analyses (base names as bash looks them up).
pub const PROGRAMS: &[&str] = &["npm", "pnpm", "yarn", "bun", "make", "gmake", "just", "task", "go-task", "composer"];

/// How many scripts, recipes or tasks one runner invocation expands at most (prerequisites,
/// dependencies, `@other` references); past it the rest is not read.
pub const MAX_STEPS: usize = 256;

/// Analyses one runner invocation (`inv.name` is one of [`PROGRAMS`]).
pub fn analyze(a: &mut Analyzer, inv: &Invocation, depth: usize) {
    match inv.name.as_str() {
        "npm" | "pnpm" | "yarn" | "bun" => npm::analyze(a, inv, depth),
        "make" | "gmake" => make::analyze(a, inv, depth),
        "just" => just::analyze(a, inv, depth),
        "task" | "go-task" => task::analyze(a, inv, depth),
        "composer" => composer::analyze(a, inv, depth),
        _ => {}
    }
}

/// The directory the command runs in: where a literal `cd` earlier in the script moved, or the
/// directory the analysis is for; joined with `dir` (a `--prefix`/`-C` value) when given.
/// `None` when `dir` is known only at run time.
pub fn work_dir(a: &Analyzer, dir: Option<&Word>) -> Option<PathBuf> {
    let base = match a.cd() {
        Some(c) => {
            let p = expand_home(c);
            if p.is_absolute() { p } else { a.base_dir.join(p) }
        }
        None => a.base_dir.clone(),
    };
    match dir {
        None => Some(base),
        Some(w) if w.dynamic => None,
        Some(w) => Some(base.join(expand_home(&w.text))),
    }
}

/// The first of `names` found in `dir`, or (when `upward`) in its nearest ancestor that has one.
pub fn find_file(dir: &Path, names: &[&str], upward: bool) -> Option<PathBuf> {
    // Resolved first: the lexical parent of `app/..` would be `app`.
    let dir = std::fs::canonicalize(dir).ok()?;
    let mut dirs = dir.ancestors();
    let mut next = dirs.next();
    while let Some(d) = next {
        if let Some(p) = names.iter().map(|n| d.join(n)).find(|p| std::fs::symlink_metadata(p).is_ok()) {
            return Some(p);
        }
        next = if upward { dirs.next() } else { None };
    }
    None
}

/// The project file a runner reads (`make -f`, `just --justfile`, `task --taskfile`), found and
/// read: the file named by `file` (relative to `dir`), else the first of `names` in `dir` (and,
/// when `upward`, in its nearest ancestor that has one). Returns the directory the runner runs
/// its recipes in (the file's) and the file's text; `None` when the file is named only at run
/// time, does not exist, or cannot be read (then an `exec.unknown` fact at `span`, see
/// [`read_project_file`]).
pub fn load_project_file(
    a: &mut Analyzer,
    dir: PathBuf,
    file: Option<&Word>,
    names: &[&str],
    upward: bool,
    span: Span,
) -> Option<(PathBuf, String)> {
    let path = match file {
        Some(f) if f.dynamic => return None,
        Some(f) => dir.join(expand_home(&f.text)),
        None => find_file(&dir, names, upward)?,
    };
    std::fs::symlink_metadata(&path).ok()?;
    let text = read_project_file(a, &path, span)?;
    Some((path.parent().map(Path::to_path_buf).unwrap_or(dir), text))
}

/// Reads a project file that exists (see the module documentation for what is decided); the
/// failure is an `exec.unknown` fact at `span`.
pub fn read_project_file(a: &mut Analyzer, path: &Path, span: Span) -> Option<String> {
    a.read_file(&path.display().to_string(), span)
}

/// Analyses `text`, the shell code a runner runs for the project in `dir`, at nesting
/// `depth + 1`; facts found in it point at `span` (the invocation). Relative paths in it are
/// relative to `dir`, as the runner runs it there.
pub fn run_text(a: &mut Analyzer, text: &str, dir: &Path, span: Span, depth: usize) {
    let saved = a.cd.replace(dir.display().to_string());
    a.shell_text(text, SpanMap::nested(None, span), depth + 1);
    a.cd = saved;
}

/// `words` as shell text, each quoted unless it holds an expansion to keep (`$X`): appended
/// to a script the way npm, yarn and composer pass extra arguments.
pub fn quoted_args(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| if w.dynamic { w.text.clone() } else { shlex::try_quote(&w.text).map(|c| c.into_owned()).unwrap_or_default() })
        .collect::<Vec<_>>()
        .join(" ")
}
