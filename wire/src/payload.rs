//! The probe payload: what we put in the data of an ICMP/ICMPv6 echo
//! request, and what a well-behaved target copies back in its reply.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              timestamp (u64 ns, sender's monotonic             |  0
//! +                    clock at send time)                        +
//! |                                                               |  4
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              kind (u32: 0x1234 Uni, 0x5678 Multi, 0x9abc Rtt)  |  8
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              reserved: 0 when sent, ignored when received      | 12
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |              nonce (u64, random per probe)                     | 16
//! +                                                               +
//! |                                                               | 20
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! All fields are big-endian; 24 bytes in all.
//!
//! Why this layout: the first 12 bytes are the fields in.mpathd puts after
//! the ICMP header (a 64-bit nanosecond timestamp, then the 32-bit
//! `PROBE_UNI`/`PROBE_MULTI`/`PROBE_RTT` tag), and bytes 12..16 stand where
//! a 64-bit build pads its 20-byte probe struct to 24, so a packet capture
//! reads like one of illumos's. The timestamp lets an RTT probe's round
//! trip be measured from the reply alone, without any per-probe state.
//! The nonce is ours: a reply must echo a value an off-path host cannot
//! guess, which makes forging a "target is alive" reply much harder than
//! guessing a 16-bit id and sequence number.
//!
//! A reply whose data is shorter than 24 bytes is rejected with
//! [`WireError::TooShort`]: as in.mpathd says, targets that truncate the echo
//! payload are unusable. Data beyond 24 bytes is ignored.

use crate::WireError;

/// Length of the probe payload in bytes.
pub const PROBE_PAYLOAD_LEN: usize = 24;

/// What a probe is for; in.mpathd's `PROBE_UNI`, `PROBE_MULTI` and
/// `PROBE_RTT` tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// A failure-detection probe to one target; its replies count.
    Uni,
    /// A probe to the all-nodes multicast address, to discover targets.
    Multi,
    /// An extra probe used only to measure round-trip time.
    Rtt,
}

impl ProbeKind {
    /// The 32-bit tag carried on the wire.
    pub const fn tag(self) -> u32 {
        match self {
            ProbeKind::Uni => 0x1234,
            ProbeKind::Multi => 0x5678,
            ProbeKind::Rtt => 0x9abc,
        }
    }

    /// The kind for a wire tag, if it is one of ours.
    pub const fn from_tag(tag: u32) -> Option<ProbeKind> {
        match tag {
            0x1234 => Some(ProbeKind::Uni),
            0x5678 => Some(ProbeKind::Multi),
            0x9abc => Some(ProbeKind::Rtt),
            _ => None,
        }
    }
}

/// The decoded probe payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProbePayload {
    /// What the probe is for.
    pub kind: ProbeKind,
    /// The sender's monotonic clock, in nanoseconds, when it sent the probe.
    pub timestamp_ns: u64,
    /// A random value chosen per probe; a genuine reply echoes it.
    pub nonce: u64,
}

impl ProbePayload {
    /// The 24 bytes that go into the echo data.
    pub fn to_bytes(&self) -> [u8; PROBE_PAYLOAD_LEN] {
        let mut out = [0; PROBE_PAYLOAD_LEN];
        out[0..8].copy_from_slice(&self.timestamp_ns.to_be_bytes());
        out[8..12].copy_from_slice(&self.kind.tag().to_be_bytes());
        // 12..16 stay zero: reserved.
        out[16..24].copy_from_slice(&self.nonce.to_be_bytes());
        out
    }

    /// Decode echo data. `data` may be longer than 24 bytes; the excess is
    /// ignored. The reserved bytes 12..16 are not checked.
    pub fn parse(data: &[u8]) -> Result<ProbePayload, WireError> {
        let too_short = WireError::TooShort {
            len: data.len(),
            need: PROBE_PAYLOAD_LEN,
        };
        let timestamp = chunk::<8>(data, 0).ok_or(too_short)?;
        let tag = chunk::<4>(data, 8).ok_or(too_short)?;
        let nonce = chunk::<8>(data, 16).ok_or(too_short)?;
        let tag = u32::from_be_bytes(tag);
        let kind = ProbeKind::from_tag(tag)
            .ok_or(WireError::UnknownProbeKind { kind: tag })?;
        Ok(ProbePayload {
            kind,
            timestamp_ns: u64::from_be_bytes(timestamp),
            nonce: u64::from_be_bytes(nonce),
        })
    }
}

/// `N` bytes of `data` starting at `at`, or `None` if they are not all
/// there.
fn chunk<const N: usize>(data: &[u8], at: usize) -> Option<[u8; N]> {
    data.get(at..)?.first_chunk::<N>().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_in_mpathds() {
        assert_eq!(ProbeKind::Uni.tag(), 0x1234);
        assert_eq!(ProbeKind::Multi.tag(), 0x5678);
        assert_eq!(ProbeKind::Rtt.tag(), 0x9abc);
        for kind in [ProbeKind::Uni, ProbeKind::Multi, ProbeKind::Rtt] {
            assert_eq!(ProbeKind::from_tag(kind.tag()), Some(kind));
        }
        assert_eq!(ProbeKind::from_tag(0), None);
    }

    #[test]
    fn layout() {
        let payload = ProbePayload {
            kind: ProbeKind::Rtt,
            timestamp_ns: 0x0102_0304_0506_0708,
            nonce: 0x1112_1314_1516_1718,
        };
        let bytes = payload.to_bytes();
        assert_eq!(
            bytes,
            [
                1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0x9a, 0xbc, 0, 0, 0, 0, 0x11,
                0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18
            ]
        );
        assert_eq!(ProbePayload::parse(&bytes), Ok(payload));
    }

    #[test]
    fn reserved_bytes_and_trailing_data_are_ignored() {
        let payload = ProbePayload {
            kind: ProbeKind::Multi,
            timestamp_ns: 7,
            nonce: 9,
        };
        let mut bytes = payload.to_bytes().to_vec();
        bytes[12..16].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        bytes.extend_from_slice(b"padding");
        assert_eq!(ProbePayload::parse(&bytes), Ok(payload));
    }

    #[test]
    fn short_data_is_too_short_even_with_a_bad_kind() {
        for len in 0..PROBE_PAYLOAD_LEN {
            assert_eq!(
                ProbePayload::parse(&[0xff; PROBE_PAYLOAD_LEN][..len]),
                Err(WireError::TooShort { len, need: 24 })
            );
        }
        assert_eq!(
            ProbePayload::parse(&[0xff; PROBE_PAYLOAD_LEN]),
            Err(WireError::UnknownProbeKind { kind: 0xffff_ffff })
        );
    }
}
