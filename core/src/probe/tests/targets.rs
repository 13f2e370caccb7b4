//! Scenario tests: targets, discovery, target failure, link state.

use std::net::{IpAddr, Ipv6Addr};

use super::*;
use crate::probe::sim::{ip4, Loss, Peer, Sim, START};

#[test]
fn one_dead_target_of_two_is_a_target_failure() {
    let mut sim = Sim::with_routers(cfg(1000), 7, &[ip4(1), ip4(2)], ms(2));
    sim.run_for(secs(3));
    let died = sim.now;
    sim.peer_mut(ip4(2)).dead_from = Some(died);
    sim.run_for(secs(5));
    let dead = sim.find(is_dead);
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].1, ProbeEvent::TargetDead { addr: ip4(2) });
    assert_eq!(sim.count(is_failed), 0);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    let t2 = sim
        .det
        .targets()
        .into_iter()
        .find(|t| t.addr == ip4(2))
        .unwrap();
    assert_eq!(t2.state, TargetState::Dead);
    assert_eq!(t2.crtt, None);
    // Only the live target is probed now.
    let after: Vec<_> = sim
        .sent(ProbeKind::Uni)
        .into_iter()
        .filter(|r| r.sent_at > dead[0].0)
        .collect();
    assert!(after.iter().all(|r| r.dst == ip4(1)));
    // The target comes back: after 60 s it is slow, after 120 s active,
    // and since it answers again it stays active.
    sim.peer_mut(ip4(2)).dead_from = None;
    sim.run_for(secs(61));
    let state = |sim: &Sim| {
        sim.det
            .targets()
            .into_iter()
            .find(|t| t.addr == ip4(2))
            .unwrap()
            .state
    };
    assert_eq!(state(&sim), TargetState::Slow);
    sim.run_for(secs(60));
    assert_eq!(state(&sim), TargetState::Active);
    sim.run_for(secs(10));
    assert_eq!(state(&sim), TargetState::Active);
    assert_eq!(sim.find(is_dead).len(), 1);
}

#[test]
fn single_router_fails_the_path_without_other_targets() {
    let mut sim = Sim::with_routers(cfg(1000), 8, &[ip4(1)], ms(2));
    sim.run_for(secs(3));
    sim.peer_mut(ip4(1)).loss = Loss::All;
    sim.run_for(secs(3));
    assert_eq!(sim.count(is_failed), 1);
    assert_eq!(sim.count(is_dead), 0);
}

#[test]
fn multicast_hosts_give_a_single_router_diversity() {
    let mut sim = Sim::with_routers(cfg(1000), 8, &[ip4(1)], ms(2));
    sim.peers.push(Peer::host(ip4(20), ms(3)));
    sim.peers.push(Peer::host(ip4(21), ms(4)));
    sim.run_for(secs(3));
    // With one router, a multicast probe went out and found both hosts.
    let kinds: Vec<_> =
        sim.det.targets().iter().map(|t| (t.addr, t.kind)).collect();
    assert!(kinds.contains(&(ip4(1), TargetKind::Router)));
    assert!(kinds.contains(&(ip4(20), TargetKind::Host)));
    assert!(kinds.contains(&(ip4(21), TargetKind::Host)));
    assert_eq!(
        sim.count(|e| matches!(e, ProbeEvent::TargetAdded { .. })),
        3
    );
    // With three targets no more multicast is sent.
    let multis = sim.sent(ProbeKind::Multi).len();
    sim.run_for(secs(3));
    assert_eq!(sim.sent(ProbeKind::Multi).len(), multis);
    // The router dies: a target failure, the path is fine.
    sim.peer_mut(ip4(1)).dead_from = Some(sim.now);
    sim.run_for(secs(5));
    assert_eq!(
        sim.find(is_dead)[0].1,
        ProbeEvent::TargetDead { addr: ip4(1) }
    );
    assert_eq!(sim.count(is_failed), 0);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    // Two usable routers from a route scan push the hosts out.
    sim.peers.push(Peer::new(ip4(2), ms(2)));
    sim.peers.push(Peer::new(ip4(3), ms(2)));
    sim.with_det(|d, now| d.set_router_targets(&[ip4(1), ip4(2), ip4(3)], now));
    let kinds: Vec<_> = sim.det.targets().iter().map(|t| t.kind).collect();
    assert!(kinds.iter().all(|k| *k == TargetKind::Router), "{kinds:?}");
    assert_eq!(
        sim.count(|e| matches!(e, ProbeEvent::TargetRemoved { .. })),
        2
    );
}

