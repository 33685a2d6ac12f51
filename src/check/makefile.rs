//! Makefile recipes, read as GNU make reads them (GNU make manual, "Writing Recipes"): a
//! recipe line starts with a tab (or the `.RECIPEPREFIX` character) after a rule line, or
//! follows `;` on the rule line; a backslash-newline continues a recipe line (the next line's
//! leading tab is dropped, the backslash-newline goes to the shell); `@`, `-` and `+` prefixes
//! are not shell. Each recipe line runs in its own shell unless `.ONESHELL:` is set; a `SHELL`
//! that is not a POSIX shell makes the recipes another language (skipped and counted).
//!
//! Make expands the recipe before the shell sees it: `$$` is `$`; `$(VAR)` and `${VAR}` of a
//! variable the Makefile assigns a literal value, or of make's built-in variables
//! ([`BUILTIN`]), are replaced by the value; any other reference (automatic variables, functions,
//! variables set elsewhere) becomes an opaque shell variable, which is a dynamic command only in
//! command position.

use super::snippet::{placeholder, Snippet};
use super::{lang, Extracted, Part};
use std::collections::HashMap;

/// Make's built-in variables used in recipes, with their default values (GNU make manual,
/// 10.3 "Variables Used by Implicit Rules", and `make -p` of GNU make 4.3).
pub const BUILTIN: &[(&str, &str)] = &[
    ("MAKE", "make"),
    ("RM", "rm -f"),
    ("CC", "cc"),
    ("CXX", "g++"),
    ("CPP", "cc -E"),
    ("AR", "ar"),
    ("AS", "as"),
    ("LD", "ld"),
    ("LEX", "lex"),
    ("YACC", "yacc"),
    ("FC", "f77"),
    ("M2C", "m2c"),
    ("PC", "pc"),
    ("CO", "co"),
    ("GET", "get"),
    ("MAKEINFO", "makeinfo"),
    ("TEX", "tex"),
    ("INSTALL", "install"),
    ("SHELL", "/bin/sh"),
];

/// How deep variable references inside variable values are expanded.
const MAX_EXPANSION: usize = 8;

/// The parts of a Makefile.
pub fn extract(text: &str) -> Extracted {
    let mut vars: HashMap<String, String> = BUILTIN.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    let mut oneshell = false;
    let mut prefix = '\t';
    // Pass 1: variables (a literal value: the last simple assignment wins), .ONESHELL, .RECIPEPREFIX.
    let mut in_define = false;
    for line in logical_lines(text) {
        let l = line.1.trim_start();
        if in_define {
            in_define = !l.starts_with("endef");
            continue;
        }
        if l.starts_with("define ") {
            in_define = true;
            continue;
        }
        if l.starts_with(".ONESHELL:") {
            oneshell = true;
        }
        if line.1.starts_with('\t') {
            continue;
        }
        if let Some((name, op, value)) = assignment(l) {
            if name == ".RECIPEPREFIX" {
                prefix = value.chars().next().unwrap_or('\t');
            } else if op == "+=" {
                let old = vars.remove(&name).unwrap_or_default();
                vars.insert(name, format!("{old} {value}").trim().to_string());
            } else if op != "?=" || !vars.contains_key(&name) {
                vars.insert(name, value.to_string());
            }
        }
    }
    let mut ex = Extracted::default();
    let shell = expand_value(vars.get("SHELL").map_or("/bin/sh", String::as_str), &vars, 0);
    let posix = shell.split_whitespace().next().is_some_and(lang::is_shell);
    // Pass 2: recipes.
    let mut in_rule = false;
    let mut in_define = false;
    let mut script = Snippet::default();
    let flush = |script: &mut Snippet, ex: &mut Extracted| {
        if !script.text.trim().is_empty() {
            if posix {
                ex.parts.push(Part::shell(std::mem::take(script)));
            } else {
                ex.skipped += 1;
            }
        }
        *script = Snippet::default();
    };
    for (at, line) in logical_lines(text) {
        if in_define {
            in_define = !line.trim_start().starts_with("endef");
            continue;
        }
        if line.starts_with(prefix) && in_rule {
            let body = line.get(prefix.len_utf8()..).unwrap_or_default();
            recipe_line(body, at + prefix.len_utf8(), &vars, prefix, &mut script);
            if !oneshell {
                flush(&mut script, &mut ex);
            }
            continue;
        }
        let l = line.trim_start();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        flush(&mut script, &mut ex);
        if l.starts_with("define ") {
            in_define = true;
            in_rule = false;
            continue;
        }
        if assignment(l).is_some() || is_directive(l) {
            in_rule = in_rule && is_directive(l);
            continue;
        }
        // A rule line: `targets : prerequisites [; recipe]`.
        in_rule = rule_colon(line).is_some();
        if let Some(semi) = rule_colon(line).and_then(|c| line.get(c..)).and_then(|r| r.find(';').map(|s| s + (line.len() - r.len()))) {
            let body = line.get(semi + 1..).unwrap_or_default();
            recipe_line(body, at + semi + 1, &vars, prefix, &mut script);
            if !oneshell {
                flush(&mut script, &mut ex);
            }
        }
    }
    flush(&mut script, &mut ex);
    ex
}

