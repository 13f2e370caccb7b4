//! ifctl against fake daemons (no root): laggd's listings, `ifctl
//! lagg0`, the summary of both daemons, the fall back from laggd to
//! mpathd for `ifctl IF`, `reload laggd` and `watch laggd`, and the
//! errors of an absent or confused daemon, with their exit statuses.
//! The layouts themselves are checked in the unit tests; here, that
//! the right daemon is asked and what reaches the operator.

mod fake;

#[path = "../src/testdata/lagg.rs"]
#[allow(dead_code)]
mod lagg_testdata;

use fake::{error, event, ifctl, ok, Fake, ABSENT};
use lagg_testdata::lagg_status;
use mpath_proto::mpathd::Status;
use mpath_proto::{ErrorCode, Event, Payload, RequestBody};
use serde_json::Value;

/// mpathd: group ipmp0 with em1 active.
fn mpathd_status() -> Status {
    serde_json::from_str(
        r#"{"groups":[{"name":"ipmp0","state":"ok","fdt_ms":1000,
            "failback":true,"active":["em1"],"inactive":[],"unusable":[]}],
          "interfaces":[{"name":"em1","group":"ipmp0","present":true,
            "active":true,"inactive":false,"standby":false,
            "offline":false,"failed":false,"link":"up","probe":"ok",
            "state":"ok","paths":[],"hosted":["192.0.2.10/24"]}],
          "addresses":[{"address":"192.0.2.10/24","group":"ipmp0",
            "home":"em1","host":"em1","state":"up"}]}"#,
    )
    .expect("mpathd status")
}

fn mpathd() -> Fake {
    Fake::with_status(Payload::Status(mpathd_status()))
}

fn laggd() -> Fake {
    Fake::with_status(Payload::LaggStatus(lagg_status()))
}

/// A laggd that answers every request with `line`.
fn confused(line: &'static str) -> Fake {
    Fake::start(move |_| vec![line.to_string()])
}

const MPATHD_SUMMARY: [&str; 2] = [
    "ipmp0: ok, fdt 1.00s, failback yes",
    "  em1  ok       active    192.0.2.10/24",
];

const LAGGD_SUMMARY: [&str; 13] = [
    "bond0: degraded, laggproto failover, 1 of 2 ports live, min-links 1",
    "  p0  failed   unusable  probes lost",
    "  p1  ok       active    link up, probes answered",
    "lagg1: ok, laggproto lacp, 2 of 2 ports live",
    "  p2  ok       active    link up",
    "  p3  ok       active    link up",
    "bond1: failed, 0 of 1 ports live, min-links 2, below min-links, bad \
     score, not in the kernel",
    "  p4  unknown  unusable  starting",
    "link state group uplinks: up, upstream bond0(Up), downstream d0(Up) \
     d1(Dis)",
    "link state group core: down, upstream lagg1(Dwn) bond1(Unk), \
     downstream d2(Dis)",
    "link state group spare: disabled, upstream bond1(Dwn), downstream none",
    "redundancy group rg1: priority 90/120, threshold 80, not faulted, active",
    "redundancy group rg2: priority 100/100, threshold 50, faulted",
];