#[test]
fn a_dead_host_target_is_deleted_and_replaced_by_multicast() {
    let mut sim = Sim::new(cfg(1000), 10);
    for n in 20..23 {
        sim.peers.push(Peer::host(ip4(n), ms(2)));
    }
    sim.run_for(secs(3));
    assert_eq!(sim.det.targets().len(), 3);
    sim.peer_mut(ip4(21)).dead_from = Some(sim.now);
    let multis = sim.sent(ProbeKind::Multi).len();
    sim.run_for(secs(5));
    assert_eq!(
        sim.find(is_dead)[0].1,
        ProbeEvent::TargetDead { addr: ip4(21) }
    );
    assert!(sim
        .log
        .iter()
        .any(|(_, e)| *e == ProbeEvent::TargetRemoved { addr: ip4(21) }));
    assert!(sim.sent(ProbeKind::Multi).len() > multis);
    assert_eq!(sim.count(is_failed), 0);
    // 21 still answers multicast (only unicast is dead here) so it may
    // come back; the others were never lost.
    let addrs: Vec<_> = sim.det.targets().iter().map(|t| t.addr).collect();
    assert!(addrs.contains(&ip4(20)) && addrs.contains(&ip4(22)));
}

#[test]
fn no_targets_then_discovery_by_multicast() {
    let mut sim = Sim::new(cfg(1000), 11);
    assert_eq!(sim.det.verdict(), Verdict::NoTargets);
    sim.run_for(secs(2));
    // Nobody answers: only multicast probes, one per firing.
    assert!(sim.sent(ProbeKind::Uni).is_empty());
    let multis = sim.sent(ProbeKind::Multi);
    assert!(multis.len() >= 10);
    assert!(multis
        .iter()
        .all(|r| r.dst == Family::V4.all_nodes() && r.seq == 1));
    assert_eq!(sim.det.verdict(), Verdict::NoTargets);
    // Seven hosts appear; five become targets.
    for n in 20..27 {
        sim.peers.push(Peer::host(ip4(n), ms(1 + u64::from(n))));
    }
    sim.run_for(secs(2));
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    let discovered = sim
        .outcomes
        .iter()
        .filter(|(_, o)| *o == ReplyOutcome::Discovered)
        .count();
    assert_eq!(discovered, 5);
    assert_eq!(sim.det.targets().len(), 5);
    assert!(sim.det.targets().iter().all(|t| t.kind == TargetKind::Host));
    assert_eq!(sim.count(|e| *e == ProbeEvent::TargetsAvailable), 1);
    assert!(sim
        .outcomes
        .iter()
        .any(|(_, o)| *o == ReplyOutcome::Rejected(RejectReason::Unneeded)));
    // Group failure flushes the hosts: back to NoTargets.
    sim.with_det(|d, now| {
        d.force_failed(now);
        d.flush_host_targets(now);
    });
    assert_eq!(sim.det.verdict(), Verdict::NoTargets);
    assert_eq!(sim.count(|e| *e == ProbeEvent::NoTargets), 1);
    // Rediscovered, but still failed until ten acks.
    sim.run_for(sim.det.user_interval() * 2);
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    sim.run_for(secs(3));
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    assert_eq!(sim.count(is_repaired), 1);
}

