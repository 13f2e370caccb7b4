//! The seam between laggd's loop and the OS: one implementation per OS
//! (Linux: bonding through sysfs, packet sockets, rtnetlink; FreeBSD:
//! lagg(4) ioctls, BPF, the routing socket). The daemon loop and the
//! engine are the same everywhere.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::RawFd;

use mpath_core::engine::KernelSnapshot;
use mpath_core::lagg::config::LaggdConfig;
use mpath_core::time::Instant;
use mpath_wire::{ArpOp, MacAddr, NdpMessage};

#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(target_os = "linux")]
mod linux;
mod ports;

#[cfg(target_os = "freebsd")]
pub use freebsd::open;
#[cfg(target_os = "linux")]
pub use linux::open;

/// A validated-looking probe reply seen on a port: an ARP reply or a
/// neighbour advertisement from `target`. (The engine checks that a
/// request to that target is outstanding.)
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct PortReply {
    /// The port it arrived on.
    pub port: String,
    /// Who answered.
    pub target: IpAddr,
    /// When the kernel received it (or when it was read).
    pub received_at: Instant,
}

/// What [`Platform::set_membership`] did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MembershipChange {
    /// What was done, for the log.
    pub done: String,
    /// Ports whose hardware address changed (added, removed, or given
    /// the aggregate's new address), so whose link may bounce: the
    /// engine does not fail them for that ([`LaggEngine::settle`]).
    ///
    /// [`LaggEngine::settle`]: mpath_core::lagg::engine::LaggEngine::settle
    pub touched: Vec<String>,
}

impl MembershipChange {
    /// Nothing touched.
    pub fn said(done: impl Into<String>) -> MembershipChange {
        MembershipChange {
            done: done.into(),
            touched: Vec::new(),
        }
    }
}

/// Each aggregate's active port as the OS reports it (`None`: none, or
/// the mode has no single active port).
pub type ActivePorts = BTreeMap<String, Option<String>>;

/// What laggd needs from the OS.
pub trait Platform {
    /// The descriptor that becomes readable with kernel messages (link
    /// changes, address changes).
    fn kernel_fd(&self) -> RawFd;

    /// Reads pending kernel messages; true when a snapshot is due.
    /// Kernel messages are hints: a snapshot is always correct.
    fn drain_kernel(&mut self) -> io::Result<bool>;

    /// The kernel's interfaces and addresses, and each configured
    /// aggregate's active port.
    fn snapshot(
        &mut self,
        cfg: &LaggdConfig,
    ) -> io::Result<(KernelSnapshot, ActivePorts)>;

    /// Opens a probe socket for every (port, family) `cfg` probes, keeps
    /// those already open and closes the rest. Returns problems to log
    /// (a port that cannot be opened is not probed; its probes count as
    /// lost, so it fails rather than staying falsely healthy).
    fn open_ports(&mut self, cfg: &LaggdConfig) -> Vec<String>;

    /// The probe sockets' descriptors, in the order `read_port` takes.
    fn port_fds(&self) -> Vec<RawFd>;

    /// Reads what is pending on probe socket `k` into `out`.
    fn read_port(&mut self, k: usize, out: &mut Vec<PortReply>);

    /// Sends an ARP request (IPv4) or neighbour solicitation (IPv6) for
    /// `target` through `port` itself, with the port's own hardware
    /// address.
    fn send_probe(
        &mut self,
        port: &str,
        target: IpAddr,
        source: IpAddr,
    ) -> io::Result<()>;

    /// Puts the aggregate's traffic on `ports` (in master order: the
    /// first one is the failover master / active slave).
    fn set_membership(
        &mut self,
        aggregate: &str,
        ports: &[String],
    ) -> io::Result<MembershipChange>;

    /// Brings an interface administratively up or down.
    fn set_admin_up(&mut self, iface: &str, up: bool) -> io::Result<()>;

    /// Gratuitous ARP / unsolicited NA for every address of the
    /// aggregate, from its hardware address; returns how many were sent.
    fn announce(&mut self, aggregate: &str) -> io::Result<usize>;

    /// The aggregate's protocol as the OS names it (lagg's `laggproto`,
    /// bonding's `mode`), for status.
    fn protocol(&mut self, aggregate: &str) -> Option<String>;

    /// Adds `delta` to CARP's demotion counter (FreeBSD's
    /// `net.inet.carp.demotion`).
    fn adjust_carp_demotion(&mut self, delta: i32) -> io::Result<()>;
}

/// The probe frame for `target` from `source` with hardware address
/// `mac`. IPv4 is an ARP probe (RFC 5227: sender address 0.0.0.0), so
/// the target does not learn the aggregate's address at this port's MAC;
/// it still answers, to this MAC.
pub fn probe_frame(
    mac: MacAddr,
    source: IpAddr,
    target: IpAddr,
) -> Option<Vec<u8>> {
    match (source, target) {
        (IpAddr::V4(_), IpAddr::V4(t)) => {
            Some(mpath_wire::emit_arp_request(mac, Ipv4Addr::UNSPECIFIED, t))
        }
        (IpAddr::V6(s), IpAddr::V6(t)) => {
            Some(mpath_wire::emit_neighbor_solicitation_frame(mac, s, t))
        }
        _ => None,
    }
}

/// The target that answered, if `frame` is an ARP reply or a neighbour
/// advertisement.
pub fn reply_source(frame: &[u8]) -> Option<IpAddr> {
    if let Ok(arp) = mpath_wire::parse_arp_frame(frame) {
        return (arp.op == ArpOp::Reply).then_some(IpAddr::V4(arp.sender_ip));
    }
    if let Ok(nd) = mpath_wire::parse_ndp_frame(frame) {
        if let NdpMessage::NeighborAdvert { target, .. } = nd.message {
            return Some(IpAddr::V6(target));
        }
    }
    None
}

/// The frames announcing `addrs` from `mac`.
pub fn announcements(mac: MacAddr, addrs: &[IpAddr]) -> Vec<Vec<u8>> {
    addrs
        .iter()
        .map(|a| match a {
            IpAddr::V4(v4) => mpath_wire::emit_gratuitous_arp(mac, *v4),
            IpAddr::V6(v6) => mpath_wire::emit_unsolicited_na_frame(mac, *v6),
        })
        .collect()
}
