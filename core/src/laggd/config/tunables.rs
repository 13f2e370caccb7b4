//! `KEY=VALUE` lines.
//!
//! `FAILURE_DETECTION_TIME` is handed to mpathd's own parser
//! ([`crate::mpathd::config::parse`]), so that both daemons read it to the letter
//! alike (C `strtol`, the clamping and in.mpathd's warning texts); only
//! the line number of its warnings is ours.

use super::model::LaggdTunables;
use crate::syntax::{did_you_mean, Sink};

/// The keys, in their canonical spelling.
pub(super) const KEYS: [&str; 1] = ["FAILURE_DETECTION_TIME"];

/// Reads `KEY=VALUE` lines and remembers where each key was first set.
#[derive(Debug, Default)]
pub(super) struct TunableReader {
    tunables: LaggdTunables,
    first_line: [Option<usize>; 1],
}

impl TunableReader {
    /// One `KEY=VALUE` line, comments removed.
    pub(super) fn read(&mut self, line: usize, body: &str, sink: &mut Sink) {
        let (key, value) = body.split_once('=').unwrap_or((body, ""));
        let (key, value) = (key.trim(), value.trim());
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
        if let Some(first) = self.first_line[index] {
            sink.warn(
                line,
                format!(
                    "{name} is already set on line {first}; ignoring this \
                     setting (the first one wins)"
                ),
            );
            return;
        }
        self.first_line[index] = Some(line);
        let text = format!("{name}={value}");
        // mpathd's parser only warns about this key, never rejects it.
        if let Ok(p) = crate::mpathd::config::parse("", &text) {
            self.tunables.failure_detection_time =
                p.config.tunables.failure_detection_time;
            for w in p.warnings {
                sink.push(line, w.severity, w.message);
            }
        }
    }

    pub(super) fn finish(self) -> LaggdTunables {
        self.tunables
    }
}
