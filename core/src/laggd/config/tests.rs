//! Tunables, lexical rules, statement syntax and one-line rules, with
//! their exact messages.

use std::time::Duration;

use super::*;
use crate::laggd::aggregate::MinLinksAction;
use crate::laggd::redundancy::{Track, TrackEffect};

pub(super) const FILE: &str = "laggd.conf";

/// Parses text that must be accepted.
pub(super) fn ok(text: &str) -> Parsed {
    match parse(FILE, text) {
        Ok(p) => p,
        Err(d) => panic!("unexpected errors in {text:?}: {d:#?}"),
    }
}

/// Every diagnostic, as printed, for text that must be rejected.
pub(super) fn errs(text: &str) -> Vec<String> {
    match parse(FILE, text) {
        Ok(p) => panic!("accepted {text:?}: {p:#?}"),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

/// The printed warnings of text that must be accepted.
pub(super) fn warnings(text: &str) -> Vec<String> {
    ok(text).warnings.iter().map(ToString::to_string).collect()
}

/// `(line, message)` pairs as printed diagnostics.
pub(super) fn printed(want: &[(usize, &str)]) -> Vec<String> {
    want.iter()
        .map(|(l, m)| format!("{FILE}:{l}: {m}"))
        .collect()
}

/// Each text is rejected with exactly these diagnostics.
pub(super) fn reject_table(cases: &[(&str, &[(usize, &str)])]) {
    for (text, want) in cases {
        assert_eq!(errs(text), printed(want), "{text}");
    }
}

const EXAMPLE: &str = "\
FAILURE_DETECTION_TIME=1000
lagg lagg0 ports em0 em1 min-links 1 action down failure-threshold 1 \\
     targets 192.0.2.1 192.0.2.2 rule any source 192.0.2.10 \\
     up-delay 0 down-delay 0
track-group uplinks upstream lagg0 downstream em2 em3 health probe
redundancy rg1 priority 120 failover-threshold 80 preempt \\
     track lagg0 decrement 20 track uplinks shutdown delay 10 reload 20 \\
     carp vhid 1 on lagg0
";

#[test]
fn the_documented_example() {
    let p = ok(EXAMPLE);
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let c = p.config;
    assert_eq!(c.tunables.failure_detection_time, Duration::from_secs(1));
    let a = &c.aggregates[0];
    assert_eq!((a.name.as_str(), a.line), ("lagg0", 2));
    assert_eq!(a.ports, ["em0", "em1"]);
    assert_eq!(
        a.targets,
        [
            "192.0.2.1".parse::<std::net::IpAddr>().unwrap(),
            "192.0.2.2".parse().unwrap()
        ]
    );
    assert_eq!(a.source_v4, Some("192.0.2.10".parse().unwrap()));
    let agg = a.to_aggregate_config();
    assert_eq!(agg.min_links, 1);
    assert_eq!(agg.min_links_action, MinLinksAction::BringDown);
    assert_eq!(agg.link_failure_threshold, Some(1));
    let t = &c.tracking[0];
    assert_eq!((t.line, t.health), (5, UpstreamHealth::Probe));
    assert_eq!(t.downstream, ["em2", "em3"]);
    let r = c.redundancy[0].to_redundancy_config();
    assert_eq!(c.redundancy[0].line, 6);
    assert_eq!(
        (r.priority, r.failover_threshold, r.preempt),
        (120, 80, true)
    );
    assert_eq!(
        r.tracks,
        [
            Track {
                object: "lagg0".into(),
                effect: TrackEffect::Decrement(20)
            },
            Track {
                object: "uplinks".into(),
                effect: TrackEffect::Shutdown
            }
        ]
    );
    assert_eq!(r.delay, Duration::from_secs(10));
    assert_eq!(r.reload_delay, Duration::from_secs(20));
    assert_eq!(
        c.redundancy[0].effector,
        Some(Effector::Carp(vec![Vhid {
            vhid: 1,
            interface: "lagg0".into()
        }]))
    );
}

#[test]
fn empty_and_comment_only_files_are_defaults() {
    for text in ["", "\n\n", "  # only a comment\n", "\t\r\n", "\\\n\n"] {
        assert_eq!(ok(text).config, LaggdConfig::default(), "{text:?}");
    }
}

#[test]
fn failure_detection_time_is_read_as_mpathd_reads_it() {
    let cases: &[(&str, u64, Option<&str>)] = &[
        ("FAILURE_DETECTION_TIME=0x3e8", 1000, None),
        ("failure_detection_time= 0100", 100, Some(
            "Too small failure detection time of 0100, assuming minimum of \
             100 ms",
        )),
        ("FAILURE_DETECTION_TIME=1500ms", 1500, None),
        ("FAILURE_DETECTION_TIME=0", 10000, Some(
            "Invalid failure detection time 0, assuming default of 10000 ms",
        )),
        ("FAILURE_DETECTION_TIME=\\\n  2000", 2000, None),
    ];
    for &(text, ms, warn) in cases {
        let p = ok(&format!("\n{text}\n"));
        assert_eq!(
            p.config.tunables.failure_detection_time,
            Duration::from_millis(ms),
            "{text}"
        );
        let want: Vec<String> = warn
            .iter()
            .map(|w| format!("{FILE}:2: warning: {w}"))
            .collect();
        let got: Vec<String> =
            p.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn tunable_errors_and_duplicates() {
    reject_table(&[
        (
            "FAILURE_DETECTON_TIME=5",
            &[(
                1,
                "unknown tunable `FAILURE_DETECTON_TIME`; did you mean \
                 `FAILURE_DETECTION_TIME`?",
            )],
        ),
        ("FAILBACK=yes", &[(1, "unknown tunable `FAILBACK`")]),
        ("=5", &[(1, "missing tunable name before `=`")]),
        (
            "FAILURE_DETECTION_TIME =5",
            &[(
                1,
                "unknown keyword `FAILURE_DETECTION_TIME`; tunables are \
                 written `FAILURE_DETECTION_TIME=VALUE`, with no space \
                 before `=`",
            )],
        ),
    ]);
    let p = ok("FAILURE_DETECTION_TIME=2000\nFAILURE_DETECTION_TIME=3000\n");
    assert_eq!(
        p.config.tunables.failure_detection_time,
        Duration::from_secs(2)
    );
    assert_eq!(
        p.warnings[0].to_string(),
        "laggd.conf:2: warning: FAILURE_DETECTION_TIME is already set on \
         line 1; ignoring this setting (the first one wins)"
    );
}

#[test]
fn continued_statements_are_reported_on_their_first_line() {
    reject_table(&[
        (
            "# c\nlagg lagg0 \\\n  ports em0 \\\n  min-links 2\n",
            &[(
                2,
                "min-links 2 is more than the 1 ports of aggregate \
                 `lagg0`: it could never be met",
            )],
        ),
        (
            "lagg lagg0 ports em0 \\ # note\n  rul any\nlag x\n",
            &[
                (1, "unknown option `rul` for `lagg`; did you mean `rule`?"),
                (3, "unknown keyword `lag`; did you mean `lagg`?"),
            ],
        ),
    ]);
    assert_eq!(
        warnings("lagg lagg0 ports em0 \\"),
        ["laggd.conf:1: warning: the last line ends in `\\`, which \
          continues nothing"]
    );
}

#[test]
fn one_line_warnings() {
    let cases: &[(&str, &str)] = &[
        (
            "lagg l0 ports em0 action report",
            "`action` has no effect without `min-links`",
        ),
        (
            "lagg l0 ports em0 em1 failure-threshold 2",
            "failure-threshold 2 can never be exceeded: aggregate `l0` has \
             2 ports",
        ),
        (
            "lagg l0 ports em0 rule all",
            "`rule` has no effect without `targets`",
        ),
        (
            "lagg l0 ports em0 failure-detection-time 500",
            "`failure-detection-time` has no effect without `targets`",
        ),
        (
            "lagg l0 ports em0 targets 192.0.2.1 source 2001:db8::9",
            "source 2001:db8::9 has no effect: aggregate `l0` has no IPv6 \
             targets",
        ),
        (
            "redundancy rg priority 80 failover-threshold 80 carp preempt",
            "failover-threshold 80 is not below priority 80: redundancy \
             group `rg` is faulted from the start",
        ),
        (
            "redundancy rg priority 80",
            "redundancy group `rg` has neither `carp` nor `keepalived FILE`: \
             its priority is only logged",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(
            warnings(text),
            [format!("{FILE}:1: warning: {want}")],
            "{text}"
        );
    }
}