/// Conditionals and includes, which may sit between a rule and its recipe lines.
fn is_directive(l: &str) -> bool {
    ["ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include ", "-include ", "sinclude ", "export", "unexport", "vpath", "override"]
        .iter()
        .any(|d| l.starts_with(d))
}

/// The byte offset of a rule line's `:` (not `:=`, not inside `$(...)`), if it is a rule.
fn rule_colon(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'(' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'#' if depth == 0 => return None,
            b':' if depth == 0 && bytes.get(i + 1) != Some(&b'=') => return Some(i),
            _ => {}
        }
    }
    None
}

/// `NAME OP VALUE` for an assignment line (`=`, `:=`, `::=`, `?=`, `+=`, `!=` is a shell
/// assignment and yields no literal value), with `override`/`export` dropped.
fn assignment(l: &str) -> Option<(String, &'static str, &str)> {
    let l = l.strip_prefix("override ").unwrap_or(l);
    let l = l.strip_prefix("export ").unwrap_or(l).trim_start();
    let end = l.find(|c: char| c.is_whitespace() || matches!(c, '=' | ':' | '?' | '+' | '!'))?;
    let name = l.get(..end)?;
    if name.is_empty() || name.contains('$') {
        return None;
    }
    let rest = l.get(end..)?.trim_start();
    for op in ["::=", ":=", "?=", "+=", "!=", "="] {
        if let Some(v) = rest.strip_prefix(op) {
            if op == "!=" {
                return Some((name.to_string(), "!=", "$(shell)"));
            }
            return Some((name.to_string(), op, v.trim()));
        }
    }
    None
}

/// Physical lines joined where a rule or assignment line ends in a backslash; recipe lines are
/// kept whole with their backslash-newlines (the shell sees them). Yields (offset, line).
fn logical_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut len = 0;
        loop {
            let line_end = rest.get(len..).and_then(|r| r.find('\n')).map_or(rest.len(), |i| len + i);
            let line = rest.get(len..line_end).unwrap_or_default();
            let continued = line.ends_with('\\') && !line.ends_with("\\\\") && line_end < rest.len();
            len = (line_end + 1).min(rest.len());
            if !continued {
                break;
            }
        }
        let line = rest.get(..len).unwrap_or_default();
        let start = at;
        at += len;
        rest = rest.get(len..).unwrap_or_default();
        Some((start, line.trim_end_matches('\n')))
    })
}

/// Appends one recipe line (without its prefix tab, at byte `at`) to `script`, make-expanded:
/// `@ - +` prefixes dropped, a continuation line's leading prefix tab dropped.
fn recipe_line(body: &str, at: usize, vars: &HashMap<String, String>, prefix: char, script: &mut Snippet) {
    let skip = body.len() - body.trim_start_matches(['@', '-', '+', ' ', '\t']).len();
    let mut i = skip;
    if !script.text.is_empty() {
        script.push_synthetic("\n", at, at);
    }
    let bytes = body.as_bytes();
    let mut start = i;
    while let Some(&b) = bytes.get(i) {
        if b == b'\n' && bytes.get(i + 1) == Some(&(prefix as u8)) {
            // Continuation: make drops the next line's recipe prefix.
            script.push_verbatim(body.get(start..=i).unwrap_or_default(), at + start);
            i += 2;
            start = i;
            continue;
        }
        if b != b'$' {
            i += 1;
            continue;
        }
        script.push_verbatim(body.get(start..i).unwrap_or_default(), at + start);
        let (len, mut text) = reference(body.get(i..).unwrap_or_default(), vars);
        if text.starts_with("$M") {
            text = placeholder('M', script.text.len(), 0);
            script.stands_for(text.clone(), body.get(i..i + len).unwrap_or_default().to_string());
        }
        script.push_synthetic(&text, at + i, at + i + len);
        i += len.max(1);
        start = i;
    }
    script.push_verbatim(body.get(start..).unwrap_or_default(), at + start);
}

