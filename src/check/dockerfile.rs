//! Dockerfile `RUN` instructions, read per the Dockerfile reference
//! (<https://docs.docker.com/reference/dockerfile/>): parser directives (`# escape=`` ` ``)
//! before the first instruction; an escape character at the end of a line continues the
//! instruction (escape and newline removed, comment and empty lines inside dropped);
//! instruction names in any case; `RUN --mount=... --network=...` options; the exec form (a
//! JSON array, run without a shell) and the shell form (run with the stage's `SHELL`,
//! `/bin/sh -c` by default; a `SHELL` that is not a POSIX shell makes later shell forms
//! another language, skipped and counted, until the next `FROM`); here-documents
//! (`RUN <<EOF`, `<<-EOF`, quoted delimiters; several per instruction). `ONBUILD RUN` is a `RUN`.

use super::snippet::Snippet;
use super::{argv_part, lang, ArgvWord, Extracted, Part};
use crate::fact::Span;

/// How many `--option` words may precede a RUN command.
const MAX_RUN_OPTIONS: usize = 16;

/// The parts of a Dockerfile.
pub fn extract(text: &str) -> Extracted {
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        text.split_inclusive('\n')
            .map(|l| {
                let r = (at, l.trim_end_matches(['\n', '\r']));
                at += l.len();
                r
            })
            .collect()
    };
    let escape = directives_escape(&lines);
    let mut ex = Extracted::default();
    let mut posix_shell = true;
    let mut i = 0;
    while let Some(&(at, line)) = lines.get(i) {
        i += 1;
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // The logical instruction: continuation lines joined.
        let mut ins = Snippet::default();
        let mut cur = (at, line);
        loop {
            let trimmed = cur.1.trim_end();
            if let Some(body) = trimmed.strip_suffix(escape) {
                ins.push_verbatim(body, cur.0);
                // Comment and empty lines inside the instruction are dropped.
                while lines.get(i).is_some_and(|(_, l)| l.trim().is_empty() || l.trim_start().starts_with('#')) {
                    i += 1;
                }
                match lines.get(i) {
                    Some(&next) => {
                        cur = next;
                        i += 1;
                    }
                    None => break,
                }
            } else {
                ins.push_verbatim(cur.1, cur.0);
                break;
            }
        }
        let lead = ins.text.len() - ins.text.trim_start().len();
        let mut word_end = ins.text.get(lead..).and_then(|r| r.find(char::is_whitespace)).map_or(ins.text.len(), |e| lead + e);
        let mut keyword = ins.text.get(lead..word_end).unwrap_or_default().to_ascii_uppercase();
        if keyword == "ONBUILD" {
            let rest = ins.text.get(word_end..).unwrap_or_default();
            let l2 = word_end + (rest.len() - rest.trim_start().len());
            word_end = ins.text.get(l2..).and_then(|r| r.find(char::is_whitespace)).map_or(ins.text.len(), |e| l2 + e);
            keyword = ins.text.get(l2..word_end).unwrap_or_default().to_ascii_uppercase();
        }
        let args = ins.slice(word_end..ins.text.len());
        // Here-documents follow the instruction line.
        let heredocs = heredoc_words(&args.text);
        let mut bodies: Vec<Snippet> = vec![];
        let mut whole = args.clone();
        for (word, strip_tabs) in &heredocs {
            let mut body = Snippet::default();
            whole.push_synthetic("\n", 0, 0);
            while let Some(&(hat, hl)) = lines.get(i) {
                i += 1;
                let cmp = if *strip_tabs { hl.trim_start_matches('\t') } else { hl };
                whole.push_verbatim(hl, hat);
                whole.push_synthetic("\n", hat + hl.len(), hat + hl.len());
                if cmp == word {
                    break;
                }
                body.push_verbatim(hl, hat);
                body.push_verbatim("\n", hat + hl.len());
            }
            bodies.push(body);
        }
        match keyword.as_str() {
            "FROM" => posix_shell = true,
            "SHELL" => {
                let argv: Vec<String> = serde_json::from_str(args.text.trim()).unwrap_or_default();
                posix_shell = argv.first().is_some_and(|s| lang::is_shell(s));
            }
            "RUN" => run(&args, whole, bodies, &heredocs, posix_shell, &mut ex),
            _ => {}
        }
    }
    ex
}

/// The escape character from the parser directives (`\` unless `# escape=`` ` ``).
fn directives_escape(lines: &[(usize, &str)]) -> char {
    for (_, l) in lines {
        let Some(d) = l.trim().strip_prefix('#') else { break };
        let d = d.trim();
        if let Some(v) = d.strip_prefix("escape").map(str::trim_start).and_then(|r| r.strip_prefix('=')) {
            return if v.trim() == "`" { '`' } else { '\\' };
        }
        if !d.contains('=') {
            break;
        }
    }
    '\\'
}

