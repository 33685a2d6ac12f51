//! `config.toml` of the layers: named environments, the enforcement mode, and exceptions.
//!
//! Files, in order: `/etc/guard/config.toml` (system), `$XDG_CONFIG_HOME/guard/config.toml`
//! (user) and `.guard/config.toml` of the project (the working directory or the nearest parent
//! with a `.guard` directory). System and user files are trusted; a project file is trusted only
//! once a person approved its exact content with `guard trust` ([`crate::trust`]). What an
//! untrusted project file may do: add production patterns (tighten). Everything else in it
//! (environments other than production, `mode`, exceptions) is ignored, with a note.
//!
//! ```toml
//! mode = "enforce"                 # or "observe": decide and record, then run (for rollout)
//! allow_observe = false            # system layer only: forbid observe for everyone
//! approvals = "/var/lib/guard/approvals"  # system layer only: the privileged approval store
//! trust_user_layer = false         # system layer only: user rules/config and project files
//!                                  # (guard trust) may only tighten (the privileged setup)
//! [environments]                   # glob patterns on the target's host, database, kube
//! production = ["db-main.*", "*-prd"]  # context, namespace, cloud account (AWS profile,
//! staging = ["db-stg.*"]           # gcloud project, Azure subscription)
//! [[exception]]
//! rules = ["context.read-only-production"]
//! reason = "nightly cleanup job, ticket OPS-142"   # required
//! expires = 2026-12-31             # optional: from that day on it no longer applies
//! program = "psql"                 # optional scope, all given must hold:
//! targets = ["db-prod.internal"]   #   globs on the target's host/database/context/...
//! environment = "production"       #   the environment
//! actor = "agent"                  #   the actor (agent, ci, automation, person)
//! path = "/srv/app/*"              #   a glob on the working directory
//! ```
//!
//! With no `[environments]` patterns matching, a target is production when a component of a
//! target name, split on `.`, `-`, `_` and `/`, is `prod`, `production` or `prd`
//! ([`default_production`]). Configured patterns are tried first: `production`, then the
//! other environments in name order.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::data_file::DataError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Enforcement: whether refusals stop the command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// Refusals stop the command (default).
    #[default]
    Enforce,
    /// Decide and record what would have been refused, then run it anyway (rollout).
    Observe,
}

impl Enforcement {
    /// `enforce` or `observe`, as in `config.toml` and the audit record's `enforcement`.
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Enforce => "enforce",
            Enforcement::Observe => "observe",
        }
    }
}

/// One `[[exception]]`: rules waived within a scope, for a reason, until an expiry date.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exception {
    /// The rule ids waived.
    pub rules: Vec<String>,
    /// Why (required; recorded with every waived decision).
    pub reason: String,
    /// The first day (`YYYY-MM-DD`, UTC) on which it no longer applies.
    #[serde(default)]
    pub expires: Option<toml::value::Datetime>,
    /// Only for this program (the base name: `psql`, `kubectl`).
    #[serde(default)]
    pub program: Option<String>,
    /// Only when a target name (host, database, kube context, namespace, cloud account)
    /// matches one of these globs.
    #[serde(default)]
    pub targets: Vec<String>,
    /// Only in this environment.
    #[serde(default)]
    pub environment: Option<String>,
    /// Only for this actor.
    #[serde(default)]
    pub actor: Option<String>,
    /// Only when the working directory matches this glob.
    #[serde(default)]
    pub path: Option<String>,
    /// The file it came from (set by the loader).
    #[serde(skip)]
    pub source: String,
}

impl Exception {
    /// The expiry day as `YYYY-MM-DD`, if any.
    pub fn expiry(&self) -> Option<String> {
        self.expires.as_ref().and_then(|d| d.date).map(|d| d.to_string())
    }

    /// True if the exception has expired on `today` (`YYYY-MM-DD`).
    pub fn expired(&self, today: &str) -> bool {
        self.expiry().is_some_and(|e| today >= e.as_str())
    }

    /// A short name for messages and records: its source and rules.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.source, self.rules.join(", "))
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    mode: Option<Enforcement>,
    #[serde(default)]
    allow_observe: Option<bool>,
    #[serde(default)]
    approvals: Option<PathBuf>,
    #[serde(default)]
    trust_user_layer: Option<bool>,
    #[serde(default)]
    environments: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    exception: Vec<Exception>,
}

