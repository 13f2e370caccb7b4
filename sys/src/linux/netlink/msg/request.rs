//! Building request messages: a header, a fixed family header and
//! attributes, each padded to 4 bytes.

use super::attr::align;
use crate::linux::netlink::abi::RTA_HDRLEN;

/// A request being built. The length and the sequence number are filled
/// in when it is sent (see [`Request::set_seq`]); the port id stays 0,
/// which the kernel accepts from any socket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Request {
    bytes: Vec<u8>,
}

impl Request {
    /// A message of type `kind` with `NLM_F_*` `flags` and the fixed
    /// family header `fixed` (`ifinfomsg`, `ifaddrmsg`, `rtmsg`).
    pub(crate) fn new(kind: u16, flags: u16, fixed: &[u8]) -> Request {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&0u32.to_ne_bytes()); // len, set below
        bytes.extend_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(&flags.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes()); // seq
        bytes.extend_from_slice(&0u32.to_ne_bytes()); // pid
        let mut request = Request { bytes };
        request.push_padded(fixed);
        request
    }

    /// Appends an attribute.
    ///
    /// # Panics
    ///
    /// If `payload` is longer than an attribute can be (65531 bytes);
    /// ours are addresses and flags.
    pub(crate) fn attr(&mut self, kind: u16, payload: &[u8]) -> &mut Self {
        let len = u16::try_from(RTA_HDRLEN + payload.len())
            .expect("netlink attribute longer than 64 KiB");
        self.bytes.extend_from_slice(&len.to_ne_bytes());
        self.bytes.extend_from_slice(&kind.to_ne_bytes());
        self.push_padded(payload);
        self
    }

    /// Sets the sequence number and returns the finished message.
    ///
    /// # Panics
    ///
    /// If the message has grown past 4 GiB.
    pub(crate) fn set_seq(&mut self, seq: u32) -> &[u8] {
        let len = u32::try_from(self.bytes.len())
            .expect("netlink message longer than 4 GiB");
        self.bytes[0..4].copy_from_slice(&len.to_ne_bytes());
        self.bytes[8..12].copy_from_slice(&seq.to_ne_bytes());
        &self.bytes
    }

    /// Sets `NLM_F_*` `flags` in addition to those given to `new`.
    pub(crate) fn add_flags(&mut self, flags: u16) {
        let old = u16::from_ne_bytes([self.bytes[6], self.bytes[7]]);
        self.bytes[6..8].copy_from_slice(&(old | flags).to_ne_bytes());
    }

    fn push_padded(&mut self, data: &[u8]) {
        self.bytes.extend_from_slice(data);
        self.bytes.resize(align(self.bytes.len()), 0);
    }
}
