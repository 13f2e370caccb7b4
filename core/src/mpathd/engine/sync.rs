//! A whole kernel snapshot: which interfaces exist, their carrier and
//! addresses, the routes. Kernel messages are only hints; this is the
//! truth, diffed against what the engine knew. It costs O(interfaces +
//! addresses + routes) and runs on hints and every 20 s, never per
//! probe.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Arc;

use crate::addr::IpPrefix;
use crate::link::{LinkConfig, LinkDetector, LinkEvent};
use crate::time::Instant;

use super::action::{Action, Level, LogKind};
use super::install::new_iface;
use super::machine::Engine;
use super::messages as msg;
use crate::kernel::{KernelLink, KernelSnapshot};

/// The snapshot's interfaces by name.
type Links<'a> = HashMap<&'a str, &'a KernelLink>;

impl Engine {
    /// Feeds a complete view of the kernel.
    pub fn sync(&mut self, snap: &KernelSnapshot, now: Instant) {
        self.now = now;
        self.routes.clone_from(&snap.routes);
        self.routes_fresh = true;
        // Forget moves the kernel has carried out (or that no longer
        // apply): what is still on the old member is looked at again.
        let routes = &self.routes;
        self.routes_moved.retain(|(dst, gw, from)| {
            routes
                .iter()
                .any(|r| r.dst == *dst && r.gateway == *gw && &r.ifname == from)
        });
        let own: BTreeSet<IpAddr> = snap
            .links
            .iter()
            .flat_map(|l| l.addrs.iter().map(IpPrefix::addr))
            .collect();
        if *self.own != own {
            self.own = Arc::new(own);
        }
        let links: Links<'_> =
            snap.links.iter().map(|l| (l.name.as_str(), l)).collect();
        let mut moved = self.adopt_os_members(snap, &links, now);
        if !self.cfg.tunables.track_interfaces_only_with_groups {
            moved |= self.track_unconfigured(snap, now);
        }
        if moved {
            self.reindex();
        }
        for i in 0..self.ifaces.len() {
            let k = links.get(self.ifaces[i].name.as_str()).copied();
            self.sync_iface(i, k.cloned(), now);
        }
        // Placement waits until every observation of this snapshot is in
        // (evaluating the groups releases the hold), so that an address
        // is not moved on a partial view.
        for g in &mut self.groups {
            g.hold();
        }
        self.observe_addresses(snap);
        self.dirty.extend(0..self.ifaces.len());
        self.finish(now);
        self.started = true;
    }

    /// A group with no `interface` lines takes its members from the OS's
    /// interface group of the same name, so that on FreeBSD rc.conf stays
    /// the place for membership (`ifconfig_em0="... group web"`). Such
    /// members are watched by link state; `interface` lines add probing.
    /// Returns whether interfaces came or went.
    fn adopt_os_members(
        &mut self,
        snap: &KernelSnapshot,
        links: &Links<'_>,
        now: Instant,
    ) -> bool {
        let mut moved = false;
        let os_groups: Vec<String> = self
            .cfg
            .groups
            .iter()
            .filter(|g| self.cfg.members(&g.name).next().is_none())
            .map(|g| g.name.clone())
            .collect();
        for gname in &os_groups {
            let Some(&g) = self.index.group.get(gname) else {
                continue;
            };
            for l in snap.links.iter().filter(|l| l.groups.contains(gname)) {
                if self.index.iface.contains_key(&l.name) {
                    continue;
                }
                let mut iface = new_iface(&l.name, gname, None, None, now);
                iface.os_member = true;
                self.index.iface.insert(l.name.clone(), self.ifaces.len());
                self.ifaces.push(iface);
                self.groups[g].add_member(&l.name, false);
                moved = true;
                self.log(
                    Level::Info,
                    LogKind::Other,
                    msg::joined_os_group(&l.name, gname),
                );
            }
        }
        let mut i = 0;
        while i < self.ifaces.len() {
            let iface = &self.ifaces[i];
            let left = iface.os_member
                && links
                    .get(iface.name.as_str())
                    .is_some_and(|l| !l.groups.contains(&iface.group));
            if !left {
                i += 1;
                continue;
            }
            let (name, gname) = (iface.name.clone(), iface.group.clone());
            if let Some(&g) = self.index.group.get(&gname) {
                let mut out = Vec::new();
                // OS-defined groups have no configured data addresses, so
                // no member is a home and removal cannot be refused.
                let _ = self.groups[g].remove_member(&name, &mut out);
                self.group_events(g, out);
            }
            self.ifaces.remove(i);
            self.index.iface.remove(&name);
            moved = true;
            self.log(
                Level::Info,
                LogKind::Other,
                msg::left_os_group(&name, &gname),
            );
        }
        moved
    }

