//! The summary (`ifctl` alone) and one member's status (`ifctl IF`),
//! for people; the layouts are documented in ifctl(8).
//!
//! Summary: a line per group, then a line per member with its state,
//! its role and the data addresses it hosts:
//!
//! ```text
//! ipmp0: degraded, fdt 1.00s, failback yes
//!   em0  failed  unusable  --
//!   em1  ok      active    192.0.2.10/24 2001:db8::10/64
//!   em2  ok      standby   --
//!   not hosted: 192.0.2.30/24
//! ```
//!
//! One member, in the manner of ifconfig (the indent is a tab):
//!
//! ```text
//! em0: group ipmp0 flags=<FAILED>
//!     state: failed
//!     link: up
//!     probe: failed
//!     inet 192.0.2.11 test, explicit, probe failed, fdt 1.00s, targets ...
//!     hosts: none
//! ```

use mpath_proto::mpathd::{
    GroupStatus, InterfaceStatus, PathInfo, Status, TargetStatus,
};

use crate::listings::seconds;

/// The summary, one string per line.
pub fn summary(st: &Status) -> Vec<String> {
    let members = |g: &GroupStatus| -> Vec<&InterfaceStatus> {
        st.interfaces.iter().filter(|i| i.group == g.name).collect()
    };
    let name_width = st
        .interfaces
        .iter()
        .map(|i| i.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = Vec::new();
    for g in &st.groups {
        out.push(group_line(g));
        for i in members(g) {
            let hosts = if i.hosted.is_empty() {
                "--".to_string()
            } else {
                i.hosted.join(" ")
            };
            out.push(format!(
                "  {:<name_width$}  {:<7}  {:<8}  {hosts}",
                i.name,
                i.state,
                role(g, i)
            ));
        }
        let stray: Vec<&str> = st
            .addresses
            .iter()
            .filter(|a| a.group == g.name && a.host.is_none())
            .map(|a| a.address.as_str())
            .collect();
        if !stray.is_empty() {
            out.push(format!("  not hosted: {}", stray.join(" ")));
        }
    }
    out
}

fn group_line(g: &GroupStatus) -> String {
    if g.name.is_empty() {
        return "(no group)".to_string();
    }
    let mut line = format!("{}: {}", g.name, g.state);
    if let Some(ms) = g.fdt_ms {
        line.push_str(&format!(
            ", fdt {}",
            seconds(i64::try_from(ms).unwrap_or(i64::MAX))
        ));
    }
    line.push_str(if g.failback {
        ", failback yes"
    } else {
        ", failback no"
    });
    line
}

/// `active`, `standby` (an inactive standby), `inactive` or `unusable`.
fn role(g: &GroupStatus, i: &InterfaceStatus) -> &'static str {
    if g.active.contains(&i.name) {
        "active"
    } else if g.inactive.contains(&i.name) {
        if i.standby {
            "standby"
        } else {
            "inactive"
        }
    } else {
        "unusable"
    }
}

/// ifconfig-like lines for one member (tab-indented after the first).
pub fn interface(i: &InterfaceStatus) -> Vec<String> {
    let mut flags = Vec::new();
    for (on, name) in [
        (i.failed, "FAILED"),
        (i.inactive, "INACTIVE"),
        (i.standby, "STANDBY"),
        (i.offline, "OFFLINE"),
    ] {
        if on {
            flags.push(name);
        }
    }
    let group = if i.group.is_empty() {
        String::new()
    } else {
        format!(" group {}", i.group)
    };
    let mut state = format!("\tstate: {}", i.state);
    if i.active {
        state.push_str(", active");
    }
    if !i.present {
        state.push_str(", not in the kernel");
    }
    let mut out = vec![
        format!("{}:{group} flags=<{}>", i.name, flags.join(",")),
        state,
        format!("\tlink: {}", i.link),
        format!("\tprobe: {}", i.probe),
    ];
    out.extend(i.paths.iter().map(path_line));
    out.push(if i.hosted.is_empty() {
        "\thosts: none".to_string()
    } else {
        format!("\thosts: {}", i.hosted.join(" "))
    });
    out
}

