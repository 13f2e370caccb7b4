//! Interface groups (`ifconfig em0 group NAME`): which groups an
//! interface is in, and which interfaces a group has.
//!
//! Groups let `rc.conf` say which interfaces belong together, the way an
//! IPMP group does on illumos:
//!
//! ```text
//! ifconfig_em0="inet 192.0.2.10/24 group ipmp"
//! ifconfig_em1="up group ipmp"
//! ```
//!
//! FreeBSD refuses group names that end in a digit (ifconfig(8) and the
//! kernel both: they would be confused with interface names), and names
//! of 16 bytes or more. Every interface is also in the group `all`, and
//! cloned interfaces in their cloner's group (`lagg`, `vlan`, ...).
//!
//! Both queries are the two-call pattern of `SIOCGIFGROUP` and
//! `SIOCGIFGMEMB`: with `ifgr_len` 0 the kernel answers the length the
//! list needs; then it fills an array of `struct ifg_req` of that
//! length. Neither needs privileges.

use std::ffi::c_ulong;
use std::io;
use std::mem::size_of;
use std::os::fd::AsFd;

use super::abi::net_if::{ifg_req, ifgroupreq};
use super::abi::socket::AF_LOCAL;
use super::abi::sockio::{SIOCGIFGMEMB, SIOCGIFGROUP};
use super::ioctl::{self, ifname, name_from};

/// How many times a list that grew between the two calls (the kernel
/// then fails the second with `EINVAL`) is asked for again.
// not ABI: our retry count.
const ATTEMPTS: usize = 5;

/// Room for this many more entries than the kernel asked for, so that a
/// group or member added between the calls does not cost an attempt.
// not ABI: our slack.
const SLACK: usize = 4;

/// The groups interface `interface` is in, in the kernel's order (the
/// implicit `all` and cloner groups included).
///
/// # Errors
///
/// `InvalidInput` for a bad name, `ENXIO` for an interface that does not
/// exist, `Interrupted` if the list kept growing, or another errno.
pub fn interface_groups(interface: &str) -> io::Result<Vec<String>> {
    list(interface, SIOCGIFGROUP)
}

/// The interfaces in group `group`, in the kernel's order; empty for a
/// group that does not exist (`ENOENT`: a group exists while it has
/// members).
///
/// # Errors
///
/// `InvalidInput` for a bad name, `Interrupted` if the list kept
/// growing, or another errno.
pub fn group_members(group: &str) -> io::Result<Vec<String>> {
    match list(group, SIOCGIFGMEMB) {
        Err(err) if err.raw_os_error() == Some(libc::ENOENT) => Ok(Vec::new()),
        res => res,
    }
}

/// The names in the answer to `request` (`SIOCGIFGROUP` or
/// `SIOCGIFGMEMB`) for `name`.
fn list(name: &str, request: c_ulong) -> io::Result<Vec<String>> {
    let name = ifname(name)?;
    let sock = ioctl::socket(AF_LOCAL)?;
    for _ in 0..ATTEMPTS {
        let mut req = ifgroupreq::zeroed();
        req.ifgr_name = name;
        // SAFETY: ifgroupreq is the request's argument; with ifgr_len 0
        // the kernel only writes the length it needs and reads no
        // pointer.
        unsafe { ioctl::ioctl(sock.as_fd(), request, &mut req) }?;
        let needed = usize::try_from(req.ifgr_len).unwrap_or(usize::MAX);
        if needed == 0 {
            return Ok(Vec::new());
        }
        let count = needed.div_ceil(size_of::<ifg_req>()) + SLACK;
        let mut entries = vec![ifg_req::zeroed(); count];
        let Ok(len) = u32::try_from(count * size_of::<ifg_req>()) else {
            return Err(io::Error::from(io::ErrorKind::OutOfMemory));
        };
        req.ifgr_len = len;
        req.ifgr_ifgru.ifgru_groups = entries.as_mut_ptr();
        // SAFETY: ifgr_groups points to `count` ifg_req entries, which is
        // `ifgr_len` bytes, and `entries` outlives the call; the kernel
        // writes at most that much through it.
        match unsafe { ioctl::ioctl(sock.as_fd(), request, &mut req) } {
            Ok(()) => {
                // The kernel does not say how many it wrote; the entries
                // it did not write are still all zeros (an empty name).
                return Ok(entries
                    .iter()
                    // SAFETY: reading a union of byte arrays: any bytes
                    // are valid, and the kernel wrote NUL-terminated
                    // names (or nothing) there.
                    .map(|e| name_from(unsafe { &e.ifgrq_ifgrqu.ifgrqu_group }))
                    .filter(|n| !n.is_empty())
                    .collect());
            }
            // The list outgrew the buffer between the calls.
            Err(err) if err.raw_os_error() == Some(libc::EINVAL) => {}
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::Interrupted,
        format!("interface group list kept growing ({ATTEMPTS} attempts)"),
    ))
}
