//! The frames a BPF probe path writes and reads: IPv4 echo requests in
//! Ethernet going out, ARP replies and IPv4 echo replies coming in.
//!
//! Through BPF the daemon is its own IP layer for the probes: it writes
//! the IPv4 header (version 4, no options, DF, identification 0 as
//! FreeBSD sends atomic datagrams, TTL 1, protocol ICMP, checksum) and
//! the Ethernet header, and on receipt does what the kernel would have
//! done before handing a raw socket the packet: check the header and its
//! checksum, drop fragments, cut the Ethernet padding off (the IPv4
//! total length says where the datagram ends).

use std::net::Ipv4Addr;

use mpath_wire::{ArpOp, MacAddr};

use crate::freebsd::abi::bpf::{
    ETHERTYPE_ARP, ETHERTYPE_IP, ETHER_ADDR_LEN, ETHER_HDR_LEN,
    ETHER_TYPE_OFFSET, ICMP_ECHOREPLY, IPPROTO_ICMP, IPVERSION, IP_DF,
    IP_DST_OFFSET, IP_HDR_LEN, IP_LEN_OFFSET, IP_MF, IP_OFFMASK, IP_OFF_OFFSET,
    IP_P_OFFSET, IP_SRC_OFFSET, IP_SUM_OFFSET, IP_TTL_OFFSET,
};

/// The probes' time to live: targets are on-link, and a probe must not
/// be routed anywhere else (in.mpathd sets `IP_TTL` 1 on its sockets).
pub const PROBE_TTL: u8 = 1; // not ABI: in.mpathd's choice

/// The Ethernet destination of an IPv4 destination that needs no ARP: a
/// multicast group's mapped address (RFC 1112 §6.4) or the broadcast
/// address for the limited broadcast 255.255.255.255. `None` for a
/// unicast address, whose link address must be resolved.
pub fn link_destination(dst: Ipv4Addr) -> Option<MacAddr> {
    if dst.is_broadcast() {
        return Some(MacAddr::BROADCAST);
    }
    if dst.is_multicast() {
        let [_, b, c, d] = dst.octets();
        return Some(MacAddr([0x01, 0x00, 0x5e, b & 0x7f, c, d]));
    }
    None
}

