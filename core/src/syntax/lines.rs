//! Logical lines: comments removed, physical lines joined at a trailing
//! `\` (laggd.conf's long `track-group` and `redundancy` lines).

use super::Sink;

/// One logical line: physical lines joined at a trailing `\`, comments
/// removed, numbered by the line it starts on.
#[derive(Debug)]
pub(crate) struct Logical {
    /// 1-based number of the first physical line.
    pub(crate) line: usize,
    /// The text, comments removed, continuations joined by a space.
    pub(crate) text: String,
}

/// Splits `text` into logical lines, skipping blank ones.
pub(crate) fn logical_lines(text: &str, sink: &mut Sink) -> Vec<Logical> {
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
}
