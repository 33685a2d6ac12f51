//! npm `package.json`: every entry of `scripts`, which npm runs with `sh -c` (npm docs,
//! "scripts": `script-shell` defaults to `/bin/sh` on POSIX). The file is validated with
//! `serde_json` (a syntax error is a finding at its line and column); the positions of the
//! script strings come from a scan of the JSON text that tracks nesting, so a `"scripts"` key
//! elsewhere in the document is not mistaken for the top-level one.

use super::snippet::Snippet;
use super::{Extracted, Part, Problem};
use crate::fact::Span;
use crate::report::Lines;

/// The parts of a package.json.
pub fn extract(text: &str) -> Extracted {
    if let Err(e) = serde_json::from_str::<serde_json::Value>(text) {
        let lines = Lines::new(text);
        let at = lines.start(e.line().saturating_sub(1)).map_or(text.len(), |s| {
            let line = text.get(s..).unwrap_or_default();
            s + line.char_indices().nth(e.column().saturating_sub(1)).map_or(line.len(), |(i, _)| i)
        });
        return Extracted::problem(Problem::parse(Span::new(at, at), format!("JSON does not parse: {e}")));
    }
    let mut ex = Extracted::default();
    for (raw, at) in script_strings(text) {
        let value: String = serde_json::from_str(&format!("\"{raw}\"")).unwrap_or_default();
        let snippet = if value == raw { Snippet::verbatim(raw, at) } else { Snippet::aligned(&value, raw, at) };
        ex.parts.push(Part::shell(snippet));
    }
    ex
}

/// The raw text (between the quotes) and offset of each string value of the top-level
/// `scripts` object.
fn script_strings(text: &str) -> Vec<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut out = vec![];
    let mut stack: Vec<u8> = vec![];
    let mut key: Option<&str> = None;
    let mut scripts_level = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'{' | b'[' => {
                stack.push(b);
                if b == b'{' && stack.len() == 2 && key == Some("scripts") {
                    scripts_level = Some(2);
                }
                key = None;
                i += 1;
            }
            b'}' | b']' => {
                if scripts_level == Some(stack.len()) {
                    scripts_level = None;
                }
                stack.pop();
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while let Some(&c) = bytes.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                let raw = text.get(start..j).unwrap_or_default();
                i = j + 1;
                let next = bytes.get(i..).and_then(|r| r.iter().find(|c| !c.is_ascii_whitespace()));
                if next == Some(&b':') {
                    key = Some(raw);
                } else {
                    if scripts_level.is_some() && scripts_level == Some(stack.len()) && stack.last() == Some(&b'{') {
                        out.push((raw, start));
                    }
                    key = None;
                }
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_scripts_with_escapes() {
        let text = "{\"name\": \"x\", \"config\": {\"scripts\": {\"a\": \"rm -rf /\"}},\n \"scripts\": {\n  \"clean\": \"rm -rf \\\"$HOME\\\"\",\n  \"build\": \"tsc\"\n }}";
        let ex = extract(text);
        let texts = ex.texts();
        assert_eq!(texts, ["rm -rf \"$HOME\"", "tsc"]);
        let s = &ex.parts[0].snippet;
        let span = s.map(Span::new(8, 13));
        assert_eq!(&text[span.start..span.end], "$HOME");
        assert_eq!(extract("{\"scripts\": {").problems.len(), 1);
    }
}
