//! Statements of `track-group` and `redundancy`, rules that span lines,
//! the conversions into the policies, and rendering.

use super::tests::{errs, ok, printed, reject_table, warnings};
use super::*;
use crate::laggd::tracking::{TrackingGroupConfig, TrackingState};

#[test]
fn track_group_line_errors() {
    reject_table(&[
        ("track-group", &[(1, "`track-group` needs a group name")]),
        (
            "track-group g downstream em1",
            &[(1, "track-group `g` needs `upstream` interfaces")],
        ),
        (
            "track-group g upstream health link",
            &[(1, "`upstream` needs at least one interface name")],
        ),
        (
            "track-group g upstream em0 em0",
            &[(1, "`em0` is listed twice")],
        ),
        (
            "track-group g upstream em0 health lnk",
            &[(1, "bad health `lnk`: use `link` or `probe`")],
        ),
        (
            "track-group g upstream em0 disabled disabled",
            &[(1, "`disabled` given twice")],
        ),
        (
            "track-group g upstream em0 donwstream em1",
            &[(
                1,
                "unknown option `donwstream` for `track-group`; did you \
                 mean `downstream`?",
            )],
        ),
        (
            "track-group a/b upstream em0",
            &[(
                1,
                "bad track-group name `a/b`: use 1-31 characters from A-Z \
                 a-z 0-9 _ . -",
            )],
        ),
    ]);
    let g = &ok("track-group 1 disabled upstream em0 downstream em1\n")
        .config
        .tracking[0];
    assert_eq!((g.name.as_str(), g.enabled), ("1", false));
}

#[test]
fn redundancy_line_errors() {
    reject_table(&[
        (
            "redundancy rg carp",
            &[(1, "redundancy group `rg` needs `priority` (1-255)")],
        ),
        (
            "redundancy rg priority 0 carp",
            &[(1, "`priority` must be a number from 1 to 255, not `0`")],
        ),
        (
            "redundancy rg priority 256 carp",
            &[(1, "`priority` must be a number from 1 to 255, not `256`")],
        ),
        (
            "redundancy rg priority 9 track em0 decrement 0 carp",
            &[(1, "`decrement` must be a number from 1 to 255, not `0`")],
        ),
        (
            "redundancy rg priority 9 track em0 carp",
            &[(1, "`track em0` needs `decrement N` or `shutdown`")],
        ),
        (
            "redundancy rg priority 9 track carp",
            &[(1, "`track` needs an object name")],
        ),
        (
            "redundancy rg priority 9 decrement 5 carp",
            &[(1, "`decrement` must follow `track OBJECT`")],
        ),
        (
            "redundancy rg priority 9 track em0 shutdown track em0 \
             decrement 1 carp",
            &[(1, "`em0` is tracked twice")],
        ),
        (
            "redundancy rg priority 9 carp keepalived /run/k",
            &[(1, "give one of `carp` and `keepalived`, not both")],
        ),
        (
            "redundancy rg priority 9 carp carp",
            &[(1, "`carp` given twice")],
        ),
        (
            "redundancy rg priority 9 keepalived run/k",
            &[(
                1,
                "keepalived track file `run/k` must be an absolute path \
                 (without `\\`)",
            )],
        ),
        (
            "redundancy rg priority 9 carp preemt",
            &[(
                1,
                "unknown option `preemt` for `redundancy`; did you mean \
                 `preempt`?",
            )],
        ),
        (
            "redundancy rg priority 9 carp delay 1.5",
            &[(
                1,
                "`delay` must be a number from 0 to 4294967295, not `1.5`",
            )],
        ),
    ]);
    let g = &ok("redundancy 7 keepalived /run/laggd/7 preempt off priority \
                 1 reload 30\n")
    .config
    .redundancy[0];
    assert!(!g.preempt);
    assert_eq!(g.reload_delay.as_secs(), 30);
    assert_eq!(
        g.effector,
        Some(Effector::Keepalived {
            file: "/run/laggd/7".into(),
            vip: None
        })
    );
    assert!(
        ok("redundancy r priority 1 carp preempt on")
            .config
            .redundancy[0]
            .preempt
    );
}

#[test]
fn names_are_declared_once() {
    reject_table(&[(
        "lagg l0 ports em0\nlagg l0 ports em1\ntrack-group g upstream a0\n\
         track-group g upstream b0\nredundancy r priority 1 carp preempt\n\
         redundancy r priority 2 carp preempt\n",
        &[
            (2, "aggregate `l0` is already declared on line 1"),
            (4, "track-group `g` is already declared on line 3"),
            (6, "redundancy group `r` is already declared on line 5"),
        ],
    )]);
    // A broken line still declares its name.
    reject_table(&[(
        "lagg l0 ports em0 min-links x\nlagg l0 ports em1\n",
        &[
            (1, "`min-links` must be a number from 0 to 65535, not `x`"),
            (2, "aggregate `l0` is already declared on line 1"),
        ],
    )]);
}

