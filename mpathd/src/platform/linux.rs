//! Linux: rtnetlink, raw sockets bound with SO_BINDTODEVICE, AF_PACKET.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::IpPrefix;
use mpath_core::engine::{AddressRole, KernelSnapshot};
use mpath_sys::netlink::{self, NetlinkSocket};
use mpath_sys::packet::FrameSocket;
use mpath_wire::MacAddr;

use super::Kernel;

/// The Linux kernel seam.
#[derive(Debug)]
pub struct LinuxKernel {
    events: NetlinkSocket,
    requests: NetlinkSocket,
    frames: FrameSocket,
}

/// Opens the kernel seam.
pub fn open() -> io::Result<LinuxKernel> {
    Ok(LinuxKernel {
        events: NetlinkSocket::open_events()?,
        requests: NetlinkSocket::open_request()?,
        frames: FrameSocket::open()?,
    })
}

impl Kernel for LinuxKernel {
    fn event_fd(&self) -> RawFd {
        self.events.as_raw_fd()
    }

    fn drain(&mut self) -> io::Result<bool> {
        let d = self.events.drain_events()?;
        Ok(d.resync || d.messages > 0)
    }

    fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        netlink::snapshot(&mut self.requests)
    }

    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()> {
        let no_prefix_route = match role {
            AddressRole::Test => true,
            AddressRole::Data => false,
        };
        if addr.addr().is_ipv4() {
            promote_secondaries(ifindex);
        }
        netlink::add_address(&mut self.requests, ifindex, addr, no_prefix_route)
    }

    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        netlink::del_address(&mut self.requests, ifindex, addr)
    }

    fn move_route(
        &mut self,
        dst: IpPrefix,
        gateway: IpAddr,
        from: u32,
        to: u32,
    ) -> io::Result<()> {
        netlink::move_route(&mut self.requests, dst, gateway, from, to)
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

/// Linux deletes every secondary IPv4 address of a subnet with its
/// primary unless `promote_secondaries` is set: removing a data address
/// that happened to be primary would take the test address with it.
/// Best effort: the setting lives in /proc and may be read-only in a
/// container, in which case the operator must set it.
fn promote_secondaries(ifindex: u32) {
    if let Ok(name) = mpath_sys::ifindex::index_to_name(ifindex) {
        let path =
            format!("/proc/sys/net/ipv4/conf/{name}/promote_secondaries");
        if std::fs::read_to_string(&path).is_ok_and(|v| v.trim() != "1") {
            let _ = std::fs::write(&path, "1");
        }
    }
}
