//! `ifctl lagg0`: one aggregate in the manner of ifconfig, then laggd's
//! view of it and a line per port; `ifctl p0`: one port of an
//! aggregate. The indent is a tab, as ifconfig's.
//!
//! ```text
//! bond0: flags=<UP>
//!     laggproto failover
//!     laggport: p0 flags=0<>
//!     laggport: p1 flags=5<MASTER,ACTIVE>
//!     laggd: degraded
//! ```
//!
//! With LACP, the flags are lagg(4)'s and a line per port says what
//! LACP made of it (the aggregator and partner where the OS tells):
//!
//! ```text
//!     laggport: p0 flags=1d<MASTER,ACTIVE,COLLECTING,DISTRIBUTING>
//!     laggport: p1 flags=0<>
//!     lacp: p0 aggregated, aggregator 1 (active 1), partner 02:00:00:00:09:01
//!     lacp: p1 not aggregated, aggregator 2 (active 1), no partner
//! ```
//!
//! then laggd's view:
//!
//! ```text
//!     laggd: degraded
//!     live ports: 1 of 2, min-links 1 (action down)
//!     failure threshold: 1, bad score: no
//!     targets: 192.0.2.1 2001:db8::1, rule any, fdt 1.00s
//!     PORT      LINK  PROBE    STATE   SERVICE RTT      CHANGED REASON
//!     p0        up    failed   failed  no      --       4s      probes lost
//!     p1        up    ok       ok      yes     0.42ms   2m13s   link up, ...
//! ```

use mpath_proto::laggd::{AggregateStatus, PortStatus, PortTarget};

use super::words::{
    age, aggregate_state, best_rtt_us, carries, lacp_words, ms, port_flags,
};
use crate::listings::seconds;
use crate::table::{self, Field, Style};

const fn f(name: &'static str, width: usize) -> Field {
    Field { name, width }
}

