//! YAML containers (GitHub Actions, GitLab CI, docker-compose, Kubernetes), read with the
//! `saphyr` parser, which keeps the position of every node: a scalar's text is mapped back to
//! the file piece by piece, block scalars (`|`, `>`) and folded or quoted strings included.

use super::snippet::Snippet;
use super::Problem;
use crate::fact::Span;
use crate::report::Lines;
use saphyr::{LoadableYamlNode, MarkedYaml, Marker, Scalar, YamlData};

/// A parsed YAML file: its documents and the text they came from.
pub struct Yaml<'a> {
    /// The file's text.
    pub text: &'a str,
    /// The documents, in order (Kubernetes manifests often hold several).
    pub docs: Vec<MarkedYaml<'a>>,
    lines: Lines,
}

/// A node of a parsed document.
pub type Node<'a> = MarkedYaml<'a>;

impl<'a> Yaml<'a> {
    /// Parses `text`; a syntax error is a [`Problem`] at its position.
    pub fn parse(text: &'a str) -> Result<Yaml<'a>, Problem> {
        let lines = Lines::new(text);
        match MarkedYaml::load_from_str(text) {
            Ok(docs) => Ok(Yaml { text, docs, lines }),
            Err(e) => {
                let at = offset(text, &lines, e.marker());
                Err(Problem::parse(Span::new(at, at), format!("YAML does not parse: {}", e.info())))
            }
        }
    }

    /// The byte offset of a marker.
    pub fn offset(&self, m: &Marker) -> usize {
        offset(self.text, &self.lines, m)
    }

    /// The file span of a node.
    pub fn span(&self, n: &Node) -> Span {
        let start = self.offset(&n.span.start);
        Span::new(start, self.offset(&n.span.end).max(start))
    }

    /// The text of a string scalar as a [`Snippet`] mapped into the file: each source line of
    /// the scalar is found in the value (where folding and indentation left it), and
    /// characters that escapes or folding changed map to their source line.
    pub fn snippet(&self, n: &Node) -> Option<Snippet> {
        let value = str_of(n)?;
        let span = self.span(n);
        let end = if span.end > span.start { span.end } else { self.text.len() };
        let src = self.text.get(span.start..end).unwrap_or_default();
        let mut body_at = span.start;
        let mut body = src;
        match src.as_bytes().first() {
            // Block scalar: the content starts on the line after the header.
            Some(b'|' | b'>') => {
                let header = src.find('\n').map_or(src.len(), |i| i + 1);
                body = src.get(header..).unwrap_or_default();
                body_at += header;
            }
            Some(b'"' | b'\'') => {
                body = src.get(1..).unwrap_or_default();
                body_at += 1;
            }
            _ => {}
        }
        Some(Snippet::aligned(value, body, body_at))
    }
}

fn offset(text: &str, lines: &Lines, m: &Marker) -> usize {
    let start = lines.start(m.line().saturating_sub(1)).unwrap_or(text.len());
    let line = text.get(start..).unwrap_or_default();
    start + line.char_indices().nth(m.col()).map_or(line.len(), |(i, _)| i)
}

/// The string value of a scalar node (numbers and booleans are not strings).
pub fn str_of<'b>(n: &'b Node) -> Option<&'b str> {
    match &n.data {
        YamlData::Value(Scalar::String(s)) => Some(s.as_ref()),
        YamlData::Representation(s, _, _) => Some(s.as_ref()),
        _ => None,
    }
}

/// The value under `key` in a mapping node.
pub fn get<'b, 'i>(n: &'b Node<'i>, key: &str) -> Option<&'b Node<'i>> {
    match &n.data {
        YamlData::Mapping(m) => m.iter().find(|(k, _)| str_of(k) == Some(key)).map(|(_, v)| v),
        _ => None,
    }
}

/// The entries of a mapping node (none for other nodes), keys as strings.
pub fn entries<'b, 'i>(n: &'b Node<'i>) -> impl Iterator<Item = (&'b str, &'b Node<'i>)> {
    let m = match &n.data {
        YamlData::Mapping(m) => Some(m),
        _ => None,
    };
    m.into_iter().flat_map(|m| m.iter()).filter_map(|(k, v)| Some((str_of(k)?, v)))
}

/// The items of a sequence node (none for other nodes).
pub fn items<'b, 'i>(n: &'b Node<'i>) -> impl Iterator<Item = &'b Node<'i>> {
    let s = match &n.data {
        YamlData::Sequence(s) => Some(s),
        _ => None,
    };
    s.into_iter().flat_map(|s| s.iter())
}

/// True for a mapping node.
pub fn is_mapping(n: &Node) -> bool {
    matches!(n.data, YamlData::Mapping(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file text at the snippet's mapped span of `needle`.
    fn at<'t>(text: &'t str, s: &Snippet, needle: &str) -> &'t str {
        let i = s.text.find(needle).unwrap();
        let span = s.map(Span::new(i, i + needle.len()));
        &text[span.start..span.end]
    }

    fn run_snippet(text: &str) -> Snippet {
        let y = Yaml::parse(text).unwrap();
        let doc = &y.docs[0];
        y.snippet(get(doc, "run").unwrap()).unwrap()
    }

    #[test]
    fn block_literal_plain_quoted_and_folded_scalars_map_into_the_file() {
        let text = "run: |\n  echo a\n    rm -rf /x\n  ls\nz: 1\n";
        let s = run_snippet(text);
        assert_eq!(s.text, "echo a\n  rm -rf /x\nls\n");
        assert_eq!(at(text, &s, "rm -rf /x"), "rm -rf /x");
        assert_eq!(text.find("rm -rf").unwrap(), s.map(Span::new(9, 11)).start);

        let text = "run: psql -c 'DROP TABLE t'\n";
        let s = run_snippet(text);
        assert_eq!(at(text, &s, "DROP"), "DROP");

        let text = "run: >\n  rm -rf\n  /srv/data\n\n  ls\n";
        let s = run_snippet(text);
        assert_eq!(s.text, "rm -rf /srv/data\nls\n");
        assert_eq!(at(text, &s, "/srv/data"), "/srv/data");
        assert_eq!(at(text, &s, "ls"), "ls");

        let text = "run: \"echo \\\"x\\\" && rm\n  -rf /\"\n";
        let s = run_snippet(text);
        assert_eq!(s.text, "echo \"x\" && rm -rf /");
        assert_eq!(at(text, &s, "-rf /"), "-rf /");
        assert_eq!(at(text, &s, "rm"), "rm");

        let text = "run: 'it''s'\n";
        let s = run_snippet(text);
        assert_eq!(s.text, "it's");
    }
}
