//! laggd's per-port probe on FreeBSD: ARP (IPv4) or neighbour
//! solicitation (IPv6) frames sent through one port of a lagg, and the
//! replies received on that port, with the same API as Linux's
//! (`linux::portprobe`).
//!
//! # Why BPF, and why it works on a lagg port
//!
//! A lagg port has no addresses and no socket can be bound to it. A BPF
//! descriptor attached to the port can: lagg replaces the port's output
//! routine with one that drops everything but frames written whole
//! (`pseudo_AF_HDRCMPLT`, `AF_UNSPEC`), which is what a BPF write is; and
//! the Ethernet input path hands each received frame to the port's BPF
//! listeners *before* lagg sees it, so a descriptor on a standby port of
//! a failover lagg reads frames lagg then discards
//! (`shared/research/freebsd-lagg.md` §5).
//!
//! # The descriptor
//!
//! Set up in bpf(4)'s order, as `bpf::Bpf` does for the probe sockets,
//! with one step more:
//!
//! 1. `open("/dev/bpf")`, non-blocking, close-on-exec (root only);
//! 2. `BIOCSBLEN`, `BIOCSETIF` the port, `BIOCGDLT` must be Ethernet;
//! 3. `BIOCIMMEDIATE` 1, `BIOCSHDRCMPLT` 1 (our source MAC stays),
//!    `BIOCSDIRECTION` `BPF_D_IN` (not our own writes);
//! 4. **`BIOCPROMISC`**: every port of a lagg carries the lagg's MAC, and
//!    its NIC's filter holds that MAC (and multicast), not the port's
//!    own hardware address. Replies to a probe sent from the hardware
//!    address are unicast to it, and a standby port hears them only in
//!    promiscuous mode. The kernel keeps promiscuous mode on the port
//!    while the descriptor is open (a reference count shared with
//!    tcpdump and others) and drops it when the last one closes.
//! 5. `BIOCSETF`: the port-probe filter (`freebsd::portfilter`): ARP
//!    replies to the probe address, or neighbour advertisements sent to
//!    it; everything else the promiscuous port now receives is dropped
//!    in the kernel;
//! 6. `BIOCGBLEN`, then `BIOCLOCK`.
//!
//! A port that is administratively down cannot be written to
//! (`ENETDOWN`), so a port laggd downed cannot be probed.
//!
//! # Addresses
//!
//! As on Linux: frames must come from the port's hardware address
//! (`lagg::probe_mac`, `SIOCGHWADDR`), never the lagg's MAC, which a
//! standby port sending it would move to its switch port;
//! [`PortProbe::send_frame`] refuses frames from any other source. ARP
//! probes should carry sender IP 0.0.0.0 (RFC 5227), so that targets do
//! not learn the lagg's address at the port's MAC.
//!
//! # Not verified here
//!
//! This compiles for FreeBSD, its numbers are checked against FreeBSD's
//! headers, and its filter is the Linux port probe's program (tested in
//! Linux's kernel). It has not been run on a FreeBSD kernel: neither
//! the ioctl sequence, nor a standby lagg port's reception in
//! promiscuous mode.

use std::collections::VecDeque;
use std::ffi::{c_uint, c_ulong};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::{Mutex, MutexGuard, PoisonError};

use mpath_core::addr::Family;
use mpath_wire::MacAddr;
use nix::errno::Errno;

use crate::freebsd::abi::bpf::{
    bpf_program, BIOCGBLEN, BIOCGDLT, BIOCIMMEDIATE, BIOCLOCK, BIOCSBLEN,
    BIOCSDIRECTION, BIOCSETF, BIOCSETIF, BIOCSHDRCMPLT, BPF_D_IN, DLT_EN10MB,
};
use crate::freebsd::abi::lagg::BIOCPROMISC;
use crate::freebsd::abi::net_if::ifreq;
use crate::freebsd::bpf;
use crate::freebsd::ioctl::{self, ifname};
use crate::freebsd::portfilter::{check_frame, port_filter};
use crate::ifindex;

