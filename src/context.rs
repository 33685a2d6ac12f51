//! Who, where and when: the context recorded with every decision.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::MetadataExt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Environment variables that identify an AI agent or automation, and the name recorded.
/// Sources: each tool's documentation of the variables it sets in the shells it spawns.
const AGENTS: &[(&str, &str)] = &[
    ("CLAUDECODE", "claude-code"),
    ("CLAUDE_CODE_ENTRYPOINT", "claude-code"),
    ("CODEX_SANDBOX", "codex"),
    ("CODEX_MANAGED_BY_NPM", "codex"),
    ("GEMINI_CLI", "gemini-cli"),
    ("CURSOR_AGENT", "cursor"),
    ("AIDER_MODEL", "aider"),
    ("OPENCODE", "opencode"),
    ("GOOSE_TERMINAL", "goose"),
    ("CLINE_ACTIVE", "cline"),
    ("GUARD_AGENT", "declared"),
];

/// CI systems, by the variable each sets (their documentation of default environment variables).
const CIS: &[(&str, &str)] = &[
    ("GITHUB_ACTIONS", "github-actions"),
    ("GITLAB_CI", "gitlab-ci"),
    ("BUILDKITE", "buildkite"),
    ("CIRCLECI", "circleci"),
    ("JENKINS_URL", "jenkins"),
    ("TF_BUILD", "azure-pipelines"),
    ("TRAVIS", "travis"),
    ("CI", "ci"),
];

/// The context of one decision.
#[derive(Debug, Clone)]
pub struct Context {
    /// RFC 3339 UTC time with microseconds, e.g. `2026-11-21T23:59:01.123456Z`.
    pub time: String,
    /// Host name (`/proc/sys/kernel/hostname`, else `/etc/hostname`, else empty).
    pub host: String,
    /// User name (`$USER`, else `$LOGNAME`, else the `/etc/passwd` entry of `uid`, else empty).
    pub user: String,
    /// Real user id of this process.
    pub uid: u32,
    /// Working directory.
    pub cwd: String,
    /// Detected AI agent (see `AGENTS`); `GUARD_AGENT=name` declares one explicitly.
    pub agent: Option<String>,
    /// Detected CI system.
    pub ci: Option<String>,
    /// True if standard input and standard error are terminals (see [`Context::actor`]).
    pub terminal: bool,
    /// Context values fixed by the caller (`guard check --actor/--environment`, rule
    /// examples): they replace what would be detected or read from the target.
    pub pinned: crate::policy::ContextValues,
}

/// Actors, as the context value `actor` names them.
pub mod actor {
    /// A person at a terminal.
    pub const PERSON: &str = "person";
    /// An AI coding agent.
    pub const AGENT: &str = "agent";
    /// A CI job.
    pub const CI: &str = "ci";
    /// No terminal and no agent or CI variables: a script, a cron job, or an agent that
    /// cleared its variables. Never treated as a person.
    pub const AUTOMATION: &str = "automation";
}

