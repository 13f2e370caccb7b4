//! What ifctl derives from laggd's status, shared by every layout: an
//! aggregate's state, a port's role and lagg(4) flags, ages and
//! round-trip times.

use mpath_proto::laggd::{AggregateStatus, LacpStatus, PortStatus};

/// lagg(4)'s `LAGG_PORT_MASTER` (if_lagg.h): the primary port.
const LAGG_PORT_MASTER: u32 = 0x1;
/// lagg(4)'s `LAGG_PORT_ACTIVE`: the port carries traffic (lacp: it
/// is in the active aggregator).
const LAGG_PORT_ACTIVE: u32 = 0x4;
/// lagg(4)'s `LAGG_PORT_COLLECTING` (lacp).
const LAGG_PORT_COLLECTING: u32 = 0x8;
/// lagg(4)'s `LAGG_PORT_DISTRIBUTING` (lacp).
const LAGG_PORT_DISTRIBUTING: u32 = 0x10;

/// `ok` (every port live), `degraded` (some are not) or `failed` (none
/// is, or fewer than min-links), as mpathd's group states.
pub fn aggregate_state(a: &AggregateStatus) -> &'static str {
    if a.live == 0 || a.below_min_links {
        "failed"
    } else if a.live < a.ports.len() {
        "degraded"
    } else {
        "ok"
    }
}

/// Whether the port carries traffic: the OS's active port when the
/// aggregate has one (failover, active-backup), else any port laggd
/// keeps in service (lacp, loadbalance, roundrobin) whose link is not
/// down, as lagg(4) sets ACTIVE only on a port with its link up. (laggd
/// keeps the last port in service when every port has failed.)
pub fn carries(a: &AggregateStatus, p: &PortStatus) -> bool {
    // LACP: only a port it aggregated.
    if let Some(l) = &p.lacp {
        return p.in_service && l.aggregated;
    }
    match &a.active_port {
        Some(active) => *active == p.name,
        None => p.in_service && p.link != "down",
    }
}

/// `active` (carries traffic), `backup` (in service and working,
/// waiting behind the active port) or `unusable` (kept out of service,
/// failed, or not aggregated by LACP).
pub fn role(a: &AggregateStatus, p: &PortStatus) -> &'static str {
    if carries(a, p) {
        "active"
    } else if p.in_service && p.state == "ok" && p.lacp.is_none() {
        "backup"
    } else {
        "unusable"
    }
}

/// ifconfig's `flags=5<MASTER,ACTIVE>` for a lagg port: MASTER for the
/// first port in service (laggd keeps the master order), ACTIVE for a
/// port that carries traffic, or with LACP as lagg(4) sets it, for a
/// port in the active aggregator, then COLLECTING and DISTRIBUTING as
/// LACP says; in hexadecimal, as printb(3) in ifconfig prints them.
pub fn port_flags(a: &AggregateStatus, p: &PortStatus) -> String {
    let lacp = p.lacp.as_ref();
    let active = match lacp {
        Some(l) => l.active,
        None => carries(a, p),
    };
    let flags = [
        (
            a.in_service.first() == Some(&p.name),
            LAGG_PORT_MASTER,
            "MASTER",
        ),
        (active, LAGG_PORT_ACTIVE, "ACTIVE"),
        (
            lacp.is_some_and(|l| l.collecting),
            LAGG_PORT_COLLECTING,
            "COLLECTING",
        ),
        (
            lacp.is_some_and(|l| l.distributing),
            LAGG_PORT_DISTRIBUTING,
            "DISTRIBUTING",
        ),
    ];
    let set = flags.iter().filter(|(on, _, _)| *on);
    let bits = set.clone().fold(0, |b, (_, bit, _)| b | bit);
    let names: Vec<&str> = set.map(|(_, _, name)| *name).collect();
    format!("flags={bits:x}<{}>", names.join(","))
}

/// LACP's word on a port for people: `aggregated, aggregator 1
/// (active 1), partner 02:00:00:00:09:01`, or `not aggregated, ...`;
/// the aggregator and the partner where the OS tells them (Linux).
pub fn lacp_words(l: &LacpStatus) -> String {
    let mut words = vec![if l.aggregated {
        "aggregated".to_string()
    } else {
        "not aggregated".to_string()
    }];
    if let Some(id) = l.aggregator {
        let active = l
            .active_aggregator
            .map_or_else(|| "none".to_string(), |a| a.to_string());
        words.push(format!("aggregator {id} (active {active})"));
        words.push(match &l.partner {
            Some(m) => format!("partner {m}"),
            None => "no partner".to_string(),
        });
    } else if let Some(m) = &l.partner {
        words.push(format!("partner {m}"));
    }
    words.join(", ")
}

