//! The port probe socket against the running kernel, in network
//! namespaces of the tests' own: a veth pair `mpa` (the port) and `mpb`
//! (its neighbour, or a target).

use std::net::{Ipv4Addr, Ipv6Addr};
use std::process::Command;
use std::time::{Duration, Instant};

use mpath_wire::{
    emit_arp_frame, emit_arp_request, emit_ndp_frame,
    emit_neighbor_solicitation_frame, parse_arp_frame, parse_ndp_frame,
    ArpFrame, ArpOp, NaFlags, NdpFrame, NdpMessage,
};

use super::*;
use crate::clock;
use crate::linux::testns::{in_fresh_netns, ip};
use crate::packet::FrameSocket;

/// The port's own address (what a bond would have set on it).
const PORT_MAC: &str = "02:00:5e:10:00:aa";
/// The neighbour's address.
const PEER: MacAddr = MacAddr([0x02, 0, 0x5e, 0x10, 0, 0xbb]);
/// The probe address: the port's "permanent" one, which the port does
/// not carry.
const PROBE: MacAddr = MacAddr([0x02, 0, 0x5e, 0x10, 0, 0x0a]);
/// Someone else.
const OTHER: MacAddr = MacAddr([0x02, 0, 0x5e, 0x10, 0, 0x0c]);

const TARGET: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 1);
const TARGET6: Ipv6Addr = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);

/// `mpa` (address PORT_MAC) and `mpb` (PEER), up; their indexes.
fn veth() -> (u32, u32) {
    ip(&["link", "add", "mpa", "type", "veth", "peer", "name", "mpb"]);
    ip(&["link", "set", "mpa", "address", PORT_MAC]);
    ip(&["link", "set", "mpb", "address", &PEER.to_string()]);
    ip(&["link", "set", "mpa", "up"]);
    ip(&["link", "set", "mpb", "up"]);
    let a = ifindex::name_to_index("mpa").unwrap();
    let b = ifindex::name_to_index("mpb").unwrap();
    (a, b)
}

/// Waits up to `wait` for a frame and returns it.
fn next_frame(probe: &PortProbe, wait: Duration) -> Option<(Frame, Vec<u8>)> {
    let deadline = Instant::now() + wait;
    loop {
        let mut buf = vec![0; 2048];
        if let Some(frame) = probe.recv(&mut buf).unwrap() {
            buf.truncate(frame.len);
            return Some((frame, buf));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return None;
        }
        crate::wait::readable(probe.as_fd(), left).unwrap();
    }
}

fn arp_reply(to: MacAddr) -> Vec<u8> {
    emit_arp_frame(&ArpFrame {
        eth_src: PEER,
        eth_dst: to,
        op: ArpOp::Reply,
        sender_mac: PEER,
        sender_ip: TARGET,
        target_mac: to,
        target_ip: Ipv4Addr::UNSPECIFIED,
    })
}

fn na(to: MacAddr, ip_dst: Ipv6Addr) -> Vec<u8> {
    emit_ndp_frame(&NdpFrame {
        eth_src: PEER,
        eth_dst: to,
        ip_src: TARGET6,
        ip_dst,
        message: NdpMessage::NeighborAdvert {
            target: TARGET6,
            flags: NaFlags {
                router: false,
                solicited: !to.is_multicast(),
                override_: true,
            },
            target_mac: Some(PEER),
        },
    })
}

/// The link-local address derived from `mac` (modified EUI-64).
fn link_local(mac: MacAddr) -> Ipv6Addr {
    let m = mac.octets();
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        m[0] ^ 2,
        m[1],
        m[2],
        0xff,
        0xfe,
        m[3],
        m[4],
        m[5],
    ])
}

#[test]
fn the_filter_program_has_the_expected_shape() {
    let v4 = filter(Family::V4, PROBE);
    assert_eq!(v4.len(), 4 * 2 + 2);
    let v6 = filter(Family::V6, PROBE);
    assert_eq!(v6.len(), 5 * 2 + 2);
    for program in [&v4, &v6] {
        let n = program.len();
        for (i, insn) in program.iter().enumerate() {
            if i % 2 == 1 && i < n - 2 {
                // Every jump: no-match goes to the last instruction
                // (reject), a match to the next one (the next test, or
                // accept after the last test).
                assert_eq!(i + 1 + usize::from(insn.jf), n - 1, "{i}");
                assert_eq!(insn.jt, 0);
            }
        }
        assert_eq!(program[n - 2].k, u32::MAX);
        assert_eq!(program[n - 1].k, 0);
    }
    // The probe address, in network order, is what the last two tests
    // compare with.
    assert_eq!(v4[5].k, 0x0200_5e10);
    assert_eq!(v4[7].k, 0x000a);
    assert_eq!(v6[7].k, 0x0200_5e10);
    assert_eq!(v6[9].k, 0x000a);
}