/// The BPF buffer length asked for (not ABI: our choice; replies are
/// few and small).
const BPF_BUFFER_LEN: u32 = 16 * 1024;

/// At most this many frames wait inside the probe for `recv`; more are
/// dropped (not ABI: our choice).
const QUEUE_MAX: usize = 256;

/// One frame from [`PortProbe::recv`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The number of bytes placed in the buffer: the Ethernet frame,
    /// header first.
    pub len: usize,
    /// When the kernel captured it (the BPF record's time stamp,
    /// realtime clock, microseconds), in nanoseconds since the epoch.
    pub rx_realtime_ns: Option<i64>,
    /// The frame did not fit in the buffer, or was captured short.
    pub truncated: bool,
}

/// A BPF descriptor on one port for one address family's probes (see
/// the module documentation).
#[derive(Debug)]
pub struct PortProbe {
    fd: OwnedFd,
    ifindex: u32,
    family: Family,
    mac: MacAddr,
    /// `recv` takes `&self`, as on Linux.
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    queue: VecDeque<Pending>,
    /// The read buffer, the kernel's buffer length.
    buf: Vec<u8>,
}

/// A frame read from BPF, not yet returned by `recv`.
#[derive(Debug)]
struct Pending {
    frame: Vec<u8>,
    realtime_ns: Option<i64>,
    truncated: bool,
}

