use std::collections::BTreeMap;
use std::time::Duration;

use mpath_core::probe::ProbeKind;
use mpath_core::time::Instant;

use super::*;
use crate::echo::Discard;
use crate::linux::testns::{in_fresh_netns, ip, PeerNetns};
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
fn receive(s: &mut ProbeSockets, fd: RawFd) -> Received {
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
        flush_all(&mut s);
        // The filter keeps our own request, looped back, off the socket:
        // the first packet is the kernel's reply.
        let r = receive(&mut s, fd);
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
        let r = receive(&mut s, fd);
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
        flush_all(&mut s);
        let r = receive(&mut s, fd);
        assert_eq!(r.path, Some((lo.ifindex, Family::V6)));
        // mpathd takes IPv6 replies only from link-local sources.
        match r.reply {
            Err(Discard::Noisy(m)) => assert!(m.contains("linklocal"), "{m}"),
            other => panic!("{other:?}"),
        }
    });
}

/// Flushes `s`, every probe expected to go.
fn flush_all(s: &mut ProbeSockets) {
    s.flush(|path, e| panic!("sending on {path:?} failed: {e}"));
}

/// Flushes `s`: the failures, in order.
fn flush_failures(s: &mut ProbeSockets) -> Vec<((u32, Family), io::Error)> {
    let mut failed = Vec::new();
    s.flush(|path, e| failed.push((path, e)));
    failed
}

/// The replies read from `fd` until it says nothing is waiting.
fn drain(s: &mut ProbeSockets, fd: RawFd) -> Vec<Received> {
    std::iter::from_fn(|| s.recv(fd).unwrap()).collect()
}

/// `n` veth pairs `d<i>` (here, 10.9.<i>.1/24) and `e<i>` (in `peer`,
/// 10.9.<i>.2/24), all up; the IPv4 probe paths through the `d<i>`.
fn veth_paths(peer: &PeerNetns, n: usize) -> Vec<ProbePath> {
    (0..n)
        .map(|i| {
            let (d, e) = (format!("d{i}"), format!("e{i}"));
            ip(&["link", "add", &d, "type", "veth", "peer", "name", &e]);
            ip(&["link", "set", &e, "netns", &peer.id()]);
            let (here, there) = (format!("10.9.{i}.1"), format!("10.9.{i}.2"));
            ip(&["addr", "add", &format!("{here}/24"), "dev", &d]);
            ip(&["link", "set", &d, "up"]);
            peer.ip(&["addr", "add", &format!("{there}/24"), "dev", &e]);
            peer.ip(&["link", "set", &e, "up"]);
            path(&d, Family::V4, &here)
        })
        .collect()
}

/// The target of veth path `i`.
fn target(i: usize) -> String {
    format!("10.9.{i}.2")
}

/// Probes each path until it has answered once: a fresh veth's carrier
/// comes up a moment after `ip link set up`, and the first probe waits
/// for ARP. Then every reply is for a batch sent under test.
fn until_answered(s: &mut ProbeSockets, fd: RawFd, paths: &[ProbePath]) {
    let end = std::time::Instant::now() + Duration::from_secs(10);
    let mut answered = vec![false; paths.len()];
    while answered.contains(&false) {
        assert!(std::time::Instant::now() < end, "no answer: {answered:?}");
        for (i, p) in paths.iter().enumerate() {
            s.send(p.ifindex, Family::V4, &request(0, &target(i)))
                .unwrap();
        }
        flush_all(s);
        std::thread::sleep(Duration::from_millis(100));
        for r in drain(s, fd) {
            let i = paths
                .iter()
                .position(|p| r.path == Some((p.ifindex, Family::V4)));
            if let (Some(i), Ok(_)) = (i, &r.reply) {
                answered[i] = true;
            }
        }
    }
}