    /// TRACK_INTERFACES_ONLY_WITH_GROUPS=no: every other interface is
    /// watched (link-based only) in the anonymous group. Returns whether
    /// any was added.
    fn track_unconfigured(
        &mut self,
        snap: &KernelSnapshot,
        now: Instant,
    ) -> bool {
        let configured: BTreeSet<&str> = self
            .cfg
            .interfaces
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        let mut added = Vec::new();
        for l in &snap.links {
            if l.loopback
                || self.index.iface.contains_key(&l.name)
                || configured.contains(l.name.as_str())
            {
                continue;
            }
            added.push(l.name.clone());
        }
        for name in &added {
            self.index.iface.insert(name.clone(), self.ifaces.len());
            self.ifaces.push(new_iface(name, "", None, None, now));
            if let Some(anon) =
                self.groups.iter_mut().find(|g| g.is_anonymous())
            {
                anon.add_member(name, false);
            }
        }
        !added.is_empty()
    }

    fn sync_iface(&mut self, i: usize, k: Option<KernelLink>, now: Instant) {
        let recreated = match (&self.ifaces[i].kernel, &k) {
            (Some(old), Some(new)) => old.index != new.index,
            _ => false,
        };
        if recreated {
            // A new index is a new interface: forget the old one first.
            self.sync_iface(i, None, now);
        }
        let mut link_events = Vec::new();
        let started = self.started;
        let iface = &mut self.ifaces[i];
        let appeared = iface.kernel.is_none() && k.is_some();
        match (&iface.kernel, &k) {
            (None, Some(_)) => {
                iface.appeared_at = Some(now);
                iface.fresh_link = started;
                iface.link = LinkDetector::new(LinkConfig::default(), now);
            }
            (Some(_), None) => {
                for p in &mut iface.paths {
                    p.retire_detector();
                    p.src = None;
                }
                self.paths_version += 1;
            }
            (None, None) | (Some(_), Some(_)) => {}
        }
        if iface.index() != k.as_ref().map(|k| k.index) {
            self.index.by_ifindex_stale = true;
        }
        iface.kernel = k;
        if let Some(k) = &iface.kernel {
            let carrier = if k.admin_up { k.carrier } else { Some(false) };
            iface.link.on_carrier(carrier, now, &mut link_events);
        }
        if appeared {
            // The first report of a link that is up is not news (a link
            // found down is: in.mpathd logs it as a transition).
            link_events.retain(|e| *e != LinkEvent::WentUp);
        }
        self.handle_link_events(i, &link_events, now);
        self.sync_paths(i, now);
    }

    /// Tells each group where the kernel has its data addresses.
    fn observe_addresses(&mut self, snap: &KernelSnapshot) {
        let mut holders: HashMap<IpPrefix, Vec<&str>> = HashMap::new();
        for l in &snap.links {
            for a in &l.addrs {
                holders.entry(*a).or_default().push(&l.name);
            }
        }
        let mut extra = Vec::new();
        let mut moved_out = Vec::new();
        let mut extra_removals = Vec::new();
        for g in 0..self.groups.len() {
            let mut observed = Vec::new();
            for (prefix, _home, host) in self.groups[g].addresses() {
                let on: &[&str] =
                    holders.get(&prefix).map_or(&[], Vec::as_slice);
                let group = &self.groups[g];
                let mut in_group: Vec<&str> = Vec::new();
                for &name in on {
                    if group.member(name).is_some() {
                        in_group.push(name);
                    } else if let Some(other) = self.named_group_of(name) {
                        // A member of another of our groups: a leftover
                        // of a reload that moved the address, or of a
                        // crash. Both are ours, so the copy goes.
                        if let Some(ifindex) = self.present_index(name) {
                            extra_removals.push((name.to_string(), ifindex));
                            moved_out.push(msg::data_address_in_other_group(
                                prefix, name, other,
                            ));
                        }
                    } else if self
                        .foreign_logged
                        .insert((prefix, name.to_string()))
                    {
                        extra.push(msg::foreign_data_address(prefix, name));
                    }
                }
                for (ifname, ifindex) in extra_removals.drain(..) {
                    self.actions.push(Action::RemoveAddress {
                        ifname,
                        ifindex,
                        addr: prefix,
                    });
                }
                // Keep one holder (the one we believe in, if it is one);
                // remove the address from the others.
                let keep = match host {
                    Some(h) if in_group.contains(&h) => Some(h.to_string()),
                    _ => in_group.first().map(|s| s.to_string()),
                };
                in_group.retain(|n| Some(*n) != keep.as_deref());
                for dup in in_group {
                    if let Some(ifindex) = self.present_index(dup) {
                        self.actions.push(Action::RemoveAddress {
                            ifname: dup.to_string(),
                            ifindex,
                            addr: prefix,
                        });
                    }
                }
                if keep.as_deref() != host {
                    observed.push((prefix, keep));
                }
            }
            for (prefix, keep) in observed {
                let mut out = Vec::new();
                self.groups[g].observe_host(prefix, keep.as_deref(), &mut out);
                self.group_events(g, out);
            }
        }
        for m in extra {
            self.log(Level::Warning, LogKind::Address, m);
        }
        for m in moved_out {
            self.log(Level::Info, LogKind::Address, m);
        }
    }

    /// The named group `ifname` is a member of, if any.
    fn named_group_of(&self, ifname: &str) -> Option<&str> {
        let i = *self.index.iface.get(ifname)?;
        let g = self.index.group_of.get(i).copied().flatten()?;
        let group = &self.groups[g];
        (!group.is_anonymous()).then(|| group.name())
    }
}
