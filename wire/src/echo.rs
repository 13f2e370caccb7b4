//! ICMP and ICMPv6 echo messages carrying a probe payload: the probes
//! mpathd sends and the replies it reads back.
//!
//! ```text
//! +--------+--------+-----------------+
//! |  type  |  code  |    checksum     |   type 8/0 (v4), 128/129 (v6)
//! +--------+--------+-----------------+
//! |    identifier   | sequence number |
//! +-----------------+-----------------+
//! |   probe payload (24 bytes, see [`crate::payload`])
//! +------------------------------------
//! ```
//!
//! The header codec is smoltcp's (`Icmpv4Packet`/`Icmpv4Repr`,
//! `Icmpv6Packet`/`Icmpv6Repr`); this module adds our payload and the
//! conventions of raw sockets:
//!
//! * **IPv4 send**: a raw `IPPROTO_ICMP` socket takes the ICMP message
//!   only; the kernel adds the IP header. The ICMP checksum is ours to fill
//!   in, over the ICMP message alone.
//! * **IPv4 receive**: the socket delivers the IP header too. Its header
//!   length (IHL) says where ICMP starts. The total-length field is *not*
//!   used: FreeBSD has historically handed raw sockets `ip_len` in host
//!   byte order and without the header length, so the buffer length is the
//!   only trustworthy length. For the same reason the IPv4 header checksum
//!   is not checked (the kernel did, before it rewrote the fields).
//! * **IPv6**: a raw `IPPROTO_ICMPV6` socket delivers and takes the ICMPv6
//!   message without any IP header. On Linux, FreeBSD and illumos the
//!   kernel computes the checksum on send and verifies it on receive, so
//!   [`emit_icmpv6_echo_request`] leaves it 0. Where the message goes into a
//!   frame we build ourselves, [`emit_icmpv6_echo_request_checksummed`]
//!   fills it in over the pseudo-header.
//!
//! Echo replies are checked in in.mpathd's order: anything but an echo
//! reply is [`WireError::NotEchoReply`] (a raw socket sees all ICMP, and
//! callers drop these silently), then the checksum, then a zero code, then
//! the payload length ([`WireError::TooShort`]) and kind. Matching the
//! identifier, sequence number, nonce and (for IPv6) a link-local source is
//! left to the caller, which knows what it sent.

use std::net::{Ipv4Addr, Ipv6Addr};

use smoltcp::phy::ChecksumCapabilities;
use smoltcp::wire::{
    Icmpv4Message, Icmpv4Packet, Icmpv4Repr, Icmpv6Message, Icmpv6Packet,
    Icmpv6Repr, IpProtocol, Ipv4Packet, Ipv4Repr,
};

use crate::{ProbePayload, WireError, PROBE_PAYLOAD_LEN};

/// Length of the ICMP/ICMPv6 echo header (type, code, checksum, id, seq).
pub const ECHO_HEADER_LEN: usize = 8;

/// Length of an echo request carrying our payload (ICMP or ICMPv6).
pub const ECHO_REQUEST_LEN: usize = ECHO_HEADER_LEN + PROBE_PAYLOAD_LEN;

/// Length of the smallest IPv4 header (no options).
const IPV4_MIN_HEADER_LEN: usize = 20;

/// One echo request or reply as mpathd sees it: the echo header fields and
/// our payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EchoProbe {
    /// The echo identifier; in.mpathd uses `(pid & 0xff) << 8 | (ifindex &
    /// 0xff)`.
    pub id: u16,
    /// The echo sequence number.
    pub seq: u16,
    /// The probe payload in the echo data.
    pub payload: ProbePayload,
}

/// An ICMP echo reply as read from a raw IPv4 socket: the addresses and TTL
/// from its IP header, and the probe it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EchoReplyV4 {
    /// Source address: the target that answered (or claims to have).
    pub src: Ipv4Addr,
    /// Destination address: normally our test address.
    pub dst: Ipv4Addr,
    /// The TTL the reply arrived with.
    pub ttl: u8,
    /// The echo fields and payload.
    pub probe: EchoProbe,
}

