//! Aggregates on Linux: bonding through sysfs, and a packet socket for
//! announcements. (laggd's kernel view is `mpath_sys::kernel`'s, its
//! per-port probes `mpath_sys::portprobe`'s.) What a membership change
//! does in each bonding mode is decided in the core
//! (`mpath_core::laggd::plan::bonding`); this module reads the bond and
//! carries the plan out.

use std::io;
use std::net::IpAddr;

use mpath_core::kernel::KernelSnapshot;
use mpath_core::laggd::lacp::LacpView;
use mpath_core::laggd::plan::bonding::{self, BondOp};
use mpath_wire::MacAddr;

use super::bond::{interface_mac, Bond};
use super::link;
use super::packet::FrameSocket;
use crate::unix::aggregate::{ActivePorts, MembershipChange};
use crate::unix::announce::frame;

/// The aggregates (bonds) laggd supervises.
#[derive(Debug)]
pub struct Aggregates {
    frames: FrameSocket,
}

impl Aggregates {
    /// Opens what announcements need.
    pub fn open() -> io::Result<Aggregates> {
        Ok(Aggregates {
            frames: FrameSocket::open()?,
        })
    }

    /// Remembers which ports the configuration names per aggregate (only
    /// FreeBSD needs it).
    pub fn set_managed(&mut self, _: &[(String, Vec<String>)]) {}

    /// Each of `names`'s active slave.
    pub fn active_ports(
        &mut self,
        names: &[&str],
        _: &KernelSnapshot,
    ) -> ActivePorts {
        names
            .iter()
            .map(|&name| {
                let port = Bond::new(name)
                    .and_then(|b| b.active_slave())
                    .unwrap_or(None);
                (name.to_string(), port)
            })
            .collect()
    }

    /// What LACP says of the ports of each of `names` that is in mode
    /// 802.3ad (see `super::lacp`); a bond that cannot be read is left
    /// out (its ports count by their health alone).
    pub fn lacp(&mut self, names: &[&str]) -> LacpView {
        names
            .iter()
            .filter_map(|&name| {
                let ports = Bond::new(name).and_then(|b| b.lacp_ports());
                Some((name.to_string(), ports.ok()??))
            })
            .collect()
    }

    /// The hardware address to probe `port` of `aggregate` from: the
    /// port's own permanent MAC, so that probing a standby port never
    /// makes the switch move the bond's MAC. The port whose MAC the bond
    /// took has no other: it is probed with it (a known limit while it
    /// is a standby; see laggd(8)). A port laggd released (see the
    /// module comment) is no slave: its current address is its
    /// permanent one.
    pub fn port_mac(&self, aggregate: &str, port: &str) -> io::Result<MacAddr> {
        Bond::new(aggregate)
            .and_then(|b| b.perm_hwaddr(port))
            .or_else(|_| interface_mac(port))
    }

    /// Whether a probe from `mac` may leave through `port` (always, on
    /// Linux: `port_mac` never gives the bond's address to a standby
    /// that does not carry it).
    pub fn check_source(&self, _: &str, _: &str, _: MacAddr) -> io::Result<()> {
        Ok(())
    }

    /// Puts the aggregate's traffic on `ports` (in master order: the
    /// first one is the active slave).
    pub fn set_membership(
        &mut self,
        aggregate: &str,
        ports: &[String],
    ) -> io::Result<MembershipChange> {
        let bond = Bond::new(aggregate)?;
        if ports.is_empty() {
            return Ok(MembershipChange::said(
                "no port wanted; nothing changed",
            ));
        }
        let mode = bond.mode()?;
        let ops = bonding::plan(mode, &bond.slaves()?, ports);
        let mut touched = Vec::new();
        for op in &ops {
            match op {
                BondOp::Activate(p) => {
                    bond.set_primary(Some(p))?;
                    bond.set_active_slave(p)?;
                }
                BondOp::Release(p) => {
                    bond.remove_slave(p)?;
                    // Kept up (the kernel closes a released port), so
                    // that laggd keeps probing it, with its own
                    // permanent address, which it has back once
                    // released.
                    link::set_admin_up(p, true)?;
                    touched.push(p.clone());
                }
                BondOp::Enslave(p) => {
                    // Enslaving takes the port down and up again.
                    bond.add_slave(p)?;
                    touched.push(p.clone());
                }
            }
        }
        let done = if ops.is_empty() {
            "nothing to change".to_string()
        } else {
            ops.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        Ok(MembershipChange {
            done: format!(
                "mode {}: {done} (in service: {})",
                mode.name(),
                ports.join(" ")
            ),
            touched,
        })
    }

    /// Gratuitous ARP / unsolicited NA for every address of the
    /// aggregate, from its hardware address; returns how many were sent.
    pub fn announce(&mut self, aggregate: &str) -> io::Result<usize> {
        let bond = Bond::new(aggregate)?;
        let index = crate::unix::ifindex::name_to_index(aggregate)?;
        let mac = bond.mac()?;
        let addrs: Vec<IpAddr> = crate::unix::ifaddrs::interfaces()?
            .iter()
            .filter(|i| i.name == aggregate)
            .flat_map(|i| i.addrs.iter().map(|a| a.addr))
            .collect();
        for &a in &addrs {
            self.frames.send_frame(index, &frame(mac.octets(), a))?;
        }
        Ok(addrs.len())
    }

    /// The bond's mode, for status.
    pub fn protocol(&mut self, aggregate: &str) -> Option<String> {
        let mode = Bond::new(aggregate).and_then(|b| b.mode()).ok()?;
        Some(mode.name().to_string())
    }
}
