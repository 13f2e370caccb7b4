//! `setsockopt(2)` with a typed value, for the options nix has no typed
//! option for (ICMP filters, multicast TTL/loop/interface, BPF filters,
//! packet memberships).

// Only the Linux probe socket uses these so far; FreeBSD's and illumos's
// will.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, BorrowedFd};

use libc::c_int;

/// Sets option `name` at `level` on `fd` to the bytes of `value`.
///
/// `T` is the C type the kernel expects for this option (`c_int`,
/// `ip_mreqn`, a filter bitmap, ...). Passing the wrong type is a logic
/// error the kernel reports as `EINVAL` (or misreads as another value),
/// never a memory error: the kernel copies exactly `size_of::<T>()` bytes
/// from `value` and keeps no pointer to it.
pub(crate) fn set<T: Copy>(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: &T,
) -> io::Result<()> {
    let len = libc::socklen_t::try_from(size_of::<T>())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    set_bytes(fd, level, name, std::ptr::from_ref(value).cast(), len)
}

fn set_bytes(
    fd: BorrowedFd<'_>,
    level: c_int,
    name: c_int,
    value: *const libc::c_void,
    len: libc::socklen_t,
) -> io::Result<()> {
    // SAFETY: `value` points to `len` readable bytes, borrowed by the
    // caller for the duration of the call; setsockopt only reads them.
    // `fd` is an open descriptor (borrowed).
    syscall!(unsafe {
        libc::setsockopt(fd.as_raw_fd(), level, name, value, len)
    })?;
    Ok(())
}