/// An echo request carrying our payload, as bytes: header and payload,
/// the same length for ICMP and ICMPv6.
pub type EchoRequestBytes = [u8; ECHO_REQUEST_LEN];

/// An ICMP echo request for a raw `IPPROTO_ICMP` socket: the ICMP message
/// only, checksum filled in.
pub fn emit_icmpv4_echo_request(probe: &EchoProbe) -> Vec<u8> {
    let mut out = [0; ECHO_REQUEST_LEN];
    write_icmpv4_echo_request(probe, &mut out);
    out.to_vec()
}

/// [`emit_icmpv4_echo_request`] into `out`, which it overwrites whole,
/// without allocating: a prober sending thousands of probes a second
/// encodes each into a buffer it reuses.
pub fn write_icmpv4_echo_request(
    probe: &EchoProbe,
    out: &mut EchoRequestBytes,
) {
    let data = probe.payload.to_bytes();
    let repr = Icmpv4Repr::EchoRequest {
        ident: probe.id,
        seq_no: probe.seq,
        data: &data,
    };
    // smoltcp writes every byte of an echo request, the checksum too.
    repr.emit(
        &mut Icmpv4Packet::new_unchecked(&mut out[..]),
        &ChecksumCapabilities::default(),
    );
}

/// An ICMPv6 echo request for a raw `IPPROTO_ICMPV6` socket, with the
/// checksum left 0 for the kernel to compute.
pub fn emit_icmpv6_echo_request(probe: &EchoProbe) -> Vec<u8> {
    let mut out = [0; ECHO_REQUEST_LEN];
    write_icmpv6_echo_request(probe, &mut out);
    out.to_vec()
}

/// [`emit_icmpv6_echo_request`] into `out`, which it overwrites whole,
/// without allocating (see [`write_icmpv4_echo_request`]).
pub fn write_icmpv6_echo_request(
    probe: &EchoProbe,
    out: &mut EchoRequestBytes,
) {
    let data = probe.payload.to_bytes();
    let repr = Icmpv6Repr::EchoRequest {
        ident: probe.id,
        seq_no: probe.seq,
        data: &data,
    };
    // The checksum is set to 0 here, for the kernel to fill in.
    repr.emit(
        &Ipv6Addr::UNSPECIFIED,
        &Ipv6Addr::UNSPECIFIED,
        &mut Icmpv6Packet::new_unchecked(&mut out[..]),
        &ChecksumCapabilities::ignored(),
    );
}

/// An ICMPv6 echo request with its checksum computed over the pseudo-header
/// for `src` → `dst`, for use inside a frame we build ourselves.
pub fn emit_icmpv6_echo_request_checksummed(
    probe: &EchoProbe,
    src: Ipv6Addr,
    dst: Ipv6Addr,
) -> Vec<u8> {
    let data = probe.payload.to_bytes();
    let repr = Icmpv6Repr::EchoRequest {
        ident: probe.id,
        seq_no: probe.seq,
        data: &data,
    };
    emit_icmpv6(&repr, Some((src, dst)))
}

/// The echo reply a target would send for `reply.probe`, as a raw IPv4
/// socket delivers it (a 20-byte IPv4 header, then ICMP, both checksums
/// filled in). The inverse of [`parse_icmpv4_echo_reply`], for fake targets
/// in tests.
pub fn emit_icmpv4_echo_reply(reply: &EchoReplyV4) -> Vec<u8> {
    let data = reply.probe.payload.to_bytes();
    let icmp = emit_icmpv4(&Icmpv4Repr::EchoReply {
        ident: reply.probe.id,
        seq_no: reply.probe.seq,
        data: &data,
    });
    let ip = Ipv4Repr {
        src_addr: reply.src,
        dst_addr: reply.dst,
        next_header: IpProtocol::Icmp,
        payload_len: icmp.len(),
        hop_limit: reply.ttl,
    };
    let mut buf = vec![0; ip.buffer_len()];
    ip.emit(
        &mut Ipv4Packet::new_unchecked(&mut buf[..]),
        &ChecksumCapabilities::default(),
    );
    buf.extend_from_slice(&icmp);
    buf
}