/// The port table's columns.
const PORTS: [Field; 8] = [
    f("PORT", 10),
    f("LINK", 6),
    f("PROBE", 9),
    f("STATE", 8),
    f("SERVICE", 8),
    f("RTT", 9),
    f("CHANGED", 8),
    f("REASON", 0),
];

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn fdt(ms: u64) -> String {
    seconds(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// ifconfig-like lines for one aggregate (tab-indented after the first).
pub fn aggregate(a: &AggregateStatus) -> Vec<String> {
    let flags = if a.admin_up { "UP" } else { "" };
    let mut out = vec![
        format!("{}: flags=<{flags}>", a.name),
        format!("\tlaggproto {}", a.protocol.as_deref().unwrap_or("unknown")),
    ];
    for p in &a.ports {
        out.push(format!("\tlaggport: {} {}", p.name, port_flags(a, p)));
    }
    for p in &a.ports {
        if let Some(l) = &p.lacp {
            out.push(format!("\tlacp: {} {}", p.name, lacp_words(l)));
        }
    }
    let mut state = format!("\tlaggd: {}", aggregate_state(a));
    if !a.present {
        state.push_str(", not in the kernel");
    }
    out.push(state);
    let mut live = format!("\tlive ports: {} of {}", a.live, a.ports.len());
    if a.min_links == 0 {
        live.push_str(", min-links off");
    } else {
        live.push_str(&format!(
            ", min-links {} (action {})",
            a.min_links, a.min_links_action
        ));
        if a.below_min_links {
            live.push_str(", below min-links");
        }
    }
    out.push(live);
    out.push(match a.failure_threshold {
        Some(t) => format!(
            "\tfailure threshold: {t}, bad score: {}",
            yes_no(a.bad_score)
        ),
        None => "\tfailure threshold: off".to_string(),
    });
    out.push(if a.targets.is_empty() {
        "\ttargets: none (link only)".to_string()
    } else {
        format!(
            "\ttargets: {}, rule {}, fdt {}",
            a.targets.join(" "),
            a.rule,
            fdt(a.fdt_ms)
        )
    });
    out.push(format!("\t{}", table::header(&PORTS)));
    for p in &a.ports {
        out.push(format!(
            "\t{}",
            table::row(&PORTS, &port_row(p), Style::Human)
        ));
    }
    out
}

fn port_row(p: &PortStatus) -> [String; 8] {
    [
        p.name.clone(),
        p.link.clone(),
        p.probe.clone(),
        p.state.clone(),
        yes_no(p.in_service).to_string(),
        best_rtt_us(p).map(ms).unwrap_or_default(),
        p.changed_ms_ago.map(age).unwrap_or_default(),
        p.reason.clone(),
    ]
}

/// ifconfig-like lines for one port of aggregate `a`, with each
/// target's round-trip time:
///
/// ```text
/// p1: laggdev bond0 flags=5<MASTER,ACTIVE>
///     state: ok, in service, active
///     link: up
///     probe: ok
///     reason: link up, probes answered, 2m13s ago
///     target 192.0.2.1: ok, rtt 0.51 ms, dev 0.03 ms
/// ```
pub fn port(a: &AggregateStatus, p: &PortStatus) -> Vec<String> {
    let mut state = format!("\tstate: {}", p.state);
    state.push_str(if p.in_service {
        ", in service"
    } else {
        ", out of service"
    });
    if carries(a, p) {
        state.push_str(", active");
    }
    if p.in_service && !p.live && p.state == "ok" {
        state.push_str(", not live");
    }
    if !p.present {
        state.push_str(", not in the kernel");
    }
    let reason = match p.changed_ms_ago {
        Some(t) => format!("\treason: {}, {} ago", p.reason, age(t)),
        None => format!("\treason: {}", p.reason),
    };
    let mut out = vec![
        format!("{}: laggdev {} {}", p.name, a.name, port_flags(a, p)),
        state,
        format!("\tlink: {}", p.link),
        format!("\tprobe: {}", p.probe),
    ];
    if let Some(l) = &p.lacp {
        out.push(format!("\tlacp: {}", lacp_words(l)));
    }
    out.push(reason);
    if p.targets.is_empty() {
        out.push("\ttargets: none".to_string());
    }
    out.extend(p.targets.iter().map(target));
    out
}

fn millis(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

fn target(t: &PortTarget) -> String {
    let mut line = format!("\ttarget {}: {}", t.address, t.state);
    if let Some(avg) = t.rtt_avg_us {
        line.push_str(&format!(", rtt {}", millis(avg)));
    }
    if let Some(dev) = t.rtt_dev_us {
        line.push_str(&format!(", dev {}", millis(dev)));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::lagg::lagg_status;
    use mpath_proto::laggd::LacpStatus;

    #[test]
    fn an_aggregate_like_ifconfig_then_laggd() {
        let st = lagg_status();
        assert_eq!(
            aggregate(&st.aggregates[0]),
            [
                "bond0: flags=<UP>",
                "\tlaggproto failover",
                "\tlaggport: p0 flags=0<>",
                "\tlaggport: p1 flags=5<MASTER,ACTIVE>",
                "\tlaggd: degraded",
                "\tlive ports: 1 of 2, min-links 1 (action down)",
                "\tfailure threshold: 1, bad score: no",
                "\ttargets: 192.0.2.1 2001:db8::1, rule any, fdt 1.00s",
                "\tPORT      LINK  PROBE    STATE   SERVICE RTT      CHANGED REASON",
                "\tp0        up    failed   failed  no      --       4s      probes lost",
                "\tp1        up    ok       ok      yes     0.42ms   2m13s   link up, probes answered",
            ]
        );
    }

    #[test]
    fn link_only_and_missing_aggregates() {
        let st = lagg_status();
        assert_eq!(
            aggregate(&st.aggregates[1])[1..],
            [
                "\tlaggproto lacp",
                "\tlaggport: p2 flags=1d<MASTER,ACTIVE,COLLECTING,DISTRIBUTING>",
                "\tlaggport: p3 flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>",
                "\tlacp: p2 aggregated",
                "\tlacp: p3 aggregated",
                "\tlaggd: ok",
                "\tlive ports: 2 of 2, min-links off",
                "\tfailure threshold: off",
                "\ttargets: none (link only)",
                "\tPORT      LINK  PROBE    STATE   SERVICE RTT      CHANGED REASON",
                "\tp2        up    disabled ok      yes     --       1h02m   link up",
                "\tp3        up    disabled ok      yes     --       1h02m   link up",
            ]
        );
        assert_eq!(
            aggregate(&st.aggregates[2]),
            [
                "bond1: flags=<>",
                "\tlaggproto unknown",
                "\tlaggport: p4 flags=0<>",
                "\tlaggd: failed, not in the kernel",
                "\tlive ports: 0 of 1, min-links 2 (action report), below min-links",
                "\tfailure threshold: 0, bad score: yes",
                "\ttargets: 198.51.100.1, rule 2, fdt 10.00s",
                "\tPORT      LINK  PROBE    STATE   SERVICE RTT      CHANGED REASON",
                "\tp4        unknown unknown unknown no     --       --      starting",
            ]
        );
    }

    #[test]
    fn one_port_with_its_targets() {
        let st = lagg_status();
        let bond0 = &st.aggregates[0];
        assert_eq!(
            port(bond0, &bond0.ports[1]),
            [
                "p1: laggdev bond0 flags=5<MASTER,ACTIVE>",
                "\tstate: ok, in service, active",
                "\tlink: up",
                "\tprobe: ok",
                "\treason: link up, probes answered, 2m13s ago",
                "\ttarget 192.0.2.1: ok, rtt 0.51 ms, dev 0.03 ms",
                "\ttarget 2001:db8::1: ok, rtt 0.42 ms, dev 0.10 ms",
            ]
        );
        assert_eq!(
            port(bond0, &bond0.ports[0])[..2],
            [
                "p0: laggdev bond0 flags=0<>",
                "\tstate: failed, out of service"
            ]
        );
        let bond1 = &st.aggregates[2];
        assert_eq!(
            port(bond1, &bond1.ports[0]),
            [
                "p4: laggdev bond1 flags=0<>",
                "\tstate: unknown, out of service, not in the kernel",
                "\tlink: unknown",
                "\tprobe: unknown",
                "\treason: starting",
                "\ttarget 198.51.100.1: unused",
            ]
        );
        let lagg1 = &st.aggregates[1];
        assert_eq!(
            port(lagg1, &lagg1.ports[1]).last().unwrap(),
            "\ttargets: none"
        );
        assert_eq!(port(lagg1, &lagg1.ports[1])[4], "\tlacp: aggregated");
    }

    #[test]
    fn lacp_as_lagg4_and_bonding_tell_it() {
        let st = lagg_status();
        let mut a = st.aggregates[1].clone();
        a.protocol = Some("802.3ad".into());
        a.live = 1;
        let l = a.ports[1].lacp.as_mut().unwrap();
        *l = LacpStatus {
            aggregated: false,
            active: false,
            collecting: false,
            distributing: false,
            aggregator: Some(2),
            active_aggregator: Some(1),
            partner: None,
        };
        a.ports[1].live = false;
        a.ports[1].reason = "link up; not aggregated by LACP".into();
        if let Some(l) = a.ports[0].lacp.as_mut() {
            l.aggregator = Some(1);
            l.active_aggregator = Some(1);
            l.partner = Some("02:00:00:00:09:01".into());
        }
        let lines = aggregate(&a);
        assert_eq!(
            lines[2..6],
            [
                "\tlaggport: p2 flags=1d<MASTER,ACTIVE,COLLECTING,DISTRIBUTING>",
                "\tlaggport: p3 flags=0<>",
                "\tlacp: p2 aggregated, aggregator 1 (active 1), partner \
                 02:00:00:00:09:01",
                "\tlacp: p3 not aggregated, aggregator 2 (active 1), no partner",
            ]
        );
        assert_eq!(lines[6], "\tlaggd: degraded");
        assert_eq!(
            port(&a, &a.ports[1])[..2],
            [
                "p3: laggdev lagg1 flags=0<>",
                "\tstate: ok, in service, not live"
            ]
        );
    }
}
