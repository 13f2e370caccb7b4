//! Byte-vector tests, each message written out field by field from the
//! layouts in linux/netlink.h, linux/rtnetlink.h, linux/if_link.h and
//! linux/if_addr.h. Netlink is host-endian, so integers are written with
//! `to_ne_bytes`; addresses are in network order.

use std::net::IpAddr;

use mpath_core::addr::IpPrefix;

use super::addr::ifaddrmsg;
use super::*;
use crate::linux::netlink::abi::*;

fn u16b(v: u16) -> [u8; 2] {
    v.to_ne_bytes()
}

fn u32b(v: u32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// An attribute with its header and padding.
fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(4 + payload.len()).unwrap();
    let mut v = cat(&[&u16b(len), &u16b(kind), payload]);
    v.resize(v.len().next_multiple_of(4), 0);
    v
}

/// A message: a header with the right length, then `payload`.
fn message(kind: u16, flags: u16, seq: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(16 + payload.len()).unwrap();
    cat(&[
        &u32b(len),   // nlmsg_len
        &u16b(kind),  // nlmsg_type
        &u16b(flags), // nlmsg_flags
        &u32b(seq),   // nlmsg_seq
        &u32b(4242),  // nlmsg_pid
        payload,
    ])
}

/// The one message in `bytes`, parsed.
fn parse_one(bytes: &[u8]) -> Result<Message, NetlinkError> {
    let mut all = messages(bytes);
    let raw = all.next().expect("no message")?;
    assert!(all.next().is_none(), "more than one message");
    raw.parse()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn prefix(s: &str) -> IpPrefix {
    s.parse().unwrap()
}

// ---- the message iterator ----

#[test]
fn iterates_aligned_messages() {
    // A 17-byte message (one payload byte, then 3 bytes of padding),
    // then a 20-byte one.
    let mut bytes = message(NLMSG_NOOP, 0, 1, &[0xaa]);
    bytes.extend_from_slice(&[0, 0, 0]);
    bytes.extend(message(NLMSG_DONE, NLM_F_MULTI, 2, &0i32.to_ne_bytes()));
    let all: Vec<_> = messages(&bytes).collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        all[0].header,
        Header {
            len: 17,
            kind: NLMSG_NOOP,
            flags: 0,
            seq: 1,
            pid: 4242
        }
    );
    assert_eq!(all[0].payload, [0xaa]);
    assert_eq!(all[1].header.seq, 2);
    assert_eq!(all[1].header.flags, NLM_F_MULTI);
    assert_eq!(all[1].parse(), Ok(Message::Done { errno: 0 }));
    // The last message of a datagram need not be padded.
    let bytes = message(NLMSG_NOOP, 0, 1, &[0xaa]);
    assert_eq!(messages(&bytes).count(), 1);
    assert_eq!(messages(&[]).count(), 0);
}

#[test]
fn bad_message_lengths_end_the_iteration() {
    let good = message(NLMSG_NOOP, 0, 1, &[]);
    // nlmsg_len 8: below the header size.
    let mut short = good.clone();
    short[0..4].copy_from_slice(&u32b(8));
    let bytes = cat(&[&good, &short, &good]);
    let all: Vec<_> = messages(&bytes).collect();
    assert_eq!(all.len(), 2);
    assert!(all[0].is_ok());
    assert_eq!(
        all[1],
        Err(NetlinkError::BadMessageLength {
            len: 8,
            available: 32
        })
    );
    // nlmsg_len 100 with 16 bytes.
    let mut long = good.clone();
    long[0..4].copy_from_slice(&u32b(100));
    let all: Vec<_> = messages(&long).collect();
    assert_eq!(
        all,
        [Err(NetlinkError::BadMessageLength {
            len: 100,
            available: 16
        })]
    );
    // nlmsg_len u32::MAX.
    long[0..4].copy_from_slice(&u32b(u32::MAX));
    assert!(messages(&long).next().unwrap().is_err());
    // 5 bytes after a good message: not even a header.
    let bytes = cat(&[&good, &[1, 2, 3, 4, 5]]);
    let all: Vec<_> = messages(&bytes).collect();
    assert_eq!(all[1], Err(NetlinkError::ShortHeader { available: 5 }));
    assert_eq!(all.len(), 2);
}

