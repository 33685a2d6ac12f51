//! Text helpers: line/column to byte offsets, one-line summaries.

#![deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)]

/// Maps `sqlparser` locations (1-based line, 1-based column counted in characters) to byte
/// offsets in the text.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    /// Whether each line is pure ASCII (then a column is a byte count).
    ascii: Vec<bool>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `text` (lines end at `\n`, as in `sqlparser`'s tokenizer).
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let ascii = starts
            .iter()
            .enumerate()
            .map(|(i, &s)| text.get(s..starts.get(i + 1).copied().unwrap_or(text.len())).is_some_and(str::is_ascii))
            .collect();
        LineIndex { text, starts, ascii }
    }

    /// Byte offset of (`line`, `column`), clamped to the text; always a char boundary.
    /// Line 0 (`sqlparser`'s "unknown") maps to 0.
    pub(crate) fn offset(&self, line: u64, column: u64) -> usize {
        if line == 0 {
            return 0;
        }
        let Some(&start) = usize::try_from(line - 1).ok().and_then(|l| self.starts.get(l)) else {
            return self.text.len();
        };
        let col = usize::try_from(column.saturating_sub(1)).unwrap_or(usize::MAX);
        let Some(rest) = self.text.get(start..) else { return self.text.len() };
        if self.ascii.get(usize::try_from(line - 1).unwrap_or(0)).copied().unwrap_or(false) {
            // Clamped to the line (with its `\n`): past it, the next line may not be ASCII and
            // a byte count could land inside a character.
            let line_len = self.starts.get(usize::try_from(line).unwrap_or(usize::MAX)).map_or(rest.len(), |next| next - start);
            return start + col.min(line_len);
        }
        match rest.char_indices().nth(col) {
            Some((i, _)) => start + i,
            None => self.text.len(),
        }
    }
}

/// Maximum characters in a summary.
const SUMMARY_CHARS: usize = 80;

/// The statement text on one line: whitespace runs collapsed to one space, trimmed, cut to
/// about 80 characters (with `...` when cut).
pub(crate) fn summarize(s: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    for word in s.split_whitespace() {
        if n > 0 {
            out.push(' ');
            n += 1;
        }
        for c in word.chars() {
            if n >= SUMMARY_CHARS {
                out.push_str("...");
                return out;
            }
            out.push(c);
            n += 1;
        }
    }
    out
}
