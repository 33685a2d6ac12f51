//! Text cut out of a container file (a workflow's `run:`, a Makefile recipe, a Dockerfile
//! `RUN`) together with where each piece of it came from, so that a span found in the cut-out
//! text points back into the original file.

use crate::fact::Span;

/// One piece of a [`Snippet`]: `len` bytes at `at` in the snippet, taken from the file at
/// `from` (verbatim) or standing for the file's bytes `from..to` (synthetic: an expanded
/// variable, a joined line, an unescaped string).
#[derive(Debug, Clone, Copy)]
struct Piece {
    at: usize,
    from: usize,
    to: usize,
    verbatim: bool,
}

/// Text to analyse and the map from its byte offsets to byte offsets of the original file.
#[derive(Debug, Clone, Default)]
pub struct Snippet {
    /// The text to analyse.
    pub text: String,
    pieces: Vec<Piece>,
    /// Placeholders written over template text (`$G0_____` for `${{ x }}`) and the text they
    /// stand for, so that reports show the original.
    originals: Vec<(String, String)>,
}

impl Snippet {
    /// The whole of `text`, at byte `at` of the file (verbatim).
    pub fn verbatim(text: &str, at: usize) -> Snippet {
        let mut s = Snippet::default();
        s.push_verbatim(text, at);
        s
    }

