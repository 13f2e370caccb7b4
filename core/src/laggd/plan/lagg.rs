//! What lagg(4)'s protocols mean for laggd, decided without touching
//! the kernel: the FreeBSD backend (`mpath_sys`'s `lagg::status`) reads
//! a lagg into a [`LaggStatus`], asks here, and carries out the answer.
//!
//! * [`plan_membership`]: the `laggport` / `-laggport` changes that put
//!   a lagg's traffic on the ports laggd wants in service;
//! * [`active_port`]: the one port a failover lagg sends on;
//! * [`carries_lagg_mac`]: the ports where frames from the lagg's MAC
//!   belong, so that a probe from a port's own hardware address never
//!   moves the lagg's MAC to the wrong switch port.
//!
//! # Taking a port out of service: removal, in every protocol
//!
//! lagg has no per-port "disable" a supervisor can set, and no priority
//! (`rp_prio` is never settable). What each protocol does with a port
//! whose link is up (`if_lagg.c`, `shared/research/freebsd-lagg.md` §2):
//!
//! * failover: the master while it is usable (link up, `IFF_UP`), with
//!   immediate failback; else the port after it in the list, else the
//!   first usable one;
//! * loadbalance, roundrobin: every usable port, by hash or in turn;
//! * broadcast: every usable port, each frame on all;
//! * lacp: every distributing port of the active aggregator.
//!
//! So a port whose link is up but whose path is dead keeps carrying
//! traffic in every protocol unless it leaves the lagg. In failover it
//! cannot be "moved behind" either: only the master is chosen (the port
//! added to the empty lagg), the rest of the list is in interface-index
//! order, and when the master's link drops lagg picks the next port *in
//! that order*, which may be the dead one. Hence a port laggd fails is
//! removed (`SIOCSLAGGDELPORT`), whatever the protocol, and added back
//! when it is repaired.
//!
//! # Putting it back
//!
//! * **failover**: the operator's order matters, since the first port is
//!   the master. [`lagg::plan_master_order`] re-adds the returning port
//!   and, if it is to be master, removes and re-adds the ports that would
//!   otherwise stay ahead of it.
//! * **every other protocol**: order does not matter (the master only
//!   lends the lagg its MAC), so only the ports whose state changes are
//!   touched: the repaired ones are added, the failed ones removed, and
//!   healthy ports never leave, because a port re-added to an LACP lagg
//!   negotiates again (seconds without it) and a load-balancing lagg
//!   reshuffles its hash table. Adds go first, so the lagg never has
//!   fewer ports than it needs, and the master leaves last, so the
//!   lagg's MAC changes at most once.
//!
//! Ports in the lagg that laggd does not manage (not in its
//! configuration) stay, after laggd's own in the order.
//!
//! # What a change costs
//!
//! Adding a port gives it the lagg's MAC; removing one gives it its own
//! back; removing the master gives the lagg (and every remaining port)
//! the new master's. Each is an `if_setlladdr`, which re-initialises an
//! interface that is up (`SIOCSIFFLAGS` down, then up), and with many
//! drivers that renegotiates the link: the port's link may bounce for a
//! second or more. laggd's backend therefore announces the lagg's
//! addresses when its MAC changed; operators should give ports a
//! `down-delay` that covers the bounce.
//!
//!
//! # Failover's master, and putting it back
//!
//! In failover mode the master (the port traffic goes to whenever it is
//! usable, with immediate, preemptive failback) is the port that was
//! added while the lagg had no ports. There is no ioctl to choose it:
//! it stays master until it is removed, and then the *first remaining
//! port in the list* (the lowest interface index) becomes master and
//! gives the lagg its MAC. To make another port master, the ports must
//! be removed and re-added (`shared/research/freebsd-lagg.md` §2).
//!
//! [`plan_master_order`] is the pure part: given the ports that should
//! be in the lagg, in the operator's order (laggd's `Membership`, failed
//! ports left out), the ports the lagg has, their interface indexes and
//! the current master, it returns the shortest sequence of adds and
//! removes after which the lagg holds exactly the wanted ports with the
//! first one as master:
//!
//! * no master change needed: add the missing ports, then remove the
//!   unwanted ones;
//! * otherwise, with `W` the wanted master: add `W` first if it is not a
//!   member (so the lagg never becomes empty), then remove every port
//!   that is unwanted, or comes before `W` in index order, or is the
//!   master (the master last, so that traffic moves once), and re-add
//!   the wanted ones among them. When the master goes, `W` is the first
//!   remaining port and becomes master.
//!
//! Removing the master changes the lagg's MAC to the new master's: the
//! caller should announce the lagg's addresses (gratuitous ARP,
//! unsolicited NA) afterwards.
//!

