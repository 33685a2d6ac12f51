//! Command-line interface: every flag is defined here (clap), and [`main`] dispatches to the
//! commands in [`crate::cmd`]. Exit statuses are in [`crate::exit`].

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::bash_args;
use crate::cmd;
use crate::exit::{self, Error};
use crate::format::Format;
use crate::hook;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Ways in:
  guard [OPTIONS] -- PROGRAM [ARGS...]   analyse PROGRAM ARGS as one simple command, then exec it or refuse (exit 126)
  guard -c 'SCRIPT' [ARG0 [ARGS...]]     bash-compatible: analyse the whole script, then exec the real bash
                                         ($GUARD_SHELL or /bin/bash) with the same arguments. Any bash option
                                         form works: -lc, -ec, -euo pipefail -c, -O extglob -c, --login -c, ...
  guard SCRIPT.sh [ARGS...]              bash-compatible: analyse the script file, then run it with bash
  guard check ...                        static verdicts, never runs anything

Environment:
  GUARD_AUDIT_LOG   audit log path (default: $XDG_STATE_HOME/guard/audit.jsonl)
  GUARD_KEY         signing key path (default: $XDG_CONFIG_HOME/guard/audit.key, created 0600 on first use)
  GUARD_SHELL       the real shell for shell mode (default /bin/bash; bash, sh, dash, ksh, mksh, zsh or busybox)
  GUARD_RULES       an extra rule file (may only tighten the rules)

Exit status: the command's own; 126 refused; 2 guard could not decide safely (nothing ran).
A refused `ask` prints `guard approve N ...`: a person runs it at their own terminal to let that
exact command run once within 10 minutes (exit 0 approved, 1 declined, 2 not possible).";

/// guard: an execution guardrail for shell commands, SQL and infrastructure tools.
///
/// Parses what is about to run (bash with tree-sitter, SQL with sqlparser), checks the facts
/// against rules, then runs it or refuses, and appends a signed audit record either way.
#[derive(Parser, Debug)]
#[command(name = "guard", version, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The program and arguments to analyse and run (after `--`).
    #[arg(last = true, value_name = "PROGRAM [ARGS]...")]
    argv: Vec<OsString>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check scripts, SQL, CI workflows and other files holding shell, without running anything.
    ///
    /// Files and directories (walked recursively, honouring .gitignore; hidden files skipped
    /// except .github and .gitlab-ci.yml; binary files skipped). The language comes from the
    /// name and the shebang: shell (.sh, #!/bin/sh), SQL (.sql), and the shell inside GitHub
    /// Actions workflows and actions, .gitlab-ci.yml, Makefiles, Dockerfiles, package.json,
    /// docker-compose files and Kubernetes manifests. A named file with neither name nor shebang
    /// is shell. `-` reads a script from standard input.
    ///
    /// Exit status: 0 no finding at or above --severity, 1 findings, 2 usage or I/O error.
    Check {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Exit 1 when a finding is at or above this level: deny, ask, warn or info.
        #[arg(long, value_name = "LEVEL", default_value = "ask", value_parser = crate::check::parse_severity)]
        severity: crate::policy::Action,
        /// Read files without a known name or a shebang as shell, also in directory walks
        /// (bash and sh are read alike).
        #[arg(long, value_name = "SHELL", value_parser = ["bash", "sh"])]
        shell: Option<String>,
        /// The SQL dialect of .sql files (default: a `-- dialect: NAME` comment in the first
        /// lines, else postgres): postgres, mysql, sqlite, duckdb, generic.
        #[arg(long, value_name = "DIALECT", value_parser = crate::check::parse_dialect)]
        sql_dialect: Option<crate::catalog::SqlDialect>,
        /// Check this command line instead of files.
        #[arg(short = 'c', long = "command", value_name = "LINE", conflicts_with = "files")]
        command: Option<String>,
        /// Files and directories to check (`-` for standard input).
        #[arg(value_name = "PATH", required_unless_present = "command")]
        files: Vec<PathBuf>,
        /// Decide as for this actor (person, agent, ci, automation) instead of the detected one.
        #[arg(long, value_name = "ACTOR", value_parser = ["person", "agent", "ci", "automation"])]
        actor: Option<String>,
        /// Decide as if every command pointed at this environment (production, staging, ...)
        /// instead of the one read from its target.
        #[arg(long, value_name = "NAME")]
        environment: Option<String>,
    },
    /// A Language Server (LSP, on stdin/stdout): `guard check` diagnostics for editors, on
    /// open and on change.
    Lsp,
    /// Show how a command line is understood (commands, facts, rules), or document a rule.
    Explain {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// A command line, or a rule id such as `sql.drop`.
        target: String,
    },
    /// Inspect and verify the audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// List the effective rules, or test every rule against its examples.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Answer an AI agent's pre-tool hook (JSON on stdin, decision JSON on stdout).
    Hook {
        /// The agent's hook protocol.
        #[arg(value_enum)]
        agent: hook::Agent,
    },
    /// Approve the exact content of this project's .guard/rules files, so they may loosen rules.
    ///
    /// Needs a person at a terminal; refused when an AI agent or CI is detected. Any later edit
    /// of a file makes it untrusted again.
    Trust {
        /// List the approvals instead.
        #[arg(long, conflicts_with = "revoke")]
        list: bool,
        /// Revoke the approvals of this project's files.
        #[arg(long)]
        revoke: bool,
    },
    /// Approve one refused agent command once, from a person's own terminal.
    ///
    /// RECORD is the audit record number the refusal printed (`guard approve N`). Shows the
    /// command and its findings from the verified audit log, asks on the terminal, then lets
    /// exactly that command (same text, directory and rules) run once within 10 minutes.
    Approve {
        /// The audit record number (`seq`) of the refused run.
        record: String,
        /// The audit log the record is in (default: $GUARD_AUDIT_LOG or the state directory).
        #[arg(long)]
        log: Option<PathBuf>,
        /// A public key file (hex) to verify the log with, instead of the local key's; repeatable.
        #[arg(long)]
        pubkey: Vec<PathBuf>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Verify every record's signature and the hash chain; report the first bad line.
    Verify {
        /// The log (default: $GUARD_AUDIT_LOG or the state directory).
        #[arg(long)]
        log: Option<PathBuf>,
        /// A public key file (hex) to verify with, instead of the local key's; repeatable.
        #[arg(long)]
        pubkey: Vec<PathBuf>,
    },
    /// Print the last records of the log, one JSON object per line.
    Show {
        /// The log (default: $GUARD_AUDIT_LOG or the state directory).
        #[arg(long)]
        log: Option<PathBuf>,
        /// How many of the last records to print.
        #[arg(short = 'n', long, default_value_t = 10)]
        last: usize,
    },
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List the effective rules: id, action, source, summary.
    List,
    /// Run every rule's examples through the analyzer; exit 1 if any is wrong.
    Test,
    /// Report exceptions naming unknown rules, expired exceptions, shadowed rules and ignored
    /// loosening attempts of untrusted layers; exit 1 if there is any.
    Lint,
}

