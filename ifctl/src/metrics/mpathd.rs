//! mpathd's status as metric families (`mpathd_*`). Labels: `group`
//! (empty for the anonymous group), `interface`, `family` (`inet`,
//! `inet6`), `target`, `address`.

use mpath_proto::mpathd::{InterfaceStatus, PathInfo, Status};

use super::text::{seconds_ms, seconds_us, Metrics};

const GROUP_STATES: &[&str] = &["ok", "degraded", "failed"];
const MEMBER_STATES: &[&str] = &["ok", "failed", "offline", "unknown"];
const LINK_STATES: &[&str] = &["up", "down", "unknown"];
const PROBE_STATES: &[&str] = &["ok", "failed", "unknown", "disabled"];
const TARGET_STATES: &[&str] = &["active", "unused", "slow", "dead"];

/// Adds mpathd's families for `st` to `m`.
pub fn families(st: &Status, m: &mut Metrics) {
    for g in &st.groups {
        let l = [("group", g.name.as_str())];
        m.state(
            "mpathd_group_state",
            "IPMP group state (ipmpstat -g STATE): ok, degraded or failed.",
            &l,
            GROUP_STATES,
            &g.state,
        );
        if let Some(fdt) = g.fdt_ms {
            m.gauge(
                "mpathd_group_failure_detection_time_seconds",
                "Failure detection time in force, the largest over the \
                 group's probe paths.",
                &l,
                seconds_ms(fdt),
            );
        }
        for (kind, list) in [
            ("active", &g.active),
            ("inactive", &g.inactive),
            ("unusable", &g.unusable),
        ] {
            m.gauge(
                "mpathd_group_members",
                "Members by kind: active (may host data addresses), \
                 inactive (functioning, idle) or unusable (failed, \
                 offline, missing).",
                &[("group", g.name.as_str()), ("kind", kind)],
                list.len() as f64,
            );
        }
        m.counter(
            "mpathd_group_failovers_total",
            "Failovers: a member's data addresses moved to another member.",
            &l,
            g.counters.failovers,
        );
        m.counter(
            "mpathd_group_failbacks_total",
            "Failbacks: data addresses returned to their home member.",
            &l,
            g.counters.failbacks,
        );
    }
    for i in &st.interfaces {
        interface(i, m);
    }
    for a in &st.addresses {
        m.flag(
            "mpathd_address_up",
            "Data address hosted on a working member (1) or not (0); host \
             is where it is now.",
            &[
                ("group", a.group.as_str()),
                ("address", a.address.as_str()),
                ("home", a.home.as_str()),
                ("host", a.host.as_deref().unwrap_or("")),
            ],
            a.state == "up",
        );
    }
}

fn interface(i: &InterfaceStatus, m: &mut Metrics) {
    let l = [("group", i.group.as_str()), ("interface", i.name.as_str())];
    m.state(
        "mpathd_interface_state",
        "Member state (ipmpstat -i STATE): ok, failed, offline or unknown \
         (no probe targets).",
        &l,
        MEMBER_STATES,
        &i.state,
    );
    m.state(
        "mpathd_interface_link_state",
        "Member link (carrier, after damping): up, down or unknown.",
        &l,
        LINK_STATES,
        &i.link,
    );
    m.state(
        "mpathd_interface_probe_state",
        "Member probe verdict (ipmpstat -i PROBE): ok, failed, unknown (no \
         targets) or disabled (no test address).",
        &l,
        PROBE_STATES,
        &i.probe,
    );
    for (name, help, on) in [
        (
            "mpathd_interface_present",
            "Member present in the kernel.",
            i.present,
        ),
        (
            "mpathd_interface_active",
            "Member active: functioning and allowed to host data addresses.",
            i.active,
        ),
        (
            "mpathd_interface_inactive",
            "Member INACTIVE: functioning but hosting nothing.",
            i.inactive,
        ),
        (
            "mpathd_interface_standby",
            "Member configured as a standby.",
            i.standby,
        ),
        (
            "mpathd_interface_offline",
            "Member taken offline by the operator.",
            i.offline,
        ),
    ] {
        m.flag(name, help, &l, on);
    }
    m.gauge(
        "mpathd_interface_data_addresses",
        "Data addresses the member hosts now.",
        &l,
        i.hosted.len() as f64,
    );
    m.counter(
        "mpathd_interface_failures_total",
        "Times the member was found failed (interface or group failure).",
        &l,
        i.counters.failures,
    );
    m.counter(
        "mpathd_interface_repairs_total",
        "Times the member was found repaired after a failure.",
        &l,
        i.counters.repairs,
    );
    for p in &i.paths {
        path(i, p, m);
    }
}

fn path(i: &InterfaceStatus, p: &PathInfo, m: &mut Metrics) {
    let l = [
        ("group", i.group.as_str()),
        ("interface", i.name.as_str()),
        ("family", p.family.as_str()),
    ];
    m.state(
        "mpathd_path_state",
        "Probe path verdict: ok, failed, unknown (no targets) or disabled.",
        &l,
        PROBE_STATES,
        &p.verdict,
    );
    if let Some(fdt) = p.fdt_ms {
        m.gauge(
            "mpathd_path_failure_detection_time_seconds",
            "Failure detection time in force on the probe path (raised \
             above the configured one when targets are slow).",
            &l,
            seconds_ms(fdt),
        );
    }
    m.counter(
        "mpathd_path_probes_sent_total",
        "Failure-detection probes sent.",
        &l,
        p.probes.sent,
    );
    m.counter(
        "mpathd_path_probes_answered_total",
        "Probes answered within their timeout.",
        &l,
        p.probes.answered,
    );
    m.counter(
        "mpathd_path_probes_lost_total",
        "Probes not answered within their timeout (late answers included).",
        &l,
        p.probes.lost,
    );
    m.counter(
        "mpathd_path_probes_late_total",
        "Lost probes answered after their timeout.",
        &l,
        p.probes.late,
    );
    let rtts: Vec<u64> = p
        .targets
        .iter()
        .filter(|t| t.state == "active")
        .filter_map(|t| t.rtt_avg_us)
        .collect();
    if !rtts.is_empty() {
        m.gauge(
            "mpathd_path_rtt_seconds",
            "Smoothed round-trip time of the path: the mean of its active \
             targets' smoothed RTTs.",
            &l,
            seconds_us(rtts.iter().sum::<u64>() / rtts.len() as u64),
        );
    }
    for t in &p.targets {
        let tl = [
            ("group", i.group.as_str()),
            ("interface", i.name.as_str()),
            ("family", p.family.as_str()),
            ("target", t.address.as_str()),
        ];
        m.state(
            "mpathd_target_state",
            "Probe target state (ipmpstat -t): active, unused, slow or dead.",
            &tl,
            TARGET_STATES,
            &t.state,
        );
        if let Some(rtt) = t.rtt_avg_us {
            m.gauge(
                "mpathd_target_rtt_seconds",
                "Smoothed round-trip time of the target.",
                &tl,
                seconds_us(rtt),
            );
        }
        if let Some(dev) = t.rtt_dev_us {
            m.gauge(
                "mpathd_target_rtt_deviation_seconds",
                "Mean deviation of the target's round-trip time.",
                &tl,
                seconds_us(dev),
            );
        }
    }
}
