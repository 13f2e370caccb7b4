//! mpathd's probe sockets where each path has a socket of its own
//! (FreeBSD: BPF for IPv4, raw ICMPv6 with `IPV6_PKTINFO`; illumos: raw
//! sockets bound with `IP_BOUND_IF`): the set of them, with the same
//! interface as Linux's shared sockets (`linux::probes`). Each socket is
//! the OS's `probe::ProbeSocket`; the bytes are `echo`'s.
//!
//! The contract is Linux's: [`ProbeSockets::send`] checks and takes a
//! probe, [`ProbeSockets::flush`] sends what was taken and reports what
//! failed. Linux queues the probes of a turn to send them in one system
//! call per family (`sendmmsg`, on its one shared socket); here each
//! path has a socket of its own, so there is no batch to make of a
//! turn's probes: `send` sends at once, returning the socket's error
//! itself, and `flush` has nothing left to do.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::Family;
use mpath_core::mpathd::engine::ProbePath;
use mpath_core::probe::ProbeRequest;

use mpath_wire::ECHO_REQUEST_LEN;

use super::echo::{decode, encode_into, Datagram, Received};
use crate::os::probe::ProbeSocket;

/// One path's socket.
#[derive(Debug)]
struct Open {
    ifname: String,
    socket: ProbeSocket,
}

/// Every path mpathd probes, a socket each.
#[derive(Debug, Default)]
pub struct ProbeSockets {
    paths: HashMap<(u32, Family), Open>,
    by_fd: HashMap<RawFd, (u32, Family)>,
}

impl ProbeSockets {
    /// No paths yet.
    pub fn new() -> ProbeSockets {
        ProbeSockets::default()
    }

    /// Probes `path` from now on: opens its socket and returns the
    /// descriptor to watch.
    ///
    /// # Errors
    ///
    /// The socket's (see `probe::ProbeSocket::open`).
    pub fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>> {
        let socket = ProbeSocket::open(
            path.family,
            &path.ifname,
            path.ifindex,
            path.src,
        )?;
        let fd = socket.as_raw_fd();
        let key = (path.ifindex, path.family);
        self.by_fd.insert(fd, key);
        let old = self.paths.insert(
            key,
            Open {
                ifname: path.ifname.clone(),
                socket,
            },
        );
        if let Some(o) = old {
            self.by_fd.remove(&o.socket.as_raw_fd());
            self.by_fd.insert(fd, key);
        }
        Ok(Some(fd))
    }

    /// Stops probing the path of (`ifindex`, `family`): `deregister` is
    /// given its descriptor, which is closed after it returns.
    pub fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        deregister: impl FnOnce(RawFd),
    ) {
        if let Some(o) = self.paths.remove(&(ifindex, family)) {
            let fd = o.socket.as_raw_fd();
            self.by_fd.remove(&fd);
            deregister(fd);
        }
    }

    /// Sends `req` on the path of (`ifindex`, `family`) at once (see the
    /// module documentation); a full socket buffer counts as sent.
    ///
    /// # Errors
    ///
    /// `NotFound` for a path not opened, `InvalidInput` for a
    /// destination of the other family; otherwise the socket's.
    pub fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()> {
        let o = self.paths.get(&(ifindex, family)).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "no {} probe path on interface {ifindex}",
                    family.inet()
                ),
            )
        })?;
        if Family::of(req.dst) != o.socket.family() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "cannot send to {} on an {} path",
                    req.dst,
                    family.name()
                ),
            ));
        }
        let mut msg = [0; ECHO_REQUEST_LEN];
        encode_into(family, req, &mut msg);
        o.socket.send(&msg, req.dst)
    }

    /// Sends what [`ProbeSockets::send`] took, reporting each probe that
    /// failed to `failed` with its path: here nothing, as `send` sent
    /// every probe itself (see the module documentation).
    pub fn flush(&mut self, _failed: impl FnMut((u32, Family), io::Error)) {}

    /// Reads one datagram from `fd` (a descriptor [`ProbeSockets::open`]
    /// returned): `None` when nothing is waiting; else the path it is for
    /// and the reply, or why it is none.
    ///
    /// # Errors
    ///
    /// The socket's.
    pub fn recv(&mut self, fd: RawFd) -> io::Result<Option<Received>> {
        let Some(&key) = self.by_fd.get(&fd) else {
            return Ok(None);
        };
        let Some(o) = self.paths.get(&key) else {
            return Ok(None);
        };
        let mut buf = [0u8; 2048];
        let Some(r) = o.socket.recv(&mut buf)? else {
            return Ok(None);
        };
        let d = Datagram {
            len: r.len,
            src: r.src,
            rx_realtime_ns: r.rx_realtime_ns,
            truncated: r.truncated,
        };
        Ok(Some(Received {
            path: Some(key),
            reply: decode(key.1, &o.ifname, &buf, &d),
        }))
    }
}
