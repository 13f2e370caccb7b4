//! Link-state tracking (Cisco's "trunk failover", seed 000).
//!
//! A tracking group binds downstream interfaces to upstream ones: when
//! every upstream interface of a group is down, its downstream interfaces
//! are brought down (err-disabled) so that the servers behind them fail
//! over to their other NIC; when any upstream interface returns, they are
//! brought back. Disabling a group, or removing a downstream interface
//! from it, restores what the group had disabled.
//!
//! The seed's restrictions hold: an interface is in at most one group,
//! and never both upstream and downstream. Unlike the seed we allow any
//! number of groups, and an upstream interface's health may be its link
//! state or laggd's probe verdict (the caller decides what "up" means).
//!
//! | group state | when                                   | downstream |
//! |-------------|----------------------------------------|------------|
//! | `Up`        | some upstream up (or not yet reported) | as they are |
//! | `Down`      | every upstream reported down           | err-disabled |
//! | `Disabled`  | the operator disabled the group        | restored   |
//!
//! An upstream interface not yet reported counts as up: nothing is shut
//! at start-up before the first observation.

use std::collections::{BTreeMap, BTreeSet};

/// One group's configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TrackingGroupConfig {
    /// Group name (Cisco numbers them; any name here).
    pub name: String,
    /// Upstream interfaces.
    pub upstream: Vec<String>,
    /// Downstream interfaces.
    pub downstream: Vec<String>,
}

/// A configuration the seed's rules forbid.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum TrackingError {
    /// An interface in two groups.
    #[error("{iface} is in link-state groups {first} and {second}")]
    TwoGroups {
        /// Interface.
        iface: String,
        /// First group.
        first: String,
        /// Second group.
        second: String,
    },
    /// Upstream and downstream at once.
    #[error("{iface} is both upstream and downstream in {group}")]
    BothRoles {
        /// Interface.
        iface: String,
        /// Group.
        group: String,
    },
    /// A group without upstream interfaces would never act.
    #[error("link-state group {0} has no upstream interface")]
    NoUpstream(String),
}

/// What the caller must do to a downstream interface.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum TrackingAction {
    /// Bring it down (err-disabled), because every upstream is down.
    ErrDisable {
        /// Interface.
        iface: String,
        /// Group that decided.
        group: String,
    },
    /// Bring it back up.
    Restore {
        /// Interface.
        iface: String,
        /// Group that decided.
        group: String,
        /// Why.
        reason: RestoreReason,
    },
}

/// Why a downstream interface is restored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RestoreReason {
    /// An upstream interface came back.
    UpstreamUp,
    /// The group was disabled.
    GroupDisabled,
    /// The interface was removed from the group.
    Removed,
}

/// A group's state (Cisco: `show link state group detail`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrackingState {
    /// Some upstream interface is up.
    Up,
    /// Every upstream interface is down; downstream err-disabled.
    Down,
    /// Tracking is disabled for this group.
    Disabled,
}

#[derive(Clone, Debug)]
struct Group {
    cfg: TrackingGroupConfig,
    enabled: bool,
    /// Reported upstream states; absent: not yet reported.
    upstream: BTreeMap<String, bool>,
    /// Downstream interfaces this group has err-disabled.
    disabled: BTreeSet<String>,
}

impl Group {
    fn state(&self) -> TrackingState {
        if !self.enabled {
            return TrackingState::Disabled;
        }
        let all_down = self
            .cfg
            .upstream
            .iter()
            .all(|u| self.upstream.get(u) == Some(&false));
        if all_down {
            TrackingState::Down
        } else {
            TrackingState::Up
        }
    }

