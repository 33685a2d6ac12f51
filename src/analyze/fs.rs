//! Files and disks: `rm`, `rmdir`, `unlink`, `find -delete`, `shred`, `dd`, `mkfs*`, `wipefs`,
//! `sgdisk`, `sfdisk`, `fdisk`, `parted`, `blkdiscard`, `chmod`, `chown`, `chgrp`.
//!
//! Which programs these are and how their options read (`-r` recursive, `wipefs -a` writes,
//! `wipefs -n` does not) is catalog data (`catalog/fs.toml`); the path handlers here
//! ([`delete`], [`disk_write`], [`format()`], [`dd`], [`permissions`], [`find_delete`], called by
//! `analyze::handlers`) add the semantics: the class of each target path, brace expansion and an
//! earlier `cd`, block devices, chmod modes, dd's `of=` operand and find's expression.
//!
//! Facts:
//! - `fs.delete`: `recursive`, `force`, `targets` (array), `classes` (array of
//!   [`PathClass`] names: `root`, `home`, `system`, `dynamic`, `other`), `program`.
//! - `fs.wipe`: a file system or raw data written over a block device or image (`dd of=/dev/sda`,
//!   `mkfs*`, `mke2fs`, `mkswap`, `wipefs -a`, `sgdisk --zap-all`, `sfdisk`, `fdisk`, `parted
//!   mklabel`, `blkdiscard`, `shred /dev/sda`): `program`, `device`, `is_device`, `dynamic`.
//!   Listing and printing (`wipefs /dev/sda`, `fdisk -l`, `sgdisk -p`) are not wipes.
//! - `fs.permissions`: `chmod`/`chown`/`chgrp`: `program`, `recursive`, `mode`, `world_writable`,
//!   `targets`, `classes` (as for `fs.delete`).
//!
//! Every attribute is declared in `facts.toml`.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::fact::Fact;
use crate::shell::Word;

/// System directories whose recursive deletion breaks the machine (Filesystem Hierarchy
/// Standard 3.0, §3).
pub const SYSTEM_DIRS: &[&str] = &[
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt",
    "/opt", "/proc", "/root", "/run", "/sbin", "/snap", "/srv", "/sys", "/usr", "/var", "/usr/bin",
    "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var/lib", "/var/log", "/etc/ssl", "/Users",
    "/System", "/Library", "/Applications",
];

/// Files without which the system does not boot or nobody can log in (passwd(5), shadow(5),
/// group(5), sudoers(5), fstab(5), the boot loader configuration).
pub const CRITICAL_FILES: &[&str] = &[
    "/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers", "/etc/fstab",
    "/etc/pam.d", "/etc/ssh/sshd_config", "/etc/hosts", "/etc/resolv.conf", "/boot/grub/grub.cfg", "/vmlinuz",
    "/initrd.img",
];

/// System directories whose direct subdirectories hold configuration, programs or state
/// (FHS 3.0: /etc "host-specific system configuration", /var/lib "variable state information",
/// /usr/lib, /boot). Logs, caches, spools and /opt, /srv deployments are not in the list.
pub const STATE_DIRS: &[&str] = &[
    "/etc", "/boot", "/bin", "/sbin", "/lib", "/lib64", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/lib64",
    "/usr/libexec", "/usr/share", "/usr/include", "/var/lib",
];

/// Data directories of services (and everything under them): deleting or overwriting them
/// loses a database, the container store or the cluster state, whatever the file. Sources: the
/// Debian/Ubuntu packages' default data directories (postgresql-common `/var/lib/postgresql`,
/// mysql-server and mariadb-server `/var/lib/mysql`, docker.io `/var/lib/docker`, etcd
/// `/var/lib/etcd`, redis-server `/var/lib/redis`, mongodb `/var/lib/mongodb`, RHEL's
/// `/var/lib/pgsql`), kubeadm (`/var/lib/kubelet`, `/etc/kubernetes`), FHS 3.0 §3.17 `/srv`
/// ("data for services provided by this system"). `/srv` itself is a system directory.
pub const SERVICE_DATA_DIRS: &[&str] = &[
    "/var/lib/postgresql", "/var/lib/pgsql", "/var/lib/mysql", "/var/lib/mariadb", "/var/lib/docker", "/var/lib/containerd",
    "/var/lib/containers", "/var/lib/etcd", "/var/lib/kubelet", "/etc/kubernetes", "/var/lib/redis", "/var/lib/valkey",
    "/var/lib/mongodb", "/var/lib/mongo", "/var/lib/cassandra", "/var/lib/elasticsearch", "/var/lib/opensearch",
    "/var/lib/clickhouse", "/var/lib/influxdb", "/var/lib/rabbitmq", "/var/lib/kafka", "/var/lib/zookeeper",
    "/var/lib/prometheus", "/var/lib/grafana", "/var/lib/minio", "/var/lib/couchdb", "/var/lib/neo4j", "/var/lib/mssql",
    "/var/opt/mssql", "/var/lib/rancher", "/var/lib/longhorn", "/var/lib/libvirt", "/var/lib/lxd", "/var/lib/ceph",
    "/var/vmail", "/var/mail", "/data/db", "/srv",
];

