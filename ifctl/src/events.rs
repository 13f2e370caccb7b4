//! Live output: `watch` lines and the clock of `-p`.
//!
//! Event times are milliseconds since the daemon started; ifctl shows
//! them as seconds since ifctl started, as ipmpstat -p does. The two
//! clocks are tied together by the first event: it is taken to have
//! been stamped when it arrived. A probe sent before ifctl started has
//! a negative time.

use mpath_proto::Event;

use crate::listings::seconds;

/// Ties the daemon's clock to ifctl's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Anchor {
    offset_ms: Option<i64>,
}

impl Anchor {
    /// What to add to a daemon time to get ifctl's: fixed by the first
    /// call, an event stamped `event_ms` that arrived `local_ms` after
    /// ifctl started.
    pub fn offset(&mut self, local_ms: i64, event_ms: u64) -> i64 {
        *self.offset_ms.get_or_insert_with(|| {
            local_ms.saturating_sub(i64::try_from(event_ms).unwrap_or(0))
        })
    }
}

/// `TIME KIND [INTERFACE] MESSAGE`, TIME in seconds since ifctl started.
pub fn watch_line(ev: &Event, offset_ms: i64) -> String {
    let t = i64::try_from(ev.time_ms)
        .unwrap_or(i64::MAX)
        .saturating_add(offset_ms);
    let interface = match &ev.interface {
        Some(i) => format!("{i} "),
        None => String::new(),
    };
    format!("{:>9} {:<7} {interface}{}", seconds(t), ev.kind, ev.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(time_ms: u64, kind: &str, interface: Option<&str>) -> Event {
        Event {
            time_ms,
            kind: kind.into(),
            interface: interface.map(str::to_string),
            group: None,
            message: "IP interface failure detected on em0".into(),
            probe: None,
        }
    }

    #[test]
    fn the_first_event_fixes_the_offset() {
        let mut a = Anchor::default();
        // Daemon up for 100 s; ifctl running for 2 s when it arrives.
        assert_eq!(a.offset(2_000, 100_000), -98_000);
        assert_eq!(a.offset(9_000, 100_500), -98_000);
    }

    #[test]
    fn watch_lines() {
        assert_eq!(
            watch_line(&event(100_000, "state", None), -98_000),
            "    2.00s state   IP interface failure detected on em0"
        );
        assert_eq!(
            watch_line(&event(100_250, "probe", Some("em0")), -98_000),
            "    2.25s probe   em0 IP interface failure detected on em0"
        );
    }
}
