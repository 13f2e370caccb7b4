//! Byte-vector tests, each message written out field by field from the
//! layouts in net/route.h, net/if.h, net/if_dl.h, netinet/in.h and
//! netinet6/in6.h (amd64). Integers are host-endian (`to_ne_bytes`),
//! addresses in network order. The helpers do not use the `abi`
//! structures: the sizes asserted here come from the headers, and the
//! header check proves the structures match them, so the two meet.

use std::net::IpAddr;

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::{KernelLink, KernelRoute};

use super::sockaddr::{prefix_len, sa_size, unembed_scope};
use super::*;
use crate::freebsd::abi::net_if::{
    IFAN_ARRIVAL, IFAN_DEPARTURE, IFF_LOOPBACK, IFF_UP, LINK_STATE_DOWN,
    LINK_STATE_UNKNOWN, LINK_STATE_UP,
};
use crate::freebsd::abi::route::{
    RTA_BRD, RTA_DST, RTA_GATEWAY, RTA_IFA, RTA_IFP, RTA_NETMASK,
    RTF_BLACKHOLE, RTF_GATEWAY, RTF_HOST, RTF_REJECT, RTF_UP,
};
use crate::freebsd::abi::socket::{AF_INET, AF_INET6, AF_LINK, AF_UNSPEC};

fn u16b(v: u16) -> [u8; 2] {
    v.to_ne_bytes()
}