use std::fmt;

use crate::laggd::lacp::LacpPort;

/// A lagg's protocol (`laggproto`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LaggProto {
    /// `none`: the lagg drops all traffic.
    None,
    /// `roundrobin`.
    RoundRobin,
    /// `failover`, the default.
    Failover,
    /// `loadbalance`.
    LoadBalance,
    /// `lacp`.
    Lacp,
    /// `broadcast`.
    Broadcast,
    /// A number this code does not know.
    Unknown(u32),
}

impl LaggProto {
    /// The name ifconfig(8) uses (`<unknown>` for an unknown one).
    pub fn name(self) -> &'static str {
        match self {
            LaggProto::None => "none",
            LaggProto::RoundRobin => "roundrobin",
            LaggProto::Failover => "failover",
            LaggProto::LoadBalance => "loadbalance",
            LaggProto::Lacp => "lacp",
            LaggProto::Broadcast => "broadcast",
            LaggProto::Unknown(_) => "<unknown>",
        }
    }
}

/// One port of a lagg, with what its `LAGG_PORT_*` flags say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaggPort {
    /// The port's interface name.
    pub name: String,
    /// `MASTER`: the lagg's primary port.
    pub master: bool,
    /// `ACTIVE`: carrying traffic (failover: the one port in use).
    pub active: bool,
    /// `COLLECTING` (LACP).
    pub collecting: bool,
    /// `DISTRIBUTING` (LACP).
    pub distributing: bool,
}

/// A lagg's protocol and ports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LaggStatus {
    /// The protocol.
    pub proto: LaggProto,
    /// The ports in the kernel's order (ascending interface index).
    pub ports: Vec<LaggPort>,
}

impl LaggStatus {
    /// The master port, if any.
    pub fn master(&self) -> Option<&str> {
        self.ports
            .iter()
            .find(|p| p.master)
            .map(|p| p.name.as_str())
    }

    /// The ports carrying traffic.
    pub fn active(&self) -> impl Iterator<Item = &str> {
        self.ports
            .iter()
            .filter(|p| p.active)
            .map(|p| p.name.as_str())
    }
}

/// A change to a lagg's ports.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PortOp {
    /// `SIOCSLAGGPORT` (`ifconfig lagg0 laggport PORT`).
    Add(String),
    /// `SIOCSLAGGDELPORT` (`ifconfig lagg0 -laggport PORT`).
    Remove(String),
}

impl fmt::Display for PortOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortOp::Add(port) => write!(f, "laggport {port}"),
            PortOp::Remove(port) => write!(f, "-laggport {port}"),
        }
    }
}

/// A port as [`plan_master_order`] sees it: its name and interface
/// index, which decides its place in the lagg's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Member<'a> {
    /// The interface name.
    pub name: &'a str,
    /// The interface index.
    pub index: u32,
}