/// The merged configuration of every layer.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Glob patterns by environment name.
    pub environments: BTreeMap<String, Vec<glob::Pattern>>,
    /// The enforcement mode the layers chose (before [`Config::enforcement`] applies the
    /// system layer's ban and the environment).
    pub mode: Enforcement,
    /// False if the system layer forbids observe mode.
    pub allow_observe: bool,
    /// The privileged approval store the system layer names (`approvals = "DIR"`), see
    /// [`crate::approval::Store::locate`].
    pub approvals: Option<PathBuf>,
    /// False if the system layer says `trust_user_layer = false` (the privileged setup: the
    /// user layer, its trust store and `guard trust` belong to the guarded user, who may be the
    /// agent): then user rules and config may only tighten, and no project file is trusted.
    pub trust_user_layer: bool,
    /// Exceptions of trusted layers.
    pub exceptions: Vec<Exception>,
    /// Notes about ignored settings (untrusted layers, a forbidden observe mode, `GUARD_MODE`).
    pub notes: Vec<String>,
    /// The files read, with their text (hashed into the rule set's identity).
    pub texts: Vec<(String, String)>,
}

/// Where a config file sits, which decides what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// `/etc/guard/config.toml`: may also forbid observe mode.
    System,
    /// The user's config directory.
    User,
    /// A project's `.guard/config.toml` approved with `guard trust`.
    TrustedProject,
    /// A project's `.guard/config.toml` nobody approved: may only add production patterns.
    Untrusted,
    /// The user's config when the system layer says `trust_user_layer = false`: as
    /// [`Layer::Untrusted`].
    UserTightenOnly,
}

/// The config files that apply to `cwd`, with their layers (the project file is
/// [`Layer::Untrusted`] here; [`Config::load`] checks its approval).
pub fn files(cwd: &Path) -> Vec<(PathBuf, Layer)> {
    let mut v = vec![(PathBuf::from("/etc/guard/config.toml"), Layer::System)];
    if let Some(c) = dirs::config_dir() {
        v.push((c.join("guard/config.toml"), Layer::User));
    }
    if let Some(p) = project_file(cwd) {
        v.push((p, Layer::Untrusted));
    }
    v
}

/// `.guard/config.toml` in `cwd` or its nearest ancestor that has a `.guard` directory.
pub fn project_file(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors().map(|d| d.join(".guard")).find(|d| d.is_dir()).map(|d| d.join("config.toml")).filter(|f| f.exists())
}

fn error(file: &str, message: String) -> DataError {
    DataError { file: file.to_string(), line: 0, column: 0, message }
}