// ---- NLMSG_ERROR, NLMSG_DONE, NLMSG_OVERRUN ----

#[test]
fn errors_acks_done_and_overrun() {
    // struct nlmsgerr: int error; struct nlmsghdr msg (the request's).
    let request_header = message(RTM_NEWADDR, NLM_F_REQUEST, 7, &[]);
    let ack = cat(&[&0i32.to_ne_bytes(), &request_header]);
    let msg = message(NLMSG_ERROR, 0, 7, &ack);
    assert_eq!(parse_one(&msg), Ok(Message::Error { errno: 0 }));
    let eexist = cat(&[&(-libc::EEXIST).to_ne_bytes(), &request_header]);
    let msg = message(NLMSG_ERROR, 0, 7, &eexist);
    assert_eq!(
        parse_one(&msg),
        Ok(Message::Error {
            errno: libc::EEXIST
        })
    );
    // NLM_F_CAPPED-style: the error alone is enough.
    let msg = message(NLMSG_ERROR, 0, 7, &(-1i32).to_ne_bytes());
    assert_eq!(parse_one(&msg), Ok(Message::Error { errno: 1 }));
    // Two bytes cannot hold the error.
    let msg = message(NLMSG_ERROR, 0, 7, &[0, 0]);
    assert_eq!(
        parse_one(&msg),
        Err(NetlinkError::ShortPayload {
            kind: NLMSG_ERROR,
            len: 2,
            needed: 4
        })
    );
    // NLMSG_DONE with a failed dump's error, and without payload.
    let msg = message(NLMSG_DONE, 0, 7, &(-libc::EINTR).to_ne_bytes());
    assert_eq!(parse_one(&msg), Ok(Message::Done { errno: libc::EINTR }));
    let msg = message(NLMSG_DONE, 0, 7, &[]);
    assert_eq!(parse_one(&msg), Ok(Message::Done { errno: 0 }));
    let msg = message(NLMSG_OVERRUN, 0, 0, &[]);
    assert_eq!(parse_one(&msg), Ok(Message::Overrun));
    let msg = message(NLMSG_NOOP, 0, 0, &[]);
    assert_eq!(parse_one(&msg), Ok(Message::Ignored { kind: NLMSG_NOOP }));
    // RTM_NEWNEIGH (28): not ours.
    let msg = message(28, 0, 0, &[1, 2, 3]);
    assert_eq!(parse_one(&msg), Ok(Message::Ignored { kind: 28 }));
}

// ---- RTM_NEWLINK / RTM_DELLINK ----

/// `struct ifinfomsg`.
fn ifinfomsg(index: i32, flags: u32) -> Vec<u8> {
    cat(&[
        &[0],                 // ifi_family: AF_UNSPEC
        &[0],                 // __ifi_pad
        &u16b(1),             // ifi_type: ARPHRD_ETHER
        &index.to_ne_bytes(), // ifi_index
        &u32b(flags),         // ifi_flags
        &u32b(0),             // ifi_change
    ])
}

/// An Ethernet link `eth0`, index 2, up with carrier.
fn eth0(flags: u32, carrier: &[u8], operstate: &[u8]) -> Vec<u8> {
    cat(&[
        &ifinfomsg(2, flags),
        &attr(IFLA_IFNAME, b"eth0\0"),
        &attr(4, &1500u32.to_ne_bytes()), // IFLA_MTU: skipped
        &attr(IFLA_ADDRESS, &[0x02, 0, 0, 0, 0, 0x01]),
        &attr(IFLA_CARRIER, carrier),
        &attr(IFLA_OPERSTATE, operstate),
    ])
}