/// The adds and removes that leave the lagg with exactly the ports of
/// `desired` and `desired[0]` as its master (see the module
/// documentation): `current` holds the lagg's ports (any order), and
/// `master` names the current master (`None`: not known, taken to be
/// the first port in index order, as the kernel would have chosen).
///
/// An empty `desired` plans nothing (laggd leaves the membership alone
/// when every port has failed); a name repeated in `desired` counts once.
pub fn plan_master_order(
    desired: &[Member<'_>],
    current: &[Member<'_>],
    master: Option<&str>,
) -> Vec<PortOp> {
    let desired = dedup(desired);
    let Some(&want) = desired.first() else {
        return Vec::new();
    };
    let mut current = dedup(current);
    current.sort_by_key(|m| (m.index, m.name));
    let wanted = |name: &str| desired.iter().any(|d| d.name == name);
    let member = |name: &str| current.iter().any(|c| c.name == name);
    let master = master
        .filter(|&m| member(m))
        .or_else(|| current.first().map(|c| c.name));
    let mut ops = Vec::new();

    if master == Some(want.name) || master.is_none() {
        // The master stays (or the lagg is empty, and the first port
        // added, `want`, becomes master): add, then remove.
        for d in &desired {
            if !member(d.name) {
                ops.push(PortOp::Add(d.name.to_owned()));
            }
        }
        for c in &current {
            if !wanted(c.name) {
                ops.push(PortOp::Remove(c.name.to_owned()));
            }
        }
        return ops;
    }

    // `want` must become the first port of the list when the master
    // goes: it joins first if it is not a member, and every port before
    // it in index order leaves, with the unwanted ones and the master.
    let added_first = !member(want.name);
    if added_first {
        ops.push(PortOp::Add(want.name.to_owned()));
    }
    let before_want =
        |c: &Member<'_>| (c.index, c.name) < (want.index, want.name);
    let leaving: Vec<&Member<'_>> = current
        .iter()
        .filter(|c| c.name != want.name)
        .filter(|c| !wanted(c.name) || before_want(c) || Some(c.name) == master)
        .collect();
    let (old_master, others): (Vec<&Member<'_>>, Vec<&Member<'_>>) =
        leaving.iter().partition(|c| Some(c.name) == master);
    for c in others.iter().chain(&old_master) {
        ops.push(PortOp::Remove(c.name.to_owned()));
    }
    for d in &desired {
        let stays = member(d.name) && !leaving.iter().any(|c| c.name == d.name);
        if d.name != want.name && !stays {
            ops.push(PortOp::Add(d.name.to_owned()));
        }
    }
    ops
}

/// `ports` without repeated names (the first occurrence kept).
fn dedup<'a>(ports: &[Member<'a>]) -> Vec<Member<'a>> {
    let mut out: Vec<Member<'a>> = Vec::with_capacity(ports.len());
    for p in ports {
        if !out.iter().any(|o| o.name == p.name) {
            out.push(*p);
        }
    }
    out
}

