//! The rtnetlink socket: opening it, reading datagrams from the kernel,
//! requests with acknowledgements, dumps, and draining events.

use std::fmt;
use std::io::{self, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};

use libc::c_int;
use nix::errno::Errno;
use nix::sys::socket::{
    bind, getsockname, recvmsg, send, setsockopt, socket, sockopt as nix_opt,
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

use super::abi::{NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST};
use super::msg::{messages, Header, Message, Request};

/// The multicast groups of the event socket: links, and IPv4 and IPv6
/// addresses and routes.
const EVENT_GROUPS: c_int = libc::RTMGRP_LINK
    | libc::RTMGRP_IPV4_IFADDR
    | libc::RTMGRP_IPV6_IFADDR
    | libc::RTMGRP_IPV4_ROUTE
    | libc::RTMGRP_IPV6_ROUTE;

/// The event socket's receive buffer (the kernel doubles it for its
/// bookkeeping). The default (`rmem_default`, ~200 KiB) holds only a few
/// hundred messages, since each is charged a whole socket buffer; a
/// routing daemon loading a table overruns that easily, and every
/// overrun costs a full snapshot, so ask for more.
const EVENT_RCVBUF: usize = 4 << 20;

/// How long a request waits for each datagram of its answer. The kernel
/// answers at once; the limit only keeps a wedged kernel from hanging the
/// daemon.
const REQUEST_TIMEOUT_SECS: libc::time_t = 5;

/// How many times a dump is tried before giving up; see
/// [`NetlinkSocket::dump`].
const DUMP_ATTEMPTS: usize = 5;

/// The initial receive buffer. Dump datagrams are at most 32 KiB (the
/// kernel's `max_recvmsg_len` cap) unless one message is larger (a NIC
/// with many SR-IOV functions); [`NetlinkSocket::recv`] grows the buffer
/// for those.
const RECV_BUF: usize = 32 << 10;

/// A `NETLINK_ROUTE` socket.
///
/// It only accepts datagrams sent by the kernel (port id 0): any local
/// process may send a unicast datagram to any netlink port, and forged
/// link or route messages must not reach the daemon's model.
pub struct NetlinkSocket {
    fd: OwnedFd,
    /// Our port id, assigned by the kernel when the socket was bound.
    /// Answers to our requests carry it in `nlmsg_pid`.
    port: u32,
    /// The sequence number of the last request sent.
    seq: u32,
    /// Receive buffer: holds one datagram at a time.
    buf: Vec<u8>,
}

/// What [`NetlinkSocket::drain_events`] read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// How many messages arrived (malformed ones included). Any number
    /// above zero means the kernel's state changed: take a snapshot.
    pub messages: usize,
    /// Events were lost (the socket's buffer overflowed: `ENOBUFS` or
    /// `NLMSG_OVERRUN`) or could not be parsed: the messages do not tell
    /// the whole story, a snapshot is needed even if `messages` is 0.
    pub resync: bool,
}

impl Drained {
    /// Whether the daemon should take a snapshot.
    pub fn needs_snapshot(&self) -> bool {
        self.messages > 0 || self.resync
    }
}

impl NetlinkSocket {
    /// A non-blocking socket subscribed to link, address and route
    /// changes (IPv4 and IPv6), with a large receive buffer. Wait for it
    /// to become readable, then call [`drain_events`](Self::drain_events).
    ///
    /// The buffer is set with `SO_RCVBUFFORCE`, which may exceed
    /// `net.core.rmem_max` but needs `CAP_NET_ADMIN`; without it,
    /// `SO_RCVBUF`, capped at `rmem_max`.
    ///
    /// # Errors
    ///
    /// Whatever `socket`, `bind` or `setsockopt` report.
    pub fn open_events() -> io::Result<NetlinkSocket> {
        let groups = EVENT_GROUPS.cast_unsigned();
        let sock = NetlinkSocket::open(SockFlag::SOCK_NONBLOCK, groups)?;
        let fd = &sock.fd;
        if setsockopt(fd, nix_opt::RcvBufForce, &EVENT_RCVBUF).is_err() {
            setsockopt(fd, nix_opt::RcvBuf, &EVENT_RCVBUF)?;
        }
        Ok(sock)
    }

