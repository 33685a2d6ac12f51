//! What a file holds, from its name and its first line: a shell script, SQL, or a container
//! of shell (a CI workflow, a Makefile, a Dockerfile, package.json, a compose file, a
//! Kubernetes manifest).

use std::path::Path;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// A bash or POSIX sh script.
    Shell,
    /// SQL (`.sql`).
    Sql,
    /// A GitHub Actions workflow (`.github/workflows/*.yml`) or action (`action.yml`).
    Workflow,
    /// GitLab CI (`.gitlab-ci.yml`).
    GitLab,
    /// A Makefile.
    Makefile,
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// An npm `package.json`.
    PackageJson,
    /// A docker-compose file.
    Compose,
    /// Any other JSON file: data, no shell guard knows of.
    Json,
    /// Any other YAML: which of workflow, GitLab CI, compose or Kubernetes it is is read from
    /// its keys.
    Yaml,
}

/// Interpreters whose scripts guard reads as shell (bash's grammar covers POSIX sh): the first
/// word of a shebang, or of `env`'s arguments.
pub const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "ksh", "mksh", "busybox"];

/// True if `word` (a path or a name) names one of [`SHELLS`].
pub fn is_shell(word: &str) -> bool {
    let name = word.rsplit('/').next().unwrap_or(word);
    SHELLS.contains(&name)
}

/// The language `path`'s name says, if any.
pub fn by_name(path: &Path) -> Option<Lang> {
    let name = path.file_name()?.to_str()?;
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    let parent = path.parent().and_then(|p| p.file_name()).and_then(|p| p.to_str());
    let grandparent = path.parent().and_then(Path::parent).and_then(|p| p.file_name()).and_then(|p| p.to_str());
    let yaml = matches!(ext, Some("yml" | "yaml"));
    Some(match () {
        _ if matches!(ext, Some("sh" | "bash" | "dash" | "ksh")) => Lang::Shell,
        _ if ext == Some("sql") => Lang::Sql,
        _ if yaml && parent == Some("workflows") && grandparent == Some(".github") => Lang::Workflow,
        _ if yaml && lower.starts_with("action.") => Lang::Workflow,
        _ if yaml && (lower == ".gitlab-ci.yml" || lower.ends_with(".gitlab-ci.yml")) => Lang::GitLab,
        _ if yaml && (lower.starts_with("docker-compose") || lower.starts_with("compose.") || lower.starts_with("compose-")) => {
            Lang::Compose
        }
        _ if yaml => Lang::Yaml,
        _ if matches!(lower.as_str(), "makefile" | "gnumakefile") || matches!(ext, Some("mk" | "make")) => Lang::Makefile,
        _ if lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
            || lower.starts_with("containerfile.")
            || ext == Some("dockerfile") =>
        {
            Lang::Dockerfile
        }
        _ if lower == "package.json" => Lang::PackageJson,
        _ if ext == Some("json") => Lang::Json,
        _ => return None,
    })
}

/// What a file's first line says: `Some(true)` for a shell shebang (`#!/bin/sh`,
/// `#!/usr/bin/env bash`, `#!/usr/bin/env -S bash -e`), `Some(false)` for another
/// interpreter's, `None` without a shebang.
pub fn shebang_is_shell(head: &[u8]) -> Option<bool> {
    let rest = head.strip_prefix(b"#!")?;
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut words = line.split_whitespace();
    let first = words.next()?;
    let interpreter = if first.rsplit('/').next() == Some("env") {
        words.find(|w| !w.starts_with('-') && !w.contains('='))?
    } else {
        first
    };
    Some(is_shell(interpreter))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_shebangs() {
        let l = |p: &str| by_name(Path::new(p));
        assert_eq!(l("a/b.sh"), Some(Lang::Shell));
        assert_eq!(l("m/001.sql"), Some(Lang::Sql));
        assert_eq!(l(".github/workflows/ci.yml"), Some(Lang::Workflow));
        assert_eq!(l("x/action.yaml"), Some(Lang::Workflow));
        assert_eq!(l(".gitlab-ci.yml"), Some(Lang::GitLab));
        assert_eq!(l("docker-compose.prod.yml"), Some(Lang::Compose));
        assert_eq!(l("k8s/job.yaml"), Some(Lang::Yaml));
        assert_eq!(l("GNUmakefile"), Some(Lang::Makefile));
        assert_eq!(l("rules.mk"), Some(Lang::Makefile));
        assert_eq!(l("Dockerfile.dev"), Some(Lang::Dockerfile));
        assert_eq!(l("app.Dockerfile"), Some(Lang::Dockerfile));
        assert_eq!(l("web/package.json"), Some(Lang::PackageJson));
        assert_eq!(l("tsconfig.json"), Some(Lang::Json));
        assert_eq!(l("README"), None);
        assert_eq!(shebang_is_shell(b"#!/bin/sh -e\nx"), Some(true));
        assert_eq!(shebang_is_shell(b"#!/usr/bin/env -S bash -x\n"), Some(true));
        assert_eq!(shebang_is_shell(b"#!/usr/bin/python3\n"), Some(false));
        assert_eq!(shebang_is_shell(b"echo\n"), None);
    }
}
