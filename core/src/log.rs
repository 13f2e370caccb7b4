//! What a log line is, for both engines: its syslog priority and what
//! kind of news it carries. The kind is what `ifctl watch` shows and
//! filters on; it is decided where the line is made, never guessed from
//! the text afterwards.

/// syslog priority of a log line.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    /// LOG_ERR: failures, repairs, link changes (in.mpathd's `logerr`).
    Err,
    /// LOG_WARNING: configuration problems the daemon works around.
    Warning,
    /// LOG_INFO: address moves, target and timing changes (`logtrace`).
    Info,
    /// LOG_DEBUG: probe-level detail.
    Debug,
}

/// What a log line is news of.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LogKind {
    /// A member, port, group or link changed state (failure, repair,
    /// link up or down, min-links, tracking, redundancy priority).
    State,
    /// A data address was configured, moved or announced elsewhere.
    Address,
    /// Anything else: configuration, targets, timing, the daemon itself.
    Other,
}

impl LogKind {
    /// The word the control protocol's events carry (`Event::kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            LogKind::State => "state",
            LogKind::Address => "address",
            LogKind::Other => "log",
        }
    }
}
