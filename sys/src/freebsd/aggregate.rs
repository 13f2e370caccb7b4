//! Aggregates on FreeBSD: lagg(4) through its ioctls (`lagg`), BPF on
//! the lagg for the announcements (`packet`), CARP's addresses left out
//! of them (`carp`). laggd's kernel view is
//! `mpath_sys::kernel`'s (the routing socket and sysctl snapshot); its
//! per-port probes are `mpath_sys::portprobe`'s (one BPF descriptor per
//! probed port).
//!
//! # Out of service means out of the lagg
//!
//! lagg has no per-port disable and no port priority. A port whose link
//! is up carries traffic in every protocol: in failover whenever lagg
//! picks it (the master while usable, else the next port in *interface
//! index* order, not the operator's), in the others always. So a port
//! laggd fails is removed (`SIOCSLAGGDELPORT`) and added back on repair;
//! "moving it behind" cannot be expressed. `set_membership` reads the
//! lagg and lets the core (`mpath_core::laggd::plan::lagg`) choose the
//! changes:
//!
//! * **failover**: the operator's order (`cfg.aggregates[i].ports`, as
//!   the engine passes it, failed ports left out) is the master order.
//!   The master is the port added to the empty lagg and cannot be
//!   chosen in place, so `plan_master_order` adds the wanted
//!   master first and removes (and re-adds) only the ports that would
//!   stay ahead of it in index order: a failed standby just leaves; a
//!   failed master leaves and the next wanted port becomes master; a
//!   repaired master joins, and the ports ahead of it step out and back
//!   in.
//! * **lacp, loadbalance, roundrobin, broadcast**: every usable port
//!   carries traffic, so failed ports leave and repaired ones join, and
//!   no healthy port is ever touched (a re-added LACP port negotiates
//!   again; a load-balancing lagg reshuffles its hash table).
//!
//! In every protocol the lagg is never emptied (the engine keeps every
//! port when all fail), and ports in the lagg that the configuration
//! does not name are left in.
//!
//! # What a change does to the ports
//!
//! Joining gives a port the lagg's MAC, leaving gives it its own back,
//! and when the master leaves, the lagg and every remaining port take
//! the new master's MAC. Each change is an `if_setlladdr`, which
//! re-initialises an interface that is up, and with many drivers that
//! renegotiates the link: the port's link may bounce, for a second or
//! more. So a change of failover master (a failed master leaving, a
//! repaired one returning) may bounce every port at once, and the lagg
//! loses its link for that moment (CARP on the lagg then demotes by
//! itself). laggd cannot tell such a bounce from a failure: without a
//! `down-delay` covering it, a repaired port that bounces on joining
//! fails again ("link down"), leaves (another bounce) and must be
//! repaired again, over and over.
//!
//! When the lagg's MAC changed, its addresses are announced at once (the
//! kernel's own gratuitous ARP on the change may leave while the ports
//! re-initialise, and it sends no neighbour advertisement); in failover
//! the engine announces again when it sees the new active port.
//!
//! # Probes
//!
//! Each port is probed through a BPF descriptor on the port itself, in
//! promiscuous mode, from the port's own hardware address
//! (`SIOCGHWADDR`). The descriptor is on the interface, not on its lagg
//! membership, so a port laggd removed is still probed (its MAC is then
//! its own, the probe source). The lagg takes its MAC from its master,
//! so normally only the master's hardware address is the lagg's, and
//! the master is the port the lagg sends on whenever it can send at
//! all: probing it from that address moves nothing on the switch. A
//! probe whose source is the lagg's current MAC is refused on any other
//! port (`plan::lagg::carries_lagg_mac`), which covers an operator who
//! set the lagg's MAC to a standby port's.
//!
//! # The rest
//!
//! * Active port: in failover, the port the kernel flags `ACTIVE`
//!   (else the master, if its link is up); in the other protocols none.
//! * Announcements skip CARP's addresses: those belong to CARP's
//!   virtual MAC, and on a `BACKUP` node an announcement from the lagg's
//!   MAC would take the address from the real master.
//! * CARP demotion: `mpath_sys::ha`, with laggd's share kept by the
//!   core (`mpath_core::laggd::carp`).
//!
//! Built for FreeBSD and checked against its headers in CI; not run on
//! a FreeBSD machine (see the README's platform table).

use std::collections::BTreeMap;
use std::io;
use std::net::IpAddr;

use mpath_core::kernel::KernelSnapshot;
use mpath_core::laggd::lacp::LacpView;
use mpath_wire::MacAddr;

use super::carp;
use mpath_core::laggd::plan::lagg::{self as plan, Member, PortOp};

use super::lagg::{self, LaggProto, LaggStatus};
use super::packet::FrameSocket;
use crate::unix::aggregate::{ActivePorts, MembershipChange};
use crate::unix::announce::frame;
use crate::unix::{ifaddrs, ifindex};

/// A lagg as laggd last read it.
#[derive(Debug)]
struct Seen {
    status: LaggStatus,
    mac: Option<[u8; 6]>,
}

