//! Where log lines go: syslog (daemon facility, the daemon's name as
//! ident, with the pid) normally; stderr with `-d`, debug lines included;
//! or memory, for a test to read.

use std::ffi::CStr;
use std::io::Write;
use std::sync::{Arc, Mutex};

use mpath_core::log::Level;

/// Log lines kept in memory ([`Logger::memory`]), oldest first.
pub type Lines = Arc<Mutex<Vec<(Level, String)>>>;

/// The daemon's logger.
#[derive(Debug)]
pub struct Logger {
    name: &'static str,
    to: To,
}

#[derive(Debug)]
enum To {
    Stderr,
    Syslog(sink::Sink),
    Memory(Lines),
}

impl Logger {
    /// Logs to stderr (foreground, `-d`).
    pub fn stderr(name: &'static str) -> Logger {
        Logger {
            name,
            to: To::Stderr,
        }
    }

    /// Logs to syslog.
    pub fn syslog(name: &'static str, ident: &'static CStr) -> Logger {
        Logger {
            name,
            to: To::Syslog(sink::Sink::open(ident)),
        }
    }

    /// Keeps every line, debug lines included, in memory for the caller
    /// (a test).
    pub fn memory(name: &'static str) -> (Logger, Lines) {
        let lines = Lines::default();
        let to = To::Memory(Arc::clone(&lines));
        (Logger { name, to }, lines)
    }

    /// Writes one line. Debug lines go only to stderr (and memory).
    pub fn log(&self, level: Level, message: &str) {
        match &self.to {
            To::Syslog(s) => {
                if level != Level::Debug {
                    s.log(level, message);
                }
            }
            To::Stderr => {
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
            To::Memory(lines) => lines
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((level, message.to_string())),
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
    use std::path::PathBuf;
    use std::sync::Mutex;

    use mpath_core::log::Level;
    use syslog::{Facility, Formatter3164, LoggerBackend};

    type Conn = syslog::Logger<LoggerBackend, Formatter3164>;

    pub(super) struct Sink {
        formatter: Formatter3164,
        /// The log socket; `None`: the crate's (`/dev/log`, ...).
        path: Option<PathBuf>,
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
            Sink::open_at(ident, None)
        }

        pub(super) fn open_at(ident: &CStr, path: Option<PathBuf>) -> Sink {
            let formatter = Formatter3164 {
                facility: Facility::LOG_DAEMON,
                hostname: None,
                process: ident.to_string_lossy().into_owned(),
                pid: std::process::id(),
            };
            let sink = Sink {
                formatter,
                path,
                conn: Mutex::new(None),
            };
            // No log daemon yet is no error: syslog(3) drops the message
            // and tries again with the next one, and so do we.
            *sink.conn.lock().unwrap_or_else(|p| p.into_inner()) =
                sink.connect();
            sink
        }

        fn connect(&self) -> Option<Conn> {
            let formatter = self.formatter.clone();
            match &self.path {
                None => syslog::unix(formatter).ok(),
                Some(path) => syslog::unix_custom(formatter, path).ok(),
            }
        }

        pub(super) fn log(&self, level: Level, message: &str) {
            let mut conn = match self.conn.lock() {
                Ok(conn) => conn,
                Err(poisoned) => poisoned.into_inner(),
            };
            for _ in 0..2 {
                if conn.is_none() {
                    *conn = self.connect();
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

    #[cfg(test)]
    mod tests {
        use std::os::unix::net::UnixDatagram;
        use std::time::Duration;

        use super::*;

        fn recv(server: &UnixDatagram) -> String {
            let mut buf = [0u8; 512];
            let n = server.recv(&mut buf).unwrap();
            String::from_utf8_lossy(&buf[..n]).into_owned()
        }

        #[test]
        fn messages_carry_facility_daemon_priority_ident_and_pid() {
            let dir = std::env::temp_dir()
                .join(format!("mpath-daemon-log-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("log");
            let _ = std::fs::remove_file(&path);
            let server = UnixDatagram::bind(&path).unwrap();
            server
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let sink = Sink::open_at(c"mpath-test", Some(path.clone()));
            let pid = std::process::id();

            // LOG_DAEMON (3 << 3) + LOG_ERR (3); the text as it is.
            sink.log(Level::Err, "probe %n failed");
            let line = recv(&server);
            assert!(line.starts_with("<27>"), "{line}");
            assert!(
                line.ends_with(&format!("mpath-test[{pid}]: probe %n failed")),
                "{line}"
            );
            sink.log(Level::Warning, "w");
            assert!(recv(&server).starts_with("<28>"));
            sink.log(Level::Info, "i");
            assert!(recv(&server).starts_with("<30>"));

            // The log daemon restarts: the next message reconnects.
            drop(server);
            std::fs::remove_file(&path).unwrap();
            let server = UnixDatagram::bind(&path).unwrap();
            server
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            sink.log(Level::Err, "again");
            assert!(recv(&server).ends_with("]: again"));
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}

/// illumos: syslog(3) through mpath-sys (see `mpath_sys::syslog`).
#[cfg(target_os = "illumos")]
mod sink {
    use std::ffi::CStr;

    use mpath_core::log::Level;
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
