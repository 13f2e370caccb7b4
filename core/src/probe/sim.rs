//! A small simulated network for tests: peers that answer probes after a
//! configurable RTT, with configurable loss, driven by stepping simulated
//! time to the detector's next deadline or the next reply, whichever
//! comes first. No clocks, no sleeps: every run is reproducible from its
//! seed.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use super::{
    EchoReply, Family, ProbeConfig, ProbeDetector, ProbeEvent, ProbeKind,
    ProbeRequest, ReplyOutcome,
};
use crate::rng::Rng;
use crate::time::Instant;

/// ICMP identifier used by simulated detectors.
pub const SIM_ID: u16 = 0x4242;

/// Where simulated time starts.
pub const START: Instant = Instant::from_secs(1000);

/// `192.0.2.n`.
pub fn ip4(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(192, 0, 2, n))
}

/// How a peer loses probes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// Answers everything.
    None,
    /// Answers nothing.
    All,
    /// Drops each probe with this probability, in per mille.
    PerMille(u32),
}

/// A simulated neighbour.
#[derive(Clone, Debug)]
pub struct Peer {
    /// Its address (source of its replies).
    pub addr: IpAddr,
    /// Round-trip time of its replies.
    pub rtt: Duration,
    /// How it loses probes.
    pub loss: Loss,
    /// Whether it answers all-nodes multicast probes.
    pub answers_multicast: bool,
    /// Probes sent at or after this instant are not answered.
    pub dead_from: Option<Instant>,
}

impl Peer {
    /// A peer that answers unicast probes only.
    pub fn new(addr: IpAddr, rtt: Duration) -> Peer {
        Peer {
            addr,
            rtt,
            loss: Loss::None,
            answers_multicast: false,
            dead_from: None,
        }
    }

    /// A peer that also answers multicast probes.
    pub fn host(addr: IpAddr, rtt: Duration) -> Peer {
        Peer {
            answers_multicast: true,
            ..Peer::new(addr, rtt)
        }
    }
}

/// A detector on a simulated link.
#[derive(Debug)]
pub struct Sim {
    /// The detector under test.
    pub det: ProbeDetector,
    /// Simulated time.
    pub now: Instant,
    /// Neighbours.
    pub peers: Vec<Peer>,
    /// Probes sent at or after this instant are lost (the path died).
    pub path_dead_from: Option<Instant>,
    /// Every event, with the time it was emitted.
    pub log: Vec<(Instant, ProbeEvent)>,
    /// Every reply outcome, with its time.
    pub outcomes: Vec<(Instant, ReplyOutcome)>,
    /// The largest number of outstanding probes seen after any step.
    pub max_outstanding: usize,
    /// Replies on the wire, in no particular order.
    in_flight: Vec<EchoReply>,
    /// Loss decisions.
    rng: Rng,
}

impl Sim {
    /// An IPv4 detector created at [`START`] with no peers.
    pub fn new(cfg: ProbeConfig, seed: u64) -> Sim {
        Sim {
            det: ProbeDetector::new(cfg, Family::V4, SIM_ID, seed, START),
            now: START,
            peers: Vec::new(),
            path_dead_from: None,
            log: Vec::new(),
            outcomes: Vec::new(),
            max_outstanding: 0,
            in_flight: Vec::new(),
            rng: Rng::new(seed ^ 0x5eed),
        }
    }

    /// A simulation whose detector probes `routers` (all peers with RTT
    /// `rtt`).
    pub fn with_routers(
        cfg: ProbeConfig,
        seed: u64,
        routers: &[IpAddr],
        rtt: Duration,
    ) -> Sim {
        let mut sim = Sim::new(cfg, seed);
        for &r in routers {
            sim.peers.push(Peer::new(r, rtt));
        }
        sim.det.set_router_targets(routers, START);
        sim
    }

    /// The peer with address `addr`.
    pub fn peer_mut(&mut self, addr: IpAddr) -> &mut Peer {
        self.peers
            .iter_mut()
            .find(|p| p.addr == addr)
            .expect("no such peer")
    }

    fn next_event_time(&self) -> Option<Instant> {
        let reply = self.in_flight.iter().map(|r| r.received_at).min();
        [self.det.next_deadline(), reply]
            .into_iter()
            .flatten()
            .min()
    }

