//! laggd's per-port probe socket on illumos: not available (laggd does
//! not run on illumos; see `aggregate`). The same type and methods as on
//! Linux and FreeBSD, each refusing.

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::Family;
use mpath_wire::MacAddr;

/// One frame received (never, here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    /// Bytes placed in the buffer.
    pub len: usize,
    /// Kernel receive time, nanoseconds since the epoch.
    pub rx_realtime_ns: Option<i64>,
    /// Cut short.
    pub truncated: bool,
}

/// No socket.
#[derive(Debug)]
pub struct PortProbe {
    family: Family,
    mac: MacAddr,
}

fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "per-port probes are laggd's, which does not run on illumos",
    )
}

impl PortProbe {
    /// Refused.
    pub fn open(_: &str, _: Family, _: MacAddr) -> io::Result<PortProbe> {
        Err(unsupported())
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The source MAC.
    pub fn mac(&self) -> MacAddr {
        self.mac
    }

    /// Refused.
    pub fn send_frame(&self, _: &[u8]) -> io::Result<()> {
        Err(unsupported())
    }

    /// Nothing.
    pub fn recv(&self, _: &mut [u8]) -> io::Result<Option<Frame>> {
        Ok(None)
    }
}

impl AsRawFd for PortProbe {
    fn as_raw_fd(&self) -> RawFd {
        -1
    }
}
