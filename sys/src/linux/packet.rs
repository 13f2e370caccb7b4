//! Link-layer frames on Linux: an `AF_PACKET` socket to send whole
//! Ethernet frames out of a given interface.
//!
//! After a data address moves to another interface of the group, the
//! daemon announces it so that neighbours update their caches at once
//! instead of after their entries time out: a gratuitous ARP for IPv4,
//! an unsolicited neighbour advertisement for IPv6. `mpath-wire` builds
//! the frames (Ethernet header included); this socket puts them on the
//! wire unchanged. (in.mpathd leaves this to the kernel, which announces
//! an address when it is brought up on the new interface.)
//!
//! The socket is opened with protocol 0, which binds it to no protocol:
//! the kernel queues no received frames on it, so it costs nothing while
//! the host is busy. It is non-blocking, like the probe sockets, so that
//! a stuck driver queue cannot stall the daemon.

use std::io;
use std::mem::size_of;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::ptr;

use libc::c_int;
use nix::sys::socket::{
    sendto, socket, AddressFamily, LinkAddr, MsgFlags, SockFlag, SockType,
    SockaddrLike,
};

/// Length of an Ethernet header: destination, source, EtherType.
const ETHERNET_HEADER_LEN: usize = 14;

/// A send-only `AF_PACKET` socket for whole Ethernet frames.
#[derive(Debug)]
pub struct FrameSocket {
    fd: OwnedFd,
}

impl FrameSocket {
    /// Opens the socket (`AF_PACKET`, `SOCK_RAW`, protocol 0,
    /// non-blocking, close-on-exec).
    ///
    /// # Errors
    ///
    /// `EPERM` without `CAP_NET_RAW`.
    pub fn open() -> io::Result<FrameSocket> {
        let fd = packet_socket()?;
        Ok(FrameSocket { fd })
    }

    /// Sends `frame`, a complete Ethernet frame starting with its header,
    /// out of the interface with index `ifindex`. The destination address
    /// for the kernel is the frame's own destination MAC (its first six
    /// bytes), the protocol its EtherType.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a frame shorter than an Ethernet header or an
    /// index that is not an `int`; otherwise `sendto`'s: `ENXIO` or
    /// `ENODEV` for no such interface, `ENETDOWN` if it is down,
    /// `EMSGSIZE` for a frame longer than its MTU, `EAGAIN`/`ENOBUFS`
    /// when its queue is full.
    pub fn send_frame(&self, ifindex: u32, frame: &[u8]) -> io::Result<()> {
        let Some(header) = frame.get(..ETHERNET_HEADER_LEN) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a {}-byte frame has no Ethernet header", frame.len()),
            ));
        };
        let dst = header[..6].try_into().ok();
        // The EtherType as in the frame: already in network order.
        let protocol = u16::from_ne_bytes([header[12], header[13]]);
        let addr = link_addr(ifindex, protocol, dst)?;
        let sent =
            sendto(self.fd.as_raw_fd(), frame, &addr, MsgFlags::empty())?;
        if sent != frame.len() {
            return Err(io::Error::other(format!(
                "sent {sent} of {} bytes",
                frame.len()
            )));
        }
        Ok(())
    }
}

/// An `AF_PACKET`, `SOCK_RAW` socket of protocol 0 (it receives
/// nothing until bound to a protocol), non-blocking and close-on-exec.
pub(crate) fn packet_socket() -> io::Result<OwnedFd> {
    let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
    Ok(socket(AddressFamily::Packet, SockType::Raw, flags, None)?)
}

/// A `sockaddr_ll` for bind and sendto: interface `ifindex`, protocol
/// `protocol` (an EtherType in network order), destination `dst`.
///
/// # Errors
///
/// `InvalidInput` for an index that is not an `int`.
pub(crate) fn link_addr(
    ifindex: u32,
    protocol: u16,
    dst: Option<[u8; 6]>,
) -> io::Result<LinkAddr> {
    let index = c_int::try_from(ifindex).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface index {ifindex} too large"),
        )
    })?;
    let mut addr_bytes = [0u8; 8];
    if let Some(dst) = dst {
        addr_bytes[..6].copy_from_slice(&dst);
    }
    let addr = libc::sockaddr_ll {
        sll_family: libc::AF_PACKET as libc::c_ushort,
        sll_protocol: protocol,
        sll_ifindex: index,
        sll_hatype: 0,
        sll_pkttype: 0,
        sll_halen: if dst.is_some() { 6 } else { 0 },
        sll_addr: addr_bytes,
    };
    let len = libc::socklen_t::try_from(size_of::<libc::sockaddr_ll>()).ok();
    // nix has no constructor for a LinkAddr, only this conversion.
    // SAFETY: `addr` is a complete, initialised sockaddr_ll of `len`
    // bytes, which from_raw copies.
    unsafe { LinkAddr::from_raw(ptr::from_ref(&addr).cast(), len) }
        .ok_or_else(|| io::Error::from(io::ErrorKind::InvalidInput))
}

impl AsFd for FrameSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for FrameSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::{Duration, Instant};

    use mpath_wire::MacAddr;

    use nix::sys::socket::{bind, recv, SockProtocol};

    use super::*;
    use crate::linux::testns::{in_fresh_netns, ip};
    use crate::{ifaddrs, ifindex};

    /// A receiving packet socket for every protocol on `ifindex`: what
    /// the daemon never opens, here to watch the wire.
    fn sniffer(ifindex: u32) -> OwnedFd {
        let flags = SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC;
        let all = SockProtocol::EthAll;
        let fd =
            socket(AddressFamily::Packet, SockType::Raw, flags, all).unwrap();
        let all = (libc::ETH_P_ALL as u16).to_be();
        bind(fd.as_raw_fd(), &link_addr(ifindex, all, None).unwrap()).unwrap();
        fd
    }

    /// Reads frames from `fd` for up to 5 s until one equals `frame`.
    fn wait_for(fd: &OwnedFd, frame: &[u8]) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut buf = [0u8; 2048];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the frame did not arrive");
            if !crate::wait::readable(fd.as_fd(), left).unwrap() {
                continue;
            }
            let n = recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty());
            let Ok(n) = n else { continue };
            // Other traffic (IPv6 router solicitations, MLD) is skipped.
            if buf.get(..n) == Some(frame) {
                return;
            }
        }
    }

    #[test]
    fn a_gratuitous_arp_crosses_a_veth_pair() {
        in_fresh_netns("packet::a_gratuitous_arp_crosses_a_veth_pair", || {
            let veth = "link add name mpa type veth peer name mpb";
            ip(&veth.split(' ').collect::<Vec<_>>());
            ip(&["link", "set", "mpa", "up"]);
            ip(&["link", "set", "mpb", "up"]);
            let a = ifindex::name_to_index("mpa").unwrap();
            let b = ifindex::name_to_index("mpb").unwrap();
            let mac = ifaddrs::interfaces()
                .unwrap()
                .into_iter()
                .find(|i| i.index == a)
                .and_then(|i| i.mac)
                .expect("mpa has no MAC");
            let watch = sniffer(b);

            let frame = mpath_wire::emit_gratuitous_arp(
                MacAddr(mac),
                Ipv4Addr::new(192, 0, 2, 77),
            );
            assert_eq!(frame[..6], [0xff; 6], "broadcast");
            let socket = FrameSocket::open().unwrap();
            socket.send_frame(a, &frame).unwrap();
            wait_for(&watch, &frame);

            let err = socket.send_frame(a, &frame[..13]).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert!(socket.send_frame(999_999, &frame).is_err());
        });
    }
}
