//! GitLab CI (`.gitlab-ci.yml`): the `before_script`, `script` and `after_script` of every job
//! and of `default:` (GitLab "CI/CD YAML syntax reference"). `before_script` and `script` run in
//! one shell, so they are one part; `after_script` runs in a separate shell. Items may be
//! nested sequences (from `!reference` or anchors); each item is one line.

use super::snippet::Snippet;
use super::yaml::{self, Node, Yaml};
use super::{Extracted, Part};

/// Top-level keys that are not jobs (GitLab "Global keywords"); `default` holds scripts too.
const GLOBAL: &[&str] = &["stages", "include", "variables", "workflow", "image", "services", "cache", "types"];

/// The parts of a GitLab CI file.
pub fn extract(text: &str) -> Extracted {
    match Yaml::parse(text) {
        Ok(y) => extract_from(&y),
        Err(p) => Extracted::problem(p),
    }
}

fn lines(y: &Yaml, n: &Node, out: &mut Snippet) {
    if let Some(s) = y.snippet(n) {
        if !out.text.is_empty() {
            let at = y.span(n).start;
            out.push_synthetic("\n", at, at);
        }
        out.append(s);
    } else {
        for item in yaml::items(n) {
            lines(y, item, out);
        }
    }
}

/// The parts of a parsed GitLab CI file.
pub fn extract_from(y: &Yaml) -> Extracted {
    let mut ex = Extracted::default();
    for doc in &y.docs {
        // A top-level before_script/after_script (deprecated global form) is a job of its own.
        let mut jobs: Vec<&Node> = vec![doc];
        jobs.extend(yaml::entries(doc).filter(|(k, v)| !GLOBAL.contains(k) && yaml::is_mapping(v)).map(|(_, v)| v));
        for job in jobs {
            let mut main = Snippet::default();
            for key in ["before_script", "script"] {
                if let Some(n) = yaml::get(job, key) {
                    lines(y, n, &mut main);
                }
            }
            let mut after = Snippet::default();
            if let Some(n) = yaml::get(job, "after_script") {
                lines(y, n, &mut after);
            }
            for s in [main, after] {
                if !s.text.is_empty() {
                    ex.parts.push(Part::shell(s));
                }
            }
        }
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_default_and_nested_items() {
        let text = "stages: [a]\ndefault:\n  before_script:\n    - echo hi\ndeploy:\n  before_script: [\"export X=1\"]\n  script:\n    - rm -rf /srv\n    - - ls\n  after_script: echo done\n";
        let ex = extract(text);
        let texts = ex.texts();
        assert_eq!(texts, ["echo hi", "export X=1\nrm -rf /srv\nls", "echo done"]);
        let s = &ex.parts[1].snippet;
        let i = s.text.find("/srv").unwrap();
        let span = s.map(crate::fact::Span::new(i, i + 4));
        assert_eq!(&text[span.start..span.end], "/srv");
    }
}
