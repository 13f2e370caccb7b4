//! A simulated kernel and network for engine tests: interfaces with
//! carrier and addresses, targets that answer probes after a fixed RTT
//! unless the member's path is cut. Time is stepped from deadline to
//! deadline; nothing sleeps.

use std::collections::BTreeSet;
use std::net::IpAddr;
use std::time::Duration;

use crate::addr::{Family, IpPrefix};
use crate::mpathd::config;
use crate::probe::{EchoReply, ProbeRequest};
use crate::time::Instant;

use super::action::{Action, Level};
use super::machine::Engine;
use crate::kernel::{KernelLink, KernelSnapshot};

/// A reply in flight.
#[derive(Debug)]
struct InFlight {
    at: Instant,
    ifname: String,
    family: Family,
    reply: EchoReply,
}

/// The simulated world around one engine.
#[derive(Debug)]
pub(crate) struct World {
    pub engine: Engine,
    pub kernel: KernelSnapshot,
    pub now: Instant,
    /// Members whose path is cut (link up, nothing passes).
    pub cut: BTreeSet<String>,
    /// Targets that do not answer.
    pub dead_targets: BTreeSet<IpAddr>,
    pub rtt: Duration,
    inflight: Vec<InFlight>,
    pub log: Vec<(Instant, Level, String)>,
    pub announced: Vec<(String, IpAddr)>,
}

fn mac(i: usize) -> [u8; 6] {
    [2, 0, 0, 0, 1, i as u8]
}

impl World {
    /// An engine for `conf` with interfaces `ifnames` present, carrier
    /// up, no addresses yet (the engine adds test and data addresses).
    pub fn new(conf: &str, ifnames: &[&str]) -> World {
        let cfg = config::parse("test.conf", conf)
            .unwrap_or_else(|e| panic!("{e:?}"))
            .config;
        let now = Instant::from_secs(1000);
        let links = ifnames
            .iter()
            .enumerate()
            .map(|(i, n)| KernelLink {
                name: n.to_string(),
                index: 10 + i as u32,
                mac: Some(mac(i)),
                admin_up: true,
                carrier: Some(true),
                loopback: false,
                addrs: vec![format!("fe80::ff:fe00:1{i:02}/64")
                    .parse()
                    .unwrap()],
                groups: Vec::new(),
            })
            .collect();
        let mut w = World {
            engine: Engine::new(cfg, 4242, 7, now),
            kernel: KernelSnapshot {
                links,
                routes: Vec::new(),
            },
            now,
            cut: BTreeSet::new(),
            dead_targets: BTreeSet::new(),
            rtt: Duration::from_millis(2),
            inflight: Vec::new(),
            log: Vec::new(),
            announced: Vec::new(),
        };
        w.sync();
        w
    }

    pub fn link_mut(&mut self, name: &str) -> &mut KernelLink {
        self.kernel
            .links
            .iter_mut()
            .find(|l| l.name == name)
            .expect("no such link")
    }

    fn has_link(&self, name: &str) -> bool {
        self.kernel.link(name).is_some()
    }

    /// Feeds the kernel to the engine and carries out its actions until
    /// quiet (address changes feed back as a new snapshot).
    pub fn sync(&mut self) {
        for _ in 0..8 {
            let snap = self.kernel.clone();
            self.engine.sync(&snap, self.now);
            if !self.execute() {
                break;
            }
        }
    }