const UP_LOWER: u32 = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;

#[test]
fn parses_an_ethernet_link() {
    // IF_OPER_UP is 6.
    let msg = message(RTM_NEWLINK, 0, 0, &eth0(UP_LOWER, &[1], &[6]));
    let expected = LinkMsg {
        index: 2,
        name: "eth0".into(),
        mac: Some([0x02, 0, 0, 0, 0, 0x01]),
        admin_up: true,
        carrier: Some(true),
        loopback: false,
    };
    assert_eq!(parse_one(&msg), Ok(Message::NewLink(expected.clone())));
    // Admin up, no carrier (IF_OPER_DOWN is 2).
    let msg = message(RTM_NEWLINK, 0, 0, &eth0(IFF_UP, &[0], &[2]));
    let Ok(Message::NewLink(link)) = parse_one(&msg) else {
        panic!("not a link");
    };
    assert_eq!(link.carrier, Some(false));
    assert!(link.admin_up);
    // The same payload as RTM_DELLINK.
    let msg = message(RTM_DELLINK, 0, 0, &eth0(UP_LOWER, &[1], &[6]));
    assert_eq!(parse_one(&msg), Ok(Message::DelLink(expected)));
}

#[test]
fn parses_loopback() {
    let payload = cat(&[
        &ifinfomsg(1, IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP),
        &attr(IFLA_IFNAME, b"lo\0"),
        &attr(IFLA_ADDRESS, &[0; 6]),
        &attr(IFLA_OPERSTATE, &[IF_OPER_UNKNOWN]),
        &attr(IFLA_CARRIER, &[1]),
    ]);
    let link = LinkMsg::parse(RTM_NEWLINK, &payload).unwrap();
    assert_eq!(
        link,
        LinkMsg {
            index: 1,
            name: "lo".into(),
            mac: Some([0; 6]),
            admin_up: true,
            // IFLA_CARRIER wins over operstate "unknown".
            carrier: Some(true),
            loopback: true,
        }
    );
}

#[test]
fn carrier_without_ifla_carrier() {
    let link = |flags, attrs: &[Vec<u8>]| {
        let payload = cat(&[
            &ifinfomsg(3, flags),
            &attr(IFLA_IFNAME, b"em0\0"),
            &attrs.concat(),
        ]);
        LinkMsg::parse(RTM_NEWLINK, &payload).unwrap().carrier
    };
    let unknown = attr(IFLA_OPERSTATE, &[IF_OPER_UNKNOWN]);
    let down = attr(IFLA_OPERSTATE, &[2]);
    // Old kernels: operstate unknown and no IFLA_CARRIER: unknown.
    assert_eq!(link(UP_LOWER, std::slice::from_ref(&unknown)), None);
    // Otherwise IFF_LOWER_UP.
    assert_eq!(link(IFF_UP, &[down]), Some(false));
    assert_eq!(link(UP_LOWER, &[]), Some(true));
    assert_eq!(link(IFF_UP, &[]), Some(false));
    // A two-byte IFLA_CARRIER is ignored, as if absent.
    assert_eq!(link(UP_LOWER, &[attr(IFLA_CARRIER, &[0, 0])]), Some(true));
    assert_eq!(
        link(UP_LOWER, &[attr(IFLA_CARRIER, &[0, 0]), unknown]),
        None
    );
}

#[test]
fn non_ethernet_hardware_addresses_are_no_mac() {
    // An IPv4-in-IPv4 tunnel: IFLA_ADDRESS is the 4-byte local address.
    let payload = cat(&[
        &ifinfomsg(5, IFF_UP),
        &attr(IFLA_IFNAME, b"tunl0\0"),
        &attr(IFLA_ADDRESS, &[192, 0, 2, 1]),
    ]);
    let link = LinkMsg::parse(RTM_NEWLINK, &payload).unwrap();
    assert_eq!((link.mac, link.name.as_str()), (None, "tunl0"));
}

