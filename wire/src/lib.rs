//! Probe and announcement packet formats for mpathd and laggd.
//!
//! This crate only turns values into bytes and bytes into values: it opens
//! no sockets and reads no clock. Parsers take untrusted bytes and never
//! panic; each checks lengths first, then validates into a plain struct
//! (smoltcp's checked view → validated repr split), and each has an emitter
//! that is its inverse, so that every format is tested as a round trip.
//!
//! | module      | format                                                   |
//! |-------------|----------------------------------------------------------|
//! | [`payload`] | our 24-byte probe payload: timestamp, kind, nonce        |
//! | [`echo`]    | ICMP / ICMPv6 echo request and reply carrying it         |
//! | [`arp`]     | Ethernet + ARP: per-port probes and gratuitous ARP       |
//! | [`ndp`]     | Ethernet + IPv6 neighbour solicitation / advertisement   |
//! | [`mac`]     | Ethernet addresses                                       |
//! | [`error`]   | [`WireError`], why a packet was rejected                 |
//!
//! The protocol headers themselves are encoded and decoded by smoltcp's
//! `wire` module; only the probe payload is laid out by hand here.
#![forbid(unsafe_code)]

pub mod arp;
pub mod echo;
pub mod error;
pub mod mac;
pub mod ndp;
pub mod payload;

pub use arp::{
    emit_arp_frame, emit_arp_request, emit_gratuitous_arp, parse_arp_frame,
    ArpFrame, ArpOp,
};
pub use echo::{
    emit_icmpv4_echo_reply, emit_icmpv4_echo_request, emit_icmpv6_echo_reply,
    emit_icmpv6_echo_request, emit_icmpv6_echo_request_checksummed,
    parse_icmpv4_echo_reply, parse_icmpv6_echo_reply,
    parse_icmpv6_echo_reply_unverified, write_icmpv4_echo_request,
    write_icmpv6_echo_request, EchoProbe, EchoReplyV4, EchoRequestBytes,
    ECHO_REQUEST_LEN,
};
pub use error::WireError;
pub use mac::MacAddr;
pub use ndp::{
    emit_ndp_frame, emit_neighbor_solicitation,
    emit_neighbor_solicitation_frame, emit_unsolicited_na,
    emit_unsolicited_na_frame, parse_ndp_frame, solicited_node_multicast,
    NaFlags, NdpFrame, NdpMessage,
};
pub use payload::{ProbeKind, ProbePayload, PROBE_PAYLOAD_LEN};
