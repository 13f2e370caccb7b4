//! The daemon's seams to the kernel, one contract each, with one
//! implementation per OS selected at module level.
//!
//! | seam            | Linux                | FreeBSD                    | illumos              |
//! |-----------------|----------------------|----------------------------|----------------------|
//! | kernel view     | rtnetlink dumps      | sysctl NET_RT_IFLISTL/DUMP, interface groups | getifaddrs |
//! | change hints    | rtnetlink groups     | routing socket             | routing socket       |
//! | address changes | RTM_NEWADDR/DELADDR  | SIOCAIFADDR/SIOCDIFADDR(_IN6) | refused: kernel IPMP owns them |
//! | probe I/O       | raw sockets, SO_BINDTODEVICE | BPF (IPv4), IPV6_PKTINFO (IPv6) | raw sockets, IP_BOUND_IF |
//! | announcements   | AF_PACKET frames     | BPF frames                 | refused (see above)  |

use std::io;
use std::net::IpAddr;
use std::os::fd::RawFd;

use mpath_core::addr::{Family, IpPrefix};
use mpath_core::engine::{AddressRole, KernelSnapshot};

#[cfg(target_os = "linux")]
mod linux;
#[cfg(target_os = "linux")]
pub use linux::open;

#[cfg(target_os = "illumos")]
mod illumos;
#[cfg(target_os = "illumos")]
pub use illumos::open;

/// The probe socket: the same type and API on every supported OS.
#[cfg(any(target_os = "linux", target_os = "illumos", target_os = "freebsd"))]
pub type Probe = mpath_sys::probe::ProbeSocket;

#[cfg(any(target_os = "linux", target_os = "illumos", target_os = "freebsd"))]
impl ProbeIo for mpath_sys::probe::ProbeSocket {
    fn open(
        family: Family,
        ifname: &str,
        ifindex: u32,
        src: IpAddr,
    ) -> io::Result<Self> {
        mpath_sys::probe::ProbeSocket::open(family, ifname, ifindex, src)
    }

    fn fd(&self) -> RawFd {
        std::os::fd::AsRawFd::as_raw_fd(self)
    }

    fn send(&self, msg: &[u8], dst: IpAddr) -> io::Result<()> {
        mpath_sys::probe::ProbeSocket::send(self, msg, dst)
    }

    fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>> {
        mpath_sys::probe::ProbeSocket::recv(self, buf)
    }
}

#[cfg(target_os = "freebsd")]
mod freebsd;
#[cfg(target_os = "freebsd")]
pub use freebsd::open;

/// The kernel: its state, its change notifications, and the changes
/// mpathd makes to it.
pub trait Kernel {
    /// Readable when the kernel reports a change.
    fn event_fd(&self) -> RawFd;
    /// Reads every pending notification; true if a resync is needed
    /// (anything changed, or notifications were lost).
    fn drain(&mut self) -> io::Result<bool>;
    /// The whole current state.
    fn snapshot(&mut self) -> io::Result<KernelSnapshot>;
    /// Configures an address.
    fn add_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
        role: AddressRole,
    ) -> io::Result<()>;
    /// Removes an address.
    fn remove_address(
        &mut self,
        ifindex: u32,
        addr: IpPrefix,
    ) -> io::Result<()>;
    /// Moves the route to `dst` via `gateway` from interface `from` to
    /// interface `to` (add first, then remove).
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

/// A received datagram on a probe socket.
#[cfg(any(
    target_os = "linux",
    target_os = "illumos",
    target_os = "freebsd"
))]
pub use mpath_sys::probe::Received;

/// One probe socket: one interface, one family, bound to the test
/// address.
pub trait ProbeIo: Sized {
    /// Opens it.
    fn open(
        family: Family,
        ifname: &str,
        ifindex: u32,
        src: IpAddr,
    ) -> io::Result<Self>;
    /// Readable when a reply may be waiting.
    fn fd(&self) -> RawFd;
    /// Sends one ICMP message (a full socket buffer counts as sent).
    fn send(&self, msg: &[u8], dst: IpAddr) -> io::Result<()>;
    /// Reads one datagram, or `None` if nothing is waiting.
    fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Received>>;
}