/// The Internet checksum (RFC 1071) of `bytes`: the one's complement of
/// their one's complement sum in 16-bit words. Over a header that holds
/// its own correct checksum it is 0.
pub fn internet_checksum(bytes: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    let mut words = bytes.chunks_exact(2);
    for word in &mut words {
        sum += u32::from(u16::from_be_bytes([word[0], word[1]]));
    }
    if let [last] = words.remainder() {
        sum += u32::from(*last) << 8;
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    // The loop leaves a 16-bit value.
    !u16::try_from(sum).unwrap_or(u16::MAX)
}

/// An Ethernet frame from `src_mac` to `dst_mac` carrying an IPv4
/// datagram from `src` to `dst` whose payload is the ICMP message
/// `icmp` (with its checksum, as `mpath_wire` emits it). `None` if the
/// message is too long for one IPv4 datagram.
pub fn ipv4_frame(
    src_mac: MacAddr,
    dst_mac: MacAddr,
    src: Ipv4Addr,
    dst: Ipv4Addr,
    icmp: &[u8],
) -> Option<Vec<u8>> {
    let total = u16::try_from(IP_HDR_LEN + icmp.len()).ok()?;
    let mut frame = Vec::with_capacity(ETHER_HDR_LEN + usize::from(total));
    frame.extend_from_slice(&dst_mac.octets());
    frame.extend_from_slice(&src_mac.octets());
    frame.extend_from_slice(&ETHERTYPE_IP.to_be_bytes());
    let mut ip = [0u8; IP_HDR_LEN];
    // Version and header length in 32-bit words; type of service 0.
    ip[0] = IPVERSION << 4 | (IP_HDR_LEN / 4) as u8;
    ip[IP_LEN_OFFSET..IP_LEN_OFFSET + 2].copy_from_slice(&total.to_be_bytes());
    // Identification 0 (RFC 6864: atomic datagrams), don't fragment.
    let off = IP_OFF_OFFSET..IP_OFF_OFFSET + 2;
    ip[off].copy_from_slice(&IP_DF.to_be_bytes());
    ip[IP_TTL_OFFSET] = PROBE_TTL;
    ip[IP_P_OFFSET] = IPPROTO_ICMP;
    ip[IP_SRC_OFFSET..IP_SRC_OFFSET + 4].copy_from_slice(&src.octets());
    ip[IP_DST_OFFSET..IP_DST_OFFSET + 4].copy_from_slice(&dst.octets());
    let sum = internet_checksum(&ip);
    ip[IP_SUM_OFFSET..IP_SUM_OFFSET + 2].copy_from_slice(&sum.to_be_bytes());
    frame.extend_from_slice(&ip);
    frame.extend_from_slice(icmp);
    Some(frame)
}

/// What a received frame is to a probe path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inbound<'a> {
    /// An ARP reply to our test address: `ip` is at `mac`.
    ArpReply {
        /// The sender's protocol address.
        ip: Ipv4Addr,
        /// The sender's hardware address.
        mac: MacAddr,
    },
    /// An ICMP echo reply to our test address.
    EchoReply(EchoReply<'a>),
    /// Anything else, and why.
    Ignored(&'static str),
}

/// An ICMP echo reply as a raw IPv4 socket would deliver it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EchoReply<'a> {
    /// The IPv4 source address.
    pub src: Ipv4Addr,
    /// The Ethernet source address.
    pub eth_src: MacAddr,
    /// The IPv4 datagram: header (with options, if any) and ICMP
    /// message, without the Ethernet header and padding.
    pub packet: &'a [u8],
    /// The frame held less than the IPv4 total length.
    pub truncated: bool,
}

/// Sorts a received Ethernet frame for the probe path of test address
/// `test`. The checks repeat and extend the kernel filter's
/// ([`Filter::probe`](super::Filter::probe)): they are what a raw socket
/// would have had from the kernel's IPv4 input.
pub fn classify(frame: &[u8], test: Ipv4Addr) -> Inbound<'_> {
    let Some(ethertype) = frame.get(ETHER_TYPE_OFFSET..ETHER_HDR_LEN) else {
        return Inbound::Ignored("shorter than an Ethernet header");
    };
    let ethertype = u16::from_be_bytes([ethertype[0], ethertype[1]]);
    match ethertype {
        ETHERTYPE_ARP => classify_arp(frame, test),
        ETHERTYPE_IP => classify_ipv4(frame, test),
        _ => Inbound::Ignored("neither ARP nor IPv4"),
    }
}

fn classify_arp(frame: &[u8], test: Ipv4Addr) -> Inbound<'_> {
    let Ok(arp) = mpath_wire::parse_arp_frame(frame) else {
        return Inbound::Ignored("not an Ethernet/IPv4 ARP message");
    };
    if arp.op != ArpOp::Reply {
        return Inbound::Ignored("an ARP request");
    }
    if arp.target_ip != test {
        return Inbound::Ignored("an ARP reply to another address");
    }
    let ip = arp.sender_ip;
    let mac = arp.sender_mac;
    if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
        return Inbound::Ignored("an ARP reply from no unicast address");
    }
    if mac.is_multicast() || mac == MacAddr::ZERO {
        return Inbound::Ignored("an ARP reply with no unicast MAC");
    }
    Inbound::ArpReply { ip, mac }
}

