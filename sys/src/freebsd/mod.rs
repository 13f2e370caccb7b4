//! FreeBSD.

pub(crate) mod abi;
pub mod bpf;
pub(crate) mod cmsg;
#[cfg(target_os = "freebsd")]
pub(crate) mod ifaddrs;
pub(crate) mod inet6;
#[cfg(target_os = "freebsd")]
pub mod packet;
#[cfg(target_os = "freebsd")]
pub(crate) mod peercred;
#[cfg(target_os = "freebsd")]
pub mod probe;

/// Sets this thread's errno.
#[cfg(target_os = "freebsd")]
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: __error returns a valid, aligned pointer to the calling
    // thread's errno, which only this thread accesses.
    unsafe { *libc::__error() = value };
}
