//! BPF, FreeBSD's way to send and receive whole frames on one chosen
//! interface: what the IPv4 probe path and the announcements are built
//! on (see `freebsd::probe` for why).
//!
//! Everything here but the device itself is plain code over bytes, which
//! compiles, is tested and is fuzzed on any host:
//!
//! | item                 | what                                           |
//! |----------------------|------------------------------------------------|
//! | [`records`]          | walk the records of a BPF read buffer          |
//! | [`Filter`]           | the read filters, as classic-BPF programs      |
//! | [`ipv4_frame`]       | an ICMP message in IPv4 in Ethernet            |
//! | [`classify`]         | a received frame: ARP reply, echo reply, other |
//! | [`NeighbourCache`]   | the probe path's own ARP cache                 |
//!
//! The device (`Bpf`: open, configure, read, write) is FreeBSD-only.

#[cfg(target_os = "freebsd")]
mod device;
mod filter;
mod frame;
mod neighbour;
mod record;

#[cfg(target_os = "freebsd")]
pub(crate) use device::{open_device, Bpf, Setup};
pub use filter::Filter;
pub use frame::{
    classify, internet_checksum, ipv4_frame, link_destination, EchoReply,
    Inbound, PROBE_TTL,
};
pub use neighbour::{
    NeighbourCache, Resolution, MAX_ENTRIES, MAX_UNANSWERED, REACHABLE_TIME,
    REQUEST_INTERVAL,
};
#[cfg(any(test, fuzzing))]
pub use record::push_record;
pub(crate) use record::timeval_ns;
pub use record::{records, Record, RecordError, Records};

#[cfg(test)]
mod tests;
