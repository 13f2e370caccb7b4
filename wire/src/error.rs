//! Why a packet was rejected.
//!
//! Every parser in this crate returns `Result<_, WireError>`. The variants
//! carry the offending field so that a daemon can log a useful line
//! (`probe reply code 3 from 192.0.2.1 on em0`) without re-reading the
//! bytes. Which variants are worth a log line and which are dropped silently
//! is the caller's decision; [`WireError::NotEchoReply`] in particular is the
//! normal fate of every other ICMP message a raw socket sees, and in.mpathd
//! ignores those without a word.
//!
//! Parsing never panics: any byte string yields either a value or one of
//! these errors.

use std::net::Ipv6Addr;

/// A packet or frame that could not be parsed or failed validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The buffer ends before a fixed-size header or structure does.
    #[error("truncated {what}: {len} bytes, need at least {need}")]
    Truncated {
        /// The structure that does not fit.
        what: &'static str,
        /// Bytes available for it.
        len: usize,
        /// Bytes it needs.
        need: usize,
    },

    /// An IP header whose version nibble is not the family we parse.
    #[error("IP version {found} where IPv{expected} was expected")]
    BadIpVersion {
        /// 4 or 6.
        expected: u8,
        /// The version nibble found.
        found: u8,
    },

    /// An IPv4 header length (IHL) below 20 bytes or past the buffer.
    #[error("bad IPv4 header length {header_len} in a {len}-byte packet")]
    BadIpv4HeaderLength {
        /// IHL × 4, in bytes.
        header_len: usize,
        /// Length of the whole buffer.
        len: usize,
    },

    /// The IP protocol (IPv4) or next header (IPv6) is not ICMP or ICMPv6.
    #[error("IP protocol {protocol} where ICMP or ICMPv6 was expected")]
    WrongProtocol {
        /// The protocol or next-header number found.
        protocol: u8,
    },

    /// The Ethernet type is not the one this parser handles.
    #[error("Ethernet type {ethertype:#06x} where {expected} was expected")]
    UnexpectedEtherType {
        /// The EtherType found.
        ethertype: u16,
        /// "ARP" or "IPv6".
        expected: &'static str,
    },

    /// The ICMP or ICMPv6 checksum does not match the message.
    #[error("bad {protocol} checksum")]
    BadChecksum {
        /// "ICMP" or "ICMPv6".
        protocol: &'static str,
    },

    /// An ICMP/ICMPv6 message other than an echo reply. Raw ICMP sockets
    /// deliver every ICMP message; callers drop these silently.
    #[error("ICMP type {icmp_type} is not an echo reply")]
    NotEchoReply {
        /// The type found.
        icmp_type: u8,
    },

    /// An echo reply or NDP message whose code is not 0.
    #[error("ICMP type {icmp_type} with code {code}, expected code 0")]
    BadCode {
        /// The message type.
        icmp_type: u8,
        /// The nonzero code.
        code: u8,
    },

    /// The echo data is shorter than our 24-byte probe payload. Targets
    /// that truncate the echo payload are unusable (in.mpathd: "probe
    /// reply too short").
    #[error(
        "probe reply too short: {len} bytes of echo data, need {need} \
         (the target truncates the echo payload)"
    )]
    TooShort {
        /// Bytes of echo data received.
        len: usize,
        /// [`crate::PROBE_PAYLOAD_LEN`].
        need: usize,
    },

    /// The probe kind tag is none of 0x1234, 0x5678, 0x9abc.
    #[error("unknown probe kind {kind:#x}")]
    UnknownProbeKind {
        /// The tag found.
        kind: u32,
    },

    /// ARP for something other than Ethernet hardware and IPv4 addresses.
    #[error(
        "ARP for hardware type {hardware:#06x} / protocol {protocol:#06x} \
         with {hardware_len}/{protocol_len}-byte addresses; only \
         Ethernet/IPv4 is supported"
    )]
    UnsupportedArp {
        /// Hardware type (1 = Ethernet).
        hardware: u16,
        /// Protocol type (0x0800 = IPv4).
        protocol: u16,
        /// Hardware address length (6 for Ethernet).
        hardware_len: u8,
        /// Protocol address length (4 for IPv4).
        protocol_len: u8,
    },

    /// An ARP operation other than request (1) or reply (2).
    #[error("ARP operation {operation} is neither request nor reply")]
    UnknownArpOperation {
        /// The operation code found.
        operation: u16,
    },

    /// An ICMPv6 message other than a neighbour solicitation or advert.
    #[error(
        "ICMPv6 type {icmp_type} is not a neighbour solicitation or \
         advertisement"
    )]
    NotNeighborDiscovery {
        /// The type found.
        icmp_type: u8,
    },

    /// An NDP message whose hop limit is not 255: it was forwarded by a
    /// router, so it did not originate on this link (RFC 4861 §7.1).
    #[error(
        "neighbour discovery message with hop limit {hop_limit}, need 255 \
         (it did not originate on this link)"
    )]
    BadHopLimit {
        /// The hop limit found.
        hop_limit: u8,
    },

    /// An NDP option with length 0, or one that runs past the message.
    #[error("malformed neighbour discovery option")]
    BadNdpOption,

    /// A link-layer address option whose address is not 6 bytes long.
    #[error("link-layer address option of {len} bytes; Ethernet needs 6")]
    BadLinkLayerAddress {
        /// Length of the address in the option.
        len: usize,
    },

    /// An NS or NA whose target is a multicast address (RFC 4861 §7.1).
    #[error("neighbour discovery target {target} is multicast")]
    MulticastTarget {
        /// The target address.
        target: Ipv6Addr,
    },

    /// An NDP message breaking one of RFC 4861's other §7.1 validity rules;
    /// the field says which.
    #[error("invalid neighbour discovery message: {rule}")]
    NdpRule {
        /// The rule broken, in words.
        rule: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_well() {
        let cases = [
            (
                WireError::TooShort { len: 16, need: 24 },
                "probe reply too short: 16 bytes of echo data, need 24 \
                 (the target truncates the echo payload)",
            ),
            (
                WireError::NotNeighborDiscovery { icmp_type: 128 },
                "ICMPv6 type 128 is not a neighbour solicitation or \
                 advertisement",
            ),
            (
                WireError::UnexpectedEtherType {
                    ethertype: 0x0800,
                    expected: "ARP",
                },
                "Ethernet type 0x0800 where ARP was expected",
            ),
            (
                WireError::UnknownProbeKind { kind: 0x4334 },
                "unknown probe kind 0x4334",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
