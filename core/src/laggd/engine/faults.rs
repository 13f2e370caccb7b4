//! Random fault sequences against laggd's engine, in simulated time,
//! with the user's invariants checked after every step:
//!
//! 1. the ports in an aggregate are the ones laggd asked for, never
//!    none, and while any port is not failed exactly the ports that are
//!    not failed, in master order (laggd never empties an aggregate it
//!    does not have to);
//! 2. a link-state group's downstream interfaces are up exactly when
//!    some upstream is;
//! 3. once everything is repaired: every port is ok and in service,
//!    every group up, and every redundancy group's demotion back to 0,
//!    not faulted.
//!
//! The world: two aggregates (bond0, bond1) over ports p0-p4, plain
//! interfaces u0 u1 (upstreams) and d0 d1 (downstreams); probe targets
//! answer through a port unless its carrier is down, its path is cut or
//! the target is dead. A sequence is drawn from a seed: port carrier
//! flaps, path cuts, target deaths, ports removed and returned,
//! upstream flaps, the OS refusing a membership change, reloads with
//! changed aggregates, min-links, thresholds, tracking and redundancy
//! groups, and restarts over a scrambled membership. SIM_SEQUENCES=N
//! runs N (`tests/soak` runs 10,000 in release).

// The runs print their counts and failing seeds by design.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::time::Duration;

use crate::kernel::{KernelLink, KernelSnapshot};
use crate::laggd::config::parse;
use crate::laggd::engine::{LaggAction, LaggEngine};
use crate::laggd::redundancy::HaEffect;
use crate::mpathd::engine::faults::{
    chance, pick, run_parallel, sequences, toggle,
};
use crate::rng::Rng;
use crate::time::Instant;

/// Seeds that once failed (run first, every time).
const REGRESSIONS: &[u64] = &[];

/// Sequences per `cargo test` run.
const DEFAULT_SEQUENCES: u64 = 2000;

/// Steps per sequence (and a last one that repairs everything).
const STEPS: usize = 20;

/// How long the last step waits before checking that everything is
/// repaired.
const REPAIR_TIME: Duration = Duration::from_secs(70);

const PORTS: [&str; 5] = ["p0", "p1", "p2", "p3", "p4"];
const UPSTREAMS: [&str; 2] = ["u0", "u1"];
const TARGETS: [&str; 2] = ["192.0.2.1", "192.0.2.2"];