#[test]
fn frames_from_another_address_or_protocol_are_refused() {
    let arp = emit_arp_request(PROBE, Ipv4Addr::UNSPECIFIED, TARGET);
    check_frame(&arp, Family::V4, PROBE).unwrap();
    let from_bond = emit_arp_request(OTHER, Ipv4Addr::UNSPECIFIED, TARGET);
    let err = check_frame(&from_bond, Family::V4, PROBE).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("not from the probe address"));
    let err = check_frame(&arp, Family::V6, PROBE).unwrap_err();
    assert!(err.to_string().contains("EtherType 0x0806"), "{err}");
    let ns =
        emit_neighbor_solicitation_frame(PROBE, link_local(PROBE), TARGET6);
    check_frame(&ns, Family::V6, PROBE).unwrap();
    let err = check_frame(&arp[..13], Family::V4, PROBE).unwrap_err();
    assert!(err.to_string().contains("no Ethernet header"), "{err}");
}

#[test]
fn bad_probe_addresses_are_refused() {
    for mac in [
        MacAddr::ZERO,
        MacAddr::BROADCAST,
        MacAddr([1, 0, 0x5e, 0, 0, 1]),
    ] {
        let err = PortProbe::open("lo", Family::V4, mac).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{mac}");
    }
    let err = PortProbe::open("mp-no-such", Family::V4, PROBE).unwrap_err();
    assert!(err.to_string().contains("mp-no-such"), "{err}");
}

#[test]
fn only_replies_to_the_probe_address_pass() {
    in_fresh_netns("portprobe::only_replies_to_the_probe_address_pass", || {
        let (_, b) = veth();
        let v4 = PortProbe::open("mpa", Family::V4, PROBE).unwrap();
        let v6 = PortProbe::open("mpa", Family::V6, PROBE).unwrap();
        assert_eq!(v4.family(), Family::V4);
        assert_eq!(v4.mac(), PROBE);
        assert_eq!(v4.ifindex(), ifindex::name_to_index("mpa").unwrap());
        let mut nothing = [0u8; 64];
        assert_eq!(v4.recv(&mut nothing).unwrap(), None);

        let inject = FrameSocket::open().unwrap();
        let all_nodes = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
        let dropped = [
            // An ARP reply to someone else, an ARP request for us.
            arp_reply(OTHER),
            emit_arp_request(PEER, TARGET, Ipv4Addr::new(192, 0, 2, 10)),
            // NAs to someone else and to all nodes, an NS to us.
            na(OTHER, link_local(OTHER)),
            na(MacAddr::ipv6_multicast(all_nodes), all_nodes),
            {
                let mut ns = emit_neighbor_solicitation_frame(
                    PEER,
                    TARGET6,
                    link_local(PROBE),
                );
                ns[..6].copy_from_slice(&PROBE.octets());
                ns
            },
        ];
        for frame in &dropped {
            inject.send_frame(b, frame).unwrap();
        }
        let before = clock::realtime_ns();
        let reply = arp_reply(PROBE);
        inject.send_frame(b, &reply).unwrap();
        let advert = na(PROBE, link_local(PROBE));
        inject.send_frame(b, &advert).unwrap();

        let (frame, bytes) = next_frame(&v4, Duration::from_secs(5))
            .expect("the ARP reply to the probe address");
        let after = clock::realtime_ns();
        // veth pads nothing: the frame as sent.
        assert_eq!(bytes, reply);
        assert!(!frame.truncated);
        let stamp = frame.rx_realtime_ns.expect("no SCM_TIMESTAMPNS");
        assert!(before <= stamp && stamp <= after, "{stamp}");
        let (frame, bytes) = next_frame(&v6, Duration::from_secs(5))
            .expect("the NA to the probe address");
        assert_eq!(bytes, advert);
        assert!(frame.rx_realtime_ns.is_some());
        // Nothing else came through.
        assert!(next_frame(&v4, Duration::from_millis(200)).is_none());
        assert!(next_frame(&v6, Duration::from_millis(200)).is_none());

        // A buffer too small: truncated.
        inject.send_frame(b, &reply).unwrap();
        crate::wait::readable(v4.as_fd(), Duration::from_secs(5)).unwrap();
        let mut small = [0u8; 20];
        let frame = v4.recv(&mut small).unwrap().expect("the reply");
        assert!(frame.truncated);
        assert_eq!(frame.len, 20);
        assert_eq!(small[..], reply[..20]);
    });
}

