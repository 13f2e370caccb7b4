//! Every log text mpathd writes, in one place. Where in.mpathd logs the
//! same event the wording is in.mpathd's (illumos `mpd_*.c`, research
//! note §6), so that existing log watchers keep working.

use std::fmt::Display;
use std::net::IpAddr;
use std::time::Duration;

use crate::addr::{Family, IpPrefix};
use crate::mpathd::group::{GroupState, MemberState};

fn of_group(group: &str) -> String {
    if group.is_empty() {
        String::new()
    } else {
        format!(" of group {group}")
    }
}

/// An interface failure.
pub fn interface_failure(ifname: &str, group: &str) -> String {
    format!(
        "IP interface failure detected on {ifname}{}",
        of_group(group)
    )
}

/// An interface repair.
pub fn interface_repair(ifname: &str, group: &str) -> String {
    format!(
        "IP interface repair detected on {ifname}{}",
        of_group(group)
    )
}

/// A group failure.
pub fn all_unusable(group: &str) -> String {
    format!("All IP interfaces in group {group} are now unusable")
}

/// The end of a group failure.
pub fn usable_again(ifname: &str, group: &str) -> String {
    format!("At least 1 IP interface ({ifname}) in group {group} is now usable")
}

/// Carrier lost.
pub fn link_down(ifname: &str) -> String {
    format!("The link has gone down on {ifname}")
}

/// Carrier back.
pub fn link_up(ifname: &str) -> String {
    format!("The link has come up on {ifname}")
}

/// Flap damping engaged.
pub fn link_flapping(ifname: &str, times: u32) -> String {
    format!(
        "The link has come up on {ifname} more than {times} times in the \
         last minute; disabling repair until it stabilizes"
    )
}

/// No test address after the grace period.
pub fn no_test_address(ifname: &str) -> String {
    format!(
        "No test address configured on interface {ifname}; disabling \
         probe-based failure detection on it"
    )
}

/// A test address appeared after [`no_test_address`] was logged.
pub fn test_address_now(ifname: &str) -> String {
    format!(
        "Test address now configured on interface {ifname}; enabling \
         probe-based failure detection on it"
    )
}

/// The adaptive FDT had to grow.
pub fn fdt_raised(
    configured: Duration,
    family: Family,
    ifname: &str,
    group: &str,
    new: Duration,
) -> String {
    format!(
        "Cannot meet requested failure detection time of {} ms on ({} {}) \
         new failure detection time for group \"{}\" is {} ms",
        configured.as_millis(),
        family.inet(),
        ifname,
        group,
        new.as_millis()
    )
}

/// The adaptive FDT came back down.
pub fn fdt_lowered(
    new: Duration,
    family: Family,
    ifname: &str,
    group: &str,
) -> String {
    format!(
        "Improved failure detection time {} ms on ({} {}) for group \"{}\"",
        new.as_millis(),
        family.inet(),
        ifname,
        group
    )
}

/// Interface vanished from the kernel.
pub fn removed_from_kernel(ifname: &str) -> String {
    format!("{ifname} has been removed from kernel")
}

/// Interface (re)appeared in the kernel.
pub fn appeared_in_kernel(ifname: &str) -> String {
    format!("{ifname} is present in kernel")
}

/// Solaris 10's failover summary (one line per source and destination).
pub fn failed_over(from: &str, to: &str) -> String {
    format!("Successfully failed over from NIC {from} to NIC {to}")
}

/// Solaris 10's failback summary.
pub fn failed_back(to: &str) -> String {
    format!("Successfully failed back to NIC {to}")
}

/// One data address moved.
pub fn address_moved(addr: IpPrefix, from: Option<&str>, to: &str) -> String {
    match from {
        Some(f) => format!("moving data address {addr} from {f} to {to}"),
        None => format!("configuring data address {addr} on {to}"),
    }
}

/// Operator took a member offline.
pub fn offlined(ifname: &str) -> String {
    format!("{ifname} is now offline")
}

/// Operator brought a member back.
pub fn onlined(ifname: &str) -> String {
    format!("{ifname} is back online")
}

/// A target stopped answering while others still do.
pub fn target_dead(family: Family, ifname: &str, target: &str) -> String {
    format!(
        "probe target {target} on ({} {ifname}) stopped answering; \
         using the other targets",
        family.inet()
    )
}

/// A data address found on an interface outside its group.
pub fn foreign_data_address(addr: IpPrefix, ifname: &str) -> String {
    format!(
        "data address {addr} is configured on {ifname}, which is not in \
         its group; leaving it there"
    )
}

/// A data address found on a member of another group (left by a
/// reload that moved it, or by a crash): removed there.
pub fn data_address_in_other_group(
    addr: IpPrefix,
    ifname: &str,
    group: &str,
) -> String {
    format!(
        "data address {addr} is on {ifname}, a member of group {group}; \
         removing it there"
    )
}

/// A data address dropped from the configuration by a reload.
pub fn no_longer_configured(addr: IpPrefix) -> String {
    format!(
        "data address {addr} is no longer configured; leaving it where it is"
    )
}

/// A member adopted from the OS's interface group.
pub fn joined_os_group(ifname: &str, group: &str) -> String {
    format!("{ifname} joined group {group} (interface group)")
}

/// A member the OS's interface group dropped.
pub fn left_os_group(ifname: &str, group: &str) -> String {
    format!("{ifname} left group {group} (interface group)")
}

