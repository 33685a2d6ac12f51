//! Where a command points: the database, Kubernetes context, cloud account or git branch it
//! acts on, read from its command line, its environment assignments, the process environment
//! and the tools' own configuration files, as context values rules test
//! (`target.host`, `target.database`, `target.kube_context`, ...; `facts.toml`).
//!
//! Read only when a loaded rule tests a context value (see [`crate::engine`]); each source is
//! cheap (flags, variables, one small file). The tools and where each reads its target, by
//! class ([`CLASSES`]):
//! - libpq clients (psql, pg_dump, ...): `-h/--host`, `-p/--port`, `-U/--username`,
//!   `-d/--dbname` or the first operand (a name, a `postgresql://` URL or `key=value`
//!   conninfo), then `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, and `service=`/`PGSERVICE`
//!   looked up in `PGSERVICEFILE` or `~/.pg_service.conf` (PostgreSQL manual §32.1.2
//!   "Parameter Key Words", §32.15 "Environment Variables", §32.17 "The Connection Service File").
//! - MySQL clients: `-h/--host`, `-P/--port`, `-u/--user`, `-D/--database` or the first
//!   operand, then `MYSQL_HOST`, `MYSQL_TCP_PORT` (MySQL 8.0 manual §6.2.2.1, §6.9).
//! - kubectl, oc, helm: `--context` (helm `--kube-context`, `HELM_KUBECONTEXT`),
//!   `-n/--namespace` (`HELM_NAMESPACE`), `--kubeconfig`, else `KUBECONFIG` (a `:`-separated
//!   list) or `~/.kube/config`: the first file's `current-context`, and that context's
//!   `namespace` (kubectl config(1), "Organizing Cluster Access Using kubeconfig Files").
//! - aws: `--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`; `--region`, `AWS_REGION`,
//!   `AWS_DEFAULT_REGION` (AWS CLI user guide, "Environment variables").
//! - gcloud: `--project`, `CLOUDSDK_CORE_PROJECT`, else `project` in the active configuration
//!   (`~/.config/gcloud/configurations/config_NAME`) (gcloud topic configurations).
//! - az: `--subscription`, `AZURE_SUBSCRIPTION_ID`.
//! - ssh, redis-cli, mongosh and the like: the host operand or `-h`.
//! - git branch: `.git/HEAD` of the working directory (gitrepository-layout(5)).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::fact::Origin;
use crate::policy::ContextValues;
use std::path::{Path, PathBuf};

/// The target of one command. Empty fields are unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// The host connected to (database, SSH or API host).
    pub host: Option<String>,
    /// The TCP port.
    pub port: Option<i64>,
    /// The database.
    pub database: Option<String>,
    /// The user connected as.
    pub user: Option<String>,
    /// The kubeconfig context.
    pub kube_context: Option<String>,
    /// The Kubernetes namespace.
    pub namespace: Option<String>,
    /// The AWS profile, gcloud project or Azure subscription.
    pub cloud_account: Option<String>,
    /// The cloud region.
    pub region: Option<String>,
    /// The git branch checked out in the working directory.
    pub git_branch: Option<String>,
}

/// A class of tools that read their target the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// libpq clients.
    Postgres,
    /// MySQL and MariaDB clients.
    Mysql,
    /// kubectl and its kin.
    Kube,
    /// helm (its own flag and variable names).
    Helm,
    /// The AWS CLI.
    Aws,
    /// The Google Cloud CLI.
    Gcloud,
    /// The Azure CLI.
    Azure,
    /// Tools whose first operand or `-h` is the host.
    Host,
}

/// Programs by class (sources in the module docs).
pub const CLASSES: &[(&[&str], Class)] = &[
    (
        &["psql", "pg_dump", "pg_dumpall", "pg_restore", "createdb", "dropdb", "vacuumdb", "reindexdb", "clusterdb", "pgbench", "pg_basebackup", "pg_isready", "createuser", "dropuser"],
        Class::Postgres,
    ),
    (&["mysql", "mariadb", "mysqldump", "mariadb-dump", "mysqlpump", "mysqladmin", "mariadb-admin", "mysqlimport", "mysqlcheck", "mysqlshow"], Class::Mysql),
    (&["kubectl", "oc", "k9s", "kubectl-argo-rollouts"], Class::Kube),
    (&["helm"], Class::Helm),
    (&["aws"], Class::Aws),
    (&["gcloud", "gsutil", "bq"], Class::Gcloud),
    (&["az"], Class::Azure),
    (&["ssh", "redis-cli", "valkey-cli", "keydb-cli", "mongosh", "mongo"], Class::Host),
];

/// The class of `program`, if guard knows where it reads its target.
pub fn class(program: &str) -> Option<Class> {
    CLASSES.iter().find(|(names, _)| names.contains(&program)).map(|(_, c)| *c)
}

