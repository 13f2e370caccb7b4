//! lagg(4) control for laggd: read a lagg's protocol and ports, add and
//! remove ports, and restore the operator's master order in failover
//! mode; plus the interface ioctls laggd needs around it (admin up and
//! down, a port's hardware address).
//!
//! # Reading
//!
//! [`status`] is `SIOCGLAGG` with room for `LAGG_MAX_PORTS` records (the
//! kernel answers no "needed size"; it copies what fits and says how
//! many in `ra_ports`). Ports come in the kernel's list order, which is
//! ascending interface index, each with its flags: `MASTER` (the
//! primary), `ACTIVE`, and for LACP `COLLECTING`/`DISTRIBUTING`.
//! Getters need no privilege; every change needs root
//! (`PRIV_NET_LAGG`).
//!
//! # Failover's master, and putting it back
//!
//! In failover mode the master (the port traffic goes to whenever it is
//! usable, with immediate, preemptive failback) is the port that was
//! added while the lagg had no ports. There is no ioctl to choose it:
//! it stays master until it is removed, and then the *first remaining
//! port in the list* (the lowest interface index) becomes master and
//! gives the lagg its MAC. To make another port master, the ports must
//! be removed and re-added (`shared/research/freebsd-lagg.md` §2).
//!
//! The plan is the core's (`mpath_core::laggd::plan::lagg`): given the ports that should
//! be in the lagg, in the operator's order (laggd's `Membership`, failed
//! ports left out), the ports the lagg has, their interface indexes and
//! the current master, it returns the shortest sequence of adds and
//! removes after which the lagg holds exactly the wanted ports with the
//! first one as master:
//!
//! * no master change needed: add the missing ports, then remove the
//!   unwanted ones;
//! * otherwise, with `W` the wanted master: add `W` first if it is not a
//!   member (so the lagg never becomes empty), then remove every port
//!   that is unwanted, or comes before `W` in index order, or is the
//!   master (the master last, so that traffic moves once), and re-add
//!   the wanted ones among them. When the master goes, `W` is the first
//!   remaining port and becomes master.
//!
//! Removing the master changes the lagg's MAC to the new master's: the
//! caller should announce the lagg's addresses (gratuitous ARP,
//! unsolicited NA) afterwards.
//!
//! # Probing a port
//!
//! Every port carries the lagg's MAC; probes through a standby port must
//! carry the port's own hardware address (`SIOCGHWADDR`, [`probe_mac`])
//! and need the port in promiscuous mode to hear the replies (see
//! `freebsd::portprobe`). The lagg took its MAC from its first port,
//! whose hardware address is therefore the lagg's: the aggregate
//! backend refuses probes from it where the lagg's MAC must not leave.
//!
//! # Not verified here
//!
//! The plan and the record parsing are pure and tested on any host; the
//! ABI is checked against FreeBSD's headers. The ioctls themselves have
//! not been run on a FreeBSD kernel.

use std::fmt;

#[cfg(test)]
use mpath_core::laggd::plan::lagg::PortOp;
pub use mpath_core::laggd::plan::lagg::{LaggPort, LaggProto, LaggStatus};

use super::abi::lagg::{
    lagg_reqport, LAGG_PORT_ACTIVE, LAGG_PORT_COLLECTING,
    LAGG_PORT_DISTRIBUTING, LAGG_PORT_MASTER, LAGG_PORT_STACK,
    LAGG_PROTO_BROADCAST, LAGG_PROTO_FAILOVER, LAGG_PROTO_LACP,
    LAGG_PROTO_LOADBALANCE, LAGG_PROTO_NONE, LAGG_PROTO_ROUNDROBIN,
};

#[cfg(target_os = "freebsd")]
pub use self::os::*;

/// The protocol `ra_proto` says.
pub fn proto_from_raw(raw: u32) -> LaggProto {
    match raw {
        LAGG_PROTO_NONE => LaggProto::None,
        LAGG_PROTO_ROUNDROBIN => LaggProto::RoundRobin,
        LAGG_PROTO_FAILOVER => LaggProto::Failover,
        LAGG_PROTO_LOADBALANCE => LaggProto::LoadBalance,
        LAGG_PROTO_LACP => LaggProto::Lacp,
        LAGG_PROTO_BROADCAST => LaggProto::Broadcast,
        other => LaggProto::Unknown(other),
    }
}

