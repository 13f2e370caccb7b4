//! The three illumos tunables: `KEY=VALUE` lines, read as in.mpathd reads
//! /etc/default/mpathd (`mpd_main.c`, with `defread` from libc).

use std::time::Duration;

use crate::probe::{DEFAULT_FDT, MIN_FDT};
use crate::syntax::diagnostic::{did_you_mean, Sink};
use crate::syntax::strtol::strtol;

// The FDT constants are the probe detector's (`crate::probe`), defined
// once; here in milliseconds, as the file gives them.
#[allow(clippy::cast_possible_truncation)]
const DEFAULT_FDT_MS: i64 = DEFAULT_FDT.as_millis() as i64;
#[allow(clippy::cast_possible_truncation)]
const MIN_FDT_MS: i64 = MIN_FDT.as_millis() as i64;

/// The daemon-wide settings illumos keeps in /etc/default/mpathd.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Tunables {
    /// `FAILURE_DETECTION_TIME`: how long a path may go unanswered before
    /// it is declared failed. At least 100 ms, no maximum. The probe
    /// interval is derived from it (FDT / 7, see the probe module).
    pub failure_detection_time: Duration,
    /// `FAILBACK`: whether data addresses move back to their home
    /// interface when it is repaired.
    pub failback: bool,
    /// `TRACK_INTERFACES_ONLY_WITH_GROUPS`: when false, interfaces in no
    /// group are tracked too (illumos's anonymous group).
    pub track_interfaces_only_with_groups: bool,
}

impl Default for Tunables {
    /// 10 s, failback on, only grouped interfaces tracked: the values
    /// in.mpathd uses when the file or the key is absent.
    fn default() -> Tunables {
        Tunables {
            failure_detection_time: DEFAULT_FDT,
            failback: true,
            track_interfaces_only_with_groups: true,
        }
    }
}

/// The tunable keys, in their canonical (upper-case) spelling.
pub(super) const KEYS: [&str; 3] = [
    "FAILURE_DETECTION_TIME",
    "FAILBACK",
    "TRACK_INTERFACES_ONLY_WITH_GROUPS",
];

/// Reads `KEY=VALUE` lines one at a time and remembers where each key
/// was first set.
#[derive(Debug, Default)]
pub(super) struct TunableReader {
    tunables: Tunables,
    first_line: [Option<usize>; 3],
}

impl TunableReader {
    /// One `KEY=VALUE` line, comment already removed and trimmed.
    pub(super) fn read(&mut self, line: usize, body: &str, sink: &mut Sink) {
        let (key, value) = body.split_once('=').unwrap_or((body, ""));
        let value = value.trim();
        if key.is_empty() {
            sink.error(line, "missing tunable name before `=`".to_string());
            return;
        }
        let Some(index) = KEYS.iter().position(|k| k.eq_ignore_ascii_case(key))
        else {
            sink.error(
                line,
                format!("unknown tunable `{key}`{}", did_you_mean(key, &KEYS)),
            );
            return;
        };
        let name = KEYS[index];
        // defread() scans from the top and returns the first matching line,
        // so in.mpathd never sees a second setting: neither do we.
        if let Some(first) = self.first_line[index] {
            sink.warn(
                line,
                format!(
                    "{name} is already set on line {first}; ignoring this \
                     setting (the first one wins, as in in.mpathd)"
                ),
            );
            return;
        }
        self.first_line[index] = Some(line);
        match index {
            0 => {
                self.tunables.failure_detection_time =
                    failure_detection_time(value, line, sink);
            }
            1 => {
                if let Some(b) = yes_no(value) {
                    self.tunables.failback = b;
                } else {
                    sink.warn(
                        line,
                        format!("Invalid value for FAILBACK {value}"),
                    );
                }
            }
            _ => {
                if let Some(b) = yes_no(value) {
                    self.tunables.track_interfaces_only_with_groups = b;
                } else {
                    sink.warn(
                        line,
                        format!(
                            "Invalid value for \
                             TRACK_INTERFACES_ONLY_WITH_GROUPS {value}"
                        ),
                    );
                }
            }
        }
    }

    pub(super) fn finish(self) -> Tunables {
        self.tunables
    }
}

/// in.mpathd's reading of `FAILURE_DETECTION_TIME`: `strtol(value, NULL,
/// 0)`, then ≤ 0 becomes the default and < 100 the minimum, each with
/// in.mpathd's warning.
///
/// One deliberate difference: in.mpathd casts the `long` to an `int`, so
/// values of 2^31 ms (about 24.8 days) and more wrap around there. Here
/// the `long` is kept, so there is no maximum at all.
fn failure_detection_time(
    value: &str,
    line: usize,
    sink: &mut Sink,
) -> Duration {
    let ms = strtol(value);
    let ms = if ms <= 0 {
        sink.warn(
            line,
            format!(
                "Invalid failure detection time {value}, assuming default \
                 of {DEFAULT_FDT_MS} ms"
            ),
        );
        DEFAULT_FDT_MS
    } else if ms < MIN_FDT_MS {
        sink.warn(
            line,
            format!(
                "Too small failure detection time of {value}, assuming \
                 minimum of {MIN_FDT_MS} ms"
            ),
        );
        MIN_FDT_MS
    } else {
        ms
    };
    Duration::from_millis(ms.unsigned_abs())
}

/// `strcasecmp` against `yes` and `no`.
fn yes_no(value: &str) -> Option<bool> {
    if value.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if value.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}
