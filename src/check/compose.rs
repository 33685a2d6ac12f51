//! docker-compose files: each service's `command` and `entrypoint`, and `healthcheck.test`
//! (Compose Specification, "services"). A string runs as a shell line (guard reads it as
//! shell, which is stricter than Compose's word splitting); a list is an exec-form argv
//! ([`super::argv_part`]); `["CMD-SHELL", "..."]` in a health check is a shell line.

use super::yaml::{self, Node, Yaml};
use super::{argv_part, ArgvWord, Extracted, Part};

/// The parts of a compose file.
pub fn extract(text: &str) -> Extracted {
    match Yaml::parse(text) {
        Ok(y) => extract_from(&y),
        Err(p) => Extracted::problem(p),
    }
}

/// The words of a sequence node of strings.
pub fn words(y: &Yaml, n: &Node) -> Vec<ArgvWord> {
    yaml::items(n)
        .filter_map(|i| Some(ArgvWord { value: yaml::str_of(i)?.to_string(), span: y.span(i), snippet: y.snippet(i) }))
        .collect()
}

/// A command node: a string is a shell line, a sequence an argv.
pub fn command(y: &Yaml, n: &Node) -> Option<Part> {
    match y.snippet(n) {
        Some(s) => Some(Part::shell(s)),
        None => argv_part(&words(y, n)),
    }
}

/// The parts of a parsed compose file.
pub fn extract_from(y: &Yaml) -> Extracted {
    let mut ex = Extracted::default();
    for doc in &y.docs {
        for (_, service) in yaml::get(doc, "services").into_iter().flat_map(yaml::entries) {
            for key in ["entrypoint", "command"] {
                if let Some(p) = yaml::get(service, key).and_then(|n| command(y, n)) {
                    ex.parts.push(p);
                }
            }
            if let Some(test) = yaml::get(service, "healthcheck").and_then(|h| yaml::get(h, "test")) {
                match words(y, test).split_first() {
                    Some((kind, _)) if kind.value == "CMD-SHELL" => {
                        ex.parts.extend(yaml::items(test).nth(1).and_then(|n| command(y, n)));
                    }
                    Some((kind, rest)) if kind.value == "CMD" => ex.parts.extend(argv_part(rest)),
                    _ if yaml::str_of(test).is_some() => ex.parts.extend(command(y, test)),
                    _ => {}
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
    fn command_entrypoint_healthcheck() {
        let text = "services:\n  db:\n    image: postgres\n    command: [\"sh\", \"-c\", \"psql -c 'DROP TABLE t'\"]\n    entrypoint: /docker-entrypoint.sh\n    healthcheck:\n      test: [\"CMD-SHELL\", \"pg_isready\"]\n";
        let ex = extract(text);
        let texts = ex.texts();
        assert_eq!(texts, ["/docker-entrypoint.sh", "psql -c 'DROP TABLE t'", "pg_isready"]);
        let s = &ex.parts[1].snippet;
        let span = s.map(crate::fact::Span::new(8, 20));
        assert_eq!(&text[span.start..span.end], "'DROP TABLE ");
    }
}
