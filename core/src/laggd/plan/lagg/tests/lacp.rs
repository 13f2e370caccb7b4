//! LACP's word from lagg(4)'s port flags.

use crate::laggd::plan::lagg::{lacp_ports, LaggPort, LaggProto, LaggStatus};

fn port(name: &str, active: bool, coll: bool, dist: bool) -> LaggPort {
    LaggPort {
        name: name.into(),
        master: false,
        active,
        collecting: coll,
        distributing: dist,
    }
}

#[test]
fn only_lacp_laggs_have_lacp_ports_and_the_flags_decide() {
    let mut status = LaggStatus {
        proto: LaggProto::Lacp,
        ports: vec![
            // flags=1c<ACTIVE,COLLECTING,DISTRIBUTING>
            port("ix0", true, true, true),
            // Up, but its partner stopped LACP: flags=0<>.
            port("ix1", false, false, false),
            // In the active aggregator, the mux not yet distributing.
            port("ix2", true, true, false),
        ],
    };
    let ports = lacp_ports(&status).expect("lacp");
    let aggregated: Vec<(&str, bool)> = ports
        .iter()
        .map(|p| (p.name.as_str(), p.aggregated()))
        .collect();
    assert_eq!(aggregated, [("ix0", true), ("ix1", false), ("ix2", false)]);
    assert!(ports
        .iter()
        .all(|p| p.aggregator.is_none() && p.partner.is_none()));
    status.proto = LaggProto::Failover;
    assert_eq!(lacp_ports(&status), None);
}