/// Runs guard with the process arguments; returns the exit status.
pub fn main() -> ExitCode {
    dispatch().unwrap_or_else(|e| e.report())
}

fn dispatch() -> exit::Result {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some(first) = args.get(1).and_then(|a| a.to_str()) {
        let first_is_file = !first.starts_with('-') && !first.starts_with('+') && is_script_operand(first);
        if bash_args::looks_like_shell(first) || first_is_file {
            return cmd::shell::run(args.get(1..).unwrap_or_default());
        }
    }
    // `guard hook AGENT --in-child`: the analysing child of `guard hook` (internal, so not
    // part of the documented interface or the completions).
    if let [_, sub, agent, flag] = args.as_slice()
        && sub == "hook"
        && flag == cmd::hook::CHILD_FLAG
        && let Some(agent) = agent.to_str().and_then(|a| hook::Agent::from_str(a, false).ok())
    {
        return cmd::hook::child(agent);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { exit::ERROR } else { 0 };
            let _ = e.print();
            return Ok(ExitCode::from(code));
        }
    };
    match cli.command {
        None if !cli.argv.is_empty() => cmd::wrap::run(&cli.argv),
        None => Err(Error::new(
            exit::ERROR,
            "guard: nothing to run. Usage: guard -- PROGRAM [ARGS...] | guard -c SCRIPT | guard check ...\n\
             Run 'guard --help' for more.",
        )),
        Some(Command::Check { format, severity, shell, sql_dialect, command, files, actor, environment }) => {
            let pinned = [("actor", actor), ("environment", environment)]
                .into_iter()
                .filter_map(|(k, v)| v.map(|v| (k, v)))
                .fold(crate::policy::ContextValues::new(), |cv, (k, v)| cv.with(k, v));
            cmd::check::run(&crate::check::Options { format, command, paths: files, severity, shell: shell.is_some(), sql_dialect, pinned })
        }
        Some(Command::Lsp) => crate::check::lsp::run(),
        Some(Command::Explain { format, target }) => cmd::explain::run(format, &target),
        Some(Command::Audit { command: AuditCommand::Verify { log, pubkey } }) => cmd::audit::verify(log, &pubkey),
        Some(Command::Audit { command: AuditCommand::Show { log, last } }) => cmd::audit::show(log, last),
        Some(Command::Rules { command: RulesCommand::List }) => cmd::rules::list(),
        Some(Command::Rules { command: RulesCommand::Test }) => cmd::rules::test(),
        Some(Command::Rules { command: RulesCommand::Lint }) => cmd::rules::lint(),
        Some(Command::Hook { agent }) => cmd::hook::run(agent),
        Some(Command::Trust { list, revoke }) => cmd::trust::run(list, revoke),
        Some(Command::Approve { record, log, pubkey }) => cmd::approve::run(&record, log, &pubkey),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "guard", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// True if `first` is a script file operand (bash `guard script.sh`) rather than a subcommand.
fn is_script_operand(first: &str) -> bool {
    !Cli::command().get_subcommands().any(|s| s.get_name() == first || s.get_all_aliases().any(|a| a == first))
        && first != "help"
        && std::path::Path::new(first).is_file()
}
