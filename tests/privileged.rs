//! The privileged setup (docs/privileged.md) end to end, as root: the agent runs as its own
//! user, `/etc/guard` is root-owned, approvals live in a store the agent cannot forge into.
//! Every forging attempt of the agent is refused: writing the system layer, `GUARD_ACTOR=person`,
//! approving its own command (in a pty made by `script`, and in one guard cannot tell from a
//! person's), planting or copying an approval file; `allow_observe = false` holds against the
//! agent's own `mode = "observe"`. A person (another user) approves once, and that works.
//!
//! Needs root (CI runs `.ci/run` as root) to add users; skipped with a message otherwise. The
//! test's `/etc/guard` is bind-mounted in a private mount namespace (`unshare -m`) around each
//! command, so nothing else on the machine sees it; where namespaces are not allowed, the real
//! `/etc/guard` is written and removed after (skipped when a real one exists).

mod common;

use common::*;
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const AGENT: &str = "guardtest-agent";
const PERSON: &str = "guardtest-person";
const GROUP: &str = "guardtest-approvers";
/// Marks an `/etc/guard` this test made (a leftover of an interrupted run may be removed).
const MARKER: &str = "/etc/guard/.made-by-guard-tests";

fn sh(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

/// Removes what the test made (`/etc/guard`, the users) at the end, also when it fails.
struct Cleanup {
    /// The real `/etc/guard` was written (no private mount namespace): remove it.
    real_etc: bool,
    /// An empty `/etc/guard` was made as the mount point: remove it if still empty.
    mount_point: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if self.real_etc {
            let _ = std::fs::remove_dir_all("/etc/guard");
        } else if self.mount_point {
            let _ = std::fs::remove_dir("/etc/guard");
        }
        for u in [AGENT, PERSON] {
            let _ = Command::new("userdel").arg(u).output();
        }
        let _ = Command::new("groupdel").arg(GROUP).output();
    }
}

struct Setup {
    base: tempfile::TempDir,
    guard: PathBuf,
    /// The test's system layer: bind-mounted on `/etc/guard` (private namespace), or it.
    etc: PathBuf,
    /// Commands run in a private mount namespace.
    private: bool,
}

/// True if commands can run in a private mount namespace here (`unshare -m`).
fn private_mounts() -> bool {
    Command::new("unshare").args(["-m", "--propagation", "private", "true"]).output().is_ok_and(|o| o.status.success())
}

impl Setup {
    fn p(&self, rel: &str) -> PathBuf {
        self.base.path().join(rel)
    }