/// Home-relative files and directories (and everything under them) that hold keys,
/// credentials or password stores: ssh(1) `~/.ssh`, gpg(1) `~/.gnupg`, the AWS, Kubernetes,
/// gcloud, Azure, Docker, GitHub CLI and Terraform CLI configuration, pass(1)
/// `~/.password-store`, netrc(5), PostgreSQL's `~/.pgpass`, git-credential-store(1).
pub const CREDENTIAL_PATHS: &[&str] = &[
    ".ssh", ".gnupg", ".aws", ".kube", ".config/gcloud", ".azure", ".docker", ".password-store", ".netrc", ".pgpass",
    ".git-credentials", ".config/gh", ".terraform.d", ".vault-token", ".npmrc", ".pypirc", ".config/rclone",
    ".local/share/keyrings", ".mozilla", ".config/google-chrome", ".oci", ".config/doctl", ".fly", ".config/op",
    ".kube/config", ".my.cnf", ".s3cfg", ".boto", ".config/hub", ".cargo/credentials.toml", ".cargo/credentials",
];

/// Paths under [`CREDENTIAL_PATHS`] that hold no secret and are routinely reset
/// (`rm ~/.ssh/known_hosts` after a host key change, kubectl's discovery caches).
const CREDENTIAL_EXCEPTIONS: &[&str] = &[".ssh/known_hosts", ".ssh/known_hosts.old", ".kube/cache", ".kube/http-cache", ".docker/buildx"];

/// Variables that hold a directory guaranteed non-empty in practice, so `$HOME/x` or
/// `"$TMPDIR/x"` is a normal path rather than a possibly-empty one.
const KNOWN_DIR_VARS: &[&str] = &["HOME", "TMPDIR", "PWD", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "CARGO_TARGET_DIR", "RUNNER_TEMP", "GITHUB_WORKSPACE"];

/// What kind of location a path names, as far as deleting it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathClass {
    /// `/` or everything in it (`/*`).
    Root,
    /// The home directory or everything in it (`~`, `$HOME`, `~/*`, `/home/*`).
    Home,
    /// A system directory or everything in it (`/etc`, `/usr/*`).
    System,
    /// A file the system cannot boot or log in without (`/etc/passwd`, `/etc/sudoers`, ...).
    Critical,
    /// A directory directly inside a system directory that holds configuration, programs or
    /// state (`/etc/nginx`, `/var/lib/postgresql`, `/usr/lib/x86_64-linux-gnu`).
    SystemSubdir,
    /// A service's data directory or anything in it (`/var/lib/postgresql/16/main`,
    /// `/var/lib/docker`, `/srv/app`): [`SERVICE_DATA_DIRS`].
    ServiceData,
    /// Keys and credentials in a home directory (`~/.ssh`, `~/.aws/credentials`):
    /// [`CREDENTIAL_PATHS`].
    Credentials,
    /// The path starts with an expansion that may be empty or unknown (`"$DIR"/*`).
    Dynamic,
    /// Anything else (`./build`, `/tmp/x`, `~/project/target`).
    Other,
}

impl PathClass {
    /// The name used in facts.
    pub fn name(self) -> &'static str {
        match self {
            PathClass::Root => "root",
            PathClass::Home => "home",
            PathClass::System => "system",
            PathClass::Critical => "critical",
            PathClass::SystemSubdir => "system_subdir",
            PathClass::ServiceData => "service_data",
            PathClass::Credentials => "credentials",
            PathClass::Dynamic => "dynamic",
            PathClass::Other => "other",
        }
    }
}