/// The ports of `all` in a random order, at least one.
fn some_ports(rng: &mut Rng, all: &[&'static str]) -> Vec<&'static str> {
    let mut v: Vec<&str> =
        all.iter().copied().filter(|_| chance(rng, 75)).collect();
    if v.is_empty() {
        v.push(pick(rng, all));
    }
    for i in (1..v.len()).rev() {
        let j = rng.range_inclusive(0, i as u64) as usize;
        v.swap(i, j);
    }
    v
}

fn lagg_line(
    rng: &mut Rng,
    name: &str,
    ports: &[&'static str],
) -> (String, usize) {
    let ports = some_ports(rng, ports);
    let mut l = format!("lagg {name} ports {}", ports.join(" "));
    if chance(rng, 50) {
        let min = rng.range_inclusive(1, ports.len() as u64);
        let action = if chance(rng, 50) { "down" } else { "report" };
        l.push_str(&format!(" min-links {min} action {action}"));
    }
    if chance(rng, 30) {
        let t = rng.range_inclusive(0, ports.len() as u64 - 1);
        l.push_str(&format!(" failure-threshold {t}"));
    }
    if chance(rng, 70) {
        let t = if chance(rng, 50) {
            TARGETS[0].to_string()
        } else {
            TARGETS.join(" ")
        };
        l.push_str(&format!(" targets {t}"));
        if chance(rng, 30) {
            l.push_str(if chance(rng, 50) {
                " rule all"
            } else {
                " rule any"
            });
        }
    }
    l.push('\n');
    (l, ports.len())
}

/// A random valid configuration.
fn random_config(rng: &mut Rng) -> String {
    loop {
        let mut text = String::from("FAILURE_DETECTION_TIME=1000\n");
        text.push_str(&lagg_line(rng, "bond0", &PORTS[..3]).0);
        let bond1 = chance(rng, 60);
        if bond1 {
            text.push_str(&lagg_line(rng, "bond1", &PORTS[3..]).0);
        }
        let mut objects: Vec<&str> = vec!["bond0", "p0", "u0"];
        if chance(rng, 70) {
            let mut ups: Vec<&str> = vec!["u0", "u1"];
            if chance(rng, 40) {
                ups.push("bond0");
            }
            if bond1 && chance(rng, 40) {
                ups.push("bond1");
            }
            let ups = some_ports(rng, &ups);
            let downs = some_ports(rng, &["d0", "d1"]);
            let health = if chance(rng, 50) { "link" } else { "probe" };
            text.push_str(&format!(
                "track-group t0 upstream {} downstream {} health {health}\n",
                ups.join(" "),
                downs.join(" ")
            ));
            objects.push("t0");
        }
        if chance(rng, 70) {
            let mut l = format!(
                "redundancy rg1 priority {} failover-threshold {}",
                rng.range_inclusive(100, 150),
                rng.range_inclusive(50, 99)
            );
            for o in some_ports(rng, &objects) {
                if chance(rng, 15) {
                    l.push_str(&format!(" track {o} shutdown"));
                } else {
                    let d = rng.range_inclusive(10, 60);
                    l.push_str(&format!(" track {o} decrement {d}"));
                }
            }
            if chance(rng, 50) {
                l.push_str(&format!(" delay {}", rng.range_inclusive(0, 3)));
            }
            text.push_str(&l);
            text.push('\n');
        }
        if parse("faults.conf", &text).is_ok() {
            return text;
        }
    }
}

fn link(name: &str, index: u32, addr: Option<&str>) -> KernelLink {
    KernelLink {
        name: name.into(),
        index,
        mac: Some([2, 0, 0, 0, 4, index as u8]),
        admin_up: true,
        carrier: Some(true),
        loopback: false,
        addrs: addr
            .map(|a| a.parse().expect("address"))
            .into_iter()
            .collect(),
        groups: Vec::new(),
    }
}

/// The simulated kernel and network around one engine.
struct World {
    e: LaggEngine,
    snap: KernelSnapshot,
    now: Instant,
    /// The ports the OS has in each aggregate.
    members: BTreeMap<String, Vec<String>>,
    cut: BTreeSet<String>,
    dead: BTreeSet<IpAddr>,
    /// Replies in flight: (arrival, port, target).
    pending: Vec<(Instant, String, IpAddr)>,
    /// The effect last applied to each redundancy group.
    applied: BTreeMap<String, HaEffect>,
    /// Aggregates whose next membership change the OS refuses.
    refuse: BTreeSet<String>,
    next_index: u32,
    last_sync: Instant,
}

impl World {
    fn new(text: &str, seed: u64) -> World {
        let cfg = parse("faults.conf", text).expect("config").config;
        let now = Instant::from_secs(100);
        let mut links = vec![
            link("bond0", 1, Some("192.0.2.10/24")),
            link("bond1", 2, Some("192.0.2.20/24")),
        ];
        let names = PORTS.iter().chain(&UPSTREAMS).chain(&["d0", "d1"]);
        for (i, n) in names.enumerate() {
            links.push(link(n, 10 + i as u32, None));
        }
        let members = cfg
            .aggregates
            .iter()
            .map(|a| (a.name.clone(), a.ports.clone()))
            .collect();
        let mut w = World {
            e: LaggEngine::new(cfg, seed, now),
            snap: KernelSnapshot {
                links,
                routes: Vec::new(),
            },
            now,
            members,
            cut: BTreeSet::new(),
            dead: BTreeSet::new(),
            pending: Vec::new(),
            applied: BTreeMap::new(),
            refuse: BTreeSet::new(),
            next_index: 100,
            last_sync: now,
        };
        w.sync();
        w
    }

    fn link_mut(&mut self, name: &str) -> Option<&mut KernelLink> {
        self.snap.links.iter_mut().find(|l| l.name == name)
    }

    fn up(&self, name: &str) -> bool {
        self.snap
            .links
            .iter()
            .any(|l| l.name == name && l.admin_up && l.carrier == Some(true))
    }

    /// The aggregates' carrier, as bonding reports it: some member port
    /// with carrier.
    fn aggregate_carrier(&mut self) {
        for (agg, ports) in self.members.clone() {
            let any = ports.iter().any(|p| self.up(p));
            if let Some(l) = self.link_mut(&agg) {
                l.carrier = Some(any);
            }
        }
    }

    /// Feeds the kernel to the engine and carries out its actions until
    /// nothing changes.
    fn sync(&mut self) {
        self.last_sync = self.now;
        for _ in 0..8 {
            self.aggregate_carrier();
            let active = BTreeMap::new();
            self.e.sync(&self.snap, &active, self.now);
            if !self.execute() {
                break;
            }
        }
    }

    /// Carries out the engine's actions; true if the kernel changed.
    fn execute(&mut self) -> bool {
        let mut changed = false;
        for a in self.e.take_actions() {
            match a {
                LaggAction::SendProbe { port, target, .. } => {
                    if self.up(&port)
                        && !self.cut.contains(&port)
                        && !self.dead.contains(&target)
                    {
                        let at = self.now + Duration::from_millis(1);
                        self.pending.push((at, port, target));
                    }
                }
                LaggAction::SetMembership { aggregate, ports } => {
                    if self.refuse.remove(&aggregate) {
                        self.e.membership_failed(&aggregate);
                        continue;
                    }
                    let before = self
                        .members
                        .get(&aggregate)
                        .cloned()
                        .unwrap_or_default();
                    let touched: Vec<String> = ports
                        .iter()
                        .filter(|p| !before.contains(p))
                        .chain(before.iter().filter(|p| !ports.contains(p)))
                        .cloned()
                        .collect();
                    self.members.insert(aggregate, ports);
                    self.e.settle(&touched, self.now);
                    changed = true;
                }
                LaggAction::SetInterfaceUp { iface, up } => {
                    if let Some(l) = self.link_mut(&iface) {
                        changed |= l.admin_up != up;
                        l.admin_up = up;
                    }
                }
                LaggAction::ApplyHa { group, effect, .. } => {
                    self.applied.insert(group, effect);
                }
                LaggAction::Announce { .. } | LaggAction::Log { .. } => {}
            }
        }
        changed
    }

    /// Runs for `d`, stepping to each deadline, with a full sync every
    /// 2 s as laggd's driver does (RESYNC_INTERVAL).
    fn run_for(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            let next_reply = self.pending.iter().map(|p| p.0).min();
            let resync = self.last_sync + Duration::from_secs(2);
            let next =
                [self.e.next_deadline(), next_reply, Some(resync), Some(end)]
                    .into_iter()
                    .flatten()
                    .min()
                    .unwrap_or(end)
                    .max(self.now);
            self.now = next;
            let (due, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut self.pending)
                    .into_iter()
                    .partition(|p| p.0 <= self.now);
            self.pending = rest;
            for (at, port, target) in due {
                self.e.on_probe_reply(&port, target, at, self.now);
            }
            self.e.poll(self.now);
            if self.execute() || self.now >= resync {
                self.sync();
            }
            if next == end {
                break;
            }
        }
    }
}

/// One step of a sequence.
#[derive(Clone, Debug)]
enum Op {
    Carrier(&'static str, bool),
    Cut(&'static str, bool),
    TargetDead(&'static str, bool),
    Remove(&'static str),
    Return(&'static str),
    Refuse(&'static str),
    Reload(String),
    Restart(u64),
    HealAll,
}

fn random_op(rng: &mut Rng) -> Op {
    let on = chance(rng, 50);
    match rng.range_inclusive(0, 18) {
        0..=4 => Op::Carrier(pick(rng, &PORTS), on),
        5..=6 => Op::Carrier(pick(rng, &UPSTREAMS), on),
        7..=9 => Op::Cut(pick(rng, &PORTS), on),
        10 => Op::TargetDead(pick(rng, &TARGETS), on),
        11 => Op::Remove(pick(rng, &PORTS)),
        12 => Op::Return(pick(rng, &PORTS)),
        13 => Op::Refuse(pick(rng, &["bond0", "bond1"])),
        14..=15 => Op::Reload(random_config(rng)),
        16 => Op::Restart(rng.next_u64()),
        _ => Op::HealAll,
    }
}

fn apply(w: &mut World, op: &Op, rng: &mut Rng) {
    match op {
        Op::Carrier(name, up) => {
            if let Some(l) = w.link_mut(name) {
                l.carrier = Some(*up);
            }
            w.sync();
        }
        Op::Cut(p, on) => toggle(&mut w.cut, p.to_string(), *on),
        Op::TargetDead(t, on) => {
            toggle(&mut w.dead, t.parse().expect("target"), *on)
        }
        Op::Remove(p) => {
            w.snap.links.retain(|l| l.name != *p);
            w.sync();
        }
        Op::Return(p) => {
            if w.link_mut(p).is_none() {
                w.next_index += 1;
                w.snap.links.push(link(p, w.next_index, None));
                w.sync();
            }
        }
        Op::Refuse(agg) => {
            w.refuse.insert(agg.to_string());
        }
        Op::Reload(text) => {
            let cfg = parse("faults.conf", text).expect("config").config;
            let seed = rng.next_u64();
            w.e.reconfigure(cfg, seed, w.now);
            w.execute();
            w.sync();
        }
        Op::Restart(seed) => {
            // A stop undoes what laggd did; the OS's membership is then
            // scrambled (a crash in the middle of a change).
            w.e.shutdown();
            w.execute();
            let cfg = w.e.cfg.clone();
            for ports in w.members.values_mut() {
                ports.retain(|_| chance(rng, 60));
            }
            w.pending.clear();
            w.e = LaggEngine::new(cfg, *seed, w.now);
            w.sync();
        }
        Op::HealAll => {
            w.cut.clear();
            w.dead.clear();
            w.refuse.clear();
            for p in PORTS.iter().chain(&UPSTREAMS) {
                if w.link_mut(p).is_none() {
                    w.next_index += 1;
                    let i = w.next_index;
                    w.snap.links.push(link(p, i, None));
                }
                if let Some(l) = w.link_mut(p) {
                    l.carrier = Some(true);
                }
            }
            w.sync();
        }
    }
}

/// Invariants 1 and 2.
fn check(w: &World) -> Result<(), String> {
    let st = w.e.status(w.now);
    for a in &st.aggregates {
        let os = w.members.get(&a.name).cloned().unwrap_or_default();
        if os != a.in_service && w.e.unasserted.is_empty() {
            return Err(format!(
                "{}: the OS has {os:?}, laggd wants {:?}",
                a.name, a.in_service
            ));
        }
        if a.in_service.is_empty() {
            return Err(format!("{} was emptied", a.name));
        }
        let live: Vec<String> = a
            .ports
            .iter()
            .filter(|p| p.state != "failed")
            .map(|p| p.name.clone())
            .collect();
        if !live.is_empty() && live != a.in_service {
            return Err(format!(
                "{}: ports not failed {live:?}, in service {:?}",
                a.name, a.in_service
            ));
        }
    }
    for g in st.tracking.iter().filter(|g| g.state != "disabled") {
        let some_up = g.upstream.iter().any(|u| u.state != "down");
        for d in &g.downstream {
            let Some(l) = w.snap.links.iter().find(|l| l.name == d.name) else {
                continue;
            };
            if l.admin_up != some_up {
                return Err(format!(
                    "link-state group {}: {} is {} while upstreams are {:?}",
                    g.name,
                    d.name,
                    if l.admin_up { "up" } else { "down" },
                    g.upstream
                ));
            }
        }
    }
    Ok(())
}

/// Invariant 3.
fn check_repaired(w: &World) -> Result<(), String> {
    let st = w.e.status(w.now);
    for a in &st.aggregates {
        for p in &a.ports {
            if p.state != "ok" || !p.in_service {
                return Err(format!(
                    "{}: port {} is {} (in service: {}) after repair",
                    a.name, p.name, p.state, p.in_service
                ));
            }
        }
    }
    for g in &st.tracking {
        if g.state != "up" {
            return Err(format!("{} is {} after repair", g.name, g.state));
        }
    }
    for r in &st.redundancy {
        let applied = w.applied.get(&r.name).copied().unwrap_or_default();
        if r.faulted || applied != HaEffect::Demote(0) {
            return Err(format!(
                "{} after repair: faulted {}, applied {applied:?}",
                r.name, r.faulted
            ));
        }
    }
    Ok(())
}

fn sequence(seed: u64) -> Result<usize, String> {
    let mut rng = Rng::new(seed);
    let mut w = World::new(&random_config(&mut rng), rng.next_u64());
    w.run_for(Duration::from_secs(3));
    let mut done: Vec<Op> = Vec::new();
    let fail =
        |done: &[Op], why: String| Err(format!("{why}\n  after: {done:?}"));
    for _ in 0..STEPS {
        let op = random_op(&mut rng);
        apply(&mut w, &op, &mut rng);
        done.push(op.clone());
        if let Err(why) = check(&w) {
            return fail(&done, why);
        }
        let settle = if matches!(op, Op::HealAll) {
            Duration::from_secs(5)
        } else {
            Duration::from_millis(rng.range_inclusive(0, 2000))
        };
        w.run_for(settle);
        if let Err(why) = check(&w) {
            return fail(&done, format!("{why} ({settle:?} later)"));
        }
    }
    // Everything repaired, and long enough for a dead target's retry
    // (MIN_RECOVERY_TIME, 60 s) and ten replies.
    apply(&mut w, &Op::HealAll, &mut rng);
    done.push(Op::HealAll);
    w.run_for(REPAIR_TIME);
    if let Err(why) = check(&w).and_then(|()| check_repaired(&w)) {
        return fail(&done, why);
    }
    Ok(done.len())
}

#[test]
fn fault_sequences_keep_laggd_invariants() {
    let n = sequences(DEFAULT_SEQUENCES);
    let seeds: Vec<u64> = REGRESSIONS.iter().copied().chain(1..=n).collect();
    let (steps, failed) = run_parallel(&seeds, sequence);
    println!(
        "fault sequences (laggd engine): {} sequences ({} regression \
         seeds), {steps} steps, {} violations",
        seeds.len(),
        REGRESSIONS.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "failing seeds: {failed:?}");
}
