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
//! [`plan_master_order`] is the pure part: given the ports that should
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
//! unsolicited NA) afterwards. [`restore_master_order`] reads, plans and
//! applies.
//!
//! # Probing a port
//!
//! Every port carries the lagg's MAC; probes through a standby port must
//! carry the port's own hardware address (`SIOCGHWADDR`, [`probe_mac`])
//! and need the port in promiscuous mode to hear the replies (see
//! `freebsd::portprobe`). The lagg took its MAC from its first port,
//! whose hardware address is therefore the lagg's: [`probe_mac`] refuses
//! that port while the lagg carries its address.
//!
//! # Not verified here
//!
//! The plan and the record parsing are pure and tested on any host; the
//! ABI is checked against FreeBSD's headers. The ioctls themselves have
//! not been run on a FreeBSD kernel.

use std::fmt;

use super::abi::lagg::{
    lagg_reqport, LAGG_PORT_ACTIVE, LAGG_PORT_COLLECTING,
    LAGG_PORT_DISTRIBUTING, LAGG_PORT_MASTER, LAGG_PORT_STACK,
    LAGG_PROTO_BROADCAST, LAGG_PROTO_FAILOVER, LAGG_PROTO_LACP,
    LAGG_PROTO_LOADBALANCE, LAGG_PROTO_NONE, LAGG_PROTO_ROUNDROBIN,
};

#[cfg(target_os = "freebsd")]
pub use self::os::*;

/// A lagg's protocol (`laggproto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaggProto {
    /// `none`: the lagg drops all traffic.
    None,
    /// `roundrobin`.
    RoundRobin,
    /// `failover`, the default.
    Failover,
    /// `loadbalance`.
    LoadBalance,
    /// `lacp`.
    Lacp,
    /// `broadcast`.
    Broadcast,
    /// A number this code does not know.
    Unknown(u32),
}

impl LaggProto {
    /// The protocol `ra_proto` says.
    pub fn from_raw(raw: u32) -> LaggProto {
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

    /// The name ifconfig(8) uses (`<unknown>` for an unknown one).
    pub fn name(self) -> &'static str {
        match self {
            LaggProto::None => "none",
            LaggProto::RoundRobin => "roundrobin",
            LaggProto::Failover => "failover",
            LaggProto::LoadBalance => "loadbalance",
            LaggProto::Lacp => "lacp",
            LaggProto::Broadcast => "broadcast",
            LaggProto::Unknown(_) => "<unknown>",
        }
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

/// One port of a lagg.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaggPort {
    /// The port's interface name.
    pub name: String,
    /// Its flags.
    pub flags: PortFlags,
}

/// A lagg's protocol and ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaggStatus {
    /// The protocol.
    pub proto: LaggProto,
    /// The ports in the kernel's order (ascending interface index).
    pub ports: Vec<LaggPort>,
}

impl LaggStatus {
    /// The master port, if any.
    pub fn master(&self) -> Option<&str> {
        self.ports
            .iter()
            .find(|p| p.flags.master())
            .map(|p| p.name.as_str())
    }

    /// The ports carrying traffic.
    pub fn active(&self) -> impl Iterator<Item = &str> {
        self.ports
            .iter()
            .filter(|p| p.flags.active())
            .map(|p| p.name.as_str())
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
        .map(|r| LaggPort {
            name: name_from(&r.rp_portname),
            flags: PortFlags::from_bits_retain(r.rp_flags),
        })
        .filter(|p| !p.name.is_empty())
        .collect()
}

/// A change to a lagg's ports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortOp {
    /// `SIOCSLAGGPORT` (`ifconfig lagg0 laggport PORT`).
    Add(String),
    /// `SIOCSLAGGDELPORT` (`ifconfig lagg0 -laggport PORT`).
    Remove(String),
}

impl fmt::Display for PortOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortOp::Add(port) => write!(f, "laggport {port}"),
            PortOp::Remove(port) => write!(f, "-laggport {port}"),
        }
    }
}

/// A port as [`plan_master_order`] sees it: its name and interface
/// index, which decides its place in the lagg's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Member<'a> {
    /// The interface name.
    pub name: &'a str,
    /// The interface index.
    pub index: u32,
}

