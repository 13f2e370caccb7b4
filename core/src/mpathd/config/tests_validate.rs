//! Rules that span lines, group bookkeeping and the query methods.

use std::net::IpAddr;

use super::tests::{errs, ok};
use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Asserts that `text` is rejected with exactly `want` (`(line, message)`).
fn rejects(text: &str, want: &[(usize, &str)]) {
    let want: Vec<String> = want
        .iter()
        .map(|(l, m)| format!("mpathd.conf:{l}: {m}"))
        .collect();
    assert_eq!(errs(text), want, "{text}");
}

#[test]
fn standby_needs_a_group() {
    rejects(
        "interface em1 standby test 192.0.2.11/24\n",
        &[(1, "`standby` needs a group: interface `em1` is in no group")],
    );
    ok("interface em1 standby group g0\n");
}

#[test]
fn target_needs_test_address_of_its_family() {
    rejects(
        "interface em0 test inet6 target 192.0.2.1\n\
         interface em1 test 192.0.2.11/24 target fe80::1\n",
        &[
            (
                1,
                "target 192.0.2.1 needs an IPv4 test address on interface \
 `em0`",
            ),
            (
                2,
                "target fe80::1 needs an IPv6 test address on interface `em1`",
            ),
        ],
    );
    // Options come in any order: `target` may precede `test`.
    let p = ok("interface em0 target 192.0.2.1 fe80::1 test 192.0.2.10/24 \
                test fe80::10/64\n");
    assert_eq!(
        p.config.interfaces[0].targets,
        [ip("192.0.2.1"), ip("fe80::1")]
    );
    // A bad test address is reported once, not again through its targets.
    rejects(
        "interface em0 test 192.0.2.10 target 192.0.2.1\n",
        &[(
            1,
            "test address `192.0.2.10` needs a prefix length (`ADDR/PLEN`)",
        )],
    );
}

#[test]
fn ipv4_target_must_be_on_test_subnet() {
    rejects(
        "interface em0 test 192.0.2.10/24 target 192.0.2.1 198.51.100.1\n",
        &[(
            1,
            "target 198.51.100.1 is not on the subnet of test address \
             192.0.2.10/24",
        )],
    );
    ok("interface em0 test 192.0.2.10/25 target 192.0.2.126\n");
    rejects(
        "interface em0 test 192.0.2.10/25 target 192.0.2.129\n",
        &[(
            1,
            "target 192.0.2.129 is not on the subnet of test address \
             192.0.2.10/25",
        )],
    );
}

#[test]
fn group_targets_apply_to_members_with_a_test_of_that_family() {
    let text = "\
group g0 target 192.0.2.1 fe80::1
interface em0 group g0 test 192.0.2.10/24 target 192.0.2.2
interface em1 group g0 test inet6 target fe80::2
interface em2 group g0
";
    let c = ok(text).config;
    assert_eq!(
        c.targets_for("em0", Family::V4),
        [ip("192.0.2.2"), ip("192.0.2.1")]
    );
    assert!(c.targets_for("em0", Family::V6).is_empty());
    assert_eq!(
        c.targets_for("em1", Family::V6),
        [ip("fe80::2"), ip("fe80::1")]
    );
    assert!(c.targets_for("em1", Family::V4).is_empty());
    assert!(c.targets_for("em2", Family::V4).is_empty());
    assert!(c.targets_for("nosuch0", Family::V4).is_empty());
}

#[test]
fn group_ipv4_target_must_be_on_each_members_subnet() {
    rejects(
        "group g0 target 192.0.2.1\n\
         interface em0 group g0 test 192.0.2.10/24\n\
         interface em1 group g0 test 198.51.100.11/24\n",
        &[(
            3,
            "target 192.0.2.1 of group `g0` (line 1) is not on the subnet \
             of test address 198.51.100.11/24 of interface `em1`",
        )],
    );
}

