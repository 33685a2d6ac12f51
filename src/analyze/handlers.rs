//! Semantics of catalog subcommand paths that options and operands cannot express: a path
//! whose entry names `handler = "NAME"` is handed here with its parsed command line, and the
//! handler makes the facts (see `docs/catalog.md`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{datastore, fs, git, k8s, Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::fact::Fact;

/// Analyses the commands a matched path runs itself ([`crate::catalog::PathRun`]): the
/// values of its script options and, per `rest`, its operands as a shell script or an argv
/// (joined with quoting and parsed as bash).
pub fn path_runs(a: &mut Analyzer, inv: &Invocation, m: &PathMatch, depth: usize) {
    let Some(run) = &m.path.run else { return };
    let what = format!("{} {}", inv.name, m.words.join(" "));
    let opts: Vec<&str> = run.options.iter().map(String::as_str).collect();
    for v in m.parsed.values(&opts) {
        a.shell_word(v, &what, depth);
    }
    // The words after the path as written (options the program's spec would read, `-rf` of
    // `git bisect run rm -rf /`, belong to the command), after the subcommand's own leading
    // options (`git submodule foreach --recursive CMD`).
    let Some(last) = m.end.checked_sub(1).and_then(|i| m.parsed.operands.get(i)) else { return };
    let args = inv.args();
    let Some(at) = args.iter().position(|w| w.span == last.span && w.text == last.text) else { return };
    let after = args.get(at + 1..).unwrap_or_default();
    let ops = after.get(after.iter().take_while(|w| w.text.starts_with('-')).count()..).unwrap_or_default();
    if ops.is_empty() {
        return;
    }
    let dynamic = ops.iter().find(|w| w.dynamic);
    let text = match run.rest {
        None => return,
        Some(crate::catalog::Rest::Script) => ops.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" "),
        Some(_) => ops.iter().map(|w| shlex::try_quote(&w.text).map(|c| c.into_owned()).unwrap_or_default()).collect::<Vec<_>>().join(" "),
    };
    let span = crate::fact::Span::new(ops.first().map_or(0, |w| w.span.start), ops.last().map_or(0, |w| w.span.end));
    let word = crate::shell::Word { text, dynamic: dynamic.is_some(), quoted: false, span, verbatim_at: None };
    a.shell_word(&word, &what, depth);
}

/// Runs handler `name` on a matched path. A name this build does not know is a catalog
/// defect; it yields the path's generic fact, so nothing is silently lost.
pub fn run(name: &str, a: &mut Analyzer, inv: &Invocation, m: &PathMatch, depth: usize) {
    match name {
        "redis" => datastore::redis(a, inv, m),
        "mongo_js" => datastore::mongo_js(a, inv, m),
        "mysqladmin" => datastore::mysqladmin(a, inv, m),
        "restore_to_database" => datastore::restore_to_database(a, inv, m),
        "iac_destroy" => super::cloud::iac_destroy(a, inv, m),
        "aws_delete" => super::cloud::aws_delete(a, inv, m),
        "storage_rm" => super::cloud::storage_rm(a, inv, m),
        "storage_sync" => super::cloud::storage_sync(a, inv, m),
        "http_request" => super::http::request(a, inv, m),
        "k8s" => k8s::k8s(a, inv, m),
        "k8s_secret" => k8s::secret_read(a, inv, m),
        "git_push" => git::push(a, inv, m),
        "git_clean" => git::clean(a, inv, m),
        "git_branch_delete" => git::branch_delete(a, inv, m),
        "git_checkout" => git::checkout(a, inv, m),
        "git_restore" => git::restore(a, inv, m),
        "git_filter_branch" => git::filter_branch(a, inv, m, depth),
        "delete" => fs::delete(a, inv, m),
        "find_delete" => fs::find_delete(a, inv, m),
        "disk_write" => fs::disk_write(a, inv, m),
        "device_write" => fs::device_write(a, inv, m),
        "format" => fs::format(a, inv, m),
        "dd" => fs::dd(a, inv, m),
        "overwrite" => fs::overwrite(a, inv, m),
        "sync_delete" => fs::sync_delete(a, inv, m),
        "host_mount" => super::container::host_mount(a, inv, m),
        "sed_execute" => super::sed::execute(a, inv, m, depth),
        "serve_directory" => super::serve::serve_directory(a, inv, m),
        "permissions" => fs::permissions(a, inv, m),
        // Unreachable for loaded catalogs: names are checked against
        // [`crate::catalog::PATH_HANDLERS`] at load.
        _ => {
            let f: Fact = m.fact(&inv.display(), inv.span());
            a.push(f);
        }
    }
}
