//! Reading a statement's words: option keywords, their values, lists,
//! names, numbers and addresses, each checked on its own.

use std::net::IpAddr;

use super::model::{MAX_INTERFACE_NAME, MAX_NAME};
use crate::syntax::{did_you_mean, near, Sink};

/// The statement keywords.
pub(super) const STATEMENTS: [&str; 3] = ["lagg", "track-group", "redundancy"];

/// `lagg` options (`link-failure-threshold` is an alias).
pub(super) const LAGG_OPTIONS: &[&str] = &[
    "ports",
    "min-links",
    "action",
    "failure-threshold",
    "link-failure-threshold",
    "targets",
    "rule",
    "source",
    "failure-detection-time",
    "up-delay",
    "down-delay",
    "damping",
];

/// `track-group` options.
pub(super) const TRACK_OPTIONS: &[&str] =
    &["upstream", "downstream", "health", "disabled"];

/// `redundancy` options (`decrement` and `shutdown` follow `track X`).
pub(super) const REDUNDANCY_OPTIONS: &[&str] = &[
    "priority",
    "failover-threshold",
    "preempt",
    "track",
    "decrement",
    "shutdown",
    "delay",
    "reload",
    "carp",
    "vhid",
    "keepalived",
    "vip",
];

/// The words of one statement after its keyword, read left to right.
#[derive(Debug)]
pub(super) struct Reader<'t> {
    words: Vec<&'t str>,
    pos: usize,
    /// The statement's (starting) line.
    pub(super) line: usize,
    keyword: &'static str,
    options: &'static [&'static str],
    given: Vec<String>,
}

impl<'t> Reader<'t> {
    pub(super) fn new(
        line: usize,
        keyword: &'static str,
        options: &'static [&'static str],
        words: Vec<&'t str>,
    ) -> Reader<'t> {
        Reader {
            words,
            pos: 0,
            line,
            keyword,
            options,
            given: Vec::new(),
        }
    }

    /// The next word, consumed.
    pub(super) fn next(&mut self) -> Option<&'t str> {
        let w = self.peek()?;
        self.pos += 1;
        Some(w)
    }

    /// The next word, left in place.
    pub(super) fn peek(&self) -> Option<&'t str> {
        self.words.get(self.pos).copied()
    }

    fn is_option(&self, word: &str) -> bool {
        self.options.contains(&word)
    }

    /// The statement's name: the first word, unless it is an option.
    pub(super) fn name(
        &mut self,
        what: &str,
        sink: &mut Sink,
    ) -> Option<&'t str> {
        let name = self.value(self.keyword, what, sink)?;
        Some(name)
    }

    /// The word after `opt`, unless the statement ends there or the next
    /// word is one of its option keywords (then `opt needs WHAT`).
    pub(super) fn value(
        &mut self,
        opt: &str,
        what: &str,
        sink: &mut Sink,
    ) -> Option<&'t str> {
        match self.peek() {
            Some(w) if !self.is_option(w) => {
                self.pos += 1;
                Some(w)
            }
            _ => {
                sink.error(self.line, format!("`{opt}` needs {what}"));
                None
            }
        }
    }

    /// A whole number from `min` to `max` after `opt`.
    pub(super) fn number(
        &mut self,
        opt: &str,
        min: u64,
        max: u64,
        sink: &mut Sink,
    ) -> Option<u64> {
        let w = self.value(opt, "a number", sink)?;
        match decimal(w) {
            Some(n) if (min..=max).contains(&n) => Some(n),
            _ => {
                sink.error(
                    self.line,
                    format!(
                        "`{opt}` must be a number from {min} to {max}, not \
                         `{w}`"
                    ),
                );
                None
            }
        }
    }

    /// Words up to the first one for which `ends` holds.
    pub(super) fn list(&mut self, ends: impl Fn(&str) -> bool) -> Vec<&'t str> {
        let start = self.pos;
        while self.peek().is_some_and(|w| !ends(w)) {
            self.pos += 1;
        }
        self.words[start..self.pos].to_vec()
    }

    /// Interface names up to the next option. A list ends at any keyword
    /// of the grammar, and at a word that is no more than two edits from
    /// one of this statement's options unless it ends in a digit (as the
    /// names of interfaces do, and keywords do not): `ports em0 min-link
    /// 1` is then a misspelt option, not two more ports.
    pub(super) fn names(&mut self) -> Vec<&'t str> {
        let options = self.options;
        self.list(|w| {
            is_keyword(w)
                || (!w.ends_with(|c: char| c.is_ascii_digit())
                    && near(w, options))
        })
    }

    /// Notes that `opt` was given; an error if it was given before.
    pub(super) fn once(&mut self, opt: &str, sink: &mut Sink) {
        if self.given(opt) {
            sink.error(self.line, format!("`{opt}` given twice"));
        }
        self.given.push(opt.to_string());
    }

    /// Whether `opt` was given.
    pub(super) fn given(&self, opt: &str) -> bool {
        self.given.iter().any(|g| g == opt)
    }

    /// Reports an unknown option and skips to the next known one.
    pub(super) fn unknown(&mut self, opt: &str, sink: &mut Sink) {
        sink.error(
            self.line,
            format!(
                "unknown option `{opt}` for `{}`{}",
                self.keyword,
                did_you_mean(opt, self.options)
            ),
        );
        let options = self.options;
        self.list(|w| options.contains(&w));
    }
}

