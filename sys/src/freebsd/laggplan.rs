//! What lagg(4)'s protocols mean for laggd, decided without touching
//! the kernel: laggd's FreeBSD backend reads a lagg ([`lagg::status`]),
//! asks here, and carries out the answer.
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
//! [`lagg::status`]: super::lagg
//! [`lagg::plan_master_order`]: super::lagg::plan_master_order

use super::lagg::{plan_master_order, LaggProto, LaggStatus, Member, PortOp};

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
        LaggProto::Failover => p.flags.master() || p.flags.active(),
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