    /// Appends `text`, found verbatim at byte `at` of the file.
    pub fn push_verbatim(&mut self, text: &str, at: usize) {
        if text.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            // Contiguous in both the snippet and the file: one piece.
            Some(p) if p.verbatim && p.to == at && p.at + (p.to - p.from) == self.text.len() => p.to += text.len(),
            _ => self.pieces.push(Piece { at: self.text.len(), from: at, to: at + text.len(), verbatim: true }),
        }
        self.text.push_str(text);
    }

    /// Appends `text`, which stands for the file's bytes `from..to` without appearing there
    /// as is (an expansion, an unescaped string, a separator guard inserts).
    pub fn push_synthetic(&mut self, text: &str, from: usize, to: usize) {
        if !text.is_empty() {
            self.pieces.push(Piece { at: self.text.len(), from, to: to.max(from), verbatim: false });
            self.text.push_str(text);
        }
    }

    /// `value` (a string's value after unquoting or folding) mapped onto `body` (its source
    /// text, at byte `at` of the file).
    /// Lines of the source found verbatim in the value map exactly; the rest is aligned character
    /// by character (escapes such as `\"` skip a source byte); what is left maps to its line.
    pub fn aligned(value: &str, body: &str, at: usize) -> Snippet {
        let mut s = Snippet::default();
        let mut cursor = 0;
        let mut line_at = at;
        for line in body.split_inclusive('\n') {
            if cursor >= value.len() {
                break;
            }
            let trimmed_start = line.len() - line.trim_start_matches([' ', '\t']).len();
            let piece = line.get(trimmed_start..).unwrap_or_default().trim_end_matches(['\n', '\r']);
            let piece_at = line_at + trimmed_start;
            let rest = value.get(cursor..).unwrap_or_default();
            if !piece.is_empty()
                && let Some(p) = rest.find(piece)
            {
                s.push_synthetic(rest.get(..p).unwrap_or_default(), piece_at, piece_at);
                s.push_verbatim(piece, piece_at);
                cursor += p + piece.len();
            } else {
                // Character by character: equal characters map verbatim, others are skipped.
                for (i, c) in piece.char_indices() {
                    let Some(next) = value.get(cursor..).and_then(|r| r.chars().next()) else { break };
                    if next == c {
                        s.push_verbatim(piece.get(i..i + c.len_utf8()).unwrap_or_default(), piece_at + i);
                        cursor += c.len_utf8();
                    } else if matches!(next, '\n' | ' ') && value.get(cursor..).is_some_and(|r| r.trim_start().starts_with(c)) {
                        let ws = value.get(cursor..).map_or(0, |r| r.len() - r.trim_start().len());
                        s.push_synthetic(value.get(cursor..cursor + ws).unwrap_or_default(), piece_at + i, piece_at + i);
                        cursor += ws;
                        s.push_verbatim(piece.get(i..i + c.len_utf8()).unwrap_or_default(), piece_at + i);
                        cursor += c.len_utf8();
                    }
                }
            }
            line_at += line.len();
        }
        let end = line_at.min(at + body.len());
        s.push_synthetic(value.get(cursor..).unwrap_or_default(), end, end);
        s
    }

    /// The part of the snippet in byte range `range` (clamped to char boundaries), with its map.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Snippet {
        let mut out = Snippet::default();
        let (a, b) = (self.text.floor_char_boundary(range.start), self.text.floor_char_boundary(range.end));
        for (i, p) in self.pieces.iter().enumerate() {
            let end = self.pieces.get(i + 1).map_or(self.text.len(), |n| n.at);
            let (s, e) = (p.at.max(a), end.min(b));
            if s >= e {
                continue;
            }
            let text = self.text.get(s..e).unwrap_or_default();
            if p.verbatim {
                out.push_verbatim(text, p.from + (s - p.at));
            } else {
                out.push_synthetic(text, p.from, p.to);
            }
        }
        out.originals.clone_from(&self.originals);
        out
    }

    /// Appends `other`, keeping where each of its pieces came from.
    pub fn append(&mut self, other: Snippet) {
        let base = self.text.len();
        self.pieces.extend(other.pieces.into_iter().map(|p| Piece { at: p.at + base, ..p }));
        self.originals.extend(other.originals);
        self.text.push_str(&other.text);
    }

    /// Replaces the text with `text` of the same byte length (an opaque placeholder written
    /// over a template expression keeps every offset); returns false, changing nothing, for a
    /// different length.
    pub fn overwrite(&mut self, text: String) -> bool {
        if text.len() != self.text.len() {
            return false;
        }
        self.text = text;
        true
    }

    /// Records that `placeholder` stands for `original` (see [`Snippet::restore`]).
    pub fn stands_for(&mut self, placeholder: String, original: String) {
        self.originals.push((placeholder, original));
    }

    /// `text` (a fact summary made from this snippet) with the placeholders replaced by the
    /// template text they stand for.
    pub fn restore(&self, text: &str) -> String {
        self.originals.iter().fold(text.to_string(), |t, (p, o)| if t.contains(p.as_str()) { t.replace(p.as_str(), o) } else { t })
    }

    fn piece(&self, offset: usize) -> Option<&Piece> {
        let i = self.pieces.partition_point(|p| p.at <= offset).checked_sub(1)?;
        self.pieces.get(i)
    }

    /// The file span of the snippet's byte range `span`.
    pub fn map(&self, span: Span) -> Span {
        let start = match self.piece(span.start) {
            Some(p) if p.verbatim => (p.from + (span.start - p.at)).min(p.to),
            Some(p) => p.from,
            None => 0,
        };
        let last = span.end.saturating_sub(1).max(span.start);
        let end = match self.piece(last) {
            Some(p) if p.verbatim => (p.from + (span.end.max(p.at) - p.at)).min(p.to),
            Some(p) => p.to,
            None => start,
        };
        Span::new(start, end.max(start))
    }
}

/// A shell variable reference standing for template text: `$` + `stem` + the number `n`, padded
/// with `_` to `len` bytes when that is longer (so it can be written over the template in
/// place), and unique among the placeholders of one snippet.
pub fn placeholder(stem: char, n: usize, len: usize) -> String {
    let mut p = format!("${stem}{n}");
    while p.len() < len {
        p.push('_');
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_and_synthetic_pieces_map_back() {
        let mut s = Snippet::default();
        s.push_verbatim("rm -rf ", 10);
        s.push_synthetic("/tmp/x", 40, 47);
        s.push_verbatim(" && ls", 47);
        assert_eq!(s.text, "rm -rf /tmp/x && ls");
        assert_eq!(s.map(Span::new(0, 2)), Span::new(10, 12));
        assert_eq!(s.map(Span::new(0, 13)), Span::new(10, 47));
        assert_eq!(s.map(Span::new(17, 19)), Span::new(51, 53));
    }
}
