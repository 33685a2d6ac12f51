//! GitHub Actions: the `run:` of every step of every job of a workflow
//! (`.github/workflows/*.yml`) and of a composite action (`action.yml`, `runs.steps`).
//!
//! The shell of a step is its `shell:`, else the job's then the workflow's `defaults.run.shell`,
//! else bash (pwsh on a runner whose `runs-on` names Windows), per GitHub's "Workflow syntax"
//! (`jobs.<job_id>.steps[*].shell`). Steps in another language (`pwsh`, `python`, `cmd`) are
//! skipped and counted. Expressions `${{ ... }}` are written over with an opaque variable of
//! the same length: a word whose value is unknown, a dynamic command only in command position.

use super::yaml::{self, Node, Yaml};
use super::{lang, Extracted, Part};
use super::snippet::{placeholder, Snippet};

/// The parts of a workflow or action file.
pub fn extract(text: &str) -> Extracted {
    match Yaml::parse(text) {
        Ok(y) => extract_from(&y),
        Err(p) => Extracted::problem(p),
    }
}

/// `defaults.run.shell` of a workflow or job node.
fn default_shell<'a>(n: &'a Node) -> Option<&'a str> {
    yaml::get(n, "defaults").and_then(|d| yaml::get(d, "run")).and_then(|r| yaml::get(r, "shell")).and_then(yaml::str_of)
}

/// The parts of a parsed workflow or action.
pub fn extract_from(y: &Yaml) -> Extracted {
    let mut ex = Extracted::default();
    for doc in &y.docs {
        let workflow_shell = default_shell(doc);
        if let Some(jobs) = yaml::get(doc, "jobs") {
            for (_, job) in yaml::entries(jobs) {
                let shell = default_shell(job).or(workflow_shell);
                let windows = yaml::get(job, "runs-on").is_some_and(|r| {
                    yaml::str_of(r).into_iter().chain(yaml::items(r).filter_map(yaml::str_of)).any(|s| s.to_ascii_lowercase().contains("windows"))
                });
                for step in yaml::get(job, "steps").into_iter().flat_map(yaml::items) {
                    self::step(y, step, shell, windows, &mut ex);
                }
            }
        }
        if let Some(runs) = yaml::get(doc, "runs") {
            for step in yaml::get(runs, "steps").into_iter().flat_map(yaml::items) {
                self::step(y, step, None, false, &mut ex);
            }
        }
    }
    ex
}

fn step(y: &Yaml, step: &Node, default: Option<&str>, windows: bool, ex: &mut Extracted) {
    let Some(run) = yaml::get(step, "run") else { return };
    let shell = yaml::get(step, "shell").and_then(yaml::str_of).or(default);
    let is_shell = match shell {
        None => !windows,
        Some(s) => s.split_whitespace().next().is_some_and(lang::is_shell),
    };
    if !is_shell {
        ex.skipped += 1;
        return;
    }
    if let Some(s) = y.snippet(run) {
        ex.parts.push(Part::shell(opaque_expressions(s)));
    }
}

/// Writes an opaque variable (`$G0___`, same byte length, numbered) over every `${{ ... }}`
/// (up to the number of placeholders that fit).
pub fn opaque_expressions(mut s: Snippet) -> Snippet {
    if !s.text.contains("${{") {
        return s;
    }
    let mut out = String::with_capacity(s.text.len());
    let mut originals = vec![];
    let mut rest = s.text.as_str();
    while let Some(i) = rest.find("${{") {
        let Some(len) = rest.get(i..).and_then(|r| r.find("}}")).map(|j| j + 2) else { break };
        let p = placeholder('G', originals.len(), len);
        if p.len() != len {
            break;
        }
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push_str(&p);
        originals.push((p, rest.get(i..i + len).unwrap_or_default().to_string()));
        rest = rest.get(i + len..).unwrap_or_default();
    }
    out.push_str(rest);
    if s.overwrite(out) {
        for (p, o) in originals {
            s.stands_for(p, o);
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_shells_and_expressions() {
        let text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: psql -c 'DROP TABLE t'\n      - shell: pwsh\n        run: Remove-Item x\n      - shell: bash -e {0}\n        run: |\n          echo ${{ github.sha }}\n  w:\n    runs-on: windows-latest\n    steps:\n      - run: dir\n";
        let ex = extract(text);
        assert_eq!(ex.skipped, 2);
        assert_eq!(ex.parts.len(), 2);
        assert_eq!(ex.parts[1].snippet.text, "echo $G0______________\n");
        let e = extract("runs:\n  using: composite\n  steps:\n    - run: ls\n      shell: sh\n");
        assert_eq!(e.parts.len(), 1);
    }
}
