//! Where log lines go: syslog (daemon facility, the daemon's name as
//! ident, with the pid) normally; stderr with `-d`, debug lines included.

use std::ffi::CStr;
use std::io::Write;

use mpath_core::engine::Level;
use mpath_sys::syslog::{Priority, Syslog};

/// The daemon's logger.
#[derive(Debug)]
pub struct Logger {
    name: &'static str,
    syslog: Option<Syslog>,
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
            syslog: Some(Syslog::open(ident)),
        }
    }

    /// Writes one line. Debug lines go only to stderr.
    pub fn log(&self, level: Level, message: &str) {
        match &self.syslog {
            Some(s) => {
                let p = match level {
                    Level::Err => Priority::Err,
                    Level::Warning => Priority::Warning,
                    Level::Info => Priority::Info,
                    Level::Debug => return,
                };
                s.log(p, message);
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
