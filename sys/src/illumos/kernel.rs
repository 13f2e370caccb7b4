//! The kernel on illumos: a routing socket for change hints and a
//! snapshot from getifaddrs.
//!
//! What runs and what does not (also in the README's platform table):
//! detection runs — link state (`IFF_RUNNING`) and probes — and so do
//! reporting and the control socket. Moving data addresses does not: on
//! illumos the kernel's own IPMP (and in.mpathd) own that, so address
//! changes are refused with a clear error, and groups there should carry
//! no `address` lines. Router targets are not read from the routing
//! table either: give explicit targets. illumos's getifaddrs lists only
//! interfaces with an address that is up, and no hardware addresses.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::{KernelLink, KernelSnapshot};
use mpath_core::mpathd::engine::AddressRole;

use super::rtsock::RouteSocket;

/// The kernel: its state, its change hints, the changes the daemons
/// make (see `mpath_sys::kernel`).
#[derive(Debug)]
pub struct Kernel {
    events: RouteSocket,
}

fn unsupported(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("{what} is left to illumos's own IPMP on illumos"),
    )
}

impl Kernel {
    /// Opens the routing socket.
    pub fn open() -> io::Result<Kernel> {
        Ok(Kernel {
            events: RouteSocket::open()?,
        })
    }

    /// Readable when the kernel hints at a change.
    pub fn hint_fd(&self) -> RawFd {
        self.events.as_raw_fd()
    }

    /// Reads every pending hint; true if a snapshot is needed.
    pub fn drain_hints(&mut self) -> io::Result<bool> {
        let d = self.events.drain()?;
        Ok(d.resync || d.messages > 0)
    }

    /// The whole current state.
    pub fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        let links = crate::unix::ifaddrs::interfaces()?
            .into_iter()
            .map(|i| KernelLink {
                name: i.name,
                index: i.index,
                mac: i.mac,
                admin_up: i.flags.up,
                carrier: Some(i.flags.running),
                loopback: i.flags.loopback,
                addrs: i.addrs.iter().map(|a| a.prefix()).collect(),
                groups: Vec::new(),
            })
            .collect();
        Ok(KernelSnapshot {
            links,
            routes: Vec::new(),
        })
    }

    /// Refused.
    pub fn add_address(
        &mut self,
        _: u32,
        _: IpPrefix,
        _: AddressRole,
    ) -> io::Result<()> {
        Err(unsupported("moving addresses"))
    }

    /// Refused.
    pub fn remove_address(&mut self, _: u32, _: IpPrefix) -> io::Result<()> {
        Err(unsupported("moving addresses"))
    }

    /// Refused.
    pub fn move_route(
        &mut self,
        _: IpPrefix,
        _: IpAddr,
        _: u32,
        _: u32,
    ) -> io::Result<()> {
        Err(unsupported("moving routes"))
    }

    /// Refused.
    pub fn announce(
        &mut self,
        _: u32,
        _: [u8; 6],
        _: IpAddr,
    ) -> io::Result<()> {
        Err(unsupported("announcing addresses"))
    }

    /// Not done on illumos: laggd does not run there.
    pub fn set_admin_up(&mut self, _: &str, _: bool) -> io::Result<()> {
        Err(unsupported("bringing interfaces up and down"))
    }
}
