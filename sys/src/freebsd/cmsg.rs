//! Control messages (`struct cmsghdr` and its data, `sys/socket.h`) as
//! bytes: the `IPV6_PKTINFO` the ICMPv6 probe socket sends with each
//! probe, and the `IPV6_PKTINFO` and `SCM_TIMESTAMP` it receives.
//!
//! They are built and read in safe code over byte slices, with the
//! offsets and lengths of the ABI tables, rather than through the
//! `CMSG_*` pointer macros:
//!
//! ```text
//! | cmsg_len (4) | cmsg_level (4) | cmsg_type (4) | pad | data | pad |
//!   ^ _ALIGN'ed     CMSG_LEN(0) = 16 ---------------^
//!   next header at _ALIGN(cmsg_len)
//! ```

use std::mem::{offset_of, size_of};

use crate::freebsd::abi::bpf::timeval;
use crate::freebsd::abi::icmp6::{
    cmsghdr, in6_pktinfo, _ALIGN, CMSG_DATA_OFFSET, IPPROTO_IPV6, IPV6_PKTINFO,
    PKTINFO_CMSG_LEN, PKTINFO_CMSG_SPACE, SCM_TIMESTAMP,
};
use crate::freebsd::abi::socket::SOL_SOCKET;
use crate::freebsd::bpf::timeval_ns;

/// The `IPV6_PKTINFO` control message that sends a packet out of the
/// interface with index `ifindex`, from the address the socket is bound
/// to (the unspecified address in `ipi6_addr`).
pub(crate) fn pktinfo(ifindex: u32) -> [u8; PKTINFO_CMSG_SPACE] {
    let mut buf = [0u8; PKTINFO_CMSG_SPACE];
    let len = u32::try_from(PKTINFO_CMSG_LEN).unwrap_or(u32::MAX);
    put(&mut buf, offset_of!(cmsghdr, cmsg_len), &len.to_ne_bytes());
    let level = IPPROTO_IPV6.to_ne_bytes();
    put(&mut buf, offset_of!(cmsghdr, cmsg_level), &level);
    let kind = IPV6_PKTINFO.to_ne_bytes();
    put(&mut buf, offset_of!(cmsghdr, cmsg_type), &kind);
    let index = CMSG_DATA_OFFSET + offset_of!(in6_pktinfo, ipi6_ifindex);
    put(&mut buf, index, &ifindex.to_ne_bytes());
    buf
}

fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    buf[at..at + bytes.len()].copy_from_slice(bytes);
}

/// What the received control messages said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Ancillary {
    /// The arrival interface (`IPV6_PKTINFO`).
    pub(crate) ifindex: Option<u32>,
    /// The receive time on the realtime clock, in nanoseconds since the
    /// epoch (`SCM_TIMESTAMP`).
    pub(crate) realtime_ns: Option<i64>,
}