#[test]
fn ports_belong_to_one_aggregate() {
    reject_table(&[
        (
            "lagg l0 ports em0 em1\nlagg l1 ports em2 em1\n",
            &[(2, "port `em1` is already a port of aggregate `l0` (line 1)")],
        ),
        (
            "lagg l0 ports em0 l1\nlagg l1 ports em2\n",
            &[(
                1,
                "port `l1` of aggregate `l0` is itself an aggregate (line 2)",
            )],
        ),
    ]);
}

#[test]
fn tracking_restrictions_via_tracking_new_every_problem_on_its_line() {
    reject_table(&[
        (
            "track-group a upstream u0 downstream d0\n\
             track-group b upstream d0 u1 downstream u0 d1 d1x\n\
             track-group c upstream u2 downstream u2 d1x\n",
            &[
                (
                    2,
                    "`d0` is already in track-group `a` (line 1): an \
                     interface may be in one track-group only",
                ),
                (
                    2,
                    "`u0` is already in track-group `a` (line 1): an \
                     interface may be in one track-group only",
                ),
                (3, "`u2` is both upstream and downstream in track-group `c`"),
                (
                    3,
                    "`d1x` is already in track-group `b` (line 2): an \
                     interface may be in one track-group only",
                ),
            ],
        ),
        (
            "track-group a upstream u0\ntrack-group b upstream u0\n",
            &[(
                2,
                "`u0` is already in track-group `a` (line 1): an \
                     interface may be in one track-group only",
            )],
        ),
    ]);
    // Any number of groups (the seed allows two).
    let text: String = (0..5)
        .map(|i| format!("track-group g{i} upstream u{i} downstream d{i}\n"))
        .collect();
    let c = ok(&text).config;
    assert_eq!(c.tracking_configs().len(), 5);
    assert_eq!(
        c.tracking_configs()[4],
        TrackingGroupConfig {
            name: "g4".into(),
            upstream: vec!["u4".into()],
            downstream: vec!["d4".into()],
        }
    );
}

#[test]
fn track_groups_against_aggregates() {
    reject_table(&[
        (
            "lagg l0 ports em0 em1\ntrack-group em1 upstream x0\n\
             track-group l0 upstream x1\n",
            &[
                (
                    2,
                    "track-group `em1` has the name of a port of aggregate \
                     `l0` (line 1): `track em1` would be ambiguous",
                ),
                (
                    3,
                    "track-group `l0` has the name of aggregate `l0` (line \
                     1): `track l0` would be ambiguous",
                ),
            ],
        ),
        (
            "track-group g upstream l0 downstream em1\nlagg l0 ports em0\n\
             lagg l1 ports em1\n",
            &[(
                1,
                "downstream `em1` is a port of aggregate `l1` (line 3): \
                   make the aggregate downstream instead",
            )],
        ),
        (
            "track-group g upstream l0 em0 em9 health probe\n\
             lagg l0 ports em0 targets 192.0.2.1\n",
            &[(
                1,
                "`health probe`: upstream `em9` is neither an aggregate \
                   nor a port, so laggd has no probe verdict for it",
            )],
        ),
    ]);
    assert_eq!(
        warnings("lagg l0 ports em0\ntrack-group g upstream em0 health probe"),
        printed(&[(
            2,
            "warning: `health probe`: aggregate `l0` (line 1) has no \
             targets, so the verdict for `em0` is its link state"
        )])
    );
}

#[test]
fn tracked_objects_are_resolved() {
    let text = "redundancy r priority 100 track l0 decrement 10 \
                track em0 decrement 10 track g shutdown track wan0 shutdown \
                carp\nlagg l0 ports em0\ntrack-group g upstream up0\n";
    let c = ok(text).config;
    let kinds: Vec<ObjectKind> = c.redundancy[0]
        .tracks
        .iter()
        .map(|t| c.object_kind(&t.object))
        .collect();
    assert_eq!(
        kinds,
        [
            ObjectKind::Aggregate,
            ObjectKind::Port,
            ObjectKind::TrackingGroup,
            ObjectKind::Interface
        ]
    );
    reject_table(&[(
        "redundancy r priority 100 track 44 decrement 20 carp preempt\n",
        &[(
            1,
            "tracked object `44` is not an aggregate, port or \
               track-group, nor an interface name (1-15 characters, \
               with a letter)",
        )],
    )]);
    assert_eq!(
        warnings(
            "lagg lagg0 ports em0\n\
                  redundancy r priority 9 track lag0 shutdown carp preempt\n"
        ),
        printed(&[(
            2,
            "warning: tracked object `lag0` is not an aggregate, port or \
             track-group, so it is tracked as an interface; did you mean \
             `lagg0`?"
        )])
    );
    // An object declared on a broken line draws no follow-on error.
    assert_eq!(
        errs(
            "lagg l0 ports em0 min-links 9\n\
              redundancy r priority 9 track l0 shutdown carp preempt\n"
        )
        .len(),
        1
    );
}