bitflags::bitflags! {
    /// A port's `LAGG_PORT_*` flags (bits the kernel sets that are not
    /// named here are kept).
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
    pub struct PortFlags: u32 {
        /// `MASTER`: the lagg's primary port.
        const MASTER = LAGG_PORT_MASTER;
        /// `STACK`: a lagg as a port.
        const STACK = LAGG_PORT_STACK;
        /// `ACTIVE`: carrying traffic (failover: the one port in use).
        const ACTIVE = LAGG_PORT_ACTIVE;
        /// `COLLECTING` (LACP).
        const COLLECTING = LAGG_PORT_COLLECTING;
        /// `DISTRIBUTING` (LACP).
        const DISTRIBUTING = LAGG_PORT_DISTRIBUTING;
    }
}

impl PortFlags {
    /// `MASTER`: the lagg's primary port.
    pub fn master(self) -> bool {
        self.contains(PortFlags::MASTER)
    }

    /// `STACK`: a lagg as a port.
    pub fn stack(self) -> bool {
        self.contains(PortFlags::STACK)
    }

    /// `ACTIVE`: carrying traffic (failover: the one port in use).
    pub fn active(self) -> bool {
        self.contains(PortFlags::ACTIVE)
    }

    /// `COLLECTING` (LACP).
    pub fn collecting(self) -> bool {
        self.contains(PortFlags::COLLECTING)
    }

    /// `DISTRIBUTING` (LACP).
    pub fn distributing(self) -> bool {
        self.contains(PortFlags::DISTRIBUTING)
    }
}

/// As ifconfig(8) prints them: `5<MASTER,ACTIVE>`.
impl fmt::Display for PortFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set: Vec<&str> = self.iter_names().map(|(name, _)| name).collect();
        write!(f, "{:x}<{}>", self.bits(), set.join(","))
    }
}

/// The name in a NUL-padded buffer the kernel filled (up to the first
/// NUL, lossily as UTF-8).
fn name_from(buf: &[u8]) -> String {
    let name = buf.split(|&b| b == 0).next().unwrap_or_default();
    String::from_utf8_lossy(name).into_owned()
}

/// The ports in the first `count` records the kernel filled (`count`
/// is `ra_ports`, trusted only up to the array's length).
pub(crate) fn ports_from_records(
    records: &[lagg_reqport],
    count: i32,
) -> Vec<LaggPort> {
    let count = usize::try_from(count).unwrap_or(0).min(records.len());
    records[..count]
        .iter()
        .map(|r| {
            let flags = PortFlags::from_bits_retain(r.rp_flags);
            LaggPort {
                name: name_from(&r.rp_portname),
                master: flags.master(),
                active: flags.active(),
                collecting: flags.collecting(),
                distributing: flags.distributing(),
            }
        })
        .filter(|p| !p.name.is_empty())
        .collect()
}

#[cfg(target_os = "freebsd")]
mod os {
    //! The ioctls.

    use std::ffi::c_int;
    use std::io;
    use std::mem::size_of;
    use std::os::fd::{AsFd, OwnedFd};

    use mpath_wire::MacAddr;

    use super::name_from;
    use super::{ports_from_records, proto_from_raw, LaggStatus};
    use crate::freebsd::abi::lagg::{
        lagg_reqall, lagg_reqopts, lagg_reqport, LAGG_MAX_PORTS, SIOCGHWADDR,
        SIOCGIFFLAGS, SIOCGLAGG, SIOCGLAGGOPTS, SIOCGLAGGPORT, SIOCSIFFLAGS,
        SIOCSLAGGDELPORT, SIOCSLAGGPORT,
    };
    use nix::net::if_::InterfaceFlags;

    use crate::freebsd::abi::net_if::ifreq;
    use crate::freebsd::abi::socket::AF_LOCAL;
    use crate::freebsd::ioctl::{self, ifname};

