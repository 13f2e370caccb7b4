//! illumos.

pub mod aggregate;
pub(crate) mod ifaddrs;
pub mod kernel;
pub(crate) mod peercred;
pub mod portprobe;
pub mod probe;
/// mpathd's probe sockets: one per path.
pub mod probes {
    pub use crate::unix::probes::ProbeSockets;
}
pub mod rtsock;
pub mod syslog;

/// illumos: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}
