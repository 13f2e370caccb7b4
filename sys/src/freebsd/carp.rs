//! carp(4) as laggd meets it: the host's demotion counter, which
//! redundancy groups raise and lower; each vhid's state and advskew,
//! which they can read and set one vhid at a time; whether a backup
//! preempts; and the addresses CARP owns, which laggd must never
//! announce from an interface's own MAC.
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
//! # One vhid: `SIOCGVH` and `SIOCSVH`
//!
//! A vhid is read and changed with two ioctls, on a socket of any
//! family, each a `struct ifreq` naming the interface whose `ifr_data`
//! points at a `struct carpreq` (`abi::carp`). `ifioctl` hands both to
//! carp(4) before it looks the interface up, so a kernel without carp(4)
//! answers `EPROTONOSUPPORT` (`sys/net/if.c`). carp(4)'s `carp_ioctl`
//! (`sys/netinet/ip_carp.c`) then answers `ENXIO` for no such interface,
//! `EOPNOTSUPP` for one that is not Ethernet, a VLAN or a bridge, and
//! `EADDRNOTAVAIL` for one without `IFF_MULTICAST`; then:
//!
//! * `SIOCGVH` ([`read_vhid`]) needs no privilege (the key reads as
//!   zeros unless root). `carpr_count` below 1 is `EMSGSIZE`; an
//!   interface without CARP, or without the vhid asked for, is `ENOENT`.
//!   A nonzero `carpr_vhid` asks for that vhid alone, and `carpr_count`
//!   bounds the records the kernel writes, so a count of 1 means one
//!   record, always (vhid 0 would ask for all of them, up to the count).
//! * `SIOCSVH` needs root (`PRIV_NETINET_CARP`, else `EPERM`) and takes
//!   the whole vhid: an advbase (0 keeps it, else 1..=255), an advskew
//!   (0..=254), a key (kept when its first byte is 0), a state request;
//!   a vhid outside 1..=255 or a value out of range is `EINVAL`. It
//!   *creates* the vhid when the interface has none by that number,
//!   which is why [`set_advskew`] reads the vhid first and stops at
//!   `ENOENT`.
//!
//! The state request: when the vhid is not in `INIT` and `carpr_state`
//! differs from its state, `BACKUP` forces it to backup and `MASTER`
//! forces it to master (logged as "user requested via ifconfig"); any
//! other number, `INIT` included, requests nothing. ifconfig(8) sends
//! back the state it read, which is a no-op unless the vhid changed
//! state between the two calls, and then forces the old state back.
//! [`set_advskew`] sends `INIT` instead, which never forces anything, so
//! that a vhid changing state at that moment (likely: laggd changes
//! advskew when things fail) is left alone. It carries the advbase it
//! read and sends an empty key.
//!
//! A new advskew goes out with the vhid's next advertisement: the kernel
//! reads it when it builds each one, and sends none on the change. The
//! kernel takes up to 254 but never advertises more than `CARP_MAXSKEW`
//! (240), so [`set_advskew`] refuses more, before any call.
//!
//! # Preemption
//!
//! `net.inet.carp.preempt` (an `int`, per VNET) decides whether a BACKUP
//! vhid that hears a master advertising a longer interval than its own
//! takes over at once ("preempting a slower master", `carp_input_c`);
//! without it the backup waits for the master to fall silent. So raising
//! a master's advskew hands mastership over only if the backup's host
//! preempts, and lowering a backup's advskew takes it back only if its
//! own host does: [`preempt`] reads this host's.
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
//! The error explanations, the delta rule, the vhid requests and the
//! reading of the kernel's answers are tested on any host; `carpreq`,
//! the two ioctl numbers and the limits are checked against FreeBSD's
//! headers (`abi::carp`). The sysctl calls, the ioctls and the
//! getifaddrs walk compile for FreeBSD only and have not run on a
//! FreeBSD kernel. The kernel's behaviour above is read from two
//! versions of `ip_carp.c` (the ioctl-only one, and the later one that
//! also serves netlink through `carp_ioctl_set`/`carp_ioctl_get`); the
//! version with VRRP support, whose header zig ships, has not been read.

