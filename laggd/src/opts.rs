//! Command-line options. Parsing only: nothing here acts.

/// Default file locations, per OS convention.
mod paths {
    /// The configuration file: ports install under /usr/local on FreeBSD.
    #[cfg(target_os = "freebsd")]
    pub const CONFIG: &str = "/usr/local/etc/laggd.conf";
    /// The configuration file.
    #[cfg(not(target_os = "freebsd"))]
    pub const CONFIG: &str = "/etc/laggd.conf";
    /// The control socket (shared with ifctl through the protocol crate).
    pub const SOCKET: &str = mpath_proto::LAGGD_SOCKET;
    /// The pid file (rc.subr's `pidfile`).
    #[cfg(target_os = "linux")]
    pub const PIDFILE: &str = "/run/laggd.pid";
    /// The pid file (rc.subr's `pidfile`).
    #[cfg(not(target_os = "linux"))]
    pub const PIDFILE: &str = "/var/run/laggd.pid";
}

use std::fmt;

/// The usage line, as laggd(8) shows it.
pub const USAGE: &str =
    "usage: laggd [-dhn] [-f config] [-p pidfile] [-s socket]";

/// What the command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opts {
    /// -d: stay in the foreground, log everything to stderr.
    pub debug: bool,
    /// -n: check the configuration and exit.
    pub check_only: bool,
    /// -h: print usage.
    pub help: bool,
    /// -f: configuration file.
    pub config: String,
    /// -p: pid file (none with -d unless given).
    pub pidfile: Option<String>,
    /// -s: control socket.
    pub socket: String,
}

/// A command line that cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.0, USAGE)
    }
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Opts, UsageError> {
    let mut o = getopts::Options::new();
    o.parsing_style(getopts::ParsingStyle::StopAtFirstFree);
    o.optflag("d", "", "foreground, debug logging to stderr");
    o.optflag("h", "", "usage");
    o.optflag("n", "", "check the configuration and exit");
    o.optopt("f", "", "configuration file", "config");
    o.optopt("p", "", "pid file", "pidfile");
    o.optopt("s", "", "control socket", "socket");
    let m = o.parse(args).map_err(|e| UsageError(e.to_string()))?;
    if let Some(extra) = m.free.first() {
        return Err(UsageError(format!("unexpected argument `{extra}`")));
    }
    let debug = m.opt_present("d");
    Ok(Opts {
        debug,
        check_only: m.opt_present("n"),
        help: m.opt_present("h"),
        config: m.opt_str("f").unwrap_or_else(|| paths::CONFIG.to_string()),
        pidfile: m
            .opt_str("p")
            .or_else(|| (!debug).then(|| paths::PIDFILE.to_string())),
        socket: m.opt_str("s").unwrap_or_else(|| paths::SOCKET.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let o = parse(&args("")).unwrap();
        assert!(!o.debug && !o.check_only);
        assert_eq!(o.config, paths::CONFIG);
        assert_eq!(o.pidfile.as_deref(), Some(paths::PIDFILE));
        let o = parse(&args("-dn -f /tmp/x.conf -s /tmp/s")).unwrap();
        assert!(o.debug && o.check_only);
        assert_eq!(o.config, "/tmp/x.conf");
        assert_eq!(o.socket, "/tmp/s");
        assert_eq!(o.pidfile, None, "no pid file in the foreground");
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
        assert!(parse(&args("-x")).is_err());
        assert!(parse(&args("-f")).is_err());
        assert!(parse(&args("extra")).is_err());
    }
}
