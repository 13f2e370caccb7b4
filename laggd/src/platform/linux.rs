//! Linux: bonding through sysfs, per-port ARP/NS probes through packet
//! sockets bound to each port, rtnetlink for the kernel view and for
//! admin up/down, and a packet socket for announcements.
//!
//! A failed port is taken out of service, in the modes with one active
//! port (active-backup, balance-tlb, balance-alb), by choosing another
//! active slave (`primary` and `active_slave` set to the first port
//! laggd wants in service), not by releasing it: a released port loses
//! the bond's address and its place in the slave order, and bonding
//! re-opens it on re-enslavement, which bounces its link. In the modes
//! where every port carries traffic (balance-rr, balance-xor, broadcast,
//! 802.3ad) there is no other way: the failed port is released (and
//! kept up, to go on probing it) and enslaved again once repaired.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::engine::KernelSnapshot;
use mpath_core::lagg::config::LaggdConfig;
use mpath_sys::bond::{interface_mac, Bond};
use mpath_sys::link;
use mpath_sys::netlink::{self, NetlinkSocket};
use mpath_sys::packet::FrameSocket;

use super::ports::PortSockets;
use super::{
    announcements, probe_frame, ActivePorts, MembershipChange, Platform,
    PortReply,
};

/// The Linux seam.
#[derive(Debug)]
pub struct Linux {
    events: NetlinkSocket,
    requests: NetlinkSocket,
    frames: FrameSocket,
    ports: PortSockets,
}

/// Opens the kernel interfaces laggd needs.
pub fn open() -> io::Result<Linux> {
    Ok(Linux {
        events: NetlinkSocket::open_events()?,
        requests: NetlinkSocket::open_request()?,
        frames: FrameSocket::open()?,
        ports: PortSockets::default(),
    })
}

impl Platform for Linux {
    fn kernel_fd(&self) -> RawFd {
        self.events.as_raw_fd()
    }

    fn drain_kernel(&mut self) -> io::Result<bool> {
        Ok(self.events.drain_events()?.needs_snapshot())
    }

    fn snapshot(
        &mut self,
        cfg: &LaggdConfig,
    ) -> io::Result<(KernelSnapshot, ActivePorts)> {
        let snap = netlink::snapshot(&mut self.requests)?;
        let active = cfg
            .aggregates
            .iter()
            .map(|a| {
                let port = Bond::new(&a.name)
                    .and_then(|b| b.active_slave())
                    .unwrap_or(None);
                (a.name.clone(), port)
            })
            .collect();
        Ok((snap, active))
    }

    fn open_ports(&mut self, cfg: &LaggdConfig) -> Vec<String> {
        // The port's own permanent MAC, so that probing a standby port
        // never makes the switch move the bond's MAC. The port whose MAC
        // the bond took has no other: it is probed with it (a known limit
        // while it is a standby; see laggd(8)). A port laggd released
        // (see the module comment) is no slave: its current address is
        // its permanent one.
        self.ports.reconcile(cfg, |aggregate, port| {
            Bond::new(aggregate)
                .and_then(|b| b.perm_hwaddr(port))
                .or_else(|_| interface_mac(port))
        })
    }

    fn port_fds(&self) -> Vec<RawFd> {
        self.ports.fds()
    }

    fn read_port(&mut self, k: usize, out: &mut Vec<PortReply>) {
        self.ports.read(k, out);
    }

    fn send_probe(
        &mut self,
        port: &str,
        target: IpAddr,
        source: IpAddr,
    ) -> io::Result<()> {
        let p = self.ports.find(port, target)?;
        let frame =
            probe_frame(p.probe.mac(), source, target).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidInput, "mixed families")
            })?;
        p.probe.send_frame(&frame)
    }

    fn set_membership(
        &mut self,
        aggregate: &str,
        ports: &[String],
    ) -> io::Result<MembershipChange> {
        let bond = Bond::new(aggregate)?;
        let Some(first) = ports.first() else {
            return Ok(MembershipChange::said(
                "no port wanted; nothing changed",
            ));
        };
        let mode = bond.mode()?;
        if mode.has_active_slave() {
            bond.set_primary(Some(first))?;
            bond.set_active_slave(first)?;
            // No address changes: every port keeps the bond's.
            return Ok(MembershipChange::said(format!(
                "active port {first} (in service: {})",
                ports.join(" ")
            )));
        }
        // Every port of these modes carries traffic: a port out of
        // service must leave the bond. It stays up (the kernel closes a
        // released port) so that laggd keeps probing it, with its own
        // permanent address, which it has back once released.
        let mut done = Vec::new();
        let mut touched = Vec::new();
        for s in bond.slaves()? {
            if !ports.contains(&s) {
                bond.remove_slave(&s)?;
                link::set_admin_up(&s, true)?;
                done.push(format!("released {s}"));
                touched.push(s);
            }
        }
        let slaves = bond.slaves()?;
        for p in ports.iter().filter(|p| !slaves.contains(p)) {
            // Enslaving takes the port down and up again.
            bond.add_slave(p)?;
            done.push(format!("enslaved {p}"));
            touched.push(p.clone());
        }
        if done.is_empty() {
            done.push("nothing to change".into());
        }
        Ok(MembershipChange {
            done: format!(
                "mode {}: {} (in service: {})",
                mode.name(),
                done.join(", "),
                ports.join(" ")
            ),
            touched,
        })
    }

    fn set_admin_up(&mut self, iface: &str, up: bool) -> io::Result<()> {
        link::set_admin_up(iface, up)
    }

    fn announce(&mut self, aggregate: &str) -> io::Result<usize> {
        let bond = Bond::new(aggregate)?;
        let index = mpath_sys::ifindex::name_to_index(aggregate)?;
        let mac = bond.mac()?;
        let addrs: Vec<IpAddr> = mpath_sys::ifaddrs::interfaces()?
            .iter()
            .filter(|i| i.name == aggregate)
            .flat_map(|i| i.addrs.iter().map(|a| a.addr))
            .collect();
        let frames = announcements(mac, &addrs);
        for f in &frames {
            self.frames.send_frame(index, f)?;
        }
        Ok(frames.len())
    }

    fn protocol(&mut self, aggregate: &str) -> Option<String> {
        let mode = Bond::new(aggregate).and_then(|b| b.mode()).ok()?;
        Some(mode.name().to_string())
    }

    fn adjust_carp_demotion(&mut self, _delta: i32) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "CARP is FreeBSD's; on Linux use `keepalived FILE`",
        ))
    }
}
