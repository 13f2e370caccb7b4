//! laggd's name and default paths (per OS convention) for the daemons'
//! shared command line (`mpath_daemon::opts`).

use mpath_daemon::opts::Defaults;

/// laggd's name and default paths.
pub const DEFAULTS: Defaults = Defaults {
    name: "laggd",
    config: CONFIG,
    socket: mpath_proto::LAGGD_SOCKET,
    pidfile: PIDFILE,
};

/// The configuration file: ports install under /usr/local on FreeBSD.
#[cfg(target_os = "freebsd")]
const CONFIG: &str = "/usr/local/etc/laggd.conf";
/// The configuration file.
#[cfg(not(target_os = "freebsd"))]
const CONFIG: &str = "/etc/laggd.conf";

/// The pid file (rc.subr's `pidfile`).
#[cfg(target_os = "linux")]
const PIDFILE: &str = "/run/laggd.pid";
/// The pid file (rc.subr's `pidfile`).
#[cfg(not(target_os = "linux"))]
const PIDFILE: &str = "/var/run/laggd.pid";