/// Lexically normalises an absolute or home-relative path: collapses `//`, `/./`, resolves
/// `..` and drops a trailing `/` or `/.` (the result for `/` is `/`).
pub fn normalize(path: &str) -> String {
    let (prefix, rest) = if let Some(r) = path.strip_prefix('/') { ("/", r) } else { ("", path) };
    let mut parts: Vec<&str> = vec![];
    for p in rest.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() && prefix.is_empty() {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if prefix.is_empty() { if joined.is_empty() { ".".into() } else { joined } } else { format!("/{joined}") }
}

/// Classifies a path word for deletion. Dynamic words are classified by their literal shape
/// when the expansion is a well-known directory variable, otherwise as [`PathClass::Dynamic`]
/// when the expansion comes first (so an empty value would leave `/...`).
pub fn classify(w: &Word) -> PathClass {
    let mut t = w.text.trim().to_string();
    // `${HOME}` and `$HOME` are the home directory.
    for v in ["${HOME}", "$HOME"] {
        if let Some(r) = t.strip_prefix(v) {
            t = format!("~{r}");
        }
    }
    if let Some(expansion) = t.strip_prefix('$').filter(|_| w.dynamic) {
        let name: String = expansion.trim_start_matches('{').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        // `${DIR:?}` aborts when DIR is empty or unset (bash manual §3.5.3).
        let guarded = t.starts_with("${") && t.split('}').next().is_some_and(|e| e.contains(":?"));
        if KNOWN_DIR_VARS.contains(&name.as_str()) || guarded {
            return PathClass::Other;
        }
        return PathClass::Dynamic;
    }
    if t.starts_with("$(") || t.starts_with('`') || (w.dynamic && t.starts_with('<')) {
        return PathClass::Dynamic;
    }
    // `"/$X"`, `"$HOME/$X"`, `/%` filled by xargs: a literal root, home or system directory
    // with an expansion after it that may be empty (bash manual §3.5.3) is that directory when
    // it is: the same hazard as an expansion first.
    if w.dynamic && !t.starts_with('$') {
        let emptied = without_expansions(&t);
        if emptied != t {
            let literal = Word { text: emptied, dynamic: false, ..w.clone() };
            if matches!(classify(&literal), PathClass::Root | PathClass::Home | PathClass::System | PathClass::Critical) {
                return PathClass::Dynamic;
            }
        }
    }
    let home_rel = t == "~" || t.starts_with("~/");
    let mut path = if home_rel { t.replacen('~', "/__HOME__", 1) } else { t.clone() };
    // `~user` is that user's home directory, `~+`/`~-` the current/previous directory
    // (bash manual §3.5.2).
    if let Some(r) = t.strip_prefix('~').filter(|_| !home_rel && !w.quoted) {
        let (user, rest) = r.split_at(r.find('/').unwrap_or(r.len()));
        if user == "+" || user == "-" {
            return PathClass::Dynamic;
        }
        if !user.is_empty() && user.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')) {
            path = if user == "root" { format!("/root{rest}") } else { format!("/home/{user}{rest}") };
        }
    }
    if !path.starts_with('/') {
        return PathClass::Other;
    }
    let n = normalize(&path);
    let base = n.strip_suffix("/*").or_else(|| n.strip_suffix("/.*")).unwrap_or(&n);
    let base = if base.is_empty() { "/" } else { base };
    if base == "/" || n == "/*" {
        return PathClass::Root;
    }
    // A glob in the first component (`/e*`, `/???`) may match any top-level directory.
    let first = n.strip_prefix('/').unwrap_or(&n).split('/').next();
    if !w.quoted && first.is_some_and(|c| c.contains(['*', '?', '['])) {
        return PathClass::System;
    }
    if base == "/__HOME__" || base == "/home" && n.ends_with("/*") {
        return PathClass::Home;
    }
    if let Some(user) = base.strip_prefix("/home/").or_else(|| base.strip_prefix("/Users/"))
        && !user.contains('/') {
            return PathClass::Home;
        }
    if base == "/root" {
        return PathClass::Home;
    }
    if SYSTEM_DIRS.contains(&base) {
        return PathClass::System;
    }
    if let Some(c) = protected_class(base) {
        return c;
    }
    if CRITICAL_FILES.contains(&base) {
        return PathClass::Critical;
    }
    if let Some((parent, _)) = base.rsplit_once('/')
        && STATE_DIRS.contains(&parent) {
            return PathClass::SystemSubdir;
        }
    PathClass::Other
}

/// True if `rel`, a path relative to a home directory (`.aws/credentials`), is in one of its
/// credential stores ([`CREDENTIAL_PATHS`], not `CREDENTIAL_EXCEPTIONS`); a backup copy of a
/// single-file store counts too (`.kube/config.bak`, `.netrc.old`). The one table serves
/// deletes and overwrites here and secret sources in `analyze::net`.
pub fn credential_store(rel: &str) -> bool {
    let within = |p: &str| rel == p || rel.strip_prefix(p).is_some_and(|r| r.starts_with('/'));
    let backup = |p: &str| rel.strip_prefix(p).is_some_and(|r| r.starts_with('.')) && !p.ends_with(".ssh");
    !CREDENTIAL_EXCEPTIONS.iter().any(|p| within(p)) && CREDENTIAL_PATHS.iter().any(|p| within(p) || backup(p))
}

/// The class of a normalised absolute path (the home directory written `/__HOME__`) inside a
/// service data directory or a home credential store, from the tables above.
fn protected_class(base: &str) -> Option<PathClass> {
    let under = |dir: &str| base == dir || base.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
    if SERVICE_DATA_DIRS.iter().any(|d| under(d)) {
        return Some(PathClass::ServiceData);
    }
    // The path inside a home directory: `~`, `/root`, `/home/USER`, `/Users/USER`.
    let rel = base.strip_prefix("/__HOME__/").or_else(|| base.strip_prefix("/root/")).or_else(|| {
        let r = base.strip_prefix("/home/").or_else(|| base.strip_prefix("/Users/"))?;
        r.split_once('/').map(|(_, rest)| rest)
    })?;
    credential_store(rel).then_some(PathClass::Credentials)
}