#[test]
fn malformed_links_are_errors() {
    let kind = RTM_NEWLINK;
    // 15 bytes: shorter than ifinfomsg.
    assert_eq!(
        LinkMsg::parse(kind, &ifinfomsg(2, 0)[..15]),
        Err(NetlinkError::ShortPayload {
            kind,
            len: 15,
            needed: 16
        })
    );
    // No IFLA_IFNAME.
    assert_eq!(
        LinkMsg::parse(kind, &ifinfomsg(2, 0)),
        Err(NetlinkError::MissingAttribute { kind: IFLA_IFNAME })
    );
    // Index 0 and -1.
    for index in [0, -1] {
        let payload = cat(&[&ifinfomsg(index, 0), &attr(IFLA_IFNAME, b"x")]);
        assert_eq!(
            LinkMsg::parse(kind, &payload),
            Err(NetlinkError::BadIndex {
                index: i64::from(index)
            })
        );
    }
    // An attribute claiming 400 bytes where 48 are left.
    let mut payload = eth0(UP_LOWER, &[1], &[6]);
    payload[16..18].copy_from_slice(&u16b(400));
    assert_eq!(
        LinkMsg::parse(kind, &payload),
        Err(NetlinkError::BadAttributeLength {
            len: 400,
            available: payload.len() - 16
        })
    );
    // The same payload cut in the middle of the last attribute.
    let payload = eth0(UP_LOWER, &[1], &[6]);
    let cut = &payload[..payload.len() - 4];
    assert_eq!(
        LinkMsg::parse(kind, cut),
        Err(NetlinkError::BadAttributeLength {
            len: 5,
            available: 4
        })
    );
}

// ---- RTM_NEWADDR / RTM_DELADDR ----

/// `struct ifaddrmsg`.
fn ifaddr(family: u8, prefix_len: u8, flags: u8, index: u32) -> Vec<u8> {
    cat(&[
        &[family],     // ifa_family
        &[prefix_len], // ifa_prefixlen
        &[flags],      // ifa_flags
        &[0],          // ifa_scope: RT_SCOPE_UNIVERSE
        &u32b(index),  // ifa_index
    ])
}

#[test]
fn parses_an_ipv4_address() {
    let payload = cat(&[
        &ifaddr(AF_INET, 24, 0x80, 2), // IFA_F_PERMANENT
        &attr(IFA_ADDRESS, &[192, 0, 2, 10]),
        &attr(IFA_LOCAL, &[192, 0, 2, 10]),
        &attr(3, b"eth0\0"), // IFA_LABEL: skipped
        &attr(IFA_FLAGS, &u32b(0x80 | IFA_F_NOPREFIXROUTE)),
    ]);
    let msg = message(RTM_NEWADDR, 0, 0, &payload);
    let expected = AddrMsg {
        index: 2,
        prefix: prefix("192.0.2.10/24"),
        flags: AddrFlags(0x80 | IFA_F_NOPREFIXROUTE),
    };
    assert_eq!(parse_one(&msg), Ok(Message::NewAddr(expected)));
    assert!(expected.flags.no_prefix_route());
    assert!(!expected.flags.tentative() && !expected.flags.dad_failed());
    let msg = message(RTM_DELADDR, 0, 0, &payload);
    assert_eq!(parse_one(&msg), Ok(Message::DelAddr(expected)));
}

