//! FreeBSD: the routing socket for change hints, a sysctl snapshot of
//! interfaces, addresses, routes and interface groups, `SIOCAIFADDR` and
//! `SIOCDIFADDR` (and their IPv6 forms) for addresses, BPF for the
//! announcements. Probes: see `mpath_sys::probe` (BPF for IPv4,
//! `IPV6_PKTINFO` for IPv6), since FreeBSD has no `SO_BINDTODEVICE`.
//!
//! Built for FreeBSD and checked against its headers in CI; not run on a
//! FreeBSD machine (see the README's platform table).

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::IpPrefix;
use mpath_core::engine::{AddressRole, KernelSnapshot};
use mpath_sys::packet::FrameSocket;
use mpath_sys::route::{self, RouteSocket};
use mpath_wire::MacAddr;

use super::Kernel;

/// The FreeBSD kernel seam.
#[derive(Debug)]
pub struct FreeBsdKernel {
    events: RouteSocket,
    frames: FrameSocket,
}

/// Opens the kernel seam.
pub fn open() -> io::Result<FreeBsdKernel> {
    Ok(FreeBsdKernel {
        events: RouteSocket::open()?,
        frames: FrameSocket::open()?,
    })
}

fn name(ifindex: u32) -> io::Result<String> {
    mpath_sys::ifindex::index_to_name(ifindex)
}

impl Kernel for FreeBsdKernel {
    fn event_fd(&self) -> RawFd {
        self.events.as_raw_fd()
    }

    fn drain(&mut self) -> io::Result<bool> {
        Ok(self.events.drain_events()?.needs_snapshot())
    }

    fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        route::snapshot()
    }

    /// A test address is a host address (/32) on FreeBSD too, so it
    /// installs no subnet route whatever the role.
    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        _role: AddressRole,
    ) -> io::Result<()> {
        route::add_address(&name(ifindex)?, addr)
    }

    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        route::del_address(&name(ifindex)?, addr)
    }

    /// Not implemented on FreeBSD yet: the route keeps its interface
    /// (logged each time mpathd would have moved it).
    fn move_route(
        &mut self,
        _: IpPrefix,
        _: IpAddr,
        _: u32,
        _: u32,
    ) -> io::Result<()> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "moving routes between members is not implemented on FreeBSD yet",
        ))
    }

    fn announce(
        &mut self,
        ifindex: u32,
        mac: [u8; 6],
        addr: IpAddr,
    ) -> io::Result<()> {
        let mac = MacAddr(mac);
        let frame = match addr {
            IpAddr::V4(a) => mpath_wire::emit_gratuitous_arp(mac, a),
            IpAddr::V6(a) => mpath_wire::emit_unsolicited_na_frame(mac, a),
        };
        self.frames.send_frame(ifindex, &frame)
    }
}
