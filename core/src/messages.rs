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

// ----- the control socket ----------------------------------------------------

/// More clients than the control socket serves.
pub const TOO_MANY_CLIENTS: &str = "control: too many clients; refusing one";

/// A control client's credentials could not be read.
pub fn peer_credentials_failed(e: &impl Display) -> String {
    format!("control: peer credentials: {e}")
}

/// A control client could not be watched.
pub fn client_register_failed(e: &impl Display) -> String {
    format!("control: register: {e}")
}

/// Accepting a control client failed.
pub fn accept_failed(e: &impl Display) -> String {
    format!("control: accept: {e}")
}

/// A control client stopped reading and was dropped.
pub fn client_dropped(uid: u32) -> String {
    format!("control: dropping a client (uid {uid}) that stopped reading")
}

// ----- start (on stderr, before the log is open) ------------------------------

/// `-n`: the file is good.
pub fn config_ok(config: &str) -> String {
    format!("{config}: configuration OK")
}

/// The file is not good (its problems were printed before).
pub fn config_not_valid(config: &str) -> String {
    format!("{config}: configuration not valid")
}

/// Signals could not be set up.
pub fn signals_failed(e: &impl Display) -> String {
    format!("signals: {e}")
}

/// The control socket could not be bound.
pub fn control_socket_failed(path: &str, e: &impl Display) -> String {
    format!("control socket {path}: {e}")
}

/// Detaching failed.
pub fn daemonize_failed(e: &impl Display) -> String {
    format!("cannot daemonize: {e}")
}

/// The pid file could not be written.
pub fn pidfile_failed(path: &str, e: &impl Display) -> String {
    format!("pid file {path}: {e}")
}

/// The event loop could not be created.
pub fn event_loop_failed(e: &impl Display) -> String {
    format!("cannot create the event loop: {e}")
}

/// A descriptor's rights could not be limited.
pub fn rights_limit_failed(e: &impl Display) -> String {
    format!("cannot limit a descriptor's rights: {e}")
}

/// The backend's kernel interfaces could not be opened.
pub fn kernel_open_failed(e: &impl Display) -> String {
    format!("cannot open the kernel interface: {e}")
}