impl Context {
    /// Reads the context from the process environment.
    pub fn detect() -> Context {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .or_else(|_| std::fs::read_to_string("/etc/hostname"))
            .map(|s| s.trim().to_string())
            .unwrap_or_default();
        let agent = AGENTS.iter().find_map(|(k, name)| {
            env(k).map(|v| if *name == "declared" { v } else { name.to_string() })
        });
        let mut ci = CIS.iter().find(|(k, _)| env(k).is_some_and(|v| v != "false" && v != "0")).map(|(_, n)| n.to_string());
        let mut agent = agent;
        // GUARD_ACTOR may only narrow: declare an agent or CI, never a person.
        match env("GUARD_ACTOR").as_deref().map(|v| v.split_once(':').unwrap_or((v, ""))) {
            Some(("agent", name)) if agent.is_none() => {
                agent = Some(if name.is_empty() { "declared".to_string() } else { name.to_string() });
            }
            Some(("ci", name)) if ci.is_none() => ci = Some(if name.is_empty() { "declared".to_string() } else { name.to_string() }),
            _ => {}
        }
        use std::io::IsTerminal;
        let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX);
        Context {
            time: rfc3339(SystemTime::now()),
            host,
            user: env("USER").or_else(|| env("LOGNAME")).unwrap_or_else(|| user_name(uid)),
            uid,
            cwd: std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default(),
            agent,
            ci,
            terminal,
            pinned: crate::policy::ContextValues::new(),
        }
    }

    /// Who acts ([`actor`]): a pinned `actor` value; else `agent` when an AI agent is
    /// detected or declared, `ci` for a CI job, `person` only with a terminal on stdin and
    /// stderr, `automation` otherwise (an agent that clears its variables has no terminal, so it
    /// is never a person).
    pub fn actor(&self) -> String {
        if let Some(a) = self.pinned.get("actor").and_then(|v| v.as_str()) {
            return a.to_string();
        }
        if self.agent.is_some() {
            actor::AGENT
        } else if self.ci.is_some() {
            actor::CI
        } else if self.terminal {
            actor::PERSON
        } else {
            actor::AUTOMATION
        }
        .to_string()
    }

    /// The context values of the actor (`actor`, `agent`), then the pinned ones.
    pub fn values(&self) -> crate::policy::ContextValues {
        let mut cv = crate::policy::ContextValues::new().with("actor", self.actor());
        if let Some(a) = &self.agent {
            cv = cv.with("agent", a.clone());
        }
        for (k, v) in self.pinned.values() {
            cv = cv.with(k, v.clone());
        }
        cv
    }

    /// A fixed context for rule and catalog examples: a person at a terminal, nothing
    /// detected, with `pinned` values.
    pub fn example(pinned: crate::policy::ContextValues) -> Context {
        let who = pinned.get("actor").cloned().unwrap_or_else(|| actor::PERSON.into());
        Context {
            time: rfc3339(SystemTime::now()),
            host: String::new(),
            user: String::new(),
            uid: 0,
            cwd: String::new(),
            agent: None,
            ci: None,
            terminal: true,
            pinned: pinned.with("actor", who),
        }
    }
}

/// The login name of `uid` from `/etc/passwd` (passwd(5)), or empty.
fn user_name(uid: u32) -> String {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|l| {
            let mut f = l.split(':');
            let name = f.next()?;
            (f.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
        })
        .unwrap_or_default()
}

/// The terminal of a person, when there is one to ask; else why not. None unless the actor is
/// a person (an AI agent or CI is detected or declared, or stdin or stderr is not a terminal:
/// an agent could answer its own question), and none when the terminal looks made by
/// automation ([`automation_pty`]).
pub fn person_tty(ctx: &Context) -> Result<std::fs::File, String> {
    let who = ctx.actor();
    if who != actor::PERSON {
        return Err(format!("the actor is {who}"));
    }
    if let Some(why) = automation_pty() {
        return Err(why);
    }
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|e| format!("no terminal to ask on (/dev/tty: {e})"))
}

/// Process names of AI agents (the executable name the kernel shows in `/proc/PID/comm`).
/// Sources: each tool's installed command name.
pub const AGENT_PROCESSES: &[&str] = &["claude", "codex", "gemini", "cursor-agent", "aider", "opencode", "goose", "cline", "amp", "crush"];

/// Programs that make a pseudo-terminal for another program (script(1), expect(1),
/// unbuffer(1) of expect, empty(1)), as `/proc/PID/comm` names them.
pub const PTY_MAKERS: &[&str] = &["script", "expect", "unbuffer", "empty", "tclsh", "socat"];

/// Most ancestors looked at (bounded work).
const MAX_ANCESTORS: usize = 64;

/// One `/proc/PID/stat` line's fields guard uses (proc(5)).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Stat {
    comm: String,
    ppid: u32,
    session: u32,
    tty_nr: i64,
}

fn stat(pid: &str) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

