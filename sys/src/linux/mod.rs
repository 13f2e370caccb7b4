//! Linux (glibc or musl).

pub mod aggregate;
pub mod bond;
pub(crate) mod ifaddrs;
pub mod kernel;
pub mod lacp;
pub mod link;
pub mod netlink;
pub mod packet;
pub(crate) mod peercred;
pub mod portprobe;
pub mod probes;
#[cfg(test)]
mod testns;

/// `setns(CLONE_NEWNET)` on the calling thread (see `unix::netns`).
pub(crate) fn enter_netns(path: &std::path::Path) -> std::io::Result<()> {
    let file = std::fs::File::open(path)?;
    nix::sched::setns(file, nix::sched::CloneFlags::CLONE_NEWNET)?;
    Ok(())
}

/// Linux: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}

/// Why there is no CARP here (see `unix::no_carp`).
pub(crate) const NO_CARP: &str =
    "CARP is FreeBSD's; on Linux use `keepalived FILE`";
pub(crate) use crate::unix::no_carp::{
    adjust_carp_demotion, carp_preempt, carp_vhid, set_carp_advskew,
};

/// `SO_SNDBUFFORCE`: root may exceed `net.core.wmem_max` (see
/// `unix::sockbuf`).
pub(crate) fn force_send_buffer(
    fd: std::os::fd::BorrowedFd<'_>,
    bytes: usize,
) -> bool {
    use nix::sys::socket::{setsockopt, sockopt};
    setsockopt(&fd, sockopt::SndBufForce, &bytes).is_ok()
}

/// No rights limits here (see `unix::sandbox::limit`).
pub(crate) fn limit_rights(
    _fd: std::os::fd::BorrowedFd<'_>,
    _kept: crate::unix::sandbox::Kept,
) -> std::io::Result<bool> {
    Ok(false)
}
