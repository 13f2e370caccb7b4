//! Tests against the running kernel.
//!
//! Reading needs no privileges; changing addresses needs root and
//! happens in a network namespace of the test's own, so the host is
//! never touched. Without root the tests that need it skip with a
//! message, except under `CI=true`, where CI runs as root and a skip
//! would hide a failure, so they fail.

use std::net::IpAddr;
use std::panic;
use std::process::Command;
use std::thread;

use mpath_core::addr::IpPrefix;
use mpath_core::kernel::{KernelRoute, KernelSnapshot};

use super::*;
use crate::ifaddrs;
use crate::ifindex;

fn prefix(s: &str) -> IpPrefix {
    s.parse().unwrap()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn take_snapshot() -> KernelSnapshot {
    let mut sock = NetlinkSocket::open_request().unwrap();
    snapshot(&mut sock).unwrap()
}

/// Whether this test may change the kernel: root. Otherwise it is
/// skipped, or fails under `CI=true`.
#[allow(clippy::print_stderr)]
pub(super) fn root_or_skip(test: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test} needs root, and CI=true: CI must run it"
    );
    eprintln!("skipping {test}: needs root");
    false
}

/// Runs `body` on a new thread in a new, empty network namespace.
///
/// `unshare(CLONE_NEWNET)` moves only the calling thread: namespaces
/// belong to threads (tasks), so the rest of the test process, other
/// tests included, stays in the host's namespace. Sockets the thread
/// opens, `if_nametoindex` and the commands it starts (a child inherits
/// the namespaces of the thread that forks it) all see the new
/// namespace. It goes away with the thread and its sockets, interfaces
/// and all: there is nothing to clean up, even when `body` panics.
pub(super) fn in_new_netns<T: Send>(body: impl FnOnce() -> T + Send) -> T {
    thread::scope(|s| {
        let thread = s.spawn(|| {
            // Changes only the calling thread's namespaces.
            nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNET)
                .expect("unshare(CLONE_NEWNET)");
            body()
        });
        thread.join().unwrap_or_else(|p| panic::resume_unwind(p))
    })
}

/// Runs `ip ARGS` (iproute2), which must succeed, and returns its
/// output.
fn ip_cmd(args: &[&str]) -> String {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Brings up `lo` and a veth pair `mpa`/`mpb` (with carrier: both ends
/// up) in the current (test) namespace; returns the index of `mpa`.
fn setup_veth() -> u32 {
    ip_cmd(&["link", "set", "lo", "up"]);
    ip_cmd(&["link", "add", "mpa", "type", "veth", "peer", "name", "mpb"]);
    ip_cmd(&["link", "set", "mpa", "up"]);
    ip_cmd(&["link", "set", "mpb", "up"]);
    ifindex::name_to_index("mpa").unwrap()
}

fn addrs_of(name: &str) -> Vec<IpPrefix> {
    let snap = take_snapshot();
    snap.link(name)
        .unwrap_or_else(|| panic!("no {name} in {snap:#?}"))
        .addrs
        .clone()
}

#[test]
fn snapshot_lists_loopback_and_matches_getifaddrs() {
    let snap = take_snapshot();
    let lo = snap
        .link("lo")
        .unwrap_or_else(|| panic!("no lo: {snap:#?}"));
    assert!(lo.loopback && lo.admin_up, "{lo:?}");
    assert_eq!(lo.carrier, Some(true));
    assert_eq!(lo.mac, Some([0; 6]));
    assert!(lo.addrs.contains(&prefix("127.0.0.1/8")), "{lo:?}");
    assert_eq!(lo.index, ifindex::name_to_index("lo").unwrap());
    // Every interface getifaddrs knows, with the same index.
    for interface in ifaddrs::interfaces().unwrap() {
        let link = snap.link(&interface.name).unwrap_or_else(|| {
            panic!("{} missing from {snap:#?}", interface.name)
        });
        assert_eq!(link.index, interface.index, "{}", interface.name);
        assert_eq!(link.admin_up, interface.flags.up, "{}", interface.name);
    }
    // Routes name existing interfaces.
    for route in &snap.routes {
        assert!(snap.link(&route.ifname).is_some(), "{route:?}");
    }
}

#[test]
fn add_and_delete_addresses() {
    if !root_or_skip("add_and_delete_addresses") {
        return;
    }
    in_new_netns(|| {
        let mpa = setup_veth();
        let mut sock = NetlinkSocket::open_request().unwrap();
        let test_addr = prefix("192.0.2.10/24");

        // A test address: no route to its subnet, deprecated.
        add_address(&mut sock, mpa, test_addr, AddFlags::TEST).unwrap();
        assert!(addrs_of("mpa").contains(&test_addr));
        let routes = ip_cmd(&["-4", "route", "show", "192.0.2.0/24"]);
        assert_eq!(routes.trim(), "", "a prefix route was added");
        let shown = ip_cmd(&["-4", "-o", "addr", "show", "dev", "mpa"]);
        assert!(
            shown.lines().any(
                |l| l.contains("192.0.2.10/24") && l.contains("deprecated")
            ),
            "{shown}"
        );
        // For contrast, a data address gets its subnet route.
        add_address(&mut sock, mpa, prefix("198.51.100.10/24"), AddFlags::DATA)
            .unwrap();
        let routes = ip_cmd(&["-4", "route", "show", "198.51.100.0/24"]);
        assert!(routes.contains("dev mpa"), "{routes:?}");

        // Adding twice is fine; so is deleting twice.
        add_address(&mut sock, mpa, test_addr, AddFlags::TEST).unwrap();
        assert_eq!(
            addrs_of("mpa").iter().filter(|&&a| a == test_addr).count(),
            1
        );
        del_address(&mut sock, mpa, test_addr).unwrap();
        assert!(!addrs_of("mpa").contains(&test_addr));
        del_address(&mut sock, mpa, test_addr).unwrap();

        // IPv6 without DAD: usable, so in the snapshot, at once.
        let v6 = prefix("2001:db8::10/64");
        add_address(&mut sock, mpa, v6, AddFlags::DATA).unwrap();
        assert!(addrs_of("mpa").contains(&v6));
        let shown = ip_cmd(&["-6", "-o", "addr", "show", "dev", "mpa"]);
        let line = shown
            .lines()
            .find(|l| l.contains("2001:db8::10/64"))
            .unwrap_or_else(|| panic!("not shown: {shown}"));
        assert!(!line.contains("tentative"), "{shown}");
        assert!(!line.contains("deprecated"), "a data address: {shown}");
        let v6_test = prefix("2001:db8::11/64");
        add_address(&mut sock, mpa, v6_test, AddFlags::TEST).unwrap();
        let shown = ip_cmd(&["-6", "-o", "addr", "show", "dev", "mpa"]);
        assert!(
            shown
                .lines()
                .any(|l| l.contains("2001:db8::11/64")
                    && l.contains("deprecated")),
            "{shown}"
        );
        del_address(&mut sock, mpa, v6_test).unwrap();
        del_address(&mut sock, mpa, v6).unwrap();
        assert!(!addrs_of("mpa").contains(&v6));
        del_address(&mut sock, mpa, v6).unwrap();

        // No such interface: adding fails, deleting is a no-op.
        let gone = 999_999;
        let err = add_address(&mut sock, gone, test_addr, AddFlags::TEST)
            .unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::ENODEV), "{err}");
        del_address(&mut sock, gone, test_addr).unwrap();
        del_address(&mut sock, gone, v6).unwrap();
    });
}