/// `t` with every expansion that may be empty removed: `$NAME`, `${...}` (but not a guarded
/// `${NAME:?...}`, which aborts instead), `$(...)` and backquotes (nested parentheses counted).
fn without_expansions(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("${") {
            let (inner, tail) = after.split_once('}').unwrap_or((after, ""));
            if inner.contains(":?") {
                // Set and not empty, or the command does not run: some name.
                out.push_str("set");
            }
            rest = tail;
        } else if let Some(after) = rest.strip_prefix("$(") {
            let mut depth = 1usize;
            let end = after.char_indices().find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(i + 1)
            });
            rest = end.and_then(|e| after.get(e..)).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix('`') {
            rest = after.split_once('`').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix('$').filter(|a| a.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')) {
            rest = after.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
        } else {
            out.push(c);
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
    }
    out
}

fn sorted_classes(classes: &mut Vec<PathClass>) -> Vec<&'static str> {
    classes.sort();
    classes.dedup();
    classes.iter().map(|c| c.name()).collect()
}

/// The targets of a command line, after brace expansion and an earlier `cd`, as written and
/// as their sorted, deduplicated [`PathClass`] names.
fn targets(a: &Analyzer, words: &[Word]) -> (Vec<String>, Vec<&'static str>) {
    let targets: Vec<Word> = words.iter().flat_map(expand_braces).map(|w| in_cd(a, w)).collect();
    let mut classes: Vec<PathClass> = targets.iter().map(classify).collect();
    (targets.into_iter().map(|w| w.text).collect(), sorted_classes(&mut classes))
}

/// `fs.delete` for `rm`, `rmdir`, `unlink` and `shred -u` (the `delete` path handler): the
/// path's attributes from its options (`recursive`, `force`, `no_preserve_root`: catalog data),
/// plus the operands as `targets` and their `classes`. No fact without an operand.
pub fn delete(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    if m.operands().is_empty() {
        return;
    }
    let (names, classes) = targets(a, m.operands());
    let fact = m.fact(&inv.display(), inv.span()).with("program", inv.name.clone()).with("targets", names).with("classes", classes);
    a.push(fact);
}

/// A relative literal path joined to the directory an earlier `cd` in the script moved to
/// (`cd / && rm -rf *` deletes `/*`).
pub fn in_cd(a: &Analyzer, w: Word) -> Word {
    match a.cd() {
        Some(dir) if !w.dynamic && !w.text.starts_with('/') && !w.text.starts_with('~') => {
            Word { text: format!("{dir}/{}", w.text), ..w }
        }
        _ => w,
    }
}

/// Most words one brace expansion may produce before guard stops expanding (the rest of
/// the word is then classified as written).
const MAX_BRACE_WORDS: usize = 64;

/// Brace expansion of an unquoted word (bash manual §3.5.1), comma form only:
/// `/{etc,usr}` -> `/etc`, `/usr`; nested groups expand innermost first, which yields at
/// least every word bash would (possibly repeated). Quoted words and words without a `{a,b}` group stay as
/// they are; expansion stops at `MAX_BRACE_WORDS` words.
pub fn expand_braces(w: &Word) -> Vec<Word> {
    let mut done = vec![];
    let mut todo = vec![w.text.clone()];
    while let Some(t) = todo.pop() {
        let group = (!w.quoted && done.len() + todo.len() < MAX_BRACE_WORDS)
            .then(|| {
                // The innermost group first: the first `}` and the last `{` before it.
                // `(before, alternatives, after)`, split at the ASCII braces.
                let (head, after) = t.split_once('}')?;
                let (before, alternatives) = head.rsplit_once('{')?;
                alternatives.contains(',').then_some((before, alternatives, after))
            })
            .flatten();
        match group {
            Some((before, alternatives, after)) => {
                for alt in alternatives.split(',') {
                    todo.push(format!("{before}{alt}{after}"));
                }
            }
            None => done.push(Word { text: t, verbatim_at: None, ..w.clone() }),
        }
    }
    done.reverse();
    done
}

/// find(1)'s starting points: the words after its leading options (`-H`, `-L`, `-P`,
/// `-D DEBUGOPTS`, `-OLEVEL`, and a `--` that ends them: findutils `process_leading_options`)
/// up to the first word of the expression (one starting with `-`, `(` or `!`). find's
/// expression is not getopt options, so this is find's own grammar.
pub fn find_roots(args: &[Word]) -> &[Word] {
    let mut rest = args;
    loop {
        rest = match rest {
            [w, tail @ ..] if matches!(w.text.as_str(), "-H" | "-L" | "-P") => tail,
            [w, tail @ ..] if w.text.strip_prefix("-O").is_some_and(|l| l.chars().all(|c| c.is_ascii_digit())) => tail,
            [w, _, tail @ ..] if w.text == "-D" => tail,
            [w, tail @ ..] if w.text == "--" => {
                rest = tail;
                break;
            }
            _ => break,
        };
    }
    let n = rest.iter().take_while(|w| !w.text.starts_with('-') && w.text != "(" && w.text != "!").count();
    rest.get(..n).unwrap_or_default()
}

