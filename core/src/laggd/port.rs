//! One port's health: its link and the probes sent through it.
//!
//! laggd probes a port with ARP requests (IPv4) or neighbour
//! solicitations (IPv6) sent as raw frames through the port itself. Those
//! carry no sequence number or nonce, so [`ArpProbes`] pairs each reply
//! with the newest request still outstanding to the replying target and
//! hands the port's probe detector an echo reply made from that request.
//! The detector then applies in.mpathd's timing as for ICMP: five lost
//! probes fail the port, ten replies repair it. A reply validates only if
//! it comes from a target we asked (the caller also checks that it is
//! addressed to our sender address), and only a request still
//! outstanding can be answered, so other hosts' ARP traffic cannot keep a
//! dead port alive.
//!
//! With several targets the operator picks how many must answer:
//!
//! | rule        | port healthy when (link up and)                      |
//! |-------------|------------------------------------------------------|
//! | `any`       | the detector's verdict is ok (any target answers)    |
//! | `all`       | ok, and no target has stopped answering              |
//! | `at least N`| ok, and at least N targets still answer              |

use std::collections::BTreeMap;
use std::net::IpAddr;

pub use crate::laggd::config::TargetRule;
use crate::link::{LinkDetector, LinkState};
use crate::probe::{
    EchoReply, ProbeDetector, ProbeRequest, TargetState, Verdict,
};
use crate::time::Instant;

/// The newest outstanding request per target, to pair replies with.
#[derive(Clone, Debug, Default)]
pub struct ArpProbes {
    outstanding: BTreeMap<IpAddr, ProbeRequest>,
}

impl ArpProbes {
    /// A request was sent (as an ARP request or NS to `req.dst`).
    pub fn sent(&mut self, req: &ProbeRequest) {
        self.outstanding.insert(req.dst, *req);
    }

    /// `target` answered at `received_at`: the echo reply the detector
    /// should see, or `None` if no request to it is outstanding.
    pub fn reply(
        &mut self,
        target: IpAddr,
        received_at: Instant,
    ) -> Option<EchoReply> {
        let req = self.outstanding.remove(&target)?;
        Some(EchoReply::answering(&req, target, received_at))
    }
}

/// Whether a port is healthy, from its link and its probe detector.
/// `None` while nothing is known yet (the port counts as live).
pub fn port_healthy(
    link: &LinkDetector,
    probes: Option<&ProbeDetector>,
    rule: TargetRule,
) -> Option<bool> {
    match link.state() {
        LinkState::Down => return Some(false),
        LinkState::Unknown if probes.is_none() => return None,
        LinkState::Up | LinkState::Unknown => {}
    }
    let Some(d) = probes else {
        return Some(true);
    };
    match d.verdict() {
        Verdict::Failed => Some(false),
        Verdict::NoTargets => Some(true),
        Verdict::Ok => {
            let targets = d.targets();
            let answering = targets
                .iter()
                .filter(|t| t.state != TargetState::Dead)
                .count();
            Some(answering >= rule.required(targets.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::addr::Family;
    use crate::link::LinkConfig;
    use crate::probe::{ProbeConfig, ProbeEvent, ProbeKind};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn replies_pair_with_the_newest_outstanding_request_once() {
        let mut a = ArpProbes::default();
        let req = |seq, t| ProbeRequest {
            kind: ProbeKind::Uni,
            dst: ip("192.0.2.1"),
            id: 7,
            seq,
            nonce: u64::from(seq) * 11,
            sent_at: Instant::from_millis(t),
        };
        a.sent(&req(1, 100));
        a.sent(&req(2, 200));
        let r = a.reply(ip("192.0.2.1"), Instant::from_millis(201)).unwrap();
        assert_eq!(
            (r.seq, r.nonce, r.timestamp),
            (2, 22, Instant::from_millis(200))
        );
        assert!(a
            .reply(ip("192.0.2.1"), Instant::from_millis(202))
            .is_none());
        assert!(a
            .reply(ip("192.0.2.9"), Instant::from_millis(202))
            .is_none());
    }

    /// A port probed through ArpProbes: all targets answer for 2 s, then
    /// `dead` stops answering.
    fn port(rule: TargetRule, dead: &[&str]) -> Option<bool> {
        let now0 = Instant::from_secs(10);
        let mut link = LinkDetector::new(LinkConfig::default(), now0);
        link.on_carrier(Some(true), now0, &mut Vec::new());
        let cfg = ProbeConfig {
            fdt: Duration::from_millis(1000),
            ..ProbeConfig::default()
        };
        let mut d = ProbeDetector::new(cfg, Family::V4, 7, 1, now0);
        d.end_quiet_period();
        let targets = [ip("192.0.2.1"), ip("192.0.2.2"), ip("192.0.2.3")];
        d.set_explicit_targets(&targets, now0);
        let mut arp = ArpProbes::default();
        let mut now = now0;
        let end = now0 + Duration::from_secs(8);
        while now < end {
            let mut ev = Vec::new();
            d.poll(now, &mut ev);
            for e in ev {
                if let ProbeEvent::Send(req) = e {
                    arp.sent(&req);
                    let silent = now > now0 + Duration::from_secs(2)
                        && dead.iter().any(|x| ip(x) == req.dst);
                    if !silent {
                        let at = now + Duration::from_millis(1);
                        if let Some(r) = arp.reply(req.dst, at) {
                            d.on_reply(&r, at, &mut Vec::new());
                        }
                    }
                }
            }
            now = d
                .next_deadline()
                .unwrap_or(end)
                .max(now + Duration::from_millis(1));
        }
        port_healthy(&link, Some(&d), rule)
    }

    #[test]
    fn rules_any_all_and_at_least() {
        assert_eq!(port(TargetRule::Any, &[]), Some(true));
        assert_eq!(port(TargetRule::All, &[]), Some(true));
        assert_eq!(port(TargetRule::Any, &["192.0.2.3"]), Some(true));
        assert_eq!(port(TargetRule::All, &["192.0.2.3"]), Some(false));
        assert_eq!(port(TargetRule::AtLeast(2), &["192.0.2.3"]), Some(true));
        assert_eq!(
            port(TargetRule::AtLeast(2), &["192.0.2.2", "192.0.2.3"]),
            Some(false)
        );
        assert_eq!(
            port(TargetRule::Any, &["192.0.2.1", "192.0.2.2", "192.0.2.3"]),
            Some(false),
            "every target silent: the port itself failed"
        );
    }

    #[test]
    fn link_down_is_unhealthy_whatever_the_probes() {
        let now = Instant::from_secs(1);
        let mut link = LinkDetector::new(LinkConfig::default(), now);
        assert_eq!(port_healthy(&link, None, TargetRule::Any), None);
        link.on_carrier(Some(false), now, &mut Vec::new());
        assert_eq!(port_healthy(&link, None, TargetRule::Any), Some(false));
    }
}
