//! What the interface ioctls share: checked interface names, the socket
//! they go through, and a typed `ioctl(2)` whose argument size is checked
//! against the size encoded in the request number.

use std::ffi::c_ulong;
use std::io;
use std::mem::size_of;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::ptr;

use super::abi::ioccom::IOCPARM_LEN;
use super::abi::net_if::IFNAMSIZ;
use super::abi::Plain;
use nix::sys::socket::{AddressFamily, SockFlag, SockType};

/// `name` as a NUL-padded `IFNAMSIZ` buffer: an interface or group
/// name.
///
/// # Errors
///
/// `InvalidInput` for an empty name, one of `IFNAMSIZ` bytes or more
/// (no room for the NUL), or one with a NUL inside.
pub(crate) fn ifname(name: &str) -> io::Result<[u8; IFNAMSIZ]> {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() >= IFNAMSIZ || bytes.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface or group name {name:?}"),
        ));
    }
    let mut buf = [0; IFNAMSIZ];
    buf[..bytes.len()].copy_from_slice(bytes);
    Ok(buf)
}

/// The name in a NUL-padded buffer the kernel filled (up to the first
/// NUL, lossily as UTF-8).
pub(crate) fn name_from(buf: &[u8]) -> String {
    let name = buf.split(|&b| b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(name).into_owned()
}

/// A datagram socket of `family` (`AF_INET`, `AF_INET6`, `AF_LOCAL`)
/// for interface ioctls, which the kernel routes by the socket's
/// protocol: the IPv4 address ioctls need an `AF_INET` socket, the IPv6
/// ones `AF_INET6`, the generic ones any.
///
/// # Errors
///
/// Whatever `socket` reports (`EAFNOSUPPORT`: a kernel without that
/// protocol).
pub(crate) fn socket(family: u8) -> io::Result<OwnedFd> {
    let family = AddressFamily::from_i32(i32::from(family))
        .ok_or_else(|| io::Error::from_raw_os_error(libc::EAFNOSUPPORT))?;
    Ok(nix::sys::socket::socket(
        family,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?)
}

/// `ioctl(fd, request, arg)`, retried on `EINTR`.
// Hand-written: nix's ioctl macros also make an `unsafe fn` per request
// and cannot check FreeBSD's encoded size against `T` as this does.
///
/// # Errors
///
/// `InvalidInput` if `request` does not encode `size_of::<T>()` (the
/// kernel would copy another number of bytes in or out of `arg`), or
/// the kernel's errno.
///
/// # Safety
///
/// `T` is the structure `request` takes, and every pointer in `arg`
/// (such as `ifgr_groups`) points to memory valid for the length the
/// structure gives with it: the kernel reads or writes through them.
pub(crate) unsafe fn ioctl<T: Plain>(
    fd: BorrowedFd<'_>,
    request: c_ulong,
    arg: &mut T,
) -> io::Result<()> {
    if IOCPARM_LEN(request) != size_of::<T>() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "ioctl {request:#x} does not take {} bytes",
                size_of::<T>()
            ),
        ));
    }
    loop {
        // SAFETY: `arg` is a live, exclusive T of the size the request
        // encodes (checked above), so the kernel's copy in and out stays
        // inside it; pointers inside it are the caller's to vouch for.
        let res = syscall!(unsafe {
            libc::ioctl(fd.as_raw_fd(), request, ptr::from_mut(arg))
        });
        match res {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            res => return res.map(drop),
        }
    }
}
