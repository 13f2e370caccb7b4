//! The log texts of the driver both daemons run on (`mpath-daemon`):
//! start, reload, signals, and the event loop's own troubles. Each
//! engine's texts are in its own messages module.

use std::fmt::Display;

/// The daemon started.
pub fn starting(daemon: &str, version: &str, config: &str) -> String {
    format!("{daemon} {version} starting with {config}")
}

/// SIGHUP arrived.
pub fn sighup(config: &str) -> String {
    format!("SIGHUP: rereading configuration file {config}")
}

/// A terminating signal arrived; `daemon` says what it undoes.
pub fn exiting(signal: &str, daemon: &str) -> String {
    let undo = match daemon {
        "mpathd" => "restoring data addresses to their home interfaces",
        _ => "restoring what laggd changed",
    };
    format!("{signal}: {undo} and exiting")
}

/// A reload succeeded.
pub fn reloaded(config: &str) -> String {
    format!("reloaded {config}")
}

/// A reload failed (the problems were logged before this line).
pub fn not_reloaded(config: &str) -> String {
    format!("{config}: not reloaded; keeping the configuration in force")
}

/// The answer to a `reload` request that failed.
pub fn reload_refused(config: &str) -> String {
    format!("{config}: not reloaded; the configuration in force is unchanged")
}

/// Waiting for events failed.
pub fn wait_failed(e: &impl Display) -> String {
    format!("poll: {e}")
}

/// Reading the kernel's hints failed.
pub fn hints_failed(e: &impl Display) -> String {
    format!("kernel notifications: {e}; resynchronising")
}

/// Reading the kernel's state failed.
pub fn snapshot_failed(e: &impl Display) -> String {
    format!("cannot read interface state: {e}")
}
