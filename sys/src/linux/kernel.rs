//! The kernel on Linux: rtnetlink for the view (dumps), the hints
//! (link, address and route groups) and the changes (addresses,
//! routes); `AF_PACKET` for announcements.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::KernelSnapshot;
use mpath_core::mpathd::engine::AddressRole;

use super::netlink::{self, AddFlags, NetlinkSocket};
use super::packet::FrameSocket;
use crate::unix::announce::frame;

/// The kernel: its state, its change hints, the changes the daemons
/// make (see `mpath_sys::kernel`).
#[derive(Debug)]
pub struct Kernel {
    events: NetlinkSocket,
    requests: NetlinkSocket,
    frames: FrameSocket,
}

impl Kernel {
    /// Opens the sockets.
    pub fn open() -> io::Result<Kernel> {
        Ok(Kernel {
            events: NetlinkSocket::open_events()?,
            requests: NetlinkSocket::open_request()?,
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
        netlink::snapshot(&mut self.requests)
    }

    /// Configures `addr` on interface `ifindex`; a test address gets no
    /// prefix route and is deprecated (IPv4 and IPv6), so that no
    /// application picks it as a source.
    pub fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()> {
        let how = match role {
            AddressRole::Test => AddFlags::TEST,
            AddressRole::Data => AddFlags::DATA,
        };
        if addr.addr().is_ipv4() {
            promote_secondaries(ifindex);
        }
        netlink::add_address(&mut self.requests, ifindex, addr, how)
    }

    /// Removes `addr` from interface `ifindex`.
    pub fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        netlink::del_address(&mut self.requests, ifindex, addr)
    }

    /// Moves the route to `dst` via `gateway` from interface `from` to
    /// `to` (added first, then removed).
    pub fn move_route(
        &mut self,
        dst: IpPrefix,
        gateway: IpAddr,
        from: u32,
        to: u32,
    ) -> io::Result<()> {
        netlink::move_route(&mut self.requests, dst, gateway, from, to)
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
        super::link::set_admin_up(name, up)
    }
}

/// Linux deletes every secondary IPv4 address of a subnet with its
/// primary unless `promote_secondaries` is set: removing a data address
/// that happened to be primary would take the test address with it.
/// Best effort: the setting lives in /proc and may be read-only in a
/// container, in which case the operator must set it.
fn promote_secondaries(ifindex: u32) {
    if let Ok(name) = crate::unix::ifindex::index_to_name(ifindex) {
        let path =
            format!("/proc/sys/net/ipv4/conf/{name}/promote_secondaries");
        if std::fs::read_to_string(&path).is_ok_and(|v| v.trim() != "1") {
            let _ = std::fs::write(&path, "1");
        }
    }
}