use std::ffi::{c_int, CStr};
use std::fmt;
use std::io;

use super::abi::carp::{
    carpreq, CARP_MAXSKEW, CARP_MAXVHID, CARP_STATE_BACKUP, CARP_STATE_INIT,
    CARP_STATE_MASTER,
};
use crate::unix::ha::{CarpState, CarpVhid, CARP_MAX_SKEW};

#[cfg(target_os = "freebsd")]
pub use self::os::{
    address_vhids, adjust_demotion, preempt, read_vhid, set_advskew,
};

/// The counter's sysctl name.
pub const DEMOTION_SYSCTL: &CStr = c"net.inet.carp.demotion";

/// The preemption switch's sysctl name.
pub const PREEMPT_SYSCTL: &CStr = c"net.inet.carp.preempt";

// `ha::CARP_MAX_SKEW`, public on every OS, is the header's number; and a
// `u8` holds every vhid there is.
const _: () = assert!(CARP_MAX_SKEW as c_int == CARP_MAXSKEW);
const _: () = assert!(u8::MAX as c_int == CARP_MAXVHID);

/// What to write for a change of `delta`: the handler reads a C `int`
/// (`sysctl_handle_int`); nothing for a zero delta (see the module
/// documentation).
fn demotion_request(delta: i32) -> Option<c_int> {
    (delta != 0).then_some(delta)
}

/// A carp(4) sysctl's failure, said in carp(4)'s terms; `doing` is what
/// was tried ("adding 50 to", "reading").
fn explain_sysctl(err: io::Error, name: &CStr, doing: &str) -> io::Error {
    let name = name.to_string_lossy();
    let why = match err.raw_os_error() {
        Some(libc::ENOENT) => {
            format!("{name} does not exist: carp(4) is not loaded")
        }
        Some(libc::EPERM) => format!("writing {name} needs root"),
        _ => format!("{doing} {name}: {err}"),
    };
    io::Error::new(err.kind(), why)
}

/// One vhid ioctl on one interface: what every message about it starts
/// with (`SIOCGVH em0 vhid 5`).
#[derive(Clone, Copy, Debug)]
struct VhidCall<'a> {
    /// `SIOCGVH` or `SIOCSVH`.
    request: &'static str,
    /// The interface.
    ifname: &'a str,
    /// The vhid.
    vhid: u8,
}

impl fmt::Display for VhidCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let VhidCall {
            request,
            ifname,
            vhid,
        } = self;
        write!(f, "{request} {ifname} vhid {vhid}")
    }
}