/// A variable's value: the invocation's own assignments first, then the process environment.
fn var(origin: Option<&Origin>, name: &str) -> Option<String> {
    let own = origin.and_then(|o| o.env.iter().rev().find(|(k, _)| k == name)).map(|(_, v)| v.clone());
    own.or_else(|| std::env::var(name).ok()).filter(|v| !v.is_empty())
}

/// The argv of `origin` read with its catalog entry's option spec: value of the last of
/// `names`, operands. Values known only at run time are left out.
struct Args {
    parsed: Option<crate::argv::Parsed>,
}

impl Args {
    fn new(o: &Origin) -> Args {
        let words: Vec<crate::shell::Word> = o
            .args
            .iter()
            .enumerate()
            .map(|(i, a)| crate::shell::Word { dynamic: o.dynamic.get(i).copied().unwrap_or(false), ..crate::shell::Word::plain(a, crate::fact::Span::default()) })
            .collect();
        let parsed = crate::catalog::program(&o.program).map(|p| crate::argv::parse(&words, p.spec()));
        Args { parsed }
    }

    fn value(&self, names: &[&str]) -> Option<String> {
        self.parsed.as_ref()?.value(names).filter(|w| !w.dynamic).map(|w| w.text.clone())
    }

    fn operand(&self, i: usize) -> Option<String> {
        self.parsed.as_ref()?.operands.get(i).filter(|w| !w.dynamic).map(|w| w.text.clone())
    }
}

/// Reads the target of a command made by `origin` (`None`: no program, e.g. a `.sql` file
/// checked on its own, which reads the process environment as psql would), in working
/// directory `cwd`.
pub fn of(origin: Option<&Origin>, cwd: &Path) -> Target {
    let mut t = Target { git_branch: git_branch(cwd), ..Target::default() };
    let class = match origin {
        Some(o) => class(&o.program),
        None => Some(Class::Postgres),
    };
    let args = origin.map(Args::new);
    let flag = |names: &[&str]| args.as_ref().and_then(|a| a.value(names));
    let operand = |i: usize| args.as_ref().and_then(|a| a.operand(i));
    match class {
        Some(Class::Postgres) => postgres(&mut t, origin, flag(&["-d", "--dbname"]).or_else(|| operand(0)), &flag),
        Some(Class::Mysql) => {
            t.host = flag(&["-h", "--host"]).or_else(|| var(origin, "MYSQL_HOST"));
            t.port = flag(&["-P", "--port"]).or_else(|| var(origin, "MYSQL_TCP_PORT")).and_then(|p| p.parse().ok());
            t.user = flag(&["-u", "--user"]).or_else(|| var(origin, "USER"));
            t.database = flag(&["-D", "--database"]).or_else(|| operand(0));
        }
        Some(Class::Kube | Class::Helm) => {
            let helm = class == Some(Class::Helm);
            let (ctx_flag, ctx_var, ns_var) =
                if helm { ("--kube-context", "HELM_KUBECONTEXT", "HELM_NAMESPACE") } else { ("--context", "", "") };
            let files = match flag(&["--kubeconfig"]) {
                Some(f) => vec![PathBuf::from(f)],
                None => kubeconfig_files(origin),
            };
            let config = Kubeconfig::read(&files);
            t.kube_context = flag(&[ctx_flag]).or_else(|| var(origin, ctx_var)).or_else(|| config.current.clone());
            t.namespace = flag(&["-n", "--namespace"])
                .or_else(|| var(origin, ns_var))
                .or_else(|| t.kube_context.as_deref().and_then(|c| config.namespace(c)));
        }
        Some(Class::Aws) => {
            t.cloud_account = flag(&["--profile"]).or_else(|| var(origin, "AWS_PROFILE")).or_else(|| var(origin, "AWS_DEFAULT_PROFILE"));
            t.region = flag(&["--region"]).or_else(|| var(origin, "AWS_REGION")).or_else(|| var(origin, "AWS_DEFAULT_REGION"));
        }
        Some(Class::Gcloud) => {
            t.cloud_account = flag(&["--project"]).or_else(|| var(origin, "CLOUDSDK_CORE_PROJECT")).or_else(gcloud_project);
        }
        Some(Class::Azure) => {
            t.cloud_account = flag(&["--subscription"]).or_else(|| var(origin, "AZURE_SUBSCRIPTION_ID"));
        }
        Some(Class::Host) => {
            let host = flag(&["-h", "--host"]).or_else(|| operand(0));
            t.host = host.map(|h| {
                let h = h.rsplit_once('@').map_or(h.as_str(), |x| x.1).to_string();
                url_parts(&h).and_then(|u| u.host).unwrap_or(h)
            });
        }
        None => {}
    }
    t
}

