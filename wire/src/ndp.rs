//! IPv6 neighbour discovery (RFC 4861): neighbour solicitations, to probe
//! or resolve a neighbour, and unsolicited neighbour advertisements, the
//! IPv6 counterpart of gratuitous ARP after a failover.
//!
//! ```text
//! Ethernet: dst MAC | src MAC | type 0x86dd
//! IPv6:     40-byte header, next header 58 (ICMPv6), hop limit 255
//! ICMPv6:   type 135 (NS) / 136 (NA) | code 0 | checksum
//!           NS: reserved (4)             NA: R S O flags, reserved (4)
//!           target address (16)
//!           option: type 1 (source) / 2 (target) link-layer address,
//!                   length 1 (× 8 bytes), MAC (6)
//! ```
//!
//! A solicitation goes to the target's solicited-node multicast group
//! (`ff02::1:ffXX:XXXX`, the target's last 24 bits) and that group's
//! Ethernet address (`33:33:ff:XX:XX:XX`, RFC 2464 §7), carrying our
//! link-layer address. An unsolicited advertisement goes to all nodes
//! (`ff02::1`, `33:33:00:00:00:01`) with Override set and Solicited and
//! Router clear (RFC 4861 §7.2.6), carrying the new link-layer address.
//!
//! The codecs are smoltcp's (`EthernetFrame`, `Ipv6Packet`, `Icmpv6Repr`,
//! `NdiscRepr`). Frame emitters fill in the checksum. The message-only
//! emitters are for raw `IPPROTO_ICMPV6` sockets, where the kernel computes
//! the checksum (so it is left 0) and the caller must set the hop limit to
//! 255 (`IPV6_MULTICAST_HOPS`/`IPV6_UNICAST_HOPS`), or receivers drop the
//! message.
//!
//! [`parse_ndp_frame`] applies the receiver checks of RFC 4861 §7.1.1 and
//! §7.1.2: hop limit 255, valid checksum, code 0, at least 24 bytes,
//! non-multicast target, options of nonzero length that fit, a solicitation
//! from `::` only to a solicited-node group and without a source
//! link-layer option, and no Solicited flag on an advertisement to a
//! multicast group.

use std::net::Ipv6Addr;

use smoltcp::wire::{
    EthernetFrame, EthernetProtocol, EthernetRepr, Icmpv6Message, Icmpv6Packet,
    Icmpv6Repr, IpProtocol, Ipv6Packet, Ipv6Repr, NdiscNeighborFlags,
    NdiscRepr, RawHardwareAddress, ETHERNET_HEADER_LEN, IPV6_HEADER_LEN,
};

use crate::echo::emit_icmpv6;
use crate::{MacAddr, WireError};

/// The hop limit every neighbour discovery message is sent with and must
/// arrive with.
pub const NDP_HOP_LIMIT: u8 = 255;

/// Length of an NS or NA without options.
const NDP_MIN_LEN: usize = 24;

/// `ff02::1`, all nodes on the link.
const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);

/// The flags of a neighbour advertisement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct NaFlags {
    /// R: the sender is a router.
    pub router: bool,
    /// S: sent in response to a solicitation.
    pub solicited: bool,
    /// O: the advertisement should override an existing cache entry.
    pub override_: bool,
}

/// A neighbour solicitation or advertisement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NdpMessage {
    /// Who has `target`? (Type 135.)
    NeighborSolicit {
        /// The address being resolved or probed.
        target: Ipv6Addr,
        /// The source link-layer address option, if present.
        source_mac: Option<MacAddr>,
    },
    /// `target` is at `target_mac`. (Type 136.)
    NeighborAdvert {
        /// The address being advertised.
        target: Ipv6Addr,
        /// Router, Solicited, Override.
        flags: NaFlags,
        /// The target link-layer address option, if present.
        target_mac: Option<MacAddr>,
    },
}

