//! The engine's side of redundancy groups: feeding them the role the HA
//! engine shows and the operator's switchovers, and turning what they
//! decide into log lines and [`LaggAction::ApplyHa`].

use crate::kernel::KernelSnapshot;
use crate::log::{Level, LogKind};
use crate::time::Instant;

use super::{LaggAction, LaggEngine};
use crate::laggd::config::Effector;
use crate::laggd::messages as msg;
use crate::laggd::redundancy::{RedundancyEvent, Role};

/// Why a switchover request was refused.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum SwitchoverError {
    /// No redundancy group of that name.
    NoSuchGroup(String),
}

impl LaggEngine {
    /// keepalived holds its virtual address only while master: a group
    /// with `vip` is active exactly when the address is on one of this
    /// host's interfaces.
    pub(super) fn vip_roles(&mut self, snap: &KernelSnapshot, now: Instant) {
        for g in 0..self.redundancy.len() {
            let Some(Effector::Keepalived { vip: Some(vip), .. }) =
                &self.cfg.redundancy[g].effector
            else {
                continue;
            };
            let held = snap
                .links
                .iter()
                .any(|l| l.addrs.iter().any(|p| p.addr() == *vip));
            let role = if held { Role::Active } else { Role::Standby };
            self.group_role(g, role, now);
        }
    }

    /// The role the HA engine shows for `group` (CARP's vhid states, read
    /// by the daemon).
    pub fn set_role(&mut self, group: &str, role: Role, now: Instant) {
        if let Some(g) = self.group_index(group) {
            self.group_role(g, role, now);
        }
    }

    fn group_role(&mut self, g: usize, role: Role, now: Instant) {
        let mut out = Vec::new();
        self.redundancy[g].set_role(role, now, &mut out);
        self.redundancy_events(g, out);
    }

    /// `ifctl switchover GROUP [cancel]`: this chassis gives up (`on`) or
    /// may take again the group's active role. Returns whether anything
    /// changed.
    ///
    /// # Errors
    ///
    /// No such group.
    pub fn switchover(
        &mut self,
        group: &str,
        on: bool,
        now: Instant,
    ) -> Result<bool, SwitchoverError> {
        let g = self
            .group_index(group)
            .ok_or_else(|| SwitchoverError::NoSuchGroup(group.to_string()))?;
        let mut out = Vec::new();
        let changed = self.redundancy[g].set_switchover(on, now, &mut out);
        if changed {
            self.log(Level::Err, LogKind::State, msg::switchover(group, on));
        }
        self.redundancy_events(g, out);
        Ok(changed)
    }

    fn group_index(&self, group: &str) -> Option<usize> {
        self.cfg.redundancy.iter().position(|r| r.name == group)
    }

    pub(super) fn redundancy_events(
        &mut self,
        g: usize,
        out: Vec<RedundancyEvent>,
    ) {
        let name = self.cfg.redundancy[g].name.clone();
        for e in out {
            let line = match e {
                RedundancyEvent::PriorityChanged { from, to, cause } => {
                    msg::priority(&name, from, to, &cause.0, cause.1)
                }
                RedundancyEvent::RoleChanged { from, to } => {
                    msg::role_changed(&name, from, to)
                }
                RedundancyEvent::Holding => msg::holding(&name),
                RedundancyEvent::Apply(effect) => {
                    self.actions.push(LaggAction::ApplyHa {
                        group: name.clone(),
                        effector: self.cfg.redundancy[g].effector.clone(),
                        effect,
                    });
                    continue;
                }
            };
            self.log(Level::Err, LogKind::State, line);
        }
    }
}