fn classify_ipv4(frame: &[u8], test: Ipv4Addr) -> Inbound<'_> {
    let ip = &frame[ETHER_HDR_LEN..];
    let Some(fixed) = ip.get(..IP_HDR_LEN) else {
        return Inbound::Ignored("shorter than an IPv4 header");
    };
    if fixed[0] >> 4 != IPVERSION {
        return Inbound::Ignored("not IPv4");
    }
    let header_len = usize::from(fixed[0] & 0x0f) * 4;
    if header_len < IP_HDR_LEN {
        return Inbound::Ignored("an IPv4 header length below 20");
    }
    let Some(header) = ip.get(..header_len) else {
        return Inbound::Ignored("IPv4 options cut short");
    };
    if internet_checksum(header) != 0 {
        return Inbound::Ignored("a bad IPv4 header checksum");
    }
    let be16 = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
    let total = usize::from(be16(IP_LEN_OFFSET));
    if total < header_len {
        return Inbound::Ignored("an IPv4 total length below the header's");
    }
    if be16(IP_OFF_OFFSET) & (IP_MF | IP_OFFMASK) != 0 {
        return Inbound::Ignored("an IPv4 fragment");
    }
    if header[IP_P_OFFSET] != IPPROTO_ICMP {
        return Inbound::Ignored("not ICMP");
    }
    let addr = |at: usize| {
        Ipv4Addr::new(
            header[at],
            header[at + 1],
            header[at + 2],
            header[at + 3],
        )
    };
    if addr(IP_DST_OFFSET) != test {
        return Inbound::Ignored("ICMP to another address");
    }
    let packet = &ip[..total.min(ip.len())];
    if packet.get(header_len) != Some(&ICMP_ECHOREPLY) {
        return Inbound::Ignored("not an ICMP echo reply");
    }
    let mut eth_src = [0; ETHER_ADDR_LEN];
    eth_src.copy_from_slice(&frame[ETHER_ADDR_LEN..2 * ETHER_ADDR_LEN]);
    Inbound::EchoReply(EchoReply {
        src: addr(IP_SRC_OFFSET),
        eth_src: MacAddr(eth_src),
        packet,
        truncated: total > ip.len(),
    })
}

#[cfg(test)]
mod tests {
    use mpath_wire::{
        emit_arp_frame, emit_icmpv4_echo_reply, emit_icmpv4_echo_request,
        ArpFrame, EchoProbe, EchoReplyV4, ProbeKind, ProbePayload,
    };

    use super::*;

