//! What the engine asks the daemon to do.

use std::net::IpAddr;

use crate::addr::{Family, IpPrefix};
pub use crate::log::{Level, LogKind};
use crate::probe::ProbeRequest;

/// Why an address is being added.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AddressRole {
    /// A data address arriving on a member (failover, failback, start).
    Data,
    /// A test address: added without a prefix route so that it never
    /// carries data traffic or decides the route to its subnet.
    Test,
}

/// One thing for the daemon to do, in order.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Action {
    /// Encode and send a probe from `src` through the interface with
    /// index `ifindex`. No name: some 7,000 of these a second must not
    /// each allocate one (the daemon knows its paths' names).
    SendProbe {
        /// The member interface's index.
        ifindex: u32,
        /// Address family of the probe.
        family: Family,
        /// The test address to send from.
        src: IpAddr,
        /// The probe.
        request: ProbeRequest,
    },
    /// Configure `addr` on `ifname`.
    AddAddress {
        /// Interface.
        ifname: String,
        /// Its index.
        ifindex: u32,
        /// Address and prefix length.
        addr: IpPrefix,
        /// Data or test address.
        role: AddressRole,
    },
    /// Remove `addr` from `ifname`.
    RemoveAddress {
        /// Interface.
        ifname: String,
        /// Its index.
        ifindex: u32,
        /// Address and prefix length.
        addr: IpPrefix,
    },
    /// Move a gateway route off a member that can no longer carry it:
    /// add it through `to`, then remove it from `from`.
    MoveRoute {
        /// Destination (`0.0.0.0/0` for a default route).
        dst: IpPrefix,
        /// Next hop.
        gateway: IpAddr,
        /// The member it went through.
        from: String,
        /// Its index.
        from_index: u32,
        /// The member it goes through now.
        to: String,
        /// Its index.
        to_index: u32,
    },
    /// Tell the neighbours where `addr` lives now: gratuitous ARP for
    /// IPv4, unsolicited neighbour advertisement for IPv6.
    Announce {
        /// Interface now hosting the address.
        ifname: String,
        /// Its index.
        ifindex: u32,
        /// Its hardware address, the announced one.
        mac: [u8; 6],
        /// The address.
        addr: IpAddr,
    },
    /// A probe was answered or lost (for `ifctl -p` watchers; the
    /// daemon drops it when nobody watches).
    ProbeResult {
        /// Member interface.
        ifname: String,
        /// Family.
        family: Family,
        /// ICMP sequence number.
        seq: u16,
        /// Target.
        target: IpAddr,
        /// When it was sent.
        sent_at: crate::time::Instant,
        /// Round-trip time; `None` if lost.
        rtt: Option<std::time::Duration>,
        /// The target's smoothed RTT and deviation.
        rtt_avg: Option<std::time::Duration>,
        /// The target's RTT deviation.
        rtt_dev: Option<std::time::Duration>,
    },
    /// Write a log line.
    Log {
        /// Priority.
        level: Level,
        /// What it is news of.
        kind: LogKind,
        /// Text (in.mpathd's wording where both have the event).
        message: String,
    },
}
