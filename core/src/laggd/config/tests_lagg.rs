//! The `lagg` statement's options and one-line rules, and rendering.

use std::path::PathBuf;
use std::time::Duration;

use super::tests::{ok, reject_table};
use super::*;
use crate::laggd::aggregate::MinLinksAction;

#[test]
fn lagg_line_errors() {
    reject_table(&[
        ("lagg", &[(1, "`lagg` needs an aggregate name")]),
        ("lagg ports em0", &[(1, "`lagg` needs an aggregate name")]),
        (
            "lagg lagg0/1 ports em0",
            &[(
                1,
                "bad interface name `lagg0/1`: use 1-15 characters from A-Z \
                 a-z 0-9 _ . -, with a letter",
            )],
        ),
        (
            "lagg lagg0 ports em0 em1 5",
            &[(
                1,
                "bad interface name `5`: use 1-15 characters from A-Z a-z \
                 0-9 _ . -, with a letter",
            )],
        ),
        (
            "lagg lagg0 ports em0 em1 192.0.2.1 abcdefghijklmnop",
            &[
                (
                    1,
                    "bad interface name `192.0.2.1`: use 1-15 characters \
                     from A-Z a-z 0-9 _ . -, with a letter",
                ),
                (
                    1,
                    "bad interface name `abcdefghijklmnop`: use 1-15 \
                     characters from A-Z a-z 0-9 _ . -, with a letter",
                ),
            ],
        ),
        (
            "lagg lagg0 min-links 1",
            &[(1, "aggregate `lagg0` needs `ports` and at least one port")],
        ),
        (
            "lagg lagg0 ports min-links 0",
            &[(1, "`ports` needs at least one interface name")],
        ),
        (
            "lagg lagg0 ports em0 em0",
            &[(1, "port `em0` is listed twice")],
        ),
        (
            "lagg lagg0 ports lagg0",
            &[(1, "aggregate `lagg0` cannot be a port of itself")],
        ),
        (
            "lagg lagg0 ports em0 em1 min-link 1",
            &[(
                1,
                "unknown option `min-link` for `lagg`; did you mean \
                 `min-links`?",
            )],
        ),
        (
            "lagg lagg0 ports em0 priority 5",
            &[(1, "unknown option `priority` for `lagg`")],
        ),
        (
            "lagg lagg0 ports em0 min-links x",
            &[(1, "`min-links` must be a number from 0 to 65535, not `x`")],
        ),
        (
            "lagg lagg0 ports em0 min-links -1",
            &[(1, "`min-links` must be a number from 0 to 65535, not `-1`")],
        ),
        (
            "lagg lagg0 ports em0 failure-threshold 65536",
            &[(
                1,
                "`failure-threshold` must be `off` or a number from 0 to \
                 65535, not `65536`",
            )],
        ),
        (
            "lagg lagg0 ports em0 failure-threshold",
            &[(1, "`failure-threshold` needs a number or `off`")],
        ),
        (
            "lagg lagg0 ports em0 action",
            &[(1, "`action` needs `down` or `report`")],
        ),
        (
            "lagg lagg0 ports em0 min-links 1 action sideways",
            &[(1, "bad action `sideways`: use `down` or `report`")],
        ),
        (
            "lagg lagg0 ports em0 min-links 1 min-links 1",
            &[(1, "`min-links` given twice")],
        ),
        (
            "lagg lagg0 ports em0 failure-threshold 0 \
             link-failure-threshold 0",
            &[(1, "`failure-threshold` given twice")],
        ),
        (
            "lagg lagg0 ports em0 failure-detection-time 99",
            &[(
                1,
                "`failure-detection-time` must be a number from 100 to \
                 4294967295, not `99`",
            )],
        ),
        (
            "lagg lagg0 ports em0 damping maybe",
            &[(1, "bad damping `maybe`: use `on` or `off`")],
        ),
        (
            "lagg lagg0 ports em0 up-delay 1s",
            &[(
                1,
                "`up-delay` must be a number from 0 to 4294967295, not `1s`",
            )],
        ),
    ]);
}

