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
use std::path::Path;
use std::process::ExitCode;

use mpath_daemon::{control, log};
use mpath_sys::signal::{Signal, SignalPipe};

use crate::daemon::{load_config, Daemon, Exit};
use crate::log::Logger;

/// sysexits(3).
const EX_USAGE: u8 = 64;
const EX_UNAVAILABLE: u8 = 69;
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
    // Bound before daemonising, so that a zero exit status from the
    // parent means the socket is ready (in.mpathd does the same).
    let control = match control::Control::bind(Path::new(&o.socket), "mpathd") {
        Ok(c) => c,
        Err(e) => {
            say(&format!("control socket {}: {e}", o.socket));
            return ExitCode::from(EX_UNAVAILABLE);
        }
    };
    let signals = match SignalPipe::install(&[
        Signal::Hup,
        Signal::Term,
        Signal::Int,
        Signal::Quit,
        Signal::Usr1,
    ]) {
        Ok(s) => s,
        Err(e) => {
            say(&format!("signals: {e}"));
            return ExitCode::from(EX_OSERR);
        }
    };
    let log = if o.debug {
        Logger::stderr("mpathd")
    } else {
        if let Err(e) = mpath_sys::daemon::daemonize() {
            say(&format!("cannot daemonize: {e}"));
            return ExitCode::from(EX_OSERR);
        }
        Logger::syslog("mpathd", c"mpathd")
    };
    let _pidfile = match &o.pidfile {
        Some(p) => match mpath_sys::daemon::write_pidfile(Path::new(p)) {
            Ok(f) => Some(f),
            Err(e) => {
                log.log(
                    mpath_core::engine::Level::Err,
                    &format!("pid file {p}: {e}"),
                );
                return ExitCode::from(EX_UNAVAILABLE);
            }
        },
        None => None,
    };
    log.log(
        mpath_core::engine::Level::Info,
        &format!(
            "mpathd {} starting with {}",
            env!("CARGO_PKG_VERSION"),
            o.config
        ),
    );
    let mut d = Daemon::new(&o.config, cfg, log, kernel, control, signals);
    match d.run() {
        Exit::Signal(_) => ExitCode::SUCCESS,
    }
}
