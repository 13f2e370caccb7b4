//! Ethernet frames carrying ARP for IPv4 (RFC 826): laggd's per-port
//! probes and the gratuitous ARP announced after a failover.
//!
//! ```text
//! Ethernet: dst MAC (6) | src MAC (6) | type 0x0806 (2)
//! ARP:      htype 1 (2) | ptype 0x0800 (2) | hlen 6 (1) | plen 4 (1)
//!           op 1=request 2=reply (2)
//!           sender MAC (6) | sender IP (4) | target MAC (6) | target IP (4)
//! ```
//!
//! 42 bytes in all. Frames are emitted at that length, without padding to
//! the 60-byte Ethernet minimum: the driver pads short frames on transmit,
//! as it does for arping(8). Received frames usually arrive padded; bytes
//! past the ARP message are ignored.
//!
//! The codec is smoltcp's (`EthernetFrame`, `ArpPacket`/`ArpRepr`), which
//! handles exactly Ethernet/IPv4 ARP; anything else is
//! [`WireError::UnsupportedArp`].
//!
//! ## Gratuitous ARP: request form
//!
//! [`emit_gratuitous_arp`] sends the *request* form: a broadcast request
//! whose sender and target IP are both the announced address and whose
//! target MAC is zero. This is RFC 5227's "ARP Announcement" (§2.3, and §3
//! explains why a request rather than a reply is recommended: a broadcast
//! request is what every ARP implementation processes, while unsolicited
//! and broadcast replies are handled less uniformly). It is also what the
//! FreeBSD kernel sends when an address is configured
//! (`arp_announce_ifaddr`) and what `arping -U` sends. The reply form
//! (`arping -A`) can be built with [`emit_arp_frame`] if a network ever
//! needs it.

use std::net::Ipv4Addr;

use smoltcp::wire::{
    ArpHardware, ArpOperation, ArpPacket, ArpRepr, EthernetFrame,
    EthernetProtocol, EthernetRepr, ETHERNET_HEADER_LEN,
};

use crate::{MacAddr, WireError};

/// Length of an Ethernet/IPv4 ARP frame, before any padding.
pub const ARP_FRAME_LEN: usize = ETHERNET_HEADER_LEN + ARP_LEN;

/// Length of an Ethernet/IPv4 ARP message.
const ARP_LEN: usize = 28;

/// The ARP operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ArpOp {
    /// Who has `target_ip`? Tell `sender_ip`.
    Request,
    /// `sender_ip` is at `sender_mac`.
    Reply,
}

/// An Ethernet frame carrying an Ethernet/IPv4 ARP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArpFrame {
    /// Ethernet source address.
    pub eth_src: MacAddr,
    /// Ethernet destination address.
    pub eth_dst: MacAddr,
    /// Request or reply.
    pub op: ArpOp,
    /// Sender hardware address. Nothing forces it to equal `eth_src`;
    /// callers that care compare the two.
    pub sender_mac: MacAddr,
    /// Sender protocol address.
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_mac: MacAddr,
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpFrame {
    /// Whether this announces the sender's own address (sender IP equals
    /// target IP), in either the request or the reply form.
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip == self.target_ip
    }
}

/// A broadcast ARP request from `src_mac`/`src_ip` asking for `target_ip`.
pub fn emit_arp_request(
    src_mac: MacAddr,
    src_ip: Ipv4Addr,
    target_ip: Ipv4Addr,
) -> Vec<u8> {
    emit_arp_frame(&ArpFrame {
        eth_src: src_mac,
        eth_dst: MacAddr::BROADCAST,
        op: ArpOp::Request,
        sender_mac: src_mac,
        sender_ip: src_ip,
        target_mac: MacAddr::ZERO,
        target_ip,
    })
}

/// A gratuitous ARP announcing that `ip` is at `mac`, in the request form
/// (see the module documentation for why).
pub fn emit_gratuitous_arp(mac: MacAddr, ip: Ipv4Addr) -> Vec<u8> {
    emit_arp_request(mac, ip, ip)
}

