//! laggd's status as metric families (`laggd_*`). Labels: `aggregate`,
//! `port`, `target`, `group` (a link-state or redundancy group),
//! `interface`, `object`.

use mpath_proto::laggd::{AggregateStatus, LaggStatus, PortStatus};

use super::text::{seconds_ms, seconds_us, Metrics};

const PORT_STATES: &[&str] = &["ok", "failed", "unknown"];
const LINK_STATES: &[&str] = &["up", "down", "unknown"];
const PROBE_STATES: &[&str] = &["ok", "failed", "unknown", "disabled"];
const TARGET_STATES: &[&str] = &["ok", "unused", "slow", "dead"];
const TRACK_STATES: &[&str] = &["up", "down", "disabled"];
const DOWNSTREAM_STATES: &[&str] = &["up", "down", "disabled"];
const ROLES: &[&str] = &["active", "standby", "unknown"];

/// Adds laggd's families for `st` to `m`.
pub fn families(st: &LaggStatus, m: &mut Metrics) {
    for a in &st.aggregates {
        aggregate(a, m);
    }
    for g in &st.tracking {
        let l = [("group", g.name.as_str())];
        m.state(
            "laggd_track_group_state",
            "Link-state tracking group: up (some upstream up), down (every \
             upstream down, downstream err-disabled) or disabled.",
            &l,
            TRACK_STATES,
            &g.state,
        );
        m.counter(
            "laggd_track_group_downs_total",
            "Times the link-state group went down.",
            &l,
            g.downs,
        );
        for u in &g.upstream {
            m.state(
                "laggd_track_group_upstream_state",
                "Upstream interface of a link-state group: up, down or \
                 unknown.",
                &[("group", g.name.as_str()), ("interface", u.name.as_str())],
                LINK_STATES,
                &u.state,
            );
        }
        for d in &g.downstream {
            m.state(
                "laggd_track_group_downstream_state",
                "Downstream interface of a link-state group: up, down, or \
                 disabled (err-disabled by the group).",
                &[("group", g.name.as_str()), ("interface", d.name.as_str())],
                DOWNSTREAM_STATES,
                &d.state,
            );
        }
    }
    for r in &st.redundancy {
        let l = [("group", r.name.as_str())];
        m.gauge(
            "laggd_redundancy_priority",
            "Configured priority of the redundancy group.",
            &l,
            f64::from(r.priority),
        );
        m.gauge(
            "laggd_redundancy_current_priority",
            "Run-time priority: the configured one less the decrements of \
             tracked objects that are down.",
            &l,
            f64::from(r.current_priority),
        );
        m.gauge(
            "laggd_redundancy_failover_threshold",
            "Priority below which the group is faulted.",
            &l,
            f64::from(r.failover_threshold),
        );
        m.flag(
            "laggd_redundancy_faulted",
            "Redundancy group faulted (below its threshold, or a shutdown \
             object down).",
            &l,
            r.faulted,
        );
        if let Some(d) = r.applied_demotion {
            m.gauge(
                "laggd_redundancy_demotion",
                "Demotion last applied to the HA engine (CARP, keepalived); \
                 0 when everything is healthy.",
                &l,
                f64::from(d),
            );
        }
        if !r.role.is_empty() {
            m.state(
                "laggd_redundancy_role",
                "This chassis's role as the HA engine shows it: active, \
                 standby or unknown.",
                &l,
                ROLES,
                &r.role,
            );
        }
        m.flag(
            "laggd_redundancy_switchover",
            "A manual switchover (ifctl switchover) is in force.",
            &l,
            r.switchover,
        );
        m.flag(
            "laggd_redundancy_held",
            "Recovered while standby without preempt: yielding until \
             active again.",
            &l,
            r.held,
        );
        for t in &r.tracks {
            m.flag(
                "laggd_redundancy_track_up",
                "Object tracked by a redundancy group up (1) or down (0).",
                &[
                    ("group", r.name.as_str()),
                    ("object", t.object.as_str()),
                    ("kind", t.kind.as_str()),
                ],
                t.up,
            );
        }
    }
}