/// The adds and removes that leave the lagg with exactly the ports of
/// `desired` and `desired[0]` as its master (see the module
/// documentation): `current` holds the lagg's ports (any order), and
/// `master` names the current master (`None`: not known, taken to be
/// the first port in index order, as the kernel would have chosen).
///
/// An empty `desired` plans nothing (laggd leaves the membership alone
/// when every port has failed); a name repeated in `desired` counts once.
pub fn plan_master_order(
    desired: &[Member<'_>],
    current: &[Member<'_>],
    master: Option<&str>,
) -> Vec<PortOp> {
    let desired = dedup(desired);
    let Some(&want) = desired.first() else {
        return Vec::new();
    };
    let mut current = dedup(current);
    current.sort_by_key(|m| (m.index, m.name));
    let wanted = |name: &str| desired.iter().any(|d| d.name == name);
    let member = |name: &str| current.iter().any(|c| c.name == name);
    let master = master
        .filter(|&m| member(m))
        .or_else(|| current.first().map(|c| c.name));
    let mut ops = Vec::new();

    if master == Some(want.name) || master.is_none() {
        // The master stays (or the lagg is empty, and the first port
        // added, `want`, becomes master): add, then remove.
        for d in &desired {
            if !member(d.name) {
                ops.push(PortOp::Add(d.name.to_owned()));
            }
        }
        for c in &current {
            if !wanted(c.name) {
                ops.push(PortOp::Remove(c.name.to_owned()));
            }
        }
        return ops;
    }

    // `want` must become the first port of the list when the master
    // goes: it joins first if it is not a member, and every port before
    // it in index order leaves, with the unwanted ones and the master.
    let added_first = !member(want.name);
    if added_first {
        ops.push(PortOp::Add(want.name.to_owned()));
    }
    let before_want =
        |c: &Member<'_>| (c.index, c.name) < (want.index, want.name);
    let leaving: Vec<&Member<'_>> = current
        .iter()
        .filter(|c| c.name != want.name)
        .filter(|c| !wanted(c.name) || before_want(c) || Some(c.name) == master)
        .collect();
    let (old_master, others): (Vec<&Member<'_>>, Vec<&Member<'_>>) =
        leaving.iter().partition(|c| Some(c.name) == master);
    for c in others.iter().chain(&old_master) {
        ops.push(PortOp::Remove(c.name.to_owned()));
    }
    for d in &desired {
        let stays = member(d.name) && !leaving.iter().any(|c| c.name == d.name);
        if d.name != want.name && !stays {
            ops.push(PortOp::Add(d.name.to_owned()));
        }
    }
    ops
}

/// `ports` without repeated names (the first occurrence kept).
fn dedup<'a>(ports: &[Member<'a>]) -> Vec<Member<'a>> {
    let mut out: Vec<Member<'a>> = Vec::with_capacity(ports.len());
    for p in ports {
        if !out.iter().any(|o| o.name == p.name) {
            out.push(*p);
        }
    }
    out
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
    use super::{
        plan_master_order, ports_from_records, LaggProto, LaggStatus, Member,
        PortOp,
    };
    use crate::freebsd::abi::lagg::{
        lagg_reqall, lagg_reqopts, lagg_reqport, LAGG_MAX_PORTS, SIOCGHWADDR,
        SIOCGIFFLAGS, SIOCGLAGG, SIOCGLAGGOPTS, SIOCGLAGGPORT, SIOCSIFFLAGS,
        SIOCSLAGGDELPORT, SIOCSLAGGPORT,
    };
    use nix::net::if_::InterfaceFlags;

    use crate::freebsd::abi::net_if::ifreq;
    use crate::freebsd::abi::socket::AF_LOCAL;
    use crate::freebsd::ioctl::{self, ifname};
    use crate::{ifaddrs, ifindex};

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
            proto: LaggProto::from_raw(req.ra_proto),
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

    /// Applies `ops` in order, stopping at the first error.
    ///
    /// # Errors
    ///
    /// The failed operation's.
    pub fn apply(lagg: &str, ops: &[PortOp]) -> io::Result<()> {
        for op in ops {
            match op {
                PortOp::Add(port) => add_port(lagg, port)?,
                PortOp::Remove(port) => remove_port(lagg, port)?,
            }
        }
        Ok(())
    }

    /// Makes lagg `lagg` hold exactly `desired`'s ports with `desired[0]`
    /// as master ([`plan_master_order`] on the lagg's current state, then
    /// [`apply`]); returns what it did. Nothing for an empty `desired`.
    ///
    /// # Errors
    ///
    /// [`status`]'s; `NotFound`/`ENXIO` for a port without an interface
    /// index; the first failed operation's.
    pub fn restore_master_order(
        lagg: &str,
        desired: &[&str],
    ) -> io::Result<Vec<PortOp>> {
        let status = status(lagg)?;
        let index = |name: &str| {
            ifindex::name_to_index(name)
                .map_err(context(format!("{lagg}: port {name}")))
        };
        let mut want = Vec::with_capacity(desired.len());
        for &name in desired {
            want.push(Member {
                name,
                index: index(name)?,
            });
        }
        let mut have = Vec::with_capacity(status.ports.len());
        for port in &status.ports {
            have.push(Member {
                name: &port.name,
                index: index(&port.name)?,
            });
        }
        let ops = plan_master_order(&want, &have, status.master());
        apply(lagg, &ops)?;
        Ok(ops)
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

    /// The source address for probes through port `port` of lagg
    /// `lagg`: its hardware address, unless that is the lagg's current
    /// MAC (see the module documentation).
    ///
    /// # Errors
    ///
    /// `AddrInUse` when it is; `NotFound` if the lagg has no Ethernet
    /// address; as [`hardware_address`].
    pub fn probe_mac(lagg: &str, port: &str) -> io::Result<MacAddr> {
        let hw = hardware_address(port)?;
        let lagg_mac = ifaddrs::interfaces()?
            .into_iter()
            .find(|i| i.name == lagg)
            .and_then(|i| i.mac)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "{lagg}: no such interface with an Ethernet address"
                    ),
                )
            })?;
        if hw.octets() == lagg_mac {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "{port}'s hardware address {hw} is {lagg}'s MAC: probes \
                     from {port} while it is standby would move {lagg}'s \
                     MAC to {port}'s switch port"
                ),
            ));
        }
        Ok(hw)
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
