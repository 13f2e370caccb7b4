//! The laggd configuration file, `laggd.conf` (what laggd.conf(5) will
//! describe).
//!
//! The format follows `mpathd.conf` (see [`crate::mpathd::config`]): line
//! oriented, `KEY=VALUE` tunables, keyword statements whose options come
//! in any order. It describes link aggregates and the ports laggd probes
//! through, link-state tracking groups, and redundancy groups driving
//! CARP or keepalived.
//!
//! [`parse`] reads the text into a new [`LaggdConfig`], checks it as a
//! whole and returns it only if nothing is wrong. Every problem is
//! reported, each as a [`Diagnostic`] printed `FILE:LINE: MESSAGE`
//! (warnings: `FILE:LINE: warning: MESSAGE`). [`LaggdConfig::render`]
//! writes a configuration back as canonical text.
//!
//! # Lexical rules
//!
//! `#` starts a comment that runs to the end of the line. A line that
//! ends in `\` (after its comment is removed and trailing white space
//! ignored) continues on the next line, the `\` counting as a space; so
//! `a \ # note` continues, while `a # note \` does not. Diagnostics give
//! the line a statement *starts* on. A `\` on the last line draws a
//! warning. Blank lines are skipped. Words are separated by white space.
//! A line whose first word contains `=` sets a tunable; any other line is
//! a statement. Keywords are lower case and case-sensitive; names are
//! case-sensitive.
//!
//! Numbers in statements are plain decimal (`010` is ten); each option
//! gives its range. Interface names (aggregates, ports, upstream and
//! downstream interfaces) are 1-15 characters from `A-Z a-z 0-9 _ . -`,
//! at least one of them a letter (a number or an IPv4 address where a
//! name is expected is a lost value or a missing keyword, not an
//! interface: `ports em0 192.0.2.1` is an error). Track-group and redundancy group names are 1-31
//! such characters, digits alone allowed (`track-group 1`).
//!
//! # Tunables
//!
//! * `FAILURE_DETECTION_TIME=ms` (default 10000): read by mpathd's own
//!   parser, so exactly as in mpathd.conf: C `strtol` (`0x3e8`, `0100` is
//!   octal 64, `1500ms` is 1500), 0 or less becomes 10000 and less than
//!   100 becomes 100, each with in.mpathd's warning. It sets the probe
//!   timing of every aggregate with `targets`.
//!
//! The key is matched without regard to case. Set twice, the first value
//! wins and the later line draws a warning. An unknown key is an error,
//! with a suggestion when it is close to a known one.
//!
//! # `lagg`: an aggregate and its ports
//!
//! ```text
//! lagg NAME ports IFNAME... [min-links N] [action down|report]
//!      [failure-threshold N|off] [targets ADDR...] [rule any|all|N]
//!      [source ADDR] [failure-detection-time MS] [up-delay MS]
//!      [down-delay MS] [damping on|off]
//! ```
//!
//! NAME is the aggregate interface (`lagg0`, `bond0`). Options, each at
//! most once (`source` once per family):
//!
//! * `ports IFNAME...` (required): the ports, in master order: the first
//!   is preferred. A list of names ends at any keyword of the grammar,
//!   and at a word within two edits of one of the statement's options
//!   unless it ends in a digit: `ports em0 min-link 1` is a misspelt
//!   option, not three ports.
//! * `min-links N` (0-65535, default 0: off): fewer live ports make the
//!   aggregate count as down. More than its number of ports is an error
//!   (it could never be met).
//! * `action down|report` (default `down`): below min-links, bring the
//!   aggregate down, or only report it. Without min-links: a warning.
//! * `failure-threshold N|off` (0-65535, default 0 as FortiGate's
//!   `link-failure-threshold`, which is an alias): more than N bad ports
//!   (not live: failed, offline, or not aggregated by LACP) mark the
//!   aggregate "bad score" for the redundancy groups, even while it is
//!   up; with the default one bad port does. `off`: never. N at least
//!   the number of ports can never be exceeded: a warning.
//! * `targets ADDR...`: probe targets, unicast, IPv4 (ARP) and IPv6
//!   (neighbour solicitation, global or link-local) in any mix, at most 5
//!   per family ([`MAX_TARGETS`]), none twice. The list ends at the
//!   first word with no `.` or `:`. Probes go through every port. No
//!   targets: ports are judged by link state alone.
//! * `rule any|all|N` (default `any`): a port is healthy while any
//!   target, every target, or at least N (1-10, at most the number of
//!   targets) answer through it, both families counted together.
//! * `source ADDR`: the probe source of ADDR's family: a unicast address,
//!   or `0.0.0.0` for ARP probes that claim no address. Default: the
//!   aggregate's first address of that family at run time. It must not
//!   be a target; without targets of its family it is a warning.
//! * `failure-detection-time MS` (100-4294967295): this aggregate's
//!   failure detection time, instead of the tunable.
//! * `up-delay MS`, `down-delay MS` (0-4294967295, default 0): how long a
//!   port's carrier must stay up (down) before it counts (bonding's
//!   updelay and downdelay).
//! * `damping on|off` (default `on`): in.mpathd's link-flap damping.
//!
//! `rule` and `failure-detection-time` without `targets` are warnings.
//!
//! # `track-group`: link-state tracking
//!
//! ```text
//! track-group NAME upstream IFNAME... [downstream IFNAME...]
//!             [health link|probe] [disabled]
//! ```
//!
//! When every upstream interface is down, the downstream interfaces are
//! brought down; when one comes back, so do they.
//!
//! * `upstream IFNAME...` (required), `downstream IFNAME...`: any
//!   interfaces, each listed once.
//! * `health link|probe` (default `link`): an upstream interface is up by
//!   its link state, or by laggd's verdict for it (link and probes), in
//!   which case each must be an aggregate or a port. An aggregate without
//!   targets then draws a warning (its verdict is its link state).
//! * `disabled`: the group starts disabled.
//!
//! As in the seed, an interface is in at most one group and never both
//! upstream and downstream; a port of an aggregate is not downstream (put
//! the aggregate there). Any number of groups is allowed. A group's name
//! may not be that of an aggregate or a port.
//!
//! # `redundancy`: priority for an HA engine
//!
//! ```text
//! redundancy NAME priority N [failover-threshold N] [preempt [on|off]]
//!            [track OBJECT decrement N | track OBJECT shutdown]...
//!            [delay SECONDS] [reload SECONDS]
//!            [carp [vhid N on IFNAME]... | keepalived FILE [vip ADDRESS]]
//! ```
//!
//! * `priority N` (required, 1-255).
//! * `failover-threshold N` (0-255, default 0): below it the group is
//!   faulted. Not below the priority: a warning (faulted from the start).
//! * `preempt` (or `preempt on`; `preempt off` is the default): a
//!   recovered node takes the active role back.
//! * `track OBJECT decrement N` (1-255) takes N off the priority while
//!   OBJECT is down; `track OBJECT shutdown` faults the group. Repeatable,
//!   each object once. OBJECT is an aggregate, a port, a track-group, or
//!   else any interface name ([`LaggdConfig::object_kind`]); a name that
//!   is none of these draws a warning when it is close to one.
//! * `delay SECONDS`, `reload SECONDS` (default 0 each): apply a change
//!   only after it has lasted `delay`, and nothing before `reload` after
//!   start.
//! * `carp` (FreeBSD) with `vhid N on IFNAME` (N 1-255, each pair once,
//!   and driven by one group only): those vhids' advskew; with none, the
//!   host-wide `net.inet.carp.demotion` (several groups' demotions add
//!   up). `keepalived FILE` (Linux): an absolute path of a track file
//!   keepalived reads, one per group, and `vip ADDRESS`, the unicast
//!   address keepalived holds while master. Neither: a warning, as the
//!   priority is then only logged. Whether the effector exists on this
//!   system is for the daemon to check.
//! * Without `preempt`, a group whose effector does not show the role
//!   (`carp` without a vhid, `keepalived` without `vip`) draws a warning:
//!   laggd cannot hold a recovered standby back
//!   ([`crate::laggd::redundancy`]).
//!
//! # Whole-file rules
//!
//! * Aggregates, track-groups and redundancy groups are each declared
//!   once per name.
//! * A port belongs to one aggregate and is not itself an aggregate.
//! * Two redundancy groups do not share a keepalived file.
//! * Order does not matter: references may point forward. Each error is
//!   reported on the line that has to change, naming the other line.
//!
//! # Example
//!
//! ```text
//! FAILURE_DETECTION_TIME=1000
//! lagg lagg0 ports em0 em1 min-links 1 action down failure-threshold 1 \
//!      targets 192.0.2.1 192.0.2.2 rule any source 192.0.2.10 \
//!      up-delay 0 down-delay 0
//! track-group uplinks upstream lagg0 downstream em2 em3 health probe
//! redundancy rg1 priority 120 failover-threshold 80 preempt \
//!      track lagg0 decrement 20 track uplinks shutdown delay 10 reload 20 \
//!      carp vhid 1 on lagg0
//! ```

