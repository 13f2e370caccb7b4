//! What ifctl derives from laggd's status, shared by every layout: an
//! aggregate's state, a port's role and lagg(4) flags, ages and
//! round-trip times.

use mpath_proto::laggd::{AggregateStatus, PortStatus};

/// lagg(4)'s `LAGG_PORT_MASTER` (if_lagg.h): the primary port.
const LAGG_PORT_MASTER: u32 = 0x1;
/// lagg(4)'s `LAGG_PORT_ACTIVE`: the port carries traffic.
const LAGG_PORT_ACTIVE: u32 = 0x4;

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
    match &a.active_port {
        Some(active) => *active == p.name,
        None => p.in_service && p.link != "down",
    }
}

/// `active` (carries traffic), `backup` (in service and working,
/// waiting behind the active port) or `unusable` (kept out of service,
/// or failed).
pub fn role(a: &AggregateStatus, p: &PortStatus) -> &'static str {
    if carries(a, p) {
        "active"
    } else if p.in_service && p.state == "ok" {
        "backup"
    } else {
        "unusable"
    }
}

/// ifconfig's `flags=5<MASTER,ACTIVE>` for a lagg port: MASTER for the
/// first port in service (laggd keeps the master order), ACTIVE for a
/// port that carries traffic; in hexadecimal, as printb(3) in ifconfig
/// prints them.
pub fn port_flags(a: &AggregateStatus, p: &PortStatus) -> String {
    let mut bits = 0;
    let mut names = Vec::new();
    if a.in_service.first() == Some(&p.name) {
        bits |= LAGG_PORT_MASTER;
        names.push("MASTER");
    }
    if carries(a, p) {
        bits |= LAGG_PORT_ACTIVE;
        names.push("ACTIVE");
    }
    format!("flags={bits:x}<{}>", names.join(","))
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
    use crate::testdata::lagg::lagg_status;

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
        // No single active port: every port in service carries traffic.
        let (p2, p3) = (&lagg1.ports[0], &lagg1.ports[1]);
        assert_eq!(port_flags(lagg1, p2), "flags=5<MASTER,ACTIVE>");
        assert_eq!(
            (role(lagg1, p3), port_flags(lagg1, p3)),
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
        let mut down = lagg1.clone();
        down.ports[1].link = "down".into();
        down.ports[1].state = "failed".into();
        let p3 = &down.ports[1];
        assert_eq!(
            (role(&down, p3), port_flags(&down, p3)),
            ("unusable", "flags=0<>".into())
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
