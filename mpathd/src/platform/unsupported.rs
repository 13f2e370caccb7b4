//! OSes whose mpathd backend is not written yet (FreeBSD and illumos
//! arrive with their own issue): the daemon builds, and says so at start.

use std::io;
use std::net::IpAddr;
use std::os::fd::RawFd;

use mpath_core::addr::{Family, IpPrefix};
use mpath_core::engine::{AddressRole, KernelSnapshot};

use super::{Kernel, ProbeIo};

/// A received datagram (never produced here).
#[derive(Clone, Copy, Debug)]
pub struct Received {
    /// Bytes read.
    pub len: usize,
    /// Sender.
    pub src: IpAddr,
    /// Kernel receive time on the realtime clock, in ns.
    pub rx_realtime_ns: Option<i64>,
    /// Cut short.
    pub truncated: bool,
}

fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "the mpathd backend for this OS is not implemented yet",
    )
}

/// Placeholder kernel seam: [`open`] always fails.
#[derive(Debug)]
pub enum NoKernel {}

/// Always fails with "not implemented yet".
pub fn open() -> io::Result<NoKernel> {
    Err(unsupported())
}

impl Kernel for NoKernel {
    fn event_fd(&self) -> RawFd {
        match *self {}
    }
    fn drain(&mut self) -> io::Result<bool> {
        match *self {}
    }
    fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        match *self {}
    }
    fn add_address(
        &mut self,
        _: u32,
        _: IpPrefix,
        _: AddressRole,
    ) -> io::Result<()> {
        match *self {}
    }
    fn remove_address(&mut self, _: u32, _: IpPrefix) -> io::Result<()> {
        match *self {}
    }
    fn announce(&mut self, _: u32, _: [u8; 6], _: IpAddr) -> io::Result<()> {
        match *self {}
    }
}

/// Placeholder probe socket.
#[derive(Debug)]
pub enum Probe {}

impl ProbeIo for Probe {
    fn open(_: Family, _: &str, _: u32, _: IpAddr) -> io::Result<Probe> {
        Err(unsupported())
    }
    fn fd(&self) -> RawFd {
        match *self {}
    }
    fn send(&self, _: &[u8], _: IpAddr) -> io::Result<()> {
        match *self {}
    }
    fn recv(&self, _: &mut [u8]) -> io::Result<Option<Received>> {
        match *self {}
    }
}