#[test]
fn targets_rule_and_source_errors() {
    let six: Vec<String> = (1..=6).map(|i| format!("192.0.2.{i}")).collect();
    let six = format!("lagg l0 ports em0 targets {}", six.join(" "));
    reject_table(&[
        (
            "lagg l0 ports em0 targets rule any",
            &[(1, "`targets` needs at least one address")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.300",
            &[(1, "bad target `192.0.2.300`: not an IP address")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1/24",
            &[(
                1,
                "target `192.0.2.1/24` must be an address without a prefix \
                 length",
            )],
        ),
        (
            "lagg l0 ports em0 targets 224.0.0.1 ff02::1 ::1",
            &[
                (1, "target 224.0.0.1 is not a unicast address"),
                (1, "target ff02::1 is not a unicast address"),
                (1, "target ::1 is not a unicast address"),
            ],
        ),
        (
            "lagg l0 ports em0 targets 2001:db8::1 2001:db8::1",
            &[(1, "duplicate target 2001:db8::1")],
        ),
        (
            &six,
            &[(
                1,
                "aggregate `l0` has 6 IPv4 targets; at most 5 are allowed",
            )],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 rule 0",
            &[(
                1,
                "bad rule `0`: use `any`, `all` or a number of targets from \
                 1 to 10",
            )],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 fe80::1 rule 3",
            &[(1, "rule 3 can never be met: aggregate `l0` has 2 targets")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 source 192.0.2.1",
            &[(1, "source 192.0.2.1 is also a target")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 source 255.255.255.255",
            &[(1, "source 255.255.255.255 is neither unicast nor 0.0.0.0")],
        ),
        (
            "lagg l0 ports em0 targets fe80::1 source ::",
            &[(1, "source :: is not a unicast address")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 source em0",
            &[(1, "bad source `em0`: not an IP address")],
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 source 0.0.0.0 \
             source 192.0.2.9",
            &[(
                1,
                "second IPv4 `source` 192.0.2.9: give at most one per family",
            )],
        ),
    ]);
    // Several problems on one line are all reported, in order.
    reject_table(&[(
        "lagg l0 ports em0 em0 min-links x action sideways targets 192.0.2",
        &[
            (1, "port `em0` is listed twice"),
            (1, "`min-links` must be a number from 0 to 65535, not `x`"),
            (1, "bad action `sideways`: use `down` or `report`"),
            (1, "bad target `192.0.2`: not an IP address"),
        ],
    )]);
}

#[test]
fn lagg_options_in_any_order_and_their_values() {
    let p = ok("lagg bond0 damping off targets fe80::1 2001:db8::1 \
                192.0.2.1 source 0.0.0.0 source 2001:db8::10 rule all \
                link-failure-threshold 0 up-delay 200 down-delay 100 \
                failure-detection-time 0500 action report min-links 2 \
                ports eth0 eth1 eth2\n");
    let a = &p.config.aggregates[0];
    assert_eq!(a.ports, ["eth0", "eth1", "eth2"]);
    assert_eq!(a.min_links_action, MinLinksAction::Report);
    assert_eq!(a.link_failure_threshold, Some(0));
    assert_eq!(a.rule, TargetRule::All);
    assert_eq!(a.source_v4, Some(std::net::Ipv4Addr::UNSPECIFIED));
    assert_eq!(a.source_v6, Some("2001:db8::10".parse().unwrap()));
    assert_eq!(a.failure_detection_time, Some(Duration::from_millis(500)));
    let link = a.link_config();
    assert_eq!(link.up_delay, Duration::from_millis(200));
    assert_eq!(link.down_delay, Duration::from_millis(100));
    assert_eq!(link.flap_limit, 0, "damping off");
    assert_eq!(
        a.fdt(&p.config.tunables),
        Duration::from_millis(500),
        "the aggregate's own time wins"
    );
}

#[test]
fn failure_threshold_defaults_to_fortigates_0_and_can_be_off() {
    let p = ok("lagg lagg0 ports em0 em1\n\
                lagg lagg1 ports em2 em3 failure-threshold off\n\
                lagg lagg2 ports em4 em5 link-failure-threshold 1\n");
    let t: Vec<Option<usize>> = p
        .config
        .aggregates
        .iter()
        .map(|a| a.link_failure_threshold)
        .collect();
    assert_eq!(t, [Some(0), None, Some(1)]);
    let text = p.config.render();
    assert!(text.contains("lagg lagg0 ports em0 em1\n"), "{text}");
    assert!(text.contains("failure-threshold off"), "{text}");
    assert_eq!(ok(&text).config.render(), text);
}

#[test]
fn render_is_canonical_and_wraps() {
    let text = "redundancy rg1 carp track lagg0 decrement 20 priority 120 \
                preempt on failover-threshold 80 delay 10 reload 20 \
                track uplinks shutdown\n\
                FAILURE_DETECTION_TIME=0x3e8\n\
                track-group uplinks health probe upstream lagg0\n\
                lagg lagg0 targets 192.0.2.1 2001:db8::1 rule 2 \
                source 192.0.2.10 ports em0 em1 min-links 1 \
                action down up-delay 0 down-delay 50 damping on \
                failure-threshold 1\n";
    let want = "\
FAILURE_DETECTION_TIME=1000

lagg lagg0 ports em0 em1 min-links 1 failure-threshold 1 \\
    targets 192.0.2.1 2001:db8::1 rule 2 source 192.0.2.10 down-delay 50

track-group uplinks upstream lagg0 health probe

redundancy rg1 priority 120 failover-threshold 80 preempt \\
    track lagg0 decrement 20 track uplinks shutdown delay 10 reload 20 \\
    carp
";
    let c = ok(text).config;
    assert_eq!(c.render(), want);
    let again = ok(want).config;
    assert_eq!(again.render(), want);
    assert_eq!(again.redundancy[0].line, 8, "continued lines counted");
    let k = RedundancyGroupConf {
        effector: Some(Effector::Keepalived {
            file: PathBuf::from("/run/k"),
            vip: None,
        }),
        ..again.redundancy[0].clone()
    };
    assert!(k.to_string().ends_with(" keepalived /run/k"));
}
