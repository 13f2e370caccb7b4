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

/// CARP is FreeBSD's (see `unix::ha`).
fn no_carp() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "CARP is FreeBSD's; laggd does not run on illumos",
    )
}

/// CARP is FreeBSD's (see `unix::ha`).
pub(crate) fn adjust_carp_demotion(_delta: i32) -> std::io::Result<()> {
    Err(no_carp())
}

/// CARP is FreeBSD's (see `unix::ha`).
pub(crate) fn carp_vhid(
    _ifname: &str,
    _vhid: u8,
) -> std::io::Result<crate::unix::ha::CarpVhid> {
    Err(no_carp())
}

/// CARP is FreeBSD's (see `unix::ha`).
pub(crate) fn set_carp_advskew(
    _ifname: &str,
    _vhid: u8,
    _advskew: u8,
) -> std::io::Result<()> {
    Err(no_carp())
}

/// CARP is FreeBSD's (see `unix::ha`).
pub(crate) fn carp_preempt() -> std::io::Result<bool> {
    Err(no_carp())
}

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