mod lagg_stmt;
mod model;
mod render;
mod statements;
mod tunables;
mod validate;
mod words;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lagg;
#[cfg(test)]
mod tests_validate;

pub use crate::syntax::{Diagnostic, Severity};
pub use model::{
    Effector, LaggConfig, LaggdConfig, LaggdTunables, ObjectKind,
    RedundancyGroupConf, TargetRule, TrackingGroupConf, UpstreamHealth, Vhid,
    MAX_INTERFACE_NAME, MAX_NAME, MAX_TARGETS,
};
pub use render::WIDTH;

use crate::syntax::Sink;
use tunables::TunableReader;

/// A configuration that parsed, with the warnings it drew.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Parsed {
    /// The configuration.
    pub config: LaggdConfig,
    /// Warnings, in line order; the daemon logs them.
    pub warnings: Vec<Diagnostic>,
}

/// Parses the text of a configuration file; `file` only names it in
/// diagnostics.
///
/// On success, returns the configuration and its warnings. If there is
/// at least one error, returns every diagnostic, errors and warnings
/// alike, in line order (within a line, in the order found).
pub fn parse(file: &str, text: &str) -> Result<Parsed, Vec<Diagnostic>> {
    let mut sink = Sink::new(file);
    let mut tunables = TunableReader::default();
    let mut stmts = Vec::new();
    for l in crate::syntax::lines::logical_lines(text, &mut sink) {
        let body = l.text.trim();
        let first = body.split_whitespace().next().unwrap_or_default();
        if first.contains('=') {
            tunables.read(l.line, body, &mut sink);
        } else if let Some(s) = statements::read(l.line, body, &mut sink) {
            stmts.push(s);
        }
    }
    let config = validate::build(tunables.finish(), stmts, &mut sink);
    let diags = sink.into_sorted();
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok(Parsed {
            config,
            warnings: diags,
        })
    }
}