/// The laggs laggd supervises.
#[derive(Debug)]
pub struct Aggregates {
    frames: FrameSocket,
    /// Per aggregate, the ports the configuration names: the only ones
    /// laggd adds or removes.
    managed: BTreeMap<String, Vec<String>>,
    /// Per aggregate, from the last snapshot or membership change: what
    /// a probe's source address is checked against.
    seen: BTreeMap<String, Seen>,
}

/// The MAC interface `name` has now.
fn mac_of(name: &str) -> io::Result<Option<[u8; 6]>> {
    Ok(ifaddrs::interfaces()?
        .into_iter()
        .find(|i| i.name == name)
        .and_then(|i| i.mac))
}

fn mac_text(mac: Option<[u8; 6]>) -> String {
    mac.map_or_else(|| "none".into(), |m| MacAddr(m).to_string())
}

/// Carries out `ops` on lagg `aggregate` in order; on a failure, says
/// what was done before it.
fn apply(aggregate: &str, ops: &[PortOp]) -> io::Result<()> {
    for (k, op) in ops.iter().enumerate() {
        let res = match op {
            PortOp::Add(port) => lagg::add_port(aggregate, port),
            PortOp::Remove(port) => lagg::remove_port(aggregate, port),
        };
        if let Err(err) = res {
            let done: Vec<String> =
                ops[..k].iter().map(PortOp::to_string).collect();
            let done = if done.is_empty() {
                "nothing done".to_string()
            } else {
                format!("done: {}", done.join(", "))
            };
            return Err(io::Error::new(
                err.kind(),
                format!("{op}: {err} ({done})"),
            ));
        }
    }
    Ok(())
}

impl Aggregates {
    /// Opens what announcements need.
    pub fn open() -> io::Result<Aggregates> {
        Ok(Aggregates {
            frames: FrameSocket::open()?,
            managed: BTreeMap::new(),
            seen: BTreeMap::new(),
        })
    }

    /// Remembers which ports the configuration names per aggregate: the
    /// only ones laggd adds or removes.
    pub fn set_managed(&mut self, managed: &[(String, Vec<String>)]) {
        self.managed = managed.iter().cloned().collect();
    }

    /// Reads lagg `name` again into `seen`.
    fn look(&mut self, name: &str) -> io::Result<()> {
        let status = lagg::status(name)?;
        let mac = mac_of(name)?;
        self.seen.insert(name.to_owned(), Seen { status, mac });
        Ok(())
    }