/// An Ethernet frame carrying a neighbour discovery message. The IPv6 hop
/// limit is always 255 and so is not a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NdpFrame {
    /// Ethernet source address.
    pub eth_src: MacAddr,
    /// Ethernet destination address.
    pub eth_dst: MacAddr,
    /// IPv6 source address.
    pub ip_src: Ipv6Addr,
    /// IPv6 destination address.
    pub ip_dst: Ipv6Addr,
    /// The message.
    pub message: NdpMessage,
}

/// The solicited-node multicast group of `addr` (RFC 4291 §2.7.1):
/// `ff02::1:ff00:0/104` followed by the last 24 bits of `addr`.
pub const fn solicited_node_multicast(addr: Ipv6Addr) -> Ipv6Addr {
    let o = addr.octets();
    Ipv6Addr::new(
        0xff02,
        0,
        0,
        0,
        0,
        1,
        0xff00 | o[13] as u16,
        (o[14] as u16) << 8 | o[15] as u16,
    )
}

/// A neighbour solicitation frame from `src_mac`/`src_ip` for `target_ip`,
/// to the target's solicited-node group, with a source link-layer option.
/// If `src_ip` is `::` (duplicate address detection) the option is left
/// out, as RFC 4861 §4.3 requires.
pub fn emit_neighbor_solicitation_frame(
    src_mac: MacAddr,
    src_ip: Ipv6Addr,
    target_ip: Ipv6Addr,
) -> Vec<u8> {
    let group = solicited_node_multicast(target_ip);
    emit_ndp_frame(&NdpFrame {
        eth_src: src_mac,
        eth_dst: MacAddr::ipv6_multicast(group),
        ip_src: src_ip,
        ip_dst: group,
        message: NdpMessage::NeighborSolicit {
            target: target_ip,
            source_mac: (!src_ip.is_unspecified()).then_some(src_mac),
        },
    })
}

/// An unsolicited neighbour advertisement frame announcing that `ip` is at
/// `mac`: from `ip` to `ff02::1`, Override set, Solicited and Router clear,
/// with a target link-layer option.
pub fn emit_unsolicited_na_frame(mac: MacAddr, ip: Ipv6Addr) -> Vec<u8> {
    emit_ndp_frame(&NdpFrame {
        eth_src: mac,
        eth_dst: MacAddr::ipv6_multicast(ALL_NODES),
        ip_src: ip,
        ip_dst: ALL_NODES,
        message: unsolicited_na(mac, ip),
    })
}

/// The ICMPv6 part of [`emit_neighbor_solicitation_frame`], for a raw
/// ICMPv6 socket bound to a (specified) source address: checksum 0, source
/// link-layer option included. Send it to
/// [`solicited_node_multicast`]`(target)` with hop limit 255.
pub fn emit_neighbor_solicitation(
    src_mac: MacAddr,
    target: Ipv6Addr,
) -> Vec<u8> {
    emit_ndp_message(
        &NdpMessage::NeighborSolicit {
            target,
            source_mac: Some(src_mac),
        },
        None,
    )
}

/// The ICMPv6 part of [`emit_unsolicited_na_frame`], for a raw ICMPv6
/// socket: checksum 0. Send it to `ff02::1` with hop limit 255.
pub fn emit_unsolicited_na(mac: MacAddr, target: Ipv6Addr) -> Vec<u8> {
    emit_ndp_message(&unsolicited_na(mac, target), None)
}

/// Any neighbour discovery frame, hop limit 255, checksum filled in; the
/// inverse of [`parse_ndp_frame`].
pub fn emit_ndp_frame(frame: &NdpFrame) -> Vec<u8> {
    let icmp =
        emit_ndp_message(&frame.message, Some((frame.ip_src, frame.ip_dst)));
    let eth = EthernetRepr {
        src_addr: frame.eth_src.into(),
        dst_addr: frame.eth_dst.into(),
        ethertype: EthernetProtocol::Ipv6,
    };
    let ip = Ipv6Repr {
        src_addr: frame.ip_src,
        dst_addr: frame.ip_dst,
        next_header: IpProtocol::Icmpv6,
        payload_len: icmp.len(),
        hop_limit: NDP_HOP_LIMIT,
    };
    let mut buf = vec![0; eth.buffer_len() + ip.buffer_len()];
    let mut eth_frame = EthernetFrame::new_unchecked(&mut buf[..]);
    eth.emit(&mut eth_frame);
    ip.emit(&mut Ipv6Packet::new_unchecked(eth_frame.payload_mut()));
    buf.extend_from_slice(&icmp);
    buf
}

