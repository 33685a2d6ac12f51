//! Semantics of catalog subcommand paths that options and operands cannot express: a path
//! whose entry names `handler = "NAME"` is handed here with its parsed command line, and the
//! handler makes the facts (see `docs/catalog.md`).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{datastore, fs, git, k8s, Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::fact::Fact;

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
        "permissions" => fs::permissions(a, inv, m),
        // Unreachable for loaded catalogs: names are checked against
        // [`crate::catalog::PATH_HANDLERS`] at load.
        _ => {
            let f: Fact = m.fact(&inv.display(), inv.span());
            a.push(f);
        }
    }
}
