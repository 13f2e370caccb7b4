//! Installing a configuration: at start, and on reload, where every
//! interface and group whose definition did not change keeps its state.

use std::collections::HashMap;
use std::net::IpAddr;

use crate::addr::{Family, IpPrefix};
use crate::link::{LinkConfig, LinkDetector};
use crate::mpathd::config::{InterfaceConfig, MpathdConfig, TestAddress};
use crate::mpathd::group::Group;
use crate::time::Instant;

use super::action::{Level, LogKind};
use super::iface::{Iface, Path};
use super::machine::Engine;
use super::messages as msg;

impl Engine {
    /// Builds groups and interfaces for `cfg`, keeping the state of every
    /// interface and group whose definition did not change.
    pub(super) fn install(&mut self, cfg: MpathdConfig, now: Instant) {
        let same_timing = cfg.tunables.failure_detection_time
            == self.cfg.tunables.failure_detection_time;
        let mut old_ifaces: HashMap<String, Iface> =
            std::mem::take(&mut self.ifaces)
                .into_iter()
                .map(|i| (i.name.clone(), i))
                .collect();
        let mut old_groups: HashMap<String, Group> =
            std::mem::take(&mut self.groups)
                .into_iter()
                .map(|g| (g.name().to_string(), g))
                .collect();
        let old_cfg: HashMap<&str, &InterfaceConfig> = self
            .cfg
            .interfaces
            .iter()
            .map(|i| (i.name.as_str(), i))
            .collect();
        let failback = cfg.tunables.failback;
        for gc in &cfg.groups {
            let unchanged = same_group(&self.cfg, &cfg, &gc.name);
            let group = match old_groups.remove(&gc.name) {
                Some(g) if unchanged => g,
                _ => {
                    let mut g = Group::new(&gc.name, failback);
                    for m in cfg.members(&gc.name) {
                        g.add_member(&m.name, m.standby);
                    }
                    for a in cfg.addresses_of_group(&gc.name) {
                        // Validated by the parser: the home is a member.
                        let _ = g.add_address(a.prefix, &a.home);
                    }
                    g
                }
            };
            self.groups.push(group);
        }
        let track_all = !cfg.tunables.track_interfaces_only_with_groups;
        if track_all {
            let mut anon = old_groups
                .into_values()
                .find(Group::is_anonymous)
                .unwrap_or_else(Group::anonymous);
            for i in cfg.interfaces.iter().filter(|i| i.group.is_none()) {
                anon.add_member(&i.name, false);
            }
            self.groups.push(anon);
        }
        for ic in &cfg.interfaces {
            let group = ic.group.clone().unwrap_or_default();
            if group.is_empty() && !track_all {
                continue;
            }
            let unchanged =
                same_timing && old_cfg.get(ic.name.as_str()) == Some(&ic);
            let iface = match old_ifaces.remove(&ic.name) {
                Some(old) if unchanged => old,
                Some(old) => {
                    // Keep what the kernel said; rebuild the detectors.
                    let mut n = new_iface(
                        &ic.name, &group, ic.test_v4, ic.test_v6, now,
                    );
                    keep_counters(&mut n, &old);
                    n.kernel = old.kernel;
                    n.link = old.link;
                    n.appeared_at = old.appeared_at;
                    n
                }
                None => {
                    new_iface(&ic.name, &group, ic.test_v4, ic.test_v6, now)
                }
            };
            self.ifaces.push(iface);
        }
        // Interfaces tracked only because TRACK_INTERFACES_ONLY_WITH_GROUPS
        // is no are added back by the next sync.
        self.cfg = cfg;
        for i in 0..self.ifaces.len() {
            self.set_explicit_targets(i);
        }
        self.paths_version += 1;
        self.reindex();
    }

    /// Copies the configured targets (the interface's and its group's)
    /// of each path of interface `i` into the path.
    pub(super) fn set_explicit_targets(&mut self, i: usize) {
        let name = self.ifaces[i].name.clone();
        for p in 0..self.ifaces[i].paths.len() {
            let family = self.ifaces[i].paths[p].family;
            let targets: Vec<IpAddr> = self.cfg.targets_for(&name, family);
            self.ifaces[i].paths[p].explicit = targets;
        }
    }

    /// SIGHUP with a valid new configuration: unchanged groups keep their
    /// state and addresses; the daemon must call [`Engine::sync`] next.
    pub fn reconfigure(&mut self, cfg: MpathdConfig, now: Instant) {
        self.now = now;
        let dropped: Vec<IpPrefix> = self
            .cfg
            .addresses
            .iter()
            .filter(|a| !cfg.addresses.iter().any(|b| b.prefix == a.prefix))
            .map(|a| a.prefix)
            .collect();
        self.install(cfg, now);
        for a in dropped {
            self.log(
                Level::Info,
                LogKind::Address,
                msg::no_longer_configured(a),
            );
        }
    }
}

/// A tracked interface as the configuration (or the OS's interface
/// group) defines it, not yet seen in the kernel.
pub(super) fn new_iface(
    name: &str,
    group: &str,
    test_v4: Option<IpPrefix>,
    test_v6: Option<TestAddress>,
    now: Instant,
) -> Iface {
    let path = |family, test| Path {
        family,
        test,
        src: None,
        detector: None,
        explicit: Vec::new(),
        retired: Default::default(),
    };
    let mut paths = Vec::new();
    if let Some(p) = test_v4 {
        paths.push(path(Family::V4, TestAddress::V4(p)));
    }
    if let Some(t) = test_v6 {
        paths.push(path(Family::V6, t));
    }
    Iface {
        name: name.to_string(),
        group: group.to_string(),
        kernel: None,
        link: LinkDetector::new(LinkConfig::default(), now),
        paths,
        appeared_at: None,
        no_test_logged: false,
        offline: false,
        fresh_link: false,
        os_member: false,
    }
}

/// A rebuilt interface keeps the probe counts of its old paths (by
/// family): counters reset only when the daemon restarts.
fn keep_counters(new: &mut Iface, old: &Iface) {
    for p in &mut new.paths {
        if let Some(o) = old.paths.iter().find(|o| o.family == p.family) {
            p.retired = o.counters();
        }
    }
}

/// Whether group `name` is defined identically in both configurations
/// (members, standby flags, data addresses, FAILBACK).
fn same_group(old: &MpathdConfig, new: &MpathdConfig, name: &str) -> bool {
    if old.group(name).is_none()
        || old.tunables.failback != new.tunables.failback
    {
        return false;
    }
    let members = |c: &MpathdConfig| -> Vec<(String, bool)> {
        c.members(name)
            .map(|m| (m.name.clone(), m.standby))
            .collect()
    };
    let addrs = |c: &MpathdConfig| -> Vec<(IpPrefix, String)> {
        c.addresses_of_group(name)
            .map(|a| (a.prefix, a.home.clone()))
            .collect()
    };
    members(old) == members(new) && addrs(old) == addrs(new)
}
