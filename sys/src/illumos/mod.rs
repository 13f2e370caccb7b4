//! illumos.

pub mod aggregate;
pub(crate) mod ifaddrs;
pub mod kernel;
pub(crate) mod peercred;
pub mod portprobe;
pub mod probe;
pub mod rtsock;
pub mod syslog;

/// illumos: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}