#[test]
fn point_to_point_address_is_ifa_local() {
    // IPv4 peer link: IFA_ADDRESS is the peer, IFA_LOCAL ours.
    let payload = cat(&[
        &ifaddr(AF_INET, 32, 0, 7),
        &attr(IFA_ADDRESS, &[198, 51, 100, 2]),
        &attr(IFA_LOCAL, &[198, 51, 100, 1]),
    ]);
    let addr = AddrMsg::parse(RTM_NEWADDR, &payload).unwrap().unwrap();
    assert_eq!(addr.prefix, prefix("198.51.100.1/32"));
    // IPv6 does the same with a peer.
    let mut peer = [0; 16];
    peer[..2].copy_from_slice(&[0x20, 0x01]);
    let payload = cat(&[
        &ifaddr(AF_INET6, 128, 0, 7),
        &attr(IFA_ADDRESS, &peer),
        &attr(IFA_LOCAL, &ip6("2001:db8::1")),
    ]);
    let addr = AddrMsg::parse(RTM_NEWADDR, &payload).unwrap().unwrap();
    assert_eq!(addr.prefix, prefix("2001:db8::1/128"));
}

fn ip6(s: &str) -> [u8; 16] {
    s.parse::<std::net::Ipv6Addr>().unwrap().octets()
}

#[test]
fn parses_ipv6_addresses_and_their_flags() {
    // Tentative, from IFA_FLAGS (the kernel also sets it in ifa_flags).
    let payload = cat(&[
        &ifaddr(AF_INET6, 64, 0x40, 3),
        &attr(IFA_ADDRESS, &ip6("2001:db8::10")),
        &attr(6, &[0; 16]), // IFA_CACHEINFO: skipped
        &attr(IFA_FLAGS, &u32b(IFA_F_TENTATIVE | IFA_F_NOPREFIXROUTE)),
    ]);
    let addr = AddrMsg::parse(RTM_NEWADDR, &payload).unwrap().unwrap();
    assert_eq!(addr.index, 3);
    assert_eq!(addr.prefix, prefix("2001:db8::10/64"));
    assert!(addr.flags.tentative() && addr.flags.no_prefix_route());
    // Without IFA_FLAGS (before Linux 3.14): ifa_flags, here
    // IFA_F_DADFAILED | IFA_F_TENTATIVE.
    let payload = cat(&[
        &ifaddr(AF_INET6, 64, 0x48, 3),
        &attr(IFA_ADDRESS, &ip6("fe80::1")),
    ]);
    let addr = AddrMsg::parse(RTM_NEWADDR, &payload).unwrap().unwrap();
    assert!(addr.flags.dad_failed() && addr.flags.tentative());
    assert_eq!(addr.flags, AddrFlags(0x48));
    // A 2-byte IFA_FLAGS is ignored in favour of ifa_flags.
    let payload = cat(&[
        &ifaddr(AF_INET6, 64, 0x40, 3),
        &attr(IFA_ADDRESS, &ip6("fe80::1")),
        &attr(IFA_FLAGS, &[0, 0]),
    ]);
    let addr = AddrMsg::parse(RTM_NEWADDR, &payload).unwrap().unwrap();
    assert_eq!(addr.flags, AddrFlags(0x40));
}

#[test]
fn other_address_families_are_ignored() {
    // AF_MCTP (45): a one-byte address.
    let payload = cat(&[&ifaddr(45, 0, 0, 2), &attr(IFA_LOCAL, &[8])]);
    assert_eq!(AddrMsg::parse(RTM_NEWADDR, &payload), Ok(None));
    let msg = message(RTM_NEWADDR, 0, 0, &payload);
    assert_eq!(parse_one(&msg), Ok(Message::Ignored { kind: RTM_NEWADDR }));
}