    /// The changes that put `ports` in service in lagg `aggregate` (as
    /// `status` shows it), and the ports of `ports` that have no
    /// interface: they cannot join, the others still can.
    fn plan<'a>(
        &self,
        aggregate: &str,
        ports: &'a [String],
        status: &'a LaggStatus,
    ) -> (Vec<PortOp>, Vec<&'a str>) {
        let mut wanted = Vec::with_capacity(ports.len());
        let mut missing = Vec::new();
        for name in ports {
            match ifindex::name_to_index(name) {
                Ok(index) => wanted.push(Member {
                    name: name.as_str(),
                    index,
                }),
                Err(_) => missing.push(name.as_str()),
            }
        }
        // A member that vanished meanwhile the kernel drops by itself.
        let current: Vec<Member<'_>> = status
            .ports
            .iter()
            .filter_map(|p| {
                let index = ifindex::name_to_index(&p.name).ok()?;
                Some(Member {
                    name: &p.name,
                    index,
                })
            })
            .collect();
        let mut managed: Vec<&str> = self
            .managed
            .get(aggregate)
            .map(|m| m.iter().map(String::as_str).collect())
            .unwrap_or_default();
        managed.extend(ports.iter().map(String::as_str));
        let ops = plan::plan_membership(
            status.proto,
            &wanted,
            &managed,
            &current,
            status.master(),
        );
        (ops, missing)
    }

    /// Reads lagg `aggregate` again after a change; if its MAC moved
    /// (its master left), announces its addresses. Returns the log
    /// line's tail.
    fn after_change(
        &mut self,
        aggregate: &str,
        mac_before: Option<[u8; 6]>,
    ) -> String {
        if let Err(e) = self.look(aggregate) {
            return format!("; cannot read {aggregate} again: {e}");
        }
        let Some(seen) = self.seen.get(aggregate) else {
            return String::new();
        };
        let mut tail = String::new();
        if seen.status.proto == LaggProto::Failover {
            let master = seen.status.master().unwrap_or("none");
            tail.push_str(&format!(", master {master}"));
        }
        let mac_after = seen.mac;
        if mac_after != mac_before {
            tail.push_str(&format!(
                "; MAC {} -> {}",
                mac_text(mac_before),
                mac_text(mac_after)
            ));
            match self.announce(aggregate) {
                Ok(n) => tail.push_str(&format!(", announced {n} addresses")),
                Err(e) => tail.push_str(&format!(", cannot announce: {e}")),
            }
        }
        tail
    }

    /// Each of `names`'s active port: in failover, the port the kernel
    /// flags `ACTIVE` (else the master, if its link is up); in the other
    /// protocols none. Also what probe sources are checked against.
    pub fn active_ports(
        &mut self,
        names: &[&str],
        snap: &KernelSnapshot,
    ) -> ActivePorts {
        let usable = |port: &str| {
            snap.link(port)
                .is_some_and(|l| l.admin_up && l.carrier == Some(true))
        };
        let mut active = ActivePorts::new();
        self.seen.clear();
        for &name in names {
            // Not a lagg (yet): no active port, and nothing to check
            // probe sources against.
            let port = lagg::status(name).ok().and_then(|status| {
                let port = plan::active_port(&status, usable);
                let mac = snap.link(name).and_then(|l| l.mac);
                self.seen.insert(name.to_owned(), Seen { status, mac });
                port
            });
            active.insert(name.to_owned(), port);
        }
        active
    }

    /// What LACP says of the ports of each of `names` whose protocol is
    /// `lacp`: lagg(4)'s port flags `ACTIVE` (in the active aggregator),
    /// `COLLECTING` and `DISTRIBUTING`. A lagg that cannot be read is
    /// left out (its ports count by their health alone).
    pub fn lacp(&mut self, names: &[&str]) -> LacpView {
        names
            .iter()
            .filter_map(|&name| {
                let status = lagg::status(name).ok()?;
                Some((name.to_string(), plan::lacp_ports(&status)?))
            })
            .collect()
    }

    /// The hardware address to probe `port` from: its own burnt-in
    /// address, whether it is in the lagg (carrying the lagg's MAC) or
    /// out of it (see the module documentation).
    pub fn port_mac(
        &self,
        _aggregate: &str,
        port: &str,
    ) -> io::Result<MacAddr> {
        lagg::hardware_address(port)
    }

    /// Refuses a probe from `mac` through `port` when `mac` is the
    /// lagg's address and `port` must not send it now.
    pub fn check_source(
        &self,
        aggregate: &str,
        port: &str,
        mac: MacAddr,
    ) -> io::Result<()> {
        if let Some(seen) = self.seen.get(aggregate) {
            if seen.mac == Some(mac.octets())
                && !plan::carries_lagg_mac(&seen.status, port)
            {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    format!(
                        "{port}'s hardware address {mac} is {aggregate}'s \
                         MAC, which must not leave through {port} now"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Puts the lagg's traffic on `ports` (in master order: the first
    /// one is failover's master).
    pub fn set_membership(
        &mut self,
        aggregate: &str,
        ports: &[String],
    ) -> io::Result<MembershipChange> {
        if ports.is_empty() {
            return Ok(MembershipChange::said(
                "no port wanted; nothing changed",
            ));
        }
        let status = lagg::status(aggregate)?;
        let mac_before = mac_of(aggregate)?;
        let (ops, missing) = self.plan(aggregate, ports, &status);
        let mut line = if ops.is_empty() {
            "nothing to change".to_string()
        } else {
            let ops: Vec<String> = ops.iter().map(PortOp::to_string).collect();
            ops.join(", ")
        };
        line.push_str(&format!("; in service: {}", ports.join(" ")));
        if !missing.is_empty() {
            line.push_str(&format!(
                " ({}: no such interface)",
                missing.join(" ")
            ));
        }
        if ops.is_empty() {
            return Ok(MembershipChange::said(line));
        }
        // Even a change that stopped halfway may have moved the MAC.
        let applied = apply(aggregate, &ops);
        let after = self.after_change(aggregate, mac_before);
        // Added and removed ports change address; when the lagg's own
        // address changed (its master left), every port took it.
        let mut touched: Vec<String> = ops
            .iter()
            .map(|op| match op {
                PortOp::Add(p) | PortOp::Remove(p) => p.clone(),
            })
            .collect();
        if self
            .seen
            .get(aggregate)
            .is_some_and(|s| s.mac != mac_before)
        {
            touched.extend(ports.iter().cloned());
        }
        match applied {
            Ok(()) => Ok(MembershipChange {
                done: format!("{line}{after}"),
                touched,
            }),
            Err(e) => Err(io::Error::new(e.kind(), format!("{e}{after}"))),
        }
    }

    /// Gratuitous ARP / unsolicited NA for every address of the lagg
    /// but CARP's, from its hardware address; returns how many were
    /// sent.
    pub fn announce(&mut self, aggregate: &str) -> io::Result<usize> {
        let index = ifindex::name_to_index(aggregate)?;
        let mac = mac_of(aggregate)?.ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("{aggregate} has no Ethernet address"),
            )
        })?;
        // vhid 0: not CARP's (see the module documentation).
        let addrs: Vec<IpAddr> = carp::address_vhids(aggregate)?
            .into_iter()
            .filter(|&(a, vhid)| vhid == 0 && !a.is_unspecified())
            .map(|(a, _)| a)
            .collect();
        for &a in &addrs {
            self.frames.send_frame(index, &frame(mac, a))?;
        }
        Ok(addrs.len())
    }

    /// The lagg's protocol, for status.
    pub fn protocol(&mut self, aggregate: &str) -> Option<String> {
        let status = lagg::status(aggregate).ok()?;
        Some(status.proto.name().to_string())
    }
}
