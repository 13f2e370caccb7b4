//! A new configuration in force, and the daemon's exit: what laggd did
//! to the system is undone where the new configuration (or nothing, at
//! exit) no longer asks for it.
//!
//! A reload keeps what did not change: a port whose aggregate probes it
//! the same way keeps its detectors (so a reload neither repairs a failed
//! port early nor fails a healthy one), an aggregate policy with the same
//! settings keeps its state, a redundancy group with the same settings
//! keeps its state, and one of the same name and effector what it applied,
//! its role, a switchover and a hold (any group of the same name keeps a
//! switchover). Everything else starts afresh and
//! is then told the kept ports' verdicts, which re-asserts the wanted
//! state (idempotently) through the usual actions.

use crate::laggd::config::{LaggConfig, LaggdConfig, LaggdTunables};
use crate::laggd::messages as msg;
use crate::laggd::redundancy::HaEffect;
use crate::log::{Level, LogKind};
use crate::time::Instant;

use super::{LaggAction, LaggEngine};

/// Whether two aggregates probe their ports the same way.
fn same_probing(
    a: &LaggConfig,
    at: &LaggdTunables,
    b: &LaggConfig,
    bt: &LaggdTunables,
) -> bool {
    a.name == b.name
        && a.targets == b.targets
        && a.rule == b.rule
        && a.source_v4 == b.source_v4
        && a.source_v6 == b.source_v6
        && a.fdt(at) == b.fdt(bt)
        && a.link_config() == b.link_config()
}

impl LaggEngine {
    /// Puts `cfg` in force (it came from [`parse`](crate::laggd::config::parse),
    /// so it is valid), keeping the state of whatever is unchanged.
    pub fn reconfigure(&mut self, cfg: LaggdConfig, seed: u64, now: Instant) {
        let mut fresh = LaggEngine::new(cfg, seed, now);
        fresh.links = std::mem::take(&mut self.links);
        fresh.active = std::mem::take(&mut self.active);
        fresh.tally = std::mem::take(&mut self.tally);
        fresh.lacp_mode = std::mem::take(&mut self.lacp_mode);
        for p in &mut fresh.ports {
            let new_lc = &fresh.cfg.aggregates[p.aggregate];
            let Some(old) = self.ports.iter_mut().find(|o| o.name == p.name)
            else {
                continue;
            };
            // What the OS says of LACP does not depend on the file.
            p.lacp = old.lacp.take();
            p.lacp_grace_until = old.lacp_grace_until;
            let old_lc = &self.cfg.aggregates[old.aggregate];
            if same_probing(
                old_lc,
                &self.cfg.tunables,
                new_lc,
                &fresh.cfg.tunables,
            ) {
                std::mem::swap(&mut p.link, &mut old.link);
                std::mem::swap(&mut p.probes, &mut old.probes);
                p.healthy = old.healthy;
                p.changed_at = old.changed_at;
                p.reason = old.reason;
                p.reported = old.reported;
            }
        }
        // The detectors left in the old ports are those replaced (or the
        // new ones swapped in, which have counted nothing): their counts
        // stay with the port's name.
        for old in &self.ports {
            for (_, d, _) in &old.probes {
                fresh.tally.retire(&old.name, &d.counters());
            }
        }
        // Aggregate policies kept whole (with the operator's offline
        // ports, which the reload then ends).
        let mut kept = Vec::new();
        for (a, agg) in fresh.aggregates.iter_mut().enumerate() {
            let name = &fresh.cfg.aggregates[a].name;
            if let Some(k) =
                self.cfg.aggregates.iter().position(|o| &o.name == name)
            {
                if self.aggregates[k].config() == agg.config() {
                    *agg = self.aggregates[k].clone();
                    kept.push(a);
                    fresh.lacp_retry[a] = self.lacp_retry[k];
                    if !self.unasserted.contains(&k) {
                        fresh.unasserted.remove(&a);
                    }
                }
            }
        }
        for (g, group) in fresh.redundancy.iter_mut().enumerate() {
            let c = &fresh.cfg.redundancy[g];
            if let Some(k) =
                self.cfg.redundancy.iter().position(|o| o.name == c.name)
            {
                let old = &self.cfg.redundancy[k];
                *group = if old == c {
                    self.redundancy[k].clone()
                } else {
                    self.redundancy[k].reconfigured(
                        c.to_redundancy_config(),
                        old.effector == c.effector,
                        now,
                    )
                };
            }
        }
        // Redundancy groups gone or given another effector: take back
        // what they applied.
        for (k, old) in self.cfg.redundancy.iter().enumerate() {
            let kept = fresh
                .cfg
                .redundancy
                .iter()
                .any(|c| c.name == old.name && c.effector == old.effector);
            let applied = self.redundancy[k].applied();
            if !kept && applied.is_some_and(|e| e != HaEffect::default()) {
                fresh.actions.push(LaggAction::ApplyHa {
                    group: old.name.clone(),
                    effector: old.effector.clone(),
                    effect: HaEffect::default(),
                });
            }
        }
        let old_disabled = self.err_disabled();
        let old_down = self.taken_down();
        let old_ports: Vec<(String, String)> = self
            .port_verdicts()
            .into_iter()
            .map(|(a, p, _)| (a, p))
            .collect();
        // The operator's offline ports: a reload ends maintenance.
        let offline: Vec<(String, String)> = self
            .cfg
            .aggregates
            .iter()
            .zip(&self.aggregates)
            .flat_map(|(lc, agg)| {
                lc.ports
                    .iter()
                    .filter(|p| agg.is_offline(p))
                    .map(|p| (lc.name.clone(), p.clone()))
            })
            .collect();
        *self = fresh;
        self.end_offline(&kept, &offline, now);
        self.evaluate(now);
        // What the old configuration had brought down and the new one
        // does not: bring it back.
        let disabled = self.err_disabled();
        let down = self.taken_down();
        for iface in old_disabled.iter().filter(|i| !disabled.contains(i)) {
            self.log(
                Level::Err,
                LogKind::State,
                msg::no_longer_err_disabled(iface),
            );
            self.actions.push(LaggAction::SetInterfaceUp {
                iface: iface.clone(),
                up: true,
            });
        }
        for agg in old_down.iter().filter(|a| !down.contains(a)) {
            self.log(Level::Err, LogKind::State, msg::no_longer_min_links(agg));
            self.actions.push(LaggAction::SetInterfaceUp {
                iface: agg.clone(),
                up: true,
            });
        }
        // An aggregate no longer configured gets its full port set back.
        let gone: Vec<(String, Vec<String>)> = old_ports
            .into_iter()
            .filter(|(a, _)| self.cfg.aggregate(a).is_none())
            .fold(Vec::new(), |mut acc: Vec<(String, Vec<String>)>, (a, p)| {
                match acc.iter_mut().find(|(n, _)| *n == a) {
                    Some((_, ps)) => ps.push(p),
                    None => acc.push((a, vec![p])),
                }
                acc
            });
        for (aggregate, ports) in gone {
            self.actions
                .push(LaggAction::SetMembership { aggregate, ports });
        }
    }

