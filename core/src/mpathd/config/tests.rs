//! Tunables, lexical rules, statement syntax and diagnostics.

use std::time::Duration;

use super::*;

pub(super) const FILE: &str = "mpathd.conf";

/// Parses text that must be accepted.
pub(super) fn ok(text: &str) -> Parsed {
    match parse(FILE, text) {
        Ok(p) => p,
        Err(d) => panic!("unexpected errors: {d:#?}"),
    }
}

/// Every diagnostic, as printed, for text that must be rejected.
pub(super) fn errs(text: &str) -> Vec<String> {
    match parse(FILE, text) {
        Ok(p) => panic!("accepted: {p:#?}"),
        Err(d) => d.iter().map(ToString::to_string).collect(),
    }
}

/// The printed warnings of text that must be accepted.
fn warnings(text: &str) -> Vec<String> {
    ok(text).warnings.iter().map(ToString::to_string).collect()
}

const SOLARIS_DEFAULT: &str = "\
#
# Time taken by mpathd to detect a NIC failure in ms. The minimum time
# that can be specified is 100 ms.
#
FAILURE_DETECTION_TIME=10000
#
# Failback is enabled by default. To disable failback turn off this option
#
FAILBACK=yes
#
# By default only interfaces configured as part of multipathing groups
# are tracked. Turn off this option to track all network interfaces
# on the system
#
TRACK_INTERFACES_ONLY_WITH_GROUPS=yes
";

#[test]
fn solaris_default_file_verbatim() {
    let p = ok(SOLARIS_DEFAULT);
    assert!(p.warnings.is_empty());
    assert_eq!(p.config, MpathdConfig::default());
    assert_eq!(
        p.config.tunables,
        Tunables {
            failure_detection_time: Duration::from_secs(10),
            failback: true,
            track_interfaces_only_with_groups: true,
        }
    );
}

#[test]
fn empty_file_is_defaults() {
    for text in ["", "\n\n", "   # only a comment\n", "\t\r\n"] {
        let p = ok(text);
        assert_eq!(p.config, MpathdConfig::default());
        assert!(p.warnings.is_empty());
    }
}

#[test]
fn failure_detection_time_table() {
    // (value, resulting ms, warning)
    let cases: &[(&str, u64, Option<&str>)] = &[
        ("10000", 10000, None),
        (" 0x3e8", 1000, None),
        (
            "0100",
            100,
            Some(
                "Too small failure detection time of 0100, \
                 assuming minimum of 100 ms",
            ),
        ),
        (
            "-5",
            10000,
            Some(
                "Invalid failure detection time -5, \
                 assuming default of 10000 ms",
            ),
        ),
        (
            "abc",
            10000,
            Some(
                "Invalid failure detection time abc, \
                 assuming default of 10000 ms",
            ),
        ),
        (
            "99",
            100,
            Some(
                "Too small failure detection time of 99, \
                 assuming minimum of 100 ms",
            ),
        ),
        ("100", 100, None),
        ("1500ms", 1500, None),
        (
            "",
            10000,
            Some(
                "Invalid failure detection time , \
                 assuming default of 10000 ms",
            ),
        ),
        (
            "0",
            10000,
            Some(
                "Invalid failure detection time 0, \
                 assuming default of 10000 ms",
            ),
        ),
        ("99999999999999999999", i64::MAX.unsigned_abs(), None),
        ("2147483648", 2_147_483_648, None),
    ];
    for &(value, ms, warning) in cases {
        let text = format!("FAILURE_DETECTION_TIME={value}\n");
        let p = ok(&text);
        assert_eq!(
            p.config.tunables.failure_detection_time,
            Duration::from_millis(ms),
            "{value:?}"
        );
        let want: Vec<String> = warning
            .map(|w| format!("mpathd.conf:1: warning: {w}"))
            .into_iter()
            .collect();
        let got: Vec<String> =
            p.warnings.iter().map(|d| d.to_string()).collect();
        assert_eq!(got, want, "{value:?}");
        if let Some(w) = warning {
            assert_eq!(p.warnings[0].message, w);
            assert_eq!(p.warnings[0].severity, Severity::Warning);
        }
    }
}

#[test]
fn yes_no_tunables() {
    let p = ok("failback=NO\nTrack_Interfaces_Only_With_Groups=No\n");
    assert!(!p.config.tunables.failback);
    assert!(!p.config.tunables.track_interfaces_only_with_groups);
    assert!(p.warnings.is_empty());
    let p = ok("FAILBACK=Yes\nfailure_detection_time=2000\n");
    assert!(p.config.tunables.failback);
    assert_eq!(
        p.config.tunables.failure_detection_time,
        Duration::from_millis(2000)
    );
}

#[test]
fn invalid_yes_no_keeps_default_with_in_mpathd_text() {
    let w = warnings("FAILBACK=maybe\nTRACK_INTERFACES_ONLY_WITH_GROUPS=0\n");
    assert_eq!(
        w,
        [
            "mpathd.conf:1: warning: Invalid value for FAILBACK maybe",
            "mpathd.conf:2: warning: Invalid value for \
             TRACK_INTERFACES_ONLY_WITH_GROUPS 0",
        ]
    );
    let p = ok("FAILBACK=\n");
    assert!(p.config.tunables.failback);
    assert_eq!(p.warnings[0].message, "Invalid value for FAILBACK ");
}

#[test]
fn value_is_trimmed_and_comment_stripped() {
    let p = ok("FAILBACK=   no   # turn it off\n");
    assert!(!p.config.tunables.failback);
    let p = ok("\tFAILURE_DETECTION_TIME=0x3e8#hex\n");
    assert_eq!(
        p.config.tunables.failure_detection_time,
        Duration::from_millis(1000)
    );
}

#[test]
fn unknown_tunable_is_an_error_with_suggestion() {
    assert_eq!(
        errs("FAILBAK=no\nFOO=1\n=3\n"),
        [
            "mpathd.conf:1: unknown tunable `FAILBAK`; did you mean \
             `FAILBACK`?",
            "mpathd.conf:2: unknown tunable `FOO`",
            "mpathd.conf:3: missing tunable name before `=`",
        ]
    );
    assert_eq!(
        errs("failure_detection_tim=5\n"),
        [
            "mpathd.conf:1: unknown tunable `failure_detection_tim`; did you \
          mean `FAILURE_DETECTION_TIME`?"
        ]
    );
}

#[test]
fn repeated_tunable_first_wins_with_warning() {
    let p = ok("FAILBACK=no\n\nfailback=yes\nFAILBACK=bogus\n");
    assert!(!p.config.tunables.failback);
    let w: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "mpathd.conf:3: warning: FAILBACK is already set on line 1; \
             ignoring this setting (the first one wins, as in in.mpathd)",
            "mpathd.conf:4: warning: FAILBACK is already set on line 1; \
             ignoring this setting (the first one wins, as in in.mpathd)",
        ]
    );
    // An invalid first value still wins (and keeps the default).
    let p = ok("FAILURE_DETECTION_TIME=5\nFAILURE_DETECTION_TIME=2000\n");
    assert_eq!(
        p.config.tunables.failure_detection_time,
        Duration::from_millis(100)
    );
    assert_eq!(p.warnings.len(), 2);
}

#[test]
fn crlf_lines() {
    let p = ok("FAILBACK=no\r\ninterface em0 group g0\r\n");
    assert!(!p.config.tunables.failback);
    assert_eq!(p.config.interfaces[0].group.as_deref(), Some("g0"));
}
