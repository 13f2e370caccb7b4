//! laggd: a supervisor for lagg(4) (Linux: bonding). It probes through
//! each member port, takes a port whose path fails out of service, keeps
//! min-links and link-state tracking, and drives the HA engine from
//! redundancy groups. See laggd.conf(5); the policies are in
//! `mpath_core::lagg`, this program only does I/O.

#[cfg(target_os = "linux")]
mod linux;

use std::io::Write;
use std::process::ExitCode;

use mpath_core::lagg::config;

const EX_USAGE: u8 = 64;
const EX_UNAVAILABLE: u8 = 69;
const EX_CONFIG: u8 = 78;

const USAGE: &str = "usage: laggd [-dhn] [-f file]";

/// The configuration file, by OS convention.
#[cfg(target_os = "freebsd")]
const CONFIG: &str = "/usr/local/etc/laggd.conf";
/// The configuration file, by OS convention.
#[cfg(not(target_os = "freebsd"))]
const CONFIG: &str = "/etc/laggd.conf";

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "laggd: {msg}");
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = getopts::Options::new();
    opts.optflag("d", "", "run in the foreground, log to stderr");
    opts.optflag("h", "", "print this help");
    opts.optflag("n", "", "check the configuration and exit");
    opts.optopt("f", "", "configuration file", "file");
    let m = match opts.parse(&args) {
        Ok(m) => m,
        Err(e) => {
            say(&format!("{e}\n{USAGE}"));
            return ExitCode::from(EX_USAGE);
        }
    };
    if m.opt_present("h") {
        let _ = writeln!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    if !m.free.is_empty() {
        say(USAGE);
        return ExitCode::from(EX_USAGE);
    }
    let path = m.opt_str("f").unwrap_or_else(|| CONFIG.to_string());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            say(&format!("{path}: {e}"));
            return ExitCode::from(EX_CONFIG);
        }
    };
    let cfg = match config::parse(&path, &text) {
        Ok(p) => {
            for w in &p.warnings {
                let _ = writeln!(std::io::stderr(), "{w}");
            }
            p.config
        }
        Err(diags) => {
            for d in diags {
                let _ = writeln!(std::io::stderr(), "{d}");
            }
            say(&format!("{path}: configuration not valid"));
            return ExitCode::from(EX_CONFIG);
        }
    };
    if m.opt_present("n") {
        say(&format!("{path}: configuration OK"));
        return ExitCode::SUCCESS;
    }
    run(cfg, m.opt_present("d"))
}

#[cfg(target_os = "linux")]
fn run(cfg: config::LaggdConfig, _foreground: bool) -> ExitCode {
    match linux::run(cfg) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            say(&e.to_string());
            ExitCode::from(EX_UNAVAILABLE)
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn run(_: config::LaggdConfig, _: bool) -> ExitCode {
    say("the daemon runs on Linux so far; FreeBSD's lagg(4) backend is not written yet");
    ExitCode::from(EX_UNAVAILABLE)
}