/// Parses `pid (comm) state ppid pgrp session tty_nr ...`; `comm` may hold spaces and `)`.
fn parse_stat(text: &str) -> Option<Stat> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text.get(open + 1..close)?.to_string();
    let mut f = text.get(close + 1..)?.split_whitespace();
    let _state = f.next()?;
    let ppid = f.next()?.parse().ok()?;
    let _pgrp = f.next()?;
    let session = f.next()?.parse().ok()?;
    let tty_nr = f.next()?.parse().ok()?;
    Some(Stat { comm, ppid, session, tty_nr })
}

/// The best signal there is, without privilege, that this process's terminal was made by
/// automation rather than being a person's: the reason, or `None`. Read from `/proc` (Linux;
/// elsewhere `None`), only when a person-only decision is due (an ask, `guard approve`,
/// `guard trust`). It says so when
/// - this process has no controlling terminal (`tty_nr` 0);
/// - an ancestor (up to 64) is a known AI agent process ([`AGENT_PROCESSES`]);
/// - the terminal session's leader was started by a pty-making program ([`PTY_MAKERS`]:
///   `script`, `expect`, `unbuffer`, ...) that itself has no controlling terminal, i.e. a
///   process without a terminal made this one (a person running `script` in their terminal
///   is not affected).
///
/// What it cannot see (docs/rules.md): a renamed copy of such a program, a pty made by the
/// agent's own code (Python's `pty`, a terminal library), a terminal multiplexer or `ssh -t`
/// started by the agent, and an agent process that does not carry its usual name.
pub fn automation_pty() -> Option<String> {
    let me = stat("self")?;
    if me.tty_nr == 0 {
        return Some("this process has no controlling terminal".into());
    }
    let mut pid = me.ppid;
    for _ in 0..MAX_ANCESTORS {
        if pid <= 1 {
            break;
        }
        let Some(s) = stat(&pid.to_string()) else { break };
        if AGENT_PROCESSES.contains(&s.comm.as_str()) {
            return Some(format!("an AI agent process ({}, pid {pid}) started this one", s.comm));
        }
        pid = s.ppid;
    }
    let leader = stat(&me.session.to_string())?;
    let maker = stat(&leader.ppid.to_string())?;
    (PTY_MAKERS.contains(&maker.comm.as_str()) && maker.tty_nr == 0).then(|| {
        format!(
            "the terminal was made by {} (pid {}), which runs without a terminal: a pseudo-terminal made by automation, not a person's",
            maker.comm, leader.ppid
        )
    })
}

/// Asks `question` on `tty`; true only for an explicit yes (`y`, `yes`, any case).
pub fn ask_yes(tty: &std::fs::File, question: &str) -> bool {
    use std::io::{BufRead, Write};
    let mut w = tty;
    let _ = write!(w, "{question} [y/N] ");
    let _ = w.flush();
    let mut line = String::new();
    let _ = std::io::BufReader::new(tty).read_line(&mut line);
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

/// Asks `question` on `tty`; true only if the person types exactly `name`.
pub fn ask_typed(tty: &std::fs::File, question: &str, name: &str) -> bool {
    use std::io::{BufRead, Write};
    let mut w = tty;
    let _ = write!(w, "{question} ");
    let _ = w.flush();
    let mut line = String::new();
    let _ = std::io::BufReader::new(tty).read_line(&mut line);
    line.trim() == name
}

/// Formats a time as RFC 3339 UTC with microseconds (`YYYY-MM-DDTHH:MM:SS.uuuuuuZ`).
/// Uses the days-to-civil algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
pub fn rfc3339(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_micros()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stat_lines() {
        let s = parse_stat("42 (a (b) c) S 7 42 40 34816 42 4194560 0").unwrap();
        assert_eq!(s, Stat { comm: "a (b) c".into(), ppid: 7, session: 40, tty_nr: 34816 });
        assert_eq!(parse_stat("42 (x"), None);
    }

    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00.000000Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_micros(1_795_219_200_000_001)), "2026-11-21T00:00:00.000001Z");
    }
}
