//! The probe sockets: one per probing path, opened and closed as the
//! engine's paths come and go, and the translation between the engine's
//! probes and ICMP bytes.

use std::net::IpAddr;

use mpath_core::addr::Family;
use mpath_core::engine::ProbePath;
use mpath_core::probe::{EchoReply, ProbeKind, ProbeRequest};
use mpath_core::time::Instant;
use mpath_wire::{EchoProbe, ProbePayload, WireError};

use crate::platform::{ProbeIo, Received};

/// An open probe socket and the path it serves.
#[derive(Debug)]
pub struct Socket<P> {
    /// The path.
    pub path: ProbePath,
    /// The socket.
    pub io: P,
}

/// Every open probe socket.
#[derive(Debug)]
pub struct Probes<P> {
    /// Open sockets.
    pub sockets: Vec<Socket<P>>,
}

impl<P: ProbeIo> Probes<P> {
    /// No sockets yet.
    pub fn new() -> Probes<P> {
        Probes {
            sockets: Vec::new(),
        }
    }

    /// Opens sockets for new paths and closes those no longer wanted.
    /// Returns the paths that could not be opened, with the error.
    pub fn reconcile(&mut self, wanted: &[ProbePath]) -> Vec<String> {
        self.sockets.retain(|s| wanted.contains(&s.path));
        let mut errors = Vec::new();
        for w in wanted {
            if self.sockets.iter().any(|s| s.path == *w) {
                continue;
            }
            match P::open(w.family, &w.ifname, w.ifindex, w.src) {
                Ok(io) => self.sockets.push(Socket {
                    path: w.clone(),
                    io,
                }),
                Err(e) => errors.push(format!(
                    "cannot open probe socket ({} {}) from {}: {e}",
                    w.family.inet(),
                    w.ifname,
                    w.src
                )),
            }
        }
        errors
    }

    /// Sends `req` on the socket of (`ifname`, `family`).
    pub fn send(
        &self,
        ifname: &str,
        family: Family,
        req: &ProbeRequest,
    ) -> Result<(), String> {
        let Some(s) = self
            .sockets
            .iter()
            .find(|s| s.path.ifname == ifname && s.path.family == family)
        else {
            return Err(format!(
                "no probe socket for ({} {ifname})",
                family.inet()
            ));
        };
        let bytes = encode(family, req);
        ProbeIo::send(&s.io, &bytes, req.dst).map_err(|e| {
            format!("probe: probe sendto ({} {ifname}): {e}", family.inet())
        })
    }
}

impl<P: ProbeIo> Default for Probes<P> {
    fn default() -> Self {
        Probes::new()
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

/// The ICMP (or ICMPv6) echo request for `req`.
pub fn encode(family: Family, req: &ProbeRequest) -> Vec<u8> {
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
        Family::V4 => mpath_wire::emit_icmpv4_echo_request(&probe),
        // The kernel computes ICMPv6 checksums on raw sockets.
        Family::V6 => mpath_wire::emit_icmpv6_echo_request(&probe),
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
pub fn decode(
    family: Family,
    ifname: &str,
    buf: &[u8],
    r: &Received,
    received_at: Instant,
) -> Result<EchoReply, Discard> {
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