/// The delimiters of the here-documents an instruction opens (`<<EOF`, `<<-"EOF"`), with
/// whether leading tabs are stripped.
fn heredoc_words(args: &str) -> Vec<(String, bool)> {
    let mut out = vec![];
    let mut rest = args;
    while let Some(i) = rest.find("<<") {
        let mut r = rest.get(i + 2..).unwrap_or_default();
        let strip = r.starts_with('-');
        if strip {
            r = r.get(1..).unwrap_or_default();
        }
        let quoted = r.starts_with(['"', '\'']);
        let r2 = if quoted { r.get(1..).unwrap_or_default() } else { r };
        let end = r2.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.')).unwrap_or(r2.len());
        let word = r2.get(..end).unwrap_or_default();
        if !word.is_empty() && !r.starts_with('<') {
            out.push((word.to_string(), strip));
        }
        rest = r2.get(end..).unwrap_or_default();
    }
    out
}

/// One RUN instruction: `args` its arguments, `whole` with its here-documents appended,
/// `bodies` the here-document bodies.
fn run(args: &Snippet, whole: Snippet, bodies: Vec<Snippet>, heredocs: &[(String, bool)], posix: bool, ex: &mut Extracted) {
    // Leading `--mount=...`, `--network=...`, `--security=...` options.
    let mut start = 0;
    for _ in 0..MAX_RUN_OPTIONS {
        let rest = args.text.get(start..).unwrap_or_default();
        let lead = rest.len() - rest.trim_start().len();
        if !rest.trim_start().starts_with("--") {
            start += lead;
            break;
        }
        let w = rest.get(lead..).and_then(|r| r.find(char::is_whitespace)).map_or(rest.len(), |e| lead + e);
        start += w;
    }
    let command = args.slice(start..args.text.len());
    let trimmed = command.text.trim();
    if trimmed.starts_with('[')
        && let Ok(argv) = serde_json::from_str::<Vec<String>>(trimmed)
    {
        ex.parts.extend(argv_part(&json_words(&command, &argv)));
        return;
    }
    if !posix {
        ex.skipped += 1;
        return;
    }
    // `RUN <<EOF` alone: the here-document is the script (a shebang may name another
    // interpreter).
    if let ([_], [body]) = (heredocs, bodies.as_slice())
        && trimmed.starts_with("<<")
        && !trimmed.contains(char::is_whitespace)
    {
        if lang::shebang_is_shell(body.text.as_bytes()) == Some(false) {
            ex.skipped += 1;
        } else {
            ex.parts.push(Part::shell(body.clone()));
        }
        return;
    }
    let all = whole.slice(start..whole.text.len());
    ex.parts.push(Part::shell(all));
}

/// The words of an exec-form array, each located at its JSON string in `command`.
fn json_words(command: &Snippet, argv: &[String]) -> Vec<ArgvWord> {
    let text = &command.text;
    let mut from = 0;
    argv.iter()
        .map(|value| {
            let mut w = ArgvWord { value: value.clone(), span: command.map(Span::new(from, from)), snippet: None };
            if let Some(q) = text.get(from..).and_then(|r| r.find('"')) {
                let start = from + q + 1;
                let mut j = start;
                let b = text.as_bytes();
                while let Some(&c) = b.get(j) {
                    match c {
                        b'\\' => j += 2,
                        b'"' => break,
                        _ => j += 1,
                    }
                }
                let raw = command.slice(start..j.min(text.len()));
                w.span = command.map(Span::new(start, j.min(text.len())));
                w.snippet = Some(if raw.text == *value { raw } else { Snippet::aligned(value, &raw.text, w.span.start) });
                from = (j + 1).min(text.len());
            }
            w
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_continuations_heredocs_and_shell() {
        let text = "# syntax=docker/dockerfile:1\nFROM debian\nRUN apt-get update && \\\n# comment\n    curl -fsSL https://x | sh\nrun [\"sh\", \"-c\", \"rm -rf /var/lib/x\"]\nRUN --mount=type=cache,target=/c <<EOF\nset -e\nrm -rf /srv\nEOF\nRUN python3 <<'PY'\nprint(1)\nPY\nSHELL [\"pwsh\", \"-Command\"]\nRUN Remove-Item x\nFROM alpine\nONBUILD RUN ls\n";
        let e = extract(text);
        assert_eq!(
            e.texts(),
            ["apt-get update &&     curl -fsSL https://x | sh", "rm -rf /var/lib/x", "set -e\nrm -rf /srv\n", "python3 <<'PY'\nprint(1)\nPY\n", "ls"]
        );
        assert_eq!(e.skipped, 1);
        let s = &e.parts[0].snippet;
        let i = s.text.find("curl").unwrap();
        let span = s.map(Span::new(i, i + 4));
        assert_eq!(&text[span.start..span.end], "curl");
        let s = &e.parts[1].snippet;
        let span = s.map(Span::new(0, 6));
        assert_eq!(&text[span.start..span.end], "rm -rf");
        let s = &e.parts[2].snippet;
        let span = s.map(Span::new(7, 13));
        assert_eq!(&text[span.start..span.end], "rm -rf");
        let e = extract("# escape=`\nFROM x\nRUN echo a `\n  && rm -rf /\n");
        assert_eq!(e.texts(), ["echo a   && rm -rf /"]);
    }
}