#[test]
fn malformed_addresses_are_errors() {
    let kind = RTM_NEWADDR;
    let v4 = attr(IFA_ADDRESS, &[192, 0, 2, 10]);
    let parse = |payload: Vec<u8>| AddrMsg::parse(kind, &payload);
    assert_eq!(
        parse(ifaddr(AF_INET, 24, 0, 2)[..7].to_vec()),
        Err(NetlinkError::ShortPayload {
            kind,
            len: 7,
            needed: 8
        })
    );
    assert_eq!(
        parse(cat(&[&ifaddr(AF_INET, 33, 0, 2), &v4])),
        Err(NetlinkError::BadPrefixLen { len: 33 })
    );
    assert_eq!(
        parse(cat(&[&ifaddr(AF_INET, 24, 0, 0), &v4])),
        Err(NetlinkError::BadIndex { index: 0 })
    );
    assert_eq!(
        parse(ifaddr(AF_INET, 24, 0, 2)),
        Err(NetlinkError::MissingAttribute { kind: IFA_ADDRESS })
    );
    // A 16-byte address in an AF_INET message.
    assert_eq!(
        parse(cat(&[
            &ifaddr(AF_INET, 24, 0, 2),
            &attr(IFA_LOCAL, &ip6("2001:db8::1"))
        ])),
        Err(NetlinkError::BadAttribute {
            kind: IFA_LOCAL,
            len: 16
        })
    );
}

// ---- RTM_NEWROUTE / RTM_DELROUTE ----

/// `struct rtmsg`.
fn rtmsg(family: u8, dst_len: u8, table: u8, kind: u8) -> Vec<u8> {
    cat(&[
        &[family],  // rtm_family
        &[dst_len], // rtm_dst_len
        &[0],       // rtm_src_len
        &[0],       // rtm_tos
        &[table],   // rtm_table
        &[3],       // rtm_protocol: RTPROT_BOOT
        &[0],       // rtm_scope: RT_SCOPE_UNIVERSE
        &[kind],    // rtm_type
        &u32b(0),   // rtm_flags
    ])
}

const MAIN: u8 = 254;

#[test]
fn parses_an_ipv4_default_route() {
    let payload = cat(&[
        &rtmsg(AF_INET, 0, MAIN, RTN_UNICAST),
        &attr(RTA_TABLE, &u32b(254)),
        &attr(RTA_GATEWAY, &[192, 0, 2, 1]),
        &attr(RTA_OIF, &u32b(2)),
    ]);
    let expected = RouteMsg {
        dst: prefix("0.0.0.0/0"),
        gateway: Some(ip("192.0.2.1")),
        oif: Some(2),
    };
    let msg = message(RTM_NEWROUTE, NLM_F_MULTI, 9, &payload);
    assert_eq!(parse_one(&msg), Ok(Message::NewRoute(expected)));
    let msg = message(RTM_DELROUTE, 0, 0, &payload);
    assert_eq!(parse_one(&msg), Ok(Message::DelRoute(expected)));
}

#[test]
fn parses_ipv6_and_connected_routes() {
    let payload = cat(&[
        &rtmsg(AF_INET6, 48, MAIN, RTN_UNICAST),
        &attr(RTA_DST, &ip6("2001:db8:1::")),
        &attr(6, &u32b(1024)), // RTA_PRIORITY: skipped
        &attr(RTA_GATEWAY, &ip6("fe80::1")),
        &attr(RTA_OIF, &u32b(3)),
    ]);
    assert_eq!(
        RouteMsg::parse(RTM_NEWROUTE, &payload),
        Ok(Some(RouteMsg {
            dst: prefix("2001:db8:1::/48"),
            gateway: Some(ip("fe80::1")),
            oif: Some(3),
        }))
    );
    let payload = cat(&[
        &rtmsg(AF_INET, 24, MAIN, RTN_UNICAST),
        &attr(RTA_DST, &[203, 0, 113, 0]),
        &attr(RTA_OIF, &u32b(2)),
    ]);
    assert_eq!(
        RouteMsg::parse(RTM_NEWROUTE, &payload),
        Ok(Some(RouteMsg {
            dst: prefix("203.0.113.0/24"),
            gateway: None,
            oif: Some(2),
        }))
    );
}

