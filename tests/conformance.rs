//! Conformance with a peer: the regression corpus of dcg (destructive_command_guard),
//! vendored verbatim into `tests/corpus/dcg/` (MIT; see its LICENSE and SOURCE.md).
//!
//! Every case runs through the real binary, `guard check --format json -c CMD`, with a
//! timeout. A crash, a hang, unparsable JSON or an exit code that contradicts the
//! verdict fails the test in every file. Outside `edge_cases/` guard must also agree
//! with dcg's verdict: guard's `deny` and `ask` count as dcg's "deny" (ask without a
//! terminal is a refusal), `allow` and `warn` as "allow".
//!
//! Deliberate disagreements are listed, each with a one-line reason, in
//! `tests/corpus/dcg_disagreements.toml`; they are left out of the agreement count.
//! The list stays reviewed: an entry whose command is not in the corpus, or which no
//! longer disagrees, fails the test.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::check::{fired_rules, guard_cmd, run_check, verdict};
use serde::Deserialize;

const TIMEOUT: Duration = Duration::from_secs(10);
/// Required agreement on the non-edge files, after deliberate disagreements are excluded.
const MIN_AGREEMENT: f64 = 0.95;

#[derive(Deserialize, Default)]
struct CorpusFile {
    #[serde(default)]
    case: Vec<CorpusCase>,
}

/// One dcg case. Most files use `expected`; canonical.toml uses `expected_decision` and
/// also holds `input_kind = "hook_json"` cases with `raw_input` instead of a command.
#[derive(Deserialize)]
struct CorpusCase {
    command: Option<String>,
    expected: Option<String>,
    expected_decision: Option<String>,
    input_kind: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DisagreementFile {
    #[serde(default)]
    case: Vec<Disagreement>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Disagreement {
    command: String,
    /// Corpus file relative to the corpus root, with `/` separators.
    file: String,
    reason: String,
}

/// What guard said about one command.
struct Outcome {
    verdict: String,
    rules: Vec<String>,
}

impl Outcome {
    /// The verdict on dcg's two-valued scale.
    fn decision(&self) -> &'static str {
        match self.verdict.as_str() {
            "deny" | "ask" => "deny",
            _ => "allow",
        }
    }
}

#[derive(Default)]
struct FileStats {
    edge: bool,
    total: usize,
    agreed: usize,
    excluded: usize,
    disagreed: Vec<String>,
}

fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dcg")
}

fn disagreements_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/dcg_disagreements.toml")
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read directory {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            toml_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "toml") {
            out.push(path);
        }
    }
}

fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("corpus file under the corpus root")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// guard's verdict on `command`, or how the run broke the output contract of `guard check`.
fn run_guard(command: &str) -> Result<Outcome, String> {
    let report = run_check(guard_cmd().args(["check", "--format", "json", "--actor", "person", "-c", command]), TIMEOUT)?;
    Ok(Outcome { verdict: verdict(&report).to_string(), rules: fired_rules(&report) })
}

fn pct(agreed: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        100.0 * agreed as f64 / total as f64
    }
}

