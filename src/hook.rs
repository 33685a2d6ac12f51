//! The agent hook protocols, as data: for each agent ([`ADAPTERS`]), the event guard answers,
//! the channels the agent reads, what it does when a hook fails or times out, and how guard
//! says deny and ask. The process handling (analysis in a child, fail closed) is
//! `cmd::hook`; `docs/hooks.md` embeds [`doc_table`] (a test keeps it current).
//!
//! - `claude` (Claude Code `PreToolUse` hooks, tool `Bash`): input `{"tool_name": "Bash",
//!   "tool_input": {"command": "..."}, "cwd": "..."}`; output
//!   `{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny"|"ask",
//!   "permissionDecisionReason": "..."}}`. For allow and warn guard prints no decision, so the
//!   agent's own permission settings still apply (guard never approves on a person's behalf).
//! - `gemini` (Gemini CLI `BeforeTool` hooks, tool `run_shell_command`): same input shape;
//!   output `{"decision": "deny", "reason": "..."}` for deny and ask (the protocol has no ask).

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

use crate::policy::Action;
use serde_json::{json, Value};
use std::time::Duration;

/// The agent protocols `guard hook` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Agent {
    /// Claude Code PreToolUse.
    Claude,
    /// Gemini CLI BeforeTool.
    Gemini,
}

/// Tool names whose `tool_input.command` is a shell command (Claude Code `Bash`, Gemini CLI
/// `run_shell_command`, and the `shell`/`exec_command` of other agents speaking these
/// protocols). Other tools are not guard's business.
pub const SHELL_TOOLS: &[&str] = &["Bash", "run_shell_command", "shell", "exec_command"];

/// How long guard gives its analysis before it blocks the call instead: well inside every
/// agent's default hook timeout ([`Adapter::agent_timeout`]), so guard, not the agent's
/// timeout (which lets the call through), decides.
pub const BUDGET: Duration = Duration::from_secs(10);

/// One agent's hook protocol, with its source.
#[derive(Debug, Clone, Copy)]
pub struct Adapter {
    /// The protocol.
    pub agent: Agent,
    /// The agent's name.
    pub product: &'static str,
    /// The hook event guard answers.
    pub event: &'static str,
    /// The channels the agent reads, and how.
    pub reads: &'static str,
    /// What the agent does when a hook exits with another status, crashes or cannot start.
    pub on_error: &'static str,
    /// What the agent does when a hook times out.
    pub on_timeout: &'static str,
    /// The agent's default hook timeout.
    pub agent_timeout: Duration,
    /// guard's answer for a deny (and for an ask, when the protocol has one).
    pub deny_and_ask: &'static str,
    /// The reference the rows were checked against.
    pub source: &'static str,
}

/// Every adapter guard speaks.
pub const ADAPTERS: &[Adapter] = &[CLAUDE, GEMINI];

/// Claude Code.
const CLAUDE: Adapter = Adapter {
        agent: Agent::Claude,
        product: "Claude Code",
        event: "PreToolUse",
        reads: "exit 0: stdout JSON `hookSpecificOutput.permissionDecision`; exit 2: blocks, stderr is the reason (stdout ignored)",
        on_error: "any other exit status (1, 101, 134, a signal): non-blocking error, the tool call runs",
        on_timeout: "the tool call runs",
        agent_timeout: Duration::from_secs(600),
        deny_and_ask: "exit 0, `permissionDecision` `deny` or `ask` with the rules as reason",
        source: "https://code.claude.com/docs/en/hooks",
};

/// Gemini CLI.
const GEMINI: Adapter = Adapter {
        agent: Agent::Gemini,
        product: "Gemini CLI",
        event: "BeforeTool",
        reads: "exit 0: stdout JSON `decision`/`reason`; exit 2: blocks, stderr is the reason",
        on_error: "any other exit status: a warning, the tool call runs",
        on_timeout: "the tool call runs",
        agent_timeout: Duration::from_secs(60),
        deny_and_ask: "exit 0, `{\"decision\": \"deny\"}` with the rules as reason (no ask in the protocol: ask is deny)",
        source: "https://geminicli.com/docs/hooks/reference",
};

impl Agent {
    /// This agent's protocol.
    pub fn adapter(self) -> &'static Adapter {
        match self {
            Agent::Claude => &CLAUDE,
            Agent::Gemini => &GEMINI,
        }
    }

    /// The lowercase name, as on the command line (`guard hook claude`).
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "claude",
            Agent::Gemini => "gemini",
        }
    }

    /// The decision JSON for `verdict` with `reason`; `None` for allow and warn (guard prints
    /// nothing, so the agent's own permission flow applies).
    pub fn answer(self, verdict: Action, reason: &str) -> Option<Value> {
        match (self, verdict) {
            (_, Action::Allow | Action::Warn) => None,
            (Agent::Claude, v) => Some(json!({"hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": v.as_str(),
                "permissionDecisionReason": reason,
            }})),
            (Agent::Gemini, _) => Some(json!({"decision": "deny", "reason": reason})),
        }
    }

    /// The deny JSON with `reason`.
    pub fn deny(self, reason: &str) -> Value {
        self.answer(Action::Deny, reason).unwrap_or(Value::Null)
    }
}

/// guard's answer when the analysis ends abnormally (panic, stack overflow, out of memory, a
/// signal, unparseable output), takes longer than [`BUDGET`], or the input or rules are bad.
pub const ON_FAILURE: &str = "deny JSON on stdout, the reason on stderr, exit 2";

/// The adapters as a Markdown table (embedded in docs/hooks.md).
pub fn doc_table() -> String {
    let mut s = String::from(
        "| Agent (`guard hook …`) | Event | Channels the agent reads | On a hook error | On a hook timeout | Agent's default timeout | guard: deny / ask | guard: analysis crashed, over budget, bad input |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for a in ADAPTERS {
        s.push_str(&format!(
            "| [{}]({}) (`{}`) | `{}` | {} | {} | {} | {} s | {} | {}; guard answers within {} s |\n",
            a.product,
            a.source,
            a.agent.name(),
            a.event,
            a.reads,
            a.on_error,
            a.on_timeout,
            a.agent_timeout.as_secs(),
            a.deny_and_ask,
            ON_FAILURE,
            BUDGET.as_secs(),
        ));
    }
    s
}
