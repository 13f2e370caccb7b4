//! laggd: a supervisor for lagg(4) (Linux: bonding). It probes through
//! each member port, takes a port whose path fails out of service, keeps
//! min-links and link-state tracking, and drives the HA engine from
//! redundancy groups. See laggd(8) and laggd.conf(5); the policies are
//! in `mpath_core::lagg`, this program only does I/O.

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod daemon;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod ha;
mod load;
mod opts;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
mod platform;

use std::process::ExitCode;

use mpath_core::lagg::config::LaggdConfig;
use mpath_daemon::start::say;

fn main() -> ExitCode {
    match mpath_daemon::start::begin(&opts::DEFAULTS, load::load) {
        Ok((o, cfg)) => run(&o, cfg),
        Err(code) => code,
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn run(o: &opts::Opts, cfg: LaggdConfig) -> ExitCode {
    use crate::daemon::Daemon;

    let os = match platform::open() {
        Ok(k) => k,
        Err(e) => {
            say("laggd", &format!("cannot open the kernel interface: {e}"));
            return ExitCode::from(mpath_daemon::start::EX_OSERR);
        }
    };
    let started = match mpath_daemon::start::start(o, "laggd", c"laggd") {
        Ok(s) => s,
        Err(e) => {
            say("laggd", &e.message);
            return ExitCode::from(e.exit);
        }
    };
    let _pidfile = started.pidfile;
    Daemon::new(
        &o.config,
        cfg,
        os,
        started.log,
        started.control,
        started.signals,
    )
    .run();
    ExitCode::SUCCESS
}

#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
fn run(_: &opts::Opts, _: LaggdConfig) -> ExitCode {
    say(
        "laggd",
        "laggd runs on Linux (bonding) and FreeBSD (lagg) only",
    );
    ExitCode::from(mpath_daemon::start::EX_UNAVAILABLE)
}
