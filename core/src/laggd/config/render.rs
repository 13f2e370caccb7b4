//! Canonical text for a configuration.
//!
//! Each statement's `Display` writes its options in the documented order,
//! leaving out those at their defaults, and breaks the line with ` \`
//! before an option that would pass column [`WIDTH`] (continuation lines
//! are indented by four spaces). [`LaggdConfig::render`] writes a whole
//! file that parses back to the same value, apart from line numbers.

use std::fmt;

use crate::laggd::aggregate::MinLinksAction;
use crate::laggd::redundancy::TrackEffect;

use super::model::{
    Effector, LaggConfig, LaggdConfig, LaggdTunables, RedundancyGroupConf,
    TargetRule, TrackingGroupConf, UpstreamHealth,
};

/// Lines are broken before an option that would end past this column.
pub const WIDTH: usize = 72;

/// Writes `chunks` separated by spaces, continuing onto an indented line
/// before a chunk that would pass [`WIDTH`].
fn wrap(f: &mut fmt::Formatter<'_>, chunks: &[String]) -> fmt::Result {
    let mut col = 0;
    for (i, c) in chunks.iter().enumerate() {
        if i == 0 {
            col = c.len();
            f.write_str(c)?;
        } else if col + 1 + c.len() > WIDTH {
            write!(f, " \\\n    {c}")?;
            col = 4 + c.len();
        } else {
            write!(f, " {c}")?;
            col += 1 + c.len();
        }
    }
    Ok(())
}

fn list<T: fmt::Display>(keyword: &str, items: &[T]) -> String {
    let mut s = keyword.to_string();
    for i in items {
        s.push(' ');
        s.push_str(&i.to_string());
    }
    s
}

impl fmt::Display for LaggdTunables {
    /// `FAILURE_DETECTION_TIME=ms`, always written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "FAILURE_DETECTION_TIME={}",
            self.failure_detection_time.as_millis()
        )
    }
}

impl fmt::Display for TargetRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetRule::Any => f.write_str("any"),
            TargetRule::All => f.write_str("all"),
            TargetRule::AtLeast(n) => write!(f, "{n}"),
        }
    }
}

impl fmt::Display for LaggConfig {
    /// `lagg NAME ports IF... [min-links N] [action report]
    /// [failure-threshold N|off] [targets ADDR...] [rule all|N]
    /// [source ADDR]... [failure-detection-time MS] [up-delay MS]
    /// [down-delay MS] [damping off]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut c =
            vec![format!("lagg {}", self.name), list("ports", &self.ports)];
        if self.min_links > 0 {
            c.push(format!("min-links {}", self.min_links));
        }
        if self.min_links_action == MinLinksAction::Report {
            c.push("action report".into());
        }
        match self.link_failure_threshold {
            Some(0) => {}
            Some(t) => c.push(format!("failure-threshold {t}")),
            None => c.push("failure-threshold off".into()),
        }
        if !self.targets.is_empty() {
            c.push(list("targets", &self.targets));
        }
        if self.rule != TargetRule::Any {
            c.push(format!("rule {}", self.rule));
        }
        if let Some(s) = self.source_v4 {
            c.push(format!("source {s}"));
        }
        if let Some(s) = self.source_v6 {
            c.push(format!("source {s}"));
        }
        if let Some(d) = self.failure_detection_time {
            c.push(format!("failure-detection-time {}", d.as_millis()));
        }
        if !self.up_delay.is_zero() {
            c.push(format!("up-delay {}", self.up_delay.as_millis()));
        }
        if !self.down_delay.is_zero() {
            c.push(format!("down-delay {}", self.down_delay.as_millis()));
        }
        if !self.damping {
            c.push("damping off".into());
        }
        wrap(f, &c)
    }
}

impl fmt::Display for TrackingGroupConf {
    /// `track-group NAME upstream IF... [downstream IF...] [health probe]
    /// [disabled]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut c = vec![
            format!("track-group {}", self.name),
            list("upstream", &self.upstream),
        ];
        if !self.downstream.is_empty() {
            c.push(list("downstream", &self.downstream));
        }
        if self.health == UpstreamHealth::Probe {
            c.push("health probe".into());
        }
        if !self.enabled {
            c.push("disabled".into());
        }
        wrap(f, &c)
    }
}

impl fmt::Display for RedundancyGroupConf {
    /// `redundancy NAME priority N [failover-threshold N] [preempt]
    /// [track OBJECT decrement N|shutdown]... [delay S] [reload S]
    /// [carp [vhid N on IFNAME]...|keepalived FILE [vip ADDRESS]]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut c = vec![
            format!("redundancy {}", self.name),
            format!("priority {}", self.priority),
        ];
        if self.failover_threshold > 0 {
            c.push(format!("failover-threshold {}", self.failover_threshold));
        }
        if self.preempt {
            c.push("preempt".into());
        }
        for t in &self.tracks {
            c.push(match t.effect {
                TrackEffect::Decrement(n) => {
                    format!("track {} decrement {n}", t.object)
                }
                TrackEffect::Shutdown => format!("track {} shutdown", t.object),
            });
        }
        if !self.delay.is_zero() {
            c.push(format!("delay {}", self.delay.as_secs()));
        }
        if !self.reload_delay.is_zero() {
            c.push(format!("reload {}", self.reload_delay.as_secs()));
        }
        if let Some(e) = &self.effector {
            c.extend(e.chunks());
        }
        wrap(f, &c)
    }
}

impl Effector {
    /// `carp`, `vhid N on IFNAME`...; `keepalived FILE`, `vip ADDRESS`:
    /// the pieces a line may wrap between.
    fn chunks(&self) -> Vec<String> {
        match self {
            Effector::Carp(vhids) => std::iter::once("carp".to_string())
                .chain(
                    vhids
                        .iter()
                        .map(|v| format!("vhid {} on {}", v.vhid, v.interface)),
                )
                .collect(),
            Effector::Keepalived { file, vip } => {
                std::iter::once(format!("keepalived {}", file.display()))
                    .chain(vip.map(|a| format!("vip {a}")))
                    .collect()
            }
        }
    }
}

impl fmt::Display for Effector {
    /// As the configuration says it, on one line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.chunks().join(" "))
    }
}

impl LaggdConfig {
    /// The whole configuration as canonical text: the tunables, then the
    /// `lagg`, `track-group` and `redundancy` statements, each section in
    /// list order after a blank line. Parsing the result gives back this
    /// value with only the `line` fields changed.
    pub fn render(&self) -> String {
        let mut out = self.tunables.to_string();
        out.push('\n');
        let sections: [Vec<String>; 3] = [
            self.aggregates.iter().map(ToString::to_string).collect(),
            self.tracking.iter().map(ToString::to_string).collect(),
            self.redundancy.iter().map(ToString::to_string).collect(),
        ];
        for section in sections.iter().filter(|s| !s.is_empty()) {
            out.push('\n');
            for line in section {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}
