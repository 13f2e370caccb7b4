//! The kernel on FreeBSD: the routing socket for change hints, a sysctl
//! snapshot of interfaces, addresses, routes and interface groups,
//! `SIOCAIFADDR` and `SIOCDIFADDR` (and their IPv6 forms) for addresses,
//! BPF for the announcements, `SIOCSIFFLAGS` for up and down.
//!
//! Built for FreeBSD and checked against its headers in CI; not run on a
//! FreeBSD machine (see the README's platform table).

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::KernelSnapshot;
use mpath_core::mpathd::engine::AddressRole;

use super::packet::FrameSocket;
use super::route::{self, RouteSocket};
use crate::unix::announce::frame;

/// The kernel: its state, its change hints, the changes the daemons
/// make (see `mpath_sys::kernel`).
#[derive(Debug)]
pub struct Kernel {
    events: RouteSocket,
    frames: FrameSocket,
}

fn name(ifindex: u32) -> io::Result<String> {
    crate::unix::ifindex::index_to_name(ifindex)
}

impl Kernel {
    /// Opens the sockets.
    pub fn open() -> io::Result<Kernel> {
        Ok(Kernel {
            events: RouteSocket::open()?,
            frames: FrameSocket::open()?,
        })
    }

    /// Readable when the kernel hints at a change.
    pub fn hint_fd(&self) -> RawFd {
        self.events.as_raw_fd()
    }

    /// Reads every pending hint; true if a snapshot is needed.
    pub fn drain_hints(&mut self) -> io::Result<bool> {
        Ok(self.events.drain_events()?.needs_snapshot())
    }

    /// The whole current state.
    pub fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        route::snapshot()
    }

    /// Configures `addr` on interface `ifindex`. A test address is a
    /// host address (/32) on FreeBSD too, so it installs no subnet route
    /// whatever the role; an IPv6 test address is deprecated
    /// (`IN6_IFF_DEPRECATED`); FreeBSD cannot deprecate an IPv4 one.
    pub fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()> {
        let deprecated = role == AddressRole::Test;
        route::add_address(&name(ifindex)?, addr, deprecated)
    }

    /// Removes `addr` from interface `ifindex`.
    pub fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        route::del_address(&name(ifindex)?, addr)
    }

    /// Not implemented on FreeBSD yet: the route keeps its interface
    /// (logged each time mpathd would have moved it).
    pub fn move_route(
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

    /// Tells the link's neighbours that `addr` now lives at `mac`
    /// (gratuitous ARP, unsolicited neighbour advertisement).
    pub fn announce(
        &mut self,
        ifindex: u32,
        mac: [u8; 6],
        addr: IpAddr,
    ) -> io::Result<()> {
        self.frames.send_frame(ifindex, &frame(mac, addr))
    }

    /// Brings interface `name` administratively up or down.
    pub fn set_admin_up(&mut self, name: &str, up: bool) -> io::Result<()> {
        super::lagg::set_admin_up(name, up)
    }
}
