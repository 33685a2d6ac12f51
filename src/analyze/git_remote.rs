//! Where a `git push` goes: a URL written on the line (`git push https://host/x.git main`) or
//! a remote added or re-pointed earlier in the same script (`git remote add NAME URL`,
//! `git remote set-url [--push|--add] NAME URL`, git-remote(1)). Either sends the repository to
//! a place the script chose itself, not to a remote configured beforehand: how code and the
//! secrets committed in it leave a machine (the issue's "git push to a remote added in the same
//! script"). The `git.push` fact gets `url` and `url_source` (`line`, `script`, or empty).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::Analyzer;
use crate::shell::Word;

/// How a URL known only at run time is remembered (then closed with `)`): it may be anywhere.
const DYNAMIC: &str = "(known at run time: ";

/// Most remotes remembered per analysis (later definitions replace earlier ones of a name).
const MAX_REMOTES: usize = 256;

/// Records a remote defined by a `git remote add|set-url` line whose operands after git's
/// global options are `ops` (`remote`, `add`, ...). Options of `remote add` taking a value
/// (`-t BRANCH`, `-m MASTER`, `--mirror=fetch|push` is attached) are skipped with it.
pub fn record(a: &mut Analyzer, ops: &[Word]) {
    let [remote, sub, rest @ ..] = ops else {
        return;
    };
    if remote.text != "remote" || !matches!(sub.text.as_str(), "add" | "set-url") {
        return;
    }
    let mut args = vec![];
    let mut it = rest.iter();
    while let Some(w) = it.next() {
        if matches!(w.text.as_str(), "-t" | "--track" | "-m" | "--master") {
            it.next();
        } else if !w.text.starts_with('-') || w.text == "-" {
            args.push(w);
        }
    }
    let (Some(name), Some(url)) = (args.first(), args.get(1)) else {
        return;
    };
    let url = if url.dynamic {
        format!("{DYNAMIC}{})", url.text)
    } else {
        url.text.clone()
    };
    a.git_remotes.retain(|(n, _)| *n != name.text);
    if a.git_remotes.len() < MAX_REMOTES {
        a.git_remotes.push((name.text.clone(), url));
    }
}

/// The URL a push to `remote` (as written; empty: git's default, `origin`) goes to, and where
/// it was named: `line` for a URL in place of a remote name, `script` for a remote added or
/// re-pointed earlier in the script to another host (or a URL known only at run time);
/// `None` for a remote configured before the script, or one on this machine's file system.
pub fn target(a: &Analyzer, remote: &str) -> Option<(String, &'static str)> {
    if is_network_url(remote) {
        return Some((remote.to_string(), "line"));
    }
    let name = if remote.is_empty() { "origin" } else { remote };
    let (_, url) = a.git_remotes.iter().rev().find(|(n, _)| n == name)?;
    (is_network_url(url) || url.starts_with(DYNAMIC)).then(|| (url.clone(), "script"))
}

/// True for a repository URL on another host (git-push(1) "GIT URLS"): `scheme://...` other
/// than `file://`, or the scp-like `[user@]host:path` (no `/` before the first `:`).
/// Local paths (`/srv/repo.git`, `../x`) are not.
pub fn is_network_url(s: &str) -> bool {
    if let Some((scheme, _)) = s.split_once("://") {
        return !scheme.is_empty() && scheme != "file";
    }
    match s.split_once(':') {
        Some((host, path)) => !host.is_empty() && !host.contains('/') && !path.is_empty(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_network_url;

    #[test]
    fn network_urls() {
        for u in [
            "https://github.com/x/y.git",
            "git@github.com:x/y.git",
            "ssh://h/x",
            "host:repo",
        ] {
            assert!(is_network_url(u), "{u}");
        }
        for u in [
            "origin",
            "file:///srv/x.git",
            "/srv/x.git",
            "../x",
            "./a:b",
            "",
        ] {
            assert!(!is_network_url(u), "{u}");
        }
    }
}
