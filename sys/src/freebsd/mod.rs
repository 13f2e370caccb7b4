//! FreeBSD.

pub(crate) mod abi;
#[cfg(target_os = "freebsd")]
mod addr;
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
pub mod lagg;
pub mod laggplan;
#[cfg(target_os = "freebsd")]
pub mod packet;
#[cfg(target_os = "freebsd")]
pub(crate) mod peercred;
pub(crate) mod portfilter;
#[cfg(target_os = "freebsd")]
pub mod portprobe;
#[cfg(target_os = "freebsd")]
pub mod probe;
#[cfg(any(target_os = "freebsd", fuzzing))]
pub mod route;
mod rtsock;
#[cfg(target_os = "freebsd")]
mod snapshot;

/// Sets this thread's errno.
#[cfg(target_os = "freebsd")]
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: __error returns a valid, aligned pointer to the calling
    // thread's errno, which only this thread accesses.
    unsafe { *libc::__error() = value };
}

/// FreeBSD: Capsicum capability mode.
#[cfg(target_os = "freebsd")]
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    // SAFETY: cap_enter takes no arguments and only changes this
    // process's mode.
    match syscall!(unsafe { libc::cap_enter() }) {
        Ok(_) => Ok(true),
        // A kernel without CAPABILITY_MODE.
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => Ok(false),
        Err(e) => Err(e),
    }
}
