//! From detectors to groups and back: link events, each member's health
//! handed to its group, and the group's decisions turned into log lines
//! and address work.

use crate::link::LinkEvent;
use crate::mpathd::group::{Cause, GroupEvent, Health, MemberState, Suspicion};
use crate::time::Instant;

use super::action::{Action, AddressRole, Level, LogKind};
use super::machine::Engine;
use super::messages as msg;

impl Engine {
    pub(super) fn handle_link_events(
        &mut self,
        i: usize,
        events: &[LinkEvent],
        now: Instant,
    ) {
        for ev in events {
            let name = self.ifaces[i].name.clone();
            match ev {
                LinkEvent::WentDown => {
                    self.log(Level::Err, LogKind::State, msg::link_down(&name));
                    for p in &mut self.ifaces[i].paths {
                        if let Some(d) = &mut p.detector {
                            d.set_link(false, now);
                        }
                    }
                }
                LinkEvent::WentUp => {
                    self.ifaces[i].fresh_link = true;
                    self.log(Level::Err, LogKind::State, msg::link_up(&name));
                    for p in &mut self.ifaces[i].paths {
                        if let Some(d) = &mut p.detector {
                            d.set_link(true, now);
                        }
                    }
                }
                LinkEvent::Damped { .. } => {
                    let limit = self.ifaces[i].link.config().flap_limit;
                    self.log(
                        Level::Err,
                        LogKind::State,
                        msg::link_flapping(&name, limit),
                    );
                }
                LinkEvent::Undamped => {}
            }
        }
    }

    /// Brings groups `groups` in line with their members' detectors,
    /// starting with the members in `touched` (sorted): the others'
    /// health did not change, so they matter only once the group
    /// changed something. A group failure changes other members of the
    /// same group, so this repeats over every member until nothing
    /// changes (bounded: each pass can only fail members or repair them,
    /// never both for the same member). Groups are independent: nothing
    /// in one changes another. Returns the groups that changed (their
    /// members' deadlines may have moved).
    pub(super) fn evaluate_groups(
        &mut self,
        groups: &[usize],
        touched: &[usize],
        now: Instant,
    ) -> Vec<usize> {
        let mut changed_groups = Vec::new();
        for &g in groups {
            self.groups[g].hold();
            let mut changed = false;
            for k in 0..self.index.members[g].len() {
                let i = self.index.members[g][k];
                if touched.binary_search(&i).is_ok() {
                    changed |= self.evaluate(i, g, now);
                }
            }
            let mut again = changed;
            for _ in 0..4 {
                if !again {
                    break;
                }
                again = false;
                for k in 0..self.index.members[g].len() {
                    let i = self.index.members[g][k];
                    again |= self.evaluate(i, g, now);
                }
            }
            let mut out = Vec::new();
            self.groups[g].release(&mut out);
            changed |= !out.is_empty();
            self.group_events(g, out);
            if changed {
                changed_groups.push(g);
            }
        }
        changed_groups
    }

    /// Tells group `g` what interface `i`'s detectors say; true if the
    /// group changed anything.
    fn evaluate(&mut self, i: usize, g: usize, now: Instant) -> bool {
        // Borrowed, not cloned: this runs for every verdict that changed.
        let iface = &self.ifaces[i];
        let name = iface.name.as_str();
        let Some(state) = self.groups[g].member(name).map(|m| m.state) else {
            return false;
        };
        let mut health = iface.health();
        // Without probes, a flapping link is not trusted to be repaired.
        if state == MemberState::Failed
            && health == Health::Ok
            && !iface.probing_enabled()
            && !iface.link.repair_allowed(now)
        {
            health = Health::Failed;
        }
        let present = iface.kernel.is_some();
        let suspect = matches!(
            (state, present, health),
            (
                MemberState::Ok | MemberState::NoTargets,
                true,
                Health::Failed
            )
        );
        if suspect {
            // Whether another member works is judged on every member's
            // evidence as it is now: the only place the group reads it.
            self.share_evidence(g);
        }
        let iface = &self.ifaces[i];
        let name = iface.name.as_str();
        let why = || {
            if iface.link_up() {
                Suspicion::ProbesLost {
                    first_failure: iface.first_failure().unwrap_or(now),
                }
            } else {
                Suspicion::LinkDown
            }
        };
        let group = &mut self.groups[g];
        let mut out = Vec::new();
        let r = match (state, present, health) {
            (MemberState::Offline, _, _) => Ok(()),
            (MemberState::Missing, false, _) => Ok(()),
            (_, false, _) => group.member_removed(name, &mut out),
            (MemberState::Missing, true, h) => {
                group.member_appeared(name, h, &mut out)
            }
            (
                MemberState::Ok | MemberState::NoTargets,
                true,
                Health::Failed,
            ) => group.member_suspect(name, why(), &mut out),
            (MemberState::Failed, true, Health::Ok) => {
                group.member_repaired(name, &mut out)
            }
            (MemberState::Failed, true, Health::NoTargets) => group
                .member_repaired(name, &mut out)
                .and_then(|()| group.member_lost_targets(name, &mut out)),
            (MemberState::Ok, true, Health::NoTargets) => {
                group.member_lost_targets(name, &mut out)
            }
            (MemberState::NoTargets, true, Health::Ok) => {
                group.member_found_targets(name, &mut out)
            }
            (MemberState::Ok, true, Health::Ok)
            | (MemberState::NoTargets, true, Health::NoTargets)
            | (MemberState::Failed, true, Health::Failed) => Ok(()),
        };
        debug_assert!(r.is_ok(), "{r:?}");
        let changed = !out.is_empty();
        self.group_events(g, out);
        changed
    }