/// Parse an Ethernet frame carrying a neighbour solicitation or
/// advertisement, applying RFC 4861's receiver checks (see the module
/// documentation). Ethernet padding after the IPv6 payload is ignored; an
/// IPv6 extension header before the ICMPv6 message is
/// [`WireError::WrongProtocol`].
pub fn parse_ndp_frame(frame: &[u8]) -> Result<NdpFrame, WireError> {
    let eth = EthernetFrame::new_checked(frame).map_err(|_| {
        WireError::Truncated {
            what: "Ethernet header",
            len: frame.len(),
            need: ETHERNET_HEADER_LEN,
        }
    })?;
    if eth.ethertype() != EthernetProtocol::Ipv6 {
        return Err(WireError::UnexpectedEtherType {
            ethertype: eth.ethertype().into(),
            expected: "IPv6",
        });
    }
    let payload = eth.payload();
    if payload.len() < IPV6_HEADER_LEN {
        return Err(WireError::Truncated {
            what: "IPv6 header",
            len: payload.len(),
            need: IPV6_HEADER_LEN,
        });
    }
    let ip = Ipv6Packet::new_unchecked(payload);
    if ip.version() != 6 {
        return Err(WireError::BadIpVersion {
            expected: 6,
            found: ip.version(),
        });
    }
    let ip =
        Ipv6Packet::new_checked(payload).map_err(|_| WireError::Truncated {
            what: "IPv6 packet",
            len: payload.len(),
            need: ip.total_len(),
        })?;
    if ip.next_header() != IpProtocol::Icmpv6 {
        return Err(WireError::WrongProtocol {
            protocol: ip.next_header().into(),
        });
    }
    let (ip_src, ip_dst) = (ip.src_addr(), ip.dst_addr());
    let message =
        parse_ndp_message(ip.payload(), ip_src, ip_dst, ip.hop_limit())?;
    Ok(NdpFrame {
        eth_src: eth.src_addr().into(),
        eth_dst: eth.dst_addr().into(),
        ip_src,
        ip_dst,
        message,
    })
}

/// The unsolicited advertisement of `target` at `mac`.
fn unsolicited_na(mac: MacAddr, target: Ipv6Addr) -> NdpMessage {
    NdpMessage::NeighborAdvert {
        target,
        flags: NaFlags {
            router: false,
            solicited: false,
            override_: true,
        },
        target_mac: Some(mac),
    }
}

/// Emit the ICMPv6 message, checksummed over `addrs` if given.
fn emit_ndp_message(
    message: &NdpMessage,
    addrs: Option<(Ipv6Addr, Ipv6Addr)>,
) -> Vec<u8> {
    let lladdr = |mac: Option<MacAddr>| {
        mac.map(|mac| RawHardwareAddress::from_bytes(&mac.0))
    };
    let repr = match *message {
        NdpMessage::NeighborSolicit { target, source_mac } => {
            NdiscRepr::NeighborSolicit {
                target_addr: target,
                lladdr: lladdr(source_mac),
            }
        }
        NdpMessage::NeighborAdvert {
            target,
            flags,
            target_mac,
        } => {
            let mut bits = NdiscNeighborFlags::empty();
            bits.set(NdiscNeighborFlags::ROUTER, flags.router);
            bits.set(NdiscNeighborFlags::SOLICITED, flags.solicited);
            bits.set(NdiscNeighborFlags::OVERRIDE, flags.override_);
            NdiscRepr::NeighborAdvert {
                flags: bits,
                target_addr: target,
                lladdr: lladdr(target_mac),
            }
        }
    };
    emit_icmpv6(&Icmpv6Repr::Ndisc(repr), addrs)
}

