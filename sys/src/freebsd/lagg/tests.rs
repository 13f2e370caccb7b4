//! The records the kernel fills and the flags, on any host.

use super::*;
use crate::freebsd::abi::lagg::lagg_reqport;

#[test]
fn flags_read_and_print_like_ifconfig() {
    let master_active = PortFlags::MASTER | PortFlags::ACTIVE;
    assert_eq!(master_active.bits(), LAGG_PORT_MASTER | LAGG_PORT_ACTIVE);
    assert!(master_active.master() && master_active.active());
    assert!(!master_active.collecting() && !master_active.stack());
    assert_eq!(master_active.to_string(), "5<MASTER,ACTIVE>");
    assert_eq!(PortFlags::empty().to_string(), "0<>");
    let lacp = PortFlags::from_bits_retain(
        LAGG_PORT_ACTIVE | LAGG_PORT_COLLECTING | LAGG_PORT_DISTRIBUTING,
    );
    assert!(lacp.distributing());
    assert_eq!(lacp.to_string(), "1c<ACTIVE,COLLECTING,DISTRIBUTING>");
    assert_eq!(proto_from_raw(2), LaggProto::Failover);
    assert_eq!(proto_from_raw(4).name(), "lacp");
    assert_eq!(proto_from_raw(9), LaggProto::Unknown(9));
    assert_eq!(PortOp::Remove("em0".into()).to_string(), "-laggport em0");
}

fn record(port: &str, flags: u32) -> lagg_reqport {
    let mut r = lagg_reqport::zeroed();
    r.rp_ifname[..5].copy_from_slice(b"lagg0");
    r.rp_portname[..port.len()].copy_from_slice(port.as_bytes());
    r.rp_flags = flags;
    r
}

#[test]
fn records_become_ports_in_kernel_order() {
    let records = [
        record("em0", LAGG_PORT_MASTER),
        record("em1", LAGG_PORT_ACTIVE),
        record("igb0", 0),
        lagg_reqport::zeroed(),
    ];
    let ports = ports_from_records(&records, 3);
    let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["em0", "em1", "igb0"]);
    let status = LaggStatus {
        proto: LaggProto::Failover,
        ports,
    };
    assert_eq!(status.master(), Some("em0"));
    assert_eq!(status.active().collect::<Vec<_>>(), ["em1"]);
    // The kernel's count is trusted only up to the buffer, and a
    // negative one means nothing.
    assert_eq!(ports_from_records(&records, 99).len(), 3);
    assert_eq!(ports_from_records(&records, -1).len(), 0);
    assert_eq!(ports_from_records(&records, 2).len(), 2);
}