    /// `PROGRAM ARGS` as `user` with a clean environment (`env -i`): its own HOME and XDG
    /// directories, the agent's audit log, plus `vars`.
    fn as_user(&self, user: &str, vars: &[(&str, &str)], program: &Path, args: &[&str], stdin: &str) -> Output {
        let home = if user == AGENT { self.p("agent") } else { self.p("person") };
        let mut c = Command::new(if self.private { "unshare" } else { "runuser" });
        if self.private {
            c.args(["-m", "--propagation", "private", "sh", "-c", "mount --bind \"$0\" /etc/guard && exec \"$@\""]);
            c.arg(&self.etc).arg("runuser");
        }
        c.args(["-u", user, "--", "env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]);
        c.arg(format!("HOME={}", home.display()));
        c.arg(format!("XDG_CONFIG_HOME={}", home.join("config").display()));
        c.arg(format!("XDG_STATE_HOME={}", home.join("state").display()));
        if user == AGENT {
            c.arg(format!("GUARD_AUDIT_LOG={}", self.p("agent/audit.jsonl").display()));
            c.arg(format!("GUARD_KEY={}", self.p("agent/keys/guard.key").display()));
        }
        for (k, v) in vars {
            c.arg(format!("{k}={v}"));
        }
        c.arg(program).args(args).current_dir(&home);
        assert_cmd::Command::from_std(c).write_stdin(stdin.as_bytes().to_vec()).timeout(GUARD_TIMEOUT).output().unwrap()
    }

    /// guard as the agent (declared with GUARD_AGENT), no terminal.
    fn agent(&self, args: &[&str]) -> Output {
        self.as_user(AGENT, &[("GUARD_AGENT", "test-agent")], &self.guard, args, "")
    }

    /// `guard ARGS` as `user` inside a pseudo-terminal made by `maker` (`script`, or the
    /// renamed copy guard cannot tell from a person's terminal emulator).
    fn in_pty(&self, user: &str, maker: &Path, args: &str, input: &str) -> Output {
        let line = format!("{} {args}", self.guard.display());
        self.as_user(user, &[], maker, &["-qec", &line, "/dev/null"], input)
    }

    fn records(&self) -> Vec<Value> {
        log_lines(&self.p("agent/audit.jsonl")).iter().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    fn approvals(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.p("approvals")).unwrap().map(|e| e.unwrap().path()).collect()
    }
}

fn chown(path: &Path, owner: &str) {
    assert!(sh(Command::new("chown").arg(owner).arg(path)).status.success(), "chown {owner} {}", path.display());
}

fn mkdir(path: &Path, mode: u32, owner: &str) {
    std::fs::create_dir_all(path).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    chown(path, owner);
}

fn add_users() {
    let _ = sh(Command::new("groupadd").arg(GROUP));
    for u in [AGENT, PERSON] {
        let out = sh(Command::new("useradd").args(["-M", "-N", "-G", GROUP, "-s", "/bin/sh", u]));
        let exists = sh(Command::new("id").arg(u)).status.success();
        assert!(exists, "useradd {u}: {}", describe(&out));
    }
}

fn setup(private: bool) -> Setup {
    add_users();
    let base = tempfile::Builder::new().prefix("guard-privileged-").tempdir().unwrap();
    std::fs::set_permissions(base.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let bin = base.path().join("bin");
    mkdir(&bin, 0o755, "root");
    let guard = bin.join("guard");
    std::fs::copy(guard_bin(), &guard).unwrap();
    std::fs::set_permissions(&guard, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = std::env::split_paths(&std::env::var_os("PATH").unwrap()).map(|d| d.join("script")).find(|p| p.is_file()).unwrap();
    std::os::unix::fs::symlink(script, bin.join("terminal-emulator")).unwrap();
    // The agent's home; its audit log and public key readable by the people who approve.
    let agent = base.path().join("agent");
    mkdir(&agent, 0o755, AGENT);
    mkdir(&agent.join("keys"), 0o755, AGENT);
    mkdir(&agent.join("config/guard"), 0o755, AGENT);
    std::fs::write(agent.join("audit.jsonl"), "").unwrap();
    std::fs::set_permissions(agent.join("audit.jsonl"), std::fs::Permissions::from_mode(0o644)).unwrap();
    chown(&agent.join("audit.jsonl"), AGENT);
    mkdir(&base.path().join("person"), 0o700, PERSON);
    // The approval store: root-owned, writable by the approvers' group (agent and people).
    let store = base.path().join("approvals");
    mkdir(&store, 0o770, &format!("root:{GROUP}"));
    // The root-owned system layer.
    let etc = if private { base.path().join("etc-guard") } else { PathBuf::from("/etc/guard") };
    mkdir(&etc.join("rules"), 0o755, "root");
    std::fs::set_permissions(&etc, std::fs::Permissions::from_mode(0o755)).unwrap();
    if !private {
        std::fs::write(MARKER, "").unwrap();
    }
    std::fs::write(etc.join("config.toml"), format!("allow_observe = false\ntrust_user_layer = false\napprovals = \"{}\"\n", store.display())).unwrap();
    Setup { base, guard, etc, private }
}

const ASKS: &[&str] = &["--", "git", "push", "origin", "--delete", "old-feature"];

fn approve_args(out: &Output) -> String {
    stderr(out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("guard approve ").map(str::to_string))
        .unwrap_or_else(|| panic!("no approve line:\n{}", describe(out)))
}

#[test]
fn forging_fails_when_the_agent_is_another_user() {
    if !is_root() {
        eprintln!("SKIPPED privileged setup test: needs root to add users and write /etc/guard (CI runs .ci/run as root)");
        return;
    }
    let private = private_mounts();
    if !private && Path::new("/etc/guard").exists() && !Path::new(MARKER).exists() {
        eprintln!("SKIPPED privileged setup test: no private mount namespace, and /etc/guard exists on this machine and is not the test's own");
        return;
    }
    for p in ["runuser", "useradd", "script"] {
        require_program(p, "util-linux, passwd, bsdutils");
    }
    // The mount point: an empty /etc/guard means no system layer to anyone else.
    let mount_point = private && !Path::new("/etc/guard").exists();
    if mount_point {
        mkdir(Path::new("/etc/guard"), 0o755, "root");
    } else if !private {
        let _ = std::fs::remove_dir_all("/etc/guard");
    }
    let _cleanup = Cleanup { real_etc: !private, mount_point };
    let s = setup(private);
    let terminal = s.p("bin/terminal-emulator");
    let script = PathBuf::from("script");

    // The agent's ask is refused; the line to give a person names the log and the public key.
    let out = s.agent(ASKS);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    let line = approve_args(&out);
    assert!(line.contains("--pubkey"), "{line}");

    // Forging 1: the agent edits the system layer.
    for f in ["/etc/guard/config.toml", "/etc/guard/rules/loosen.toml"] {
        let w = s.as_user(AGENT, &[], Path::new("/bin/sh"), &["-c", &format!("echo 'mode = \"observe\"' > {f}")], "");
        assert!(!w.status.success(), "the agent could write {f}");
    }

    // Forging 2: GUARD_ACTOR=person without agent variables: no terminal, so not a person.
    let out = s.as_user(AGENT, &[("GUARD_ACTOR", "person")], &s.guard, ASKS, "");
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert_eq!(s.records().last().unwrap()["actor"], "automation");

    // Forging 3: the agent approves its own command in a pty made by `script`: the pty signal…
    let out = s.in_pty(AGENT, &script, &format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("made by script"), "{}", describe(&out));
    // …and in a pty guard cannot tell from a person's: its own uid gives it away.
    let out = s.in_pty(AGENT, &terminal, &format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert!(stdout(&out).contains("made by this user"), "{}", describe(&out));
    assert!(s.approvals().is_empty());

    // A person (another user) approves at their terminal.
    let out = s.in_pty(PERSON, &terminal, &format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let [file] = s.approvals().try_into().unwrap();
    let name = file.file_name().unwrap().to_string_lossy().into_owned();

    // Forging 4: the agent replaces it with its own copy (same content, its own file).
    let copy = format!("cp {0}/{name} {0}/x.tmp && mv -f {0}/x.tmp {0}/{name}", s.p("approvals").display());
    let w = s.as_user(AGENT, &[], Path::new("/bin/sh"), &["-c", &copy], "");
    assert!(w.status.success(), "{}", describe(&w));
    let out = s.agent(ASKS);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(stderr(&out).contains("written by this user"), "{}", describe(&out));

    // Forging 5: the agent's user config asks for observe mode; the system layer forbids it.
    std::fs::write(s.p("agent/config/guard/config.toml"), "mode = \"observe\"\n").unwrap();
    let out = s.agent(ASKS);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(stderr(&out).contains("mode = \"observe\" from the user layer"), "{}", describe(&out));
    // Even where the system layer trusts the user layer, allow_observe = false wins.
    let system = std::fs::read_to_string(s.etc.join("config.toml")).unwrap();
    std::fs::write(s.etc.join("config.toml"), system.replace("trust_user_layer = false", "trust_user_layer = true")).unwrap();
    let out = s.agent(ASKS);
    std::fs::write(s.etc.join("config.toml"), &system).unwrap();
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(stderr(&out).contains("observe mode is forbidden"), "{}", describe(&out));
    std::fs::remove_file(s.p("agent/config/guard/config.toml")).unwrap();

    // Forging 6: the agent's own user layer (it owns it) replaces the rule with an allow, adds
    // an exception, and a project rule file it marks trusted in its own trust store: with
    // `trust_user_layer = false` none of them loosens anything.
    let allow = "[[rule]]\nid = \"git.delete-remote-branch\"\naction = \"allow\"\nsummary = \"s\"\nwhy = \"w\"\n[rule.match]\nfact = \"git.push\"\n";
    let forge = format!(
        "mkdir -p config/guard/rules .guard/rules && printf '%s' '{allow}' > config/guard/rules/mine.toml && cp config/guard/rules/mine.toml .guard/rules/mine.toml \
         && printf '[[exception]]\\nrules = [\"git.delete-remote-branch\"]\\nreason = \"mine\"\\n' > config/guard/config.toml \
         && echo \"$(sha256sum < .guard/rules/mine.toml | cut -d' ' -f1)  $PWD/.guard/rules/mine.toml\" > config/guard/trusted"
    );
    let w = s.as_user(AGENT, &[], Path::new("/bin/sh"), &["-c", &forge], "");
    assert!(w.status.success(), "{}", describe(&w));
    let out = s.agent(ASKS);
    assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
    assert!(stderr(&out).contains("git.delete-remote-branch"), "{}", describe(&out));
    let list = s.as_user(AGENT, &[], &s.guard, &["rules", "list"], "");
    assert!(stdout(&list).lines().any(|l| l.contains("git.delete-remote-branch") && l.contains("ask")), "{}", describe(&list));
    for f in ["config/guard/rules", ".guard"] {
        std::fs::remove_dir_all(s.p("agent").join(f)).unwrap();
    }
    std::fs::remove_file(s.p("agent/config/guard/config.toml")).unwrap();

    // The person's real approval is used once. A second link the agent may make to it (if the
    // kernel lets it: fs.protected_hardlinks) makes it count for nothing.
    let out = s.in_pty(PERSON, &terminal, &format!("approve {line}"), "y\n");
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let seq: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
    let linked = s.as_user(AGENT, &[], Path::new("/bin/ln"), &[&format!("{}/{name}", s.p("approvals").display()), &s.p("approvals/second").display().to_string()], "");
    let out = s.agent(ASKS);
    if linked.status.success() {
        assert_eq!(out.status.code(), Some(REFUSED), "{}", describe(&out));
        assert!(stderr(&out).contains("one link"), "{}", describe(&out));
    } else {
        assert_ne!(out.status.code(), Some(REFUSED), "{}", describe(&out));
        let r = s.records().pop().unwrap();
        assert_eq!((r["outcome"].as_str(), r["approved_by"]["record"].as_u64()), (Some("approved"), Some(seq)), "{r}");
        assert_eq!(r["approved_by"]["approver"], PERSON);
        let again = s.agent(ASKS);
        assert_eq!(again.status.code(), Some(REFUSED), "used once: {}", describe(&again));
    }
}
