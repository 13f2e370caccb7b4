//! One link aggregate (lagg(4), or a Linux bond) and the ports laggd
//! watches in it.
//!
//! Each port's health comes from its link and from probes sent through
//! the port itself (the caller combines them; see [`crate::link`] and
//! [`crate::probe`]). From the ports' health this decides:
//!
//! - **membership**: the ports that should carry traffic, in the
//!   operator's master order. A failed port leaves, a repaired one comes
//!   back. FreeBSD's failover master is the first port *added*, so the
//!   backend restores the order by re-adding the ports that follow a
//!   returning one (documented in laggd(8)). If every port has failed,
//!   nothing is removed: like an IPMP group failure, the cause is more
//!   likely shared (the probe targets) than every port at once.
//! - **min-links** (seed 001): fewer than `min_links` live ports makes the
//!   aggregate count as down; the configured action (bring it down, or
//!   only report) is applied, and undone on recovery.
//! - **link-failure-threshold** (seed 001): more than that many bad ports
//!   mark the aggregate "bad score" for the HA layer, even while it is up.
//!
//! A port not yet reported counts as live, so nothing is removed before
//! the first observation.
//!
//! A port is *in service* (wanted in the aggregate) while it is healthy
//! and the operator has not taken it offline; it is *live* (counted for
//! min-links and the failure threshold) while it is in service and, in
//! an LACP aggregate, LACP aggregated it ([`crate::laggd::lacp`]). A
//! port LACP did not aggregate stays in the aggregate: leaving it would
//! stop the very negotiation that can aggregate it.
//!
//! The operator's offline (if_mpadm's `-d`) takes a port out of service
//! as a failure would, and is refused for the last live port unless
//! forced, as in.mpathd refuses to offline the last working member.

use std::collections::{BTreeMap, BTreeSet};

/// What min-links does when too few ports are live.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MinLinksAction {
    /// Bring the aggregate interface down (and up again on recovery).
    BringDown,
    /// Only report it (and tell the HA layer).
    Report,
}

/// An aggregate's configuration.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct AggregateConfig {
    /// Aggregate interface, e.g. `lagg0` or `bond0`.
    pub name: String,
    /// Its ports, in master order (first = preferred).
    pub ports: Vec<String>,
    /// Fewest live ports for the aggregate to count as up (0: off).
    pub min_links: usize,
    /// What to do below `min_links`.
    pub min_links_action: MinLinksAction,
    /// More bad ports than this mark the aggregate "bad score".
    pub link_failure_threshold: Option<usize>,
}

/// Something the aggregate decided.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum AggregateEvent {
    /// A port failed; `why` says how (link, probes).
    PortFailed {
        /// Port.
        port: String,
        /// Reason, for the log.
        why: String,
    },
    /// A port was repaired.
    PortRepaired {
        /// Port.
        port: String,
        /// Reason, for the log.
        why: String,
    },
    /// The ports that should be in the aggregate now, in master order.
    Membership(Vec<String>),
    /// Every port failed: membership is left alone.
    AllPortsFailed,
    /// Fewer than min-links ports are live.
    MinLinksDown {
        /// Live ports.
        live: usize,
        /// The minimum.
        min: usize,
        /// Whether to bring the aggregate down.
        bring_down: bool,
    },
    /// Enough ports are live again.
    MinLinksUp {
        /// Live ports.
        live: usize,
        /// The minimum.
        min: usize,
        /// Whether to bring the aggregate back up.
        bring_up: bool,
    },
    /// The operator took a port out of service.
    PortOffline {
        /// Port.
        port: String,
        /// It was the last live port, and the operator insisted.
        forced: bool,
    },
    /// The operator put a port back; it is in service again if healthy.
    PortOnline {
        /// Port.
        port: String,
        /// Healthy: back in service now (else once repaired).
        healthy: bool,
    },
    /// LACP aggregated a port in service, or no longer does.
    Aggregated {
        /// Port.
        port: String,
        /// Aggregated (live) or not.
        aggregated: bool,
    },
    /// More than link-failure-threshold ports are bad (true) or no
    /// longer (false).
    BadScore {
        /// Bad ports.
        bad: usize,
        /// The threshold.
        threshold: usize,
        /// Marked or cleared.
        marked: bool,
    },
}

/// Why the operator's offline was refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum OfflineError {
    /// Not a port of this aggregate.
    #[error("{0} is not a port of this aggregate")]
    UnknownPort(String),
    /// Offline already.
    #[error("{0} is offline already")]
    AlreadyOffline(String),
    /// Online while not offline.
    #[error("{0} is not offline")]
    NotOffline(String),
    /// The last live port, not forced.
    #[error(
        "{port} is the last live port of {aggregate}: taking it offline \
         would leave {aggregate} without a working port (say `force` to \
         do it anyway)"
    )]
    LastLivePort {
        /// Port.
        port: String,
        /// Aggregate.
        aggregate: String,
    },
}

