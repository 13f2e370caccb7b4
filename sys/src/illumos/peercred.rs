//! Peer credentials on illumos: `getpeerucred(3C)`.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr;

/// The peer's effective uid from the `ucred_t` that `getpeerucred`
/// allocates; freed with `ucred_free`.
pub(crate) fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let mut cred: *mut libc::ucred_t = ptr::null_mut();
    // SAFETY: `cred` is null, so getpeerucred allocates a ucred_t and
    // stores its address there; we own it (Ucred frees it).
    syscall!(unsafe { libc::getpeerucred(fd.as_raw_fd(), &mut cred) })?;
    let cred = Ucred(cred);
    // SAFETY: `cred.0` is the valid ucred_t getpeerucred returned.
    let uid = unsafe { libc::ucred_geteuid(cred.0) };
    // (uid_t)-1: the credential carries no effective uid.
    if uid == libc::uid_t::MAX {
        return Err(io::Error::last_os_error());
    }
    Ok(uid)
}

/// Owns a `ucred_t` from `getpeerucred`.
struct Ucred(*mut libc::ucred_t);

impl Drop for Ucred {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: the pointer came from getpeerucred, is freed only
            // here, and nothing borrows it after `self`.
            unsafe { libc::ucred_free(self.0) };
        }
    }
}
