use std::time::Duration;

use mpath_core::probe::ProbeKind;
use mpath_core::time::Instant;

use super::*;
use crate::echo::Discard;
use crate::linux::testns::{in_fresh_netns, ip};
use crate::{clock, ifindex};

#[test]
fn filters_pass_only_echo_replies() {
    let v6 = Icmp6Filter::pass_only(ICMP6_ECHO_REPLY);
    for t in 0..=u8::MAX {
        assert_eq!(v6.passes(t), t == 129, "type {t}");
    }
    assert_eq!(v6.words[4], !0b10);
    let v4 = icmp_drop_all_but(ICMP_ECHOREPLY);
    assert_eq!(v4, 0xffff_fffe);
    assert_eq!(size_of::<Icmp6Filter>(), 32);
}

fn path(ifname: &str, family: Family, src: &str) -> ProbePath {
    ProbePath {
        ifname: ifname.into(),
        ifindex: ifindex::name_to_index(ifname).unwrap(),
        family,
        src: src.parse().unwrap(),
    }
}

fn request(seq: u16, dst: &str) -> ProbeRequest {
    ProbeRequest {
        kind: ProbeKind::Uni,
        dst: dst.parse().unwrap(),
        id: 0x4201,
        seq,
        sent_at: clock::now(),
        nonce: 0x0123_4567_89ab_cdef,
    }
}

/// Waits up to 5 s for something other than nothing on `fd`.
fn receive(s: &ProbeSockets, fd: RawFd) -> Received {
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < end {
        if let Some(r) = s.recv(fd).unwrap() {
            return r;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("nothing received within 5 s");
}

#[test]
fn one_socket_per_family_serves_every_path() {
    in_fresh_netns("probes::one_socket_per_family", || {
        // No dummy interfaces on every kernel: veth pairs will do.
        ip(&["link", "add", "d0", "type", "veth", "peer", "name", "e0"]);
        ip(&["link", "add", "d1", "type", "veth", "peer", "name", "e1"]);
        let mut s = ProbeSockets::new();
        let lo = path("lo", Family::V4, "127.0.0.1");
        let fd = s.open(&lo).unwrap().expect("the IPv4 socket opened");
        for name in ["d0", "d1"] {
            let p = path(name, Family::V4, "192.0.2.1");
            assert_eq!(s.open(&p).unwrap(), None, "shared, nothing new");
        }
        let bad = ProbePath {
            src: "::1".parse().unwrap(),
            ..lo.clone()
        };
        let err = s.open(&bad).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(s.recv(fd).unwrap().map(|r| r.path), None);
        s.close(lo.ifindex, Family::V4, |_| panic!("shared stays open"));
    });
}

#[test]
fn echo_over_loopback_v4_names_its_path() {
    in_fresh_netns("probes::echo_over_loopback_v4", || {
        let mut s = ProbeSockets::new();
        let lo = path("lo", Family::V4, "127.0.0.1");
        let fd = s.open(&lo).unwrap().unwrap();
        let req = request(1, "127.0.0.1");
        let before = clock::now();
        s.send(lo.ifindex, Family::V4, &req).unwrap();
        // The filter keeps our own request, looped back, off the socket:
        // the first packet is the kernel's reply.
        let r = receive(&s, fd);
        let after = clock::now();
        assert_eq!(r.path, Some((lo.ifindex, Family::V4)));
        let reply = r.reply.expect("a reply");
        assert_eq!(reply.src, lo.src);
        assert_eq!((reply.id, reply.seq, reply.nonce), (req.id, 1, req.nonce));
        assert_eq!(reply.timestamp, req.sent_at);
        let at: Instant = reply.received_at;
        assert!(before <= at && at <= after + Duration::from_millis(5));

        // A path not opened cannot send.
        let err = s.send(99, Family::V4, &req).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        // Nor a request of the other family.
        let err = s.send(lo.ifindex, Family::V4, &request(2, "::1"));
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    });
}

#[test]
fn a_reply_to_another_address_is_nobodys() {
    in_fresh_netns("probes::reply_elsewhere", || {
        ip(&["link", "add", "d0", "type", "veth", "peer", "name", "e0"]);
        ip(&["link", "set", "d0", "up"]);
        ip(&["addr", "add", "192.0.2.1/32", "dev", "d0"]);
        let mut s = ProbeSockets::new();
        let d0 = path("d0", Family::V4, "192.0.2.1");
        let fd = s.open(&d0).unwrap().unwrap();
        // Somebody else's ping: its reply reaches every raw ICMP socket,
        // this one too, and is for no path.
        let ping = std::process::Command::new("ping")
            .args(["-c", "1", "-W", "2", "127.0.0.1"])
            .output()
            .expect("ping");
        assert!(ping.status.success(), "{ping:?}");
        let r = receive(&s, fd);
        assert_eq!(r.path, None);
        assert!(matches!(r.reply, Err(Discard::Quiet)));
    });
}

#[test]
fn echo_over_loopback_v6_names_its_path() {
    in_fresh_netns("probes::echo_over_loopback_v6", || {
        let mut s = ProbeSockets::new();
        let lo = path("lo", Family::V6, "::1");
        let fd = s.open(&lo).unwrap().expect("the IPv6 socket opened");
        s.send(lo.ifindex, Family::V6, &request(4, "::1")).unwrap();
        let r = receive(&s, fd);
        assert_eq!(r.path, Some((lo.ifindex, Family::V6)));
        // mpathd takes IPv6 replies only from link-local sources.
        match r.reply {
            Err(Discard::Noisy(m)) => assert!(m.contains("linklocal"), "{m}"),
            other => panic!("{other:?}"),
        }
    });
}