/// The changes that leave lagg `current` (its ports, any order; the
/// master `master`, `None` if not known) with the ports of `wanted` in
/// service, `wanted[0]` as failover's master (see the module
/// documentation). `managed` names every port laggd manages for this
/// lagg (its configuration); a port of `wanted` counts as managed too.
/// Current ports that are not managed stay.
///
/// An empty `wanted` plans nothing: laggd never empties a lagg (when
/// every port has failed, the cause is more likely shared than every
/// port at once). A name repeated counts once.
pub fn plan_membership<'a>(
    proto: LaggProto,
    wanted: &[Member<'a>],
    managed: &[&str],
    current: &[Member<'a>],
    master: Option<&str>,
) -> Vec<PortOp> {
    if wanted.is_empty() {
        return Vec::new();
    }
    let is_managed = |name: &str| {
        managed.contains(&name) || wanted.iter().any(|w| w.name == name)
    };
    let mut current = dedup(current);
    current.sort_by_key(|m| (m.index, m.name));
    let mut desired = dedup(wanted);
    desired.extend(current.iter().filter(|c| !is_managed(c.name)));
    match proto {
        LaggProto::Failover => plan_master_order(&desired, &current, master),
        LaggProto::None
        | LaggProto::RoundRobin
        | LaggProto::LoadBalance
        | LaggProto::Lacp
        | LaggProto::Broadcast
        | LaggProto::Unknown(_) => only_changes(&desired, &current, master),
    }
}

/// Adds the missing ports of `desired`, then removes the members not in
/// it, the master last; `current` is sorted by index.
fn only_changes(
    desired: &[Member<'_>],
    current: &[Member<'_>],
    master: Option<&str>,
) -> Vec<PortOp> {
    let member = |name: &str| current.iter().any(|c| c.name == name);
    let wanted = |name: &str| desired.iter().any(|d| d.name == name);
    // Not known: the kernel's choice, the first port by index.
    let master = master
        .filter(|&m| member(m))
        .or_else(|| current.first().map(|c| c.name));
    let mut ops: Vec<PortOp> = desired
        .iter()
        .filter(|d| !member(d.name))
        .map(|d| PortOp::Add(d.name.to_owned()))
        .collect();
    let (old_master, others): (Vec<&Member<'_>>, Vec<&Member<'_>>) = current
        .iter()
        .filter(|c| !wanted(c.name))
        .partition(|c| Some(c.name) == master);
    for c in others.iter().chain(&old_master) {
        ops.push(PortOp::Remove(c.name.to_owned()));
    }
    ops
}

/// The port a failover lagg sends on: the one the kernel flags
/// `ACTIVE` (it flags exactly the port its failover path would pick);
/// failing that, the master if `usable` says its link is up (a kernel
/// that did not flag it). `None` for the other protocols, which spread
/// traffic over several ports, and when no port is usable.
pub fn active_port(
    status: &LaggStatus,
    usable: impl Fn(&str) -> bool,
) -> Option<String> {
    if status.proto != LaggProto::Failover {
        return None;
    }
    status
        .active()
        .next()
        .or_else(|| status.master().filter(|&m| usable(m)))
        .map(str::to_owned)
}

/// LACP's word on each port of a lagg in `lacp` mode, from the port
/// flags `SIOCGLAGG` returns (`lagg_port2req`: `ACTIVE` when the port's
/// aggregator is the active one, `COLLECTING` and `DISTRIBUTING` from
/// its mux state); `None` in the other protocols. lagg(4) numbers no
/// aggregators for userland and names no partner per port.
pub fn lacp_ports(status: &LaggStatus) -> Option<Vec<LacpPort>> {
    (status.proto == LaggProto::Lacp).then(|| {
        status
            .ports
            .iter()
            .map(|p| LacpPort {
                name: p.name.clone(),
                active: p.active,
                collecting: p.collecting,
                distributing: p.distributing,
                ..LacpPort::default()
            })
            .collect()
    })
}

/// Whether frames from the lagg's own MAC belong on `port`: on any
/// member of a lagg that spreads traffic over its ports (the switch
/// bundles them, and the lagg sends from its MAC on all of them), and in
/// failover only on the master or the active port. Elsewhere such a
/// frame would teach the switch that the lagg lives behind that port.
///
/// laggd probes each port from the port's own hardware address. The
/// lagg took its MAC from its master (`lagg_port_create` gives an empty
/// lagg its first port's address, `lagg_port_destroy` the next master's
/// when the master leaves), so normally only the master's hardware
/// address is the lagg's; this check catches the rest (an operator who
/// set the lagg's MAC to another port's address).
pub fn carries_lagg_mac(status: &LaggStatus, port: &str) -> bool {
    let Some(p) = status.ports.iter().find(|p| p.name == port) else {
        return false;
    };
    match status.proto {
        LaggProto::Failover => p.master || p.active,
        LaggProto::None
        | LaggProto::RoundRobin
        | LaggProto::LoadBalance
        | LaggProto::Lacp
        | LaggProto::Broadcast
        | LaggProto::Unknown(_) => true,
    }
}

#[cfg(test)]
mod tests;