    /// Brings downstream interfaces in line with the state.
    fn apply(&mut self, out: &mut Vec<TrackingAction>) {
        let group = self.cfg.name.clone();
        match self.state() {
            TrackingState::Down => {
                for d in &self.cfg.downstream {
                    if self.disabled.insert(d.clone()) {
                        out.push(TrackingAction::ErrDisable {
                            iface: d.clone(),
                            group: group.clone(),
                        });
                    }
                }
            }
            TrackingState::Up | TrackingState::Disabled => {
                let reason = if self.enabled {
                    RestoreReason::UpstreamUp
                } else {
                    RestoreReason::GroupDisabled
                };
                for d in std::mem::take(&mut self.disabled) {
                    out.push(TrackingAction::Restore {
                        iface: d,
                        group: group.clone(),
                        reason,
                    });
                }
            }
        }
    }
}

/// A view of one group for status output.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TrackingView {
    /// Name.
    pub name: String,
    /// State.
    pub state: TrackingState,
    /// Upstream interfaces and whether each is up (`None`: unknown).
    pub upstream: Vec<(String, Option<bool>)>,
    /// Downstream interfaces and whether each is err-disabled.
    pub downstream: Vec<(String, bool)>,
}

/// Every link-state group.
#[derive(Clone, Debug, Default)]
pub struct Tracking {
    groups: Vec<Group>,
}

impl Tracking {
    /// Checks the seed's restrictions and builds the groups (enabled).
    pub fn new(
        cfgs: &[TrackingGroupConfig],
    ) -> Result<Tracking, TrackingError> {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for g in cfgs {
            if g.upstream.is_empty() {
                return Err(TrackingError::NoUpstream(g.name.clone()));
            }
            for u in &g.upstream {
                if g.downstream.contains(u) {
                    return Err(TrackingError::BothRoles {
                        iface: u.clone(),
                        group: g.name.clone(),
                    });
                }
            }
            for i in g.upstream.iter().chain(&g.downstream) {
                if let Some(first) = seen.insert(i, &g.name) {
                    if first != g.name {
                        return Err(TrackingError::TwoGroups {
                            iface: i.clone(),
                            first: first.to_string(),
                            second: g.name.clone(),
                        });
                    }
                }
            }
        }
        Ok(Tracking {
            groups: cfgs
                .iter()
                .map(|c| Group {
                    cfg: c.clone(),
                    enabled: true,
                    upstream: BTreeMap::new(),
                    disabled: BTreeSet::new(),
                })
                .collect(),
        })
    }

    /// An upstream interface's health changed (link state, or the probe
    /// verdict where the operator asked for it).
    pub fn set_upstream(
        &mut self,
        iface: &str,
        up: bool,
    ) -> Vec<TrackingAction> {
        let mut out = Vec::new();
        for g in &mut self.groups {
            if g.cfg.upstream.iter().any(|u| u == iface) {
                g.upstream.insert(iface.to_string(), up);
                g.apply(&mut out);
            }
        }
        out
    }

    /// Enables or disables a group; disabling restores its downstream.
    pub fn set_enabled(
        &mut self,
        group: &str,
        enabled: bool,
    ) -> Vec<TrackingAction> {
        let mut out = Vec::new();
        if let Some(g) = self.groups.iter_mut().find(|g| g.cfg.name == group) {
            g.enabled = enabled;
            g.apply(&mut out);
        }
        out
    }

    /// Removes a downstream interface from its group, restoring it if the
    /// group had disabled it.
    pub fn remove_downstream(&mut self, iface: &str) -> Vec<TrackingAction> {
        let mut out = Vec::new();
        for g in &mut self.groups {
            g.cfg.downstream.retain(|d| d != iface);
            if g.disabled.remove(iface) {
                out.push(TrackingAction::Restore {
                    iface: iface.to_string(),
                    group: g.cfg.name.clone(),
                    reason: RestoreReason::Removed,
                });
            }
        }
        out
    }

    /// Everything the groups have err-disabled (to restore at exit).
    pub fn restore_all(&mut self) -> Vec<TrackingAction> {
        let mut out = Vec::new();
        for g in &mut self.groups {
            for d in std::mem::take(&mut g.disabled) {
                out.push(TrackingAction::Restore {
                    iface: d,
                    group: g.cfg.name.clone(),
                    reason: RestoreReason::GroupDisabled,
                });
            }
        }
        out
    }

