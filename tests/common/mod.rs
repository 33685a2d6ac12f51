//! Shared helpers for the end-to-end tests: the built `guard` binary in a hermetic
//! environment, the audit log it writes, and a throwaway PostgreSQL cluster.
//!
//! Nothing here is skipped when a tool is missing: the tests exist to prove behaviour on real
//! input, so a missing PostgreSQL or sqlite3 is a failure with a message saying what to install
//! (`.ci/run` installs everything these tests need).

#![allow(dead_code)]

use std::ffi::OsStr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;

pub mod check;

/// The rule ids the tests expect refusals to name.
pub const SQL_DROP: &str = "sql.drop";
pub const SQL_DELETE_WITHOUT_WHERE: &str = "sql.delete-without-where";
pub const SQL_UPDATE_WITHOUT_WHERE: &str = "sql.update-without-where";
pub const SQL_TRUNCATE: &str = "sql.truncate";

/// Exit status of a refusal in `--` and `-c` mode.
pub const REFUSED: i32 = 126;

/// No single guard invocation in these tests may take longer than this.
pub const GUARD_TIMEOUT: Duration = Duration::from_secs(60);

/// Path of the `guard` binary cargo built for these tests.
pub fn guard_bin() -> &'static Path {
    assert_cmd::cargo::cargo_bin!("guard")
}

/// A per-test environment: a temp dir holding the audit log and the signing key, used as
/// the working directory and as the XDG config/state dirs, so no user or project rules and
/// no real audit log take part.
pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        let dir = tempfile::Builder::new()
            .prefix("guard-e2e-")
            .tempdir()
            .expect("create a temp dir for the test");
        TestEnv { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `GUARD_AUDIT_LOG` of this environment.
    pub fn log(&self) -> PathBuf {
        self.path().join("audit.jsonl")
    }

    /// `GUARD_KEY` of this environment.
    pub fn key(&self) -> PathBuf {
        self.path().join("keys").join("guard.key")
    }

    /// Writes `contents` to `name` in the temp dir and returns its absolute path.
    pub fn write(&self, name: &str, contents: &str) -> PathBuf {
        let p = self.path().join(name);
        std::fs::write(&p, contents).expect("write test file");
        p
    }

    /// A std `Command` for the built binary with `GUARD_AUDIT_LOG` and `GUARD_KEY` in this
    /// environment's temp dir and every other `GUARD_*` and `PG*` variable removed.
    pub fn guard_std(&self) -> StdCommand {
        let mut cmd = StdCommand::new(guard_bin());
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy();
            if k.starts_with("GUARD_") || k.starts_with("PG") {
                cmd.env_remove(&*k);
            }
        }
        let config = self.path().join("config");
        let state = self.path().join("state");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::create_dir_all(&state).unwrap();
        cmd.env("GUARD_AUDIT_LOG", self.log())
            .env("GUARD_KEY", self.key())
            .env("XDG_CONFIG_HOME", config)
            .env("XDG_STATE_HOME", state)
            .current_dir(self.path());
        cmd
    }

    /// [`guard_std`](Self::guard_std) as an assert_cmd `Command`, with empty stdin (so `ask`
    /// is never answered by a terminal) and a timeout.
    pub fn guard(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.guard_std());
        cmd.write_stdin(Vec::<u8>::new()).timeout(GUARD_TIMEOUT);
        cmd
    }

    /// Runs guard with `args` (see [`guard`](Self::guard)) and returns its output.
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.guard().args(args).output().expect("run guard")
    }

    /// `guard -c SCRIPT`: runs `script` in shell mode and returns the output.
    pub fn shell(&self, script: impl AsRef<OsStr>) -> Output {
        self.guard().arg("-c").arg(script).output().expect("run guard")
    }

    /// The audit log's lines (empty when there is no log yet).
    pub fn log_lines(&self) -> Vec<String> {
        log_lines(&self.log())
    }

    /// The audit log's records, each parsed as JSON (panics on a line that is not JSON).
    pub fn records(&self) -> Vec<Value> {
        self.log_lines()
            .iter()
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).unwrap_or_else(|e| {
                    panic!("audit log line {} is not JSON ({e}): {l}", i + 1)
                })
            })
            .collect()
    }

    /// Runs `guard audit verify --log PATH` on `log`.
    pub fn verify(&self, log: &Path) -> Output {
        self.guard()
            .args(["audit", "verify", "--log"])
            .arg(log)
            .output()
            .expect("run guard audit verify")
    }

    /// Asserts that this environment's audit log verifies.
    #[track_caller]
    pub fn assert_log_verifies(&self) {
        let out = self.verify(&self.log());
        assert_eq!(out.status.code(), Some(0), "verify of the audit log failed:\n{}", describe(&out));
    }

    /// After one decision: exactly one audit log line more than `lines_before`, or what is wrong.
    pub fn one_new_record_problem(&self, lines_before: usize) -> Option<String> {
        let after = self.log_lines().len();
        (after != lines_before + 1).then(|| {
            format!("audit log went from {lines_before} to {after} lines; expected exactly one new record")
        })
    }
}