    /// Hands group `g` what each member's detectors know of its path
    /// (link, probing, last ack).
    fn share_evidence(&mut self, g: usize) {
        for k in 0..self.index.members[g].len() {
            let iface = &self.ifaces[self.index.members[g][k]];
            self.groups[g].set_evidence(&iface.name, iface.evidence());
        }
    }

    /// Turns group events into logs and address work; a group failure
    /// also forces the members' detectors to failed, so that each needs
    /// ten replies of its own to come back.
    pub(super) fn group_events(&mut self, g: usize, events: Vec<GroupEvent>) {
        if events.is_empty() {
            return;
        }
        self.regrouped.push(g);
        let gname = self.groups[g].name().to_string();
        let mut summaries: Vec<String> = Vec::new();
        for ev in events {
            match ev {
                GroupEvent::MemberChanged {
                    member,
                    from,
                    to,
                    cause,
                } => self.member_changed(&gname, &member, from, to, cause),
                GroupEvent::Activated { member } => self.log(
                    Level::Debug,
                    LogKind::State,
                    msg::activated(&member, &gname),
                ),
                GroupEvent::Deactivated { member } => self.log(
                    Level::Debug,
                    LogKind::State,
                    msg::deactivated(&member, &gname),
                ),
                GroupEvent::AddressMoved { addr, from, to } => {
                    let home = self.groups[g]
                        .addresses()
                        .iter()
                        .find(|(a, _, _)| *a == addr)
                        .map(|(_, h, _)| h.to_string());
                    self.log(
                        Level::Info,
                        LogKind::Address,
                        msg::address_moved(addr, from.as_deref(), &to),
                    );
                    if let Some(f) = &from {
                        if let Some(ifindex) = self.present_index(f) {
                            self.actions.push(Action::RemoveAddress {
                                ifname: f.clone(),
                                ifindex,
                                addr,
                            });
                        }
                        let back = home.as_deref() == Some(to.as_str());
                        let s = if back {
                            msg::failed_back(&to)
                        } else {
                            msg::failed_over(f, &to)
                        };
                        // One failover (or failback) per summary line,
                        // however many addresses moved together.
                        if !summaries.contains(&s) {
                            summaries.push(s);
                            self.tally.moved(&gname, back);
                        }
                    }
                    self.add_data_address(&to, addr);
                }
                GroupEvent::StateChanged { from, to } => self.log(
                    Level::Info,
                    LogKind::State,
                    msg::group_state(&gname, to, from),
                ),
                GroupEvent::AllUnusable => self.log(
                    Level::Err,
                    LogKind::State,
                    msg::all_unusable(&gname),
                ),
                GroupEvent::UsableAgain { member } => self.log(
                    Level::Err,
                    LogKind::State,
                    msg::usable_again(&member, &gname),
                ),
            }
        }
        for s in summaries {
            self.log(Level::Info, LogKind::Address, s);
        }
    }

    /// Configures data address `addr` on member `to` and announces it
    /// from `to`'s hardware address.
    fn add_data_address(&mut self, to: &str, addr: crate::addr::IpPrefix) {
        let link = self
            .index
            .iface
            .get(to)
            .and_then(|&i| self.ifaces[i].kernel.as_ref());
        let Some((ifindex, mac)) = link.map(|k| (k.index, k.mac)) else {
            self.log(
                Level::Err,
                LogKind::Address,
                msg::cannot_add_absent(addr, to),
            );
            return;
        };
        self.actions.push(Action::AddAddress {
            ifname: to.to_string(),
            ifindex,
            addr,
            role: AddressRole::Data,
        });
        if let Some(mac) = mac {
            self.actions.push(Action::Announce {
                ifname: to.to_string(),
                ifindex,
                mac,
                addr: addr.addr(),
            });
        }
    }

    fn member_changed(
        &mut self,
        group: &str,
        member: &str,
        from: MemberState,
        to: MemberState,
        cause: Cause,
    ) {
        let Some(&i) = self.index.iface.get(member) else {
            return;
        };
        let (level, text) = match cause {
            Cause::InterfaceFailure | Cause::GroupFailure => {
                self.tally.failed(member);
                let now = self.now;
                for p in &mut self.ifaces[i].paths {
                    if let Some(d) = &mut p.detector {
                        d.force_failed(now);
                        d.reset_rtt();
                        if cause == Cause::GroupFailure {
                            d.flush_host_targets(now);
                        }
                    }
                }
                (Level::Err, msg::interface_failure(member, group))
            }
            Cause::Repair if from == MemberState::Failed => {
                self.tally.repaired(member);
                (Level::Err, msg::interface_repair(member, group))
            }
            Cause::Repair | Cause::LostTargets | Cause::FoundTargets => {
                (Level::Debug, msg::member_state(member, to, from))
            }
            Cause::Appeared => (Level::Info, msg::appeared_in_kernel(member)),
            Cause::Removed => (Level::Info, msg::removed_from_kernel(member)),
            Cause::Offline => (Level::Info, msg::offlined(member)),
            Cause::Online => (Level::Info, msg::onlined(member)),
        };
        self.log(level, LogKind::State, text);
    }
}