impl VhidCall<'_> {
    /// An error of `kind` saying `why`, after the call.
    fn error(&self, kind: io::ErrorKind, why: &str) -> io::Error {
        io::Error::new(kind, format!("{self}: {why}"))
    }

    /// Refuses vhid 0, which `SIOCGVH` takes as "every vhid" and
    /// `SIOCSVH` refuses.
    fn check_vhid(&self) -> io::Result<()> {
        if self.vhid == 0 {
            return Err(self.error(
                io::ErrorKind::InvalidInput,
                "carp(4) numbers vhids from 1 to 255",
            ));
        }
        Ok(())
    }

    /// `advskew` as `SIOCSVH` takes it, if carp(4) would ever advertise
    /// it (at most `CARP_MAXSKEW`; the kernel would store up to 254).
    fn advskew(&self, advskew: u8) -> io::Result<c_int> {
        let value = c_int::from(advskew);
        if value > CARP_MAXSKEW {
            let why = format!(
                "advskew {advskew} is over {CARP_MAXSKEW}, the most carp(4) \
                 advertises"
            );
            return Err(self.error(io::ErrorKind::InvalidInput, &why));
        }
        Ok(value)
    }

    /// The ioctl's failure, said in carp(4)'s and ifconfig(8)'s terms
    /// (see the module documentation for where each errno comes from).
    /// "Not there" (no carp(4), no such interface, no such vhid) is
    /// always `NotFound`, as for the sysctls.
    fn explain(&self, err: io::Error) -> io::Error {
        let ifname = self.ifname;
        let vhid = self.vhid;
        let (kind, why) = match err.raw_os_error() {
            Some(libc::EPROTONOSUPPORT) => (
                io::ErrorKind::NotFound,
                "carp(4) is not loaded (kldload carp)".to_owned(),
            ),
            Some(libc::ENXIO) => {
                (io::ErrorKind::NotFound, format!("no interface {ifname}"))
            }
            Some(libc::ENOENT) => (
                io::ErrorKind::NotFound,
                format!(
                    "{ifname} has no vhid {vhid} (`ifconfig {ifname}` lists \
                     its vhids on `carp:` lines)"
                ),
            ),
            Some(libc::EOPNOTSUPP) => (
                err.kind(),
                format!(
                    "{ifname} is not Ethernet, a VLAN or a bridge, the only \
                     interfaces carp(4) runs on"
                ),
            ),
            Some(libc::EADDRNOTAVAIL) => (
                err.kind(),
                format!(
                    "{ifname} does not do multicast (no MULTICAST flag), \
                     which carp(4) needs"
                ),
            ),
            Some(libc::EPERM) => {
                (err.kind(), "changing a vhid needs root".to_owned())
            }
            Some(libc::EINVAL) => (
                err.kind(),
                "carp(4) refused a value (vhid 1..=255, advbase 1..=255, \
                 advskew 0..=254)"
                    .to_owned(),
            ),
            Some(libc::EMSGSIZE) => (
                err.kind(),
                "the request had no room for a record (carpr_count < 1)"
                    .to_owned(),
            ),
            _ => (err.kind(), err.to_string()),
        };
        self.error(kind, &why)
    }

    /// What `SIOCGVH` answered, if carp(4) could have meant it: a known
    /// state number, advbase and advskew within a byte.
    fn decode(&self, req: &carpreq) -> io::Result<CarpVhid> {
        let state = match req.carpr_state {
            CARP_STATE_INIT => CarpState::Init,
            CARP_STATE_BACKUP => CarpState::Backup,
            CARP_STATE_MASTER => CarpState::Master,
            other => {
                let why = format!(
                    "carp(4) answered state {other}, not INIT, BACKUP or \
                     MASTER"
                );
                return Err(self.error(io::ErrorKind::InvalidData, &why));
            }
        };
        let byte = |what: &str, value: c_int| {
            u8::try_from(value).map_err(|_| {
                let why =
                    format!("carp(4) answered {what} {value}, not 0..=255");
                self.error(io::ErrorKind::InvalidData, &why)
            })
        };
        Ok(CarpVhid {
            state,
            advbase: byte("advbase", req.carpr_advbase)?,
            advskew: byte("advskew", req.carpr_advskew)?,
        })
    }
}

/// The `SIOCGVH` request for vhid `vhid`: that vhid alone, with room
/// for one record.
fn read_request(vhid: u8) -> carpreq {
    let mut req = carpreq::zeroed();
    req.carpr_count = 1;
    req.carpr_vhid = c_int::from(vhid);
    req
}

/// The `SIOCSVH` request that gives vhid `vhid` the advskew `advskew`,
/// from what `SIOCGVH` just read (`read`): its advbase carried, no state
/// request (`INIT`, whatever `read.state` is), an empty key (the kernel
/// keeps its own). See the module documentation.
fn set_request(vhid: u8, read: &CarpVhid, advskew: c_int) -> carpreq {
    let mut req = read_request(vhid);
    req.carpr_state = CARP_STATE_INIT;
    req.carpr_advbase = c_int::from(read.advbase);
    req.carpr_advskew = advskew;
    req
}

#[cfg(target_os = "freebsd")]
mod os {
    //! The calls.

    use std::ffi::c_ulong;
    use std::io;
    use std::net::IpAddr;
    use std::os::fd::AsFd;
    use std::ptr;

    use sysctl::{Ctl, CtlValue, Sysctl, SysctlError};