    /// Advance to the next deadline or reply and handle it. Returns false
    /// if nothing is scheduled.
    pub fn step(&mut self) -> bool {
        let Some(t) = self.next_event_time() else {
            return false;
        };
        self.now = self.now.max(t);
        self.deliver_due();
        if self.det.next_deadline().is_some_and(|d| d <= self.now) {
            let mut out = Vec::new();
            self.det.poll(self.now, &mut out);
            self.process(out);
            assert!(
                self.det.next_deadline().is_none_or(|d| d > self.now),
                "poll made no progress at {:?}",
                self.now
            );
        }
        self.max_outstanding = self.max_outstanding.max(self.det.outstanding());
        true
    }

    /// Step until simulated time reaches `t` (handling everything due at
    /// or before it), then set the clock to `t`.
    pub fn run_until(&mut self, t: Instant) {
        while self.next_event_time().is_some_and(|n| n <= t) {
            self.step();
        }
        self.now = self.now.max(t);
    }

    /// Run for `d` of simulated time.
    pub fn run_for(&mut self, d: Duration) {
        let t = self.now + d;
        self.run_until(t);
    }

    /// Deliver a reply now, as if it had just arrived.
    pub fn inject(&mut self, reply: EchoReply) -> ReplyOutcome {
        let mut out = Vec::new();
        let outcome = self.det.on_reply(&reply, self.now, &mut out);
        self.outcomes.push((self.now, outcome));
        self.process(out);
        outcome
    }

    /// Call `f` on the detector at the current time, then handle the
    /// events it queued with a poll.
    pub fn with_det(&mut self, f: impl FnOnce(&mut ProbeDetector, Instant)) {
        f(&mut self.det, self.now);
        let mut out = Vec::new();
        self.det.poll(self.now, &mut out);
        self.process(out);
    }

    fn deliver_due(&mut self) {
        loop {
            let due = self
                .in_flight
                .iter()
                .enumerate()
                .filter(|(_, r)| r.received_at <= self.now)
                .min_by_key(|(_, r)| r.received_at)
                .map(|(i, _)| i);
            let Some(i) = due else { break };
            let reply = self.in_flight.swap_remove(i);
            self.inject(reply);
        }
    }

    fn process(&mut self, events: Vec<ProbeEvent>) {
        for e in events {
            if let ProbeEvent::Send(req) = e {
                self.transmit(req);
            }
            self.log.push((self.now, e));
        }
    }

    fn answers(&mut self, peer: usize, req: &ProbeRequest) -> bool {
        let p = &self.peers[peer];
        if p.dead_from.is_some_and(|d| req.sent_at >= d) {
            return false;
        }
        match p.loss {
            Loss::None => true,
            Loss::All => false,
            Loss::PerMille(pm) => {
                self.rng.range_inclusive(0, 999) >= u64::from(pm)
            }
        }
    }

    fn transmit(&mut self, req: ProbeRequest) {
        if self.path_dead_from.is_some_and(|d| req.sent_at >= d) {
            return;
        }
        for i in 0..self.peers.len() {
            let p = &self.peers[i];
            let addressed = match req.kind {
                ProbeKind::Uni | ProbeKind::Rtt => p.addr == req.dst,
                ProbeKind::Multi => p.answers_multicast,
            };
            if !addressed || !self.answers(i, &req) {
                continue;
            }
            let p = &self.peers[i];
            let at = req.sent_at + p.rtt;
            self.in_flight.push(EchoReply::answering(&req, p.addr, at));
        }
    }

    // ----- log queries ---------------------------------------------------

    /// Events matching `f`, with their times.
    pub fn find(
        &self,
        f: impl Fn(&ProbeEvent) -> bool,
    ) -> Vec<(Instant, ProbeEvent)> {
        self.log.iter().filter(|(_, e)| f(e)).cloned().collect()
    }

    /// How many events match `f`.
    pub fn count(&self, f: impl Fn(&ProbeEvent) -> bool) -> usize {
        self.log.iter().filter(|(_, e)| f(e)).count()
    }

    /// When the first event matching `f` was emitted.
    pub fn first(&self, f: impl Fn(&ProbeEvent) -> bool) -> Option<Instant> {
        self.log.iter().find(|(_, e)| f(e)).map(|(t, _)| *t)
    }

    /// The probes sent, with their kinds.
    pub fn sent(&self, kind: ProbeKind) -> Vec<ProbeRequest> {
        self.log
            .iter()
            .filter_map(|(_, e)| match e {
                ProbeEvent::Send(r) if r.kind == kind => Some(*r),
                _ => None,
            })
            .collect()
    }
}
