//! Where log lines go: syslog (daemon facility, the daemon's name as
//! ident, with the pid) normally; stderr with `-d`, debug lines included.

use std::ffi::CStr;
use std::io::Write;

use mpath_core::engine::Level;

/// The daemon's logger.
#[derive(Debug)]
pub struct Logger {
    name: &'static str,
    syslog: Option<sink::Sink>,
}

impl Logger {
    /// Logs to stderr (foreground, `-d`).
    pub fn stderr(name: &'static str) -> Logger {
        Logger { name, syslog: None }
    }

    /// Logs to syslog.
    pub fn syslog(name: &'static str, ident: &'static CStr) -> Logger {
        Logger {
            name,
            syslog: Some(sink::Sink::open(ident)),
        }
    }

    /// Writes one line. Debug lines go only to stderr.
    pub fn log(&self, level: Level, message: &str) {
        match &self.syslog {
            Some(s) => {
                if level != Level::Debug {
                    s.log(level, message);
                }
            }
            None => {
                let tag = match level {
                    Level::Err => "error",
                    Level::Warning => "warning",
                    Level::Info => "info",
                    Level::Debug => "debug",
                };
                // A closed stderr must not kill the daemon.
                let _ = writeln!(
                    std::io::stderr(),
                    "{}: {tag}: {message}",
                    self.name
                );
            }
        }
    }
}

/// The system log through the `syslog` crate: facility daemon, the
/// daemon's name as the process, its pid in every message (the log is
/// opened after detaching, so the pid is the daemon's), connected at once
/// (as `LOG_NDELAY`), and reconnected after a failed send, as syslog(3)
/// does when the log daemon restarts.
#[cfg(not(target_os = "illumos"))]
mod sink {
    use std::ffi::CStr;
    use std::sync::Mutex;

    use mpath_core::engine::Level;
    use syslog::{Facility, Formatter3164, LoggerBackend};

    type Conn = syslog::Logger<LoggerBackend, Formatter3164>;

    pub(super) struct Sink {
        formatter: Formatter3164,
        conn: Mutex<Option<Conn>>,
    }

    impl std::fmt::Debug for Sink {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("Sink")
                .field("formatter", &self.formatter)
                .finish_non_exhaustive()
        }
    }

    impl Sink {
        pub(super) fn open(ident: &'static CStr) -> Sink {
            let formatter = Formatter3164 {
                facility: Facility::LOG_DAEMON,
                hostname: None,
                process: ident.to_string_lossy().into_owned(),
                pid: std::process::id(),
            };
            // No log daemon yet is no error: syslog(3) drops the message
            // and tries again with the next one, and so do we.
            let conn = syslog::unix(formatter.clone()).ok();
            Sink {
                formatter,
                conn: Mutex::new(conn),
            }
        }

        pub(super) fn log(&self, level: Level, message: &str) {
            let mut conn = match self.conn.lock() {
                Ok(conn) => conn,
                Err(poisoned) => poisoned.into_inner(),
            };
            for _ in 0..2 {
                if conn.is_none() {
                    *conn = syslog::unix(self.formatter.clone()).ok();
                }
                let Some(c) = conn.as_mut() else { return };
                let sent = match level {
                    Level::Err => c.err(message),
                    Level::Warning => c.warning(message),
                    Level::Info => c.info(message),
                    Level::Debug => c.debug(message),
                };
                if sent.is_ok() {
                    return;
                }
                // The log daemon went away (restarted): once more on a
                // new connection, then the message is dropped.
                *conn = None;
            }
        }
    }
}

/// illumos: syslog(3) through mpath-sys (see `mpath_sys::syslog`).
#[cfg(target_os = "illumos")]
mod sink {
    use std::ffi::CStr;

    use mpath_core::engine::Level;
    use mpath_sys::syslog::{Priority, Syslog};

    #[derive(Debug)]
    pub(super) struct Sink(Syslog);

    impl Sink {
        pub(super) fn open(ident: &'static CStr) -> Sink {
            Sink(Syslog::open(ident))
        }

        pub(super) fn log(&self, level: Level, message: &str) {
            let p = match level {
                Level::Err => Priority::Err,
                Level::Warning => Priority::Warning,
                Level::Info => Priority::Info,
                Level::Debug => Priority::Debug,
            };
            self.0.log(p, message);
        }
    }
}
