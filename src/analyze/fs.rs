//! Files and disks: `rm`, `find -delete`, `shred`, `dd`, `mkfs*`, `wipefs`, `chmod`, `chown`.
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
use crate::fact::Fact;
use crate::shell::Word;

/// Programs this module analyses.
pub const PROGRAMS: &[&str] = &[
    "rm", "rmdir", "find", "shred", "dd", "wipefs", "chmod", "chown", "chgrp", "mkfs", "mkfs.ext4",
    "mkfs.ext3", "mkfs.ext2", "mkfs.xfs", "mkfs.btrfs", "mkfs.vfat", "mkfs.fat", "mkfs.ntfs", "mke2fs",
    "mkswap", "fdisk", "sfdisk", "parted", "sgdisk", "blkdiscard", "truncate", "mkfs.ext4dev", "mkfs.f2fs",
    "mkfs.exfat", "mkfs.msdos", "mkfs.minix", "mkfs.bfs", "mkfs.cramfs", "mkfs.jfs", "mkfs.reiserfs", "mkfs.nilfs2",
    "mkfs.hfsplus", "mkfs.udf", "mkfs.gfs2", "mkfs.ocfs2", "mkfs.bcachefs", "mkfs.erofs", "mkdosfs", "mkntfs",
    "mkexfatfs", "mkudffs", "mkreiserfs",
];

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
    if CRITICAL_FILES.contains(&base) {
        return PathClass::Critical;
    }
    if let Some((parent, _)) = base.rsplit_once('/')
        && STATE_DIRS.contains(&parent) {
            return PathClass::SystemSubdir;
        }
    PathClass::Other
}

fn sorted_classes(classes: &mut Vec<PathClass>) -> Vec<&'static str> {
    classes.sort();
    classes.dedup();
    classes.iter().map(|c| c.name()).collect()
}

/// Analyses one invocation of a file or disk program.
pub fn analyze(a: &mut Analyzer, inv: &Invocation, _depth: usize) {
    match inv.name.as_str() {
        "rm" => rm(a, inv),
        "find" => find(a, inv),
        "shred" | "wipefs" | "blkdiscard" => wipe_args(a, inv),
        "dd" => dd(a, inv),
        "chmod" | "chown" | "chgrp" => perms(a, inv),
        n if is_formatter(n) || matches!(n, "fdisk" | "sfdisk" | "parted" | "sgdisk") => wipe_args(a, inv),
        _ => {}
    }
}

fn rm(a: &mut Analyzer, inv: &Invocation) {
    let (mut recursive, mut force, mut no_preserve) = (false, false, false);
    let mut targets: Vec<&Word> = vec![];
    let mut options_done = false;
    for w in inv.args() {
        let t = w.text.as_str();
        if !options_done && t == "--" {
            options_done = true;
        } else if !options_done && t.starts_with("--") {
            match t {
                "--recursive" => recursive = true,
                "--force" => force = true,
                "--no-preserve-root" => no_preserve = true,
                _ => {}
            }
        } else if !options_done && t.starts_with('-') && t.len() > 1 && !w.dynamic {
            recursive |= t.contains(['r', 'R']);
            force |= t.contains('f');
        } else {
            targets.push(w);
        }
    }
    if targets.is_empty() {
        return;
    }
    let targets: Vec<Word> = targets.into_iter().flat_map(expand_braces).map(|w| in_cd(a, w)).collect();
    let mut classes: Vec<PathClass> = targets.iter().map(classify).collect();
    let names: Vec<String> = targets.iter().map(|w| w.text.clone()).collect();
    let fact = Fact::new("fs.delete", inv.display(), inv.span())
        .with("program", "rm")
        .with("recursive", recursive)
        .with("force", force)
        .with("no_preserve_root", no_preserve)
        .with("targets", names)
        .with("classes", sorted_classes(&mut classes));
    a.push(fact);
}

