//! Link-layer frames on FreeBSD: whole Ethernet frames written out of a
//! given interface through BPF, with the same API as Linux's
//! `AF_PACKET` socket (`linux::packet`).
//!
//! After a data address moves to another interface of the group, the
//! daemon announces it (gratuitous ARP, unsolicited neighbour
//! advertisement); `mpath-wire` builds the frames, Ethernet header and
//! source MAC included, and this writes them unchanged
//! (`BIOCSHDRCMPLT`).
//!
//! A BPF descriptor is attached to one interface, so there is one per
//! interface, opened on the first frame for it and kept. Each is set up
//! as the probe socket's (`bpf::Bpf`) but with a filter that passes
//! nothing: the kernel then copies no received frame into its buffer,
//! and it costs nothing while the host is busy. Interfaces are named
//! through `if_indextoname` on each send, so that a descriptor whose
//! index has come to name another interface (one departed, another
//! arrived) is replaced, and a descriptor whose write fails for another
//! reason than a full queue is dropped, to be reopened next time.

use std::collections::HashMap;
use std::io;
use std::sync::{Mutex, PoisonError};

use crate::freebsd::abi::bpf::BPF_MINBUFSIZE;
use crate::freebsd::abi::bpf::ETHER_HDR_LEN;
use crate::freebsd::bpf::{Bpf, Filter, Setup};
use crate::ifindex;

/// The buffer length asked for: nothing is ever read (not ABI: our
/// choice; the kernel rounds it up to what it allows).
const BUFFER_LEN: usize = BPF_MINBUFSIZE * 8;

/// Sends whole Ethernet frames out of chosen interfaces.
#[derive(Debug, Default)]
pub struct FrameSocket {
    /// Per interface index: its name when opened, and the descriptor.
    devices: Mutex<HashMap<u32, (String, Bpf)>>,
}

impl FrameSocket {
    /// Makes the socket; descriptors are opened per interface on first
    /// use.
    ///
    /// # Errors
    ///
    /// None as yet (opening is deferred); the signature is Linux's.
    pub fn open() -> io::Result<FrameSocket> {
        Ok(FrameSocket::default())
    }

    /// Sends `frame`, a complete Ethernet frame starting with its header,
    /// out of the interface with index `ifindex`, as it is.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a frame shorter than an Ethernet header;
    /// `if_indextoname`'s for no such interface; opening the descriptor
    /// (`EACCES` unless root, `Unsupported` if the interface is not
    /// Ethernet); the write's: `ENETDOWN` if the interface is down,
    /// `EMSGSIZE` for a frame longer than its MTU, `EAGAIN`/`ENOBUFS`
    /// when its queue is full.
    pub fn send_frame(&self, ifindex: u32, frame: &[u8]) -> io::Result<()> {
        if frame.len() < ETHER_HDR_LEN {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a {}-byte frame has no Ethernet header", frame.len()),
            ));
        }
        let name = ifindex::index_to_name(ifindex)?;
        let mut devices =
            self.devices.lock().unwrap_or_else(PoisonError::into_inner);
        if devices
            .get(&ifindex)
            .is_none_or(|(opened, _)| *opened != name)
        {
            let filter = Filter::nothing();
            let bpf = Bpf::open(&Setup {
                ifname: &name,
                buffer_len: u32::try_from(BUFFER_LEN).unwrap_or(u32::MAX),
                immediate: false,
                filter: &filter,
            })?;
            devices.insert(ifindex, (name, bpf));
        }
        let Some((_, bpf)) = devices.get(&ifindex) else {
            return Err(io::Error::other("no BPF descriptor"));
        };
        let res = bpf.write(frame);
        if let Err(err) = &res {
            let full = err.kind() == io::ErrorKind::WouldBlock
                || err.raw_os_error() == Some(libc::ENOBUFS);
            if !full {
                devices.remove(&ifindex);
            }
        }
        res
    }
}
