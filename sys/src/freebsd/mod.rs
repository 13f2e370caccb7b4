//! FreeBSD.

pub(crate) mod abi;
#[cfg(target_os = "freebsd")]
pub(crate) mod ifaddrs;
#[cfg(target_os = "freebsd")]
pub(crate) mod peercred;

/// Sets this thread's errno.
#[cfg(target_os = "freebsd")]
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: __error returns a valid, aligned pointer to the calling
    // thread's errno, which only this thread accesses.
    unsafe { *libc::__error() = value };
}