/// An age for people: `4s`, `2m13s`, `1h02m`, `3d04h`.
pub fn age(ms: u64) -> String {
    let s = ms / 1000;
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// The port's best smoothed round-trip time over the targets that
/// answer (a dead target's last figure says nothing about now).
pub fn best_rtt_us(p: &PortStatus) -> Option<u64> {
    p.targets
        .iter()
        .filter(|t| t.state != "dead")
        .filter_map(|t| t.rtt_avg_us)
        .min()
}

/// Microseconds as `0.42ms`, the listings' unit.
pub fn ms(us: u64) -> String {
    format!("{:.2}ms", us as f64 / 1000.0)
}

/// `Up`, `Dwn`, `Dis` (Cisco's words) or `Unk`.
pub fn cisco_state(state: &str) -> &'static str {
    match state {
        "up" => "Up",
        "down" => "Dwn",
        "disabled" => "Dis",
        _ => "Unk",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::lagg::{lacp_aggregated, lagg_status};

    #[test]
    fn ages() {
        for (ms, text) in [
            (0, "0s"),
            (999, "0s"),
            (4_250, "4s"),
            (59_999, "59s"),
            (60_000, "1m00s"),
            (133_900, "2m13s"),
            (3_599_999, "59m59s"),
            (3_720_000, "1h02m"),
            (86_399_999, "23h59m"),
            (86_400_000, "1d00h"),
            (273_600_000, "3d04h"),
            (u64::MAX, "213503982334d14h"),
        ] {
            assert_eq!(age(ms), text, "{ms}");
        }
    }

    #[test]
    fn states_roles_and_flags() {
        let st = lagg_status();
        let [bond0, lagg1, bond1] = &st.aggregates[..] else {
            panic!("three aggregates");
        };
        assert_eq!(
            [bond0, lagg1, bond1].map(aggregate_state),
            ["degraded", "ok", "failed"]
        );
        let (p0, p1) = (&bond0.ports[0], &bond0.ports[1]);
        assert_eq!(
            (role(bond0, p0), port_flags(bond0, p0)),
            ("unusable", "flags=0<>".into())
        );
        assert_eq!(
            (role(bond0, p1), port_flags(bond0, p1)),
            ("active", "flags=5<MASTER,ACTIVE>".into())
        );
        // LACP: every port it aggregated carries traffic; lagg(4)'s
        // flags.
        let (p2, p3) = (&lagg1.ports[0], &lagg1.ports[1]);
        assert_eq!(
            port_flags(lagg1, p2),
            "flags=1d<MASTER,ACTIVE,COLLECTING,DISTRIBUTING>"
        );
        assert_eq!(
            (role(lagg1, p3), port_flags(lagg1, p3)),
            ("active", "flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>".into())
        );
        // An up port LACP did not aggregate carries nothing.
        let mut unagg = lagg1.clone();
        if let Some(l) = unagg.ports[1].lacp.as_mut() {
            (l.aggregated, l.active, l.collecting, l.distributing) =
                (false, false, false, false);
        }
        let p3 = &unagg.ports[1];
        assert_eq!(
            (role(&unagg, p3), port_flags(&unagg, p3)),
            ("unusable", "flags=0<>".into())
        );
        // No LACP, no single active port: every port in service carries
        // traffic.
        let mut rr = lagg1.clone();
        rr.ports.iter_mut().for_each(|p| p.lacp = None);
        let (p2, p3) = (&rr.ports[0], &rr.ports[1]);
        assert_eq!(port_flags(&rr, p2), "flags=5<MASTER,ACTIVE>");
        assert_eq!(
            (role(&rr, p3), port_flags(&rr, p3)),
            ("active", "flags=4<ACTIVE>".into())
        );
        // In service behind another active port.
        let mut backup = bond0.clone();
        backup.in_service = vec!["p0".into(), "p1".into()];
        backup.ports[0].in_service = true;
        let p0 = &backup.ports[0];
        assert_eq!(role(&backup, p0), "unusable", "in service but failed");
        backup.ports[0].state = "ok".into();
        let p0 = &backup.ports[0];
        assert_eq!(role(&backup, p0), "backup");
        assert_eq!(port_flags(&backup, p0), "flags=1<MASTER>");
        // Every port failed: laggd keeps the last one in service, but
        // with its link down it carries nothing.
        let mut down = rr.clone();
        down.ports[1].link = "down".into();
        down.ports[1].state = "failed".into();
        let p3 = &down.ports[1];
        assert_eq!(
            (role(&down, p3), port_flags(&down, p3)),
            ("unusable", "flags=0<>".into())
        );
    }

    #[test]
    fn lacp_in_words() {
        let mut l = lacp_aggregated();
        assert_eq!(lacp_words(&l), "aggregated");
        l.aggregator = Some(3);
        assert_eq!(
            lacp_words(&l),
            "aggregated, aggregator 3 (active none), no partner"
        );
        l.active_aggregator = Some(3);
        l.partner = Some("02:00:00:00:09:01".into());
        assert_eq!(
            lacp_words(&l),
            "aggregated, aggregator 3 (active 3), partner 02:00:00:00:09:01"
        );
    }

    #[test]
    fn round_trip_times_skip_dead_targets() {
        let st = lagg_status();
        let bond0 = &st.aggregates[0];
        assert_eq!(best_rtt_us(&bond0.ports[0]), None, "all dead");
        assert_eq!(best_rtt_us(&bond0.ports[1]), Some(420));
        assert_eq!(best_rtt_us(&st.aggregates[1].ports[0]), None, "no targets");
        assert_eq!(ms(420), "0.42ms");
        assert_eq!(ms(123_456), "123.46ms");
    }
}