/// Reads the control messages in `control` (the `msg_controllen` bytes
/// `recvmsg` filled in). A message that claims more bytes than there
/// are ends the walk; unknown messages are skipped.
pub(crate) fn parse(control: &[u8]) -> Ancillary {
    let mut found = Ancillary::default();
    let mut at = 0;
    while let Some(header) = control.get(at..at + size_of::<cmsghdr>()) {
        let word = |offset: usize| {
            let mut bytes = [0; 4];
            bytes.copy_from_slice(&header[offset..offset + 4]);
            bytes
        };
        let len = u32::from_ne_bytes(word(offset_of!(cmsghdr, cmsg_len)));
        let level = i32::from_ne_bytes(word(offset_of!(cmsghdr, cmsg_level)));
        let kind = i32::from_ne_bytes(word(offset_of!(cmsghdr, cmsg_type)));
        let Ok(len) = usize::try_from(len) else { break };
        if len < CMSG_DATA_OFFSET {
            break;
        }
        let Some(data) = at
            .checked_add(len)
            .and_then(|end| control.get(at + CMSG_DATA_OFFSET..end))
        else {
            break;
        };
        if (level, kind) == (IPPROTO_IPV6, IPV6_PKTINFO) {
            let index = offset_of!(in6_pktinfo, ipi6_ifindex);
            if let Some(bytes) = data.get(index..index + 4) {
                let mut word = [0; 4];
                word.copy_from_slice(bytes);
                found.ifindex = Some(u32::from_ne_bytes(word));
            }
        } else if (level, kind) == (SOL_SOCKET, SCM_TIMESTAMP)
            && data.len() >= size_of::<timeval>()
        {
            let long = |offset: usize| {
                let mut bytes = [0; 8];
                bytes.copy_from_slice(&data[offset..offset + 8]);
                i64::from_ne_bytes(bytes)
            };
            let sec = long(offset_of!(timeval, tv_sec));
            let usec = long(offset_of!(timeval, tv_usec));
            found.realtime_ns = timeval_ns(sec, usec);
        }
        match at.checked_add(_ALIGN(len)) {
            Some(next) if next > at => at = next,
            _ => break,
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::freebsd::abi::icmp6::{CMSG_LEN, TIMESTAMP_CMSG_SPACE};

    /// A control message as the kernel writes it.
    fn message(level: i32, kind: i32, data: &[u8]) -> Vec<u8> {
        let len = u32::try_from(CMSG_LEN(data.len())).unwrap();
        let mut buf = Vec::new();
        buf.extend_from_slice(&len.to_ne_bytes());
        buf.extend_from_slice(&level.to_ne_bytes());
        buf.extend_from_slice(&kind.to_ne_bytes());
        buf.resize(CMSG_DATA_OFFSET, 0);
        buf.extend_from_slice(data);
        buf.resize(_ALIGN(buf.len()), 0);
        buf
    }

    fn timestamp(sec: i64, usec: i64) -> Vec<u8> {
        let mut data = sec.to_ne_bytes().to_vec();
        data.extend_from_slice(&usec.to_ne_bytes());
        message(SOL_SOCKET, SCM_TIMESTAMP, &data)
    }

    #[test]
    fn the_sizes_are_freebsds() {
        assert_eq!(CMSG_DATA_OFFSET, 16);
        assert_eq!(PKTINFO_CMSG_LEN, 16 + 20);
        assert_eq!(PKTINFO_CMSG_SPACE, 16 + 24);
        assert_eq!(TIMESTAMP_CMSG_SPACE, 32);
    }

    #[test]
    fn pktinfo_is_what_the_kernel_would_write_for_index_and_no_address() {
        let built = pktinfo(7);
        let mut data = [0u8; 20];
        data[16..].copy_from_slice(&7u32.to_ne_bytes());
        assert_eq!(built[..], message(IPPROTO_IPV6, IPV6_PKTINFO, &data)[..]);
        assert_eq!(
            parse(&built),
            Ancillary {
                ifindex: Some(7),
                realtime_ns: None
            }
        );
    }

    #[test]
    fn both_messages_are_read_in_any_order() {
        let mut control = timestamp(1_700_000_000, 250_000);
        control.extend_from_slice(&pktinfo(3));
        let found = parse(&control);
        assert_eq!(found.ifindex, Some(3));
        assert_eq!(found.realtime_ns, Some(1_700_000_000_250_000_000));
        let mut control = pktinfo(4).to_vec();
        control.extend_from_slice(&message(SOL_SOCKET, 99, &[1, 2, 3]));
        control.extend_from_slice(&timestamp(2, 0));
        let found = parse(&control);
        assert_eq!(found.ifindex, Some(4));
        assert_eq!(found.realtime_ns, Some(2_000_000_000));
    }

    #[test]
    fn short_and_lying_messages_are_not_read() {
        assert_eq!(parse(&[]), Ancillary::default());
        let control = pktinfo(3);
        // Cut inside the data: not read.
        assert_eq!(parse(&control[..30]), Ancillary::default());
        // A length below the header's: the walk ends.
        let mut bad = control;
        bad[..4].copy_from_slice(&8u32.to_ne_bytes());
        assert_eq!(parse(&bad), Ancillary::default());
        // A length past the end.
        bad[..4].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert_eq!(parse(&bad), Ancillary::default());
        // A timestamp too short to be one.
        let short = message(SOL_SOCKET, SCM_TIMESTAMP, &[0; 8]);
        assert_eq!(parse(&short), Ancillary::default());
    }
}