/// `fs.delete` for `find ... -delete` (the `find_delete` path handler on find's entry): the
/// starting points (`.` when none is given) and their classes; `filtered` when a test
/// (`-name`, `-type`, ...) narrows what is deleted.
pub fn find_delete(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let args = inv.args();
    if !args.iter().any(|w| w.text == "-delete") && !execs_delete(args) {
        return;
    }
    let roots = find_roots(args);
    let roots: Vec<Word> = if roots.is_empty() { vec![Word::plain(".", inv.span())] } else { roots.to_vec() };
    let mut classes: Vec<PathClass> = roots.iter().map(classify).collect();
    let filtered = args.iter().any(|w| matches!(w.text.as_str(), "-name" | "-iname" | "-path" | "-ipath" | "-regex" | "-iregex" | "-newer" | "-mtime" | "-mmin" | "-type" | "-user" | "-size"));
    let fact = m
        .fact(&inv.display(), inv.span())
        .with("program", "find")
        .with("recursive", true)
        .with("force", true)
        .with("filtered", filtered)
        .with("targets", roots.iter().map(|w| w.text.clone()).collect::<Vec<_>>())
        .with("classes", sorted_classes(&mut classes));
    a.push(fact);
}

/// True if an `-exec`, `-execdir`, `-ok` or `-okdir` clause runs a program whose catalog entry
/// deletes its operands (a path with the `delete` handler: `rm`, `unlink`, `shred -u`): run on
/// every file find visits, it deletes the tree as `-delete` does (`find /etc -exec rm -f {} +`).
fn execs_delete(args: &[Word]) -> bool {
    args.windows(2).any(|pair| match pair {
        [exec, program] if matches!(exec.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") => {
            crate::catalog::program(super::program_name(&program.text))
                .is_some_and(|p| p.commands.iter().any(|c| c.handler.as_deref() == Some("delete")))
        }
        _ => false,
    })
}

/// Names under `/dev` that are not disks: character devices, terminals and pseudo-file
/// systems, which `dd of=`, `shred` and friends write without destroying stored data.
const NOT_DISKS: &[&str] = &["null", "zero", "stdout", "stderr", "stdin", "tty", "random", "urandom", "full", "console", "ptmx", "kmsg", "log"];

/// Directories under `/dev` that hold no disks.
const NOT_DISK_DIRS: &[&str] = &["fd/", "pts/", "shm/", "mqueue/", "hugepages/", "snd/", "input/", "net/", "tcp/", "udp/"];

/// True for a path naming a block device or disk (`/dev/sda`, `/dev/nvme0n1p1`,
/// `/dev/mapper/vg-root`, `/dev/disk/by-id/...`): anything under `/dev` (after lexical
/// normalisation) except the character devices and directories of `NOT_DISKS` and
/// `NOT_DISK_DIRS` and terminals (`tty*`). Fails closed: an unknown `/dev` name counts as a disk.
pub fn is_device(t: &str) -> bool {
    let n = normalize(t);
    let Some(d) = n.strip_prefix("/dev/") else { return false };
    !NOT_DISKS.contains(&d) && !d.starts_with("tty") && !NOT_DISK_DIRS.iter().any(|p| d.starts_with(p))
}

/// `fs.wipe` for a tool that writes over what its operand names (`wipefs -a`, `sgdisk -Z`,
/// `sfdisk`, `fdisk`, `parted ... mklabel`, `blkdiscard`, `shred`: the `disk_write` path
/// handler; whether the line writes at all is the path's `require` and `unless`). A fact only
/// when the target is a device or known only at run time: `shred` of a regular file is not a
/// wipe.
pub fn disk_write(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    wipe(a, inv, m, false);
}

/// `fs.wipe` for a file system builder (`mkfs*`, `mke2fs`, `mkswap`: the `format` path
/// handler): as [`disk_write`], but an image file is a target too (`mkfs.ext4 ./disk.img`,
/// `is_device` false).
pub fn format(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    wipe(a, inv, m, true);
}

/// The target of a disk tool among its operands (sizes and partition numbers, all digits, are
/// skipped): the first device, else the first operand known only at run time (it may name a
/// device), else for a file system builder the last operand.
fn wipe(a: &mut Analyzer, inv: &Invocation, m: &PathMatch, formats: bool) {
    let operands: Vec<&Word> = m.parsed.operands.iter().filter(|w| !w.text.chars().all(|c| c.is_ascii_digit())).collect();
    let device = operands.iter().find(|w| !w.dynamic && is_device(&w.text));
    let target = device.or_else(|| operands.iter().find(|w| w.dynamic)).or_else(|| operands.last().filter(|_| formats));
    let Some(w) = target else { return };
    a.push(wipe_fact(inv, m, &w.text, w.dynamic));
}

/// `fs.wipe` for a program that writes to the files it names, where only a literal device is a
/// wipe (`tee /dev/sdb`; the `device_write` path handler): its operands are usually log files,
/// `tee "$LOG"` and `tee >(wc -l)` included, so one known only at run time is not counted.
pub fn device_write(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    for w in m.parsed.operands.iter().filter(|w| !w.dynamic && is_device(&w.text)) {
        a.push(wipe_fact(inv, m, &w.text, false));
    }
}

