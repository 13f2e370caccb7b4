//! What every OS's aggregate control (`mpath_sys::aggregate`) shares:
//! the result of a membership change and the active-port map.

use std::collections::BTreeMap;

/// Each aggregate's active port as the OS reports it (`None`: none, or
/// the mode has no single active port).
pub type ActivePorts = BTreeMap<String, Option<String>>;

/// What `Aggregates::set_membership` did.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MembershipChange {
    /// What was done, for the log.
    pub done: String,
    /// Ports whose hardware address changed (added, removed, or given
    /// the aggregate's new address), so whose link may bounce: the
    /// engine does not fail them for that (`LaggEngine::settle`).
    pub touched: Vec<String>,
}

impl MembershipChange {
    /// Nothing touched.
    pub fn said(done: impl Into<String>) -> MembershipChange {
        MembershipChange {
            done: done.into(),
            touched: Vec::new(),
        }
    }
}