fn aggregate(a: &AggregateStatus, m: &mut Metrics) {
    let l = [("aggregate", a.name.as_str())];
    m.flag(
        "laggd_aggregate_present",
        "Aggregate present in the kernel.",
        &l,
        a.present,
    );
    m.flag(
        "laggd_aggregate_admin_up",
        "Aggregate administratively up.",
        &l,
        a.admin_up,
    );
    m.gauge(
        "laggd_aggregate_ports",
        "Ports configured in the aggregate.",
        &l,
        a.ports.len() as f64,
    );
    m.gauge(
        "laggd_aggregate_live_ports",
        "Ports laggd counts as live.",
        &l,
        a.live as f64,
    );
    m.gauge(
        "laggd_aggregate_in_service_ports",
        "Ports laggd wants carrying traffic.",
        &l,
        a.in_service.len() as f64,
    );
    m.gauge(
        "laggd_aggregate_min_links",
        "min-links of the aggregate (0: off).",
        &l,
        a.min_links as f64,
    );
    m.flag(
        "laggd_aggregate_below_min_links",
        "Fewer live ports than min-links.",
        &l,
        a.below_min_links,
    );
    if let Some(t) = a.failure_threshold {
        m.gauge(
            "laggd_aggregate_failure_threshold",
            "failure-threshold: more bad ports than this is a bad score.",
            &l,
            t as f64,
        );
    }
    m.flag(
        "laggd_aggregate_bad_score",
        "More ports bad than the failure threshold.",
        &l,
        a.bad_score,
    );
    m.gauge(
        "laggd_aggregate_failure_detection_time_seconds",
        "Configured failure detection time of the ports' probes.",
        &l,
        seconds_ms(a.fdt_ms),
    );
    for p in &a.ports {
        port(a, p, m);
    }
}

fn port(a: &AggregateStatus, p: &PortStatus, m: &mut Metrics) {
    let l = [("aggregate", a.name.as_str()), ("port", p.name.as_str())];
    m.state(
        "laggd_port_state",
        "laggd's verdict on the port: ok, failed or unknown.",
        &l,
        PORT_STATES,
        &p.state,
    );
    m.state(
        "laggd_port_link_state",
        "Port link (after delays and damping): up, down or unknown.",
        &l,
        LINK_STATES,
        &p.link,
    );
    m.state(
        "laggd_port_probe_state",
        "Port probe verdict: ok, failed, unknown or disabled (no targets).",
        &l,
        PROBE_STATES,
        &p.probe,
    );
    m.flag(
        "laggd_port_in_service",
        "Port in the set laggd wants carrying traffic.",
        &l,
        p.in_service,
    );
    m.flag(
        "laggd_port_active",
        "Port is the OS's active port of the aggregate.",
        &l,
        p.active,
    );
    let c = &p.counters;
    for (name, help, v) in [
        (
            "laggd_port_probes_sent_total",
            "Probes (ARP, neighbour solicitations) sent through the port.",
            c.probes_sent,
        ),
        (
            "laggd_port_probes_answered_total",
            "Probes answered within their timeout.",
            c.probes_answered,
        ),
        (
            "laggd_port_probes_lost_total",
            "Probes not answered within their timeout.",
            c.probes_lost,
        ),
        (
            "laggd_port_failures_total",
            "Times laggd found the port failed.",
            c.failures,
        ),
        (
            "laggd_port_repairs_total",
            "Times laggd found the port repaired.",
            c.repairs,
        ),
    ] {
        m.counter(name, help, &l, v);
    }
    for t in &p.targets {
        let tl = [
            ("aggregate", a.name.as_str()),
            ("port", p.name.as_str()),
            ("target", t.address.as_str()),
        ];
        m.state(
            "laggd_port_target_state",
            "Probe target as seen through the port: ok, unused, slow or \
             dead.",
            &tl,
            TARGET_STATES,
            &t.state,
        );
        if let Some(rtt) = t.rtt_avg_us {
            m.gauge(
                "laggd_port_target_rtt_seconds",
                "Smoothed round-trip time of the target through the port.",
                &tl,
                seconds_us(rtt),
            );
        }
    }
}
