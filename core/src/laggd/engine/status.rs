//! The engine's state for the control socket ([`LaggStatus`]).

use std::time::Duration;

use crate::laggd::aggregate::Aggregate;
use crate::laggd::aggregate::MinLinksAction;
use crate::laggd::config::{ObjectKind, TargetRule, UpstreamHealth};
use crate::laggd::lacp::{LacpPort, Mac};
use crate::laggd::redundancy::{HaEffect, TrackEffect};
use crate::laggd::tracking::TrackingState;
use crate::link::LinkState;
use crate::probe::{Counters, TargetState, Verdict};
use crate::time::Instant;
use mpath_proto::laggd::{
    AggregateStatus, LacpStatus, LaggStatus, PortStatus, PortTarget,
    RedundancyStatus, TrackStatus, TrackedInterface, TrackingGroupStatus,
};

use super::{LaggEngine, Port};

fn us(d: Option<Duration>) -> Option<u64> {
    d.map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// What port `p`'s live detectors counted, every family.
fn live_counters(p: &Port) -> Counters {
    let mut c = Counters::default();
    for (_, d, _) in &p.probes {
        c.add(&d.counters());
    }
    c
}

fn lacp_status(l: &LacpPort) -> LacpStatus {
    LacpStatus {
        aggregated: l.aggregated(),
        active: l.active,
        collecting: l.collecting,
        distributing: l.distributing,
        aggregator: l.aggregator,
        active_aggregator: l.active_aggregator,
        partner: l.partner.as_ref().map(|m| Mac(m).to_string()),
    }
}

fn up_down(up: Option<bool>) -> String {
    match up {
        Some(true) => "up",
        Some(false) => "down",
        None => "unknown",
    }
    .to_string()
}

impl LaggEngine {
    /// Everything, as of `now`.
    pub fn status(&self, now: Instant) -> LaggStatus {
        LaggStatus {
            aggregates: (0..self.cfg.aggregates.len())
                .map(|a| self.aggregate_status(a, now))
                .collect(),
            tracking: self.tracking_status(),
            redundancy: self.redundancy_status(),
        }
    }

    fn aggregate_status(&self, a: usize, now: Instant) -> AggregateStatus {
        let lc = &self.cfg.aggregates[a];
        let policy = &self.aggregates[a];
        let link = self.links.get(&lc.name);
        let active = self.active.get(&lc.name).cloned().flatten();
        let ports = self
            .ports
            .iter()
            .filter(|p| p.aggregate == a)
            .map(|p| self.port_status(p, policy, &active, now))
            .collect();
        AggregateStatus {
            name: lc.name.clone(),
            present: link.is_some(),
            admin_up: link.is_some_and(|l| l.admin_up),
            protocol: None,
            active_port: active.clone(),
            in_service: policy.membership().to_vec(),
            live: policy.live(),
            min_links: lc.min_links,
            min_links_action: match lc.min_links_action {
                MinLinksAction::BringDown => "down",
                MinLinksAction::Report => "report",
            }
            .to_string(),
            below_min_links: policy.min_links_down(),
            failure_threshold: lc.link_failure_threshold,
            bad_score: policy.bad_score(),
            rule: match lc.rule {
                TargetRule::Any => "any".to_string(),
                TargetRule::All => "all".to_string(),
                TargetRule::AtLeast(n) => n.to_string(),
            },
            fdt_ms: ms(lc.fdt(&self.cfg.tunables)),
            targets: lc.targets.iter().map(ToString::to_string).collect(),
            ports,
        }
    }

    fn port_status(
        &self,
        p: &Port,
        policy: &Aggregate,
        active: &Option<String>,
        now: Instant,
    ) -> PortStatus {
        let in_service = policy.membership();
        let offline = policy.is_offline(&p.name);
        let probe = if p.probes.is_empty() {
            "disabled"
        } else if p
            .probes
            .iter()
            .any(|(_, d, _)| d.verdict() == Verdict::Failed)
        {
            "failed"
        } else if p.probes.iter().all(|(_, d, _)| d.verdict() == Verdict::Ok) {
            "ok"
        } else {
            "unknown"
        };
        let targets = p
            .probes
            .iter()
            .flat_map(|(_, d, _)| d.targets())
            .map(|t| PortTarget {
                address: t.addr.to_string(),
                state: match t.state {
                    TargetState::Active => "ok",
                    TargetState::Unused => "unused",
                    TargetState::Slow => "slow",
                    TargetState::Dead => "dead",
                }
                .to_string(),
                rtt_avg_us: us(t.rtt_avg),
                rtt_dev_us: us(t.rtt_dev),
            })
            .collect();
        PortStatus {
            name: p.name.clone(),
            present: self.links.contains_key(&p.name),
            link: match p.link.state() {
                LinkState::Up => "up",
                LinkState::Down => "down",
                LinkState::Unknown => "unknown",
            }
            .to_string(),
            probe: probe.to_string(),
            state: match (offline, p.healthy) {
                (true, _) => "offline",
                (false, Some(true)) => "ok",
                (false, Some(false)) => "failed",
                (false, None) => "unknown",
            }
            .to_string(),
            in_service: in_service.contains(&p.name),
            active: active.as_deref() == Some(p.name.as_str()),
            targets,
            changed_ms_ago: p.changed_at.map(|t| ms(now.saturating_since(t))),
            reason: if offline {
                "offline by the operator".to_string()
            } else if policy.in_service(&p.name)
                && policy.is_unaggregated(&p.name)
            {
                format!("{}; not aggregated by LACP", p.reason)
            } else {
                p.reason.to_string()
            },
            offline,
            live: policy.is_live(&p.name),
            lacp: p.lacp.as_ref().map(lacp_status),
            counters: self.tally.port(&p.name, &live_counters(p)),
        }
    }

    fn tracking_status(&self) -> Vec<TrackingGroupStatus> {
        let views = self.tracking.view();
        self.cfg
            .tracking
            .iter()
            .map(|g| {
                let view = views.iter().find(|v| v.name == g.name);
                let upstream = g
                    .upstream
                    .iter()
                    .map(|u| TrackedInterface {
                        name: u.clone(),
                        state: up_down(
                            view.and_then(|v| {
                                v.upstream.iter().find(|(n, _)| n == u)
                            })
                            .and_then(|(_, s)| *s),
                        ),
                    })
                    .collect();
                let downstream = g
                    .downstream
                    .iter()
                    .map(|d| {
                        let disabled = view.is_some_and(|v| {
                            v.downstream.iter().any(|(n, dis)| n == d && *dis)
                        });
                        TrackedInterface {
                            name: d.clone(),
                            state: if disabled {
                                "disabled".to_string()
                            } else {
                                up_down(
                                    self.links
                                        .contains_key(d)
                                        .then(|| self.link_up(d)),
                                )
                            },
                        }
                    })
                    .collect();
                let state = view.map(|v| v.state);
                TrackingGroupStatus {
                    name: g.name.clone(),
                    state: match state {
                        Some(TrackingState::Up) | None => "up",
                        Some(TrackingState::Down) => "down",
                        Some(TrackingState::Disabled) => "disabled",
                    }
                    .to_string(),
                    runtime: (state == Some(TrackingState::Disabled))
                        == g.enabled,
                    health: match g.health {
                        UpstreamHealth::Link => "link",
                        UpstreamHealth::Probe => "probe",
                    }
                    .to_string(),
                    upstream,
                    downstream,
                    downs: self.tally.downs(&g.name),
                }
            })
            .collect()
    }

    fn redundancy_status(&self) -> Vec<RedundancyStatus> {
        self.cfg
            .redundancy
            .iter()
            .zip(&self.redundancy)
            .map(|(c, g)| RedundancyStatus {
                name: c.name.clone(),
                effector: c
                    .effector
                    .as_ref()
                    .map_or_else(|| "none".to_string(), ToString::to_string),
                priority: c.priority,
                current_priority: g.priority(),
                failover_threshold: c.failover_threshold,
                preempt: c.preempt,
                faulted: g.faulted(),
                applied_demotion: g.applied().map(|e| match e {
                    HaEffect::Demote(d) => u32::from(d),
                    HaEffect::Yield | HaEffect::Resign => u32::from(c.priority),
                }),
                applied: g.applied().map(|e| e.to_string()),
                role: g.role().to_string(),
                switchover: g.switched_over(),
                held: g.held(),
                tracks: c
                    .tracks
                    .iter()
                    .map(|t| TrackStatus {
                        object: t.object.clone(),
                        kind: match self.cfg.object_kind(&t.object) {
                            ObjectKind::Aggregate => "aggregate",
                            ObjectKind::Port => "port",
                            ObjectKind::TrackingGroup => "track-group",
                            ObjectKind::Interface => "interface",
                        }
                        .to_string(),
                        effect: match t.effect {
                            TrackEffect::Decrement(n) => {
                                format!("decrement {n}")
                            }
                            TrackEffect::Shutdown => "shutdown".to_string(),
                        },
                        up: !g.is_down(&t.object),
                    })
                    .collect(),
            })
            .collect()
    }
}