/// The daemon could not send probes on time (it was not scheduled).
pub fn missed_probes(count: u32, family: Family, ifname: &str) -> String {
    format!(
        "missed sending {count} probes on ({} {ifname})",
        family.inet()
    )
}

/// A target much slower than the others is skipped.
pub fn target_slow(addr: IpAddr, family: Family, ifname: &str) -> String {
    format!(
        "probe target {addr} on ({} {ifname}) answers much slower than the \
         others; skipping it for now",
        family.inet()
    )
}

/// A target was added to a path.
pub fn target_added(addr: IpAddr, family: Family, ifname: &str) -> String {
    format!("probe target {addr} added on ({} {ifname})", family.inet())
}

/// A target was removed from a path.
pub fn target_removed(addr: IpAddr, family: Family, ifname: &str) -> String {
    format!(
        "probe target {addr} removed on ({} {ifname})",
        family.inet()
    )
}

/// A member became active.
pub fn activated(ifname: &str, group: &str) -> String {
    format!("{ifname} is now active in group {group}")
}

/// A member became inactive.
pub fn deactivated(ifname: &str, group: &str) -> String {
    format!("{ifname} is now inactive in group {group}")
}

/// A group's state changed.
pub fn group_state(group: &str, to: GroupState, from: GroupState) -> String {
    format!("group {group} is now {to} (was {from})")
}

/// A member's state changed without a failure or repair.
pub fn member_state(
    ifname: &str,
    to: MemberState,
    from: MemberState,
) -> String {
    format!("{ifname} is now {} (was {})", to.as_str(), from.as_str())
}

/// A data address was to go to a member the kernel does not have.
pub fn cannot_add_absent(addr: IpPrefix, ifname: &str) -> String {
    format!("cannot add {addr} to {ifname}: interface not present")
}

/// A gateway route moves to another member.
pub fn moving_route(
    dst: IpPrefix,
    gateway: IpAddr,
    from: &str,
    to: &str,
) -> String {
    format!("moving route {dst} via {gateway} from {from} to {to}")
}

// ----- the daemon's I/O ----------------------------------------------------

/// A probe socket could not be opened.
pub fn cannot_open_probe(path: &super::ProbePath, e: &impl Display) -> String {
    format!(
        "cannot open probe socket ({} {}) from {}: {e}",
        path.family.inet(),
        path.ifname,
        path.src
    )
}

/// A probe for a path without a socket.
pub fn no_probe_socket(family: Family, ifname: &str) -> String {
    format!("no probe socket for ({} {ifname})", family.inet())
}

/// Sending a probe failed (logged once until a send works).
pub fn send_failed(family: Family, ifname: &str, e: &impl Display) -> String {
    format!("probe: probe sendto ({} {ifname}): {e}", family.inet())
}

/// Receiving on probe socket `fd` failed.
pub fn recv_failed_fd(fd: i32, e: &impl Display) -> String {
    format!("probe recv (socket {fd}): {e}")
}

/// A reply the detector did not take.
pub fn reply_ignored(
    src: IpAddr,
    family: Family,
    ifname: &str,
    why: &impl Display,
) -> String {
    format!(
        "probe reply from {src} on ({} {ifname}) ignored: {why}",
        family.inet()
    )
}

/// The kernel refused an address.
pub fn cannot_add(addr: IpPrefix, ifname: &str, e: &impl Display) -> String {
    format!("cannot add {addr} to {ifname}: {e}")
}

/// The kernel refused to remove an address.
pub fn cannot_remove(addr: IpPrefix, ifname: &str, e: &impl Display) -> String {
    format!("cannot remove {addr} from {ifname}: {e}")
}

/// The kernel refused to move a route.
pub fn cannot_move_route(
    dst: IpPrefix,
    gateway: IpAddr,
    from: &str,
    to: &str,
    e: &impl Display,
) -> String {
    format!("cannot move route {dst} via {gateway} from {from} to {to}: {e}")
}

/// An announcement could not be sent.
pub fn cannot_announce(addr: IpAddr, ifname: &str, e: &impl Display) -> String {
    format!("cannot announce {addr} on {ifname}: {e}")
}

/// SIGUSR1: one interface.
pub fn dump_interface(i: &mpath_proto::mpathd::InterfaceStatus) -> String {
    format!(
        "{}: state {} link {} probe {} hosts [{}]",
        i.name,
        i.state,
        i.link,
        i.probe,
        i.hosted.join(" ")
    )
}

/// A runtime change is in force until the next reload.
pub fn runtime_change(
    ifname: &str,
    change: &impl std::fmt::Debug,
    config: &str,
    persist: &str,
) -> String {
    format!(
        "runtime change on {ifname}: {change:?}; to keep it, put in \
         {config}: {persist}"
    )
}

/// A runtime change that would not pass the file's checks.
pub fn change_refused(ifname: &str, problems: &[String]) -> String {
    format!("{ifname}: change refused: {}", problems.join("; "))
}

/// A probe answered (`rtt`) or lost, for `ifctl -p` watchers.
pub fn probe_result(
    seq: u16,
    family: Family,
    ifname: &str,
    target: IpAddr,
    rtt: Option<Duration>,
) -> String {
    match rtt {
        Some(r) => format!(
            "probe {seq} on ({} {ifname}) to {target}: {:.2} ms",
            family.inet(),
            r.as_secs_f64() * 1000.0
        ),
        None => format!(
            "probe {seq} on ({} {ifname}) to {target}: lost",
            family.inet()
        ),
    }
}

/// A request that is laggd's.
pub const NOT_MPATHDS: &str =
    "mpathd does not take that request (it is laggd's)";
