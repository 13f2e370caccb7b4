//! FreeBSD.

pub(crate) mod abi;
#[cfg(target_os = "freebsd")]
mod addr;
#[cfg(target_os = "freebsd")]
pub mod aggregate;
pub mod bpf;
pub mod carp;
pub(crate) mod cmsg;
#[cfg(target_os = "freebsd")]
mod groups;
#[cfg(target_os = "freebsd")]
pub(crate) mod ifaddrs;
pub(crate) mod inet6;
#[cfg(target_os = "freebsd")]
pub(crate) mod ioctl;
#[cfg(target_os = "freebsd")]
pub mod kernel;
pub mod lagg;
#[cfg(target_os = "freebsd")]
pub mod packet;
#[cfg(target_os = "freebsd")]
pub(crate) mod peercred;
pub(crate) mod portfilter;
#[cfg(target_os = "freebsd")]
pub mod portprobe;
#[cfg(target_os = "freebsd")]
pub mod probe;
/// mpathd's probe sockets: one per path.
#[cfg(target_os = "freebsd")]
pub mod probes {
    pub use crate::unix::probes::ProbeSockets;
}
#[cfg(any(target_os = "freebsd", fuzzing))]
pub mod route;
mod rtsock;
#[cfg(target_os = "freebsd")]
mod snapshot;

/// No network namespaces here (see `unix::netns`).
#[cfg(target_os = "freebsd")]
pub(crate) fn enter_netns(_: &std::path::Path) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "network namespaces are Linux's",
    ))
}

/// FreeBSD: Capsicum capability mode.
#[cfg(target_os = "freebsd")]
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    match capsicum::enter() {
        Ok(()) => Ok(true),
        // A kernel without CAPABILITY_MODE.
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => Ok(false),
        Err(e) => Err(e),
    }
}

/// FreeBSD: Capsicum rights (see `unix::sandbox::limit`).
#[cfg(target_os = "freebsd")]
pub(crate) fn limit_rights(
    fd: std::os::fd::BorrowedFd<'_>,
    kept: crate::unix::sandbox::Kept,
) -> std::io::Result<bool> {
    use capsicum::{CapRights, FileRights, Right};

    use crate::unix::sandbox::Kept;
    let mut rights = FileRights::new();
    match kept {
        Kept::LockedFile => rights.allow(Right::Fstat).allow(Right::Flock),
        Kept::EventReader => rights
            .allow(Right::Read)
            .allow(Right::Event)
            .allow(Right::Fstat),
    };
    match rights.limit(&fd) {
        Ok(()) => Ok(true),
        // A kernel without CAPABILITIES.
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Adds `delta` to `net.inet.carp.demotion` (see `unix::ha`).
#[cfg(target_os = "freebsd")]
pub(crate) fn adjust_carp_demotion(delta: i32) -> std::io::Result<()> {
    carp::adjust_demotion(delta)
}

/// `SIOCGVH` (see `unix::ha`).
#[cfg(target_os = "freebsd")]
pub(crate) fn carp_vhid(
    ifname: &str,
    vhid: u8,
) -> std::io::Result<crate::unix::ha::CarpVhid> {
    carp::read_vhid(ifname, vhid)
}

/// `SIOCGVH`, then `SIOCSVH` (see `unix::ha`).
#[cfg(target_os = "freebsd")]
pub(crate) fn set_carp_advskew(
    ifname: &str,
    vhid: u8,
    advskew: u8,
) -> std::io::Result<()> {
    carp::set_advskew(ifname, vhid, advskew)
}

/// `net.inet.carp.preempt` (see `unix::ha`).
#[cfg(target_os = "freebsd")]
pub(crate) fn carp_preempt() -> std::io::Result<bool> {
    carp::preempt()
}

/// No forcing past `kern.ipc.maxsockbuf` (see `unix::sockbuf`).
#[cfg(target_os = "freebsd")]
pub(crate) fn force_send_buffer(
    _fd: std::os::fd::BorrowedFd<'_>,
    _bytes: usize,
) -> bool {
    false
}
