//! Statement syntax, line-local checks and collecting every error.

use std::time::Duration;

use super::tests::{errs, ok, FILE};
use super::*;

#[test]
fn space_before_equals_is_explained() {
    assert_eq!(
        errs("FAILBACK = no\n"),
        [
            "mpathd.conf:1: unknown keyword `FAILBACK`; tunables are written \
          `FAILBACK=VALUE`, with no space before `=`"
        ]
    );
}

#[test]
fn many_errors_all_reported_in_line_order() {
    let text = "\
# a broken file
FAILBAK=no
FAILURE_DETECTION_TIME=50
interfce em0
interface em0 group g! standby
address 192.0.2.100 on em0
group g1 target 2001:db8::1
interface em1 stanby
";
    assert_eq!(
        errs(text),
        [
            "mpathd.conf:2: unknown tunable `FAILBAK`; did you mean \
             `FAILBACK`?",
            "mpathd.conf:3: warning: Too small failure detection time of 50, \
             assuming minimum of 100 ms",
            "mpathd.conf:4: unknown keyword `interfce`; did you mean \
             `interface`?",
            "mpathd.conf:5: bad group name `g!`: use 1-31 characters from \
             A-Z a-z 0-9 _ . -",
            "mpathd.conf:6: data address `192.0.2.100` needs a prefix length \
             (`ADDR/PLEN`)",
            "mpathd.conf:7: IPv6 target 2001:db8::1 is not link-local: IPv6 \
             probe replies must come from link-local addresses",
            "mpathd.conf:8: unknown option `stanby` for `interface`; did you \
             mean `standby`?",
        ]
    );
    let d = parse(FILE, text).unwrap_err();
    assert_eq!(d.iter().filter(|d| d.is_error()).count(), 6);
    assert_eq!(d[1].severity, Severity::Warning);
    assert_eq!(d[1].line, 3);
    assert_eq!(d[0].file, "mpathd.conf");
}

#[test]
fn statement_syntax_errors() {
    let cases: &[(&str, &str)] = &[
        ("bogus em0", "unknown keyword `bogus`"),
        ("Group g0", "unknown keyword `Group`; did you mean `group`?"),
        ("group", "`group` needs a group name"),
        (
            "group g0 targets 192.0.2.1",
            "unknown option `targets` for `group`; did you mean `target`?",
        ),
        ("group g0 target", "`target` needs at least one address"),
        (
            "group abcdefghijabcdefghijabcdefghijkl",
            "bad group name `abcdefghijabcdefghijabcdefghijkl`: use 1-31 \
          characters from A-Z a-z 0-9 _ . -",
        ),
        ("interface", "`interface` needs an interface name"),
        (
            "interface abcdefghijklmnop",
            "bad interface name `abcdefghijklmnop`: use 1-15 characters from \
          A-Z a-z 0-9 _ . -",
        ),
        (
            "interface em0:1",
            "bad interface name `em0:1`: use 1-15 \
          characters from A-Z a-z 0-9 _ . -",
        ),
        ("interface em0 group", "`group` needs a group name"),
        ("interface em0 group a group b", "`group` given twice"),
        (
            "interface em0 group a standby standby",
            "`standby` given twice",
        ),
        ("interface em0 test", "`test` needs `ADDR/PLEN` or `inet6`"),
        (
            "interface em0 test 192.0.2.10",
            "test address `192.0.2.10` needs a prefix length (`ADDR/PLEN`)",
        ),
        (
            "interface em0 test fe80::1",
            "test address `fe80::1` needs a prefix length (`ADDR/PLEN`)",
        ),
        (
            "interface em0 test bogus/24",
            "bad test address `bogus/24`: `bogus` is not an IP address",
        ),
        (
            "interface em0 test 192.0.2.10/33",
            "bad test address `192.0.2.10/33`: bad prefix length `33` (IPv4 \
          takes 0-32, IPv6 0-128)",
        ),
        (
            "interface em0 test 2001:db8::10/64",
            "IPv6 test address 2001:db8::10/64 is not link-local: IPv6 probes \
          are sent only from link-local addresses (write `test inet6` to \
          use the interface's own)",
        ),
        (
            "interface em0 test 224.0.0.1/4",
            "test address 224.0.0.1/4 is not a unicast address",
        ),
        (
            "interface em0 test 192.0.2.10/24 test 192.0.2.11/24",
            "second IPv4 test address `192.0.2.11/24`: an interface has at \
          most one test address per family",
        ),
        (
            "interface em0 test inet6 test fe80::1/64",
            "second IPv6 test address `fe80::1/64`: an interface has at most \
          one test address per family",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 192.0.2.1/32",
            "target `192.0.2.1/32` must be an address without a prefix length",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 192.0.2.1 stanby",
            "unknown option `stanby` for `interface`; did you mean \
             `standby`?",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 192.0.2.999",
            "bad target `192.0.2.999`: not an IP address",
        ),
        (
            "group g0 target 192.0.2.1 bogus",
            "unknown option `bogus` for `group`",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 0.0.0.0",
            "target 0.0.0.0 is not a unicast address",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 255.255.255.255",
            "target 255.255.255.255 is not a unicast address",
        ),
        (
            "interface em0 test inet6 target ff02::1",
            "target ff02::1 is not a unicast address",
        ),
        (
            "interface em0 test 192.0.2.10/24 target 192.0.2.1 192.0.2.1",
            "duplicate target 192.0.2.1",
        ),
        (
            "interface em0 grop g0",
            "unknown option `grop` for `interface`; \
          did you mean `group`?",
        ),
        ("address", "`address` needs `ADDR/PLEN on IFNAME`"),
        (
            "address 192.0.2.100/24 on",
            "`address` needs `ADDR/PLEN on IFNAME`",
        ),
        (
            "address 192.0.2.100/24 at em0",
            "expected `on` after the data address, found `at`",
        ),
        (
            "address 192.0.2.100/24 on em0 standby",
            "unexpected `standby` after the interface name",
        ),
        (
            "address 192.0.2.100/24 on em0!",
            "bad interface name `em0!`: use 1-15 characters from A-Z a-z 0-9 \
          _ . -",
        ),
        (
            "address 224.0.0.9/24 on em0",
            "data address 224.0.0.9/24 is not a unicast address",
        ),
        (
            "address x/24 on em0",
            "bad data address `x/24`: `x` is not an IP address",
        ),
        (
            "interface em0 group=g0",
            "unknown option `group=g0` for `interface`",
        ),
    ];
    for &(line, message) in cases {
        let text = format!("# header\n{line}\n");
        assert_eq!(
            errs(&text),
            [format!("mpathd.conf:2: {message}")],
            "{line}"
        );
    }
}