/// The ICMPv6 echo reply a target at `src` would send to `dst` for
/// `probe`, checksum filled in. The inverse of [`parse_icmpv6_echo_reply`],
/// for fake targets in tests.
pub fn emit_icmpv6_echo_reply(
    probe: &EchoProbe,
    src: Ipv6Addr,
    dst: Ipv6Addr,
) -> Vec<u8> {
    let data = probe.payload.to_bytes();
    let repr = Icmpv6Repr::EchoReply {
        ident: probe.id,
        seq_no: probe.seq,
        data: &data,
    };
    emit_icmpv6(&repr, Some((src, dst)))
}

/// Parse an ICMP echo reply as a raw IPv4 socket delivers it: IPv4 header
/// (with options, if any) followed by the ICMP message.
///
/// The IP total-length field and header checksum are ignored (see the
/// module documentation); the ICMP checksum is verified.
pub fn parse_icmpv4_echo_reply(buf: &[u8]) -> Result<EchoReplyV4, WireError> {
    if buf.len() < IPV4_MIN_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "IPv4 header",
            len: buf.len(),
            need: IPV4_MIN_HEADER_LEN,
        });
    }
    // Every accessor used below reads only the first 20 bytes, which are
    // there. `new_checked` is not used because it trusts the total length.
    let ip = Ipv4Packet::new_unchecked(buf);
    if ip.version() != 4 {
        return Err(WireError::BadIpVersion {
            expected: 4,
            found: ip.version(),
        });
    }
    let header_len = usize::from(ip.header_len());
    let icmp = match buf.get(header_len..) {
        Some(icmp) if header_len >= IPV4_MIN_HEADER_LEN => icmp,
        _ => {
            return Err(WireError::BadIpv4HeaderLength {
                header_len,
                len: buf.len(),
            });
        }
    };
    if ip.next_header() != IpProtocol::Icmp {
        return Err(WireError::WrongProtocol {
            protocol: ip.next_header().into(),
        });
    }
    let probe = parse_icmpv4_echo_reply_message(icmp)?;
    Ok(EchoReplyV4 {
        src: ip.src_addr(),
        dst: ip.dst_addr(),
        ttl: ip.hop_limit(),
        probe,
    })
}

/// Parse an ICMPv6 echo reply as a raw ICMPv6 socket delivers it (no IP
/// header), verifying the checksum over the pseudo-header for `src` →
/// `dst`.
///
/// On a raw socket the kernel has already verified the checksum, and `dst`
/// is only known if the socket is bound to one address (mpathd binds it to
/// the test address) or `IPV6_PKTINFO` is read. Use
/// [`parse_icmpv6_echo_reply_unverified`] when the addresses are not at
/// hand. Checking that `src` is link-local, as in.mpathd does, is the
/// caller's business.
pub fn parse_icmpv6_echo_reply(
    buf: &[u8],
    src: Ipv6Addr,
    dst: Ipv6Addr,
) -> Result<EchoProbe, WireError> {
    parse_icmpv6(buf, Some((src, dst)))
}

/// [`parse_icmpv6_echo_reply`] without the checksum check, for messages
/// whose checksum the kernel has already verified (raw `IPPROTO_ICMPV6`
/// sockets on Linux, FreeBSD and illumos always do).
pub fn parse_icmpv6_echo_reply_unverified(
    buf: &[u8],
) -> Result<EchoProbe, WireError> {
    parse_icmpv6(buf, None)
}

/// Emit an ICMPv4 message with its checksum.
fn emit_icmpv4(repr: &Icmpv4Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0; repr.buffer_len()];
    repr.emit(
        &mut Icmpv4Packet::new_unchecked(&mut buf[..]),
        &ChecksumCapabilities::default(),
    );
    buf
}

