//! A fake network behind fake probe sockets: every probe sent to a
//! unicast target is answered by that target after a fixed round trip
//! (the reply echoes the probe's id, sequence number, kind, timestamp
//! and nonce, and carries `received_at` = send time + RTT), unless the
//! sending member's path is cut (link up, nothing passes). Nobody
//! answers all-nodes probes. A reply is delivered when the harness moves
//! simulated time past it ([`FakeNet::deliver`]): it is queued on its
//! path's socket, whose descriptor (a [`Doorbell`]) becomes readable.
//! Each path has a socket of its own, as on FreeBSD and illumos; probes
//! are queued until flushed, as on Linux, so that a probe the daemon
//! forgets to flush is never sent. A member's sends can be made to fail
//! ([`FakeNet::fail_sends`]): the flush reports its probes.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::time::Duration;

use mpath_core::addr::Family;
use mpath_core::mpathd::engine::ProbePath;
use mpath_core::probe::{EchoReply, ProbeRequest};
use mpath_core::time::Instant;
use mpath_sys::echo::Received;

use super::doorbell::Doorbell;
use crate::os::ProbeIo;

/// A path as (interface index, family), the sockets' key.
type Key = (u32, Family);

#[derive(Debug)]
struct Socket {
    ifname: String,
    bell: Doorbell,
    queue: VecDeque<EchoReply>,
}

#[derive(Debug)]
struct Net {
    rtt: Duration,
    /// Members whose path is cut, by name.
    cut: BTreeSet<String>,
    /// Members whose sends fail, by name.
    failing: BTreeSet<String>,
    /// Probes taken and not yet flushed.
    queued: Vec<(Key, ProbeRequest)>,
    sockets: HashMap<Key, Socket>,
    by_fd: HashMap<RawFd, Key>,
    /// Replies on their way, with their arrival time.
    in_flight: Vec<(Instant, Key, EchoReply)>,
    /// Probes sent and replies read, by interface name.
    sent: HashMap<String, usize>,
    read: HashMap<String, usize>,
}

/// The fake probe sockets and the network behind them; clones share
/// them (the daemon holds one, the test another).
#[derive(Clone, Debug)]
pub struct FakeNet(Rc<RefCell<Net>>);

impl Default for FakeNet {
    /// No paths, every path open, 2 ms round trips.
    fn default() -> FakeNet {
        FakeNet(Rc::new(RefCell::new(Net {
            rtt: Duration::from_millis(2),
            cut: BTreeSet::new(),
            failing: BTreeSet::new(),
            queued: Vec::new(),
            sockets: HashMap::new(),
            by_fd: HashMap::new(),
            in_flight: Vec::new(),
            sent: HashMap::new(),
            read: HashMap::new(),
        })))
    }
}

impl FakeNet {
    /// Cuts (or restores) the path behind member `ifname`: its probes
    /// are lost from now on (or answered again).
    pub fn cut(&self, ifname: &str, cut: bool) {
        let mut n = self.0.borrow_mut();
        if cut {
            n.cut.insert(ifname.to_string());
        } else {
            n.cut.remove(ifname);
        }
    }

    /// Makes the sends of member `ifname` fail (network unreachable,
    /// reported by the flush), or work again.
    pub fn fail_sends(&self, ifname: &str, fail: bool) {
        let mut n = self.0.borrow_mut();
        if fail {
            n.failing.insert(ifname.to_string());
        } else {
            n.failing.remove(ifname);
        }
    }

    /// When the next reply arrives.
    pub fn next_arrival(&self) -> Option<Instant> {
        self.0.borrow().in_flight.iter().map(|(at, ..)| *at).min()
    }

    /// Delivers the replies that have arrived by `now` to their sockets
    /// (dropped if the path was closed meanwhile).
    pub fn deliver(&self, now: Instant) {
        let mut n = self.0.borrow_mut();
        let (due, later) = std::mem::take(&mut n.in_flight)
            .into_iter()
            .partition(|(at, ..)| *at <= now);
        n.in_flight = later;
        for (_, key, reply) in due {
            if let Some(s) = n.sockets.get_mut(&key) {
                s.queue.push_back(reply);
                s.bell.ring();
            }
        }
    }

    /// Probes sent through `ifname` so far.
    pub fn sent(&self, ifname: &str) -> usize {
        self.0.borrow().sent.get(ifname).copied().unwrap_or(0)
    }

    /// Replies the daemon read on `ifname`'s paths so far.
    pub fn read(&self, ifname: &str) -> usize {
        self.0.borrow().read.get(ifname).copied().unwrap_or(0)
    }
}

impl ProbeIo for FakeNet {
    fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>> {
        let mut n = self.0.borrow_mut();
        let key = (path.ifindex, path.family);
        let bell = Doorbell::new();
        let fd = bell.fd();
        n.by_fd.insert(fd, key);
        let ifname = path.ifname.clone();
        let queue = VecDeque::new();
        let old = n.sockets.insert(
            key,
            Socket {
                ifname,
                bell,
                queue,
            },
        );
        if let Some(old) = old {
            n.by_fd.remove(&old.bell.fd());
        }
        Ok(Some(fd))
    }

    fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        deregister: impl FnOnce(RawFd),
    ) {
        let mut n = self.0.borrow_mut();
        if let Some(s) = n.sockets.remove(&(ifindex, family)) {
            n.by_fd.remove(&s.bell.fd());
            deregister(s.bell.fd());
        }
    }

    fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()> {
        let mut n = self.0.borrow_mut();
        let key = (ifindex, family);
        if !n.sockets.contains_key(&key) {
            return Err(io::ErrorKind::NotFound.into());
        }
        n.queued.push((key, *req));
        Ok(())
    }

    fn flush(&mut self, mut failed: impl FnMut((u32, Family), io::Error)) {
        let mut n = self.0.borrow_mut();
        for (key, req) in std::mem::take(&mut n.queued) {
            // A path closed since: nowhere to answer to.
            let Some(ifname) = n.sockets.get(&key).map(|s| s.ifname.clone())
            else {
                continue;
            };
            if n.failing.contains(&ifname) {
                let unreachable = io::ErrorKind::NetworkUnreachable;
                failed(key, io::Error::new(unreachable, "unreachable"));
                continue;
            }
            *n.sent.entry(ifname.clone()).or_default() += 1;
            if n.cut.contains(&ifname) || req.dst == key.1.all_nodes() {
                continue;
            }
            let at = req.sent_at + n.rtt;
            let reply = EchoReply::answering(&req, req.dst, at);
            n.in_flight.push((at, key, reply));
        }
    }

    fn recv(&mut self, fd: RawFd) -> io::Result<Option<Received>> {
        let mut n = self.0.borrow_mut();
        let Some(&key) = n.by_fd.get(&fd) else {
            return Ok(None);
        };
        let Some(s) = n.sockets.get_mut(&key) else {
            return Ok(None);
        };
        s.bell.drain();
        let Some(reply) = s.queue.pop_front() else {
            return Ok(None);
        };
        let ifname = s.ifname.clone();
        *n.read.entry(ifname).or_default() += 1;
        Ok(Some(Received {
            path: Some(key),
            reply: Ok(reply),
        }))
    }
}