impl Config {
    /// Reads every layer's `config.toml` for `cwd`. A file that exists but cannot be read or
    /// parsed is an error naming it (callers fail closed); a missing file is no config.
    pub fn load(cwd: &Path) -> Result<Config, DataError> {
        let mut c = Config { allow_observe: true, trust_user_layer: true, ..Config::default() };
        for (path, layer) in files(cwd) {
            let name = path.display().to_string();
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => {
                    return Err(error(
                        &name,
                        format!("cannot read config file: {e}; make it readable (chmod a+r) or remove it"),
                    ));
                }
            };
            let layer = match layer {
                Layer::Untrusted if c.trust_user_layer && crate::trust::is_trusted(&path, &text) => Layer::TrustedProject,
                Layer::User if !c.trust_user_layer => Layer::UserTightenOnly,
                l => l,
            };
            c.add(&name, &text, layer)?;
            c.texts.push((name, text));
        }
        Ok(c)
    }

    /// Adds one file's settings as `layer` allows. Errors: TOML, unknown keys, bad globs, an
    /// exception without a reason.
    pub fn add(&mut self, name: &str, text: &str, layer: Layer) -> Result<(), DataError> {
        let file: File = toml::from_str(text).map_err(|e| DataError::toml(name, text, &e))?;
        let trusted = !matches!(layer, Layer::Untrusted | Layer::UserTightenOnly);
        let (from, fix) = if layer == Layer::UserTightenOnly {
            ("the user layer", "trust_user_layer = false in /etc/guard/config.toml: it may only tighten")
        } else {
            ("an untrusted project file", "approve it with `guard trust`")
        };
        for (env, patterns) in file.environments {
            if !trusted && env != "production" {
                self.notes.push(format!("{name}: ignored: environment {env:?} from {from} (only production patterns may be added; {fix})"));
                continue;
            }
            let compiled = patterns
                .iter()
                .map(|p| glob::Pattern::new(p).map_err(|e| error(name, format!("environments.{env}: bad glob {p:?}: {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            self.environments.entry(env).or_default().extend(compiled);
        }
        if let Some(mode) = file.mode {
            if trusted {
                self.mode = mode;
            } else if mode != self.mode {
                self.notes.push(format!("{name}: ignored: mode = {:?} from {from} ({fix})", mode.as_str()));
            }
        }
        if let Some(allow) = file.allow_observe {
            if layer == Layer::System {
                self.allow_observe = allow;
            } else {
                self.notes.push(format!("{name}: ignored: allow_observe is a system setting (/etc/guard/config.toml)"));
            }
        }
        if let Some(t) = file.trust_user_layer {
            if layer == Layer::System {
                self.trust_user_layer = t;
            } else {
                self.notes.push(format!("{name}: ignored: trust_user_layer is a system setting (/etc/guard/config.toml)"));
            }
        }
        if let Some(dir) = file.approvals {
            if layer == Layer::System {
                self.approvals = Some(dir);
            } else {
                self.notes.push(format!("{name}: ignored: approvals is a system setting (/etc/guard/config.toml)"));
            }
        }
        for mut e in file.exception {
            if e.reason.trim().is_empty() {
                return Err(error(name, format!("exception for {:?} needs a reason", e.rules)));
            }
            if e.rules.is_empty() {
                return Err(error(name, "an exception needs rules = [\"RULE_ID\", ...]".into()));
            }
            for g in e.targets.iter().chain(&e.path) {
                glob::Pattern::new(g).map_err(|x| error(name, format!("exception: bad glob {g:?}: {x}")))?;
            }
            e.source = name.to_string();
            if trusted {
                self.exceptions.push(e);
            } else {
                self.notes.push(format!(
                    "{name}: ignored: exception for {:?} from {from} may not loosen rules ({fix})",
                    e.rules
                ));
            }
        }
        Ok(())
    }

    /// The enforcement in effect: the layers' mode, unless the system layer forbids observe;
    /// `GUARD_MODE` (`env_mode`) may only make it stricter (`enforce`), never `observe`.
    /// Returns the mode and a note when a request was ignored.
    pub fn enforcement(&self, env_mode: Option<&str>) -> (Enforcement, Option<String>) {
        let mut mode = self.mode;
        let mut note = None;
        if mode == Enforcement::Observe && !self.allow_observe {
            mode = Enforcement::Enforce;
            note = Some("observe mode is forbidden by /etc/guard/config.toml (allow_observe = false); enforcing".to_string());
        }
        match env_mode {
            Some("enforce") => mode = Enforcement::Enforce,
            Some("observe") if mode != Enforcement::Observe => {
                note = Some("GUARD_MODE=observe is ignored: the environment may only make guard stricter; enforcing".into());
            }
            _ => {}
        }
        (mode, note)
    }

    /// The environment a set of target names is in: the first configured environment (production
    /// first) one of whose patterns matches a name, else `production` if [`default_production`]
    /// holds for a name, else `None` (unknown).
    pub fn classify<'a>(&self, names: impl IntoIterator<Item = &'a str> + Clone) -> Option<String> {
        let order = self.environments.get_key_value("production").into_iter().chain(self.environments.iter().filter(|(k, _)| *k != "production"));
        for (env, patterns) in order {
            if names.clone().into_iter().any(|n| patterns.iter().any(|p| p.matches(n))) {
                return Some(env.clone());
            }
        }
        names.into_iter().any(default_production).then(|| "production".to_string())
    }
}

/// True if a component of `name`, split on `.`, `-`, `_` and `/`, is `prod`, `production` or
/// `prd` (any case): `db-prod.internal` is production, `products` is not.
pub fn default_production(name: &str) -> bool {
    name.split(['.', '-', '_', '/', ':', '@']).any(|c| matches!(c.to_ascii_lowercase().as_str(), "prod" | "production" | "prd"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_production_components() {
        assert!(default_production("db-prod.internal"));
        assert!(default_production("prd"));
        assert!(default_production("arn:aws:eks:x:cluster/Production"));
        assert!(!default_production("products"));
        assert!(!default_production("db-staging"));
    }

    #[test]
    fn untrusted_layer_only_adds_production() {
        let mut c = Config::default();
        c.add("p", "mode = \"observe\"\n[environments]\nproduction = [\"x-*\"]\nstaging = [\"db-prod\"]\n[[exception]]\nrules = [\"a\"]\nreason = \"r\"\n", Layer::Untrusted).unwrap();
        assert_eq!(c.mode, Enforcement::Enforce);
        assert!(c.exceptions.is_empty());
        assert_eq!(c.classify(["x-1"]), Some("production".into()));
        assert_eq!(c.classify(["db-prod"]), Some("production".into()));
        assert_eq!(c.notes.len(), 3);
    }

    #[test]
    fn guard_mode_only_tightens() {
        let c = Config { mode: Enforcement::Enforce, allow_observe: true, ..Config::default() };
        assert_eq!(c.enforcement(Some("observe")).0, Enforcement::Enforce);
        let o = Config { mode: Enforcement::Observe, allow_observe: true, ..Config::default() };
        assert_eq!(o.enforcement(None).0, Enforcement::Observe);
        assert_eq!(o.enforcement(Some("enforce")).0, Enforcement::Enforce);
        let banned = Config { mode: Enforcement::Observe, allow_observe: false, ..Config::default() };
        assert_eq!(banned.enforcement(None).0, Enforcement::Enforce);
    }
}