/// Emit an ICMPv6 message, with its checksum over the pseudo-header for
/// `addrs` if given, or with a zero checksum for the kernel to fill in.
pub(crate) fn emit_icmpv6(
    repr: &Icmpv6Repr<'_>,
    addrs: Option<(Ipv6Addr, Ipv6Addr)>,
) -> Vec<u8> {
    let mut buf = vec![0; repr.buffer_len()];
    let mut packet = Icmpv6Packet::new_unchecked(&mut buf[..]);
    match addrs {
        Some((src, dst)) => {
            repr.emit(&src, &dst, &mut packet, &ChecksumCapabilities::default())
        }
        None => repr.emit(
            &Ipv6Addr::UNSPECIFIED,
            &Ipv6Addr::UNSPECIFIED,
            &mut packet,
            &ChecksumCapabilities::ignored(),
        ),
    }
    buf
}

/// The ICMP part of [`parse_icmpv4_echo_reply`].
fn parse_icmpv4_echo_reply_message(
    icmp: &[u8],
) -> Result<EchoProbe, WireError> {
    let packet =
        Icmpv4Packet::new_checked(icmp).map_err(|_| WireError::Truncated {
            what: "ICMP echo header",
            len: icmp.len(),
            need: ECHO_HEADER_LEN,
        })?;
    let icmp_type = u8::from(packet.msg_type());
    if packet.msg_type() != Icmpv4Message::EchoReply {
        return Err(WireError::NotEchoReply { icmp_type });
    }
    if !packet.verify_checksum() {
        return Err(WireError::BadChecksum { protocol: "ICMP" });
    }
    if packet.msg_code() != 0 {
        return Err(WireError::BadCode {
            icmp_type,
            code: packet.msg_code(),
        });
    }
    // Checksum and code are checked above, so this only fails if smoltcp
    // disagrees that this is an echo reply.
    match Icmpv4Repr::parse(&packet, &ChecksumCapabilities::ignored()) {
        Ok(Icmpv4Repr::EchoReply {
            ident,
            seq_no,
            data,
        }) => Ok(EchoProbe {
            id: ident,
            seq: seq_no,
            payload: ProbePayload::parse(data)?,
        }),
        _ => Err(WireError::NotEchoReply { icmp_type }),
    }
}

/// Shared body of the two ICMPv6 echo reply parsers.
fn parse_icmpv6(
    buf: &[u8],
    addrs: Option<(Ipv6Addr, Ipv6Addr)>,
) -> Result<EchoProbe, WireError> {
    if buf.len() < ECHO_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "ICMPv6 echo header",
            len: buf.len(),
            need: ECHO_HEADER_LEN,
        });
    }
    // Eight bytes are there, which is all the echo accessors need.
    let packet = Icmpv6Packet::new_unchecked(buf);
    let icmp_type = u8::from(packet.msg_type());
    if packet.msg_type() != Icmpv6Message::EchoReply {
        return Err(WireError::NotEchoReply { icmp_type });
    }
    let (src, dst) =
        addrs.unwrap_or((Ipv6Addr::UNSPECIFIED, Ipv6Addr::UNSPECIFIED));
    if addrs.is_some() && !packet.verify_checksum(&src, &dst) {
        return Err(WireError::BadChecksum { protocol: "ICMPv6" });
    }
    if packet.msg_code() != 0 {
        return Err(WireError::BadCode {
            icmp_type,
            code: packet.msg_code(),
        });
    }
    match Icmpv6Repr::parse(
        &src,
        &dst,
        &packet,
        &ChecksumCapabilities::ignored(),
    ) {
        Ok(Icmpv6Repr::EchoReply {
            ident,
            seq_no,
            data,
        }) => Ok(EchoProbe {
            id: ident,
            seq: seq_no,
            payload: ProbePayload::parse(data)?,
        }),
        _ => Err(WireError::NotEchoReply { icmp_type }),
    }
}