fn path_line(p: &PathInfo) -> String {
    let mut line = match &p.test_address {
        Some(a) => format!("\t{} {a} test", p.family),
        None => format!("\t{} (no test address)", p.family),
    };
    line.push_str(&format!(", {}, probe {}", p.mode, p.verdict));
    if let Some(ms) = p.fdt_ms {
        line.push_str(&format!(
            ", fdt {}",
            seconds(i64::try_from(ms).unwrap_or(i64::MAX))
        ));
    }
    if p.test_address.is_some() || !p.targets.is_empty() {
        line.push_str(", targets");
        if p.targets.is_empty() {
            line.push_str(" none");
        }
        for t in &p.targets {
            line.push(' ');
            line.push_str(&target(t));
        }
    }
    line
}

fn millis(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

/// `ADDR`, `ADDR (rtt 0.42 ms)`, `ADDR (dead)`, `ADDR (slow, rtt 9.00 ms)`.
fn target(t: &TargetStatus) -> String {
    let mut notes = Vec::new();
    if t.state != "active" {
        notes.push(t.state.clone());
    }
    if let Some(us) = t.rtt_avg_us {
        notes.push(format!("rtt {}", millis(us)));
    }
    if notes.is_empty() {
        t.address.clone()
    } else {
        format!("{} ({})", t.address, notes.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::status;

    #[test]
    fn summary_lists_groups_members_and_hosts() {
        assert_eq!(
            summary(&status()),
            [
                "ipmp0: degraded, fdt 1.00s, failback yes",
                "  em0  failed   unusable  --",
                "  em1  ok       active    192.0.2.10/24 2001:db8::10/64",
                "  em2  ok       standby   --",
                "  not hosted: 192.0.2.30/24",
                "(no group)",
                "  em3  failed   unusable  --",
            ]
        );
        assert!(summary(&Status::default()).is_empty());
    }

    #[test]
    fn one_member_like_ifconfig() {
        let st = status();
        assert_eq!(
            interface(&st.interfaces[0]),
            [
                "em0: group ipmp0 flags=<FAILED>",
                "\tstate: failed",
                "\tlink: up",
                "\tprobe: failed",
                "\tinet 192.0.2.11 test, explicit, probe failed, fdt 1.00s, \
                 targets 192.0.2.1 (dead) 192.0.2.2 (dead)",
                "\thosts: none",
            ]
        );
        let em1 = interface(&st.interfaces[1]);
        assert_eq!(em1[0], "em1: group ipmp0 flags=<>");
        assert_eq!(em1[1], "\tstate: ok, active");
        assert_eq!(
            em1[4],
            "\tinet 192.0.2.12 test, explicit, probe ok, fdt 1.00s, \
             targets 192.0.2.2 (rtt 0.42 ms) 192.0.2.1 (rtt 0.51 ms)"
        );
        assert_eq!(
            em1[5],
            "\tinet6 fe80::1 test, multicast, probe ok, fdt 1.00s, \
             targets fe80::99 fe80::98 (unused)"
        );
        assert_eq!(em1[6], "\thosts: 192.0.2.10/24 2001:db8::10/64");
        let em2 = interface(&st.interfaces[2]);
        assert_eq!(em2[0], "em2: group ipmp0 flags=<INACTIVE,STANDBY>");
        assert!(em2[4].ends_with("192.0.2.2 (slow, rtt 9.00 ms)"));
        let em3 = interface(&st.interfaces[3]);
        assert_eq!(em3[0], "em3: flags=<FAILED>");
        assert_eq!(em3[1], "\tstate: failed, not in the kernel");
        assert_eq!(em3.len(), 5, "no paths: {em3:?}");
    }
}