    /// A blocking socket for requests and dumps ([`snapshot`],
    /// [`add_address`], [`del_address`]). Each receive gives up after 5
    /// seconds with `TimedOut`; after a timeout, open a new socket, as
    /// the old one may still hold part of the late answer.
    ///
    /// [`snapshot`]: super::snapshot()
    /// [`add_address`]: super::add_address
    /// [`del_address`]: super::del_address
    ///
    /// # Errors
    ///
    /// Whatever `socket`, `bind` or `setsockopt` report.
    pub fn open_request() -> io::Result<NetlinkSocket> {
        let sock = NetlinkSocket::open(SockFlag::empty(), 0)?;
        let timeout = TimeVal::new(REQUEST_TIMEOUT_SECS, 0);
        setsockopt(&sock.fd, nix_opt::ReceiveTimeout, &timeout)?;
        Ok(sock)
    }

    /// A socket of type `SOCK_RAW | SOCK_CLOEXEC | extra`, bound to
    /// `groups` with a port id of the kernel's choosing.
    fn open(extra: SockFlag, groups: u32) -> io::Result<NetlinkSocket> {
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC | extra,
            SockProtocol::NetlinkRoute,
        )?;
        // Port id 0: let the kernel pick a unique one.
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, groups))?;
        let addr = getsockname::<NetlinkAddr>(fd.as_raw_fd())?;
        Ok(NetlinkSocket {
            fd,
            port: addr.pid(),
            seq: 0,
            buf: vec![0; RECV_BUF],
        })
    }

    /// Reads every pending event until the socket would block.
    ///
    /// Reading until `EAGAIN` folds a burst of changes (an interface
    /// going down takes its addresses and routes with it) into one
    /// snapshot. The messages are only counted, not returned: they are
    /// hints (see the [module documentation](super)).
    ///
    /// # Errors
    ///
    /// Whatever `recv` reports other than `EAGAIN`, `EINTR` and
    /// `ENOBUFS` (which sets [`Drained::resync`]).
    pub fn drain_events(&mut self) -> io::Result<Drained> {
        let mut drained = Drained::default();
        loop {
            let len = match self.recv(MsgFlags::MSG_DONTWAIT) {
                Ok(len) => len,
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(drained);
                }
                Err(err) if err.raw_os_error() == Some(libc::ENOBUFS) => {
                    // The kernel dropped events; reading goes on with
                    // the ones after the gap.
                    drained.resync = true;
                    continue;
                }
                Err(err) => return Err(err),
            };
            let datagram = self.buf.get(..len).unwrap_or_default();
            for raw in messages(datagram) {
                drained.messages += 1;
                match raw.and_then(|raw| raw.parse()) {
                    Ok(Message::Overrun) | Err(_) => drained.resync = true,
                    Ok(_) => {}
                }
            }
        }
    }

    /// Sends `request` with `NLM_F_REQUEST | NLM_F_ACK` and waits for the
    /// kernel's answer.
    ///
    /// # Errors
    ///
    /// The errno the kernel answered with; `TimedOut` without an answer;
    /// `InvalidData` for a malformed answer; or a socket error.
    pub(super) fn request_ack(
        &mut self,
        mut request: Request,
    ) -> io::Result<()> {
        request.add_flags(NLM_F_REQUEST | NLM_F_ACK);
        let seq = self.send(&mut request)?;
        loop {
            let len = self.recv_answer()?;
            let datagram = self.buf.get(..len).unwrap_or_default();
            for raw in messages(datagram) {
                let raw = raw?;
                if !self.answers(raw.header, seq) {
                    continue;
                }
                if let Message::Error { errno } = raw.parse()? {
                    return match errno {
                        0 => Ok(()),
                        errno => Err(io::Error::from_raw_os_error(errno)),
                    };
                }
            }
        }
    }

    /// Dumps every object of a kind: sends a `kind` request (`RTM_GET*`)
    /// with the family header `fixed` and `NLM_F_DUMP`, and returns the
    /// messages of the answer up to `NLMSG_DONE`, without those that
    /// parse as [`Message::Ignored`].
    ///
    /// # Consistency
    ///
    /// The kernel sends a large dump in several datagrams and lets the
    /// table change between them (it does not hold the RTNL lock while
    /// we read). When it notices a change behind the dump's back (a
    /// generation counter moved), it sets `NLM_F_DUMP_INTR` on the
    /// messages that follow: the dump may miss or repeat objects. Such a
    /// dump is read to its end and tried again, up to 5 times; a table
    /// that changes during five dumps in a row is changing so fast that
    /// the event socket will ask for another snapshot at once anyway.
    ///
    /// A dump is always read to its `NLMSG_DONE`, also after a malformed
    /// message: the kernel refuses a new dump on the socket (`EBUSY`)
    /// while one is unfinished.
    ///
    /// # Errors
    ///
    /// The errno the kernel failed the dump with; `Interrupted` if every
    /// attempt was inconsistent; `TimedOut` if the kernel stopped
    /// answering; `InvalidData` for a malformed message; or a socket
    /// error.
    pub(super) fn dump(
        &mut self,
        kind: u16,
        fixed: &[u8],
    ) -> io::Result<Vec<Message>> {
        let mut request = Request::new(kind, NLM_F_REQUEST | NLM_F_DUMP, fixed);
        for _ in 0..DUMP_ATTEMPTS {
            let seq = self.send(&mut request)?;
            let (found, consistent) = self.read_dump(seq)?;
            if consistent {
                return Ok(found);
            }
        }
        Err(io::Error::new(
            io::ErrorKind::Interrupted,
            format!(
                "netlink dump (type {kind}) interrupted by changes \
                 {DUMP_ATTEMPTS} times in a row"
            ),
        ))
    }

    /// Reads the answer to dump request `seq` up to its `NLMSG_DONE`:
    /// the messages and whether the dump was consistent.
    fn read_dump(&mut self, seq: u32) -> io::Result<(Vec<Message>, bool)> {
        let mut found = Vec::new();
        let mut consistent = true;
        let mut malformed = None;
        loop {
            let len = self.recv_answer()?;
            let datagram = self.buf.get(..len).unwrap_or_default();
            for raw in messages(datagram) {
                let raw = match raw {
                    Ok(raw) => raw,
                    Err(err) => {
                        malformed.get_or_insert(err);
                        continue;
                    }
                };
                if !self.answers(raw.header, seq) {
                    continue;
                }
                if raw.header.flags & NLM_F_DUMP_INTR != 0 {
                    consistent = false;
                }
                match raw.parse() {
                    Ok(Message::Done { errno: 0 }) => {
                        return match malformed {
                            Some(err) => Err(err.into()),
                            None => Ok((found, consistent)),
                        };
                    }
                    // A failed dump ends here (Done), or never started
                    // (Error): nothing more will come.
                    Ok(Message::Done { errno } | Message::Error { errno })
                        if errno != 0 =>
                    {
                        return Err(io::Error::from_raw_os_error(errno))
                    }
                    // Ignored objects; an acknowledgement (not asked
                    // for).
                    Ok(Message::Ignored { .. } | Message::Error { .. }) => {}
                    Ok(message) => found.push(message),
                    Err(err) => {
                        malformed.get_or_insert(err);
                    }
                }
            }
        }
    }

    /// Whether a message with `header` belongs to the answer to our
    /// request `seq`; anything else is a late answer to an earlier
    /// request that timed out.
    fn answers(&self, header: Header, seq: u32) -> bool {
        header.seq == seq && header.pid == self.port
    }

    /// Sends `request` to the kernel with a new sequence number, which
    /// it returns.
    fn send(&mut self, request: &mut Request) -> io::Result<u32> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        let bytes = request.set_seq(seq);
        // The socket is not connected, so the datagram goes to the kernel
        // (port id 0).
        let sent = send(self.fd.as_raw_fd(), bytes, MsgFlags::empty())?;
        if sent != bytes.len() {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "netlink request sent in part",
            ));
        }
        Ok(seq)
    }

    /// [`recv`](Self::recv) for answers to requests: waits, and reports
    /// the receive timeout as `TimedOut`.
    fn recv_answer(&mut self) -> io::Result<usize> {
        self.recv(MsgFlags::empty()).map_err(|err| {
            if err.kind() == io::ErrorKind::WouldBlock {
                io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "no answer from the kernel's netlink within \
                         {REQUEST_TIMEOUT_SECS} s"
                    ),
                )
            } else {
                err
            }
        })
    }

    /// Receives the next datagram from the kernel into `self.buf` and
    /// returns its length. Datagrams from other senders are dropped;
    /// `EINTR` is retried.
    ///
    /// Each datagram is first peeked at with `MSG_TRUNC`, which returns
    /// its full length, so the buffer can grow to hold it: netlink drops
    /// the rest of a datagram that does not fit.
    fn recv(&mut self, flags: MsgFlags) -> io::Result<usize> {
        let fd = self.fd.as_raw_fd();
        loop {
            let peek = flags | MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC;
            // A zero-length read that returns the datagram's length.
            let len = match nix::sys::socket::recv(fd, &mut [], peek) {
                Ok(len) => len,
                Err(Errno::EINTR) => continue,
                Err(err) => return Err(err.into()),
            };
            if len > self.buf.len() {
                self.buf.resize(len, 0);
            }
            let mut iov = [IoSliceMut::new(&mut self.buf)];
            let (len, from) =
                match recvmsg::<NetlinkAddr>(fd, &mut iov, None, flags) {
                    Ok(msg) => (msg.bytes, msg.address),
                    Err(Errno::EINTR) => continue,
                    Err(err) => return Err(err.into()),
                };
            if from.is_none_or(|from| from.pid() != 0) {
                continue; // not from the kernel
            }
            return Ok(len.min(self.buf.len()));
        }
    }
}