    /// What `SIOCGLAGGOPTS` reports.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct LaggOptions {
        /// `LAGG_OPT_*` bits.
        pub opts: i32,
        /// Usable ports: LACP's distributing ports, for the other
        /// protocols those with link up and `IFF_UP`.
        pub active_ports: u32,
        /// How often an LACP port left distributing.
        pub flapping: u32,
    }

    fn socket() -> io::Result<OwnedFd> {
        ioctl::socket(AF_LOCAL)
    }

    /// `err` with `what` (the ioctl and its names) in front.
    fn context(what: String) -> impl FnOnce(io::Error) -> io::Error {
        move |err| io::Error::new(err.kind(), format!("{what}: {err}"))
    }

    /// The protocol and ports of lagg `lagg`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; `ENXIO` for no such interface;
    /// `ENOTTY`/`EINVAL` for an interface that is no lagg.
    pub fn status(lagg: &str) -> io::Result<LaggStatus> {
        let mut records = vec![lagg_reqport::zeroed(); LAGG_MAX_PORTS];
        let mut req = lagg_reqall::zeroed();
        req.ra_ifname = ifname(lagg)?;
        req.ra_size = records.len() * size_of::<lagg_reqport>();
        req.ra_port = records.as_mut_ptr();
        let sock = socket()?;
        // SAFETY: SIOCGLAGG takes a lagg_reqall (size checked by
        // ioctl::ioctl); its ra_port points to `records`, ra_size bytes
        // long, which outlives the call: the kernel copies at most that
        // many bytes of records there.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCGLAGG, &mut req) }
            .map_err(context(format!("SIOCGLAGG {lagg}")))?;
        Ok(LaggStatus {
            proto: proto_from_raw(req.ra_proto),
            ports: ports_from_records(&records, req.ra_ports),
        })
    }

    /// The lagg port `port` belongs to, asked of the port itself;
    /// `None` if it is no lagg's port.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; `ENXIO` for no such interface.
    pub fn port_lagg(port: &str) -> io::Result<Option<String>> {
        let mut req = lagg_reqport::zeroed();
        req.rp_ifname = ifname(port)?;
        req.rp_portname = req.rp_ifname;
        let sock = socket()?;
        // SAFETY: SIOCGLAGGPORT takes a lagg_reqport, which holds no
        // pointer.
        match unsafe { ioctl::ioctl(sock.as_fd(), SIOCGLAGGPORT, &mut req) } {
            Ok(()) => Ok(Some(name_from(&req.rp_ifname))),
            Err(err)
                if matches!(
                    err.raw_os_error(),
                    Some(libc::EINVAL | libc::ENOTTY | libc::ENOENT)
                ) =>
            {
                Ok(None)
            }
            Err(err) => Err(context(format!("SIOCGLAGGPORT {port}"))(err)),
        }
    }

    /// The options and statistics of lagg `lagg` (`ifconfig -v`).
    ///
    /// # Errors
    ///
    /// As [`status`].
    pub fn options(lagg: &str) -> io::Result<LaggOptions> {
        let mut req = lagg_reqopts::zeroed();
        req.ro_ifname = ifname(lagg)?;
        let sock = socket()?;
        // SAFETY: SIOCGLAGGOPTS takes a lagg_reqopts, no pointers.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCGLAGGOPTS, &mut req) }
            .map_err(context(format!("SIOCGLAGGOPTS {lagg}")))?;
        Ok(LaggOptions {
            opts: req.ro_opts,
            active_ports: req.ro_active,
            flapping: req.ro_flapping,
        })
    }

    /// Adds `port` to lagg `lagg`; a port already in it is no error
    /// (`EEXIST`, as ifconfig(8) treats it). The kernel keeps the list
    /// sorted by interface index, sets the lagg's MAC on the port, and
    /// removes the port's IPv6 addresses.
    ///
    /// # Errors
    ///
    /// `EPERM` unless root; `EINVAL` for no such port, or the lagg
    /// itself; `EBUSY` for another lagg's port; `ENOSPC` at 32 ports;
    /// `EPROTONOSUPPORT` for a port that is not Ethernet.
    pub fn add_port(lagg: &str, port: &str) -> io::Result<()> {
        match port_request(SIOCSLAGGPORT, lagg, port) {
            Err(err) if err.raw_os_error() == Some(libc::EEXIST) => Ok(()),
            res => res.map_err(context(format!("SIOCSLAGGPORT {lagg} {port}"))),
        }
    }

    /// Removes `port` from lagg `lagg`; a port not in it is no error
    /// (`ENOENT`). If it was the master, the first remaining port (the
    /// lowest interface index) becomes master and the lagg takes its MAC.
    ///
    /// # Errors
    ///
    /// As [`add_port`].
    pub fn remove_port(lagg: &str, port: &str) -> io::Result<()> {
        match port_request(SIOCSLAGGDELPORT, lagg, port) {
            Err(err) if err.raw_os_error() == Some(libc::ENOENT) => Ok(()),
            res => {
                res.map_err(context(format!("SIOCSLAGGDELPORT {lagg} {port}")))
            }
        }
    }

    fn port_request(
        request: std::ffi::c_ulong,
        lagg: &str,
        port: &str,
    ) -> io::Result<()> {
        let mut req = lagg_reqport::zeroed();
        req.rp_ifname = ifname(lagg)?;
        req.rp_portname = ifname(port)?;
        let sock = socket()?;
        // SAFETY: SIOCSLAGGPORT and SIOCSLAGGDELPORT take a lagg_reqport,
        // which holds no pointer.
        unsafe { ioctl::ioctl(sock.as_fd(), request, &mut req) }
    }

    /// The hardware (burnt-in) address of interface `name`, which a lagg
    /// port keeps while it carries the lagg's (`SIOCGHWADDR`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; `ENXIO` for no such interface.
    pub fn hardware_address(name: &str) -> io::Result<MacAddr> {
        let mut req = ifreq::zeroed();
        req.ifr_name = ifname(name)?;
        let sock = socket()?;
        // SAFETY: SIOCGHWADDR takes an ifreq, no pointers.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCGHWADDR, &mut req) }
            .map_err(context(format!("SIOCGHWADDR {name}")))?;
        // SAFETY: reading a union of plain data: any bytes are a valid
        // sockaddr; the kernel wrote the address into sa_data.
        let data = unsafe { req.ifr_ifru.ifru_addr.sa_data };
        let mut mac = [0u8; 6];
        mac.copy_from_slice(&data[..6]);
        Ok(MacAddr(mac))
    }

    /// Sets interface `name` administratively up or down
    /// (`SIOCGIFFLAGS`, then `SIOCSIFFLAGS` with `IFF_UP` changed).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; `ENXIO` for no such interface;
    /// `EPERM` unless root.
    pub fn set_admin_up(name: &str, up: bool) -> io::Result<()> {
        let sock = socket()?;
        let mut req = ifreq::zeroed();
        req.ifr_name = ifname(name)?;
        // SAFETY: SIOCGIFFLAGS takes an ifreq, no pointers.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCGIFFLAGS, &mut req) }
            .map_err(context(format!("SIOCGIFFLAGS {name}")))?;
        // SAFETY: reading a union of plain data: any bytes are valid
        // flags; the kernel wrote them.
        let [low, high] = unsafe { req.ifr_ifru.ifru_flags };
        let mut flags = InterfaceFlags::from_bits_retain(flags_from(low, high));
        flags.set(InterfaceFlags::IFF_UP, up);
        req.ifr_ifru.ifru_flags = flags_to(flags.bits());
        // SAFETY: SIOCSIFFLAGS takes an ifreq, no pointers.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCSIFFLAGS, &mut req) }
            .map_err(context(format!("SIOCSIFFLAGS {name}")))
    }

    /// Whether interface `name` is administratively up.
    ///
    /// # Errors
    ///
    /// As [`set_admin_up`].
    pub fn is_admin_up(name: &str) -> io::Result<bool> {
        let sock = socket()?;
        let mut req = ifreq::zeroed();
        req.ifr_name = ifname(name)?;
        // SAFETY: SIOCGIFFLAGS takes an ifreq, no pointers.
        unsafe { ioctl::ioctl(sock.as_fd(), SIOCGIFFLAGS, &mut req) }
            .map_err(context(format!("SIOCGIFFLAGS {name}")))?;
        // SAFETY: as in set_admin_up.
        let [low, high] = unsafe { req.ifr_ifru.ifru_flags };
        let flags = InterfaceFlags::from_bits_retain(flags_from(low, high));
        Ok(flags.contains(InterfaceFlags::IFF_UP))
    }

    /// `ifr_flags` (low 16 bits) and `ifr_flagshigh` as one word.
    fn flags_from(low: i16, high: i16) -> c_int {
        let low = c_int::from(low.cast_unsigned());
        let high = c_int::from(high.cast_unsigned());
        low | (high << 16)
    }

    /// The inverse of [`flags_from`].
    fn flags_to(flags: c_int) -> [i16; 2] {
        let word = flags.cast_unsigned();
        let low = u16::try_from(word & 0xffff).unwrap_or_default();
        let high = u16::try_from(word >> 16).unwrap_or_default();
        [low.cast_signed(), high.cast_signed()]
    }
}

#[cfg(test)]
mod tests;