/// Any keyword of the grammar: statements and every statement's options.
pub(super) fn is_keyword(word: &str) -> bool {
    STATEMENTS.contains(&word)
        || [LAGG_OPTIONS, TRACK_OPTIONS, REDUNDANCY_OPTIONS]
            .iter()
            .any(|o| o.contains(&word))
}

/// Decimal digits only (no sign, no `0x`; leading zeros are decimal).
pub(super) fn decimal(word: &str) -> Option<u64> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    word.parse().ok()
}

fn name_chars(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

/// 1-15 characters of `[A-Za-z0-9_.-]`, at least one a letter (so that
/// neither a number nor an IPv4 address passes for an interface).
pub(super) fn is_interface_name(name: &str) -> bool {
    (1..=MAX_INTERFACE_NAME).contains(&name.len())
        && name_chars(name)
        && name.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Checks an interface name; true when it is fine.
pub(super) fn check_interface(
    line: usize,
    name: &str,
    sink: &mut Sink,
) -> bool {
    let ok = is_interface_name(name);
    if !ok {
        sink.error(
            line,
            format!(
                "bad interface name `{name}`: use 1-{MAX_INTERFACE_NAME} \
                 characters from A-Z a-z 0-9 _ . -, with a letter"
            ),
        );
    }
    ok
}

/// Checks a group or object name (1-31 characters of `[A-Za-z0-9_.-]`,
/// digits alone allowed); true when it is fine.
pub(super) fn check_name(
    line: usize,
    name: &str,
    what: &str,
    sink: &mut Sink,
) -> bool {
    let ok = (1..=MAX_NAME).contains(&name.len()) && name_chars(name);
    if !ok {
        sink.error(
            line,
            format!(
                "bad {what} name `{name}`: use 1-{MAX_NAME} characters from \
                 A-Z a-z 0-9 _ . -"
            ),
        );
    }
    ok
}

/// A probe target: a unicast address of either family, no prefix length.
pub(super) fn target(
    line: usize,
    token: &str,
    sink: &mut Sink,
) -> Option<IpAddr> {
    let Ok(addr) = token.parse::<IpAddr>() else {
        let msg = if token.contains('/') {
            format!(
                "target `{token}` must be an address without a prefix length"
            )
        } else {
            format!("bad target `{token}`: not an IP address")
        };
        sink.error(line, msg);
        return None;
    };
    if !is_unicast(addr) {
        sink.error(line, format!("target {addr} is not a unicast address"));
        return None;
    }
    Some(addr)
}

/// A probe source: unicast, or IPv4 `0.0.0.0` (ARP probes in the style
/// of RFC 5227, which ask without claiming an address).
pub(super) fn source(
    line: usize,
    token: &str,
    sink: &mut Sink,
) -> Option<IpAddr> {
    let Ok(addr) = token.parse::<IpAddr>() else {
        sink.error(line, format!("bad source `{token}`: not an IP address"));
        return None;
    };
    match addr {
        IpAddr::V4(a) if a.is_unspecified() => Some(addr),
        _ if is_unicast(addr) => Some(addr),
        IpAddr::V4(_) => {
            sink.error(
                line,
                format!("source {addr} is neither unicast nor 0.0.0.0"),
            );
            None
        }
        IpAddr::V6(_) => {
            sink.error(line, format!("source {addr} is not a unicast address"));
            None
        }
    }
}

/// Not unspecified, loopback, multicast or the IPv4 limited broadcast.
fn is_unicast(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            !(a.is_unspecified()
                || a.is_loopback()
                || a.is_multicast()
                || a.is_broadcast())
        }
        IpAddr::V6(a) => {
            !(a.is_unspecified() || a.is_loopback() || a.is_multicast())
        }
    }
}