pub fn log_lines(path: &Path) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(s) => s.lines().map(str::to_owned).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("read audit log {}: {e}", path.display()),
    }
}

/// Everything a run printed, for failure messages.
pub fn describe(out: &Output) -> String {
    format!(
        "status: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        describe_status(out),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub fn describe_status(out: &Output) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (out.status.code(), out.status.signal()) {
        (Some(c), _) => format!("exit {c}"),
        (None, Some(s)) => format!("killed by signal {s} (or timed out)"),
        _ => "unknown".into(),
    }
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// True when `text` says `line N` for exactly this N (not `line 20` for N = 2).
pub fn names_line(text: &str, n: usize) -> bool {
    let needle = format!("line {n}");
    text.match_indices(&needle).any(|(i, _)| {
        !text[i + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// Checks a refusal: exit 126, the rule id on stderr, and a caret under the source.
/// Returns a description of what is wrong, or None.
pub fn refusal_problem(out: &Output, rule: &str) -> Option<String> {
    let err = stderr(out);
    let mut problems = Vec::new();
    if out.status.code() != Some(REFUSED) {
        problems.push(format!("expected exit {REFUSED}"));
    }
    if !err.contains(rule) {
        problems.push(format!("stderr does not name rule `{rule}`"));
    }
    if !err.contains('^') {
        problems.push("stderr has no caret under the source".to_string());
    }
    if problems.is_empty() {
        None
    } else {
        Some(format!("{}\n{}", problems.join("; "), describe(out)))
    }
}

/// After a refused statement the 5-row table `t` must be untouched: its row count (as
/// [`Db::count_t`] or the SQLite tests read it), or what is wrong.
pub fn rows_kept_problem(count: Result<i64, String>) -> Option<String> {
    match count {
        Ok(5) => None,
        Ok(n) => Some(format!("t has {n} rows afterwards, expected 5")),
        Err(e) => Some(format!("t is gone afterwards: {e}")),
    }
}

/// Flips one byte inside the value of `"verdict"` in a JSON record line, keeping it valid JSON.
pub fn tamper_one_byte(line: &str) -> String {
    let key = line.find("\"verdict\"").expect("record has a verdict field");
    let colon = key + line[key..].find(':').unwrap();
    let open = colon + line[colon..].find('"').unwrap();
    let mut bytes = line.as_bytes().to_vec();
    let i = open + 1;
    bytes[i] = if bytes[i] == b'x' { b'y' } else { b'x' };
    String::from_utf8(bytes).unwrap()
}

/// Is the process running as root? (Read from /proc, no libc needed.)
pub fn is_root() -> bool {
    if let Ok(m) = std::fs::metadata("/proc/self") {
        return m.uid() == 0;
    }
    let out = StdCommand::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Fails with a clear message unless `program` is on PATH.
pub fn require_program(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{program}` is not on PATH: install the Debian package `{package}` \
         (`bash .ci/run` installs everything the end-to-end tests need)"
    );
}

// ---------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------

/// A throwaway PostgreSQL cluster in a temp dir, listening on 127.0.0.1:PORT with trust auth
/// and its socket in the temp dir. Dropping it stops the server (`pg_ctl stop -m immediate`).
pub struct PgCluster {
    pub port: u16,
    pub bindir: PathBuf,
    /// The temp dir (owned by `postgres` when running as root); `data/` is the cluster.
    pub dir: PathBuf,
    tempdir: Option<TempDir>,
    as_postgres: bool,
}

/// A database in a [`PgCluster`].
#[derive(Clone, Debug)]
pub struct Db {
    pub port: u16,
    pub name: String,
    psql: PathBuf,
}

/// Highest-version PostgreSQL server bin dir: `$PG_BINDIR`, else `/usr/lib/postgresql/*/bin`.
pub fn pg_bindir() -> PathBuf {
    if let Some(d) = std::env::var_os("PG_BINDIR") {
        return PathBuf::from(d);
    }
    let mut best: Option<(Vec<u32>, PathBuf)> = None;
    if let Ok(rd) = std::fs::read_dir("/usr/lib/postgresql") {
        for e in rd.flatten() {
            let bin = e.path().join("bin");
            if !bin.join("initdb").is_file() || !bin.join("pg_ctl").is_file() {
                continue;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let ver: Vec<u32> = name.split('.').map(|p| p.parse().unwrap_or(0)).collect();
            if best.as_ref().is_none_or(|(b, _)| ver > *b) {
                best = Some((ver, bin));
            }
        }
    }
    match best {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin. \
             These end-to-end tests need a real PostgreSQL: install it with \
             `apt-get install postgresql` (`bash .ci/run` does), or set PG_BINDIR."
        ),
    }
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

impl PgCluster {
    /// Starts a new cluster; panics with the server log if it does not come up.
    pub fn start() -> PgCluster {
        let bindir = pg_bindir();
        let as_postgres = is_root();
        // As root the server runs as `postgres`, which must reach the dir: use /tmp (1777)
        // rather than a TMPDIR that may sit under /root.
        let base = if as_postgres { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let tempdir = tempfile::Builder::new()
            .prefix("guard-pg-")
            .tempdir_in(&base)
            .expect("create the cluster temp dir");
        let dir = tempdir.path().to_path_buf();
        if as_postgres {
            let st = StdCommand::new("chown")
                .args(["postgres:", &dir.to_string_lossy()])
                .status()
                .expect("run chown");
            assert!(
                st.success(),
                "chown postgres: {} failed; is there a `postgres` user? \
                 (it comes with the `postgresql` package)",
                dir.display()
            );
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        let mut cluster =
            PgCluster { port: 0, bindir, dir, tempdir: Some(tempdir), as_postgres };
        let data = cluster.data_dir();
        let out = cluster.run_pg(
            "initdb",
            &[
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-A"),
                OsStr::new("trust"),
                OsStr::new("-U"),
                OsStr::new("postgres"),
                OsStr::new("--no-sync"),
                OsStr::new("-E"),
                OsStr::new("UTF8"),
                OsStr::new("--locale=C"),
            ],
        );
        assert!(out.status.success(), "initdb failed:\n{}", describe(&out));

        let mut last = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let opts = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
                cluster.dir.display()
            );
            let log = cluster.dir.join("server.log");
            let out = cluster.run_pg(
                "pg_ctl",
                &[
                    OsStr::new("-D"),
                    data.as_os_str(),
                    OsStr::new("-l"),
                    log.as_os_str(),
                    OsStr::new("-o"),
                    OsStr::new(&opts),
                    OsStr::new("-w"),
                    OsStr::new("-t"),
                    OsStr::new("60"),
                    OsStr::new("start"),
                ],
            );
            if out.status.success() {
                cluster.port = port;
                return cluster;
            }
            let server_log = std::fs::read_to_string(&log).unwrap_or_default();
            last = format!("{}\n--- server.log ---\n{server_log}", describe(&out));
            if !server_log.contains("could not bind") && !server_log.contains("already in use")
            {
                break;
            }
        }
        panic!("pg_ctl start failed:\n{last}");
    }

    /// One cluster shared by all tests of a test binary. A static is never dropped, so a
    /// detached watcher stops the server and removes its dir when the test process exits.
    pub fn shared() -> &'static PgCluster {
        static SHARED: OnceLock<PgCluster> = OnceLock::new();
        SHARED.get_or_init(|| {
            let mut c = PgCluster::start();
            // Keep the dir past TempDir: the watcher removes it after the server stops.
            let dir = c.tempdir.take().unwrap().keep();
            let stop = c.stop_command_line();
            let script = format!(
                "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
                pid = std::process::id(),
                dir = dir.display(),
            );
            // Deliberately not waited for: it outlives this process.
            #[allow(clippy::zombie_processes)]
            let _watcher = StdCommand::new("sh")
                .args(["-c", &script])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .process_group(0)
                .spawn()
                .expect("spawn the cluster watcher");
            c
        })
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// Runs a server binary from `bindir`, as `postgres` when we are root.
    fn run_pg(&self, program: &str, args: &[&OsStr]) -> Output {
        let bin = self.bindir.join(program);
        let mut cmd = if self.as_postgres {
            let mut c = StdCommand::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&bin);
            c
        } else {
            StdCommand::new(&bin)
        };
        cmd.args(args)
            .current_dir(&self.dir)
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("run {}: {e}", bin.display()))
    }

    fn stop_command_line(&self) -> String {
        let pg_ctl = self.bindir.join("pg_ctl");
        let base = format!(
            "'{}' -D '{}' -m immediate -w stop",
            pg_ctl.display(),
            self.data_dir().display()
        );
        if self.as_postgres { format!("runuser -u postgres -- {base}") } else { base }
    }

    /// The cluster's `postgres` database.
    pub fn postgres_db(&self) -> Db {
        Db { port: self.port, name: "postgres".into(), psql: self.bindir.join("psql") }
    }

    /// Creates a fresh database `name` (dropping any old one) and returns it.
    pub fn create_db(&self, name: &str) -> Db {
        let pg = self.postgres_db();
        pg.query(&format!("DROP DATABASE IF EXISTS \"{name}\""));
        pg.query(&format!("CREATE DATABASE \"{name}\""));
        Db { port: self.port, name: name.into(), psql: self.bindir.join("psql") }
    }

    /// `psql` argv for the `postgres` database (program name first).
    pub fn psql_args(&self) -> Vec<String> {
        self.postgres_db().psql_args()
    }

    /// Runs `sql` with psql directly (not through guard) on the `postgres` database.
    pub fn query(&self, sql: &str) -> String {
        self.postgres_db().query(sql)
    }

    /// Is the server accepting connections?
    pub fn is_running(&self) -> bool {
        self.postgres_db().try_query("SELECT 1").is_ok()
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        if self.port == 0 || self.tempdir.is_none() {
            return; // never started, or shared (its watcher stops it)
        }
        let data = self.data_dir();
        let _ = self.run_pg(
            "pg_ctl",
            &[
                OsStr::new("-D"),
                data.as_os_str(),
                OsStr::new("-m"),
                OsStr::new("immediate"),
                OsStr::new("-w"),
                OsStr::new("stop"),
            ],
        );
    }
}

impl Db {
    /// `["psql", "-X", "-h", "127.0.0.1", "-p", PORT, "-U", "postgres", "-d", DB,
    /// "-v", "ON_ERROR_STOP=1"]`: the program is `psql` from PATH, as a user would type it.
    pub fn psql_args(&self) -> Vec<String> {
        [
            "psql",
            "-X",
            "-h",
            "127.0.0.1",
            "-p",
            &self.port.to_string(),
            "-U",
            "postgres",
            "-d",
            &self.name,
            "-v",
            "ON_ERROR_STOP=1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    /// The same as one shell word sequence, for scripts (`psql -X -h 127.0.0.1 ...`).
    pub fn psql_line(&self) -> String {
        self.psql_args().join(" ")
    }

    /// A `postgres://` URL for this database with a password in it.
    pub fn url_with_password(&self, password: &str) -> String {
        format!("postgresql://postgres:{password}@127.0.0.1:{}/{}", self.port, self.name)
    }

    /// Runs `sql` with psql directly (`-At`, not through guard); returns trimmed stdout.
    pub fn try_query(&self, sql: &str) -> Result<String, String> {
        let out = StdCommand::new(&self.psql)
            .args(["-X", "-At", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .args(["-U", "postgres", "-d", &self.name, "-v", "ON_ERROR_STOP=1", "-c", sql])
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("run psql: {e}"))?;
        if out.status.success() {
            Ok(stdout(&out).trim().to_string())
        } else {
            Err(describe(&out))
        }
    }

    /// Like `try_query`, panicking on failure.
    pub fn query(&self, sql: &str) -> String {
        self.try_query(sql)
            .unwrap_or_else(|e| panic!("psql -c {sql:?} on {} failed:\n{e}", self.name))
    }

    /// (Re)creates `t(id int primary key, v text)` with rows 1..=5.
    pub fn reset_table(&self) {
        self.query(
            "CREATE SCHEMA IF NOT EXISTS public; DROP TABLE IF EXISTS t; \
             CREATE TABLE t(id int PRIMARY KEY, v text); \
             INSERT INTO t SELECT i, 'row ' || i FROM generate_series(1, 5) i",
        );
    }

    /// `count(*)` of `t`, or a description of why it could not be read (e.g. it was dropped).
    pub fn count_t(&self) -> Result<i64, String> {
        self.try_query("SELECT count(*) FROM t")
            .and_then(|s| s.parse().map_err(|e| format!("count {s:?}: {e}")))
    }
}

// ---------------------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------------------

/// Runs `sql` on the SQLite database `file` with sqlite3 directly (not through guard).
pub fn sqlite(file: &Path, sql: &str) -> Result<String, String> {
    let out = StdCommand::new("sqlite3")
        .arg(file)
        .arg(sql)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("run sqlite3: {e} (install the Debian package `sqlite3`; `bash .ci/run` does)")
        })?;
    if out.status.success() {
        Ok(stdout(&out).trim().to_string())
    } else {
        Err(describe(&out))
    }
}

// ---------------------------------------------------------------------------------------
// Actors and terminals
// ---------------------------------------------------------------------------------------

/// Variables that make guard see an AI agent or CI (src/context.rs); removed so a test
/// chooses the actor itself.
pub const ACTOR_VARS: &[&str] = &[
    "CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT", "CODEX_SANDBOX", "CODEX_MANAGED_BY_NPM", "GEMINI_CLI", "CURSOR_AGENT",
    "AIDER_MODEL", "OPENCODE", "GOOSE_TERMINAL", "CLINE_ACTIVE", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE",
    "CIRCLECI", "JENKINS_URL", "TF_BUILD", "TRAVIS", "CI", "KUBECONFIG", "AWS_PROFILE",
];

/// A stand-in for a person's terminal emulator: `script` under another name. guard refuses to
/// see a person behind a pty that `script` made for a process without a terminal (as the
/// tests are, and as an agent would be); a terminal emulator is not such a program.
pub fn terminal(env: &TestEnv) -> std::path::PathBuf {
    let link = env.path().join("terminal-emulator");
    if !link.exists() {
        let script = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join("script"))
            .find(|p| p.is_file())
            .expect("script on PATH (bsdutils)");
        std::os::unix::fs::symlink(script, &link).unwrap();
    }
    link
}

/// Runs `guard ARGS` inside a real pseudo-terminal (a terminal emulator stand-in), typing `input`.
pub fn in_pty(env: &TestEnv, args: &str, input: &str) -> Output {
    require_program("script", "bsdutils");
    in_pty_of(terminal(env), env, args, input)
}

/// Runs `guard ARGS` inside a pseudo-terminal made by `program` (`script` or a stand-in for a
/// terminal emulator), typing `input`.
pub fn in_pty_of(program: impl AsRef<std::ffi::OsStr>, env: &TestEnv, args: &str, input: &str) -> Output {
    let line = format!("{} {args}", guard_bin().display());
    // The same hermetic environment guard itself gets in the other tests, minus agent and CI
    // variables: a person at a terminal.
    let mut s = std::process::Command::new(program);
    s.args(["-qec", &line, "/dev/null"]);
    for (k, v) in env.guard_std().get_envs() {
        match v {
            Some(v) => s.env(k, v),
            None => s.env_remove(k),
        };
    }
    for v in ACTOR_VARS {
        s.env_remove(v);
    }
    s.current_dir(env.path());
    assert_cmd::Command::from_std(s).write_stdin(input.as_bytes().to_vec()).timeout(GUARD_TIMEOUT).output().unwrap()
}


/// Writes a user-layer rule `site.orders-delete`: `critical` ask on `sql.delete` against the
/// database `orders_live`, so the person must type the target's name.
pub fn write_critical_orders_rule(env: &TestEnv) {
    let rules = env.path().join("config/guard/rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        rules.join("site.toml"),
        "[[rule]]\nid = \"site.orders-delete\"\naction = \"ask\"\ncritical = true\nsummary = \"deleting orders\"\nwhy = \"site policy\"\n\
         [rule.match]\nfact = \"sql.delete\"\n[rule.match.context]\n\"target.database\" = \"orders_live\"\n",
    )
    .unwrap();
}