/// One aggregate's policy state.
#[derive(Clone, Debug)]
pub struct Aggregate {
    cfg: AggregateConfig,
    /// Reported health per port; absent: not reported yet (live).
    healthy: BTreeMap<String, bool>,
    /// Ports the operator took out of service.
    offline: BTreeSet<String>,
    /// Ports in service that LACP has not aggregated.
    unaggregated: BTreeSet<String>,
    min_links_down: bool,
    bad_score: bool,
    membership: Vec<String>,
}

impl Aggregate {
    /// A new aggregate; every port counts as live until reported.
    pub fn new(cfg: AggregateConfig) -> Aggregate {
        let membership = cfg.ports.clone();
        Aggregate {
            cfg,
            healthy: BTreeMap::new(),
            offline: BTreeSet::new(),
            unaggregated: BTreeSet::new(),
            min_links_down: false,
            bad_score: false,
            membership,
        }
    }

    /// Configuration.
    pub fn config(&self) -> &AggregateConfig {
        &self.cfg
    }

    /// Whether `port` is healthy (or not yet reported).
    pub fn is_healthy(&self, port: &str) -> bool {
        self.healthy.get(port).copied().unwrap_or(true)
    }

    /// Whether the operator took `port` out of service.
    pub fn is_offline(&self, port: &str) -> bool {
        self.offline.contains(port)
    }

    /// Whether `port` should carry traffic: healthy and not offline.
    pub fn in_service(&self, port: &str) -> bool {
        self.is_healthy(port) && !self.is_offline(port)
    }

    /// Whether `port` is live: in service and, in an LACP aggregate,
    /// aggregated.
    pub fn is_live(&self, port: &str) -> bool {
        self.in_service(port) && !self.unaggregated.contains(port)
    }

    /// Whether LACP has been said not to aggregate `port`.
    pub fn is_unaggregated(&self, port: &str) -> bool {
        self.unaggregated.contains(port)
    }

    /// Live ports.
    pub fn live(&self) -> usize {
        self.cfg.ports.iter().filter(|p| self.is_live(p)).count()
    }

    /// The ports that should carry traffic, in master order.
    pub fn membership(&self) -> &[String] {
        &self.membership
    }

    /// Below min-links.
    pub fn min_links_down(&self) -> bool {
        self.min_links_down
    }

    /// Bad score for the HA layer.
    pub fn bad_score(&self) -> bool {
        self.bad_score
    }

    /// The aggregate as a tracked object for redundancy groups: down when
    /// below min-links or marked bad.
    pub fn object_up(&self) -> bool {
        !self.min_links_down && !self.bad_score
    }

    /// A port's health changed.
    pub fn set_port(
        &mut self,
        port: &str,
        healthy: bool,
        why: &str,
        out: &mut Vec<AggregateEvent>,
    ) {
        if !self.cfg.ports.iter().any(|p| p == port) {
            return;
        }
        let was = self.is_healthy(port);
        self.healthy.insert(port.to_string(), healthy);
        if was != healthy {
            out.push(if healthy {
                AggregateEvent::PortRepaired {
                    port: port.to_string(),
                    why: why.to_string(),
                }
            } else {
                AggregateEvent::PortFailed {
                    port: port.to_string(),
                    why: why.to_string(),
                }
            });
        }
        self.reevaluate(out);
    }

    /// The operator takes `port` out of service (if_mpadm -d); refused
    /// for the last live port unless `force`.
    pub fn set_offline(
        &mut self,
        port: &str,
        force: bool,
        out: &mut Vec<AggregateEvent>,
    ) -> Result<(), OfflineError> {
        if !self.cfg.ports.iter().any(|p| p == port) {
            return Err(OfflineError::UnknownPort(port.to_string()));
        }
        if self.is_offline(port) {
            return Err(OfflineError::AlreadyOffline(port.to_string()));
        }
        let last = self.is_live(port) && self.live() == 1;
        if last && !force {
            return Err(OfflineError::LastLivePort {
                port: port.to_string(),
                aggregate: self.cfg.name.clone(),
            });
        }
        self.offline.insert(port.to_string());
        self.unaggregated.remove(port);
        out.push(AggregateEvent::PortOffline {
            port: port.to_string(),
            forced: last,
        });
        self.reevaluate(out);
        Ok(())
    }

