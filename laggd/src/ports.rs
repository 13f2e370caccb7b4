//! The probe sockets of every port laggd probes, one per (port, family):
//! opened for what the configuration asks, kept across reloads when
//! still wanted, each registered once with the event loop under its slot
//! number. `mpath_sys::portprobe` is the socket (a packet socket on
//! Linux, BPF on FreeBSD); `mpath_sys::aggregate` gives each port's
//! source MAC and says whether a probe from it may leave.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::AsRawFd;

use mpath_core::addr::Family;
use mpath_core::laggd::config::LaggdConfig;
use mpath_core::laggd::engine::LaggEngine;
use mpath_core::laggd::messages as msg;
use mpath_core::time::Instant;
use mpath_daemon::backend::Io;
use mpath_sys::aggregate::Aggregates;
use mpath_sys::clock;
use mpath_sys::portprobe::PortProbe;
use mpath_wire::{ArpOp, MacAddr, NdpMessage};

/// Frames read from one socket per turn (the rest is read next turn).
const READS_PER_TURN: usize = 64;

/// One probe socket.
#[derive(Debug)]
struct PortIo {
    aggregate: String,
    port: String,
    probe: PortProbe,
}

/// Every probe socket.
#[derive(Debug, Default)]
pub struct Ports {
    slots: Vec<Option<PortIo>>,
    by_port: HashMap<(String, Family), usize>,
}

impl Ports {
    /// Opens a socket for every (port, family) `cfg` probes, with the
    /// source MAC the OS gives; keeps those already open and closes the
    /// rest. Returns problems to log (a port that cannot be opened is
    /// not probed; its probes count as lost, so it fails rather than
    /// staying falsely healthy).
    pub fn reconcile(
        &mut self,
        cfg: &LaggdConfig,
        aggregates: &Aggregates,
        io: &Io<'_>,
    ) -> Vec<String> {
        let mut wanted: HashMap<(String, Family), String> = HashMap::new();
        for a in &cfg.aggregates {
            for family in [Family::V4, Family::V6] {
                if a.targets_of(family).next().is_some() {
                    for p in &a.ports {
                        wanted.insert((p.clone(), family), a.name.clone());
                    }
                }
            }
        }
        for slot in 0..self.slots.len() {
            let keep = self.slots[slot].as_ref().is_some_and(|p| {
                wanted.get(&(p.port.clone(), p.probe.family()))
                    == Some(&p.aggregate)
            });
            if !keep {
                if let Some(p) = self.slots[slot].take() {
                    io.deregister(p.probe.as_raw_fd());
                    self.by_port.remove(&(p.port, p.probe.family()));
                }
            }
        }
        let mut problems = Vec::new();
        let mut wanted: Vec<_> = wanted.into_iter().collect();
        wanted.sort();
        for ((port, family), aggregate) in wanted {
            if self.by_port.contains_key(&(port.clone(), family)) {
                continue;
            }
            let opened = aggregates
                .port_mac(&aggregate, &port)
                .and_then(|m| PortProbe::open(&port, family, m));
            let r = opened.and_then(|probe| {
                let slot = self.free_slot();
                io.register(probe.as_raw_fd(), slot)?;
                self.by_port.insert((port.clone(), family), slot);
                self.slots[slot] = Some(PortIo {
                    aggregate: aggregate.clone(),
                    port: port.clone(),
                    probe,
                });
                Ok(())
            });
            if let Err(e) = r {
                problems.push(msg::cannot_probe_through(&aggregate, &port, &e));
            }
        }
        problems
    }

    fn free_slot(&mut self) -> usize {
        self.slots
            .iter()
            .position(Option::is_none)
            .unwrap_or_else(|| {
                self.slots.push(None);
                self.slots.len() - 1
            })
    }

    /// Reads what is pending on socket `slot` (ARP replies and neighbour
    /// advertisements, with the kernel's receive time) into `engine`.
    /// True if more may be waiting.
    pub fn read(
        &self,
        slot: usize,
        engine: &mut LaggEngine,
        now: Instant,
    ) -> bool {
        let Some(Some(p)) = self.slots.get(slot) else {
            return false;
        };
        let mut buf = [0u8; 2048];
        for _ in 0..READS_PER_TURN {
            let Ok(Some(f)) = p.probe.recv(&mut buf) else {
                return false;
            };
            let at = f.rx_realtime_ns.map_or(now, clock::realtime_to_instant);
            let bytes = &buf[..f.len.min(buf.len())];
            if let Some(target) = reply_source(bytes) {
                engine.on_probe_reply(&p.port, target, at, now);
            }
        }
        true
    }

    /// Sends an ARP request (IPv4) or neighbour solicitation (IPv6) for
    /// `target` through `port` itself, with the port's own hardware
    /// address.
    pub fn send(
        &self,
        aggregates: &Aggregates,
        port: &str,
        target: IpAddr,
        source: IpAddr,
    ) -> io::Result<()> {
        let family = Family::of(target);
        let p = self
            .by_port
            .get(&(port.to_string(), family))
            .and_then(|&s| self.slots[s].as_ref())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no {} probe socket on {port}", family.inet()),
                )
            })?;
        let mac = p.probe.mac();
        aggregates.check_source(&p.aggregate, port, mac)?;
        let frame = probe_frame(mac, source, target).ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "mixed families")
        })?;
        p.probe.send_frame(&frame)
    }
}

/// The probe frame for `target` from `source` with hardware address
/// `mac`. IPv4 is an ARP probe (RFC 5227: sender address 0.0.0.0), so
/// the target does not learn the aggregate's address at this port's MAC;
/// it still answers, to this MAC.
fn probe_frame(
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
fn reply_source(frame: &[u8]) -> Option<IpAddr> {
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
