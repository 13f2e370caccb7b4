//! `ifctl metrics [-o FILE]`: the state of whichever daemons run, in
//! the Prometheus text format, for node_exporter's textfile collector
//! (`-o`, written whole and renamed into place) or any scraper of
//! standard output.
//!
//! `mpathd_up` and `laggd_up` say which daemons answered; the families
//! of a daemon that did not are left out. A daemon that fails (other
//! than not running) is an error after the metrics are written, as is
//! neither daemon answering: the file is still replaced, so that a
//! dead daemon's last values do not linger in Prometheus.
//!
//! | file        | concept                                          |
//! |-------------|--------------------------------------------------|
//! | `text.rs`   | the exposition format: families, samples, states |
//! | `mpathd.rs` | mpathd's families                                |
//! | `laggd.rs`  | laggd's families                                 |

mod laggd;
mod mpathd;
mod text;

use std::io::Write;
use std::path::Path;

use mpath_proto::laggd::LaggStatus;
use mpath_proto::mpathd::Status;
use mpath_sys::replace::Replacement;

use crate::args::Cli;
use crate::both::{ask, failures, part, Part};
use crate::client;
use crate::out::Out;
use crate::{Failure, EX_CANTCREAT, EX_IOERR, EX_UNAVAILABLE};

use text::Metrics;

/// The text for what the daemons answered (`None`: did not answer).
pub fn render(mpathd: Option<&Status>, laggd: Option<&LaggStatus>) -> String {
    let mut m = Metrics::default();
    m.flag(
        "mpathd_up",
        "Whether mpathd answered on its control socket.",
        &[],
        mpathd.is_some(),
    );
    m.flag(
        "laggd_up",
        "Whether laggd answered on its control socket.",
        &[],
        laggd.is_some(),
    );
    if let Some(st) = mpathd {
        mpathd::families(st, &mut m);
    }
    if let Some(st) = laggd {
        laggd::families(st, &mut m);
    }
    m.render()
}

/// `ifctl metrics`: to standard output, or to `file`.
pub fn metrics<W: Write>(
    cli: &Cli,
    file: Option<&str>,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    // The file and its directory are opened before the sandbox.
    let target = file
        .map(|f| {
            Replacement::create(Path::new(f)).map_err(|e| {
                Failure::new(EX_CANTCREAT, format!("cannot write {f}: {e}"))
            })
        })
        .transpose()?;
    let [m, l] = ask(cli)?;
    let m: Part<Status> = part(m.reply().and_then(client::mpathd_status));
    let l: Part<LaggStatus> = part(l.reply().and_then(client::laggd_status));
    let text = render(m.got.as_ref(), l.got.as_ref());
    match (target, file) {
        (Some(t), Some(f)) => t.commit(text.as_bytes()).map_err(|e| {
            Failure::new(EX_IOERR, format!("cannot write {f}: {e}"))
        })?,
        _ => out.line(text.trim_end_matches('\n'))?,
    }
    let failed = failures(m.failed, l.failed);
    if m.got.is_none() && l.got.is_none() {
        return Err(failed.or(m.absent).or(l.absent).unwrap_or_else(|| {
            Failure::new(EX_UNAVAILABLE, "no daemon answered")
        }));
    }
    failed.map_or(Ok(()), Err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata;

    #[test]
    fn both_daemons_in_one_text() {
        let st = testdata::status();
        let lagg = testdata::lagg::lagg_status();
        let text = render(Some(&st), Some(&lagg));
        for line in [
            "# TYPE mpathd_up gauge",
            "mpathd_up 1",
            "laggd_up 1",
            "mpathd_group_state{group=\"ipmp0\",state=\"degraded\"} 1",
            "mpathd_group_state{group=\"ipmp0\",state=\"ok\"} 0",
            "# TYPE mpathd_group_failovers_total counter",
            "mpathd_group_failovers_total{group=\"ipmp0\"} 3",
            "mpathd_group_failbacks_total{group=\"ipmp0\"} 2",
            "mpathd_interface_state{group=\"ipmp0\",interface=\"em0\",\
             state=\"failed\"} 1",
            "mpathd_interface_standby{group=\"ipmp0\",interface=\"em2\"} 1",
            "mpathd_interface_data_addresses{group=\"ipmp0\",\
             interface=\"em1\"} 2",
            "mpathd_path_probes_sent_total{group=\"ipmp0\",\
             interface=\"em1\",family=\"inet\"} 700",
            "mpathd_path_failure_detection_time_seconds{group=\"ipmp0\",\
             interface=\"em1\",family=\"inet\"} 1",
            "mpathd_path_rtt_seconds{group=\"ipmp0\",interface=\"em1\",\
             family=\"inet\"} 0.000465",
            "mpathd_target_rtt_seconds{group=\"ipmp0\",interface=\"em1\",\
             family=\"inet\",target=\"192.0.2.2\"} 0.00042",
            "mpathd_address_up{group=\"ipmp0\",address=\"192.0.2.10/24\",\
             home=\"em0\",host=\"em1\"} 1",
            "laggd_port_probes_lost_total{aggregate=\"bond0\",port=\"p0\"} 5",
            "laggd_track_group_state{group=\"core\",state=\"down\"} 1",
            "laggd_track_group_downs_total{group=\"core\"} 4",
            "laggd_redundancy_faulted{group=\"rg1\"} 0",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "no line `{line}` in:\n{text}"
            );
        }
        // One HELP and one TYPE per family.
        let helps = text.lines().filter(|l| l.starts_with("# HELP ")).count();
        let types = text.lines().filter(|l| l.starts_with("# TYPE ")).count();
        assert_eq!(helps, types);
        let mut names: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# TYPE "))
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "a family appears twice");
    }

    /// `IFCTL_METRICS_SAMPLE=FILE cargo test`: the sample for promtool.
    #[test]
    fn sample_for_promtool() {
        if let Some(f) = std::env::var_os("IFCTL_METRICS_SAMPLE") {
            let st = testdata::status();
            let lagg = testdata::lagg::lagg_status();
            std::fs::write(f, render(Some(&st), Some(&lagg))).unwrap();
        }
    }

    #[test]
    fn an_absent_daemon_is_only_its_up_gauge() {
        let text = render(None, None);
        assert_eq!(
            text,
            "# HELP mpathd_up Whether mpathd answered on its control socket.\n\
             # TYPE mpathd_up gauge\n\
             mpathd_up 0\n\
             # HELP laggd_up Whether laggd answered on its control socket.\n\
             # TYPE laggd_up gauge\n\
             laggd_up 0\n"
        );
    }
}