    /// The operator puts `port` back (if_mpadm -r): in service again
    /// if it is healthy.
    pub fn set_online(
        &mut self,
        port: &str,
        out: &mut Vec<AggregateEvent>,
    ) -> Result<(), OfflineError> {
        if !self.cfg.ports.iter().any(|p| p == port) {
            return Err(OfflineError::UnknownPort(port.to_string()));
        }
        if !self.offline.remove(port) {
            return Err(OfflineError::NotOffline(port.to_string()));
        }
        out.push(AggregateEvent::PortOnline {
            port: port.to_string(),
            healthy: self.is_healthy(port),
        });
        self.reevaluate(out);
        Ok(())
    }

    /// Every port offline back online (a reload ends maintenance).
    pub fn clear_offline(&mut self, out: &mut Vec<AggregateEvent>) {
        for port in std::mem::take(&mut self.offline) {
            out.push(AggregateEvent::PortOnline {
                healthy: self.is_healthy(&port),
                port,
            });
        }
        self.reevaluate(out);
    }

    /// What LACP says of `port` (only a port in service can be
    /// aggregated; the caller decides what counts, see
    /// [`crate::laggd::lacp`]).
    pub fn set_aggregated(
        &mut self,
        port: &str,
        aggregated: bool,
        out: &mut Vec<AggregateEvent>,
    ) {
        if !self.cfg.ports.iter().any(|p| p == port) {
            return;
        }
        let changed = if aggregated {
            self.unaggregated.remove(port)
        } else {
            self.unaggregated.insert(port.to_string())
        };
        if !changed {
            return;
        }
        if self.in_service(port) {
            out.push(AggregateEvent::Aggregated {
                port: port.to_string(),
                aggregated,
            });
        }
        self.reevaluate(out);
    }