#[test]
fn explicit_targets_are_used_alone() {
    let mut sim = Sim::with_routers(cfg(1000), 12, &[ip4(1)], ms(2));
    sim.peers.push(Peer::host(ip4(20), ms(2)));
    sim.peers.push(Peer::new(ip4(30), ms(2)));
    sim.run_for(secs(2));
    assert_eq!(sim.det.targets().len(), 2);
    sim.with_det(|d, now| d.set_explicit_targets(&[ip4(30)], now));
    let t = sim.det.targets();
    assert_eq!(t.len(), 1);
    assert_eq!((t[0].addr, t[0].kind), (ip4(30), TargetKind::Explicit));
    let multis = sim.sent(ProbeKind::Multi).len();
    let from = sim.now;
    sim.run_for(secs(3));
    assert_eq!(sim.sent(ProbeKind::Multi).len(), multis);
    assert!(sim
        .sent(ProbeKind::Uni)
        .iter()
        .filter(|r| r.sent_at > from)
        .all(|r| r.dst == ip4(30)));
    // Clearing them brings the routers back.
    sim.with_det(|d, now| d.set_explicit_targets(&[], now));
    assert_eq!(sim.det.targets()[0].kind, TargetKind::Router);
}

#[test]
fn routers_are_kept_while_failed() {
    let mut sim = Sim::with_routers(cfg(1000), 13, &[ip4(1)], ms(2));
    sim.run_for(secs(2));
    sim.path_dead_from = Some(sim.now);
    sim.run_for(secs(2));
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    sim.with_det(|d, now| d.set_router_targets(&[], now));
    assert_eq!(sim.det.targets().len(), 1);
    assert_eq!(sim.det.verdict(), Verdict::Failed);
    sim.path_dead_from = None;
    sim.run_for(secs(3));
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    // Once repaired, the next scan removes it.
    sim.with_det(|d, now| d.set_router_targets(&[], now));
    assert!(sim.det.targets().is_empty());
    assert_eq!(sim.det.verdict(), Verdict::NoTargets);
}

#[test]
fn own_and_unusable_addresses_are_never_targets() {
    let own = ip4(5);
    let mut sim = Sim::new(cfg(1000), 14);
    sim.det.set_own_addresses(&[own]);
    sim.peers.push(Peer::host(own, ms(1)));
    sim.peers.push(Peer::host(ip4(0).to_canonical(), ms(1)));
    let unspecified = IpAddr::from([0, 0, 0, 0]);
    sim.peers.push(Peer::host(unspecified, ms(1)));
    sim.with_det(|d, now| {
        d.set_router_targets(
            &[
                own,
                IpAddr::from([224, 0, 0, 5]),
                "2001:db8::1".parse().unwrap(),
            ],
            now,
        )
    });
    assert!(sim.det.targets().is_empty());
    sim.run_for(secs(1));
    let rejected: Vec<_> = sim.outcomes.iter().map(|(_, o)| *o).collect();
    assert!(
        rejected.contains(&ReplyOutcome::Rejected(RejectReason::OwnAddress))
    );
    let bad = ReplyOutcome::Rejected(RejectReason::BadSource);
    assert!(rejected.contains(&bad));
    // 192.0.2.0 is an ordinary unicast address here: it is accepted.
    assert_eq!(sim.det.targets().len(), 1);
    // Declaring a target our own removes it.
    sim.with_det(|d, _| d.set_own_addresses(&[own, ip4(0)]));
    assert!(sim.det.targets().is_empty());
    assert_eq!(sim.det.verdict(), Verdict::NoTargets);
}

#[test]
fn ipv6_multicasts_to_all_nodes_and_needs_link_local_targets() {
    let ll: IpAddr = "fe80::1".parse().unwrap();
    let global: IpAddr = "2001:db8::1".parse().unwrap();
    let mut d = ProbeDetector::new(cfg(1000), Family::V6, 7, 1, START);
    d.set_router_targets(&[global, ip4(1)], START);
    assert!(d.targets().is_empty());
    let mut out = Vec::new();
    let t = d.next_deadline().unwrap();
    d.poll(t, &mut out);
    let multi = out
        .iter()
        .find_map(|e| match e {
            ProbeEvent::Send(r) => Some(*r),
            _ => None,
        })
        .unwrap();
    assert_eq!(multi.kind, ProbeKind::Multi);
    assert_eq!(
        multi.dst,
        IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1))
    );
    let mut reply = EchoReply {
        src: global,
        id: 7,
        seq: multi.seq,
        kind: ProbeKind::Multi,
        timestamp: multi.sent_at,
        nonce: multi.nonce,
        received_at: multi.sent_at + ms(1),
    };
    let now = reply.received_at;
    assert_eq!(
        d.on_reply(&reply, now, &mut out),
        ReplyOutcome::Rejected(RejectReason::BadSource)
    );
    reply.src = ll;
    assert_eq!(
        d.on_reply(&EchoReply { nonce: 1, ..reply }, now, &mut out),
        ReplyOutcome::Rejected(RejectReason::NonceMismatch)
    );
    assert_eq!(d.on_reply(&reply, now, &mut out), ReplyOutcome::Discovered);
    assert_eq!(d.verdict(), Verdict::Ok);
    d.set_router_targets(&[ll], now);
    assert_eq!(d.targets()[0].kind, TargetKind::Router);
}