#[test]
fn events_follow_address_changes() {
    if !root_or_skip("events_follow_address_changes") {
        return;
    }
    // On lo, where nothing happens behind the test's back (no carrier
    // changes, no duplicate address detection), so counts are exact.
    in_new_netns(|| {
        let mut events = NetlinkSocket::open_events().unwrap();
        let mut sock = NetlinkSocket::open_request().unwrap();
        let quiet = Drained::default();
        assert_eq!(events.drain_events().unwrap(), quiet);
        assert!(!quiet.needs_snapshot());

        ip_cmd(&["link", "set", "lo", "up"]);
        let drained = events.drain_events().unwrap();
        assert!(drained.messages >= 1 && !drained.resync, "{drained:?}");
        assert_eq!(events.drain_events().unwrap(), quiet);

        let lo = ifindex::name_to_index("lo").unwrap();
        let test_addr = prefix("203.0.113.10/24");
        add_address(&mut sock, lo, test_addr, AddFlags::TEST).unwrap();
        let drained = events.drain_events().unwrap();
        assert!(drained.messages >= 1 && !drained.resync, "{drained:?}");
        assert!(drained.needs_snapshot());
        assert_eq!(events.drain_events().unwrap(), quiet);

        del_address(&mut sock, lo, test_addr).unwrap();
        let drained = events.drain_events().unwrap();
        assert!(drained.messages >= 1 && !drained.resync, "{drained:?}");
    });
}

#[test]
fn gateway_routes_carry_their_interface_name() {
    if !root_or_skip("gateway_routes_carry_their_interface_name") {
        return;
    }
    in_new_netns(|| {
        let mpa = setup_veth();
        let mut sock = NetlinkSocket::open_request().unwrap();
        add_address(&mut sock, mpa, prefix("198.51.100.10/24"), AddFlags::DATA)
            .unwrap();
        add_address(&mut sock, mpa, prefix("2001:db8::10/64"), AddFlags::DATA)
            .unwrap();
        ip_cmd(&["route", "add", "default", "via", "198.51.100.1"]);
        ip_cmd(&["route", "add", "203.0.113.0/24", "via", "198.51.100.2"]);
        ip_cmd(&[
            "-6",
            "route",
            "add",
            "2001:db8:1::/48",
            "via",
            "2001:db8::1",
        ]);

        let snap = take_snapshot();
        let route = |dst: &str, gw: &str| KernelRoute {
            dst: prefix(dst),
            gateway: ip(gw),
            ifname: "mpa".into(),
        };
        for expected in [
            route("0.0.0.0/0", "198.51.100.1"),
            route("203.0.113.0/24", "198.51.100.2"),
            route("2001:db8:1::/48", "2001:db8::1"),
        ] {
            assert!(
                snap.routes.contains(&expected),
                "{expected:?} not in {:#?}",
                snap.routes
            );
        }
        // Only those: connected and local routes have no gateway.
        assert_eq!(snap.routes.len(), 3, "{:#?}", snap.routes);
    });
}