/// The `fs.wipe` fact for `target`, as written; a dynamic target under `/dev` counts as a
/// device (fail closed: [`is_device`]).
fn wipe_fact(inv: &Invocation, m: &PathMatch, target: &str, dynamic: bool) -> Fact {
    let device = is_device(target);
    m.fact(&inv.display(), inv.span())
        .with("program", inv.name.clone())
        .with("device", target.to_string())
        .with("is_device", device)
        .with("dynamic", dynamic && !device)
}

/// `fs.wipe` for a redirection that writes over a block device (`cat disk.img > /dev/sdb`,
/// `echo x >> /dev/sda`, `: > /dev/nvme0n1`): the shell opens the device for writing before
/// the command runs (bash manual §3.6.2), whatever the command is. A descriptor duplication
/// (`2>&1`) writes no file.
pub fn redirect_writes(a: &mut Analyzer, cmd: &crate::shell::Command) {
    for r in cmd.redirects.iter().filter(|r| r.op.contains('>') && !r.op.contains('<')) {
        let t = &r.target;
        let duplicates = r.op.ends_with('&') || (r.op == ">&" && t.text.chars().all(|c| c.is_ascii_digit() || c == '-'));
        if duplicates || t.dynamic || !is_device(&t.text) {
            continue;
        }
        let program = cmd.words.first().map_or("", |w| super::program_name(&w.text)).to_string();
        a.push(
            Fact::new("fs.wipe", format!("writes over {} by redirection", t.text), cmd.span)
                .with("program", program)
                .with("device", t.text.clone())
                .with("is_device", true)
                .with("dynamic", false),
        );
    }
}

/// True for the classes whose files must not be overwritten or truncated: system files the
/// machine needs, service data, credentials.
fn protected(c: PathClass) -> bool {
    matches!(c, PathClass::Critical | PathClass::ServiceData | PathClass::Credentials)
}

/// The `fs.overwrite` fact when `target` is a protected file ([`protected`]), else `None`.
fn overwrite_fact(a: &Analyzer, program: &str, target: &Word, how: &str, span: crate::fact::Span) -> Option<Fact> {
    let t = in_cd(a, target.clone());
    let class = classify(&t);
    protected(class).then(|| {
        Fact::new("fs.overwrite", format!("{program} overwrites {} ({how})", t.text), span)
            .with("program", program.to_string())
            .with("target", t.text.clone())
            .with("classes", vec![class.name().to_string()])
            .with("how", how.to_string())
    })
}

/// `fs.overwrite` for a redirection that truncates a protected file (`> /etc/passwd`,
/// `: > ~/.ssh/authorized_keys`): the shell empties it before the command runs (bash manual
/// §3.6.2). Appending (`>>`) and descriptor duplication do not truncate.
pub fn redirect_truncates(a: &mut Analyzer, cmd: &crate::shell::Command) {
    for r in cmd.redirects.iter().filter(|r| matches!(r.op.as_str(), ">" | ">|" | "&>")) {
        if r.target.dynamic {
            continue;
        }
        let program = cmd.words.first().map_or("", |w| super::program_name(&w.text)).to_string();
        if let Some(f) = overwrite_fact(a, &program, &r.target, "redirection", cmd.span) {
            a.push(f);
        }
    }
}

/// Path handler `overwrite` (`truncate`, `cp`, `install`, `mv` onto a file): the operands it
/// writes are the `targets` of the path (`truncate`: every operand; copies: the last one, the
/// destination). A protected destination is `fs.overwrite`; a block device is `fs.wipe`
/// (`cp x.iso /dev/sdb`).
pub fn overwrite(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let ops = &m.parsed.operands;
    let targets: &[Word] = if inv.name == "truncate" { ops } else { ops.len().checked_sub(1).and_then(|i| ops.get(i..)).unwrap_or_default() };
    let targets = if ops.len() < 2 && inv.name != "truncate" { &[] } else { targets };
    for w in targets {
        if !w.dynamic && is_device(&w.text) {
            let mut f = wipe_fact(inv, m, &w.text, false);
            f.kind = "fs.wipe".into();
            a.push(f);
        } else if let Some(f) = overwrite_fact(a, &inv.name, w, "copy", inv.span()) {
            a.push(f);
        }
    }
}