/// Parse and validate the ICMPv6 part of an NDP frame.
fn parse_ndp_message(
    icmp: &[u8],
    src: Ipv6Addr,
    dst: Ipv6Addr,
    hop_limit: u8,
) -> Result<NdpMessage, WireError> {
    if icmp.len() < 4 {
        return Err(WireError::Truncated {
            what: "ICMPv6 header",
            len: icmp.len(),
            need: 4,
        });
    }
    // Four bytes are there: type, code and checksum can be read.
    let packet = Icmpv6Packet::new_unchecked(icmp);
    let icmp_type = u8::from(packet.msg_type());
    if !matches!(
        packet.msg_type(),
        Icmpv6Message::NeighborSolicit | Icmpv6Message::NeighborAdvert
    ) {
        return Err(WireError::NotNeighborDiscovery { icmp_type });
    }
    if hop_limit != NDP_HOP_LIMIT {
        return Err(WireError::BadHopLimit { hop_limit });
    }
    if !packet.verify_checksum(&src, &dst) {
        return Err(WireError::BadChecksum { protocol: "ICMPv6" });
    }
    if packet.msg_code() != 0 {
        return Err(WireError::BadCode {
            icmp_type,
            code: packet.msg_code(),
        });
    }
    if icmp.len() < NDP_MIN_LEN {
        return Err(WireError::Truncated {
            what: "neighbour discovery message",
            len: icmp.len(),
            need: NDP_MIN_LEN,
        });
    }
    let packet =
        Icmpv6Packet::new_checked(icmp).map_err(|_| WireError::Truncated {
            what: "neighbour discovery message",
            len: icmp.len(),
            need: NDP_MIN_LEN,
        })?;
    // NdiscRepr rejects options of length 0 and options that run past the
    // end of the message; options it does not know are skipped.
    let repr =
        NdiscRepr::parse(&packet).map_err(|_| WireError::BadNdpOption)?;
    match repr {
        NdiscRepr::NeighborSolicit {
            target_addr,
            lladdr,
        } => {
            check_target(target_addr)?;
            if src.is_unspecified() {
                if !is_solicited_node_multicast(dst) {
                    return Err(WireError::NdpRule {
                        rule: "a solicitation from :: must go to a \
                               solicited-node multicast group",
                    });
                }
                if lladdr.is_some() {
                    return Err(WireError::NdpRule {
                        rule: "a solicitation from :: must not carry a \
                               source link-layer address",
                    });
                }
            }
            Ok(NdpMessage::NeighborSolicit {
                target: target_addr,
                source_mac: lladdr.map(mac_from_option).transpose()?,
            })
        }
        NdiscRepr::NeighborAdvert {
            flags,
            target_addr,
            lladdr,
        } => {
            check_target(target_addr)?;
            let flags = NaFlags {
                router: flags.contains(NdiscNeighborFlags::ROUTER),
                solicited: flags.contains(NdiscNeighborFlags::SOLICITED),
                override_: flags.contains(NdiscNeighborFlags::OVERRIDE),
            };
            if dst.is_multicast() && flags.solicited {
                return Err(WireError::NdpRule {
                    rule: "an advertisement to a multicast group must not \
                           have the Solicited flag",
                });
            }
            Ok(NdpMessage::NeighborAdvert {
                target: target_addr,
                flags,
                target_mac: lladdr.map(mac_from_option).transpose()?,
            })
        }
        _ => Err(WireError::NotNeighborDiscovery { icmp_type }),
    }
}

/// RFC 4861 §7.1: the target of an NS or NA is never multicast.
fn check_target(target: Ipv6Addr) -> Result<(), WireError> {
    if target.is_multicast() {
        return Err(WireError::MulticastTarget { target });
    }
    Ok(())
}

/// Whether `addr` is in `ff02::1:ff00:0/104`.
fn is_solicited_node_multicast(addr: Ipv6Addr) -> bool {
    solicited_node_multicast(addr) == addr
}

/// The Ethernet address in a link-layer address option.
fn mac_from_option(lladdr: RawHardwareAddress) -> Result<MacAddr, WireError> {
    <[u8; 6]>::try_from(lladdr.as_bytes())
        .map(MacAddr)
        .map_err(|_| WireError::BadLinkLayerAddress { len: lladdr.len() })
}
