//! What mpathd asks of the OS, as two traits: [`KernelIo`] (the kernel's
//! view, its hints, address and route changes, announcements) and
//! [`ProbeIo`] (the probe sockets). Each has exactly the methods the
//! backend uses; `mpath_sys`'s `Kernel` and `ProbeSockets` implement
//! them by forwarding, and the tests' harness with fakes.

use std::io;
use std::net::IpAddr;
use std::os::fd::RawFd;

use mpath_core::addr::{Family, IpPrefix};
use mpath_core::kernel::KernelSnapshot;
use mpath_core::mpathd::engine::{AddressRole, ProbePath};
use mpath_core::probe::ProbeRequest;
use mpath_sys::echo::Received;
use mpath_sys::kernel::Kernel;
use mpath_sys::probes::ProbeSockets;

/// The kernel, as `mpath_sys::kernel::Kernel` documents it.
pub trait KernelIo: Sized {
    /// Opens the kernel interfaces.
    fn open() -> io::Result<Self>;
    /// Readable when the kernel hints at a change.
    fn hint_fd(&self) -> RawFd;
    /// Reads every pending hint; true if a snapshot is needed.
    fn drain_hints(&mut self) -> io::Result<bool>;
    /// The whole current state.
    fn snapshot(&mut self) -> io::Result<KernelSnapshot>;
    /// Configures `addr` on interface `ifindex`.
    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()>;
    /// Removes `addr` from interface `ifindex`.
    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()>;
    /// Moves the route to `dst` via `gateway` from interface `from` to
    /// `to`.
    fn move_route(
        &mut self,
        dst: IpPrefix,
        gateway: IpAddr,
        from: u32,
        to: u32,
    ) -> io::Result<()>;
    /// Tells the link's neighbours that `addr` now lives at `mac`.
    fn announce(
        &mut self,
        ifindex: u32,
        mac: [u8; 6],
        addr: IpAddr,
    ) -> io::Result<()>;
}

/// The probe sockets, as `mpath_sys::probes::ProbeSockets` documents
/// them; `Default` is no paths.
pub trait ProbeIo: Default {
    /// Probes `path` from now on; the descriptor to watch, if a new one.
    fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>>;
    /// Stops probing a path; `deregister` is given a descriptor about to
    /// be closed.
    fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        deregister: impl FnOnce(RawFd),
    );
    /// Takes `req` for the path of (`ifindex`, `family`): sent at once,
    /// or queued until [`ProbeIo::flush`]. An error here is the probe's
    /// own (no such path, the wrong family) or, sent at once, the send's.
    fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()>;
    /// Sends what `send` queued; each probe that failed is reported to
    /// `failed` with its path, as (interface index, family).
    fn flush(&mut self, failed: impl FnMut((u32, Family), io::Error));
    /// Reads one datagram from `fd`: `None` when nothing is waiting.
    fn recv(&mut self, fd: RawFd) -> io::Result<Option<Received>>;
}

impl KernelIo for Kernel {
    fn open() -> io::Result<Kernel> {
        Kernel::open()
    }
    fn hint_fd(&self) -> RawFd {
        Kernel::hint_fd(self)
    }
    fn drain_hints(&mut self) -> io::Result<bool> {
        Kernel::drain_hints(self)
    }
    fn snapshot(&mut self) -> io::Result<KernelSnapshot> {
        Kernel::snapshot(self)
    }
    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()> {
        Kernel::add_address(self, ifindex, addr, role)
    }
    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()> {
        Kernel::remove_address(self, ifindex, addr)
    }
    fn move_route(
        &mut self,
        dst: IpPrefix,
        gateway: IpAddr,
        from: u32,
        to: u32,
    ) -> io::Result<()> {
        Kernel::move_route(self, dst, gateway, from, to)
    }
    fn announce(
        &mut self,
        ifindex: u32,
        mac: [u8; 6],
        addr: IpAddr,
    ) -> io::Result<()> {
        Kernel::announce(self, ifindex, mac, addr)
    }
}

impl ProbeIo for ProbeSockets {
    fn open(&mut self, path: &ProbePath) -> io::Result<Option<RawFd>> {
        ProbeSockets::open(self, path)
    }
    fn close(
        &mut self,
        ifindex: u32,
        family: Family,
        deregister: impl FnOnce(RawFd),
    ) {
        ProbeSockets::close(self, ifindex, family, deregister)
    }
    fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
    ) -> io::Result<()> {
        ProbeSockets::send(self, ifindex, family, req)
    }
    fn flush(&mut self, failed: impl FnMut((u32, Family), io::Error)) {
        ProbeSockets::flush(self, failed)
    }
    fn recv(&mut self, fd: RawFd) -> io::Result<Option<Received>> {
        ProbeSockets::recv(self, fd)
    }
}
