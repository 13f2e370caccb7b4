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

/// No network namespaces here (see `unix::netns`).
pub(crate) fn enter_netns(_: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "network namespaces are Linux's",
    ))
}

/// illumos: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}

/// Why there is no CARP here (see `unix::no_carp`).
pub(crate) const NO_CARP: &str =
    "CARP is FreeBSD's; laggd does not run on illumos";
pub(crate) use crate::unix::no_carp::{
    adjust_carp_demotion, carp_preempt, carp_vhid, set_carp_advskew,
};

/// No forcing past the system's cap (see `unix::sockbuf`).
pub(crate) fn force_send_buffer(
    _fd: std::os::fd::BorrowedFd<'_>,
    _bytes: usize,
) -> bool {
    false
}

/// No rights limits here (see `unix::sandbox::limit`).
pub(crate) fn limit_rights(
    _fd: std::os::fd::BorrowedFd<'_>,
    _kept: crate::unix::sandbox::Kept,
) -> std::io::Result<bool> {
    Ok(false)
}
