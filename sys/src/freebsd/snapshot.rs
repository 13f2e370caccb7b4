//! A whole [`KernelSnapshot`] from two routing sysctls: the interfaces
//! with their addresses (`NET_RT_IFLISTL`) and the routing table
//! (`NET_RT_DUMP`), read with the parsers of `rtsock::msg`.

use std::ffi::{c_int, c_uint};
use std::io;
use std::net::IpAddr;
use std::os::fd::AsFd;
use std::ptr;

use mpath_core::kernel::KernelSnapshot;

use super::abi::in6::{
    in6_ifreq, IN6_IFF_DETACHED, IN6_IFF_DUPLICATED, IN6_IFF_TENTATIVE,
    SIOCGIFAFLAG_IN6,
};
use super::abi::route::{CTL_NET, NET_RT_DUMP, NET_RT_IFLISTL};
use super::abi::socket::{AF_INET6, PF_ROUTE};
use super::addr::sockaddr_in6;
use super::ioctl::{self, ifname};
use super::rtsock::msg::assemble;

/// How many times a sysctl whose answer outgrew the buffer between the
/// size query and the read is tried again. Each try allocates for the
/// new size plus a quarter, so only a table growing that fast, again
/// and again, exhausts them.
// not ABI: our retry count.
const SYSCTL_ATTEMPTS: usize = 5;

/// Every interface with its addresses, and every route through a gateway
/// in the process's routing table (FIB), as the kernel has them now.
///
/// * Links: name, index and MAC from the interface's link-level address;
///   `admin_up` and `loopback` from its flags; `carrier` from
///   `ifi_link_state` (`None` if the driver does not report it).
/// * Addresses: IPv4 and IPv6 with their prefix lengths. IPv6 addresses
///   that are tentative (duplicate address detection running),
///   duplicated (it failed) or detached are left out: the kernel will
///   not use them as a source yet (or ever), so neither can a probe.
///   When detection completes the kernel announces the address again
///   (`RTM_NEWADDR`), and the next snapshot has it.
/// * Routes: those through an IPv4 or IPv6 gateway (in.mpathd's router
///   targets), not reject or blackhole routes.
///
/// # Errors
///
/// The sysctls' errno; `Interrupted` if the interface list or the table
/// kept growing between the size query and the read; `InvalidData` for
/// a malformed message; an ioctl's errno other than `EADDRNOTAVAIL` (an
/// address that went away meanwhile) when asking for an IPv6 address's
/// flags.
pub fn snapshot() -> io::Result<KernelSnapshot> {
    // {CTL_NET, PF_ROUTE, protocol 0, every family, what, argument}: for
    // NET_RT_IFLISTL the argument is an interface index (0: all); for
    // NET_RT_DUMP it is the flags filter, and with six names the table
    // is the calling process's FIB.
    let iflist = sysctl(&[CTL_NET, PF_ROUTE, 0, 0, NET_RT_IFLISTL, 0])?;
    let routes = sysctl(&[CTL_NET, PF_ROUTE, 0, 0, NET_RT_DUMP, 0])?;
    let mut snap = assemble(&iflist, &routes)?;
    drop_unusable_ipv6(&mut snap)?;
    // Interface groups (`ifconfig em0 group web` in rc.conf) can define
    // an mpathd group's members. An interface that vanished since the
    // sysctl simply has none.
    for link in &mut snap.links {
        link.groups = super::groups::interface_groups(&link.name)
            .unwrap_or_default()
            .into_iter()
            .filter(|g| g != "all")
            .collect();
    }
    Ok(snap)
}

/// Removes the IPv6 addresses that cannot be used as a source yet or at
/// all (`SIOCGIFAFLAG_IN6`: tentative, duplicated, detached).
fn drop_unusable_ipv6(snap: &mut KernelSnapshot) -> io::Result<()> {
    let has_ipv6 = snap
        .links
        .iter()
        .any(|l| l.addrs.iter().any(|a| a.addr().is_ipv6()));
    if !has_ipv6 {
        return Ok(());
    }
    let sock = ioctl::socket(AF_INET6)?;
    for link in &mut snap.links {
        let name = ifname(&link.name)?;
        let mut keep = Vec::with_capacity(link.addrs.len());
        for &prefix in &link.addrs {
            let IpAddr::V6(addr) = prefix.addr() else {
                keep.push(prefix);
                continue;
            };
            let mut req = in6_ifreq::zeroed();
            req.ifr_name = name;
            req.ifr_ifru.ifru_addr = sockaddr_in6(addr, 0);
            // SAFETY: in6_ifreq is SIOCGIFAFLAG_IN6's argument and holds
            // no pointers.
            match unsafe {
                ioctl::ioctl(sock.as_fd(), SIOCGIFAFLAG_IN6, &mut req)
            } {
                Ok(()) => {}
                // Removed since the sysctl; the next snapshot agrees.
                Err(err) if err.raw_os_error() == Some(libc::EADDRNOTAVAIL) => {
                    continue;
                }
                Err(err) => return Err(err),
            }
            // SAFETY: reading a union field of Plain type (c_int): any
            // bytes are a valid value; the kernel wrote the flags there.
            let flags = unsafe { req.ifr_ifru.ifru_flags6 };
            let unusable =
                IN6_IFF_TENTATIVE | IN6_IFF_DUPLICATED | IN6_IFF_DETACHED;
            if flags & unusable == 0 {
                keep.push(prefix);
            }
        }
        link.addrs = keep;
    }
    Ok(())
}

/// The whole answer of the sysctl `mib`, read with the usual two calls
/// (size, then data), tried again when the answer grew in between
/// (`ENOMEM`).
// Hand-written: the sysctl crate reads typed values by name or OID and
// cannot express these nameless six-integer MIBs returning binary blobs.
fn sysctl(mib: &[c_int]) -> io::Result<Vec<u8>> {
    let namelen = c_uint::try_from(mib.len())
        .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    for _ in 0..SYSCTL_ATTEMPTS {
        let mut len: usize = 0;
        // SAFETY: `mib` is readable for `namelen` names; with a null old
        // buffer the kernel only writes the size it needs to `len`.
        syscall!(unsafe {
            libc::sysctl(
                mib.as_ptr(),
                namelen,
                ptr::null_mut(),
                &mut len,
                ptr::null(),
                0,
            )
        })?;
        // Room for some growth between the calls.
        let mut buf = vec![0u8; len + len / 4];
        let mut got = buf.len();
        // SAFETY: `buf` is writable for `got` bytes; the kernel writes at
        // most that many and stores the count in `got`.
        let res = syscall!(unsafe {
            libc::sysctl(
                mib.as_ptr(),
                namelen,
                buf.as_mut_ptr().cast(),
                &mut got,
                ptr::null(),
                0,
            )
        });
        match res {
            Ok(_) => {
                buf.truncate(got);
                return Ok(buf);
            }
            Err(err) if err.raw_os_error() == Some(libc::ENOMEM) => {}
            Err(err) => return Err(err),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::Interrupted,
        format!(
            "sysctl {mib:?} kept growing faster than it could be read \
             ({SYSCTL_ATTEMPTS} attempts)"
        ),
    ))
}
