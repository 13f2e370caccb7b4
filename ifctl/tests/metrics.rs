//! `ifctl metrics` against a real mpathd in the namespace lab: the text
//! passes `promtool check metrics` with no lint problem, its values
//! follow a carrier cut (the member's state, link and failover counter),
//! and `-o FILE` replaces the file whole. laggd's side is in
//! `lab_laggd.rs`.
//!
//! Needs root (namespaces), a built mpathd (see `common`) and promtool
//! (skipped without it, except under CI=true).

mod common;

use std::time::Duration;

use common::{path_str, promtool_check, sample, wait, Setup, BASE};
use mpath_lab::root_or_skip;

const S: fn(u64) -> Duration = Duration::from_secs;

/// No laggd listens here.
const NO_LAGGD: &str = "/nonexistent/laggd.sock";

const MP0: &str = "group=\"ipmp0\",interface=\"mp0\"";

#[test]
fn mpathd_metrics_pass_promtool_and_follow_a_carrier_cut() {
    let test = "mpathd_metrics_pass_promtool_and_follow_a_carrier_cut";
    if !root_or_skip(test) {
        return;
    }
    let s = Setup::new("metrics", 2, BASE);
    s.wait_healthy(&["mp0", "mp1"]);
    s.expect_holder("192.0.2.10/24", 0, S(5));
    let metrics = || {
        let r = s.ifctl(&["-S", NO_LAGGD, "metrics"]);
        assert_eq!((r.code, r.err.as_str()), (0, ""), "{r:?}");
        r.out
    };
    // Wait for a few probes' worth of counts.
    let mut text = String::new();
    let counted = wait(S(5), || {
        text = metrics();
        let sent =
            format!("mpathd_path_probes_sent_total{{{MP0},family=\"inet\"}}");
        sample(&text, &sent).is_some_and(|n| n >= 3.0)
    });
    assert!(counted, "{text}");
    if let Some(problems) = promtool_check(test, &text) {
        assert_eq!(problems, "", "{text}");
    }
    let at = |series: &str| sample(&text, series);
    assert_eq!(at("mpathd_up"), Some(1.0));
    assert_eq!(at("laggd_up"), Some(0.0), "laggd is not running");
    assert_eq!(
        at(&format!("mpathd_interface_state{{{MP0},state=\"ok\"}}")),
        Some(1.0)
    );
    assert_eq!(
        at("mpathd_group_state{group=\"ipmp0\",state=\"ok\"}"),
        Some(1.0)
    );
    assert_eq!(
        at(&format!(
            "mpathd_path_failure_detection_time_seconds{{{MP0},\
             family=\"inet\"}}"
        )),
        Some(1.0)
    );
    assert_eq!(
        at("mpathd_group_failovers_total{group=\"ipmp0\"}"),
        Some(0.0)
    );
    let rtt = at(&format!(
        "mpathd_target_rtt_seconds{{{MP0},family=\"inet\",\
         target=\"192.0.2.1\"}}"
    ));
    assert!(rtt.is_some_and(|r| r > 0.0 && r < 1.0), "{text}");

    // mp0's carrier is cut: its state, link and the failover counter
    // follow.
    s.lab.carrier(0, false);
    let followed = wait(S(5), || {
        text = metrics();
        let at = |series: &str| sample(&text, series);
        at(&format!("mpathd_interface_state{{{MP0},state=\"failed\"}}"))
            == Some(1.0)
            && at(&format!(
                "mpathd_interface_link_state{{{MP0},state=\"down\"}}"
            )) == Some(1.0)
            && at("mpathd_group_failovers_total{group=\"ipmp0\"}") == Some(1.0)
            && at(&format!("mpathd_interface_failures_total{{{MP0}}}"))
                == Some(1.0)
    });
    assert!(followed, "{text}\n{}", s.log());
    assert_eq!(
        sample(
            &text,
            "mpathd_group_state{group=\"ipmp0\",state=\"degraded\"}"
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            "mpathd_interface_data_addresses{group=\"ipmp0\",\
             interface=\"mp1\"}"
        ),
        Some(2.0)
    );
    if let Some(problems) = promtool_check(test, &text) {
        assert_eq!(problems, "", "{text}");
    }

    // Repaired: the failback is counted, and the counters survived.
    s.lab.carrier(0, true);
    let back = wait(S(15), || {
        text = metrics();
        sample(&text, "mpathd_group_failbacks_total{group=\"ipmp0\"}")
            == Some(1.0)
    });
    assert!(back, "{text}\n{}", s.log());

    // -o: the file is replaced whole, nothing left beside it.
    let file = s.dir.join("mpathd.prom");
    std::fs::write(&file, "stale\n").expect("old file");
    let r = s.ifctl(&["-S", NO_LAGGD, "metrics", "-o", path_str(&file)]);
    assert_eq!((r.code, r.out.as_str(), r.err.as_str()), (0, "", ""));
    let written = std::fs::read_to_string(&file).expect("metrics file");
    assert!(written.starts_with("# HELP mpathd_up "), "{written}");
    assert_eq!(sample(&written, "mpathd_up"), Some(1.0));
    let left: Vec<_> = std::fs::read_dir(&s.dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .filter(|n| n.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    let r = s.ifctl(&["-S", NO_LAGGD, "metrics", "-o", "/nonexistent/x.prom"]);
    assert_eq!(r.code, 73, "{r:?}");
}