/// A relative literal path joined to the directory an earlier `cd` in the script moved to
/// (`cd / && rm -rf *` deletes `/*`).
fn in_cd(a: &Analyzer, w: Word) -> Word {
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
/// they are; expansion stops at [`MAX_BRACE_WORDS`] words.
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

fn find(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    if !args.iter().any(|w| w.text == "-delete") {
        return;
    }
    let roots: Vec<&Word> = args.iter().take_while(|w| !w.text.starts_with('-') && w.text != "(" && w.text != "!").collect();
    let roots: Vec<Word> = if roots.is_empty() { vec![Word::plain(".", inv.span())] } else { roots.into_iter().cloned().collect() };
    let mut classes: Vec<PathClass> = roots.iter().map(classify).collect();
    let fact = Fact::new("fs.delete", inv.display(), inv.span())
        .with("program", "find")
        .with("recursive", true)
        .with("force", true)
        .with("filtered", args.iter().any(|w| matches!(w.text.as_str(), "-name" | "-iname" | "-path" | "-regex" | "-newer" | "-mtime" | "-type")))
        .with("targets", roots.iter().map(|w| w.text.clone()).collect::<Vec<_>>())
        .with("classes", sorted_classes(&mut classes));
    a.push(fact);
}

/// Names under `/dev` that are not disks: character devices, terminals and pseudo-file
/// systems, which `dd of=`, `shred` and friends write without destroying stored data.
const NOT_DISKS: &[&str] = &["null", "zero", "stdout", "stderr", "stdin", "tty", "random", "urandom", "full", "console", "ptmx", "kmsg", "log"];

/// Directories under `/dev` that hold no disks.
const NOT_DISK_DIRS: &[&str] = &["fd/", "pts/", "shm/", "mqueue/", "hugepages/", "snd/", "input/", "net/"];

/// True for a path naming a block device or disk (`/dev/sda`, `/dev/nvme0n1p1`,
/// `/dev/mapper/vg-root`, `/dev/disk/by-id/...`): anything under `/dev` (after lexical
/// normalisation) except the character devices and directories of [`NOT_DISKS`] and
/// [`NOT_DISK_DIRS`] and terminals (`tty*`). Fails closed: an unknown `/dev` name counts as a disk.
pub fn is_device(t: &str) -> bool {
    let n = normalize(t);
    let Some(d) = n.strip_prefix("/dev/") else { return false };
    !NOT_DISKS.contains(&d) && !d.starts_with("tty") && !NOT_DISK_DIRS.iter().any(|p| d.starts_with(p))
}

/// The operands of a disk tool: words that are not options (`--` ends options). Values of
/// options are kept: skipping the word after a flag that takes no value could hide the device
/// (`mkfs.ext4 -F /dev/sda1`), and a value is never a device. Never panics.
fn disk_operands<'a>(inv: &'a Invocation) -> Vec<&'a Word> {
    let mut out = vec![];
    let mut options_done = false;
    for w in inv.args() {
        let t = w.text.as_str();
        if options_done || !t.starts_with('-') || t == "-" {
            out.push(w);
        } else if t == "--" {
            options_done = true;
        }
    }
    out
}

/// True if any option word of `inv` is one of `long` or a short cluster containing one of `short`.
fn has_option(inv: &Invocation, short: &str, long: &[&str]) -> bool {
    inv.args().iter().take_while(|w| w.text != "--").any(|w| {
        let t = w.text.as_str();
        long.iter().any(|l| t == *l || t.strip_prefix(l).is_some_and(|r| r.starts_with('=')))
            || (t.starts_with('-') && !t.starts_with("--") && t.len() > 1 && t.get(1..).is_some_and(|c| c.chars().any(|c| short.contains(c))))
    })
}

/// Does this invocation write to its target, or only read it (list, print, dry run)?
fn writes(inv: &Invocation, operands: &[&Word]) -> bool {
    match inv.name.as_str() {
        // wipefs without -a or -o only lists signatures (wipefs(8)); -n/--no-act is a dry run.
        "wipefs" => has_option(inv, "ao", &["--all", "--offset"]) && !has_option(inv, "n", &["--no-act"]),
        // sgdisk(8): -Z/--zap-all and -z/--zap destroy the partition tables, -o/--clear writes
        // a new empty one; other actions (-p, -v, -i) read.
        "sgdisk" => has_option(inv, "Zzo", &["--zap-all", "--zap", "--clear"]),
        // sfdisk(8) reads a partition table from stdin and writes it, unless it only lists,
        // dumps, verifies or shows.
        "sfdisk" => !has_option(
            inv,
            "ldJsVFghvr",
            &["--list", "--dump", "--json", "--show-size", "--verify", "--list-free", "--show-geometry", "--help", "--version", "--backup-pt-sectors", "--no-act", "--activate", "--part-type", "--part-label", "--part-uuid", "--part-attrs", "--disk-id", "--relocate"],
        ),
        // fdisk(8) is an editor of the partition table; -l lists.
        "fdisk" => !has_option(inv, "lxhV", &["--list", "--list-details", "--help", "--version"]),
        // parted(8): commands after the device that change the table.
        "parted" => operands.iter().any(|w| {
            matches!(w.text.to_ascii_lowercase().as_str(), "mklabel" | "mktable" | "mkpart" | "mkpartfs" | "rm" | "resizepart" | "resize" | "rescue")
        }),
        _ => true,
    }
}