#[test]
fn at_most_five_targets_per_family() {
    rejects(
        "interface em0 test 192.0.2.10/24 target 192.0.2.1 192.0.2.2 \
         192.0.2.3 192.0.2.4 192.0.2.5 192.0.2.6\n",
        &[(
            1,
            "interface `em0` has 6 IPv4 targets; at most 5 are allowed",
        )],
    );
    rejects(
        "group g0 target fe80::1 fe80::2 fe80::3\n\
         interface em0 group g0 test inet6 target fe80::4 fe80::5 fe80::6\n\
         interface em1 group g0 test inet6 target fe80::7 fe80::8\n",
        &[(
            2,
            "interface `em0` has 6 IPv6 targets (3 of its own, 3 from group \
             `g0`); at most 5 are allowed",
        )],
    );
    // Too many on the group line is reported there, once.
    rejects(
        "group g0 target 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 \
         192.0.2.5 192.0.2.6\n\
         interface em0 group g0 test 192.0.2.10/24 target 192.0.2.7\n",
        &[(1, "group `g0` has 6 IPv4 targets; at most 5 are allowed")],
    );
    // Five of each family is fine; the families are counted apart.
    ok(
        "interface em0 test 192.0.2.10/24 test inet6 target 192.0.2.1 \
        192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 fe80::1 fe80::2 fe80::3 \
        fe80::4 fe80::5\n",
    );
}

#[test]
fn target_not_repeated_between_interface_and_group() {
    rejects(
        "group g0 target 192.0.2.1\n\
         interface em0 group g0 test 192.0.2.10/24 target 192.0.2.1\n",
        &[(
            2,
            "target 192.0.2.1 is already a target of group `g0` (line 1)",
        )],
    );
}

#[test]
fn own_test_and_data_addresses_are_not_targets() {
    rejects(
        "interface em0 group g0 test 192.0.2.10/24 target 192.0.2.11\n\
         interface em1 group g0 test 192.0.2.11/24 target 192.0.2.10\n\
         group g0 target 192.0.2.100\n\
         address 192.0.2.100/24 on em0\n",
        &[
            (
                1,
                "target 192.0.2.11 is the test address of interface `em1` \
                 (line 2): a target must be another host",
            ),
            (
                2,
                "target 192.0.2.10 is the test address of interface `em0` \
                 (line 1): a target must be another host",
            ),
            (
                3,
                "target 192.0.2.100 is a data address (line 4): a target \
                 must be another host",
            ),
        ],
    );
    rejects(
        "interface em0 group g0 test fe80::10/64\n\
         interface em1 group g0 test fe80::11/64 target fe80::10\n",
        &[(
            2,
            "target fe80::10 is the test address of interface `em0` (line \
             1): a target must be another host",
        )],
    );
    // A link-local address is per link: another group's is someone else.
    ok("interface em0 group g0 test fe80::10/64\n\
        interface em1 group g1 test fe80::11/64 target fe80::10\n");
}

#[test]
fn test_addresses_are_unique() {
    rejects(
        "interface em0 test 192.0.2.10/24\n\
         interface em1 group g1 test 192.0.2.10/25\n",
        &[(
            2,
            "test address 192.0.2.10 is already the test address of \
             interface `em0` (line 1)",
        )],
    );
    rejects(
        "interface em0 group g0 test fe80::1/64\n\
         interface em1 group g0 test fe80::1/64\n",
        &[(
            2,
            "test address fe80::1 is already the test address of interface \
             `em0` (line 1)",
        )],
    );
    // Link-local test addresses may repeat on different links.
    ok("interface em0 group g0 test fe80::1/64\n\
        interface em1 group g1 test fe80::1/64\n\
        interface em2 test fe80::1/64\n\
        interface em3 test fe80::1/64\n");
}

#[test]
fn data_addresses_unique_and_not_test_addresses() {
    rejects(
        "interface em0 group g0 test 192.0.2.10/24 test fe80::10/64\n\
         address 192.0.2.100/24 on em0\n\
         address 192.0.2.100/25 on em0\n\
         address 192.0.2.10/24 on em0\n\
         address fe80::10/64 on em0\n",
        &[
            (
                3,
                "data address 192.0.2.100 is already a data address (line 2)",
            ),
            (
                4,
                "data address 192.0.2.10 is already the test address of \
                 interface `em0` (line 1)",
            ),
            (
                5,
                "data address fe80::10 is already the test address of \
                 interface `em0` (line 1)",
            ),
        ],
    );
}

#[test]
fn data_address_home_must_be_a_grouped_active_member() {
    rejects(
        "address 192.0.2.100/24 on em9\n\
         interface em0 test 192.0.2.10/24\n\
         address 192.0.2.101/24 on em0\n\
         interface em1 group g0 standby\n\
         address 192.0.2.102/24 on em1\n",
        &[
            (
                1,
                "data address 192.0.2.100/24 is on interface `em9`, which \
                 has no `interface` line",
            ),
            (
                3,
                "data address 192.0.2.101/24 is on interface `em0` (line 2), \
                 which is in no group",
            ),
            (
                5,
                "data address 192.0.2.102/24 cannot have standby interface \
                 `em1` (line 4) as its home: a standby carries data \
                 addresses only while another member has failed",
            ),
        ],
    );
    // Forward references are fine.
    let c =
        ok("address 2001:db8::100/64 on em0\ninterface em0 group g0\n").config;
    assert_eq!(c.addresses[0].line, 1);
}