    /// Our test address (not ABI: test data).
    const OURS: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);
    /// The target (not ABI: test data).
    const TARGET: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
    /// Our MAC (not ABI: test data).
    const OUR_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x10]);
    /// The target's MAC (not ABI: test data).
    const TARGET_MAC: MacAddr = MacAddr([0x02, 0, 0, 0, 0, 0x01]);

    fn probe() -> EchoProbe {
        EchoProbe {
            id: 0x4201,
            seq: 7,
            payload: ProbePayload {
                kind: ProbeKind::Uni,
                timestamp_ns: 1_234_567_890,
                // not ABI: test data
                nonce: 0x0123_4567_89ab_cdef,
            },
        }
    }

    /// An echo reply from the target to `dst`, as the target would send
    /// it (IPv4 header by smoltcp), padded to `pad_to` bytes.
    fn reply_frame(dst: Ipv4Addr, pad_to: usize) -> Vec<u8> {
        let ip = emit_icmpv4_echo_reply(&EchoReplyV4 {
            src: TARGET,
            dst,
            ttl: 64,
            probe: probe(),
        });
        let mut frame = OUR_MAC.octets().to_vec();
        frame.extend_from_slice(&TARGET_MAC.octets());
        frame.extend_from_slice(&[0x08, 0x00]);
        frame.extend_from_slice(&ip);
        frame.resize(frame.len().max(pad_to), 0);
        frame
    }

    fn arp_frame(op: ArpOp, target_ip: Ipv4Addr) -> Vec<u8> {
        emit_arp_frame(&ArpFrame {
            eth_src: TARGET_MAC,
            eth_dst: OUR_MAC,
            op,
            sender_mac: TARGET_MAC,
            sender_ip: TARGET,
            target_mac: OUR_MAC,
            target_ip,
        })
    }

    #[test]
    fn the_probe_frame_is_ethernet_ipv4_icmp() {
        let icmp = emit_icmpv4_echo_request(&probe());
        let frame =
            ipv4_frame(OUR_MAC, TARGET_MAC, OURS, TARGET, &icmp).unwrap();
        assert_eq!(frame.len(), 14 + 20 + icmp.len());
        assert_eq!(frame[..6], TARGET_MAC.octets());
        assert_eq!(frame[6..12], OUR_MAC.octets());
        assert_eq!(frame[12..14], [0x08, 0x00]);
        let ip = &frame[14..34];
        assert_eq!(ip[0], 0x45, "version 4, 5 words");
        assert_eq!(ip[1], 0, "type of service");
        assert_eq!(usize::from(u16::from_be_bytes([ip[2], ip[3]])), 52);
        assert_eq!(ip[4..6], [0, 0], "identification");
        assert_eq!(ip[6..8], [0x40, 0x00], "DF, offset 0");
        assert_eq!(ip[8], 1, "TTL");
        assert_eq!(ip[9], 1, "ICMP");
        assert_eq!(ip[12..16], OURS.octets());
        assert_eq!(ip[16..20], TARGET.octets());
        assert_eq!(internet_checksum(ip), 0, "a valid header checksum");
        assert_ne!(ip[10..12], [0, 0]);
        assert_eq!(frame[34..], icmp[..]);
        // What the kernel's raw socket would deliver parses as the probe.
        let parsed = mpath_wire::parse_icmpv4_echo_reply(&frame[14..]);
        assert!(parsed.is_err(), "a request is no reply");
        assert!(ipv4_frame(OUR_MAC, TARGET_MAC, OURS, TARGET, &[0; 65_516])
            .is_none());
        assert!(ipv4_frame(OUR_MAC, TARGET_MAC, OURS, TARGET, &[0; 65_515])
            .is_some());
    }

    #[test]
    fn the_checksum_is_rfc_1071s() {
        // RFC 1071 §3's example: the sum of these words is 0xddf2.
        let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(internet_checksum(&bytes), !0xddf2);
        // An odd length pads with a zero byte.
        assert_eq!(internet_checksum(&[0x12]), !0x1200);
        assert_eq!(internet_checksum(&[]), 0xffff);
        // A header with a known checksum (Wikipedia's example).
        let header = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8,
            0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert_eq!(internet_checksum(&header), 0);
    }

    #[test]
    fn multicast_and_broadcast_need_no_arp() {
        let mac = |a: &str| link_destination(a.parse().unwrap());
        assert_eq!(mac("224.0.0.1"), Some(MacAddr([1, 0, 0x5e, 0, 0, 1])));
        assert_eq!(
            mac("239.255.130.4"),
            Some(MacAddr([1, 0, 0x5e, 0x7f, 130, 4]))
        );
        assert_eq!(mac("255.255.255.255"), Some(MacAddr::BROADCAST));
        assert_eq!(mac("192.0.2.1"), None);
    }

    #[test]
    fn an_echo_reply_comes_out_as_a_raw_socket_would_give_it() {
        let frame = reply_frame(OURS, 0);
        let Inbound::EchoReply(reply) = classify(&frame, OURS) else {
            panic!("{:?}", classify(&frame, OURS));
        };
        assert_eq!(reply.src, TARGET);
        assert_eq!(reply.eth_src, TARGET_MAC);
        assert!(!reply.truncated);
        assert_eq!(reply.packet, &frame[14..]);
        let parsed = mpath_wire::parse_icmpv4_echo_reply(reply.packet);
        assert_eq!(parsed.unwrap().probe, probe());
    }

    #[test]
    fn ethernet_padding_is_cut_off() {
        // A short reply (no payload) padded to the 60-byte minimum.
        let icmp = [0, 0, 0xff, 0xff, 0, 0, 0, 0];
        let mut frame =
            ipv4_frame(TARGET_MAC, OUR_MAC, TARGET, OURS, &icmp).unwrap();
        assert_eq!(frame.len(), 42);
        frame.resize(60, 0xa5);
        let Inbound::EchoReply(reply) = classify(&frame, OURS) else {
            panic!()
        };
        assert_eq!(reply.packet.len(), 28);
        assert!(!reply.truncated);
    }

    #[test]
    fn a_cut_capture_is_truncated() {
        let frame = reply_frame(OURS, 0);
        let cut = &frame[..frame.len() - 5];
        let Inbound::EchoReply(reply) = classify(cut, OURS) else {
            panic!()
        };
        assert!(reply.truncated);
        assert_eq!(reply.packet, &cut[14..]);
    }

    #[test]
    fn options_are_kept_and_skipped() {
        let icmp = [0, 0, 0xff, 0xff, 0, 0, 0, 0];
        let mut frame =
            ipv4_frame(TARGET_MAC, OUR_MAC, TARGET, OURS, &icmp).unwrap();
        // Insert 4 bytes of options (NOPs) and fix the header.
        frame.splice(34..34, [1, 1, 1, 1]);
        frame[14] = 0x46;
        frame[17] = 32;
        frame[24..26].copy_from_slice(&[0, 0]);
        let sum = internet_checksum(&frame[14..38]);
        frame[24..26].copy_from_slice(&sum.to_be_bytes());
        let Inbound::EchoReply(reply) = classify(&frame, OURS) else {
            panic!("{:?}", classify(&frame, OURS))
        };
        assert_eq!(reply.packet.len(), 32);
    }

    #[test]
    fn other_frames_are_ignored_with_a_reason() {
        let ignored = |frame: &[u8]| match classify(frame, OURS) {
            Inbound::Ignored(why) => why,
            other => panic!("{other:?}"),
        };
        let good = reply_frame(OURS, 0);
        assert_eq!(ignored(&good[..13]), "shorter than an Ethernet header");
        assert_eq!(ignored(&good[..30]), "shorter than an IPv4 header");
        assert_eq!(ignored(&reply_frame(TARGET, 0)), "ICMP to another address");
        let mut other_type = good.clone();
        other_type[12] = 0x86;
        other_type[13] = 0xdd;
        assert_eq!(ignored(&other_type), "neither ARP nor IPv4");
        let mut bad_sum = good.clone();
        bad_sum[22] ^= 1;
        assert_eq!(ignored(&bad_sum), "a bad IPv4 header checksum");

        // Edit a header field and fix the checksum.
        let edited = |at: usize, value: u8| {
            let mut frame = good.clone();
            frame[14 + at] = value;
            frame[24..26].copy_from_slice(&[0, 0]);
            let sum = internet_checksum(&frame[14..34]);
            frame[24..26].copy_from_slice(&sum.to_be_bytes());
            frame
        };
        assert_eq!(ignored(&edited(0, 0x65)), "not IPv4");
        assert_eq!(ignored(&edited(0, 0x44)), "an IPv4 header length below 20");
        assert_eq!(ignored(&edited(0, 0x4f)), "IPv4 options cut short");
        assert_eq!(
            ignored(&edited(3, 19)),
            "an IPv4 total length below the header's"
        );
        assert_eq!(ignored(&edited(6, 0x20)), "an IPv4 fragment");
        assert_eq!(ignored(&edited(7, 0x01)), "an IPv4 fragment");
        assert_eq!(ignored(&edited(9, 17)), "not ICMP");
        let mut request = good.clone();
        request[34] = 8;
        assert_eq!(ignored(&request), "not an ICMP echo reply");
        // A DF flag is fine.
        assert!(matches!(
            classify(&edited(6, 0x40), OURS),
            Inbound::EchoReply(_)
        ));

        assert_eq!(ignored(&arp_frame(ArpOp::Request, OURS)), "an ARP request");
        assert_eq!(
            ignored(&arp_frame(ArpOp::Reply, TARGET)),
            "an ARP reply to another address"
        );
        let mut arp = arp_frame(ArpOp::Reply, OURS);
        arp[14] = 6;
        assert_eq!(ignored(&arp), "not an Ethernet/IPv4 ARP message");
        let mut arp = arp_frame(ArpOp::Reply, OURS);
        arp[22] = 1;
        assert_eq!(ignored(&arp), "an ARP reply with no unicast MAC");
        let mut arp = arp_frame(ArpOp::Reply, OURS);
        arp[28..32].copy_from_slice(&[0, 0, 0, 0]);
        assert_eq!(ignored(&arp), "an ARP reply from no unicast address");
    }

    #[test]
    fn an_arp_reply_to_us_teaches_the_senders_mac() {
        let mut frame = arp_frame(ArpOp::Reply, OURS);
        frame.resize(60, 0);
        assert_eq!(
            classify(&frame, OURS),
            Inbound::ArpReply {
                ip: TARGET,
                mac: TARGET_MAC
            }
        );
    }
}