#[test]
fn dcg_corpus_conformance() {
    let root = corpus_root();
    assert!(
        root.is_dir(),
        "the dcg corpus is missing: expected a directory at {} \
         (it is vendored in the repository at tests/corpus/dcg)",
        root.display()
    );
    let mut files = Vec::new();
    toml_files(&root, &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.toml files under {}",
        root.display()
    );

    // The reviewed list of deliberate disagreements, keyed by (file, command).
    let list_path = disagreements_path();
    let list_text = std::fs::read_to_string(&list_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", list_path.display()));
    let list: DisagreementFile = toml::from_str(&list_text)
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", list_path.display()));
    let mut problems = Vec::new();
    let mut listed: HashMap<(String, String), (&str, bool)> = HashMap::new();
    for d in &list.case {
        if d.reason.trim().is_empty() {
            problems.push(format!(
                "disagreement without a reason: {} in {}",
                d.command, d.file
            ));
        }
        if listed
            .insert(
                (d.file.clone(), d.command.clone()),
                (d.reason.as_str(), false),
            )
            .is_some()
        {
            problems.push(format!(
                "disagreement listed twice: {:?} in {}",
                d.command, d.file
            ));
        }
    }

    let mut stats: BTreeMap<String, FileStats> = BTreeMap::new();
    let mut broken = Vec::new();
    let mut skipped = Vec::new();
    for path in &files {
        let name = relative_name(&root, path);
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let corpus: CorpusFile = toml::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let file_stats = stats.entry(name.clone()).or_default();
        file_stats.edge = name.starts_with("edge_cases/");
        for (index, case) in corpus.case.iter().enumerate() {
            let kind = case.input_kind.as_deref().unwrap_or("command");
            let (Some(command), "command") = (case.command.as_deref(), kind) else {
                skipped.push(format!("{name} case #{}: input_kind = {kind:?}", index + 1));
                continue;
            };
            let Some(expected) = case
                .expected
                .as_deref()
                .or(case.expected_decision.as_deref())
            else {
                problems.push(format!("{name}: case {command:?} has no expected verdict"));
                continue;
            };
            let outcome = match run_guard(command) {
                Ok(outcome) => outcome,
                Err(why) => {
                    broken.push(format!("{name}: {command:?}\n      {why}"));
                    continue;
                }
            };
            let agrees = outcome.decision() == expected;
            let key = (name.clone(), command.to_string());
            if let Some((_, seen)) = listed.get_mut(&key) {
                *seen = true;
                if agrees {
                    problems.push(format!(
                        "listed disagreement now agrees (remove it from {}): {name}: {command:?} \
                         (dcg {expected}, guard {})",
                        list_path.display(),
                        outcome.verdict
                    ));
                } else {
                    file_stats.excluded += 1;
                }
                continue;
            }
            file_stats.total += 1;
            if agrees {
                file_stats.agreed += 1;
            } else {
                file_stats.disagreed.push(format!(
                    "{command:?}: dcg {expected}, guard {}{}",
                    outcome.verdict,
                    if outcome.rules.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", outcome.rules.join(", "))
                    }
                ));
            }
        }
    }
    for ((file, command), (_, seen)) in &listed {
        if !seen {
            problems.push(format!(
                "listed disagreement is not a command case in the corpus: {file}: {command:?}"
            ));
        }
    }

    // Report.
    let mut report = String::new();
    let (mut agreed, mut total, mut excluded) = (0, 0, 0);
    let (mut edge_agreed, mut edge_total) = (0, 0);
    writeln!(report, "dcg conformance ({}):", root.display()).unwrap();
    for (name, s) in &stats {
        let mut line = format!(
            "  {name}: {}/{} ({:.1}%)",
            s.agreed,
            s.total,
            pct(s.agreed, s.total)
        );
        if s.excluded > 0 {
            write!(line, ", {} deliberate disagreement(s) excluded", s.excluded).unwrap();
        }
        if s.edge {
            line += " [edge case: no-crash/no-hang only]";
            edge_agreed += s.agreed;
            edge_total += s.total;
        } else {
            agreed += s.agreed;
            total += s.total;
            excluded += s.excluded;
        }
        writeln!(report, "{line}").unwrap();
    }
    let overall = pct(agreed, total);
    writeln!(
        report,
        "overall (non-edge): {agreed}/{total} ({overall:.1}%), {excluded} deliberate disagreement(s) excluded"
    )
    .unwrap();
    writeln!(
        report,
        "edge cases (informational): {edge_agreed}/{edge_total} ({:.1}%)",
        pct(edge_agreed, edge_total)
    )
    .unwrap();
    if !skipped.is_empty() {
        writeln!(
            report,
            "skipped {} case(s) that are not command lines:\n  {}",
            skipped.len(),
            skipped.join("\n  ")
        )
        .unwrap();
    }
    let mut disagreeing = String::new();
    for (name, s) in &stats {
        if s.disagreed.is_empty() {
            continue;
        }
        let tag = if s.edge {
            " (edge case, not counted)"
        } else {
            ""
        };
        writeln!(disagreeing, "  {name}{tag}:").unwrap();
        for d in &s.disagreed {
            writeln!(disagreeing, "    {d}").unwrap();
        }
    }
    if !disagreeing.is_empty() {
        writeln!(report, "unlisted disagreements:\n{disagreeing}").unwrap();
    }
    println!("{report}");

    // Verdict.
    if total == 0 {
        problems.push("no non-edge command cases were found in the corpus".to_string());
    }
    if !broken.is_empty() {
        problems.push(format!(
            "{} case(s) crashed, hung or broke the output contract:\n    {}",
            broken.len(),
            broken.join("\n    ")
        ));
    }
    if overall < MIN_AGREEMENT * 100.0 {
        problems.push(format!(
            "agreement on the non-edge files is {overall:.1}% ({agreed}/{total}), below {:.0}%; \
             fix the gaps (see \"unlisted disagreements\" in the output), or list a case in {} \
             when disagreeing is the right product decision",
            MIN_AGREEMENT * 100.0,
            list_path.display()
        ));
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n\n"));
}