#[test]
fn longest_names() {
    let c = ok("interface abcdefghijklmno group \
                abcdefghijabcdefghijabcdefghijk\n")
    .config;
    assert_eq!(c.interfaces[0].name.len(), MAX_INTERFACE_NAME);
    assert_eq!(c.groups[0].name.len(), MAX_GROUP_NAME);
    ok("interface A_b.c-9 group G_1.x-\n");
}

#[test]
fn several_errors_on_one_line() {
    assert_eq!(
        errs("interface em0 group bad! test 2001:db8::1/64 standby\n"),
        [
            "mpathd.conf:1: bad group name `bad!`: use 1-31 characters from \
             A-Z a-z 0-9 _ . -",
            "mpathd.conf:1: IPv6 test address 2001:db8::1/64 is not \
             link-local: IPv6 probes are sent only from link-local \
             addresses (write `test inet6` to use the interface's own)",
        ]
    );
}

#[test]
fn full_example_parses() {
    let text = "\
FAILURE_DETECTION_TIME=5000
group web target 192.0.2.1 192.0.2.2
interface em0 group web test 192.0.2.10/24 test inet6
interface em1 group web standby test 192.0.2.11/24 # spare
address 192.0.2.100/24 on em0
address 2001:db8::100/64 on em0
";
    let p = ok(text);
    assert!(p.warnings.is_empty());
    let c = &p.config;
    assert_eq!(c.tunables.failure_detection_time, Duration::from_secs(5));
    assert_eq!(c.group_names().collect::<Vec<_>>(), ["web"]);
    assert_eq!(c.groups[0].line, 2);
    let em1 = &c.interfaces[1];
    assert_eq!(em1.name, "em1");
    assert!(em1.standby);
    assert_eq!(em1.test_v4, Some("192.0.2.11/24".parse().unwrap()));
    assert_eq!(em1.test_v6, None);
    assert_eq!(em1.line, 4);
    assert_eq!(c.interfaces[0].test_v6, Some(TestAddress::V6Auto));
    assert_eq!(c.addresses[1].prefix.to_string(), "2001:db8::100/64");
    assert_eq!(c.addresses[1].home, "em0");
    assert_eq!(c.addresses[1].line, 6);
}

#[test]
fn unreadable_rest_of_line_is_not_guessed_at() {
    // The test address after the typo is never read, so the target is not
    // reported as lacking one.
    assert_eq!(
        errs("interface em0 target 192.0.2.1 tset 192.0.2.10/24\n"),
        [
            "mpathd.conf:1: unknown option `tset` for `interface`; did you \
          mean `test`?"
        ]
    );
    assert_eq!(
        errs("interface em0 standby test\n"),
        ["mpathd.conf:1: `test` needs `ADDR/PLEN` or `inet6`"]
    );
}