#[test]
fn broken_interface_line_does_not_cascade() {
    rejects(
        "interface em0 group g0 tset 192.0.2.10/24\n\
         address 192.0.2.100/24 on em0\n",
        &[(
            1,
            "unknown option `tset` for `interface`; did you mean `test`?",
        )],
    );
}

#[test]
fn repeated_declarations_name_the_first_line() {
    rejects(
        "interface em0 group g0\n\
         \n\
         interface em0 group g1\n\
         group g2\n\
         group g2 target 192.0.2.1\n",
        &[
            (3, "interface `em0` is already declared on line 1"),
            (5, "group `g2` is already declared on line 4"),
        ],
    );
    // A broken first declaration still counts as the first.
    rejects(
        "interface em0 standby\ninterface em0 group g0\n",
        &[
            (1, "`standby` needs a group: interface `em0` is in no group"),
            (2, "interface `em0` is already declared on line 1"),
        ],
    );
}

#[test]
fn implicit_groups_in_order_of_first_mention() {
    let text = "\
interface em0 group b
group a
interface em1 group a
group b target 192.0.2.1
interface em2 group c
group d
";
    let c = ok(text).config;
    let groups: Vec<(&str, usize)> =
        c.groups.iter().map(|g| (g.name.as_str(), g.line)).collect();
    assert_eq!(groups, [("b", 1), ("a", 2), ("c", 5), ("d", 6)]);
    // The explicit line supplies the targets even after the first mention.
    assert_eq!(c.group("b").unwrap().targets, [ip("192.0.2.1")]);
    assert_eq!(c.group_names().collect::<Vec<_>>(), ["b", "a", "c", "d"]);
    assert_eq!(c.members("d").count(), 0);
}

#[test]
fn query_methods() {
    let text = "\
group g0
interface em0 group g0 test 192.0.2.10/24
interface em1 group g0 standby
interface em2
interface em3 group g1
address 192.0.2.100/24 on em0
address 198.51.100.1/24 on em3
address 2001:db8::1/64 on em0
";
    let c = ok(text).config;
    let members: Vec<&str> = c.members("g0").map(|i| i.name.as_str()).collect();
    assert_eq!(members, ["em0", "em1"]);
    assert_eq!(c.group_of("em1"), Some("g0"));
    assert_eq!(c.group_of("em2"), None);
    assert_eq!(c.group_of("em9"), None);
    assert_eq!(c.interface("em2").unwrap().line, 4);
    let on_em0: Vec<String> = c
        .addresses_on("em0")
        .map(|a| a.prefix.to_string())
        .collect();
    assert_eq!(on_em0, ["192.0.2.100/24", "2001:db8::1/64"]);
    assert_eq!(c.addresses_of_group("g1").count(), 1);
    assert_eq!(c.addresses_of_group("g0").count(), 2);
    let em0 = c.interface("em0").unwrap();
    assert_eq!(
        em0.test(Family::V4),
        Some(TestAddress::V4("192.0.2.10/24".parse().unwrap()))
    );
    assert_eq!(em0.test(Family::V6), None);
    assert_eq!(TestAddress::V6Auto.family(), Family::V6);
    assert_eq!(TestAddress::V6Auto.prefix(), None);
}

#[test]
fn render_canonical_text() {
    let text = "\
interface em1 target fe80::1 standby test inet6 group g0 # reordered
FAILBACK=no
address 192.0.2.100/24 on em0
interface em0 test 192.0.2.10/24 group g0 target 192.0.2.1 test fe80::5/64
";
    let c = ok(text).config;
    let want = "\
FAILURE_DETECTION_TIME=10000
FAILBACK=no
TRACK_INTERFACES_ONLY_WITH_GROUPS=yes

group g0

interface em1 group g0 standby test inet6 target fe80::1
interface em0 group g0 test 192.0.2.10/24 test fe80::5/64 target 192.0.2.1

address 192.0.2.100/24 on em0
";
    assert_eq!(c.render(), want);
    assert_eq!(ok(want).config.render(), want);
    assert_eq!(
        MpathdConfig::default().render(),
        "FAILURE_DETECTION_TIME=10000\nFAILBACK=yes\n\
         TRACK_INTERFACES_ONLY_WITH_GROUPS=yes\n"
    );
}