#[test]
fn only_main_table_unicast_routes() {
    let gw = attr(RTA_GATEWAY, &[192, 0, 2, 1]);
    let parse = |payload: Vec<u8>| RouteMsg::parse(RTM_NEWROUTE, &payload);
    // Table local (255), type RTN_LOCAL (2).
    assert_eq!(parse(rtmsg(AF_INET, 32, 255, 2)), Ok(None));
    // Main table, RTN_BROADCAST (3).
    assert_eq!(parse(rtmsg(AF_INET, 32, MAIN, 3)), Ok(None));
    // rtm_table says main but RTA_TABLE says 100.
    let other = attr(RTA_TABLE, &u32b(100));
    assert_eq!(
        parse(cat(&[&rtmsg(AF_INET, 0, MAIN, RTN_UNICAST), &other, &gw])),
        Ok(None)
    );
    // RT_TABLE_COMPAT (252) in rtm_table, main in RTA_TABLE.
    let main = attr(RTA_TABLE, &u32b(254));
    assert!(matches!(
        parse(cat(&[&rtmsg(AF_INET, 0, 252, RTN_UNICAST), &main, &gw])),
        Ok(Some(_))
    ));
    // AF_MPLS (28).
    assert_eq!(parse(rtmsg(28, 20, MAIN, RTN_UNICAST)), Ok(None));
    let msg = message(RTM_NEWROUTE, 0, 0, &rtmsg(28, 20, MAIN, RTN_UNICAST));
    assert_eq!(parse_one(&msg), Ok(Message::Ignored { kind: RTM_NEWROUTE }));
}

#[test]
fn malformed_routes_are_errors() {
    let kind = RTM_NEWROUTE;
    let parse = |payload: Vec<u8>| RouteMsg::parse(kind, &payload);
    assert_eq!(
        parse(rtmsg(AF_INET, 0, MAIN, RTN_UNICAST)[..11].to_vec()),
        Err(NetlinkError::ShortPayload {
            kind,
            len: 11,
            needed: 12
        })
    );
    assert_eq!(
        parse(rtmsg(AF_INET, 33, MAIN, RTN_UNICAST)),
        Err(NetlinkError::BadPrefixLen { len: 33 })
    );
    assert_eq!(
        parse(cat(&[
            &rtmsg(AF_INET, 0, MAIN, RTN_UNICAST),
            &attr(RTA_GATEWAY, &[192, 0, 2])
        ])),
        Err(NetlinkError::BadAttribute {
            kind: RTA_GATEWAY,
            len: 3
        })
    );
    assert_eq!(
        parse(cat(&[
            &rtmsg(AF_INET6, 0, MAIN, RTN_UNICAST),
            &attr(RTA_OIF, &[1, 0])
        ])),
        Err(NetlinkError::BadAttribute {
            kind: RTA_OIF,
            len: 2
        })
    );
}

// ---- requests ----

#[test]
fn requests_parse_back() {
    let mut request =
        Request::new(RTM_NEWADDR, NLM_F_REQUEST, &ifaddrmsg(AF_INET6, 64, 3));
    request.add_flags(NLM_F_ACK);
    request
        .attr(IFA_ADDRESS, &ip6("2001:db8::10"))
        .attr(IFA_FLAGS, &u32b(IFA_F_NODAD));
    let bytes = request.set_seq(77).to_vec();
    assert_eq!(bytes.len(), 16 + 8 + 20 + 8);
    let raw = messages(&bytes).next().unwrap().unwrap();
    assert_eq!(
        raw.header,
        Header {
            len: 52,
            kind: RTM_NEWADDR,
            flags: NLM_F_REQUEST | NLM_F_ACK,
            seq: 77,
            pid: 0
        }
    );
    assert_eq!(
        raw.parse(),
        Ok(Message::NewAddr(AddrMsg {
            index: 3,
            prefix: prefix("2001:db8::10/64"),
            flags: AddrFlags(IFA_F_NODAD),
        }))
    );
}
