//! illumos.

pub(crate) mod ifaddrs;
pub(crate) mod peercred;
pub mod probe;
pub mod rtsock;

/// Sets this thread's errno.
pub(crate) fn set_errno(value: libc::c_int) {
    // SAFETY: ___errno returns a valid, aligned pointer to the calling
    // thread's errno, which only this thread accesses.
    unsafe { *libc::___errno() = value };
}

/// illumos: no sandbox is entered (see `unix::sandbox`).
pub(crate) fn enter_sandbox() -> std::io::Result<bool> {
    Ok(false)
}
