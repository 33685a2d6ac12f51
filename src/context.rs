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
        let ci = CIS.iter().find(|(k, _)| env(k).is_some_and(|v| v != "false" && v != "0")).map(|(_, n)| n.to_string());
        let uid = std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(u32::MAX);
        Context {
            time: rfc3339(SystemTime::now()),
            host,
            user: env("USER").or_else(|| env("LOGNAME")).unwrap_or_else(|| user_name(uid)),
            uid,
            cwd: std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_default(),
            agent,
            ci,
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

/// The terminal of a person, when there is one to ask: none when an AI agent or CI is
/// detected (an agent could answer its own question) or stderr is not a terminal.
pub fn person_tty(ctx: &Context) -> Option<std::fs::File> {
    use std::io::IsTerminal;
    if ctx.agent.is_some() || ctx.ci.is_some() || !std::io::stderr().is_terminal() {
        return None;
    }
    std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").ok()
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
    fn rfc3339_known_dates() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00.000000Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_micros(1_795_219_200_000_001)), "2026-11-21T00:00:00.000001Z");
    }
}
