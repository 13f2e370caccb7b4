//! laggd's status for people: what `ifctl lagg0`, the summary and the
//! listings `-L`, `-T` and `-R` print; the layouts are documented in
//! ifctl(8).
//!
//! | module      | concept                                              |
//! |-------------|------------------------------------------------------|
//! | `words`     | what ifctl derives from the status: states, roles,   |
//! |             | lagg(4) port flags, ages, round-trip times           |
//! | `show`      | one aggregate, ifconfig-like, or one of its ports    |
//! | `summary`   | laggd's part of `ifctl` alone                        |
//! | `listings`  | `-L` aggregates and `-R` redundancy groups, as rows  |
//! | `tracking`  | `-T`: Cisco's `show link state group detail`         |

pub mod listings;
pub mod show;
pub mod summary;
pub mod tracking;
pub mod words;

use mpath_proto::laggd::{AggregateStatus, LaggStatus, PortStatus};

/// What an interface name is to laggd.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Found<'a> {
    /// One of its aggregates.
    Aggregate(&'a AggregateStatus),
    /// A port of one of its aggregates.
    Port(&'a AggregateStatus, &'a PortStatus),
}

/// Looks `name` up among the aggregates, then their ports.
pub fn find<'a>(st: &'a LaggStatus, name: &str) -> Option<Found<'a>> {
    if let Some(a) = st.aggregates.iter().find(|a| a.name == name) {
        return Some(Found::Aggregate(a));
    }
    st.aggregates.iter().find_map(|a| {
        a.ports
            .iter()
            .find(|p| p.name == name)
            .map(|p| Found::Port(a, p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::lagg::lagg_status;

    #[test]
    fn aggregates_and_ports_are_found_by_name() {
        let st = lagg_status();
        assert!(matches!(
            find(&st, "lagg1"),
            Some(Found::Aggregate(a)) if a.name == "lagg1"
        ));
        assert!(matches!(
            find(&st, "p3"),
            Some(Found::Port(a, p)) if a.name == "lagg1" && p.name == "p3"
        ));
        // Tracked interfaces and group names are not laggd's interfaces.
        for other in ["d0", "uplinks", "rg1", "em0", ""] {
            assert_eq!(find(&st, other), None, "{other}");
        }
    }
}
