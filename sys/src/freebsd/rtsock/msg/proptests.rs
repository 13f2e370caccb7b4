//! Nothing in the parser may panic, whatever the bytes; and what an
//! address message says about a prefix survives the trip through a
//! netmask.

use std::net::IpAddr;

use proptest::prelude::*;

use super::*;
use crate::freebsd::abi::route::{RTA_IFA, RTA_NETMASK};
use crate::freebsd::abi::socket::{AF_INET, AF_INET6, AF_LINK};

/// Every parser, on everything `bytes` holds.
fn parse_everything(bytes: &[u8]) {
    for raw in messages(bytes).flatten() {
        let _ = raw.parse();
        let _ = raw.parse_iflistl();
    }
    let _ = assemble(bytes, bytes);
}

/// The message types we parse, and a few we do not.
fn kinds() -> impl Strategy<Value = u8> {
    prop::sample::select(vec![
        RTM_ADD,
        RTM_DELETE,
        RTM_CHANGE,
        RTM_GET,
        RTM_NEWADDR,
        RTM_DELADDR,
        RTM_IFINFO,
        RTM_IFANNOUNCE,
        7,
        0xf,
    ])
}

/// Socket addresses with plausible families and random bodies, each
/// with a true or a random `sa_len`, padded as the kernel pads them.
fn sockaddrs() -> impl Strategy<Value = Vec<u8>> {
    let one = (
        prop::sample::select(vec![0u8, AF_INET, AF_INET6, AF_LINK, 99]),
        prop::collection::vec(any::<u8>(), 0..60),
        any::<Option<u8>>(),
    );
    prop::collection::vec(one, 0..8).prop_map(|list| {
        let mut out = Vec::new();
        for (family, body, bad_len) in list {
            let len = u8::try_from(body.len() + 2).unwrap();
            let sa_len = bad_len.unwrap_or(len);
            out.push(sa_len);
            out.push(family);
            out.extend(body);
            out.resize(out.len().next_multiple_of(8), 0);
        }
        out
    })
}

/// A netmask of `len` bits for `family`, as a sockaddr cut after its
/// last non-zero byte (the kernel's short form), padded.
fn netmask(family: u8, len: u8) -> Vec<u8> {
    let (at, bytes) = if family == AF_INET { (4, 4) } else { (8, 16) };
    let mut sa = vec![0u8; at + bytes];
    for bit in 0..usize::from(len) {
        sa[at + bit / 8] |= 0x80 >> (bit % 8);
    }
    let used = at + usize::from(len).div_ceil(8);
    sa.truncate(used);
    sa[0] = u8::try_from(used).unwrap();
    sa.resize(used.next_multiple_of(8).max(8), 0);
    sa
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        parse_everything(&bytes);
    }

    /// Well-formed lengths around random headers and addresses, to get
    /// past the length checks into the typed parsers.
    #[test]
    fn plausible_messages_never_panic(
        kind in kinds(),
        version in prop::sample::select(vec![5u8, 5, 5, 4]),
        header in prop::collection::vec(any::<u8>(), 0..200),
        header_len in prop::sample::select(vec![20usize, 24, 152, 168, 176]),
        bits in any::<u8>(),
        sas in sockaddrs(),
        bad_len in any::<Option<u16>>(),
    ) {
        let mut msg = header;
        msg.resize(header_len, 0);
        // The address bits of every header type: ifm_addrs/ifam_addrs
        // at 4, rtm_addrs at 12.
        msg[4..8].copy_from_slice(&i32::from(bits).to_ne_bytes());
        if msg.len() >= 16 {
            msg[12..16].copy_from_slice(&i32::from(bits).to_ne_bytes());
        }
        msg.extend(sas);
        let len = u16::try_from(msg.len()).unwrap();
        msg[0..2].copy_from_slice(&bad_len.unwrap_or(len).to_ne_bytes());
        msg[2] = version;
        msg[3] = kind;
        parse_everything(&msg);
    }

    /// An address message built from a prefix parses back to it, for
    /// either family, with the netmask in its short form.
    #[test]
    fn address_prefixes_round_trip(
        v4 in any::<[u8; 4]>(),
        v6 in any::<[u8; 16]>(),
        use_v6: bool,
        len in 0u8..=128,
        index in 1u16..,
    ) {
        let (family, addr, len) = if use_v6 {
            let mut v6 = v6;
            sockaddr::unembed_scope(&mut v6);
            (AF_INET6, IpAddr::from(v6), len)
        } else {
            (AF_INET, IpAddr::from(v4), len % 33)
        };
        let ifa = match addr {
            IpAddr::V4(a) => {
                let mut sa = vec![16, AF_INET, 0, 0];
                sa.extend(a.octets());
                sa.resize(16, 0);
                sa
            }
            IpAddr::V6(a) => {
                let mut sa = vec![28, AF_INET6, 0, 0, 0, 0, 0, 0];
                sa.extend(a.octets());
                sa.resize(32, 0);
                sa
            }
        };
        let mut msg = vec![0, 0, 5, RTM_NEWADDR];
        msg.extend((RTA_NETMASK | RTA_IFA).to_ne_bytes()); // ifam_addrs
        msg.extend(0i32.to_ne_bytes()); // ifam_flags
        msg.extend(index.to_ne_bytes()); // ifam_index
        msg.extend([0; 2]); // _ifam_spare1
        msg.extend(0i32.to_ne_bytes()); // ifam_metric
        msg.extend(netmask(family, len));
        msg.extend(ifa);
        let total = u16::try_from(msg.len()).unwrap();
        msg[0..2].copy_from_slice(&total.to_ne_bytes());
        let raw = messages(&msg).next().unwrap().unwrap();
        let Ok(Message::NewAddr(parsed)) = raw.parse() else {
            return Err(TestCaseError::fail("not an address"));
        };
        prop_assert_eq!(parsed.index, u32::from(index));
        prop_assert_eq!(parsed.prefix.addr(), addr);
        prop_assert_eq!(parsed.prefix.len(), len);
    }
}
