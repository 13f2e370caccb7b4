//! Problems found in a configuration file, each tied to `file:line`.

use std::fmt;

/// How bad a [`Diagnostic`] is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Severity {
    /// The file is still usable: a documented tunable was clamped or
    /// defaulted (the in.mpathd behaviour), or a duplicate was ignored.
    Warning,
    /// The file is rejected; a running daemon keeps its old configuration.
    Error,
}

/// One problem on one line of a configuration file.
///
/// `Display` gives `FILE:LINE: MESSAGE` for errors and
/// `FILE:LINE: warning: MESSAGE` for warnings. `message` alone is the text
/// in.mpathd would log (for the tunable warnings it is in.mpathd's text,
/// word for word), so a daemon that logs through syslog can use it with
/// its own prefix.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Diagnostic {
    /// The file name as the caller passed it to the parser.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// Whether the problem rejects the file.
    pub severity: Severity,
    /// What is wrong, without the `file:line:` prefix.
    pub message: String,
}

impl Diagnostic {
    /// True for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.severity {
            Severity::Error => {
                write!(f, "{}:{}: {}", self.file, self.line, self.message)
            }
            Severity::Warning => write!(
                f,
                "{}:{}: warning: {}",
                self.file, self.line, self.message
            ),
        }
    }
}

impl std::error::Error for Diagnostic {}

/// Collects diagnostics while a file is parsed; nothing stops at the
/// first problem.
#[derive(Debug)]
pub(crate) struct Sink {
    file: String,
    diags: Vec<Diagnostic>,
}

impl Sink {
    pub(crate) fn new(file: &str) -> Sink {
        Sink {
            file: file.to_string(),
            diags: Vec::new(),
        }
    }

    pub(crate) fn error(&mut self, line: usize, message: String) {
        self.push(line, Severity::Error, message);
    }

    pub(crate) fn warn(&mut self, line: usize, message: String) {
        self.push(line, Severity::Warning, message);
    }

    pub(crate) fn push(
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
    pub(crate) fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// All diagnostics in line order; within a line, in the order found.
    pub(crate) fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.diags.sort_by_key(|d| d.line);
        self.diags
    }
}

/// `; did you mean `X`?` when exactly one candidate is closest to `word`
/// within an edit distance of 2 (compared without regard to case), else
/// an empty string.
pub(crate) fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    closest(word, candidates)
        .map(|c| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// The one candidate closest to `word` within an edit distance of 2
/// (without regard to case); `None` if none is, or two are equally close.
pub(crate) fn closest<'c>(
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
pub(crate) fn near(word: &str, candidates: &[&str]) -> bool {
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

    #[test]
    fn display_prefixes() {
        let mut d = Diagnostic {
            file: "/etc/mpathd.conf".into(),
            line: 7,
            severity: Severity::Error,
            message: "unknown keyword `x`".into(),
        };
        assert_eq!(d.to_string(), "/etc/mpathd.conf:7: unknown keyword `x`");
        d.severity = Severity::Warning;
        d.message = "Invalid value for FAILBACK maybe".into();
        assert_eq!(
            d.to_string(),
            "/etc/mpathd.conf:7: warning: Invalid value for FAILBACK maybe"
        );
    }

    #[test]
    fn distances_and_suggestions() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("abc", ""), 3);
        assert_eq!(edit_distance("stanby", "standby"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        let kw = ["group", "interface", "address"];
        assert_eq!(did_you_mean("gruop", &kw), "; did you mean `group`?");
        assert_eq!(
            did_you_mean("Interface", &kw),
            "; did you mean `interface`?"
        );
        assert_eq!(did_you_mean("zzz", &kw), "");
        // Two equally close candidates: no guess.
        assert_eq!(did_you_mean("ab", &["aa", "bb"]), "");
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
    }
}
