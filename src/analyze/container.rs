//! Containers that reach into their host: `docker run`/`podman run` (and `create`) with a bind
//! mount of the host's root or a system directory, or `--privileged` together with the host's
//! PID namespace. Either gives the container's root the host's root: write `/host/etc/shadow`,
//! `chroot /host`, or `nsenter -t 1 -m -u -n -i sh` into PID 1 (docker-run(1) `-v`, `--mount`,
//! `--privileged`, `--pid`; the "Docker breakout" entries of GTFOBins and HackTricks).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use super::{fs, Analyzer, Invocation};
use crate::catalog::PathMatch;
use crate::shell::Word;

/// Path handler `host_mount`: an `exec.host_escape` fact when the run mounts a host path of
/// class root or system (not read-only, except `/` itself), or is privileged in the host's PID
/// namespace. Attrs `mounts` (host paths), `classes`, `privileged`, `pid_host`.
pub fn host_mount(a: &mut Analyzer, inv: &Invocation, m: &PathMatch) {
    let mut mounts: Vec<String> = vec![];
    let mut classes: Vec<String> = vec![];
    let mut add = |a: &Analyzer, src: &str, read_only: bool, w: &Word| {
        let t = fs::in_cd(a, Word { text: src.to_string(), verbatim_at: None, ..w.clone() });
        let class = fs::classify(&t);
        if matches!(class.name(), "root") || (!read_only && matches!(class.name(), "system" | "critical" | "service_data")) {
            mounts.push(src.to_string());
            classes.push(class.name().to_string());
        }
    };
    for o in &m.parsed.options {
        let Some(v) = o.value.as_ref() else { continue };
        match o.name.as_str() {
            "-v" | "--volume" => {
                let mut parts = v.text.split(':');
                let src = parts.next().unwrap_or_default();
                let read_only = parts.nth(1).is_some_and(|opts| opts.split(',').any(|x| x == "ro" || x == "readonly"));
                if src.starts_with('/') || src.starts_with('~') || src.starts_with('$') {
                    add(a, src, read_only, v);
                }
            }
            "--mount" => {
                let fields: Vec<(&str, &str)> = v.text.split(',').map(|f| f.split_once('=').unwrap_or((f, ""))).collect();
                let get = |k: &[&str]| fields.iter().find(|(n, _)| k.contains(n)).map(|(_, x)| *x);
                let bind = get(&["type"]).is_none_or(|t| t == "bind");
                let read_only = fields.iter().any(|(n, x)| (*n == "readonly" || *n == "ro") && *x != "false");
                if let Some(src) = get(&["source", "src"]).filter(|_| bind) {
                    add(a, src, read_only, v);
                }
            }
            _ => {}
        }
    }
    let privileged = m.parsed.has(&["--privileged"]);
    let pid_host = m.parsed.value(&["--pid"]).is_some_and(|v| v.text == "host");
    if mounts.is_empty() && !(privileged && pid_host) {
        return;
    }
    a.push(
        m.fact(&inv.display(), inv.span())
            .with("program", inv.name.clone())
            .with("mounts", mounts)
            .with("classes", classes)
            .with("privileged", privileged)
            .with("pid_host", pid_host),
    );
}
