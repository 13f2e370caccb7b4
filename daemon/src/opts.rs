//! The daemons' command line (`[-dhn] [-f config] [-p pidfile] [-s
//! socket]`, the same for mpathd and laggd). Parsing only: nothing here
//! acts.

use std::fmt;

/// A daemon's name and default paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Defaults {
    /// Program name, for the usage line.
    pub name: &'static str,
    /// Configuration file.
    pub config: &'static str,
    /// Control socket.
    pub socket: &'static str,
    /// Pid file when detached.
    pub pidfile: &'static str,
}

impl Defaults {
    /// The usage line, as the manual page shows it.
    pub fn usage(&self) -> String {
        format!(
            "usage: {} [-dhn] [-f config] [-p pidfile] [-s socket]",
            self.name
        )
    }
}

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

/// A command line that cannot be used: what is wrong, then the usage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageError {
    /// What is wrong.
    pub problem: String,
    /// The usage line.
    pub usage: String,
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.problem, self.usage)
    }
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String], d: &Defaults) -> Result<Opts, UsageError> {
    let bad = |problem: String| UsageError {
        problem,
        usage: d.usage(),
    };
    let mut o = getopts::Options::new();
    o.parsing_style(getopts::ParsingStyle::StopAtFirstFree);
    o.optflag("d", "", "foreground, debug logging to stderr");
    o.optflag("h", "", "usage");
    o.optflag("n", "", "check the configuration and exit");
    o.optopt("f", "", "configuration file", "config");
    o.optopt("p", "", "pid file", "pidfile");
    o.optopt("s", "", "control socket", "socket");
    let m = o.parse(args).map_err(|e| bad(e.to_string()))?;
    if let Some(extra) = m.free.first() {
        return Err(bad(format!("unexpected argument `{extra}`")));
    }
    let debug = m.opt_present("d");
    Ok(Opts {
        debug,
        check_only: m.opt_present("n"),
        help: m.opt_present("h"),
        config: m.opt_str("f").unwrap_or_else(|| d.config.to_string()),
        pidfile: m
            .opt_str("p")
            .or_else(|| (!debug).then(|| d.pidfile.to_string())),
        socket: m.opt_str("s").unwrap_or_else(|| d.socket.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: Defaults = Defaults {
        name: "food",
        config: "/etc/food.conf",
        socket: "/run/food.sock",
        pidfile: "/run/food.pid",
    };

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let o = parse(&args(""), &D).unwrap();
        assert!(!o.debug && !o.check_only);
        assert_eq!(o.config, D.config);
        assert_eq!(o.socket, D.socket);
        assert_eq!(o.pidfile.as_deref(), Some(D.pidfile));
        let o = parse(&args("-dn -f /tmp/x.conf -s /tmp/s"), &D).unwrap();
        assert!(o.debug && o.check_only);
        assert_eq!(o.config, "/tmp/x.conf");
        assert_eq!(o.socket, "/tmp/s");
        assert_eq!(o.pidfile, None, "no pid file in the foreground");
        let o = parse(&args("-d -p /tmp/p"), &D).unwrap();
        assert_eq!(o.pidfile.as_deref(), Some("/tmp/p"));
    }

    #[test]
    fn bad_arguments_are_usage_errors() {
        for a in ["-x", "-f", "extra"] {
            let e = parse(&args(a), &D).unwrap_err();
            assert!(e.to_string().ends_with(&D.usage()), "{e}");
        }
    }
}
