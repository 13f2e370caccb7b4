//! Probe results as events for `ifctl -p` watchers.

use std::time::Duration;

use mpath_core::mpathd::engine::{messages as msg, Action};
use mpath_daemon::backend::Io;
use mpath_proto::{Event, ProbeInfo};

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The event for a [`Action::ProbeResult`]; `None` for other actions.
pub fn probe_event(a: &Action, io: &Io<'_>) -> Option<Event> {
    let Action::ProbeResult {
        ifname,
        family,
        seq,
        target,
        sent_at,
        rtt,
        rtt_avg,
        rtt_dev,
    } = a
    else {
        return None;
    };
    Some(Event {
        time_ms: io.since_start_ms(io.now),
        kind: "probe".into(),
        interface: Some(ifname.clone()),
        group: None,
        message: msg::probe_result(*seq, *family, ifname, *target, *rtt),
        probe: Some(ProbeInfo {
            family: family.inet().into(),
            seq: *seq,
            target: target.to_string(),
            sent_ms: io.since_start_ms(*sent_at),
            rtt_us: rtt.map(micros),
            rtt_avg_us: rtt_avg.map(micros),
            rtt_dev_us: rtt_dev.map(micros),
        }),
    })
}
