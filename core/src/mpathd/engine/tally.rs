//! Counts that last as long as the daemon: failovers and failbacks per
//! group, failures and repairs per member. They are kept by name, apart
//! from the groups and interfaces, because a reload rebuilds a changed
//! group or interface from scratch and a counter must not go back to
//! zero until the daemon restarts (Prometheus reads a drop as a reset).
//! The probe counts live with each path (`Path::retired`).

use std::collections::HashMap;

use mpath_proto::mpathd::{GroupCounters, MemberCounters};

/// The engine's counts, by group and member name.
#[derive(Debug, Default)]
pub(super) struct Tally {
    groups: HashMap<String, GroupCounters>,
    members: HashMap<String, MemberCounters>,
}

impl Tally {
    /// Group `name`'s counts.
    pub fn group(&self, name: &str) -> GroupCounters {
        self.groups.get(name).copied().unwrap_or_default()
    }

    /// Member `name`'s counts.
    pub fn member(&self, name: &str) -> MemberCounters {
        self.members.get(name).copied().unwrap_or_default()
    }

    /// Group `name` failed a member's addresses over (`back`: home).
    pub fn moved(&mut self, name: &str, back: bool) {
        let g = self.groups.entry(name.to_string()).or_default();
        if back {
            g.failbacks += 1;
        } else {
            g.failovers += 1;
        }
    }

    /// Member `name` was found failed.
    pub fn failed(&mut self, name: &str) {
        self.members.entry(name.to_string()).or_default().failures += 1;
    }

    /// Member `name` was repaired.
    pub fn repaired(&mut self, name: &str) {
        self.members.entry(name.to_string()).or_default().repairs += 1;
    }
}
