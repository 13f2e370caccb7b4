//! Lexical layer: logical lines (comments, `\` continuation), the
//! diagnostic sink and the did-you-mean suggestion.
//!
//! mpathd's parser has a sink and a suggestion of its own, private to
//! `crate::config`; these are the same few lines, written against its
//! public [`Diagnostic`] type so that both files print alike.

use crate::config::{Diagnostic, Severity};

/// One logical line: physical lines joined at a trailing `\`, comments
/// removed, numbered by the line it starts on.
#[derive(Debug)]
pub(super) struct Logical {
    /// 1-based number of the first physical line.
    pub(super) line: usize,
    /// The text, comments removed, continuations joined by a space.
    pub(super) text: String,
}

/// Splits `text` into logical lines, skipping blank ones.
pub(super) fn logical_lines(text: &str, sink: &mut Sink) -> Vec<Logical> {
    let mut out = Vec::new();
    let mut open: Option<Logical> = None;
    for (index, raw) in text.lines().enumerate() {
        let body = raw.split_once('#').map_or(raw, |(b, _)| b).trim_end();
        let (body, continues) = match body.strip_suffix('\\') {
            Some(b) => (b, true),
            None => (body, false),
        };
        let cur = open.get_or_insert_with(|| Logical {
            line: index + 1,
            text: String::new(),
        });
        cur.text.push(' ');
        cur.text.push_str(body);
        if !continues {
            out.extend(open.take());
        }
    }
    if let Some(last) = open {
        sink.warn(
            last.line,
            "the last line ends in `\\`, which continues nothing".to_string(),
        );
        out.push(last);
    }
    out.retain(|l| !l.text.trim().is_empty());
    out
}

/// Collects diagnostics while a file is parsed; nothing stops at the
/// first problem.
#[derive(Debug)]
pub(super) struct Sink {
    file: String,
    diags: Vec<Diagnostic>,
}

impl Sink {
    pub(super) fn new(file: &str) -> Sink {
        Sink {
            file: file.to_string(),
            diags: Vec::new(),
        }
    }

    pub(super) fn error(&mut self, line: usize, message: String) {
        self.push(line, Severity::Error, message);
    }

    pub(super) fn warn(&mut self, line: usize, message: String) {
        self.push(line, Severity::Warning, message);
    }

    pub(super) fn push(
        &mut self,
        line: usize,
        severity: Severity,
        message: String,
    ) {
        self.diags.push(Diagnostic {
            file: self.file.clone(),
            line,
            severity,
            message,
        });
    }

    /// Number of errors so far (used to tell whether a line went wrong).
    pub(super) fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// All diagnostics in line order; within a line, in the order found.
    pub(super) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diags.sort_by_key(|d| d.line);
        self.diags
    }
}

/// `; did you mean `X`?` when exactly one candidate is closest to `word`
/// within an edit distance of 2 (compared without regard to case), else
/// an empty string.
pub(super) fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The one candidate closest to `word` within an edit distance of 2.
pub(super) fn closest<'c>(
    word: &str,
    candidates: &[&'c str],
) -> Option<&'c str> {
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for &c in candidates {
        let d = edit_distance(&lower, &c.to_ascii_lowercase());
        if d > 2 {
            continue;
        }
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => tie = true,
            _ => {
                best = Some((d, c));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, c)| c)
}

/// Whether some candidate is within an edit distance of 2 of `word`.
pub(super) fn near(word: &str, candidates: &[&str]) -> bool {
    let lower = word.to_ascii_lowercase();
    candidates
        .iter()
        .any(|c| edit_distance(&lower, &c.to_ascii_lowercase()) <= 2)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev[j] + usize::from(ca != cb);
            cur[j + 1] = subst.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, String)> {
        let mut sink = Sink::new("f");
        logical_lines(text, &mut sink)
            .into_iter()
            .map(|l| {
                let words: Vec<&str> = l.text.split_whitespace().collect();
                (l.line, words.join(" "))
            })
            .collect()
    }

    #[test]
    fn comments_blank_lines_and_continuations() {
        let text = "# head\n\na b \\\n  c # note \\\nd\\\n\\\ne\n  \\\n\nf";
        assert_eq!(
            lines(text),
            vec![
                (3, "a b c".to_string()),
                (5, "d e".to_string()),
                (10, "f".to_string())
            ]
        );
        // A comment ends the line before a `\` can continue it.
        assert_eq!(lines("a # b \\\nc").len(), 2);
    }

    #[test]
    fn trailing_continuation_warns_on_its_starting_line() {
        let mut sink = Sink::new("f");
        let l = logical_lines("x\ny \\\n z \\", &mut sink);
        assert_eq!(l.len(), 2);
        let d = sink.into_sorted();
        assert_eq!(
            d[0].to_string(),
            "f:2: warning: the last line ends in `\\`, which continues nothing"
        );
    }

    #[test]
    fn suggestions() {
        let kw = ["min-links", "rule", "ports"];
        assert_eq!(
            did_you_mean("min-link", &kw),
            "; did you mean `min-links`?"
        );
        assert_eq!(did_you_mean("RULE", &kw), "; did you mean `rule`?");
        assert_eq!(did_you_mean("em0", &kw), "");
        assert_eq!(closest("ab", &["aa", "bb"]), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