impl AsRawFd for NetlinkSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

impl AsFd for NetlinkSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl fmt::Debug for NetlinkSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetlinkSocket")
            .field("fd", &self.fd)
            .field("port", &self.port)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use nix::sys::socket::sendto;

    use super::*;
    use crate::linux::netlink::abi::{AF_UNSPEC, IFLA_IFNAME, RTM_DELLINK};
    use crate::linux::netlink::live_tests::{in_new_netns, root_or_skip};
    use crate::linux::netlink::msg::ifinfomsg;
    use crate::linux::netlink::snapshot;

    #[test]
    fn the_receive_buffer_grows_to_fit() {
        let mut sock = NetlinkSocket::open_request().unwrap();
        sock.buf = vec![0; 20];
        let snap = snapshot(&mut sock).unwrap();
        assert!(snap.link("lo").is_some(), "{snap:#?}");
        assert!(sock.buf.len() > 20);
    }

    #[test]
    fn datagrams_not_from_the_kernel_are_dropped() {
        if !root_or_skip("datagrams_not_from_the_kernel_are_dropped") {
            return;
        }
        // In a namespace of its own, where no real events happen.
        in_new_netns(|| {
            let mut events = NetlinkSocket::open_events().unwrap();
            let forger = NetlinkSocket::open_request().unwrap();
            // "lo is gone", sent straight to the event socket's port.
            let mut lo = ifinfomsg(AF_UNSPEC);
            lo[4..8].copy_from_slice(&1i32.to_ne_bytes()); // ifi_index
            let mut forged = Request::new(RTM_DELLINK, 0, &lo);
            forged.attr(IFLA_IFNAME, b"lo\0");
            let bytes = forged.set_seq(0);
            let to = NetlinkAddr::new(events.port, 0);
            let raw = forger.as_raw_fd();
            sendto(raw, bytes, &to, MsgFlags::empty()).unwrap();
            // It was delivered ...
            let mut byte = [0u8];
            let peek = MsgFlags::MSG_PEEK | MsgFlags::MSG_DONTWAIT;
            let queued =
                nix::sys::socket::recv(events.as_raw_fd(), &mut byte, peek);
            assert!(queued.is_ok(), "{queued:?}");
            // ... and is not an event.
            assert_eq!(events.drain_events().unwrap(), Drained::default());
        });
    }
}
