//! Linux (glibc or musl).

pub(crate) mod ifaddrs;
pub mod netlink;

/// Sets this thread's errno.
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: __errno_location returns a valid, aligned pointer to the
    // calling thread's errno, which only this thread accesses.
    unsafe { *libc::__errno_location() = value };
}