/// Reads from `fd` until `want` replies came, or 5 s passed: the
/// replies by sequence number, each with the path it named.
fn replies(
    s: &mut ProbeSockets,
    fd: RawFd,
    want: usize,
) -> BTreeMap<u16, Option<(u32, Family)>> {
    let end = std::time::Instant::now() + Duration::from_secs(5);
    let mut got = BTreeMap::new();
    while got.len() < want && std::time::Instant::now() < end {
        for r in drain(s, fd) {
            if let Ok(reply) = r.reply {
                let again = got.insert(reply.seq, r.path);
                assert!(again.is_none(), "seq {} twice", reply.seq);
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    got
}

#[test]
fn a_batch_over_several_paths_is_answered_each_reply_naming_its_path() {
    in_fresh_netns("probes::a_batch_over_several_paths", || {
        let peer = PeerNetns::new();
        let paths = veth_paths(&peer, 4);
        let mut s = ProbeSockets::new();
        let mut fd = None;
        for p in &paths {
            fd = fd.or(s.open(p).unwrap());
        }
        let fd = fd.expect("the IPv4 socket");
        until_answered(&mut s, fd, &paths);

        // 40 probes a path, interleaved: 160 in one flush, more than a
        // sendmmsg batch and than a recvmmsg batch. Sequence number
        // 1000 * (path + 1) + n.
        let mut sent = BTreeMap::new();
        for n in 0..40u16 {
            for (i, p) in paths.iter().enumerate() {
                let seq = 1000 * (u16::try_from(i).unwrap() + 1) + n;
                let req = request(seq, &target(i));
                s.send(p.ifindex, Family::V4, &req).unwrap();
                sent.insert(seq, Some((p.ifindex, Family::V4)));
            }
        }
        flush_all(&mut s);
        let got = replies(&mut s, fd, sent.len());
        assert_eq!(got, sent);
        // All sent, nothing queued twice: the next flush sends nothing.
        flush_all(&mut s);
        std::thread::sleep(Duration::from_millis(100));
        assert!(drain(&mut s, fd).is_empty());
    });
}

#[test]
fn a_path_that_cannot_send_is_reported_and_the_others_still_go() {
    in_fresh_netns("probes::a_path_that_cannot_send", || {
        let peer = PeerNetns::new();
        let paths = veth_paths(&peer, 2);
        // A third path whose interface is down: no route through it
        // (ENETUNREACH), whatever the destination.
        ip(&["link", "add", "dx", "type", "veth", "peer", "name", "ex"]);
        ip(&["addr", "add", "10.9.9.1/24", "dev", "dx"]);
        let down = path("dx", Family::V4, "10.9.9.1");
        let mut s = ProbeSockets::new();
        let fd = s.open(&down).unwrap().expect("the IPv4 socket");
        for p in &paths {
            assert_eq!(s.open(p).unwrap(), None);
        }
        until_answered(&mut s, fd, &paths);

        // The down path first (so the very first message of the batch
        // fails), then between the others: dx d0 d1 dx d0 d1 ...
        let mut sent = BTreeMap::new();
        for n in 0..30u16 {
            let req = request(9000 + n, "10.9.9.2");
            s.send(down.ifindex, Family::V4, &req).unwrap();
            for (i, p) in paths.iter().enumerate() {
                let seq = 1000 * (u16::try_from(i).unwrap() + 1) + n;
                s.send(p.ifindex, Family::V4, &request(seq, &target(i)))
                    .unwrap();
                sent.insert(seq, Some((p.ifindex, Family::V4)));
            }
        }
        let failed = flush_failures(&mut s);
        assert_eq!(failed.len(), 30, "one report per probe: {failed:?}");
        for (path, e) in &failed {
            assert_eq!(*path, (down.ifindex, Family::V4));
            assert_eq!(e.raw_os_error(), Some(libc::ENETUNREACH), "{e}");
        }
        assert_eq!(replies(&mut s, fd, sent.len()), sent);
    });
}

#[test]
fn more_replies_than_a_batch_are_all_read_then_nothing() {
    in_fresh_netns("probes::more_replies_than_a_batch", || {
        let mut s = ProbeSockets::new();
        let lo = path("lo", Family::V4, "127.0.0.1");
        let fd = s.open(&lo).unwrap().unwrap();
        // 2.5 batches, then exactly one: `None` only once the socket is
        // empty, after a short batch or a full one alike.
        for count in [mmsg::RECV_BATCH * 5 / 2, mmsg::RECV_BATCH] {
            let count = u16::try_from(count).unwrap();
            for seq in 0..count {
                s.send(lo.ifindex, Family::V4, &request(seq, "127.0.0.1"))
                    .unwrap();
            }
            flush_all(&mut s);
            // Loopback answers at once; give the kernel a moment anyway.
            std::thread::sleep(Duration::from_millis(200));
            let mut seqs = Vec::new();
            while let Some(r) = s.recv(fd).unwrap() {
                assert_eq!(r.path, Some((lo.ifindex, Family::V4)));
                seqs.push(r.reply.expect("a reply").seq);
            }
            assert_eq!(seqs, (0..count).collect::<Vec<_>>());
            assert!(s.recv(fd).unwrap().is_none());
        }
        // Having said `None`, it reads what comes next.
        s.send(lo.ifindex, Family::V4, &request(7, "127.0.0.1"))
            .unwrap();
        flush_all(&mut s);
        assert_eq!(receive(&mut s, fd).reply.expect("a reply").seq, 7);
    });
}
