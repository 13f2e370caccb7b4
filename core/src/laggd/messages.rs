//! Every log text laggd writes, in one place: the engine's (port
//! verdicts, min-links, the failure threshold, link-state tracking,
//! redundancy groups) and the daemon's (carrying out actions). laggd(8)
//! DIAGNOSTICS lists them.

use std::fmt::Display;
use std::net::IpAddr;
use std::path::Path;

use mpath_proto::laggd::PortStatus;

use super::redundancy::{HaEffect, Role};

fn ports_word(n: usize) -> &'static str {
    if n == 1 {
        "port"
    } else {
        "ports"
    }
}

/// The OS's active port changed.
pub fn active_port(aggregate: &str, port: Option<&str>) -> String {
    format!("{aggregate}: active port is now {}", port.unwrap_or("none"))
}

/// A port's link changed.
pub fn port_link(port: &str, up: bool) -> String {
    format!(
        "The link has {} on {port}",
        if up { "come up" } else { "gone down" }
    )
}

/// A port failed.
pub fn port_failed(aggregate: &str, port: &str, why: &str) -> String {
    format!("{aggregate}: port {port} failed ({why}); taking it out")
}

/// A port was repaired.
pub fn port_repaired(aggregate: &str, port: &str, why: &str) -> String {
    format!("{aggregate}: port {port} repaired ({why}); putting it back")
}

/// The operator took a port out of service.
pub fn port_offline(aggregate: &str, port: &str, forced: bool) -> String {
    let forced = if forced {
        " (forced: it was the last live port)"
    } else {
        ""
    };
    format!(
        "{aggregate}: port {port} offline by the operator{forced}; taking \
         it out until it is put online, the next reload or a restart"
    )
}

/// The operator (or a reload) put a port back.
pub fn port_online(
    aggregate: &str,
    port: &str,
    healthy: bool,
    why: &str,
) -> String {
    if healthy {
        format!("{aggregate}: port {port} online again; putting it back")
    } else {
        format!(
            "{aggregate}: port {port} online again; it stays out until \
             repaired ({why})"
        )
    }
}

/// LACP aggregated a port in service, or no longer does.
pub fn lacp_aggregated(
    aggregate: &str,
    port: &str,
    aggregated: bool,
    detail: Option<&str>,
) -> String {
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    if aggregated {
        format!("{aggregate}: port {port} aggregated by LACP{detail}; live")
    } else {
        format!(
            "{aggregate}: port {port} not aggregated by LACP{detail}; not \
             live"
        )
    }
}

/// A port counted live while LACP has not had its say yet.
pub fn lacp_settling(
    aggregate: &str,
    port: &str,
    detail: Option<&str>,
) -> String {
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    format!("{aggregate}: port {port} counted live while LACP settles{detail}")
}

/// Bringing up an LACP aggregate min-links took down for want of LACP.
pub fn lacp_retry(
    aggregate: &str,
    settle: std::time::Duration,
    next: std::time::Duration,
) -> String {
    format!(
        "{aggregate}: held down by min-links for want of LACP, which runs \
         only while it is up; bringing it up for LACP to aggregate its \
         ports within {}s (next try {}s after a failure)",
        settle.as_secs(),
        next.as_secs()
    )
}

/// The operator enabled or disabled a link-state group.
pub fn track_group_set(group: &str, enabled: bool) -> String {
    format!(
        "link-state group {group} {} by the operator until the next reload \
         or a restart",
        if enabled { "enabled" } else { "disabled" }
    )
}

/// Every port of an aggregate failed.
pub fn all_ports_failed(aggregate: &str) -> String {
    format!("{aggregate}: every port failed; leaving the ports in")
}

/// Fewer live ports than min-links.
pub fn min_links_down(aggregate: &str, live: usize, min: usize) -> String {
    format!(
        "{aggregate}: {live} live {}, fewer than min-links {min}",
        ports_word(live)
    )
}

/// min-links met again.
pub fn min_links_up(aggregate: &str, live: usize, min: usize) -> String {
    format!(
        "{aggregate}: {live} live {}, min-links {min} met again",
        ports_word(live)
    )
}

/// The failure threshold was crossed (`marked`) or cleared.
pub fn bad_score(
    aggregate: &str,
    bad: usize,
    threshold: usize,
    marked: bool,
) -> String {
    if marked {
        format!(
            "{aggregate}: {bad} bad ports, more than the \
             link-failure-threshold {threshold}: bad score"
        )
    } else {
        format!("{aggregate}: {bad} bad ports: bad score cleared")
    }
}

/// Link-state tracking brings a downstream interface down.
pub fn err_disable(group: &str, iface: &str) -> String {
    format!(
        "link-state group {group}: every upstream is down; bringing {iface} \
         down"
    )
}

/// Link-state tracking brings a downstream interface back.
pub fn restore(group: &str, iface: &str, why: &str) -> String {
    format!("link-state group {group}: restoring {iface} ({why})")
}

/// A redundancy group's run-time priority changed.
pub fn priority(
    group: &str,
    from: u8,
    to: u8,
    object: &str,
    up: bool,
) -> String {
    format!(
        "redundancy group {group}: priority {from} -> {to} ({object} {})",
        if up { "up" } else { "down" }
    )
}

