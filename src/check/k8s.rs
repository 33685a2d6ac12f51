//! Kubernetes manifests: every container (a mapping with `image`, at any depth: Pods,
//! Deployments, Jobs, CronJobs, initContainers) whose `command` and `args` together run a
//! shell (`["sh", "-c", SCRIPT]`, or `command: [sh, -c]` with the script in `args`) gives its
//! script; any other `command` is read as an argv (Kubernetes API, Container v1: `command`
//! replaces the image's ENTRYPOINT, `args` its CMD, neither runs in a shell).

use super::compose::words;
use super::yaml::{self, Node, Yaml};
use super::{argv_part, Extracted};
use saphyr::YamlData;

/// The parts of a manifest file.
pub fn extract(text: &str) -> Extracted {
    match Yaml::parse(text) {
        Ok(y) => extract_from(&y),
        Err(p) => Extracted::problem(p),
    }
}

/// How deep a manifest is searched for containers.
const MAX_DEPTH: usize = 32;

fn visit(y: &Yaml, n: &Node, depth: usize, ex: &mut Extracted) {
    if depth > MAX_DEPTH {
        return;
    }
    match &n.data {
        YamlData::Mapping(m) => {
            if yaml::get(n, "image").is_some()
                && let Some(command) = yaml::get(n, "command")
            {
                let mut argv = words(y, command);
                if let Some(args) = yaml::get(n, "args") {
                    argv.extend(words(y, args));
                }
                ex.parts.extend(argv_part(&argv));
            }
            for (_, v) in m.iter() {
                visit(y, v, depth + 1, ex);
            }
        }
        YamlData::Sequence(s) => {
            for v in s {
                visit(y, v, depth + 1, ex);
            }
        }
        _ => {}
    }
}

/// The parts of parsed manifests.
pub fn extract_from(y: &Yaml) -> Extracted {
    let mut ex = Extracted::default();
    for doc in &y.docs {
        visit(y, doc, 0, &mut ex);
    }
    ex
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_in_args_and_argv_commands() {
        let text = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: postgres\n          command: [\"/bin/sh\", \"-c\"]\n          args:\n            - |\n              psql -c 'DROP TABLE t'\n        - name: b\n          image: busybox\n          command: [rm, -rf, /data]\n---\napiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: x\n    args: [run]\n";
        let ex = extract(text);
        let texts = ex.texts();
        assert_eq!(texts, ["psql -c 'DROP TABLE t'\n", "rm -rf /data"]);
        let s = &ex.parts[0].snippet;
        let span = s.map(crate::fact::Span::new(0, 4));
        assert_eq!(&text[span.start..span.end], "psql");
    }
}