impl PortProbe {
    /// Opens the probe of port `port` for `family` (ARP for IPv4,
    /// neighbour discovery for IPv6), probing from hardware address
    /// `mac`, the port's own.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name, or a multicast or zero `mac`;
    /// `Unsupported` for a port that is not Ethernet; `open`'s and the
    /// ioctls' (`EACCES` unless root, `ENXIO` for no such interface).
    /// The message names the port.
    pub fn open(
        port: &str,
        family: Family,
        mac: MacAddr,
    ) -> io::Result<PortProbe> {
        if mac.is_multicast() || mac == MacAddr::ZERO {
            return Err(invalid(format!("{mac} cannot be a probe source")));
        }
        let context = |err: io::Error| {
            io::Error::new(err.kind(), format!("{port}: {err}"))
        };
        let ifindex = ifindex::name_to_index(port).map_err(context)?;
        let (fd, buffer_len) = open_bpf(port, family, mac).map_err(context)?;
        Ok(PortProbe {
            fd,
            ifindex,
            family,
            mac,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                buf: vec![0; buffer_len],
            }),
        })
    }

    /// The probe's address family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The port's interface index.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// The probe source address the probe was opened with.
    pub fn mac(&self) -> MacAddr {
        self.mac
    }

    /// Sends `frame`, a whole Ethernet frame, out of the port as it is.
    /// A write that would block or finds no buffer space counts as sent.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a frame shorter than an Ethernet header, from
    /// another source address than the probe's, or of another EtherType
    /// than the family's; otherwise the write's (`ENETDOWN` while the
    /// port is down, `ENXIO` once it is gone).
    pub fn send_frame(&self, frame: &[u8]) -> io::Result<()> {
        check_frame(frame, self.family, self.mac)?;
        match nix::unistd::write(&self.fd, frame) {
            Ok(n) if n == frame.len() => Ok(()),
            Ok(n) => Err(io::Error::other(format!(
                "wrote {n} of {} bytes",
                frame.len()
            ))),
            Err(Errno::EAGAIN | Errno::ENOBUFS) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Receives one frame the filter passed into `buf`, or returns
    /// `None` if none is waiting. One BPF read returns every frame
    /// captured; those beyond the first wait inside the probe, so read
    /// until `None` after the descriptor polls readable.
    ///
    /// # Errors
    ///
    /// The read's (`ENXIO` once the port is gone).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<Option<Frame>> {
        let mut guard = self.lock();
        let state = &mut *guard;
        if state.queue.is_empty() {
            let n = loop {
                match nix::unistd::read(&self.fd, &mut state.buf) {
                    Ok(n) => break n,
                    Err(Errno::EINTR) => {}
                    Err(Errno::EAGAIN) => return Ok(None),
                    Err(err) => return Err(err.into()),
                }
            };
            let bytes = &state.buf[..n.min(state.buf.len())];
            // A malformed buffer (which the kernel does not write) ends
            // the walk; what came before it is kept.
            for record in bpf::records(bytes).map_while(Result::ok) {
                if state.queue.len() < QUEUE_MAX {
                    state.queue.push_back(Pending {
                        frame: record.data.to_vec(),
                        realtime_ns: record.realtime_ns,
                        truncated: record.truncated(),
                    });
                }
            }
        }
        Ok(state.queue.pop_front().map(|pending| {
            let len = pending.frame.len().min(buf.len());
            buf[..len].copy_from_slice(&pending.frame[..len]);
            Frame {
                len,
                rx_realtime_ns: pending.realtime_ns,
                truncated: pending.truncated || len < pending.frame.len(),
            }
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is consistent at every step: a panic elsewhere while
        // it was locked leaves nothing half-done.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl AsFd for PortProbe {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for PortProbe {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Opens and sets up the descriptor (see the module documentation);
/// returns it and the kernel's buffer length.
fn open_bpf(
    port: &str,
    family: Family,
    mac: MacAddr,
) -> io::Result<(OwnedFd, usize)> {
    let mut ifr = ifreq::zeroed();
    ifr.ifr_name = ifname(port)?;
    let owned = bpf::open_device()?;
    let fd = owned.as_fd();

    let mut len: c_uint = BPF_BUFFER_LEN;
    // SAFETY: BIOCSBLEN takes a u_int (size checked by ioctl::ioctl).
    unsafe { ioctl::ioctl(fd, BIOCSBLEN, &mut len) }?;
    // SAFETY: BIOCSETIF takes an ifreq, which holds no pointer.
    unsafe { ioctl::ioctl(fd, BIOCSETIF, &mut ifr) }?;
    let mut dlt: c_uint = 0;
    // SAFETY: BIOCGDLT writes a u_int.
    unsafe { ioctl::ioctl(fd, BIOCGDLT, &mut dlt) }?;
    if dlt != DLT_EN10MB {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("not an Ethernet interface (link type {dlt})"),
        ));
    }
    for request in [BIOCIMMEDIATE, BIOCSHDRCMPLT] {
        let mut one: c_uint = 1;
        // SAFETY: both take a u_int.
        unsafe { ioctl::ioctl(fd, request, &mut one) }?;
    }
    let mut direction: c_uint = BPF_D_IN;
    // SAFETY: BIOCSDIRECTION takes a u_int.
    unsafe { ioctl::ioctl(fd, BIOCSDIRECTION, &mut direction) }?;
    no_argument(fd, BIOCPROMISC)?;
    let mut insns = port_filter(family, mac);
    let mut program = bpf_program {
        bf_len: c_uint::try_from(insns.len()).unwrap_or(c_uint::MAX),
        bf_insns: insns.as_mut_ptr(),
    };
    // SAFETY: BIOCSETF takes a bpf_program whose bf_insns points to
    // bf_len instructions (`insns`, alive for the call); the kernel
    // copies them in and keeps no pointer.
    unsafe { ioctl::ioctl(fd, BIOCSETF, &mut program) }?;
    let mut buffer_len: c_uint = 0;
    // SAFETY: BIOCGBLEN writes a u_int.
    unsafe { ioctl::ioctl(fd, BIOCGBLEN, &mut buffer_len) }?;
    no_argument(fd, BIOCLOCK)?;
    let buffer_len = usize::try_from(buffer_len)
        .map_err(|_| io::Error::other("BIOCGBLEN: no usize"))?;
    Ok((owned, buffer_len))
}

/// An ioctl without an argument (`_IO`).
fn no_argument(fd: BorrowedFd<'_>, request: c_ulong) -> io::Result<()> {
    // SAFETY: BIOCPROMISC and BIOCLOCK are `_IO('B', n)`: the kernel
    // copies nothing in or out.
    syscall!(unsafe { libc::ioctl(fd.as_raw_fd(), request) })?;
    Ok(())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