#[test]
fn a_much_slower_target_among_four_is_set_aside() {
    let routers = [ip4(1), ip4(2), ip4(3), ip4(4)];
    let mut sim = Sim::with_routers(cfg(7000), 15, &routers, ms(5));
    sim.run_for(secs(20));
    sim.peer_mut(ip4(3)).rtt = ms(800);
    sim.run_for(secs(30));
    assert!(sim
        .log
        .iter()
        .any(|(_, e)| *e == ProbeEvent::TargetSlow { addr: ip4(3) }));
    assert_eq!(sim.count(|e| matches!(e, ProbeEvent::FdtRaised { .. })), 0);
    assert_eq!(sim.det.fdt(), ms(7000));
    assert_eq!(sim.det.verdict(), Verdict::Ok);
}

// ----- link -------------------------------------------------------------

#[test]
fn link_down_stops_probing_and_link_up_restarts_within_an_interval() {
    let mut sim = Sim::with_routers(cfg(1000), 16, &[ip4(1)], ms(2));
    sim.run_for(secs(2));
    assert!(sim.det.status().consecutive_acks > 0);
    sim.with_det(|d, now| d.set_link(false, now));
    assert_eq!(sim.det.next_deadline(), None);
    assert_eq!(sim.det.status().consecutive_acks, 0);
    assert_eq!(sim.det.verdict(), Verdict::Ok);
    let sent = sim.sent(ProbeKind::Uni).len();
    sim.run_for(secs(100));
    assert_eq!(sim.sent(ProbeKind::Uni).len(), sent);
    let up = sim.now;
    sim.with_det(|d, now| d.set_link(true, now));
    let next = sim.det.next_deadline().unwrap();
    assert!(next >= up && next < up + sim.det.user_interval());
    sim.run_for(secs(1));
    assert!(sim.sent(ProbeKind::Uni).len() > sent);
}

#[test]
fn configuration_events_wait_for_the_next_poll() {
    let mut d = ProbeDetector::new(cfg(7000), Family::V4, 1, 1, START);
    assert_eq!(d.verdict(), Verdict::NoTargets);
    let t = START + ms(3);
    d.set_router_targets(&[ip4(1)], t);
    // The verdict changes at once; the events are queued.
    assert_eq!(d.verdict(), Verdict::Ok);
    assert_eq!(d.next_deadline(), Some(t));
    let mut out = Vec::new();
    d.poll(t, &mut out);
    assert_eq!(
        out[..2],
        [
            ProbeEvent::TargetAdded {
                addr: ip4(1),
                kind: TargetKind::Router,
            },
            ProbeEvent::TargetsAvailable,
        ]
    );
    assert!(d.next_deadline().unwrap() > t);
}

#[test]
fn targets_are_listed_in_firing_order() {
    let routers = [ip4(1), ip4(2), ip4(3)];
    let mut sim = Sim::with_routers(cfg(7000), 18, &routers, ms(4));
    while sim.sent(ProbeKind::Uni).is_empty() {
        sim.step();
    }
    sim.run_for(ms(100));
    let t = sim.det.targets();
    let order: Vec<_> = t.iter().map(|t| t.addr).collect();
    assert_eq!(order, vec![ip4(2), ip4(3), ip4(1)]);
    assert!(t.iter().all(|t| t.state == TargetState::Active));
    // Only the probed one has an RTT yet: 3 × 4 ms.
    assert_eq!(t[2].crtt, Some(ms(12)));
    assert_eq!((t[2].rtt_avg, t[2].rtt_dev), (Some(ms(4)), Some(ms(2))));
    assert_eq!(t[0].crtt, None);
}