    /// Carries out actions; true if the kernel changed.
    pub fn execute(&mut self) -> bool {
        let mut changed = false;
        for a in self.engine.take_actions() {
            match a {
                Action::SendProbe {
                    ifindex,
                    family,
                    src,
                    request,
                } => {
                    // Through a link gone since the engine's last
                    // snapshot, the probe goes nowhere.
                    let ifname = self
                        .kernel
                        .links
                        .iter()
                        .find(|l| l.index == ifindex)
                        .map(|l| l.name.clone());
                    if let Some(ifname) = ifname {
                        self.deliver(&ifname, family, src, request);
                    }
                }
                Action::AddAddress { ifname, .. }
                | Action::RemoveAddress { ifname, .. }
                    if !self.has_link(&ifname) =>
                {
                    // The real daemon finds no index and logs; so do we.
                    self.log.push((
                        self.now,
                        Level::Err,
                        format!("no such interface {ifname}"),
                    ));
                }
                Action::AddAddress { ifname, addr, .. } => {
                    let l = self.link_mut(&ifname);
                    if !l.addrs.contains(&addr) {
                        l.addrs.push(addr);
                        changed = true;
                    }
                }
                Action::RemoveAddress { ifname, addr, .. } => {
                    let l = self.link_mut(&ifname);
                    let n = l.addrs.len();
                    l.addrs.retain(|a| *a != addr);
                    changed |= l.addrs.len() != n;
                }
                Action::Announce { ifname, addr, .. } => {
                    self.announced.push((ifname, addr))
                }
                Action::ProbeResult { .. } => {}
                Action::MoveRoute {
                    dst,
                    gateway,
                    from,
                    to,
                    ..
                } => {
                    for r in &mut self.kernel.routes {
                        if r.dst == dst
                            && r.gateway == gateway
                            && r.ifname == from
                        {
                            r.ifname.clone_from(&to);
                            changed = true;
                        }
                    }
                }
                Action::Log { level, message, .. } => {
                    self.log.push((self.now, level, message))
                }
            }
        }
        changed
    }

    fn deliver(
        &mut self,
        ifname: &str,
        family: Family,
        src: IpAddr,
        r: ProbeRequest,
    ) {
        if self.cut.contains(ifname) {
            return;
        }
        let carrier = self
            .kernel
            .link(ifname)
            .is_some_and(|l| l.carrier == Some(true));
        if !carrier {
            return;
        }
        let _ = src;
        // Nobody answers all-nodes probes here: the targets are explicit.
        let answers =
            r.dst != family.all_nodes() && !self.dead_targets.contains(&r.dst);
        let responders: Vec<IpAddr> =
            if answers { vec![r.dst] } else { vec![] };
        for from in responders {
            self.inflight.push(InFlight {
                at: self.now + self.rtt,
                ifname: ifname.to_string(),
                family,
                reply: EchoReply::answering(&r, from, self.now + self.rtt),
            });
        }
    }

    /// Runs the world until `until`, stepping to each deadline.
    pub fn run_until(&mut self, until: Instant) {
        while self.now < until {
            let next_reply = self.inflight.iter().map(|f| f.at).min();
            let next = [self.engine.next_deadline(), next_reply, Some(until)]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(until)
                .max(self.now);
            self.now = next;
            let (due, rest): (Vec<_>, Vec<_>) =
                std::mem::take(&mut self.inflight)
                    .into_iter()
                    .partition(|f| f.at <= self.now);
            self.inflight = rest;
            for f in due {
                self.engine
                    .on_reply(&f.ifname, f.family, &f.reply, self.now);
            }
            self.engine.poll(self.now);
            if self.execute() {
                self.sync();
            }
            if next == until {
                break;
            }
        }
    }

    /// Runs for `d`.
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        self.run_until(until);
    }

    /// Sets a member's carrier and tells the engine.
    pub fn carrier(&mut self, ifname: &str, up: bool) {
        self.link_mut(ifname).carrier = Some(up);
        self.sync();
    }

    /// Where the kernel has `addr` now.
    pub fn holders(&self, addr: &str) -> Vec<String> {
        let p: IpPrefix = addr.parse().unwrap();
        self.kernel
            .links
            .iter()
            .filter(|l| l.addrs.contains(&p))
            .map(|l| l.name.clone())
            .collect()
    }

    /// Log lines containing `needle`, with their times.
    pub fn logged(&self, needle: &str) -> Vec<Instant> {
        self.log
            .iter()
            .filter(|(_, _, m)| m.contains(needle))
            .map(|(t, _, _)| *t)
            .collect()
    }
}
