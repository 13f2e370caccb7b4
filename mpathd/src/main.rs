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

use std::process::ExitCode;

use mpath_daemon::start::{say, EX_OSERR};
use mpath_daemon::{control, log};

use crate::daemon::{load_config, Daemon, Exit};

fn main() -> ExitCode {
    let (o, cfg) =
        match mpath_daemon::start::begin(&opts::DEFAULTS, load_config) {
            Ok(x) => x,
            Err(code) => return code,
        };
    let kernel = match platform::open() {
        Ok(k) => k,
        Err(e) => {
            say("mpathd", &format!("cannot open the kernel interface: {e}"));
            return ExitCode::from(EX_OSERR);
        }
    };
    let started = match mpath_daemon::start::start(&o, "mpathd", c"mpathd") {
        Ok(s) => s,
        Err(e) => {
            say("mpathd", &e.message);
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
