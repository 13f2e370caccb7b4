//! Nothing in the parser may panic, whatever the bytes.

use proptest::prelude::*;

use super::addr::ifaddrmsg;
use super::*;
use crate::linux::netlink::abi::*;

/// Every parser, on everything `bytes` holds.
fn parse_everything(bytes: &[u8]) {
    for raw in messages(bytes).flatten() {
        let _ = raw.parse();
    }
    for kind in [RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE] {
        let _ = LinkMsg::parse(kind, bytes);
        let _ = AddrMsg::parse(kind, bytes);
        let _ = RouteMsg::parse(kind, bytes);
    }
    for attr in attr::attrs(bytes).flatten() {
        let _ = (attr.u8(), attr.u32(), attr.string());
        let _ = (attr.ip(AF_INET), attr.ip(AF_INET6));
    }
}

/// The message types we parse, and a few we do not.
fn kinds() -> impl Strategy<Value = u16> {
    prop::sample::select(vec![
        NLMSG_NOOP,
        NLMSG_ERROR,
        NLMSG_DONE,
        NLMSG_OVERRUN,
        RTM_NEWLINK,
        RTM_DELLINK,
        RTM_NEWADDR,
        RTM_DELADDR,
        RTM_NEWROUTE,
        RTM_DELROUTE,
        28,
    ])
}

/// Attributes with plausible types (ours and neighbours) and random
/// payloads, each with a correct or a random length field.
fn attr_list() -> impl Strategy<Value = Vec<u8>> {
    let one = (
        0u16..40,
        prop::collection::vec(any::<u8>(), 0..24),
        any::<Option<u16>>(),
    );
    prop::collection::vec(one, 0..8).prop_map(|list| {
        let mut out = Vec::new();
        for (kind, payload, bad_len) in list {
            let len = u16::try_from(payload.len() + 4).unwrap();
            out.extend(bad_len.unwrap_or(len).to_ne_bytes());
            out.extend(kind.to_ne_bytes());
            out.extend(payload);
            out.resize(out.len().next_multiple_of(4), 0);
        }
        out
    })
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        parse_everything(&bytes);
    }

    /// Well-formed headers around random fixed headers and attributes,
    /// to get past the length checks into the typed parsers.
    #[test]
    fn plausible_messages_never_panic(
        kind in kinds(),
        family in prop::sample::select(vec![0u8, 2, 10, 45]),
        fixed in prop::collection::vec(any::<u8>(), 0..20),
        attrs in attr_list(),
        bad_len in any::<Option<u32>>(),
    ) {
        let mut payload = fixed;
        if let Some(first) = payload.first_mut() {
            *first = family;
        }
        payload.resize(payload.len().next_multiple_of(4), 0);
        payload.extend(attrs);
        let len = u32::try_from(payload.len() + 16).unwrap();
        let mut bytes = Vec::new();
        bytes.extend(bad_len.unwrap_or(len).to_ne_bytes());
        bytes.extend(kind.to_ne_bytes());
        bytes.extend([0u8; 10]);
        bytes.extend(&payload);
        parse_everything(&bytes);
        for kind in [RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE] {
            let _ = LinkMsg::parse(kind, &payload);
            let _ = AddrMsg::parse(kind, &payload);
            let _ = RouteMsg::parse(kind, &payload);
        }
    }

    /// What `add_address` sends parses back to the same address.
    #[test]
    fn address_requests_round_trip(
        v4 in any::<[u8; 4]>(),
        v6 in any::<[u8; 16]>(),
        use_v6: bool,
        len in 0u8..=128,
        index in 1u32..,
        seq: u32,
    ) {
        let (family, addr, len) = if use_v6 {
            (AF_INET6, std::net::IpAddr::from(v6), len)
        } else {
            (AF_INET, std::net::IpAddr::from(v4), len % 33)
        };
        let octets = match addr {
            std::net::IpAddr::V4(a) => a.octets().to_vec(),
            std::net::IpAddr::V6(a) => a.octets().to_vec(),
        };
        let mut request = Request::new(
            RTM_NEWADDR,
            NLM_F_REQUEST,
            &ifaddrmsg(family, len, index),
        );
        request.attr(IFA_ADDRESS, &octets);
        let bytes = request.set_seq(seq).to_vec();
        let raw = messages(&bytes).next().unwrap().unwrap();
        prop_assert_eq!(raw.header.seq, seq);
        let Ok(Message::NewAddr(parsed)) = raw.parse() else {
            return Err(TestCaseError::fail("not an address"));
        };
        prop_assert_eq!(parsed.index, index);
        prop_assert_eq!(parsed.prefix.addr(), addr);
        prop_assert_eq!(parsed.prefix.len(), len);
    }
}
