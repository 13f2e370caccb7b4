//! The lab itself works: paths, cuts and carrier changes behave as the
//! mpathd tests assume.

use mpath_lab::{root_or_skip, Lab, LabSpec, Ns};

#[test]
fn lab_paths_cuts_and_carrier() {
    if !root_or_skip("lab_paths_cuts_and_carrier") {
        return;
    }
    let lab = Lab::new(LabSpec { members: 2 });
    lab.must(
        Ns::Host,
        &["ip", "addr", "add", "192.0.2.11/24", "dev", "mp0"],
    );
    lab.must(
        Ns::Host,
        &[
            "ip",
            "addr",
            "add",
            "192.0.2.12/24",
            "dev",
            "mp1",
            "noprefixroute",
        ],
    );
    assert_eq!(lab.addrs(0), vec!["192.0.2.11/24".to_string()]);
    assert_eq!(lab.holder("192.0.2.12/24"), Ok(1));
    // The peer reaches mp0's address.
    let (sent, got) = lab.ping(Ns::Peer, "192.0.2.11", 3, "0.2");
    assert_eq!((sent, got), (3, 3));
    // A cut path: the link stays up, nothing passes.
    lab.cut_path(0);
    let (_, got) = lab.ping(Ns::Peer, "192.0.2.11", 3, "0.2");
    assert_eq!(got, 0);
    let state = lab.must(Ns::Host, &["cat", "/sys/class/net/mp0/carrier"]);
    assert_eq!(state.trim(), "1", "carrier stays up on a path cut");
    lab.restore_path(0);
    let (_, got) = lab.ping(Ns::Peer, "192.0.2.11", 3, "0.2");
    assert_eq!(got, 3);
    // Carrier loss: the switch port goes down, the member's carrier too.
    lab.carrier(0, false);
    let state = lab.must(Ns::Host, &["cat", "/sys/class/net/mp0/carrier"]);
    assert_eq!(state.trim(), "0");
    lab.carrier(0, true);
    // Deleting and re-creating a member.
    lab.delete_member(1);
    assert!(lab.addrs(1).is_empty());
    lab.recreate_member(1);
    assert!(lab.addrs(1).is_empty());
}