/// A reload dropped the tracking that held an interface down.
pub fn no_longer_err_disabled(iface: &str) -> String {
    format!(
        "{iface}: no longer err-disabled by link-state tracking; restoring it"
    )
}

/// A reload dropped the min-links that held an aggregate down.
pub fn no_longer_min_links(aggregate: &str) -> String {
    format!("{aggregate}: min-links no longer holds it down; bringing it up")
}

// ----- the daemon's I/O ----------------------------------------------------

/// A port's probe socket could not be opened.
pub fn cannot_probe_through(
    aggregate: &str,
    port: &str,
    e: &impl Display,
) -> String {
    format!("{aggregate}: cannot probe through {port}: {e}")
}

/// A probe could not be sent.
pub fn probe_failed(target: IpAddr, port: &str, e: &impl Display) -> String {
    format!("probe {target} through {port}: {e}")
}

/// What a membership change did.
pub fn membership_done(aggregate: &str, done: &str) -> String {
    format!("{aggregate}: {done}")
}

/// The OS refused a membership change.
pub fn membership_failed(
    aggregate: &str,
    ports: &[String],
    e: &impl Display,
) -> String {
    format!(
        "{aggregate}: cannot put {} in service: {e}; retrying",
        ports.join(" ")
    )
}

/// The OS refused to bring an interface up or down.
pub fn cannot_set_up(iface: &str, up: bool, e: &impl Display) -> String {
    let how = if up { "up" } else { "down" };
    format!("{iface}: cannot bring it {how}: {e}")
}

/// Addresses announced after a change of active port.
pub fn announced(aggregate: &str, n: usize) -> String {
    format!("{aggregate}: announced {n} addresses from the new active port")
}

/// Announcing failed.
pub fn cannot_announce(aggregate: &str, e: &impl Display) -> String {
    format!("{aggregate}: cannot announce: {e}")
}

/// SIGUSR1: one port.
pub fn dump_port(aggregate: &str, p: &PortStatus) -> String {
    format!(
        "{aggregate} {}: link {} probe {} state {}{} ({})",
        p.name,
        p.link,
        p.probe,
        p.state,
        if p.in_service { ", in service" } else { "" },
        p.reason
    )
}

/// A request that is mpathd's.
pub const NOT_LAGGDS: &str =
    "laggd does not take that request (it is mpathd's)";

/// keepalived's track file was written.
pub fn keepalived_wrote(
    group: &str,
    effect: HaEffect,
    value: i64,
    path: &Path,
) -> String {
    format!(
        "redundancy group {group}: {effect}; wrote {value} to {}",
        path.display()
    )
}

/// laggd's share of CARP's host-wide demotion changed.
pub fn carp_adjusted(
    group: &str,
    effect: HaEffect,
    delta: i32,
    share: u32,
) -> String {
    format!(
        "redundancy group {group}: {effect}; CARP demotion {delta:+} \
         (laggd's share now {share})"
    )
}

/// A CARP vhid's skew was set (`to` the configured skew: restored).
pub fn carp_skew_set(
    group: &str,
    effect: HaEffect,
    vhid: u8,
    iface: &str,
    from: u8,
    to: u8,
) -> String {
    format!(
        "redundancy group {group}: {effect}; vhid {vhid} on {iface} \
         advskew {from} -> {to}"
    )
}

/// A redundancy group with no HA engine to tell.
pub fn no_effector(group: &str, effect: HaEffect) -> String {
    format!("redundancy group {group}: {effect} (no effector configured)")
}

/// The HA engine could not be told.
pub fn cannot_apply_ha(
    group: &str,
    effect: HaEffect,
    e: &impl Display,
) -> String {
    format!("redundancy group {group}: cannot apply {effect}: {e}")
}

/// This chassis's role in a group changed, as the HA engine shows it.
pub fn role_changed(group: &str, from: Role, to: Role) -> String {
    format!("redundancy group {group}: this chassis is now {to} (was {from})")
}

/// Recovered while standby without `preempt`.
pub fn holding(group: &str) -> String {
    format!(
        "redundancy group {group}: recovered while standby; without \
         preempt it yields until it is active again"
    )
}

/// `ifctl switchover GROUP [cancel]`.
pub fn switchover(group: &str, on: bool) -> String {
    if on {
        format!(
            "redundancy group {group}: manual switchover: giving up the \
             active role"
        )
    } else {
        format!("redundancy group {group}: manual switchover cancelled")
    }
}

/// A switchover for a group that does not exist.
pub fn no_such_group(group: &str) -> String {
    format!("no redundancy group `{group}`")
}

/// `net.inet.carp.preempt` is 0 where laggd drives CARP.
pub const CARP_PREEMPT_OFF: &str = "net.inet.carp.preempt is 0: a CARP \
     backup does not take over from a demoted master, so a redundancy \
     group's demotion moves nothing until the master fails; set it to 1 on \
     both chassis";

/// `net.inet.carp.preempt` could not be read where laggd drives CARP.
pub fn carp_preempt_unreadable(e: &impl Display) -> String {
    format!(
        "cannot read net.inet.carp.preempt ({e}): a CARP backup takes over \
         from a demoted master only when it is 1"
    )
}