/// Parts of a connection URL (`scheme://user:pw@host:port/db?...`).
#[derive(Debug, Default)]
struct Url {
    host: Option<String>,
    port: Option<i64>,
    user: Option<String>,
    database: Option<String>,
}

fn url_parts(s: &str) -> Option<Url> {
    let (_, rest) = s.split_once("://")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (userinfo, hostport) = authority.rsplit_once('@').map_or((None, authority), |(u, h)| (Some(u), h));
    let (host, port) = match hostport.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())) {
        Some((h, p)) => (h, p.parse().ok()),
        None => (hostport, None),
    };
    let nonempty = |x: &str| (!x.is_empty()).then(|| x.to_string());
    Some(Url {
        host: nonempty(host.split(',').next().unwrap_or(host)),
        port,
        user: userinfo.and_then(|u| nonempty(u.split(':').next().unwrap_or(u))),
        database: nonempty(path),
    })
}

/// `key=value` pairs of a libpq conninfo string (values may be single-quoted).
fn conninfo(s: &str) -> Vec<(String, String)> {
    shlex::split(s).unwrap_or_default().into_iter().filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.trim().to_string(), v.to_string()))).collect()
}

fn postgres(t: &mut Target, origin: Option<&Origin>, dbname: Option<String>, flag: &dyn Fn(&[&str]) -> Option<String>) {
    let mut service = var(origin, "PGSERVICE");
    if let Some(d) = &dbname {
        if let Some(u) = url_parts(d).filter(|_| d.starts_with("postgres")) {
            t.host = u.host;
            t.port = u.port;
            t.user = u.user;
            t.database = u.database;
        } else if d.contains('=') {
            for (k, v) in conninfo(d) {
                match k.as_str() {
                    "host" | "hostaddr" => t.host = Some(v),
                    "port" => t.port = v.parse().ok(),
                    "user" => t.user = Some(v),
                    "dbname" => t.database = Some(v),
                    "service" => service = Some(v),
                    _ => {}
                }
            }
        } else {
            t.database = Some(d.clone());
        }
    }
    // Flags win over the connection string's defaults only where it said nothing.
    t.host = t.host.take().or_else(|| flag(&["-h", "--host"]));
    t.port = t.port.or_else(|| flag(&["-p", "--port"]).and_then(|p| p.parse().ok()));
    t.user = t.user.take().or_else(|| flag(&["-U", "--username"]));
    if let Some(s) = service {
        for (k, v) in pg_service(origin, &s) {
            match k.as_str() {
                "host" | "hostaddr" if t.host.is_none() => t.host = Some(v),
                "port" if t.port.is_none() => t.port = v.parse().ok(),
                "user" if t.user.is_none() => t.user = Some(v),
                "dbname" if t.database.is_none() => t.database = Some(v),
                _ => {}
            }
        }
    }
    t.host = t.host.take().or_else(|| var(origin, "PGHOST"));
    t.port = t.port.or_else(|| var(origin, "PGPORT").and_then(|p| p.parse().ok()));
    t.user = t.user.take().or_else(|| var(origin, "PGUSER"));
    t.database = t.database.take().or_else(|| var(origin, "PGDATABASE"));
}

/// Largest configuration file read (service file, kubeconfig), in bytes.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

fn read_small(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    (m.is_file() && m.len() <= MAX_CONFIG_BYTES).then(|| std::fs::read_to_string(path).ok()).flatten()
}

/// The settings of service `name` in the connection service file (`PGSERVICEFILE`, else
/// `~/.pg_service.conf`, else `PGSYSCONFDIR/pg_service.conf`): an INI file of `[name]`
/// sections with `key=value` lines.
fn pg_service(origin: Option<&Origin>, name: &str) -> Vec<(String, String)> {
    let mut files: Vec<PathBuf> = vec![];
    match var(origin, "PGSERVICEFILE") {
        Some(f) => files.push(f.into()),
        None => files.extend(dirs::home_dir().map(|h| h.join(".pg_service.conf"))),
    }
    files.extend(var(origin, "PGSYSCONFDIR").map(|d| Path::new(&d).join("pg_service.conf")));
    for f in files {
        let Some(text) = read_small(&f) else { continue };
        let section = ini_section(&text, name);
        if !section.is_empty() {
            return section;
        }
    }
    vec![]
}

