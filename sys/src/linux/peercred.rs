//! Peer credentials on Linux: `SO_PEERCRED`.

use std::io;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, BorrowedFd};

/// The peer's effective uid from `getsockopt(SO_PEERCRED)`, which fills
/// in a `struct ucred` (pid, uid, gid) as of `connect` or `socketpair`.
pub(crate) fn peer_uid(fd: BorrowedFd<'_>) -> io::Result<u32> {
    let mut cred = MaybeUninit::<libc::ucred>::uninit();
    let mut len = libc::socklen_t::try_from(size_of::<libc::ucred>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `cred` is valid for writing `len` bytes, the most
    // getsockopt writes; it stores the length written in `len`.
    syscall!(unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            cred.as_mut_ptr().cast(),
            &mut len,
        )
    })?;
    if usize::try_from(len).ok() != Some(size_of::<libc::ucred>()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("SO_PEERCRED returned {len} bytes"),
        ));
    }
    // SAFETY: getsockopt succeeded and wrote a whole `ucred` (checked
    // above), a struct of three integers.
    let cred = unsafe { cred.assume_init() };
    Ok(cred.uid)
}
