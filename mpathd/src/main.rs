//! mpathd: an in.mpathd-style failure detection and failover daemon.
//!
//! It watches the member interfaces of IPMP-like groups by link state and
//! by ICMP probes from per-interface test addresses, and moves data
//! addresses from a failed member to a working one (and back), as
//! Solaris 8-10's in.mpathd did. See mpathd(8) and mpathd.conf(5). The
//! engine is `mpath_core::mpathd::engine`; the event loop is `mpath_daemon`'s;
//! this program is the glue between them.

mod backend;
mod config;
mod events;
mod opts;
mod os;
mod paths;
mod probes;
mod requests;

#[cfg(test)]
mod harness;

use std::process::ExitCode;

fn main() -> ExitCode {
    mpath_daemon::run::<backend::Mpathd>(&opts::DEFAULTS, c"mpathd")
}
