//! The operator's run-time changes, for maintenance: a port out of
//! service and back (if_mpadm's `-d` and `-r`), a link-state group
//! disabled and enabled (Cisco's `no link state track`). They hold
//! until they are undone, the next reload or a restart, like mpathd's
//! run-time changes; each answer is the log lines of what changed.

use crate::laggd::aggregate::{Aggregate, AggregateEvent, OfflineError};
use crate::laggd::messages as msg;
use crate::laggd::tracking::TrackingState;
use crate::log::{Level, LogKind};
use crate::time::Instant;

use super::{LaggAction, LaggEngine};

/// Why a maintenance request was refused; nothing was changed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum MaintenanceError {
    /// No port of that name in laggd's aggregates.
    #[error("{0}: not a port of an aggregate laggd supervises")]
    UnknownPort(String),
    /// An aggregate, not a port.
    #[error("{0} is an aggregate: take its ports offline one by one")]
    IsAggregate(String),
    /// Refused by the aggregate's rules.
    #[error(transparent)]
    Refused(#[from] OfflineError),
    /// No link-state group of that name.
    #[error("no link-state group {0}")]
    UnknownGroup(String),
}

impl LaggEngine {
    /// The log lines pushed since action `mark`: what a request changed.
    fn lines_since(&self, mark: usize) -> Vec<String> {
        self.actions[mark..]
            .iter()
            .filter_map(|a| match a {
                LaggAction::Log { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }

    /// The aggregate index of port `port`.
    fn port_index(&self, port: &str) -> Result<usize, MaintenanceError> {
        if let Some(i) = self.ports.iter().position(|p| p.name == port) {
            return Ok(i);
        }
        Err(if self.cfg.aggregate(port).is_some() {
            MaintenanceError::IsAggregate(port.to_string())
        } else {
            MaintenanceError::UnknownPort(port.to_string())
        })
    }

    /// `ifctl PORT offline [force]`: takes `port` out of service as a
    /// failure would, refusing the last live port of its aggregate
    /// unless `force`. Returns what changed.
    pub fn port_offline(
        &mut self,
        port: &str,
        force: bool,
        now: Instant,
    ) -> Result<Vec<String>, MaintenanceError> {
        self.port_change(port, now, |agg, out| {
            agg.set_offline(port, force, out)
        })
    }

    /// `ifctl PORT online`: puts `port` back; in service again if it is
    /// healthy (else once repaired). Returns what changed.
    pub fn port_online(
        &mut self,
        port: &str,
        now: Instant,
    ) -> Result<Vec<String>, MaintenanceError> {
        self.port_change(port, now, |agg, out| agg.set_online(port, out))
    }

    /// Applies `change` to `port`'s aggregate policy, then what follows
    /// from it; returns what changed.
    fn port_change(
        &mut self,
        port: &str,
        now: Instant,
        change: impl FnOnce(
            &mut Aggregate,
            &mut Vec<AggregateEvent>,
        ) -> Result<(), OfflineError>,
    ) -> Result<Vec<String>, MaintenanceError> {
        let i = self.port_index(port)?;
        let a = self.ports[i].aggregate;
        let mark = self.actions.len();
        let mut out = Vec::new();
        change(&mut self.aggregates[a], &mut out)?;
        self.ports[i].changed_at = Some(now);
        self.aggregate_events(a, out, now);
        self.evaluate(now);
        Ok(self.lines_since(mark))
    }

    /// `ifctl track-group NAME enable|disable`: a disabled group
    /// restores the downstream interfaces it brought down and brings
    /// none down; enabled again, it acts on its upstream at once.
    /// Returns what changed (nothing when the group already was so).
    pub fn set_track_group(
        &mut self,
        group: &str,
        enabled: bool,
        now: Instant,
    ) -> Result<Vec<String>, MaintenanceError> {
        let Some(view) =
            self.tracking.view().into_iter().find(|v| v.name == group)
        else {
            return Err(MaintenanceError::UnknownGroup(group.to_string()));
        };
        if (view.state != TrackingState::Disabled) == enabled {
            return Ok(Vec::new());
        }
        let mark = self.actions.len();
        self.log(
            Level::Err,
            LogKind::State,
            msg::track_group_set(group, enabled),
        );
        let acts = self.tracking.set_enabled(group, enabled);
        self.tracking_actions(acts);
        self.evaluate(now);
        Ok(self.lines_since(mark))
    }
}
