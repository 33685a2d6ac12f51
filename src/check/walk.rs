//! The inputs of `guard check`: the `-c` line, standard input, files named on the command line,
//! and the files under directories, walked with the `ignore` crate (`.gitignore`, `.ignore`,
//! git's exclude files; hidden files and directories skipped except `.github` and
//! `.gitlab-ci.yml`), in a stable order (sorted by name).

use ignore::WalkBuilder;
use std::path::{Path, PathBuf};

/// One input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The `-c` line.
    Command(String),
    /// Standard input (`-`).
    Stdin,
    /// A file; `named` when given on the command line rather than found in a directory.
    File {
        /// The path as given or found.
        path: PathBuf,
        /// Named on the command line.
        named: bool,
    },
}

/// Hidden names a walk still enters: CI definitions live there.
const HIDDEN_KEPT: &[&str] = &[".github", ".gitlab-ci.yml", ".gitlab"];

/// Expands `paths` (files, directories, `-`) into targets, each directory's files sorted by
/// name. Errors of the walk (an unreadable directory) are returned beside the targets, as
/// `path: error` texts.
pub fn targets(command: Option<&str>, paths: &[PathBuf]) -> (Vec<Target>, Vec<String>) {
    let mut out = vec![];
    let mut errors = vec![];
    if let Some(c) = command {
        out.push(Target::Command(c.to_string()));
    }
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Target::Stdin);
        } else if p.is_dir() {
            walk(p, &mut out, &mut errors);
        } else {
            out.push(Target::File { path: p.clone(), named: true });
        }
    }
    (out, errors)
}

fn walk(dir: &Path, out: &mut Vec<Target>, errors: &mut Vec<String>) {
    let walker = WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !name.starts_with('.') || HIDDEN_KEPT.contains(&name.as_ref())
        })
        .build();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                let path = e.path().strip_prefix("./").map_or_else(|_| e.path().to_path_buf(), Path::to_path_buf);
                out.push(Target::File { path, named: false });
            }
            Ok(_) => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
}