/// Any Ethernet/IPv4 ARP frame; the inverse of [`parse_arp_frame`].
pub fn emit_arp_frame(frame: &ArpFrame) -> Vec<u8> {
    let eth = EthernetRepr {
        src_addr: frame.eth_src.into(),
        dst_addr: frame.eth_dst.into(),
        ethertype: EthernetProtocol::Arp,
    };
    let arp = ArpRepr::EthernetIpv4 {
        operation: match frame.op {
            ArpOp::Request => ArpOperation::Request,
            ArpOp::Reply => ArpOperation::Reply,
        },
        source_hardware_addr: frame.sender_mac.into(),
        source_protocol_addr: frame.sender_ip,
        target_hardware_addr: frame.target_mac.into(),
        target_protocol_addr: frame.target_ip,
    };
    let mut buf = vec![0; eth.buffer_len() + arp.buffer_len()];
    let mut eth_frame = EthernetFrame::new_unchecked(&mut buf[..]);
    eth.emit(&mut eth_frame);
    arp.emit(&mut ArpPacket::new_unchecked(eth_frame.payload_mut()));
    buf
}

/// Parse an Ethernet frame carrying Ethernet/IPv4 ARP. Trailing padding is
/// ignored; anything that is not ARP, or ARP for other hardware or
/// protocols, or an operation other than request and reply, is an error.
pub fn parse_arp_frame(frame: &[u8]) -> Result<ArpFrame, WireError> {
    let eth = EthernetFrame::new_checked(frame).map_err(|_| {
        WireError::Truncated {
            what: "Ethernet header",
            len: frame.len(),
            need: ETHERNET_HEADER_LEN,
        }
    })?;
    if eth.ethertype() != EthernetProtocol::Arp {
        return Err(WireError::UnexpectedEtherType {
            ethertype: eth.ethertype().into(),
            expected: "ARP",
        });
    }
    let payload = eth.payload();
    // The fixed part (up to the operation) first, so that the header
    // fields can be reported if the address lengths are unsupported.
    const FIXED_LEN: usize = 8;
    if payload.len() < FIXED_LEN {
        return Err(WireError::Truncated {
            what: "ARP header",
            len: payload.len(),
            need: FIXED_LEN,
        });
    }
    let packet = ArpPacket::new_unchecked(payload);
    let unsupported = WireError::UnsupportedArp {
        hardware: packet.hardware_type().into(),
        protocol: packet.protocol_type().into(),
        hardware_len: packet.hardware_len(),
        protocol_len: packet.protocol_len(),
    };
    if packet.hardware_type() != ArpHardware::Ethernet
        || packet.protocol_type() != EthernetProtocol::Ipv4
        || packet.hardware_len() != 6
        || packet.protocol_len() != 4
    {
        return Err(unsupported);
    }
    let packet =
        ArpPacket::new_checked(payload).map_err(|_| WireError::Truncated {
            what: "ARP message",
            len: payload.len(),
            need: ARP_LEN,
        })?;
    // ArpRepr is non-exhaustive, but smoltcp only knows Ethernet/IPv4,
    // which is checked above.
    let Ok(ArpRepr::EthernetIpv4 {
        operation,
        source_hardware_addr,
        source_protocol_addr,
        target_hardware_addr,
        target_protocol_addr,
    }) = ArpRepr::parse(&packet)
    else {
        return Err(unsupported);
    };
    let op = match operation {
        ArpOperation::Request => ArpOp::Request,
        ArpOperation::Reply => ArpOp::Reply,
        other => {
            return Err(WireError::UnknownArpOperation {
                operation: other.into(),
            });
        }
    };
    Ok(ArpFrame {
        eth_src: eth.src_addr().into(),
        eth_dst: eth.dst_addr().into(),
        op,
        sender_mac: source_hardware_addr.into(),
        sender_ip: source_protocol_addr,
        target_mac: target_hardware_addr.into(),
        target_ip: target_protocol_addr,
    })
}
