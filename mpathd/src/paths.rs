//! Default file locations, per OS convention.

/// The configuration file: ports install under /usr/local on FreeBSD.
#[cfg(target_os = "freebsd")]
pub const CONFIG: &str = "/usr/local/etc/mpathd.conf";
/// The configuration file.
#[cfg(not(target_os = "freebsd"))]
pub const CONFIG: &str = "/etc/mpathd.conf";

/// The control socket (shared with ifctl through the protocol crate).
pub const SOCKET: &str = mpath_proto::MPATHD_SOCKET;

/// The pid file (rc.subr's `pidfile`).
#[cfg(target_os = "linux")]
pub const PIDFILE: &str = "/run/mpathd.pid";
/// The pid file (rc.subr's `pidfile`).
#[cfg(not(target_os = "linux"))]
pub const PIDFILE: &str = "/var/run/mpathd.pid";
