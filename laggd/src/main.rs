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

use std::io::Write;
use std::process::ExitCode;

use mpath_core::lagg::config::LaggdConfig;

/// sysexits(3).
const EX_USAGE: u8 = 64;
#[cfg(not(any(target_os = "linux", target_os = "freebsd")))]
const EX_UNAVAILABLE: u8 = 69;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
const EX_OSERR: u8 = 71;
const EX_CONFIG: u8 = 78;

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "laggd: {msg}");
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
    let (cfg, warnings) = match load::load(&o.config) {
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
    run(&o, cfg)
}

#[cfg(any(target_os = "linux", target_os = "freebsd"))]
fn run(o: &opts::Opts, cfg: LaggdConfig) -> ExitCode {
    use crate::daemon::Daemon;

    if let Err(e) = mpath_sys::signal::ignore_sigpipe() {
        say(&format!("signals: {e}"));
        return ExitCode::from(EX_OSERR);
    }
    let os = match platform::open() {
        Ok(k) => k,
        Err(e) => {
            say(&format!("cannot open the kernel interface: {e}"));
            return ExitCode::from(EX_OSERR);
        }
    };
    let started = match mpath_daemon::start::start(o, "laggd", c"laggd") {
        Ok(s) => s,
        Err(e) => {
            say(&e.message);
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
    say("laggd runs on Linux (bonding) and FreeBSD (lagg) only");
    ExitCode::from(EX_UNAVAILABLE)
}