    use super::{
        demotion_request, explain_sysctl, read_request, set_request, VhidCall,
        DEMOTION_SYSCTL, PREEMPT_SYSCTL,
    };
    use crate::freebsd::abi::carp::{carpreq, SIOCGVH, SIOCSVH};
    use crate::freebsd::abi::net_if::{if_data, ifreq};
    use crate::freebsd::abi::socket::AF_LOCAL;
    use crate::freebsd::ioctl::{self, ifname};
    use crate::unix::ha::CarpVhid;
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
            .map_err(|err| {
                let doing = format!("adding {delta} to");
                explain_sysctl(io_error(err), DEMOTION_SYSCTL, &doing)
            })
    }

    /// Whether `net.inet.carp.preempt` is set (see the module
    /// documentation).
    ///
    /// # Errors
    ///
    /// `NotFound` (`ENOENT`) when carp(4) is not loaded; `InvalidData`
    /// if the sysctl is not an `int`.
    pub fn preempt() -> io::Result<bool> {
        let name = PREEMPT_SYSCTL.to_str().unwrap_or_default();
        let value =
            Ctl::new(name).and_then(|ctl| ctl.value()).map_err(|err| {
                explain_sysctl(io_error(err), PREEMPT_SYSCTL, "reading")
            })?;
        match value {
            CtlValue::Int(value) => Ok(value != 0),
            other => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{name} reads as {other}, not an int"),
            )),
        }
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

    /// Vhid `vhid` on interface `ifname` (`SIOCGVH`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name or vhid 0; `NotFound` when carp(4)
    /// is not loaded, or for no such interface or vhid; `InvalidData` for
    /// an answer out of range; the message says which.
    pub fn read_vhid(ifname: &str, vhid: u8) -> io::Result<CarpVhid> {
        let call = VhidCall {
            request: "SIOCGVH",
            ifname,
            vhid,
        };
        call.check_vhid()?;
        let mut req = read_request(vhid);
        vhid_ioctl(SIOCGVH, ifname, &mut req).map_err(|e| call.explain(e))?;
        call.decode(&req)
    }

    /// Gives vhid `vhid` on interface `ifname` the advskew `advskew`:
    /// [`read_vhid`], then `SIOCSVH` (see the module documentation).
    ///
    /// # Errors
    ///
    /// `InvalidInput`, before any call, for an advskew over
    /// `CARP_MAXSKEW`; `PermissionDenied` unless root; as [`read_vhid`]
    /// otherwise.
    pub fn set_advskew(ifname: &str, vhid: u8, advskew: u8) -> io::Result<()> {
        let call = VhidCall {
            request: "SIOCSVH",
            ifname,
            vhid,
        };
        let advskew = call.advskew(advskew)?;
        let read = read_vhid(ifname, vhid)?;
        let mut req = set_request(vhid, &read, advskew);
        vhid_ioctl(SIOCSVH, ifname, &mut req).map_err(|e| call.explain(e))
    }

    /// `SIOCGVH` or `SIOCSVH` on interface `name` with `req`, a request
    /// for one vhid (from `read_request` or `set_request`).
    fn vhid_ioctl(
        request: c_ulong,
        name: &str,
        req: &mut carpreq,
    ) -> io::Result<()> {
        // The buffer is this one record, and SIOCGVH writes up to
        // carpr_count of them.
        if req.carpr_count != 1 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a vhid request has room for one record",
            ));
        }
        let mut ifr = ifreq::zeroed();
        ifr.ifr_name = ifname(name)?;
        ifr.ifr_ifru.ifru_data = ptr::from_mut(req).cast();
        let sock = ioctl::socket(AF_LOCAL)?;
        // SAFETY: both ioctls take an ifreq (size checked by
        // ioctl::ioctl) whose ifr_data points to `req`, a carpreq that
        // is borrowed exclusively for the call: the kernel copies one
        // carpreq in from it, and SIOCGVH copies out at most carpr_count
        // records, checked above to be 1.
        unsafe { ioctl::ioctl(sock.as_fd(), request, &mut ifr) }
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
mod tests;