/// The `key=value` lines of section `[name]` of an INI text.
fn ini_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut out = vec![];
    for line in text.lines().map(str::trim) {
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = s.trim() == name;
        } else if inside
            && !line.starts_with(['#', ';'])
            && let Some((k, v)) = line.split_once('=')
        {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

/// The kubeconfig files kubectl reads: `KUBECONFIG` (a `:`-separated list), else `~/.kube/config`.
fn kubeconfig_files(origin: Option<&Origin>) -> Vec<PathBuf> {
    match var(origin, "KUBECONFIG") {
        Some(list) => list.split(':').filter(|p| !p.is_empty()).map(PathBuf::from).collect(),
        None => dirs::home_dir().map(|h| h.join(".kube/config")).into_iter().collect(),
    }
}

/// What guard reads from kubeconfig files: the current context (the first file that sets
/// one wins, as kubectl merges them) and each context's namespace.
#[derive(Debug, Default)]
struct Kubeconfig {
    current: Option<String>,
    namespaces: Vec<(String, String)>,
}

impl Kubeconfig {
    fn read(files: &[PathBuf]) -> Kubeconfig {
        use saphyr::{LoadableYamlNode, Yaml};
        let mut k = Kubeconfig::default();
        for f in files {
            let Some(text) = read_small(f) else { continue };
            let Ok(docs) = Yaml::load_from_str(&text) else { continue };
            let Some(doc) = docs.first() else { continue };
            if k.current.is_none() {
                k.current = doc.as_mapping_get("current-context").and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map(str::to_string);
            }
            let contexts = doc.as_mapping_get("contexts").and_then(|c| c.as_sequence());
            for c in contexts.into_iter().flatten() {
                let name = c.as_mapping_get("name").and_then(|v| v.as_str());
                let ns = c.as_mapping_get("context").and_then(|x| x.as_mapping_get("namespace")).and_then(|v| v.as_str());
                if let (Some(name), Some(ns)) = (name, ns) {
                    k.namespaces.push((name.to_string(), ns.to_string()));
                }
            }
        }
        k
    }

    fn namespace(&self, context: &str) -> Option<String> {
        self.namespaces.iter().find(|(c, _)| c == context).map(|(_, n)| n.clone())
    }
}

/// The project of the active gcloud configuration, if one is set there.
fn gcloud_project() -> Option<String> {
    let dir = std::env::var_os("CLOUDSDK_CONFIG").map(PathBuf::from).or_else(|| dirs::config_dir().map(|c| c.join("gcloud")))?;
    let active = read_small(&dir.join("active_config")).map(|s| s.trim().to_string()).unwrap_or_else(|| "default".into());
    let text = read_small(&dir.join("configurations").join(format!("config_{active}")))?;
    ini_section(&text, "core").into_iter().find(|(k, _)| k == "project").map(|(_, v)| v)
}

/// The branch checked out in the repository containing `cwd` (`.git/HEAD` `ref: refs/heads/X`).
fn git_branch(cwd: &Path) -> Option<String> {
    let git = cwd.ancestors().take(64).map(|d| d.join(".git")).find(|g| g.exists())?;
    let dir = if git.is_file() {
        // A worktree or submodule: `gitdir: PATH`.
        let text = read_small(&git)?;
        let p = PathBuf::from(text.trim().strip_prefix("gitdir:")?.trim());
        if p.is_absolute() { p } else { git.parent()?.join(p) }
    } else {
        git
    };
    read_small(&dir.join("HEAD"))?.trim().strip_prefix("ref: refs/heads/").map(str::to_string)
}

impl Target {
    /// The names an environment is recognised by: host, database, kube context, namespace and
    /// cloud account.
    pub fn names(&self) -> Vec<&str> {
        [&self.host, &self.database, &self.kube_context, &self.namespace, &self.cloud_account].into_iter().flatten().map(String::as_str).collect()
    }

    /// Sets the `target.*` context values that are known.
    pub fn fill(&self, mut cv: ContextValues) -> ContextValues {
        let pairs = [
            ("target.host", &self.host),
            ("target.database", &self.database),
            ("target.user", &self.user),
            ("target.kube_context", &self.kube_context),
            ("target.namespace", &self.namespace),
            ("target.cloud_account", &self.cloud_account),
            ("target.region", &self.region),
            ("target.git_branch", &self.git_branch),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                cv = cv.with(k, v.clone());
            }
        }
        if let Some(p) = self.port {
            cv = cv.with("target.port", p);
        }
        cv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_conninfo() {
        let u = url_parts("postgresql://app:pw@db-prod.internal:5433/orders?sslmode=require").unwrap();
        assert_eq!((u.host.as_deref(), u.port, u.user.as_deref(), u.database.as_deref()), (Some("db-prod.internal"), Some(5433), Some("app"), Some("orders")));
        assert_eq!(conninfo("host=x dbname='my db'"), vec![("host".into(), "x".into()), ("dbname".into(), "my db".into())]);
        assert_eq!(ini_section("[a]\nhost=1\n[b]\nhost=2\n", "b"), vec![("host".into(), "2".into())]);
    }
}