    /// Puts back, after a reload, the ports that were `offline`: a
    /// kept aggregate policy still holds them offline and lets them go
    /// (logging each); a fresh one never had them, so they are only
    /// logged.
    fn end_offline(
        &mut self,
        kept: &[usize],
        offline: &[(String, String)],
        now: Instant,
    ) {
        for &a in kept {
            let mut out = Vec::new();
            self.aggregates[a].clear_offline(&mut out);
            self.aggregate_events(a, out, now);
        }
        for (agg, port) in offline {
            let Some(a) =
                self.cfg.aggregates.iter().position(|l| &l.name == agg)
            else {
                continue;
            };
            if kept.contains(&a) || !self.cfg.aggregates[a].ports.contains(port)
            {
                continue;
            }
            let healthy = self.aggregates[a].is_healthy(port);
            let why = self.port_reason(port);
            self.log(
                Level::Err,
                LogKind::State,
                msg::port_online(agg, port, healthy, why),
            );
        }
    }

    /// At exit: undo what laggd did (err-disabled downstream interfaces,
    /// aggregates held down by min-links, ports out of service, HA
    /// demotions), so that a stopped laggd leaves the system as it would
    /// be without it.
    pub fn shutdown(&mut self) {
        for iface in self.err_disabled().into_iter().chain(self.taken_down()) {
            self.actions
                .push(LaggAction::SetInterfaceUp { iface, up: true });
        }
        for (a, lc) in self.cfg.aggregates.iter().enumerate() {
            if self.aggregates[a].membership() != lc.ports.as_slice() {
                self.actions.push(LaggAction::SetMembership {
                    aggregate: lc.name.clone(),
                    ports: lc.ports.clone(),
                });
            }
        }
        for (g, c) in self.cfg.redundancy.iter().enumerate() {
            if self.redundancy[g]
                .applied()
                .is_some_and(|e| e != HaEffect::default())
            {
                self.actions.push(LaggAction::ApplyHa {
                    group: c.name.clone(),
                    effector: c.effector.clone(),
                    effect: HaEffect::default(),
                });
            }
        }
    }

    /// Downstream interfaces link-state tracking holds down.
    fn err_disabled(&self) -> Vec<String> {
        self.tracking
            .view()
            .into_iter()
            .flat_map(|v| v.downstream)
            .filter(|(_, disabled)| *disabled)
            .map(|(name, _)| name)
            .collect()
    }

    /// Aggregates min-links holds down.
    fn taken_down(&self) -> Vec<String> {
        self.aggregates
            .iter()
            .filter(|a| {
                a.min_links_down()
                    && a.config().min_links_action
                        == crate::laggd::aggregate::MinLinksAction::BringDown
            })
            .map(|a| a.config().name.clone())
            .collect()
    }
}