/// The make reference at the start of `s` (which starts with `$`): its length and what the
/// shell sees.
fn reference(s: &str, vars: &HashMap<String, String>) -> (usize, String) {
    let mut chars = s.char_indices().skip(1);
    match chars.next() {
        Some((_, '$')) => (2, "$".into()),
        Some((_, open @ ('(' | '{'))) => {
            let close = if open == '(' { ')' } else { '}' };
            let mut depth = 0;
            for (i, c) in s.char_indices().skip(1) {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        let name = s.get(2..i).unwrap_or_default();
                        return (i + 1, lookup(name, vars, 0).unwrap_or_else(|| opaque(i + 1)));
                    }
                }
            }
            (s.len(), opaque(s.len()))
        }
        Some((_, c)) => (1 + c.len_utf8(), opaque(1 + c.len_utf8())),
        None => (1, "$".into()),
    }
}

/// An opaque shell variable of about `len` bytes (`$M`, `$M_`, ...).
fn opaque(len: usize) -> String {
    format!("$M{}", "_".repeat(len.saturating_sub(2)))
}

/// The value of variable `name` if it is literal (after expanding literal references in it).
fn lookup(name: &str, vars: &HashMap<String, String>, depth: usize) -> Option<String> {
    if depth > MAX_EXPANSION || name.contains([' ', ':', '$', ',']) {
        return None;
    }
    let v = vars.get(name)?;
    if v.contains('$') {
        let e = expand_value(v, vars, depth + 1);
        (!e.contains("$M")).then_some(e)
    } else {
        Some(v.clone())
    }
}

/// A variable value with its references expanded (unknown ones opaque).
fn expand_value(v: &str, vars: &HashMap<String, String>, depth: usize) -> String {
    let mut out = String::new();
    let mut i = 0;
    while let Some(j) = v.get(i..).and_then(|r| r.find('$')) {
        out.push_str(v.get(i..i + j).unwrap_or_default());
        let rest = v.get(i + j..).unwrap_or_default();
        let (len, text) = if depth > MAX_EXPANSION {
            (rest.len(), opaque(rest.len()))
        } else {
            let (len, _) = reference(rest, vars);
            let name = rest.get(2..len.saturating_sub(1)).unwrap_or_default();
            let text = if rest.starts_with("$$") { "$".to_string() } else { lookup(name, vars, depth + 1).unwrap_or_else(|| opaque(len)) };
            (len, text)
        };
        out.push_str(&text);
        i += j + len.max(1);
    }
    out.push_str(v.get(i..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipes_variables_and_oneshell() {
        let text = "DIR := /srv\nall: build ; echo $@\n\n# c\nclean:\n\t@$(RM) -r $(DIR)/cache\n\t-cd x && \\\n\t  ls $$HOME\n";
        let e = extract(text);
        assert_eq!(e.texts(), ["echo $M5", "rm -f -r /srv/cache", "cd x && \\\n  ls $HOME"]);
        let s = &e.parts[1].snippet;
        let span = s.map(crate::fact::Span::new(0, 5));
        assert_eq!(&text[span.start..span.end], "$(RM)");
        let i = s.text.find("cache").unwrap();
        let span = s.map(crate::fact::Span::new(i, i + 5));
        assert_eq!(&text[span.start..span.end], "cache");
        let span = s.map(crate::fact::Span::new(9, 13));
        assert_eq!(&text[span.start..span.end], "$(DIR)", "an expansion maps to the reference");
        let e = extract(".ONESHELL:\nx:\n\tcd /\n\trm -rf $(X)\n");
        assert_eq!(e.texts(), ["cd /\nrm -rf $M12"]);
        let e = extract("SHELL := pwsh\nx:\n\tRemove-Item a\n");
        assert_eq!((e.parts.len(), e.skipped), (0, 1));
    }
}