/// Path handler `sync_delete` (`rsync --delete SRC... DEST`): files in the destination that
/// the sources lack are deleted, so the destination tree is the path's `fs.delete` target
/// (recursive), classed like any delete target; a remote destination (`host:path`) is another
/// machine's tree and makes no fact here. rsync(1): `--delete` "delete extraneous files from
/// dest dirs", and the `--delete-*`, `--del` variants.
pub fn sync_delete(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let Some(dest) = m.operands().last().filter(|_| m.operands().len() >= 2) else { return };
    let remote = dest.text.split_once(':').is_some_and(|(h, _)| !h.is_empty() && !h.contains('/')) || dest.text.contains("://");
    if remote {
        return;
    }
    let (names, classes) = targets(a, std::slice::from_ref(dest));
    a.push(
        m.fact(&inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("recursive", true)
            .with("force", true)
            .with("targets", names)
            .with("classes", classes),
    );
}

/// `fs.wipe` for `dd ... of=TARGET` (dd(1): operands, not options; the `dd` path handler):
/// a write over a device, or over a target known only at run time.
pub fn dd(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    for w in &m.parsed.operands {
        if let Some(of) = w.text.strip_prefix("of=") {
            let dynamic = w.dynamic && of.starts_with('$');
            if is_device(of) || dynamic {
                a.push(wipe_fact(inv, m, of, dynamic));
            } else if let Some(f) = overwrite_fact(a, &inv.name, &Word { text: of.to_string(), verbatim_at: None, ..w.clone() }, "dd", inv.span()) {
                a.push(f);
            }
        }
    }
}

/// True if a chmod mode gives write permission to others (chmod(1)): an octal mode whose last
/// digit has the write bit (`777`, `666`, `0757`, also the sticky `1777`), or a symbolic clause
/// for `o` or `a` that adds or sets `w` (`o+w`, `a=rw`, `ugo+rwx`). A bare `+w` is limited by
/// the umask and is not counted.
pub fn world_writable(mode: &str) -> bool {
    if !mode.is_empty() && mode.chars().all(|c| c.is_ascii_digit()) {
        return mode.chars().last().and_then(|c| c.to_digit(8)).is_some_and(|d| d & 2 != 0);
    }
    mode.split(',').any(|clause| {
        let who: String = clause.chars().take_while(|c| "ugoa".contains(*c)).collect();
        let rest = clause.get(who.len()..).unwrap_or("");
        (who.contains('o') || who.contains('a'))
            && rest.split(['-']).next().is_some_and(|gain| (gain.contains('+') || gain.contains('=')) && gain.contains('w'))
    })
}

/// True for a chmod word that is a mode, not an option: `-w`, `-x`, `-rwx` remove permissions
/// (chmod(1) accepts them where options may stand).
fn is_minus_mode(t: &str) -> bool {
    t.strip_prefix('-').is_some_and(|r| !r.is_empty() && r.chars().all(|c| "rwxXst".contains(c)))
}

/// `fs.permissions` for chmod, chown and chgrp (the `permissions` path handler): `recursive`
/// from the path's options (catalog data), the mode or owner, whether chmod makes files
/// writable by others, and the classes of the paths ([`classify`]). `--reference=FILE` takes
/// the place of the mode; for chmod an option word that is a mode (`-w`, `-rwx`) is the mode.
pub fn permissions(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let operands = m.operands();
    let minus_mode = m.parsed.options.iter().map(|o| &o.word).find(|w| inv.name == "chmod" && !w.dynamic && is_minus_mode(&w.text));
    let (mode, paths) = match (m.parsed.value(&["--reference"]), minus_mode) {
        (Some(r), _) => (format!("--reference={}", r.text), operands),
        (None, Some(w)) => (w.text.clone(), operands),
        (None, None) => match operands.split_first() {
            Some((first, rest)) => (first.text.clone(), rest),
            None => return,
        },
    };
    if paths.is_empty() {
        return;
    }
    let (names, classes) = targets(a, paths);
    let world = inv.name == "chmod" && world_writable(&mode);
    let setuid = inv.name == "chmod" && set_id(&mode);
    // A set-ID program that runs commands (a shell, an interpreter, a wrapper: anything the
    // catalog knows runs other code) gives every local user its owner's shell (GTFOBins, "SUID").
    let runs_code = setuid
        && paths.iter().any(|w| {
            let base = super::program_name(&w.text);
            crate::catalog::program(base).is_some_and(|p| p.wrapper.is_some() || !p.code.is_empty()) || SHELLS.contains(&base)
        });
    a.push(
        m.fact(&inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("mode", mode)
            .with("world_writable", world)
            .with("setuid", setuid)
            .with("setuid_interpreter", runs_code)
            .with("targets", names)
            .with("classes", classes),
    );
}

/// Shells (bash manual; dash(1), zsh(1), ksh(1), fish(1), busybox(1)): a set-user-ID copy
/// is a root shell for anyone.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "busybox", "rbash"];

/// True if a chmod mode sets the set-user-ID or set-group-ID bit: `u+s`, `g+s`, `+s`, `a+s`,
/// `=s`-containing symbolic clauses, or an octal mode with 4 or 2 in its special digit
/// (`4755`, `2755`, `6755`); chmod(1).
pub fn set_id(mode: &str) -> bool {
    if !mode.is_empty() && mode.len() >= 4 && mode.chars().all(|c| c.is_ascii_digit() && c < '8') {
        let special = mode.len().checked_sub(4).and_then(|i| mode.chars().nth(i)).unwrap_or('0');
        return matches!(special, '2' | '4' | '6');
    }
    mode.split(',').any(|clause| {
        let who: String = clause.chars().take_while(|c| matches!(c, 'u' | 'g' | 'o' | 'a')).collect();
        let rest = clause.get(who.len()..).unwrap_or_default();
        (who.is_empty() || who.contains(['u', 'g', 'a'])) && rest.starts_with(['+', '=']) && rest.contains('s')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

    #[test]
    fn set_id_modes() {
        for m in ["u+s", "+s", "g+s", "a+s", "4755", "2755", "6755", "04755", "u=rwxs", "u+x,u+s"] {
            assert!(set_id(m), "{m}");
        }
        for m in ["755", "0755", "1777", "o+s", "u-s", "+x", "u+w", "user:group", ""] {
            assert!(!set_id(m), "{m}");
        }
    }

    fn c(t: &str, dynamic: bool) -> &'static str {
        classify(&Word { text: t.into(), dynamic, quoted: false, span: Span::default(), verbatim_at: None }).name()
    }

    #[test]
    fn braces() {
        let w = Word { text: "/{etc,usr/{lib,bin}}x".into(), dynamic: false, quoted: false, span: Span::default(), verbatim_at: None };
        let got: Vec<String> = expand_braces(&w).into_iter().map(|w| w.text).collect();
        assert!(got.contains(&"/etcx".to_string()), "{got:?}");
        let w = Word { text: "/{etc,usr}".into(), quoted: true, ..w };
        assert_eq!(expand_braces(&w).len(), 1);
        let w = Word { text: "{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}".into(), quoted: false, ..w };
        assert!(expand_braces(&w).len() <= MAX_BRACE_WORDS + 2);
    }

    #[test]
    fn devices_and_modes() {
        for d in ["/dev/sda", "/dev/sda1", "/dev/nvme0n1p2", "/dev/mapper/vg-root", "/dev/disk/by-id/x", "/dev//sdb", "/dev/md0", "/dev/loop0"] {
            assert!(is_device(d), "{d}");
        }
        for d in ["/dev/null", "/dev/zero", "/dev/stdout", "/dev/tty1", "/dev/ttyUSB0", "/dev/fd/3", "/dev/pts/0", "./disk.img", "dev/sda", "/tmp/x"] {
            assert!(!is_device(d), "{d}");
        }
        for m in ["777", "0777", "666", "1777", "2", "o+w", "a+rwx", "ugo+w", "u+x,o=rw", "a=rw"] {
            assert!(world_writable(m), "{m}");
        }
        for m in ["755", "644", "0600", "+w", "u+w", "g+w", "o-w", "o+r", "go-w", "", "user:group", "--reference=/x"] {
            assert!(!world_writable(m), "{m}");
        }
    }

    #[test]
    fn classes() {
        assert_eq!(c("/", false), "root");
        assert_eq!(c("//", false), "root");
        assert_eq!(c("/*", false), "root");
        assert_eq!(c("/usr/..", false), "root");
        assert_eq!(c("/./", false), "root");
        assert_eq!(c("~", false), "home");
        assert_eq!(c("~/", false), "home");
        assert_eq!(c("~/*", false), "home");
        assert_eq!(c("$HOME", true), "home");
        assert_eq!(c("${HOME}/", true), "home");
        assert_eq!(c("/home/alice", false), "home");
        assert_eq!(c("~alice", false), "home");
        assert_eq!(c("~root/", false), "home");
        assert_eq!(c("~alice/project/target", false), "other");
        assert_eq!(c("~+", false), "dynamic");
        assert_eq!(c("/etc", false), "system");
        assert_eq!(c("/usr/*", false), "system");
        assert_eq!(c("/var/", false), "system");
        assert_eq!(c("$DIR/*", true), "dynamic");
        assert_eq!(c("/$X", true), "dynamic");
        assert_eq!(c("~/$X", true), "dynamic");
        assert_eq!(c("/etc/$(echo x)", true), "dynamic");
        assert_eq!(c("/tmp/$X", true), "other");
        assert_eq!(c("/$X/build", true), "other");
        assert_eq!(c("${DIR:?}/*", true), "other");
        assert_eq!(c("$TMPDIR/x", true), "other");
        assert_eq!(c("./build", false), "other");
        assert_eq!(c("/tmp/x", false), "other");
        assert_eq!(c("~/project/target", false), "other");
        assert_eq!(c("/etc/nginx/conf.d/x.conf", false), "other");
        assert_eq!(c("/etc/nginx", false), "system_subdir");
        assert_eq!(c("/etc/passwd", false), "critical");
        assert_eq!(c("/e*", false), "system");
        assert_eq!(c("/???", false), "system");
        assert_eq!(c("/tmp/*", false), "other");
        assert_eq!(c("/var/lib/dpkg/", false), "system_subdir");
        assert_eq!(c("/var/lib/postgresql/", false), "service_data");
        assert_eq!(c("/var/lib/postgresql/16/main", false), "service_data");
        assert_eq!(c("/srv/app", false), "service_data");
        assert_eq!(c("~/.ssh/id_rsa", false), "credentials");
        assert_eq!(c("/home/bob/.aws", false), "credentials");
        assert_eq!(c("~/.ssh/known_hosts", false), "other");
        assert_eq!(c("~/.sshx", false), "other");
        assert_eq!(c("/var/log/app", false), "other");
        assert_eq!(c("/usr/local/lib", false), "other");
        assert_eq!(c("/opt/app", false), "other");
    }
}
