//! illumos: `syslog(3)`, where a daemon's messages go unless it runs in
//! the foreground. (Elsewhere the daemons use the `syslog` crate; on
//! illumos /dev/log is a STREAMS device that crate cannot write to.)
//!
//! As in.mpathd: the daemon's name as the ident, the pid in every message
//! (`LOG_PID`), facility `LOG_DAEMON`, and the connection to the log
//! daemon opened at once (`LOG_NDELAY`), so that it is in place before a
//! chroot or privilege drop and its descriptor is not a surprise later.
//!
//! Messages are passed as the argument of a `"%s"` format, never as the
//! format itself: interface names and addresses come from the network and
//! the administrator, and a `%n` in one must not become a write.

use std::ffi::{CStr, CString};

/// A message's severity; the daemons use these five levels (OpenBSD's
/// `log.h` vocabulary: `log_warn`, `log_info`, `log_debug`, `fatal` at
/// `Err`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Priority {
    /// `LOG_ERR`: an error; the daemon may be exiting.
    Err,
    /// `LOG_WARNING`: something failed, and the daemon carries on.
    Warning,
    /// `LOG_NOTICE`: a significant normal event (an interface failed or
    /// was repaired).
    Notice,
    /// `LOG_INFO`: informational.
    Info,
    /// `LOG_DEBUG`: for debugging.
    Debug,
}

impl Priority {
    fn level(self) -> libc::c_int {
        match self {
            Priority::Err => libc::LOG_ERR,
            Priority::Warning => libc::LOG_WARNING,
            Priority::Notice => libc::LOG_NOTICE,
            Priority::Info => libc::LOG_INFO,
            Priority::Debug => libc::LOG_DEBUG,
        }
    }
}

/// The process's connection to the system log.
///
/// `openlog` is process-wide: opening a second `Syslog` changes the ident
/// of both. The C library keeps the ident pointer rather than copying the
/// string, which is why it must be `'static`. Nothing is closed on drop;
/// the connection lives until the process exits.
#[derive(Debug)]
pub struct Syslog {
    _private: (),
}

impl Syslog {
    /// `openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON)`, e.g.
    /// `Syslog::open(c"mpathd")`.
    pub fn open(ident: &'static CStr) -> Syslog {
        // SAFETY: `ident` is a NUL-terminated string that lives for the
        // rest of the process, as openlog requires (it keeps the pointer).
        unsafe {
            libc::openlog(
                ident.as_ptr(),
                libc::LOG_PID | libc::LOG_NDELAY,
                libc::LOG_DAEMON,
            );
        };
        Syslog { _private: () }
    }

    /// Logs `msg` at `priority`. A NUL byte in `msg` (which would end the
    /// C string early) is written as `\0`.
    pub fn log(&self, priority: Priority, msg: &str) {
        let msg = c_message(msg);
        // SAFETY: both arguments are NUL-terminated strings that outlive
        // the call; the format "%s" consumes exactly the one variadic
        // argument, a `char *`.
        unsafe { libc::syslog(priority.level(), c"%s".as_ptr(), msg.as_ptr()) };
    }
}

/// `msg` as a C string, NUL bytes spelt `\0`.
fn c_message(msg: &str) -> CString {
    let msg = if msg.contains('\0') {
        msg.replace('\0', "\\0")
    } else {
        msg.to_owned()
    };
    // No NUL remains.
    CString::new(msg).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_are_spelt_out() {
        assert_eq!(c_message("plain").to_bytes(), b"plain");
        assert_eq!(c_message("a\0b\0").to_bytes(), b"a\\0b\\0");
        assert_eq!(c_message("%n%s").to_bytes(), b"%n%s");
    }

    #[test]
    fn levels_are_ordered_by_severity() {
        assert!(Priority::Err < Priority::Debug);
        assert_eq!(Priority::Err.level(), libc::LOG_ERR);
        assert_eq!(Priority::Debug.level(), libc::LOG_DEBUG);
    }

    #[test]
    fn logs_without_crashing() {
        // Whether a log daemon listens is up to the host; syslog(3)
        // reports nothing either way. Debug only, so as not to alarm the
        // host's log readers.
        let log = Syslog::open(c"mpath-sys-test");
        log.log(Priority::Debug, "mpath-sys test message %s %n");
        log.log(Priority::Debug, "mpath-sys test message with \0 nul");
    }
}
