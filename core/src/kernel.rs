//! What the kernel looks like: the engine's input from the OS backends.
//!
//! Backends turn routing-socket or netlink messages into a whole
//! [`KernelSnapshot`] rather than into individual events: kernel messages
//! are hints that something changed, and a full snapshot is always a
//! correct answer (in.mpathd rescans everything on most messages and at
//! least every 20 s). The engine diffs each snapshot against what it knew.

use std::net::IpAddr;

use crate::addr::IpPrefix;

/// One network interface as the kernel reports it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KernelLink {
    /// Interface name.
    pub name: String,
    /// Interface index; a change means the interface was re-created.
    pub index: u32,
    /// Hardware address, where the OS reports one.
    pub mac: Option<[u8; 6]>,
    /// Administratively up (IFF_UP).
    pub admin_up: bool,
    /// Carrier: `Some(true)` running, `Some(false)` no carrier, `None`
    /// when the driver does not report link state.
    pub carrier: Option<bool>,
    /// Loopback interface (never tracked).
    pub loopback: bool,
    /// Every address on the interface with its prefix length.
    pub addrs: Vec<IpPrefix>,
    /// The OS's interface groups it belongs to (FreeBSD: `ifconfig em0
    /// group NAME`); empty where the OS has no such notion.
    pub groups: Vec<String>,
}

/// A route whose next hop may serve as a probe target (in.mpathd's
/// router targets).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct KernelRoute {
    /// Destination (a host route has the family's full length).
    pub dst: IpPrefix,
    /// Next hop.
    pub gateway: IpAddr,
    /// Outgoing interface.
    pub ifname: String,
}

/// Everything the engine needs to know about the kernel at one instant.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct KernelSnapshot {
    /// Every interface.
    pub links: Vec<KernelLink>,
    /// Routes with a gateway.
    pub routes: Vec<KernelRoute>,
}

impl KernelSnapshot {
    /// The interface called `name`.
    pub fn link(&self, name: &str) -> Option<&KernelLink> {
        self.links.iter().find(|l| l.name == name)
    }
}
