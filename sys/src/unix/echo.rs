//! mpathd's probes as bytes, the same on every OS: the core's
//! [`ProbeRequest`] encoded as an ICMP or ICMPv6 echo request, and what
//! a probe socket received checked and decoded into an [`EchoReply`]
//! (research note §3.4: no truncation; IPv4 parsed from its IP header;
//! IPv6 replies only from link-local sources). Each OS's `ProbeSockets`
//! send and receive with these.

use std::net::IpAddr;

use mpath_core::addr::Family;
use mpath_core::probe::{EchoReply, ProbeKind, ProbeRequest};
use mpath_core::time::Instant;
use mpath_wire::{EchoProbe, EchoRequestBytes, ProbePayload, WireError};

use super::clock;

/// One datagram as a probe socket received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Datagram {
    /// Bytes placed in the buffer: for IPv4 the IP header and the ICMP
    /// message, for IPv6 the ICMPv6 message.
    pub len: usize,
    /// Who sent it.
    pub src: IpAddr,
    /// The kernel's receive time, nanoseconds since the epoch on the
    /// realtime clock; `None` without one.
    pub rx_realtime_ns: Option<i64>,
    /// Cut short (`MSG_TRUNC`, `MSG_CTRUNC`, or captured short).
    pub truncated: bool,
}

/// What `ProbeSockets::recv` read.
#[derive(Debug)]
pub struct Received {
    /// The path it is for, as (interface index, family); `None` when it
    /// is for none of them.
    pub path: Option<(u32, Family)>,
    /// The reply, or why it is not one.
    pub reply: Result<EchoReply, Discard>,
}

impl Received {
    /// A datagram for no path of ours (only a shared socket gets them).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn nobodys() -> Received {
        Received {
            path: None,
            reply: Err(Discard::Quiet),
        }
    }
}

fn wire_kind(k: ProbeKind) -> mpath_wire::ProbeKind {
    match k {
        ProbeKind::Uni => mpath_wire::ProbeKind::Uni,
        ProbeKind::Multi => mpath_wire::ProbeKind::Multi,
        ProbeKind::Rtt => mpath_wire::ProbeKind::Rtt,
    }
}

fn core_kind(k: mpath_wire::ProbeKind) -> ProbeKind {
    match k {
        mpath_wire::ProbeKind::Uni => ProbeKind::Uni,
        mpath_wire::ProbeKind::Multi => ProbeKind::Multi,
        mpath_wire::ProbeKind::Rtt => ProbeKind::Rtt,
    }
}

/// Writes the ICMP (or ICMPv6) echo request for `req` into `out`, whole,
/// without allocating: probes are sent by the thousand a second from
/// buffers that are reused.
pub(crate) fn encode_into(
    family: Family,
    req: &ProbeRequest,
    out: &mut EchoRequestBytes,
) {
    let probe = EchoProbe {
        id: req.id,
        seq: req.seq,
        payload: ProbePayload {
            kind: wire_kind(req.kind),
            timestamp_ns: req.sent_at.as_nanos(),
            nonce: req.nonce,
        },
    };
    match family {
        Family::V4 => mpath_wire::write_icmpv4_echo_request(&probe, out),
        // The kernel computes ICMPv6 checksums on raw sockets.
        Family::V6 => mpath_wire::write_icmpv6_echo_request(&probe, out),
    }
}

/// Why a received datagram is not a usable reply.
#[derive(Debug)]
pub enum Discard {
    /// Not an echo reply at all (other ICMP): ignored silently.
    Quiet,
    /// A malformed or suspicious reply, worth a debug line.
    Noisy(String),
}

fn is_link_local(a: IpAddr) -> bool {
    matches!(a, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80)
}

/// Checks and decodes a datagram read from a probe socket (research note
/// §3.4): no truncation; IPv4 parsed from its IP header; IPv6 replies
/// only from link-local sources. `received_at` maps the kernel stamp.
pub(crate) fn decode(
    family: Family,
    ifname: &str,
    buf: &[u8],
    r: &Datagram,
) -> Result<EchoReply, Discard> {
    let received_at = r
        .rx_realtime_ns
        .map_or_else(clock::now, clock::realtime_to_instant);
    if r.truncated {
        return Err(Discard::Noisy(format!(
            "truncated message from {} on {ifname}",
            r.src
        )));
    }
    let bytes = buf.get(..r.len).unwrap_or(buf);
    let parsed = match family {
        Family::V4 => mpath_wire::parse_icmpv4_echo_reply(bytes)
            .map(|rep| (IpAddr::V4(rep.src), rep.probe)),
        Family::V6 => {
            if !is_link_local(r.src) {
                return Err(Discard::Noisy(format!(
                    "ICMPv6 echo reply source address not linklocal from {} \
                     on {ifname}",
                    r.src
                )));
            }
            mpath_wire::parse_icmpv6_echo_reply_unverified(bytes)
                .map(|p| (r.src, p))
        }
    };
    match parsed {
        Ok((src, probe)) => Ok(EchoReply {
            src,
            id: probe.id,
            seq: probe.seq,
            kind: core_kind(probe.payload.kind),
            timestamp: Instant::from_nanos(probe.payload.timestamp_ns),
            nonce: probe.payload.nonce,
            received_at,
        }),
        Err(WireError::NotEchoReply { .. }) => Err(Discard::Quiet),
        Err(e) => Err(Discard::Noisy(format!(
            "bad probe reply from {} on {ifname}: {e}",
            r.src
        ))),
    }
}
