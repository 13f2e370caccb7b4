//! laggd: a supervisor for lagg(4) (Linux: bonding). It probes through
//! each member port, takes a port whose path fails out of service, keeps
//! min-links and link-state tracking, and drives the HA engine from
//! redundancy groups. See laggd(8) and laggd.conf(5). The policies are
//! `mpath_core::laggd`'s, the event loop `mpath_daemon`'s; this program
//! is the glue between them.

mod backend;
mod ha;
mod load;
mod opts;
mod ports;
mod requests;

use std::process::ExitCode;

fn main() -> ExitCode {
    mpath_daemon::run::<backend::Laggd>(&opts::DEFAULTS, c"laggd")
}