    /// Status of every group.
    pub fn view(&self) -> Vec<TrackingView> {
        self.groups
            .iter()
            .map(|g| TrackingView {
                name: g.cfg.name.clone(),
                state: g.state(),
                upstream: g
                    .cfg
                    .upstream
                    .iter()
                    .map(|u| (u.clone(), g.upstream.get(u).copied()))
                    .collect(),
                downstream: g
                    .cfg
                    .downstream
                    .iter()
                    .map(|d| (d.clone(), g.disabled.contains(d)))
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: &str, up: &[&str], down: &[&str]) -> TrackingGroupConfig {
        TrackingGroupConfig {
            name: name.into(),
            upstream: up.iter().map(|s| s.to_string()).collect(),
            downstream: down.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn err(iface: &str, group: &str) -> TrackingAction {
        TrackingAction::ErrDisable {
            iface: iface.into(),
            group: group.into(),
        }
    }

    fn restore(iface: &str, group: &str, r: RestoreReason) -> TrackingAction {
        TrackingAction::Restore {
            iface: iface.into(),
            group: group.into(),
            reason: r,
        }
    }

    #[test]
    fn all_upstream_down_err_disables_and_any_up_restores() {
        let mut t =
            Tracking::new(&[cfg("1", &["up0", "up1"], &["d0", "d1"])]).unwrap();
        assert!(t.set_upstream("up0", false).is_empty(), "up1 unknown: up");
        assert_eq!(t.view()[0].state, TrackingState::Up);
        let a = t.set_upstream("up1", false);
        assert_eq!(a, vec![err("d0", "1"), err("d1", "1")]);
        assert_eq!(t.view()[0].state, TrackingState::Down);
        assert!(t.set_upstream("up1", false).is_empty(), "no repeat");
        let a = t.set_upstream("up0", true);
        assert_eq!(
            a,
            vec![
                restore("d0", "1", RestoreReason::UpstreamUp),
                restore("d1", "1", RestoreReason::UpstreamUp)
            ]
        );
    }

    #[test]
    fn disabling_a_group_or_removing_a_downstream_restores() {
        let mut t = Tracking::new(&[cfg("1", &["u"], &["d0", "d1"])]).unwrap();
        t.set_upstream("u", false);
        assert_eq!(
            t.remove_downstream("d0"),
            vec![restore("d0", "1", RestoreReason::Removed)]
        );
        assert_eq!(
            t.set_enabled("1", false),
            vec![restore("d1", "1", RestoreReason::GroupDisabled)]
        );
        assert_eq!(t.view()[0].state, TrackingState::Disabled);
        // Re-enabled while upstream is still down: shut again.
        assert_eq!(t.set_enabled("1", true), vec![err("d1", "1")]);
    }

    #[test]
    fn seed_restrictions_are_enforced_but_more_than_two_groups_allowed() {
        assert!(matches!(
            Tracking::new(&[
                cfg("1", &["a"], &["b"]),
                cfg("2", &["b"], &["c"])
            ]),
            Err(TrackingError::TwoGroups { .. })
        ));
        assert!(matches!(
            Tracking::new(&[cfg("1", &["a"], &["a"])]),
            Err(TrackingError::BothRoles { .. })
        ));
        assert!(matches!(
            Tracking::new(&[cfg("1", &[], &["a"])]),
            Err(TrackingError::NoUpstream(_))
        ));
        let three = [
            cfg("1", &["u1"], &["d1"]),
            cfg("2", &["u2"], &["d2"]),
            cfg("3", &["u3"], &["d3"]),
        ];
        let mut t = Tracking::new(&three).unwrap();
        assert_eq!(t.set_upstream("u3", false), vec![err("d3", "3")]);
        assert_eq!(t.restore_all().len(), 1);
    }
}