#[test]
fn an_aggregate_and_a_port_come_from_laggd() {
    let (m, l) = (mpathd(), laggd());
    let r = ifctl(m.sock(), l.sock(), &["bond0"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        r.lines(),
        [
            "bond0: flags=<UP>",
            "\tlaggproto failover",
            "\tlaggport: p0 flags=0<>",
            "\tlaggport: p1 flags=5<MASTER,ACTIVE>",
            "\tlaggd: degraded",
            "\tlive ports: 1 of 2, min-links 1 (action down)",
            "\tfailure threshold: 1, bad score: no",
            "\ttargets: 192.0.2.1 2001:db8::1, rule any, fdt 1.00s",
            "\tPORT      LINK  PROBE    STATE   SERVICE RTT      CHANGED REASON",
            "\tp0        up    failed   failed  no      --       4s      probes lost",
            "\tp1        up    ok       ok      yes     0.42ms   2m13s   link \
             up, probes answered",
        ]
    );
    let r = ifctl(m.sock(), l.sock(), &["p1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.lines()[0], "p1: laggdev bond0 flags=5<MASTER,ACTIVE>");

    // JSON: laggd's objects.
    let r = ifctl(m.sock(), l.sock(), &["-j", "bond0"]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    let want = serde_json::to_value(&lagg_status().aggregates[0]).unwrap();
    assert_eq!(v, want);
    let r = ifctl(m.sock(), l.sock(), &["--libxo", "json", "p0"]);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(
        (v["aggregate"].as_str(), v["name"].as_str()),
        (Some("bond0"), Some("p0"))
    );
    assert_eq!(v["reason"], "probes lost");
}

#[test]
fn a_name_laggd_does_not_know_is_mpathds() {
    let (m, l) = (mpathd(), laggd());
    for laggd in [l.sock(), ABSENT] {
        let r = ifctl(m.sock(), laggd, &["em1"]);
        assert_eq!((r.code, r.err.as_str()), (0, ""), "{laggd}: {r:?}");
        assert_eq!(r.lines()[0], "em1: group ipmp0 flags=<>", "{laggd}");
        let r = ifctl(m.sock(), laggd, &["-j", "em1"]);
        let v: Value = serde_json::from_str(&r.out).expect("JSON");
        assert_eq!(v["name"], "em1");
    }
    assert_eq!(l.asked(), [RequestBody::Status, RequestBody::Status]);
}

#[test]
fn a_name_neither_daemon_knows() {
    let (m, l) = (mpathd(), laggd());
    let cases = [
        (
            m.sock(),
            l.sock(),
            67,
            "zz0: not an interface mpathd or laggd tracks".to_string(),
        ),
        // laggd not running: exactly as before laggd had a socket.
        (
            m.sock(),
            ABSENT,
            67,
            "zz0: not an interface mpathd tracks".into(),
        ),
        (
            ABSENT,
            l.sock(),
            67,
            format!(
                "zz0: not an interface laggd tracks, and mpathd is not running \
                 at {ABSENT}"
            ),
        ),
        (
            ABSENT,
            ABSENT,
            69,
            format!("cannot contact mpathd at {ABSENT} -- is it running?"),
        ),
    ];
    for (mpathd, laggd, code, message) in cases {
        let r = ifctl(mpathd, laggd, &["zz0"]);
        assert_eq!(r.code, code, "{r:?}");
        assert_eq!(r.err, format!("ifctl: {message}\n"));
        assert_eq!(r.out, "");
    }
}

#[test]
fn the_summary_shows_whichever_daemons_run() {
    let (m, l) = (mpathd(), laggd());
    let r = ifctl(m.sock(), l.sock(), &[]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    let mut both: Vec<&str> = MPATHD_SUMMARY.to_vec();
    both.push("");
    both.extend(LAGGD_SUMMARY);
    assert_eq!(r.lines(), both);

    let r = ifctl(m.sock(), ABSENT, &[]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.lines(), MPATHD_SUMMARY);

    let r = ifctl(ABSENT, l.sock(), &[]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.lines(), LAGGD_SUMMARY);

    let r = ifctl(ABSENT, ABSENT, &[]);
    assert_eq!(r.code, 69, "{r:?}");
    assert_eq!(
        r.err,
        format!("ifctl: cannot contact mpathd at {ABSENT} -- is it running?\n")
    );

    // JSON: mpathd's keys as before, laggd's status under "lagg".
    let r = ifctl(m.sock(), l.sock(), &["-j"]);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["groups"][0]["name"], "ipmp0");
    assert_eq!(v["lagg"], serde_json::to_value(lagg_status()).unwrap());
    let r = ifctl(m.sock(), ABSENT, &["-j"]);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v.get("lagg"), None);
    let r = ifctl(ABSENT, l.sock(), &["-j"]);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!((v.get("groups"), v["version"].as_u64()), (None, Some(1)));
    assert_eq!(v["lagg"]["aggregates"][2]["name"], "bond1");
}

#[test]
fn laggd_listings() {
    let l = laggd();
    let r = ifctl(ABSENT, l.sock(), &["-L"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(
        r.lines(),
        [
            "AGGREGATE   PROTO     STATE     LIVE  MINLINKS FLAGS  ACTIVE    PORTS",
            "bond0       failover  degraded  1/2   1        ----   p1        p1 [p0]",
            "lagg1       lacp      ok        2/2   --       ----   --        p2 p3",
            "bond1       --        failed    0/1   2        mb-d   --        [p4]",
        ]
    );
    let r = ifctl(ABSENT, l.sock(), &["-L", "-P", "-o", "aggregate,flags"]);
    assert_eq!(r.lines(), ["bond0:----", "lagg1:----", "bond1:mb-d"]);
    let r = ifctl(
        ABSENT,
        l.sock(),
        &["-R", "-P", "-o", "group,priority,state,tracks"],
    );
    assert_eq!(
        r.lines(),
        [
            "rg1:90/120:ok:bond0(Up) p0(Dwn)",
            "rg2:100/100:faulted:core(Dwn)"
        ]
    );
    let r = ifctl(ABSENT, l.sock(), &["-T"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.lines()[..4],
        [
            "Link State Group: uplinks      Status: Enabled, Up      Health: link",
            "Upstream Interfaces   : bond0(Up)",
            "Downstream Interfaces : d0(Up) d1(Dis)",
            "",
        ]
    );
    for (flag, key) in [
        ("-L", "aggregates"),
        ("-R", "redundancy"),
        ("-T", "tracking"),
    ] {
        let r = ifctl(ABSENT, l.sock(), &["-j", flag]);
        assert_eq!(r.code, 0, "{r:?}");
        let v: Value = serde_json::from_str(&r.out).expect("JSON");
        let whole = serde_json::to_value(lagg_status()).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(v[key], whole[key], "{flag}");
    }
}

#[test]
fn laggd_not_running() {
    for args in [
        &["-L"][..],
        &["-R"],
        &["-T"],
        &["reload", "laggd"],
        &["watch", "laggd"],
    ] {
        let m = mpathd();
        let r = ifctl(m.sock(), ABSENT, args);
        assert_eq!(r.code, 69, "{args:?}: {r:?}");
        assert_eq!(
            r.err,
            format!(
                "ifctl: cannot contact laggd at {ABSENT} -- is it running?\n"
            ),
            "{args:?}"
        );
        assert!(m.asked().is_empty(), "{args:?}: mpathd is not laggd");
    }
}

#[test]
fn nonsense_from_laggd_is_a_protocol_error() {
    let m = mpathd();
    // Not JSON; mpathd's status where laggd's is due; a reply to
    // another request.
    for (reply, why) in [
        ("junk\n", "laggd sent malformed message: "),
        (
            "{\"version\":1,\"id\":1,\"ok\":{\"status\":{\"groups\":[],\
             \"interfaces\":[],\"addresses\":[]}}}\n",
            "laggd sent something other than its status",
        ),
        (
            "{\"version\":1,\"id\":9,\"ok\":\"done\"}\n",
            "laggd sent a reply that does not answer the request",
        ),
    ] {
        let l = confused(reply);
        let r = ifctl(m.sock(), l.sock(), &["-L"]);
        assert_eq!(r.code, 76, "{r:?}");
        assert!(r.err.starts_with(&format!("ifctl: {why}")), "{}", r.err);
        assert_eq!(r.out, "");

        // The summary: mpathd's part, then laggd's error.
        let r = ifctl(m.sock(), l.sock(), &[]);
        assert_eq!(r.code, 76, "{r:?}");
        assert_eq!(r.lines(), MPATHD_SUMMARY);
        assert!(r.err.starts_with(&format!("ifctl: {why}")), "{}", r.err);

        // mpathd's member, then laggd's error: laggd might have known the
        // name too.
        let r = ifctl(m.sock(), l.sock(), &["em1"]);
        assert_eq!(r.code, 76, "{r:?}");
        assert_eq!(r.lines()[0], "em1: group ipmp0 flags=<>");
        // A name nobody answered for: laggd's error alone.
        let r = ifctl(m.sock(), l.sock(), &["bond0"]);
        assert_eq!((r.code, r.out.as_str()), (76, ""), "{r:?}");
        assert!(r.err.starts_with(&format!("ifctl: {why}")), "{}", r.err);
        assert_eq!(r.err.lines().count(), 1, "{}", r.err);
    }
}

#[test]
fn both_daemons_confused_are_both_reported() {
    let m = confused("junk\n");
    let l = confused("{\"version\":2,\"id\":1,\"ok\":\"done\"}\n");
    let r = ifctl(m.sock(), l.sock(), &[]);
    assert_eq!(r.code, 76, "{r:?}");
    assert_eq!(r.out, "");
    let err: Vec<&str> = r.err.lines().collect();
    assert_eq!(err.len(), 2, "{}", r.err);
    assert!(
        err[0].starts_with("ifctl: mpathd sent malformed message"),
        "{}",
        r.err
    );
    assert!(
        err[1].starts_with("ifctl: laggd sent unsupported protocol version 2"),
        "{}",
        r.err
    );
}

#[test]
fn reload_laggd() {
    let (m, l) = (mpathd(), laggd());
    let r = ifctl(m.sock(), l.sock(), &["reload", "laggd"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.out, "ifctl: laggd reloaded its configuration\n");
    assert_eq!(l.asked(), [RequestBody::Reload]);
    assert!(m.asked().is_empty());
    // `reload` alone is mpathd's, as before.
    let r = ifctl(m.sock(), l.sock(), &["reload"]);
    assert_eq!(r.out, "ifctl: mpathd reloaded its configuration\n");
    assert_eq!(m.asked(), [RequestBody::Reload]);

    // A refused reload: every problem, then laggd's words; EX_CONFIG.
    let l = Fake::start(|_| {
        vec![error(
            ErrorCode::BadConfig,
            "/etc/laggd.conf: configuration refused",
            &["/etc/laggd.conf:3: lagg bond0: no ports"],
        )]
    });
    let r = ifctl(ABSENT, l.sock(), &["reload", "laggd"]);
    assert_eq!(r.code, 78, "{r:?}");
    assert_eq!(
        r.err,
        "/etc/laggd.conf:3: lagg bond0: no ports\n\
         ifctl: /etc/laggd.conf: configuration refused\n"
    );
}

#[test]
fn watch_laggd() {
    let l = Fake::start(|body| match body {
        RequestBody::Watch => vec![
            ok(Payload::Watching),
            event(Event {
                time_ms: 5_000,
                kind: "state".into(),
                interface: Some("p0".into()),
                group: None,
                message: "bond0: port p0 failed (probes lost)".into(),
                probe: None,
            }),
        ],
        _ => vec![],
    });
    let r = ifctl(ABSENT, l.sock(), &["watch", "laggd"]);
    // The fake hangs up after one event: that ends the stream.
    assert_eq!(r.code, 69, "{r:?}");
    assert_eq!(
        r.err,
        format!("ifctl: laggd at {} closed the connection\n", l.sock())
    );
    let w: Vec<&str> = r.out.split_whitespace().collect();
    assert_eq!(
        w[1..],
        ["state", "p0", "bond0:", "port", "p0", "failed", "(probes", "lost)"]
    );
    let r = ifctl(ABSENT, l.sock(), &["-j", "watch", "laggd"]);
    let v: Value = serde_json::from_str(r.lines()[0]).expect("JSON");
    assert_eq!(v["interface"], "p0");
    assert_eq!(l.asked(), [RequestBody::Watch, RequestBody::Watch]);
}

/// `IF offline|online`: laggd's port goes to laggd, anything else to
/// mpathd; runtime changes stay mpathd's.
#[test]
fn offline_goes_to_the_daemon_that_knows_the_interface() {
    let l = Fake::start(|body| match body {
        RequestBody::Status => vec![ok(Payload::LaggStatus(lagg_status()))],
        RequestBody::PortOffline { .. } | RequestBody::PortOnline { .. } => {
            vec![ok(Payload::Maintained {
                changed: vec!["bond0: port p1 offline by the operator".into()],
            })]
        }
        _ => vec![error(ErrorCode::Failed, "not here", &[])],
    });
    let m = Fake::start(|body| match body {
        RequestBody::Offline { .. } | RequestBody::Online { .. } => {
            vec![ok(Payload::Done)]
        }
        _ => vec![error(ErrorCode::Failed, "not here", &[])],
    });
    let r = ifctl(m.sock(), l.sock(), &["p1", "offline", "force"]);
    assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
    assert_eq!(r.out, "bond0: port p1 offline by the operator\n");
    let r = ifctl(m.sock(), l.sock(), &["-j", "p1", "online"]);
    assert_eq!(
        r.out,
        "{\"version\":1,\"daemon\":\"laggd\",\"done\":true,\"changed\":\
         [\"bond0: port p1 offline by the operator\"]}\n"
    );
    assert_eq!(
        l.asked(),
        [
            RequestBody::Status,
            RequestBody::PortOffline {
                interface: "p1".into(),
                force: true
            },
            RequestBody::Status,
            RequestBody::PortOnline {
                interface: "p1".into()
            },
        ]
    );
    assert!(m.asked().is_empty());
    // em1 is no port of laggd's: mpathd's, which says nothing back.
    let r = ifctl(m.sock(), l.sock(), &["em1", "offline"]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (0, "", ""));
    let r = ifctl(m.sock(), l.sock(), &["-j", "em1", "online"]);
    assert_eq!(
        r.out,
        "{\"version\":1,\"daemon\":\"mpathd\",\"done\":true}\n"
    );
    assert_eq!(
        m.asked(),
        [
            RequestBody::Offline {
                interface: "em1".into()
            },
            RequestBody::Online {
                interface: "em1".into()
            }
        ]
    );
    // `force` is laggd's word only.
    let r = ifctl(m.sock(), l.sock(), &["em1", "offline", "force"]);
    assert_eq!(r.code, 64, "{r:?}");
    // laggd not running: mpathd, as before laggd had ports to offline.
    let r = ifctl(m.sock(), ABSENT, &["p0", "offline"]);
    assert_eq!(r.code, 0, "{r:?}");
    // Runtime changes are mpathd's whatever laggd knows.
    let r = ifctl(ABSENT, l.sock(), &["p0", "standby"]);
    assert_eq!(r.code, 69, "{r:?}");
    assert!(
        r.err.starts_with("ifctl: cannot contact mpathd"),
        "{}",
        r.err
    );
}

/// `track-group` and `-T group` / `-bT`: laggd's.
#[test]
fn track_groups_enabled_disabled_and_shown_one_or_brief() {
    let l = Fake::start(|body| match body {
        RequestBody::Status => vec![ok(Payload::LaggStatus(lagg_status()))],
        RequestBody::TrackGroup { enabled: true, .. } => {
            vec![ok(Payload::Maintained { changed: vec![] })]
        }
        RequestBody::TrackGroup { .. } => vec![error(
            ErrorCode::UnknownGroup,
            "no link-state group g9",
            &[],
        )],
        _ => vec![error(ErrorCode::Failed, "not here", &[])],
    });
    let r = ifctl(ABSENT, l.sock(), &["track-group", "core", "enable"]);
    assert_eq!(
        (r.code, r.out.as_str()),
        (
            0,
            "ifctl: link-state group core is enabled already; nothing \
             changed\n"
        )
    );
    let r = ifctl(ABSENT, l.sock(), &["track-group", "g9", "disable"]);
    assert_eq!(
        (r.code, r.err.as_str()),
        (67, "ifctl: no link-state group g9\n")
    );
    let r = ifctl(ABSENT, l.sock(), &["-bT"]);
    assert_eq!(r.lines().len(), 3, "{r:?}");
    assert!(r.lines()[1].starts_with("Link State Group: core "), "{r:?}");
    let r = ifctl(ABSENT, l.sock(), &["-T", "spare"]);
    assert_eq!(
        r.lines()[0],
        "Link State Group: spare      Status: Disabled      Health: link"
    );
    assert_eq!(r.lines().len(), 5, "{r:?}");
    let r = ifctl(ABSENT, l.sock(), &["-jT", "spare"]);
    let v: Value = serde_json::from_str(&r.out).expect("JSON");
    assert_eq!(v["tracking"].as_array().map(Vec::len), Some(1));
    let r = ifctl(ABSENT, l.sock(), &["-T", "nope"]);
    assert_eq!(r.code, 67, "{r:?}");
}