/// `bridge fdb show dev DEV`: the port's unicast filter shows up as
/// `self permanent` entries.
fn fdb(dev: &str) -> String {
    let out = Command::new("bridge")
        .args(["fdb", "show", "dev", dev])
        .output()
        .expect("run bridge");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn probes_from_the_permanent_address_are_answered() {
    in_fresh_netns("portprobe::probes_from_the_permanent_address", || {
        veth();
        ip(&["addr", "add", "192.0.2.1/24", "dev", "mpb"]);
        ip(&["addr", "add", "2001:db8::1/64", "dev", "mpb", "nodad"]);
        let v4 = PortProbe::open("mpa", Family::V4, PROBE).unwrap();
        let v6 = PortProbe::open("mpa", Family::V6, PROBE).unwrap();
        // The probe address is in the port's unicast filter while the
        // sockets are open.
        let probe = PROBE.to_string();
        assert!(fdb("mpa").contains(&probe), "{}", fdb("mpa"));

        // An ARP Probe: sender IP 0.0.0.0.
        let request = emit_arp_request(PROBE, Ipv4Addr::UNSPECIFIED, TARGET);
        v4.send_frame(&request).unwrap();
        let (_, bytes) =
            next_frame(&v4, Duration::from_secs(5)).expect("no ARP reply");
        let reply = parse_arp_frame(&bytes).unwrap();
        assert_eq!(reply.op, ArpOp::Reply);
        assert_eq!(reply.eth_dst, PROBE);
        assert_eq!(reply.target_mac, PROBE);
        assert_eq!(reply.sender_mac, PEER);
        assert_eq!(reply.sender_ip, TARGET);
        assert_eq!(reply.target_ip, Ipv4Addr::UNSPECIFIED);

        // A neighbour solicitation from the link-local address of the
        // probe address.
        // mpb may still be bringing IPv6 up (a fresh veth's carrier
        // comes up a moment after `ip link set up`), and ignores a
        // solicitation until then: ask again every half second, as
        // laggd's probes do, and skip mpb's own chatter (its router
        // solicitations, its DAD).
        let src = link_local(PROBE);
        let ns = emit_neighbor_solicitation_frame(PROBE, src, TARGET6);
        let deadline = Instant::now() + Duration::from_secs(5);
        let na = loop {
            assert!(Instant::now() < deadline, "no NA");
            v6.send_frame(&ns).unwrap();
            let answer = next_frame(&v6, Duration::from_millis(500))
                .and_then(|(_, bytes)| parse_ndp_frame(&bytes).ok())
                .filter(|f| {
                    matches!(f.message, NdpMessage::NeighborAdvert { .. })
                });
            if let Some(na) = answer {
                break na;
            }
        };
        assert_eq!(na.eth_dst, PROBE);
        assert_eq!(na.ip_dst, src);
        match na.message {
            NdpMessage::NeighborAdvert { target, flags, .. } => {
                assert_eq!(target, TARGET6);
                assert!(flags.solicited);
            }
            NdpMessage::NeighborSolicit { .. } => panic!("{na:?}"),
        }

        // The ARP Probe taught the target nothing about 0.0.0.0 or the
        // probe address.
        let out = Command::new("ip")
            .args(["-4", "neigh", "show", "dev", "mpb"])
            .output()
            .unwrap();
        let neigh = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(!neigh.contains(&probe), "{neigh}");

        // Frames from another source are refused before the wire.
        let from_port = emit_arp_request(OTHER, Ipv4Addr::UNSPECIFIED, TARGET);
        let err = v4.send_frame(&from_port).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

        drop(v4);
        drop(v6);
        assert!(!fdb("mpa").contains(&probe), "{}", fdb("mpa"));
    });
}
