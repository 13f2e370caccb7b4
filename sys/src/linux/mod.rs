//! Linux (glibc or musl).

pub mod bond;
pub(crate) mod ifaddrs;
pub mod link;
pub mod netlink;
pub mod packet;
pub(crate) mod peercred;
pub mod portprobe;
pub mod probe;
#[cfg(test)]
mod testns;

/// Sets this thread's errno.
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: __errno_location returns a valid, aligned pointer to the
    // calling thread's errno, which only this thread accesses.
    unsafe { *libc::__errno_location() = value };
}

/// Linux: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}