/// `fs.wipe` for the disk tools (mkfs*, mke2fs, mkswap, wipefs, sgdisk, sfdisk, fdisk, parted,
/// blkdiscard, shred): the target is a device operand if there is one, else the last operand
/// (mkfs and mkswap also write images, `mkfs.ext4 ./disk.img`). A target known only at run time
/// counts (`dynamic`); `shred` of a regular file is not a wipe (it is a delete of that file).
fn wipe_args(a: &mut Analyzer, inv: &Invocation) {
    let formats = is_formatter(&inv.name);
    let operands: Vec<&Word> = disk_operands(inv).into_iter().filter(|w| !w.text.chars().all(|c| c.is_ascii_digit())).collect();
    if !writes(inv, &operands) {
        return;
    }
    let device = operands.iter().find(|w| !w.dynamic && is_device(&w.text));
    let target = device.or_else(|| if inv.name == "parted" { operands.first() } else { operands.last() });
    let Some(w) = target else { return };
    let dynamic = w.dynamic && !is_device(&w.text);
    if device.is_none() && !dynamic && !formats {
        return;
    }
    a.push(
        Fact::new("fs.wipe", inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("device", w.text.clone())
            .with("is_device", device.is_some())
            .with("dynamic", dynamic),
    );
}

/// True for programs that write a file system (mkfs(8) and its per-type helpers, mke2fs,
/// mkswap, mkdosfs, mkntfs).
fn is_formatter(name: &str) -> bool {
    name.starts_with("mkfs") || matches!(name, "mke2fs" | "mkswap" | "mkdosfs" | "mkntfs" | "mkexfatfs" | "mkudffs" | "mkreiserfs")
}

/// `dd ... of=TARGET` (dd(1)): a write over a device, or over a target known only at run time.
fn dd(a: &mut Analyzer, inv: &Invocation) {
    for w in inv.args() {
        if let Some(of) = w.text.strip_prefix("of=") {
            let dynamic = w.dynamic && of.starts_with('$');
            if is_device(of) || dynamic {
                a.push(
                    Fact::new("fs.wipe", inv.display(), inv.span())
                        .with("program", "dd")
                        .with("device", of.to_string())
                        .with("is_device", is_device(of))
                        .with("dynamic", dynamic && !is_device(of)),
                );
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

/// `fs.permissions` for chmod, chown and chgrp: the mode or owner, whether recursive, and the
/// classes of the paths ([`classify`]). `--reference=FILE` takes the place of the mode.
fn perms(a: &mut Analyzer, inv: &Invocation) {
    let args = inv.args();
    let mut recursive = false;
    let mut reference: Option<String> = None;
    let mut operands: Vec<&Word> = vec![];
    let mut options_done = false;
    for w in args {
        let t = w.text.as_str();
        if options_done || !t.starts_with('-') || t == "-" || (inv.name == "chmod" && operands.is_empty() && reference.is_none() && is_minus_mode(t)) {
            operands.push(w);
        } else if t == "--" {
            options_done = true;
        } else if t == "--recursive" {
            recursive = true;
        } else if let Some(r) = t.strip_prefix("--reference=") {
            reference = Some(r.to_string());
        } else if !t.starts_with("--") {
            recursive |= t.contains('R');
        }
    }
    let (mode, paths) = match &reference {
        Some(r) => (format!("--reference={r}"), operands.as_slice()),
        None => match operands.split_first() {
            Some((m, p)) => (m.text.clone(), p),
            None => return,
        },
    };
    if paths.is_empty() {
        return;
    }
    let targets: Vec<Word> = paths.iter().flat_map(|w| expand_braces(w)).map(|w| in_cd(a, w)).collect();
    let mut classes: Vec<PathClass> = targets.iter().map(classify).collect();
    let world = inv.name == "chmod" && world_writable(&mode);
    a.push(
        Fact::new("fs.permissions", inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("recursive", recursive)
            .with("mode", mode)
            .with("world_writable", world)
            .with("targets", targets.iter().map(|w| w.text.clone()).collect::<Vec<_>>())
            .with("classes", sorted_classes(&mut classes)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Span;

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
        assert_eq!(c("/var/lib/postgresql/", false), "system_subdir");
        assert_eq!(c("/var/log/app", false), "other");
        assert_eq!(c("/usr/local/lib", false), "other");
        assert_eq!(c("/opt/app", false), "other");
    }
}