#[test]
fn keepalived_files_are_not_shared() {
    reject_table(&[(
        "redundancy a priority 9 keepalived /run/k vip 192.0.2.9\n\
         redundancy b priority 9 keepalived /run/k vip 192.0.2.9\n",
        &[(
            2,
            "keepalived track file `/run/k` is already used by redundancy \
               group `a` (line 1)",
        )],
    )]);
}

#[test]
fn conversions_into_the_policies() {
    let c = ok("lagg l0 ports em0 em1 targets 192.0.2.1 fe80::1\n\
                track-group g upstream l0 downstream em2 disabled\n\
                track-group h upstream em3\n")
    .config;
    assert_eq!(c.aggregate_configs()[0].ports, ["em0", "em1"]);
    assert_eq!(c.aggregate_of("em1").map(|a| a.line), Some(1));
    let l0 = c.aggregate("l0").unwrap();
    assert_eq!(l0.fdt(&c.tunables).as_millis(), 10_000);
    assert_eq!(l0.link_config(), crate::link::LinkConfig::default());
    assert_eq!(l0.targets_of(crate::addr::Family::V6).count(), 1);
    let t = c.tracking().unwrap();
    let states: Vec<TrackingState> = t.view().iter().map(|v| v.state).collect();
    assert_eq!(states, [TrackingState::Disabled, TrackingState::Up]);
    assert_eq!(c.tracking_group("h").map(|g| g.enabled), Some(true));
    assert!(c.redundancy_configs().is_empty());
    assert_eq!(TargetRule::Any.required(3), 1);
    assert_eq!(TargetRule::Any.required(0), 0);
    assert_eq!(TargetRule::All.required(3), 3);
    assert_eq!(TargetRule::AtLeast(2).required(3), 2);
}

#[test]
fn carp_vhids_and_the_keepalived_vip() {
    let c = ok("redundancy r priority 9 carp vhid 1 on em0 vhid 2 on em0 \
                vhid 1 on em1")
    .config;
    let vhids: Vec<(u8, &str)> = match &c.redundancy[0].effector {
        Some(Effector::Carp(v)) => {
            v.iter().map(|v| (v.vhid, v.interface.as_str())).collect()
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(vhids, [(1, "em0"), (2, "em0"), (1, "em1")]);
    let c =
        ok("redundancy r priority 9 keepalived /run/k vip 2001:db8::7").config;
    assert_eq!(
        c.redundancy[0].effector,
        Some(Effector::Keepalived {
            file: "/run/k".into(),
            vip: Some("2001:db8::7".parse().unwrap())
        })
    );
    reject_table(&[
        (
            "redundancy r priority 9 carp vhid 0 on em0",
            &[(1, "`vhid` must be a number from 1 to 255, not `0`")],
        ),
        (
            "redundancy r priority 9 carp vhid 1",
            &[(1, "`vhid N` needs `on IFNAME`")],
        ),
        (
            "redundancy r priority 9 carp vhid 1 on 7",
            &[(
                1,
                "bad interface name `7`: use 1-15 characters from A-Z a-z \
                 0-9 _ . -, with a letter",
            )],
        ),
        (
            "redundancy r priority 9 carp vhid 1 on em0 vhid 1 on em0",
            &[(1, "`vhid 1 on em0` given twice")],
        ),
        (
            "redundancy r priority 9 vhid 1 on em0 carp",
            &[(1, "`vhid` must follow `carp`")],
        ),
        (
            "redundancy r priority 9 keepalived /run/k vip 192.0.2.0/24",
            &[(
                1,
                "bad vip `192.0.2.0/24`: give the unicast address (without \
                 a prefix length) keepalived adds while master",
            )],
        ),
        (
            "redundancy r priority 9 vip 192.0.2.9 keepalived /run/k",
            &[(1, "`vip` must follow `keepalived FILE`")],
        ),
        (
            "redundancy a priority 9 carp vhid 3 on em0\n\
             redundancy b priority 9 carp vhid 3 on em0\n",
            &[(
                2,
                "`vhid 3 on em0` is already driven by redundancy group `a` \
                 (line 1)",
            )],
        ),
    ]);
}

#[test]
fn without_preempt_the_role_must_be_visible() {
    for (text, give) in [
        ("redundancy r priority 9 carp", "`carp vhid N on IFNAME`"),
        ("redundancy r priority 9 keepalived /run/k", "`vip ADDRESS`"),
    ] {
        assert_eq!(
            warnings(text),
            printed(&[(
                1,
                &format!(
                    "warning: redundancy group `r` cannot see which chassis \
                     is active (give {give}), so without `preempt` it cannot \
                     hold a recovered standby back: the HA engine preempts"
                )
            )]),
            "{text}"
        );
    }
    for text in [
        "redundancy r priority 9 carp preempt",
        "redundancy r priority 9 carp vhid 1 on em0",
        "redundancy r priority 9 keepalived /run/k vip 192.0.2.9",
    ] {
        assert!(warnings(text).is_empty(), "{text}");
    }
}
