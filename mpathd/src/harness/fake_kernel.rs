//! A fake kernel: interfaces with an index, a MAC, carrier and
//! addresses, which the daemon reads whole (`snapshot`) and changes
//! (addresses, routes) as it would the real one, refusing what the real
//! one refuses (adding an address twice, removing one that is not
//! there). Every change asked for is recorded as a [`Call`]. A test
//! changes the links behind the daemon's back and rings the hint
//! descriptor, as rtnetlink or the routing socket would.

use std::cell::RefCell;
use std::io;
use std::net::IpAddr;
use std::os::fd::RawFd;
use std::rc::Rc;

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::{KernelLink, KernelSnapshot};
use mpath_core::mpathd::engine::AddressRole;

use super::doorbell::Doorbell;
use crate::os::KernelIo;

/// A change the daemon asked of the kernel, by interface name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `add_address`.
    Add(String, IpPrefix, AddressRole),
    /// `remove_address`.
    Remove(String, IpPrefix),
    /// `move_route`: destination, from, to.
    MoveRoute(IpPrefix, String, String),
    /// `announce`.
    Announce(String, IpAddr),
}

#[derive(Debug)]
struct State {
    snapshot: KernelSnapshot,
    calls: Vec<Call>,
    snapshots: usize,
    hints: Doorbell,
}

/// The fake kernel; clones share it (the daemon holds one, the test
/// another).
#[derive(Clone, Debug)]
pub struct FakeKernel(Rc<RefCell<State>>);

impl FakeKernel {
    /// Interfaces `ifnames` (indexes from 10), up, with carrier, and
    /// without addresses.
    pub fn new(ifnames: &[&str]) -> FakeKernel {
        let links = ifnames
            .iter()
            .zip(10u8..)
            .map(|(name, i)| KernelLink {
                name: name.to_string(),
                index: u32::from(i),
                mac: Some([2, 0, 0, 0, 0, i]),
                admin_up: true,
                carrier: Some(true),
                loopback: false,
                addrs: Vec::new(),
                groups: Vec::new(),
            })
            .collect();
        FakeKernel(Rc::new(RefCell::new(State {
            snapshot: KernelSnapshot {
                links,
                routes: Vec::new(),
            },
            calls: Vec::new(),
            snapshots: 0,
            hints: Doorbell::new(),
        })))
    }

    /// Sets the carrier of `ifname`; the daemon hears of it only with a
    /// hint.
    pub fn set_carrier(&self, ifname: &str, up: bool) {
        let mut s = self.0.borrow_mut();
        let link = s.snapshot.links.iter_mut().find(|l| l.name == ifname);
        link.expect("no such link").carrier = Some(up);
    }

    /// Hints at a change (the hint descriptor becomes readable).
    pub fn hint(&self) {
        self.0.borrow().hints.ring();
    }

    /// Every change asked for so far.
    pub fn calls(&self) -> Vec<Call> {
        self.0.borrow().calls.clone()
    }

    /// How many times the daemon read the whole state.
    pub fn snapshots(&self) -> usize {
        self.0.borrow().snapshots
    }

    /// The interfaces that have `addr` now.
    pub fn holders(&self, addr: &str) -> Vec<String> {
        let p: IpPrefix = addr.parse().expect("an address");
        let s = self.0.borrow();
        let on = s.snapshot.links.iter().filter(|l| l.addrs.contains(&p));
        on.map(|l| l.name.clone()).collect()
    }

    /// Runs `f` on the link of index `ifindex`.
    fn with_link<R>(
        &self,
        ifindex: u32,
        f: impl FnOnce(&mut KernelLink) -> io::Result<R>,
    ) -> io::Result<R> {
        let mut s = self.0.borrow_mut();
        let link = s.snapshot.links.iter_mut().find(|l| l.index == ifindex);
        f(link.ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))?)
    }

    fn record(&self, call: Call) {
        self.0.borrow_mut().calls.push(call);
    }

    fn name(&self, ifindex: u32) -> String {
        let s = self.0.borrow();
        let link = s.snapshot.links.iter().find(|l| l.index == ifindex);
        link.map_or_else(|| format!("#{ifindex}"), |l| l.name.clone())
    }
}

impl KernelIo for FakeKernel {
    /// A fake is built by the harness, never opened.
    fn open() -> io::Result<FakeKernel> {
        Err(io::ErrorKind::Unsupported.into())
    }

    fn hint_fd(&self) -> RawFd {
        self.0.borrow().hints.fd()
    }

    fn drain_hints(&mut self) -> io::Result<bool> {
        Ok(self.0.borrow().hints.drain())
    }

    fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        let mut s = self.0.borrow_mut();
        s.snapshots += 1;
        Ok(s.snapshot.clone())
    }

    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()> {
        self.record(Call::Add(self.name(ifindex), addr, role));
        self.with_link(ifindex, |l| {
            if l.addrs.contains(&addr) {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            l.addrs.push(addr);
            Ok(())
        })
    }

    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        self.record(Call::Remove(self.name(ifindex), addr));
        self.with_link(ifindex, |l| {
            let n = l.addrs.len();
            l.addrs.retain(|a| *a != addr);
            if l.addrs.len() == n {
                return Err(io::ErrorKind::AddrNotAvailable.into());
            }
            Ok(())
        })
    }

    fn move_route(
        &mut self,
        dst: IpPrefix,
        gateway: IpAddr,
        from: u32,
        to: u32,
    ) -> io::Result<()> {
        let (from, to) = (self.name(from), self.name(to));
        self.record(Call::MoveRoute(dst, from.clone(), to.clone()));
        let mut s = self.0.borrow_mut();
        let routes = s.snapshot.routes.iter_mut();
        for r in routes.filter(|r| r.dst == dst && r.gateway == gateway) {
            if r.ifname == from {
                r.ifname.clone_from(&to);
            }
        }
        Ok(())
    }

    fn announce(
        &mut self,
        ifindex: u32,
        _mac: [u8; 6],
        addr: IpAddr,
    ) -> io::Result<()> {
        self.record(Call::Announce(self.name(ifindex), addr));
        Ok(())
    }
}