    fn reevaluate(&mut self, out: &mut Vec<AggregateEvent>) {
        let serving: Vec<String> = self
            .cfg
            .ports
            .iter()
            .filter(|p| self.in_service(p))
            .cloned()
            .collect();
        let live = self.live();
        let wanted = if serving.is_empty() {
            if !self.cfg.ports.is_empty() && self.membership != self.cfg.ports {
                out.push(AggregateEvent::AllPortsFailed);
            }
            // Never emptied: the failed ports stay, an offline one leaves
            // if any other is left.
            let kept: Vec<String> = self
                .membership
                .iter()
                .filter(|p| !self.is_offline(p))
                .cloned()
                .collect();
            if kept.is_empty() {
                self.membership.clone()
            } else {
                kept
            }
        } else {
            serving
        };
        if wanted != self.membership {
            self.membership = wanted.clone();
            out.push(AggregateEvent::Membership(wanted));
        }
        let min = self.cfg.min_links;
        let below = min > 0 && live < min;
        let bring = self.cfg.min_links_action == MinLinksAction::BringDown;
        if below != self.min_links_down {
            self.min_links_down = below;
            out.push(if below {
                AggregateEvent::MinLinksDown {
                    live,
                    min,
                    bring_down: bring,
                }
            } else {
                AggregateEvent::MinLinksUp {
                    live,
                    min,
                    bring_up: bring,
                }
            });
        }
        if let Some(threshold) = self.cfg.link_failure_threshold {
            let bad = self.cfg.ports.len() - live;
            let marked = bad > threshold;
            if marked != self.bad_score {
                self.bad_score = marked;
                out.push(AggregateEvent::BadScore {
                    bad,
                    threshold,
                    marked,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agg(min: usize, thr: Option<usize>) -> Aggregate {
        Aggregate::new(AggregateConfig {
            name: "lagg0".into(),
            ports: vec!["em0".into(), "em1".into(), "em2".into()],
            min_links: min,
            min_links_action: MinLinksAction::BringDown,
            link_failure_threshold: thr,
        })
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn failed_ports_leave_and_come_back_in_master_order() {
        let mut a = agg(0, None);
        let mut out = Vec::new();
        a.set_port("em0", false, "probes lost", &mut out);
        assert_eq!(
            out,
            vec![
                AggregateEvent::PortFailed {
                    port: "em0".into(),
                    why: "probes lost".into()
                },
                AggregateEvent::Membership(names(&["em1", "em2"]))
            ]
        );
        out.clear();
        a.set_port("em0", true, "10 replies", &mut out);
        assert_eq!(
            out.last(),
            Some(&AggregateEvent::Membership(names(&["em0", "em1", "em2"])))
        );
    }

    #[test]
    fn all_ports_failing_removes_nothing() {
        let mut a = agg(0, None);
        let mut out = Vec::new();
        for p in ["em0", "em1"] {
            a.set_port(p, false, "link down", &mut out);
        }
        out.clear();
        a.set_port("em2", false, "link down", &mut out);
        assert!(out.contains(&AggregateEvent::AllPortsFailed));
        assert_eq!(a.membership(), names(&["em2"]).as_slice());
    }

    #[test]
    fn min_links_takes_the_aggregate_down_and_back() {
        let mut a = agg(2, None);
        let mut out = Vec::new();
        a.set_port("em0", false, "link", &mut out);
        assert!(!a.min_links_down(), "2 of 3 live");
        a.set_port("em1", false, "link", &mut out);
        assert!(out.contains(&AggregateEvent::MinLinksDown {
            live: 1,
            min: 2,
            bring_down: true
        }));
        assert!(!a.object_up());
        out.clear();
        a.set_port("em1", true, "link", &mut out);
        assert!(out.contains(&AggregateEvent::MinLinksUp {
            live: 2,
            min: 2,
            bring_up: true
        }));
    }

    #[test]
    fn link_failure_threshold_marks_bad_score_while_up() {
        let mut a = agg(1, Some(1));
        let mut out = Vec::new();
        a.set_port("em0", false, "link", &mut out);
        assert!(!a.bad_score(), "1 bad is not more than 1");
        a.set_port("em1", false, "link", &mut out);
        assert!(a.bad_score());
        assert!(!a.min_links_down(), "still one live port");
        assert!(out.contains(&AggregateEvent::BadScore {
            bad: 2,
            threshold: 1,
            marked: true
        }));
        a.set_port("em0", true, "link", &mut out);
        assert!(!a.bad_score());
    }

    #[test]
    fn offline_takes_a_port_out_but_never_the_last_live_one_unforced() {
        let mut a = agg(2, Some(0));
        let mut out = Vec::new();
        a.set_offline("em0", false, &mut out).unwrap();
        assert_eq!(
            out[..2],
            [
                AggregateEvent::PortOffline {
                    port: "em0".into(),
                    forced: false
                },
                AggregateEvent::Membership(names(&["em1", "em2"]))
            ]
        );
        assert!(out.contains(&AggregateEvent::BadScore {
            bad: 1,
            threshold: 0,
            marked: true
        }));
        assert_eq!(a.live(), 2);
        assert_eq!(
            a.set_offline("em0", false, &mut out),
            Err(OfflineError::AlreadyOffline("em0".into()))
        );
        a.set_port("em1", false, "link down", &mut out);
        assert!(a.min_links_down());
        // em2 is the last live port.
        let e = a.set_offline("em2", false, &mut out).unwrap_err();
        assert!(matches!(e, OfflineError::LastLivePort { .. }), "{e}");
        assert!(e.to_string().contains("say `force`"), "{e}");
        // A failed port is no live port: it may go.
        a.set_offline("em1", false, &mut out).unwrap();
        out.clear();
        a.set_offline("em2", true, &mut out).unwrap();
        assert_eq!(
            out[0],
            AggregateEvent::PortOffline {
                port: "em2".into(),
                forced: true
            }
        );
        assert_eq!(a.live(), 0);
        // Never emptied: the last port stays in.
        assert_eq!(a.membership(), names(&["em2"]).as_slice());
        out.clear();
        a.set_online("em0", &mut out).unwrap();
        assert_eq!(
            out[..2],
            [
                AggregateEvent::PortOnline {
                    port: "em0".into(),
                    healthy: true
                },
                AggregateEvent::Membership(names(&["em0"]))
            ]
        );
        assert_eq!(
            a.set_online("em0", &mut out),
            Err(OfflineError::NotOffline("em0".into()))
        );
        out.clear();
        a.clear_offline(&mut out);
        assert!(out.contains(&AggregateEvent::PortOnline {
            port: "em1".into(),
            healthy: false
        }));
        assert_eq!(a.membership(), names(&["em0", "em2"]).as_slice());
        assert_eq!(
            a.set_offline("em9", false, &mut out),
            Err(OfflineError::UnknownPort("em9".into()))
        );
    }

    #[test]
    fn a_port_lacp_did_not_aggregate_stays_in_but_is_not_live() {
        let mut a = agg(3, Some(0));
        let mut out = Vec::new();
        a.set_aggregated("em1", false, &mut out);
        assert_eq!(
            out[0],
            AggregateEvent::Aggregated {
                port: "em1".into(),
                aggregated: false
            }
        );
        assert_eq!(a.membership(), names(&["em0", "em1", "em2"]).as_slice());
        assert_eq!(a.live(), 2);
        assert!(a.min_links_down() && a.bad_score());
        out.clear();
        a.set_aggregated("em1", false, &mut out);
        assert!(out.is_empty(), "no news");
        a.set_aggregated("em1", true, &mut out);
        assert!(out.contains(&AggregateEvent::MinLinksUp {
            live: 3,
            min: 3,
            bring_up: true
        }));
    }

    #[test]
    fn unknown_ports_are_ignored_and_unreported_ports_are_live() {
        let mut a = agg(3, None);
        let mut out = Vec::new();
        a.set_port("em9", false, "link", &mut out);
        assert!(out.is_empty());
        assert_eq!(a.live(), 3);
    }
}
