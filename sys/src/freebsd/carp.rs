//! carp(4) as laggd meets it: the host's demotion counter, which
//! redundancy groups raise and lower, and the addresses CARP owns, which
//! laggd must never announce from an interface's own MAC.
//!
//! # The demotion counter is added to, not set
//!
//! `net.inet.carp.demotion` reads as one number, but writing it does not
//! store the number: the sysctl's handler (`carp_demote_adj_sysctl` in
//! `sys/netinet/ip_carp.c`) hands the written `int` to
//! `carp_demote_adj`, which adds it atomically to the (per-VNET)
//! counter, logs "demoted by N to M (sysctl)" and queues an immediate
//! advertisement on every vhid. Every vhid then advertises its advskew
//! plus the counter, clamped to 0..=240 (`DEMOTE_ADVSKEW`). The kernel
//! adds to the same counter itself (`ifdown_demotion_factor` when a
//! vhid's interface goes down, send errors, pfsync's bulk update), so a
//! daemon must only add and later take back its own share:
//! [`adjust_demotion`] writes a delta, never a total. Writing 0 is not
//! a no-op for the kernel (a log line, advertisements on every vhid), so
//! a zero delta makes no call.
//!
//! # CARP's addresses
//!
//! A CARP address stays configured on its interface in every state
//! (`BACKUP` and `INIT` too); only the `MASTER` answers for it, from the
//! virtual MAC `00:00:5e:00:01:<vhid>`, and announces it itself on
//! becoming master. A gratuitous ARP or neighbour advertisement for it
//! from the interface's own MAC would take the address from the real
//! master (the kernel's own announcements skip these addresses,
//! `arp_ifinit`). [`address_vhids`] tells them apart: FreeBSD's
//! getifaddrs(3) attaches to each address entry the address's
//! `struct if_data` from the routing sysctl, whose `ifi_vhid` the kernel
//! fills with the address's vhid (`sysctl_iflist_ifaml` in
//! `sys/net/rtsock.c`; ifconfig(8) prints it as `vhid N`).
//!
//! # Not verified here
//!
//! The error mapping and the delta rule are tested on any host; the
//! sysctl call and the getifaddrs walk compile for FreeBSD only and have
//! not run on a FreeBSD kernel.

use std::ffi::{c_int, CStr};
use std::io;

#[cfg(target_os = "freebsd")]
pub use self::os::{address_vhids, adjust_demotion};

/// The counter's sysctl name.
pub const DEMOTION_SYSCTL: &CStr = c"net.inet.carp.demotion";

/// What to write for a change of `delta`: the handler reads a C `int`
/// (`sysctl_handle_int`); nothing for a zero delta (see the module
/// documentation).
fn demotion_request(delta: i32) -> Option<c_int> {
    (delta != 0).then_some(delta)
}

/// The sysctl's failure, said in carp(4)'s terms.
fn explain(err: io::Error, delta: i32) -> io::Error {
    let name = DEMOTION_SYSCTL.to_string_lossy();
    let why = match err.raw_os_error() {
        Some(libc::ENOENT) => {
            format!("{name} does not exist: carp(4) is not loaded")
        }
        Some(libc::EPERM) => format!("writing {name} needs root"),
        _ => format!("adding {delta} to {name}: {err}"),
    };
    io::Error::new(err.kind(), why)
}

#[cfg(target_os = "freebsd")]
mod os {
    //! The calls.

    use std::io;
    use std::net::IpAddr;
    use std::ptr;

    use sysctl::{Ctl, CtlValue, Sysctl, SysctlError};

    use super::{demotion_request, explain, DEMOTION_SYSCTL};
    use crate::freebsd::abi::net_if::if_data;
    use crate::unix::ifaddrs::IfAddrs;

    /// Adds `delta` to `net.inet.carp.demotion` (see the module
    /// documentation); a zero delta does nothing.
    ///
    /// # Errors
    ///
    /// `NotFound` (`ENOENT`) when carp(4) is not loaded;
    /// `PermissionDenied` (`EPERM`) unless root; the message says which.
    pub fn adjust_demotion(delta: i32) -> io::Result<()> {
        let Some(value) = demotion_request(delta) else {
            return Ok(());
        };
        let name = DEMOTION_SYSCTL.to_str().unwrap_or_default();
        // The crate reads the value back after writing it; reading does
        // not change CARP's counter.
        Ctl::new(name)
            .and_then(|ctl| ctl.set_value(CtlValue::Int(value)))
            .map(drop)
            .map_err(|err| explain(io_error(err), delta))
    }

    /// The sysctl crate's error as the errno it stands for.
    fn io_error(err: SysctlError) -> io::Error {
        match err {
            SysctlError::NotFound(_) => {
                io::Error::from_raw_os_error(libc::ENOENT)
            }
            SysctlError::IoError(err) => err,
            err => io::Error::other(err),
        }
    }

    /// Every IPv4 and IPv6 address of interface `name` with its CARP
    /// vhid (0: not a CARP address), from getifaddrs(3).
    ///
    /// # Errors
    ///
    /// getifaddrs's.
    pub fn address_vhids(name: &str) -> io::Result<Vec<(IpAddr, u8)>> {
        let list = IfAddrs::new()?;
        let mut out = Vec::new();
        for entry in list.iter() {
            if entry.name().map(|n| n.to_bytes()) != Some(name.as_bytes()) {
                continue;
            }
            let Some(ip) = entry.addr().and_then(|a| a.ip()) else {
                continue;
            };
            let data = entry.data().cast::<if_data>();
            let vhid = if data.is_null() {
                0
            } else {
                // SAFETY: for an address entry FreeBSD's getifaddrs
                // points ifa_data at a copy of the address's `struct
                // if_data` (the sysctl's ifam_data) inside the list,
                // which `list` keeps alive. One byte is read, without
                // forming a reference.
                unsafe { ptr::addr_of!((*data).ifi_vhid).read() }
            };
            out.push((ip, vhid));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sysctl_is_carps_demotion() {
        assert_eq!(DEMOTION_SYSCTL.to_bytes(), b"net.inet.carp.demotion");
    }

    #[test]
    fn a_delta_is_written_as_it_is_and_zero_not_at_all() {
        assert_eq!(demotion_request(0), None);
        assert_eq!(demotion_request(50), Some(50));
        assert_eq!(demotion_request(-240), Some(-240));
        assert_eq!(std::mem::size_of::<c_int>(), 4, "the handler's int");
    }

    #[test]
    fn failures_say_what_is_missing() {
        let err = explain(io::Error::from_raw_os_error(libc::ENOENT), 50);
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("carp(4) is not loaded"), "{err}");
        let err = explain(io::Error::from_raw_os_error(libc::EPERM), 50);
        assert!(err.to_string().contains("needs root"), "{err}");
        let err = explain(io::Error::from_raw_os_error(libc::EINVAL), -5);
        assert!(err.to_string().contains("adding -5 to"), "{err}");
    }
}
