//! mpathd: an in.mpathd-style failure detection and failover daemon.
//!
//! It watches the member interfaces of IPMP-like groups by link state and
//! by ICMP probes from per-interface test addresses, and moves data
//! addresses from a failed member to a working one (and back), as
//! Solaris 8-10's in.mpathd did. See mpathd(8) and mpathd.conf(5).

mod daemon;
mod opts;
mod paths;
mod platform;
mod probes;
mod runtime;

use std::io::Write;
use std::process::ExitCode;

use mpath_daemon::{control, log};

use crate::daemon::{load_config, Daemon, Exit};

/// sysexits(3).
const EX_USAGE: u8 = 64;
const EX_OSERR: u8 = 71;
const EX_CONFIG: u8 = 78;

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "mpathd: {msg}");
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = match opts::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            say(&e.to_string());
            return ExitCode::from(EX_USAGE);
        }
    };
    if o.help {
        let _ = writeln!(std::io::stdout(), "{}", opts::DEFAULTS.usage());
        return ExitCode::SUCCESS;
    }
    let (cfg, warnings) = match load_config(&o.config) {
        Ok(c) => c,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(std::io::stderr(), "{e}");
            }
            say(&format!("{}: configuration not valid", o.config));
            return ExitCode::from(EX_CONFIG);
        }
    };
    for w in &warnings {
        let _ = writeln!(std::io::stderr(), "{w}");
    }
    if o.check_only {
        say(&format!("{}: configuration OK", o.config));
        return ExitCode::SUCCESS;
    }

    if let Err(e) = mpath_sys::signal::ignore_sigpipe() {
        say(&format!("signals: {e}"));
        return ExitCode::from(EX_OSERR);
    }
    let kernel = match platform::open() {
        Ok(k) => k,
        Err(e) => {
            say(&format!("cannot open the kernel interface: {e}"));
            return ExitCode::from(EX_OSERR);
        }
    };
    let started = match mpath_daemon::start::start(&o, "mpathd", c"mpathd") {
        Ok(s) => s,
        Err(e) => {
            say(&e.message);
            return ExitCode::from(e.exit);
        }
    };
    let _pidfile = started.pidfile;
    let mut d = Daemon::new(
        &o.config,
        cfg,
        started.log,
        kernel,
        started.control,
        started.signals,
    );
    match d.run() {
        Exit::Signal(_) => ExitCode::SUCCESS,
    }
}