fn i32b(v: i32) -> [u8; 4] {
    v.to_ne_bytes()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn prefix(s: &str) -> IpPrefix {
    s.parse().unwrap()
}

// ---- socket addresses ----

/// `struct sockaddr_in`, 16 bytes.
fn sin(addr: &str) -> Vec<u8> {
    let IpAddr::V4(a) = ip(addr) else { panic!() };
    let sa = cat(&[
        &[16],       // sin_len
        &[AF_INET],  // sin_family
        &u16b(0),    // sin_port
        &a.octets(), // sin_addr
        &[0; 8],     // sin_zero
    ]);
    assert_eq!(sa.len(), 16);
    sa
}

/// `struct sockaddr_in6`, 28 bytes.
fn sin6(addr: &str) -> Vec<u8> {
    let IpAddr::V6(a) = ip(addr) else { panic!() };
    let sa = cat(&[
        &[28],               // sin6_len
        &[AF_INET6],         // sin6_family
        &u16b(0),            // sin6_port
        &0u32.to_ne_bytes(), // sin6_flowinfo
        &a.octets(),         // sin6_addr
        &0u32.to_ne_bytes(), // sin6_scope_id
    ]);
    assert_eq!(sa.len(), 28);
    sa
}

/// A netmask as the kernel may write it: the first `len` bytes of a
/// `sockaddr_in` or `sockaddr_in6` for `mask`, `sa_len` = `len`, family
/// `family` (masks' families are not to be trusted).
fn mask(family: u8, mask: &str, len: u8) -> Vec<u8> {
    let mut sa = match ip(mask) {
        IpAddr::V4(_) => sin(mask),
        IpAddr::V6(_) => sin6(mask),
    };
    sa[0] = len;
    sa[1] = family;
    sa.truncate(usize::from(len));
    sa
}

/// `struct sockaddr_dl` for an interface: 8 bytes of header, then name
/// and address in `sdl_data` (46 bytes at least).
fn sdl(index: u16, name: &str, mac: &[u8]) -> Vec<u8> {
    let mut data = cat(&[name.as_bytes(), mac]);
    data.resize(data.len().max(46), 0);
    let sa = cat(&[
        &[u8::try_from(8 + data.len()).unwrap()], // sdl_len
        &[AF_LINK],                               // sdl_family
        &u16b(index),                             // sdl_index
        &[6],                                     // sdl_type: IFT_ETHER
        &[u8::try_from(name.len()).unwrap()],     // sdl_nlen
        &[u8::try_from(mac.len()).unwrap()],      // sdl_alen
        &[0],                                     // sdl_slen
        &data,                                    // sdl_data
    ]);
    assert!(sa.len() >= 54);
    sa
}

/// Addresses as they follow a header: each padded to `SA_SIZE`, a
/// multiple of `sizeof(long)` = 8 (8 for an empty one).
fn addrs(list: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for sa in list {
        let mut sa = sa.to_vec();
        let size = if sa.is_empty() || sa[0] == 0 {
            8
        } else {
            usize::from(sa[0]).next_multiple_of(8)
        };
        sa.resize(size, 0);
        out.extend(sa);
    }
    out
}

// ---- message headers ----

/// The common start of every message, with `*_msglen` set later.
fn common(kind: u8) -> Vec<u8> {
    cat(&[
        &u16b(0), // *_msglen: set by `finish`
        &[5],     // *_version: RTM_VERSION
        &[kind],  // *_type
    ])
}

/// Sets `*_msglen` to the message's length.
fn finish(mut msg: Vec<u8>) -> Vec<u8> {
    let len = u16::try_from(msg.len()).unwrap();
    msg[0..2].copy_from_slice(&u16b(len));
    msg
}

/// `struct if_data`, 152 bytes: only the link state and its own length
/// matter here.
fn if_data(link_state: u8) -> Vec<u8> {
    let data = cat(&[
        &[6],                   //   0 ifi_type: IFT_ETHER
        &[0],                   //   1 ifi_physical
        &[6],                   //   2 ifi_addrlen
        &[14],                  //   3 ifi_hdrlen
        &[link_state],          //   4 ifi_link_state
        &[0],                   //   5 ifi_vhid
        &u16b(152),             //   6 ifi_datalen
        &1500u32.to_ne_bytes(), // 8 ifi_mtu
        &[0; 4],                //  12 ifi_metric
        &[0; 8 * 14],           //  16 ifi_baudrate .. 120 ifi_hwassist
        &[0; 8],                // 128 ifi_epoch
        &[0; 16],               // 136 ifi_lastchange
    ]);
    assert_eq!(data.len(), 152);
    data
}

/// `RTM_IFINFO` with `struct if_msghdr`, 168 bytes, then `sas`.
fn if_msghdr(index: u16, flags: i32, link_state: u8) -> Vec<u8> {
    let head = cat(&[
        &common(RTM_IFINFO),  //  0 ifm_msglen, ifm_version, ifm_type
        &i32b(0),             //  4 ifm_addrs: none in notifications
        &i32b(flags),         //  8 ifm_flags
        &u16b(index),         // 12 ifm_index
        &u16b(0),             // 14 _ifm_spare1
        &if_data(link_state), // 16 ifm_data
    ]);
    assert_eq!(head.len(), 168);
    finish(head)
}

/// `RTM_IFINFO` with `struct if_msghdrl`, 176 bytes (plus `extra`
/// bytes of a future, longer header before `ifm_data`), then the
/// interface's `sockaddr_dl` as `RTA_IFP`.
fn if_msghdrl(
    index: u16,
    flags: i32,
    link_state: u8,
    ifp: &[u8],
    extra: usize,
) -> Vec<u8> {
    let len = u16::try_from(176 + extra).unwrap();
    let data_off = u16::try_from(24 + extra).unwrap();
    let head = cat(&[
        &common(RTM_IFINFO),  //  0 ifm_msglen, ifm_version, ifm_type
        &i32b(RTA_IFP),       //  4 ifm_addrs
        &i32b(flags),         //  8 ifm_flags
        &u16b(index),         // 12 ifm_index
        &u16b(0),             // 14 _ifm_spare1
        &u16b(len),           // 16 ifm_len
        &u16b(data_off),      // 18 ifm_data_off
        &i32b(0),             // 20 _ifm_spare2
        &vec![0xee; extra],   // (future fields)
        &if_data(link_state), // ifm_data_off: ifm_data
    ]);
    assert_eq!(head.len(), 176 + extra);
    finish(cat(&[&head, &addrs(&[ifp])]))
}

/// `RTM_NEWADDR` / `RTM_DELADDR` with `struct ifa_msghdr`, 20 bytes,
/// then `sas` (padded).
fn ifa_msghdr(kind: u8, index: u16, bits: i32, sas: &[&[u8]]) -> Vec<u8> {
    let head = cat(&[
        &common(kind), //  0 ifam_msglen, ifam_version, ifam_type
        &i32b(bits),   //  4 ifam_addrs
        &i32b(0),      //  8 ifam_flags
        &u16b(index),  // 12 ifam_index
        &u16b(0),      // 14 _ifam_spare1
        &i32b(0),      // 16 ifam_metric
    ]);
    assert_eq!(head.len(), 20);
    finish(cat(&[&head, &addrs(sas)]))
}

/// `RTM_NEWADDR` with `struct ifa_msghdrl`, 176 bytes, then `sas`.
fn ifa_msghdrl(index: u16, bits: i32, sas: &[&[u8]]) -> Vec<u8> {
    let head = cat(&[
        &common(RTM_NEWADDR), //  0 ifam_msglen, ifam_version, ifam_type
        &i32b(bits),          //  4 ifam_addrs
        &i32b(0),             //  8 ifam_flags
        &u16b(index),         // 12 ifam_index
        &u16b(0),             // 14 _ifam_spare1
        &u16b(176),           // 16 ifam_len
        &u16b(24),            // 18 ifam_data_off
        &i32b(0),             // 20 ifam_metric
        &if_data(0),          // 24 ifam_data
    ]);
    assert_eq!(head.len(), 176);
    finish(cat(&[&head, &addrs(sas)]))
}

/// `RTM_IFANNOUNCE`, `struct if_announcemsghdr`, 24 bytes.
fn announce(index: u16, name: &[u8], what: u16) -> Vec<u8> {
    let mut ifname = name.to_vec();
    ifname.resize(16, 0);
    let msg = cat(&[
        &common(RTM_IFANNOUNCE), //  0 ifan_msglen, ifan_version, ifan_type
        &u16b(index),            //  4 ifan_index
        &ifname,                 //  6 ifan_name[16]
        &u16b(what),             // 22 ifan_what
    ]);
    assert_eq!(msg.len(), 24);
    finish(msg)
}

/// A route message, `struct rt_msghdr`, 152 bytes, then `sas`.
fn rt_msghdr(
    kind: u8,
    index: u16,
    flags: i32,
    bits: i32,
    sas: &[&[u8]],
) -> Vec<u8> {
    let head = cat(&[
        &common(kind), //  0 rtm_msglen, rtm_version, rtm_type
        &u16b(index),  //  4 rtm_index
        &u16b(0),      //  6 _rtm_spare1
        &i32b(flags),  //  8 rtm_flags
        &i32b(bits),   // 12 rtm_addrs
        &i32b(0),      // 16 rtm_pid
        &i32b(0),      // 20 rtm_seq
        &i32b(0),      // 24 rtm_errno
        &i32b(0),      // 28 rtm_fmask
        &[0; 8],       // 32 rtm_inits
        &[0; 8 * 14],  // 40 rtm_rmx: 14 u_long
    ]);
    assert_eq!(head.len(), 152);
    finish(cat(&[&head, &addrs(sas)]))
}

/// The one message in `bytes`, parsed as from a socket.
fn parse_one(bytes: &[u8]) -> Result<Message, RtsockError> {
    let mut all = messages(bytes);
    let raw = all.next().expect("no message")?;
    assert!(all.next().is_none(), "more than one message");
    raw.parse()
}

/// The one message in `bytes`, parsed as from `NET_RT_IFLISTL`.
fn parse_one_l(bytes: &[u8]) -> Result<Message, RtsockError> {
    let mut all = messages(bytes);
    let raw = all.next().expect("no message")?;
    assert!(all.next().is_none(), "more than one message");
    raw.parse_iflistl()
}

// ---- the message iterator ----

#[test]
fn iterates_messages_by_their_length() {
    let one = announce(3, b"em0", IFAN_ARRIVAL);
    let two = if_msghdr(3, IFF_UP, LINK_STATE_UP);
    let bytes = cat(&[&one, &two]);
    let all: Vec<_> = messages(&bytes).collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!((all[0].version, all[0].kind), (5, RTM_IFANNOUNCE));
    assert_eq!(all[0].bytes, &one[..]);
    assert_eq!((all[1].version, all[1].kind), (5, RTM_IFINFO));
    assert_eq!(all[1].bytes.len(), 168);
    assert_eq!(messages(&[]).count(), 0);
}

#[test]
fn bad_lengths_end_the_iteration() {
    let good = announce(3, b"em0", IFAN_ARRIVAL);
    // A length below the common header (and 0, which would loop).
    for len in [0u16, 2, 3] {
        let mut bad = good.clone();
        bad[0..2].copy_from_slice(&u16b(len));
        let bytes = cat(&[&good, &bad, &good]);
        let all: Vec<_> = messages(&bytes).collect();
        assert_eq!(all.len(), 2, "len {len}");
        assert!(all[0].is_ok());
        assert_eq!(
            all[1],
            Err(RtsockError::BadMessageLength { len, available: 48 })
        );
    }
    // A length past the end.
    let mut long = good.clone();
    long[0..2].copy_from_slice(&u16b(25));
    assert_eq!(
        messages(&long).collect::<Vec<_>>(),
        [Err(RtsockError::BadMessageLength {
            len: 25,
            available: 24
        })]
    );
    // Three bytes: not even the common header.
    let bytes = cat(&[&good, &[1, 2, 3]]);
    let all: Vec<_> = messages(&bytes).collect();
    assert_eq!(all[1], Err(RtsockError::ShortHeader { available: 3 }));
    assert_eq!(all.len(), 2);
}

#[test]
fn other_versions_and_types_are_ignored() {
    let mut old = if_msghdr(3, IFF_UP, LINK_STATE_UP);
    old[2] = 4; // ifm_version
    assert_eq!(
        parse_one(&old),
        Ok(Message::Ignored {
            version: 4,
            kind: RTM_IFINFO
        })
    );
    // RTM_MISS (7) and RTM_NEWMADDR (0xf): not ours, whatever follows.
    for kind in [7, 0xf] {
        let msg = finish(cat(&[&common(kind), &[0xff; 9]]));
        assert_eq!(parse_one(&msg), Ok(Message::Ignored { version: 5, kind }));
    }
}

// ---- RTM_IFINFO ----

#[test]
fn link_state_and_flags_of_an_ifinfo() {
    for (state, carrier) in [
        (LINK_STATE_UP, Some(true)),
        (LINK_STATE_DOWN, Some(false)),
        (LINK_STATE_UNKNOWN, None),
    ] {
        let msg = if_msghdr(3, IFF_UP, state);
        assert_eq!(
            parse_one(&msg),
            Ok(Message::IfInfo(LinkMsg {
                index: 3,
                flags: IFF_UP.cast_unsigned(),
                admin_up: true,
                loopback: false,
                carrier,
                name: None,
                mac: None,
            }))
        );
    }
    let lo = if_msghdr(1, IFF_LOOPBACK, LINK_STATE_UNKNOWN);
    let Ok(Message::IfInfo(lo)) = parse_one(&lo) else {
        panic!()
    };
    assert!(lo.loopback && !lo.admin_up);
}

#[test]
fn truncated_or_unindexed_ifinfo_is_an_error() {
    let msg = if_msghdr(3, IFF_UP, LINK_STATE_UP);
    let short = finish(msg[..100].to_vec());
    assert_eq!(
        parse_one(&short),
        Err(RtsockError::ShortMessage {
            kind: RTM_IFINFO,
            len: 100,
            needed: 168
        })
    );
    let zero = if_msghdr(0, IFF_UP, LINK_STATE_UP);
    assert_eq!(
        parse_one(&zero),
        Err(RtsockError::BadIndex { kind: RTM_IFINFO })
    );
}

#[test]
fn iflistl_ifinfo_has_name_mac_and_extensible_header() {
    let mac = [0x02, 0, 0, 0, 0, 0x01];
    for extra in [0, 8] {
        let msg =
            if_msghdrl(2, IFF_UP, LINK_STATE_DOWN, &sdl(2, "em0", &mac), extra);
        assert_eq!(
            parse_one_l(&msg),
            Ok(Message::IfInfo(LinkMsg {
                index: 2,
                flags: IFF_UP.cast_unsigned(),
                admin_up: true,
                loopback: false,
                carrier: Some(false),
                name: Some("em0".into()),
                mac: Some(mac),
            })),
            "{extra} extra header bytes"
        );
    }
    // A link-level address of another length: no MAC.
    let msg = if_msghdrl(5, 0, LINK_STATE_UP, &sdl(5, "gif0", &[]), 0);
    let Ok(Message::IfInfo(gif)) = parse_one_l(&msg) else {
        panic!()
    };
    assert_eq!((gif.name.as_deref(), gif.mac), (Some("gif0"), None));
}

#[test]
fn iflistl_ifinfo_header_lengths_are_checked() {
    let msg = if_msghdrl(2, IFF_UP, LINK_STATE_UP, &sdl(2, "em0", &[]), 0);
    // ifm_len below the structure.
    let mut bad = msg.clone();
    bad[16..18].copy_from_slice(&u16b(100));
    assert_eq!(
        parse_one_l(&bad),
        Err(RtsockError::BadHeaderLength {
            kind: RTM_IFINFO,
            len: 100
        })
    );
    // ifm_data_off putting the link state outside the header.
    let mut bad = msg.clone();
    bad[18..20].copy_from_slice(&u16b(172));
    assert_eq!(
        parse_one_l(&bad),
        Err(RtsockError::BadHeaderLength {
            kind: RTM_IFINFO,
            len: 176
        })
    );
    // ifm_len past the message's end.
    let mut bad = msg.clone();
    bad[16..18].copy_from_slice(&u16b(300));
    assert!(matches!(
        parse_one_l(&bad),
        Err(RtsockError::ShortMessage { .. })
    ));
}

#[test]
fn a_sockaddr_dl_whose_name_overruns_it_is_an_error() {
    let mut dl = sdl(2, "em0", &[0x02, 0, 0, 0, 0, 1]);
    dl[5] = 60; // sdl_nlen past sdl_len (54)
    let msg = if_msghdrl(2, IFF_UP, LINK_STATE_UP, &dl, 0);
    assert_eq!(
        parse_one_l(&msg),
        Err(RtsockError::BadAddress {
            kind: RTM_IFINFO,
            slot: 4
        })
    );
}

// ---- RTM_NEWADDR / RTM_DELADDR ----

#[test]
fn ipv4_addresses_with_every_form_of_netmask() {
    let ifa = sin("192.0.2.10");
    let cases: [(Vec<u8>, &str); 5] = [
        // A whole sockaddr_in.
        (mask(AF_INET, "255.255.255.0", 16), "192.0.2.10/24"),
        // Cut after its last non-zero byte, family 0 (the radix tree's).
        (mask(AF_UNSPEC, "255.255.255.0", 7), "192.0.2.10/24"),
        (mask(AF_UNSPEC, "255.255.254.0", 7), "192.0.2.10/23"),
        // sa_len 0: an empty mask, /0 (takes SA_SIZE 8).
        (Vec::from([0u8; 8]), "192.0.2.10/0"),
        (mask(AF_INET, "255.255.255.255", 16), "192.0.2.10/32"),
    ];
    for (netmask, expected) in cases {
        // RTA_NETMASK, RTA_IFA and RTA_BRD in slot order.
        let brd = sin("192.0.2.255");
        let msg = ifa_msghdr(
            RTM_NEWADDR,
            2,
            RTA_NETMASK | RTA_IFA | RTA_BRD,
            &[&netmask, &ifa, &brd],
        );
        assert_eq!(
            parse_one(&msg),
            Ok(Message::NewAddr(AddrMsg {
                index: 2,
                prefix: prefix(expected),
                flags: 0,
            })),
            "{expected}"
        );
    }
    // No netmask: a host address.
    let msg = ifa_msghdr(RTM_DELADDR, 2, RTA_IFA, &[&ifa]);
    assert_eq!(
        parse_one(&msg),
        Ok(Message::DelAddr(AddrMsg {
            index: 2,
            prefix: prefix("192.0.2.10/32"),
            flags: 0,
        }))
    );
}

#[test]
fn ipv6_addresses_lose_their_embedded_scope() {
    let netmask = mask(AF_INET6, "ffff:ffff:ffff:ffff::", 28);
    let ifp = sdl(2, "em0", &[0x02, 0, 0, 0, 0, 1]);
    for (addr, expected) in [
        ("2001:db8::10", "2001:db8::10/64"),
        // KAME: the zone (index 2) in bytes 2-3.
        ("fe80:2::10", "fe80::10/64"),
    ] {
        // NETMASK (28 -> 32 bytes), IFP (54 -> 56), IFA.
        let msg = ifa_msghdr(
            RTM_NEWADDR,
            2,
            RTA_NETMASK | RTA_IFP | RTA_IFA,
            &[&netmask, &ifp, &sin6(addr)],
        );
        assert_eq!(msg.len(), 20 + 32 + 56 + 32);
        assert_eq!(
            parse_one(&msg),
            Ok(Message::NewAddr(AddrMsg {
                index: 2,
                prefix: prefix(expected),
                flags: 0,
            }))
        );
    }
    // A /64 mask cut short, family 0.
    let short = mask(AF_UNSPEC, "ffff:ffff:ffff:ffff::", 16);
    let msg = ifa_msghdr(
        RTM_NEWADDR,
        2,
        RTA_NETMASK | RTA_IFA,
        &[&short, &sin6("2001:db8::10")],
    );
    let Ok(Message::NewAddr(a)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!(a.prefix, prefix("2001:db8::10/64"));
}

#[test]
fn addresses_mpathd_does_not_track_are_ignored() {
    let ignored = Ok(Message::Ignored {
        version: 5,
        kind: RTM_NEWADDR,
    });
    // A link-level address.
    let dl = sdl(2, "em0", &[0x02, 0, 0, 0, 0, 1]);
    let msg = ifa_msghdr(RTM_NEWADDR, 2, RTA_IFA, &[&dl]);
    assert_eq!(parse_one(&msg), ignored);
    // A mask that is not a prefix.
    let odd = mask(AF_INET, "255.0.255.0", 16);
    let msg = ifa_msghdr(
        RTM_NEWADDR,
        2,
        RTA_NETMASK | RTA_IFA,
        &[&odd, &sin("192.0.2.10")],
    );
    assert_eq!(parse_one(&msg), ignored);
}

#[test]
fn malformed_addresses_are_errors() {
    let ifa = sin("192.0.2.10");
    // RTA_IFA announced, no bytes.
    let msg = ifa_msghdr(RTM_NEWADDR, 2, RTA_IFA, &[]);
    assert_eq!(
        parse_one(&msg),
        Err(RtsockError::MissingAddress {
            kind: RTM_NEWADDR,
            slot: 5
        })
    );
    // No RTA_IFA at all.
    let msg = ifa_msghdr(RTM_NEWADDR, 2, RTA_BRD, &[&ifa]);
    assert_eq!(
        parse_one(&msg),
        Err(RtsockError::BadAddress {
            kind: RTM_NEWADDR,
            slot: 5
        })
    );
    // sa_len past the message's end.
    let mut long = ifa.clone();
    long[0] = 40;
    let msg = ifa_msghdr(RTM_NEWADDR, 2, RTA_IFA, &[]);
    let msg = finish(cat(&[&msg, &long]));
    assert_eq!(
        parse_one(&msg),
        Err(RtsockError::BadAddressLength {
            kind: RTM_NEWADDR,
            slot: 5,
            len: 40,
            available: 16
        })
    );
    // An AF_INET address of 6 bytes (sa_len honoured, not sizeof).
    let mut short = ifa.clone();
    short[0] = 6;
    let msg = ifa_msghdr(RTM_NEWADDR, 2, RTA_IFA, &[&short]);
    assert_eq!(
        parse_one(&msg),
        Err(RtsockError::BadAddress {
            kind: RTM_NEWADDR,
            slot: 5
        })
    );
    // A short header.
    let msg = finish(ifa_msghdr(RTM_NEWADDR, 2, 0, &[])[..12].to_vec());
    assert!(matches!(
        parse_one(&msg),
        Err(RtsockError::ShortMessage { needed: 20, .. })
    ));
    // Index 0.
    let msg = ifa_msghdr(RTM_NEWADDR, 0, RTA_IFA, &[&ifa]);
    assert_eq!(
        parse_one(&msg),
        Err(RtsockError::BadIndex { kind: RTM_NEWADDR })
    );
}

#[test]
fn iflistl_addresses_start_after_ifam_len() {
    let netmask = mask(AF_INET, "255.255.255.0", 16);
    let msg = ifa_msghdrl(
        2,
        RTA_NETMASK | RTA_IFA,
        &[&netmask, &sin("198.51.100.7")],
    );
    assert_eq!(
        parse_one_l(&msg),
        Ok(Message::NewAddr(AddrMsg {
            index: 2,
            prefix: prefix("198.51.100.7/24"),
            flags: 0,
        }))
    );
    let mut bad = msg.clone();
    bad[16..18].copy_from_slice(&u16b(20));
    assert_eq!(
        parse_one_l(&bad),
        Err(RtsockError::BadHeaderLength {
            kind: RTM_NEWADDR,
            len: 20
        })
    );
}

// ---- RTM_IFANNOUNCE ----

#[test]
fn announcements() {
    assert_eq!(
        parse_one(&announce(7, b"em1", IFAN_ARRIVAL)),
        Ok(Message::IfAnnounce(AnnounceMsg {
            index: 7,
            name: "em1".into(),
            what: What::Arrival,
        }))
    );
    // A name filling all 16 bytes, without a NUL.
    let full = b"abcdefghijklmnop";
    let Ok(Message::IfAnnounce(a)) =
        parse_one(&announce(7, full, IFAN_DEPARTURE))
    else {
        panic!()
    };
    assert_eq!(
        (a.name.as_str(), a.what),
        ("abcdefghijklmnop", What::Departure)
    );
    let Ok(Message::IfAnnounce(a)) = parse_one(&announce(7, b"em1", 9)) else {
        panic!()
    };
    assert_eq!(a.what, What::Other(9));
    let short = finish(announce(7, b"em1", IFAN_ARRIVAL)[..20].to_vec());
    assert!(parse_one(&short).is_err());
}

// ---- routes ----

#[test]
fn routes_through_gateways() {
    let up_gw = RTF_UP | RTF_GATEWAY;
    // Default route: DST 0.0.0.0, GATEWAY, NETMASK with sa_len 0.
    let msg = rt_msghdr(
        RTM_GET,
        2,
        up_gw,
        RTA_DST | RTA_GATEWAY | RTA_NETMASK,
        &[&sin("0.0.0.0"), &sin("192.0.2.1"), &[0; 8]],
    );
    assert_eq!(
        parse_one(&msg),
        Ok(Message::Route(
            RouteOp::Get,
            RouteMsg {
                dst: prefix("0.0.0.0/0"),
                gateway: Some(ip("192.0.2.1")),
                index: 2,
                flags: up_gw,
            }
        ))
    );
    // A host route (no netmask) added.
    let msg = rt_msghdr(
        RTM_ADD,
        2,
        up_gw | RTF_HOST,
        RTA_DST | RTA_GATEWAY,
        &[&sin("203.0.113.5"), &sin("192.0.2.1")],
    );
    let Ok(Message::Route(RouteOp::Add, r)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!(r.dst, prefix("203.0.113.5/32"));
    // IPv6 default route through a link-local router with the zone
    // embedded.
    let msg = rt_msghdr(
        RTM_DELETE,
        3,
        up_gw,
        RTA_DST | RTA_GATEWAY | RTA_NETMASK,
        &[&sin6("::"), &sin6("fe80:3::1"), &mask(AF_INET6, "::", 28)],
    );
    let Ok(Message::Route(RouteOp::Delete, r)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!(
        (r.dst, r.gateway, r.index),
        (prefix("::/0"), Some(ip("fe80::1")), 3)
    );
    let msg = rt_msghdr(
        RTM_CHANGE,
        3,
        up_gw,
        RTA_DST | RTA_GATEWAY | RTA_NETMASK,
        &[
            &sin("198.51.100.0"),
            &sin("192.0.2.1"),
            &mask(AF_UNSPEC, "255.255.255.0", 7),
        ],
    );
    let Ok(Message::Route(RouteOp::Change, r)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!(r.dst, prefix("198.51.100.0/24"));
}

#[test]
fn connected_reject_and_foreign_routes() {
    // A connected subnet: the gateway is the interface's sockaddr_dl.
    let dl = sdl(2, "", &[0x02, 0, 0, 0, 0, 1]);
    let msg = rt_msghdr(
        RTM_GET,
        2,
        RTF_UP,
        RTA_DST | RTA_GATEWAY | RTA_NETMASK,
        &[&sin("192.0.2.0"), &dl, &mask(AF_INET, "255.255.255.0", 16)],
    );
    let Ok(Message::Route(_, r)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!((r.dst, r.gateway), (prefix("192.0.2.0/24"), None));
    // RTF_GATEWAY with a gateway of the other family: no gateway.
    let msg = rt_msghdr(
        RTM_GET,
        2,
        RTF_UP | RTF_GATEWAY,
        RTA_DST | RTA_GATEWAY,
        &[&sin("203.0.113.9"), &sin6("2001:db8::1")],
    );
    let Ok(Message::Route(_, r)) = parse_one(&msg) else {
        panic!()
    };
    assert_eq!(r.gateway, None);
    // Reject and blackhole routes, a link-level destination, no
    // destination: ignored.
    let ignored = Ok(Message::Ignored {
        version: 5,
        kind: RTM_GET,
    });
    for flags in [RTF_REJECT, RTF_BLACKHOLE] {
        let msg = rt_msghdr(
            RTM_GET,
            1,
            RTF_UP | RTF_GATEWAY | flags,
            RTA_DST | RTA_GATEWAY,
            &[&sin("203.0.113.0"), &sin("127.0.0.1")],
        );
        assert_eq!(parse_one(&msg), ignored);
    }
    let msg = rt_msghdr(RTM_GET, 2, RTF_UP, RTA_DST, &[&dl]);
    assert_eq!(parse_one(&msg), ignored);
    let msg = rt_msghdr(RTM_GET, 2, RTF_UP, 0, &[]);
    assert_eq!(parse_one(&msg), ignored);
    let short = finish(rt_msghdr(RTM_GET, 2, RTF_UP, 0, &[])[..100].to_vec());
    assert!(matches!(
        parse_one(&short),
        Err(RtsockError::ShortMessage { needed: 152, .. })
    ));
}

// ---- the snapshot ----

#[test]
fn assembles_interfaces_addresses_and_gateway_routes() {
    let mac = [0x02, 0, 0, 0, 0, 0x02];
    let m24 = mask(AF_UNSPEC, "255.255.255.0", 7);
    let m64 = mask(AF_INET6, "ffff:ffff:ffff:ffff::", 28);
    let iflist = cat(&[
        &if_msghdrl(
            1,
            IFF_UP | IFF_LOOPBACK,
            LINK_STATE_UNKNOWN,
            &sdl(1, "lo0", &[]),
            0,
        ),
        &ifa_msghdrl(
            1,
            RTA_NETMASK | RTA_IFA,
            &[&mask(AF_INET, "255.0.0.0", 16), &sin("127.0.0.1")],
        ),
        &if_msghdrl(2, IFF_UP, LINK_STATE_UP, &sdl(2, "em0", &mac), 0),
        &ifa_msghdrl(2, RTA_NETMASK | RTA_IFA, &[&m24, &sin("192.0.2.10")]),
        &ifa_msghdrl(2, RTA_NETMASK | RTA_IFA, &[&m24, &sin("192.0.2.10")]),
        &ifa_msghdrl(2, RTA_NETMASK | RTA_IFA, &[&m64, &sin6("fe80:2::2")]),
        &if_msghdrl(3, 0, LINK_STATE_DOWN, &sdl(3, "em1", &mac), 0),
        // An address of an interface the list does not have.
        &ifa_msghdrl(9, RTA_IFA, &[&sin("198.51.100.1")]),
    ]);
    let gw = RTF_UP | RTF_GATEWAY;
    let dgw = RTA_DST | RTA_GATEWAY | RTA_NETMASK;
    let routes = cat(&[
        &rt_msghdr(
            RTM_GET,
            2,
            gw,
            dgw,
            &[&sin("0.0.0.0"), &sin("192.0.2.1"), &[0; 8]],
        ),
        // Connected: no gateway.
        &rt_msghdr(
            RTM_GET,
            2,
            RTF_UP,
            dgw,
            &[&sin("192.0.2.0"), &sdl(2, "", &[]), &m24],
        ),
        &rt_msghdr(
            RTM_GET,
            3,
            gw,
            dgw,
            &[&sin6("::"), &sin6("fe80:3::1"), &[0; 8]],
        ),
        // Through an interface the list does not have.
        &rt_msghdr(
            RTM_GET,
            9,
            gw,
            RTA_DST | RTA_GATEWAY,
            &[&sin("203.0.113.1"), &sin("192.0.2.1")],
        ),
    ]);
    let snap = assemble(&iflist, &routes).unwrap();
    assert_eq!(
        snap.links,
        [
            KernelLink {
                name: "lo0".into(),
                index: 1,
                mac: None,
                admin_up: true,
                carrier: None,
                loopback: true,
                addrs: vec![prefix("127.0.0.1/8")],
                groups: Vec::new(),
            },
            KernelLink {
                name: "em0".into(),
                index: 2,
                mac: Some(mac),
                admin_up: true,
                carrier: Some(true),
                loopback: false,
                addrs: vec![prefix("192.0.2.10/24"), prefix("fe80::2/64")],
                groups: Vec::new(),
            },
            KernelLink {
                name: "em1".into(),
                index: 3,
                mac: Some(mac),
                admin_up: false,
                carrier: Some(false),
                loopback: false,
                addrs: vec![],
                groups: Vec::new(),
            },
        ]
    );
    assert_eq!(
        snap.routes,
        [
            KernelRoute {
                dst: prefix("0.0.0.0/0"),
                gateway: ip("192.0.2.1"),
                ifname: "em0".into(),
            },
            KernelRoute {
                dst: prefix("::/0"),
                gateway: ip("fe80::1"),
                ifname: "em1".into(),
            },
        ]
    );
    // A malformed message fails the snapshot.
    let mut broken = iflist.clone();
    broken.extend([1, 2, 3]);
    assert_eq!(
        assemble(&broken, &routes),
        Err(RtsockError::ShortHeader { available: 3 })
    );
}

// ---- the pieces ----

#[test]
fn sa_size_rounds_to_longs() {
    for (len, size) in [
        (0, 8),
        (1, 8),
        (8, 8),
        (9, 16),
        (16, 16),
        (17, 24),
        (28, 32),
        (54, 56),
        (255, 256),
    ] {
        assert_eq!(sa_size(len), size, "sa_len {len}");
    }
}

#[test]
fn prefix_lengths_from_masks() {
    let v4 = |m: &str, len: u8| prefix_len(AF_INET, &mask(AF_INET, m, len));
    assert_eq!(v4("255.255.255.0", 16), Some(24));
    assert_eq!(v4("255.255.255.0", 7), Some(24));
    assert_eq!(v4("255.255.128.0", 7), Some(17));
    assert_eq!(v4("255.255.255.255", 16), Some(32));
    assert_eq!(v4("0.0.0.0", 16), Some(0));
    assert_eq!(v4("255.0.255.0", 16), None);
    assert_eq!(v4("255.254.1.0", 16), None);
    assert_eq!(prefix_len(AF_INET, &[]), Some(0));
    let v6 = |m: &str| prefix_len(AF_INET6, &mask(AF_INET6, m, 28));
    assert_eq!(v6("ffff:ffff:ffff:ffff::"), Some(64));
    assert_eq!(v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), Some(128));
    assert_eq!(v6("ffff:ffff:ffff:fffe::"), Some(63));
    assert_eq!(v6("::"), Some(0));
    assert_eq!(v6("ffff::ffff"), None);
}

#[test]
fn kame_scope_is_cleared_from_scoped_addresses_only() {
    let unembedded = |s: &str| {
        let IpAddr::V6(a) = ip(s) else { panic!() };
        let mut octets = a.octets();
        unembed_scope(&mut octets);
        IpAddr::from(octets)
    };
    assert_eq!(unembedded("fe80:4::1"), ip("fe80::1"));
    assert_eq!(unembedded("ff02:4::1"), ip("ff02::1"));
    assert_eq!(unembedded("2001:db8::1"), ip("2001:db8::1"));
    assert_eq!(unembedded("ff05:4::1"), ip("ff05:4::1"));
}
