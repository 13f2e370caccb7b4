//! The group: members, data addresses, and the rules that tie them.

use std::fmt;

use super::member::{
    next_state, Evidence, Health, Member, MemberInput, MemberState,
};
use super::placement::place;
use crate::addr::IpPrefix;
use crate::time::Instant;

/// ipmpstat's group STATE.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GroupState {
    /// Every member is usable.
    Ok,
    /// Some, not all, members are usable.
    Degraded,
    /// No member is usable (also a new group before its first member).
    Failed,
}

impl GroupState {
    /// The word ipmpstat prints.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Ok => "ok",
            GroupState::Degraded => "degraded",
            GroupState::Failed => "failed",
        }
    }
}

impl fmt::Display for GroupState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a member's detectors consider it suspect.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Suspicion {
    /// Its link went down.
    LinkDown,
    /// Its probes were lost; the first loss of the run was sent at
    /// `first_failure`.
    ProbesLost {
        /// Send time of the first lost probe of the failing run (TFF).
        first_failure: Instant,
    },
}

/// Why a member changed state.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cause {
    /// The interface appeared in the kernel.
    Appeared,
    /// The interface was removed from the kernel.
    Removed,
    /// This member failed while another member still works.
    InterfaceFailure,
    /// Every member lost its path at once: nothing is failed over.
    GroupFailure,
    /// Its detectors report it working again.
    Repair,
    /// Its probe targets all went away.
    LostTargets,
    /// Probe targets appeared.
    FoundTargets,
    /// The operator took it offline.
    Offline,
    /// The operator brought it back online.
    Online,
}

/// Something the group did; the daemon logs it and carries out moves.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum GroupEvent {
    /// A member changed state.
    MemberChanged {
        /// Interface name.
        member: String,
        /// Old state.
        from: MemberState,
        /// New state.
        to: MemberState,
        /// Why.
        cause: Cause,
    },
    /// A functioning member's INACTIVE flag was cleared.
    Activated {
        /// Interface name.
        member: String,
    },
    /// A functioning member's INACTIVE flag was set.
    Deactivated {
        /// Interface name.
        member: String,
    },
    /// A data address must move (or, with `from: None`, be configured).
    AddressMoved {
        /// The data address.
        addr: IpPrefix,
        /// Where it was.
        from: Option<String>,
        /// Where it goes.
        to: String,
    },
    /// The group's state changed.
    StateChanged {
        /// Old state.
        from: GroupState,
        /// New state.
        to: GroupState,
    },
    /// in.mpathd: "All IP interfaces in group %s are now unusable".
    AllUnusable,
    /// in.mpathd: "At least 1 IP interface (%s) in group %s is now usable".
    UsableAgain {
        /// The first usable member.
        member: String,
    },
}

/// A request the group refused.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum GroupError {
    /// No member has that name.
    #[error("{0}: not a member of this group")]
    UnknownMember(String),
    /// The member is already offline.
    #[error("interface {0} is already offline")]
    AlreadyOffline(String),
    /// Online of a member that is not offline.
    #[error("interface {0} is not offline")]
    NotOffline(String),
    /// The interface does not exist in the kernel.
    #[error("interface {0} is not present")]
    NotPresent(String),
    /// Offlining would leave the group with nothing working (EMINRED).
    #[error(
        "cannot offline {0}: no other functioning interfaces are in its \
         IPMP group"
    )]
    NoOtherFunctioning(String),
    /// Offline in the anonymous group, where nothing takes over.
    #[error("cannot offline {0}: not in an IPMP group")]
    NotInGroup(String),
    /// A member cannot leave while data addresses call it home.
    #[error("{0} is the home of a data address and cannot leave its group")]
    HomeOfAddress(String),
}

/// How a member came to be functioning, which decides its INACTIVE flag.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arrival {
    /// First appearance since the daemon started.
    Creation,
    /// Repaired, or re-created after a removal: subject to FAILBACK.
    Repair,
    /// Brought back by the operator.
    Online,
}

#[derive(Clone, Debug)]
struct DataAddress {
    prefix: IpPrefix,
    home: usize,
    host: Option<usize>,
}

/// An IPMP group in the address-moving model: see the module docs.
#[derive(Clone, Debug)]
pub struct Group {
    name: String,
    failback: bool,
    anonymous: bool,
    members: Vec<Member>,
    /// Whether each member's interface exists (kept while offline).
    present: Vec<bool>,
    /// Whether each member has ever appeared (creation vs repair).
    seen: Vec<bool>,
    addresses: Vec<DataAddress>,
    state: GroupState,
    /// "All ... unusable" was reported and "now usable" is owed.
    failure_reported: bool,
    /// Address placement is deferred until [`Group::release`].
    held: bool,
    /// Something changed since addresses were last placed, so
    /// [`Group::release`] must place them (a release after a batch that
    /// changed nothing, a probe reply's usually, has nothing to do).
    unsettled: bool,
}

impl Group {
    /// A named group; `failback` is the FAILBACK tunable.
    pub fn new(name: &str, failback: bool) -> Group {
        Group {
            name: name.to_string(),
            failback,
            anonymous: false,
            members: Vec::new(),
            present: Vec::new(),
            seen: Vec::new(),
            addresses: Vec::new(),
            state: GroupState::Failed,
            failure_reported: false,
            held: false,
            unsettled: true,
        }
    }

    /// The anonymous group of TRACK_INTERFACES_ONLY_WITH_GROUPS=no:
    /// failures are detected and reported, nothing takes over, offline is
    /// refused, and the group itself is always `ok`.
    pub fn anonymous() -> Group {
        Group {
            anonymous: true,
            state: GroupState::Ok,
            ..Group::new("", false)
        }
    }

    /// Adds a configured member (state `Missing` until it appears).
    pub fn add_member(&mut self, name: &str, standby: bool) {
        if self.index(name).is_ok() {
            return;
        }
        self.members.push(Member::new(name, standby));
        self.present.push(false);
        self.seen.push(false);
        self.unsettled = true;
    }

    /// Removes a member that left the group (an OS interface group no
    /// longer lists it). Its data addresses move first, as if it had
    /// been removed from the kernel. Refused for the home of an address.
    pub fn remove_member(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        if self.addresses.iter().any(|a| a.home == i) {
            return Err(GroupError::HomeOfAddress(name.to_string()));
        }
        self.apply(
            i,
            MemberInput::Removed,
            Cause::Removed,
            Arrival::Repair,
            out,
        );
        self.members[i].state = MemberState::Missing;
        self.members[i].inactive = false;
        self.settle(out);
        self.members.remove(i);
        self.present.remove(i);
        self.seen.remove(i);
        let shift = |m: usize| if m > i { m - 1 } else { m };
        for a in &mut self.addresses {
            a.home = shift(a.home);
            a.host = match a.host {
                Some(h) if h == i => None,
                Some(h) => Some(shift(h)),
                None => None,
            };
        }
        self.settle(out);
        Ok(())
    }

    /// Adds a data address homed on member `home`. The anonymous group
    /// holds no addresses.
    pub fn add_address(
        &mut self,
        prefix: IpPrefix,
        home: &str,
    ) -> Result<(), GroupError> {
        let home = self.index(home)?;
        if self.anonymous {
            return Err(GroupError::NotInGroup(
                self.members[home].name.clone(),
            ));
        }
        if self.addresses.iter().all(|a| a.prefix != prefix) {
            self.addresses.push(DataAddress {
                prefix,
                home,
                host: None,
            });
            self.unsettled = true;
        }
        Ok(())
    }

    /// Group name (empty for the anonymous group).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether this is the anonymous group.
    pub fn is_anonymous(&self) -> bool {
        self.anonymous
    }

    /// FAILBACK for this group.
    pub fn failback(&self) -> bool {
        self.failback
    }

    /// Current state.
    pub fn state(&self) -> GroupState {
        self.state
    }

    /// Members in configuration order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// Every data address with its home and current host.
    pub fn addresses(&self) -> Vec<(IpPrefix, &str, Option<&str>)> {
        self.addresses
            .iter()
            .map(|a| {
                (
                    a.prefix,
                    self.members[a.home].name.as_str(),
                    a.host.map(|h| self.members[h].name.as_str()),
                )
            })
            .collect()
    }

    /// The data addresses member `name` hosts now.
    pub fn hosted_by(&self, name: &str) -> Vec<IpPrefix> {
        let Ok(i) = self.index(name) else {
            return Vec::new();
        };
        self.addresses
            .iter()
            .filter(|a| a.host == Some(i))
            .map(|a| a.prefix)
            .collect()
    }

    /// Defers address placement: a batch of changes (every member seen at
    /// start-up, say) is placed once, at [`Group::release`], instead of
    /// moving addresses after each change and back again.
    pub fn hold(&mut self) {
        self.held = true;
    }

    /// Ends a [`Group::hold`] and places the addresses, if anything
    /// changed since they were last placed.
    pub fn release(&mut self, out: &mut Vec<GroupEvent>) {
        self.held = false;
        if self.unsettled {
            self.settle(out);
        }
    }

    /// Updates what the detectors know of `name`.
    pub fn set_evidence(&mut self, name: &str, evidence: Evidence) {
        if let Ok(i) = self.index(name) {
            self.members[i].evidence = evidence;
        }
    }

    /// Records where the kernel has an address now (start-up, resync).
    /// Placement then corrects it if needed.
    pub fn observe_host(
        &mut self,
        addr: IpPrefix,
        host: Option<&str>,
        out: &mut Vec<GroupEvent>,
    ) {
        let host = host.and_then(|h| self.index(h).ok());
        if let Some(a) = self.addresses.iter_mut().find(|a| a.prefix == addr) {
            a.host = host;
        }
        self.settle(out);
    }

    /// The interface `name` exists in the kernel with the given health.
    pub fn member_appeared(
        &mut self,
        name: &str,
        health: Health,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        self.present[i] = true;
        let arrival = if self.seen[i] {
            Arrival::Repair
        } else {
            Arrival::Creation
        };
        self.seen[i] = true;
        self.apply(
            i,
            MemberInput::Appeared(health),
            Cause::Appeared,
            arrival,
            out,
        );
        self.settle(out);
        Ok(())
    }

    /// The interface `name` was removed from the kernel.
    pub fn member_removed(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        self.present[i] = false;
        self.apply(
            i,
            MemberInput::Removed,
            Cause::Removed,
            Arrival::Repair,
            out,
        );
        self.settle(out);
        Ok(())
    }

    /// A member's detectors say it is failing. Decides between an
    /// interface failure (only this member fails; its addresses move)
    /// and a group failure (every member is failed, nothing moves), as
    /// in.mpathd does: it is an interface failure only if another member
    /// proves the network still works — a functioning member with its
    /// link up that either does not probe or has had a reply since our
    /// first lost probe.
    pub fn member_suspect(
        &mut self,
        name: &str,
        why: Suspicion,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        if !self.members[i].state.is_functioning() {
            return Ok(());
        }
        if self.anonymous || self.another_member_works(i, why) {
            self.apply(
                i,
                MemberInput::Failed,
                Cause::InterfaceFailure,
                Arrival::Repair,
                out,
            );
        } else {
            for j in 0..self.members.len() {
                self.apply(
                    j,
                    MemberInput::Failed,
                    Cause::GroupFailure,
                    Arrival::Repair,
                    out,
                );
            }
        }
        self.settle(out);
        Ok(())
    }

    fn another_member_works(&self, i: usize, why: Suspicion) -> bool {
        self.members.iter().enumerate().any(|(j, m)| {
            let e = m.evidence;
            j != i
                && m.state.is_functioning()
                && e.link_up
                && match why {
                    Suspicion::LinkDown => true,
                    Suspicion::ProbesLost { first_failure } => {
                        !e.probing
                            || e.last_ack.is_some_and(|t| t > first_failure)
                    }
                }
        })
    }

    /// A member's detectors say it works again.
    pub fn member_repaired(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        self.observe(name, MemberInput::Repaired, Cause::Repair, out)
    }

    /// A working member lost every probe target (in.mpathd NOTARGETS).
    pub fn member_lost_targets(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        self.observe(name, MemberInput::LostTargets, Cause::LostTargets, out)
    }

    /// A member without targets found one.
    pub fn member_found_targets(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        self.observe(name, MemberInput::FoundTargets, Cause::FoundTargets, out)
    }

    /// if_mpadm -d: takes `name` out of service. Refused when no other
    /// member is usable (in.mpathd's minimum redundancy of 1), unless the
    /// whole group has failed already, in which case any other member
    /// that is not offline will do.
    pub fn offline(
        &mut self,
        name: &str,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        let m = &self.members[i];
        if self.anonymous {
            return Err(GroupError::NotInGroup(m.name.clone()));
        }
        if m.state == MemberState::Offline {
            return Err(GroupError::AlreadyOffline(m.name.clone()));
        }
        if m.state == MemberState::Missing {
            return Err(GroupError::NotPresent(m.name.clone()));
        }
        let group_failed = self.state == GroupState::Failed;
        let others = self
            .members
            .iter()
            .enumerate()
            .filter(|(j, o)| {
                *j != i
                    && if group_failed {
                        o.state != MemberState::Offline
                    } else {
                        o.state.is_functioning()
                    }
            })
            .count();
        if others < 1 {
            return Err(GroupError::NoOtherFunctioning(m.name.clone()));
        }
        self.apply(
            i,
            MemberInput::Offline,
            Cause::Offline,
            Arrival::Online,
            out,
        );
        self.settle(out);
        Ok(())
    }

    /// if_mpadm -r: puts an offline member back; `health` is what its
    /// detectors say now (failed if its link went down meanwhile).
    pub fn online(
        &mut self,
        name: &str,
        health: Health,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        if self.members[i].state != MemberState::Offline {
            return Err(GroupError::NotOffline(self.members[i].name.clone()));
        }
        let health = if self.present[i] {
            health
        } else {
            Health::Failed
        };
        self.apply(
            i,
            MemberInput::Online(health),
            Cause::Online,
            Arrival::Online,
            out,
        );
        if !self.present[i] {
            self.apply(
                i,
                MemberInput::Removed,
                Cause::Removed,
                Arrival::Repair,
                out,
            );
        }
        self.settle(out);
        Ok(())
    }

    /// Sets or clears STANDBY on a member (ifconfig standby/-standby).
    pub fn set_standby(
        &mut self,
        name: &str,
        standby: bool,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        if self.members[i].standby == standby {
            return Ok(());
        }
        self.members[i].standby = standby;
        if self.members[i].state.is_functioning() {
            self.refresh_inactive(i, Arrival::Online, out);
        }
        self.settle(out);
        Ok(())
    }

    /// At shutdown (SIGTERM): every data address goes back to its home
    /// member if that member is functioning, whatever FAILBACK says and
    /// even if the home is INACTIVE; otherwise it stays where it is, on a
    /// usable member if it has one. Members' states are not changed.
    pub fn restore_homes(&mut self, out: &mut Vec<GroupEvent>) {
        for a in &mut self.addresses {
            let home = &self.members[a.home];
            if a.host == Some(a.home) || !home.state.is_functioning() {
                continue;
            }
            out.push(GroupEvent::AddressMoved {
                addr: a.prefix,
                from: a.host.map(|h| self.members[h].name.clone()),
                to: home.name.clone(),
            });
            a.host = Some(a.home);
        }
        self.unsettled = true;
    }

    /// Feeds a detector observation about `name` to its state machine.
    fn observe(
        &mut self,
        name: &str,
        input: MemberInput,
        cause: Cause,
        out: &mut Vec<GroupEvent>,
    ) -> Result<(), GroupError> {
        let i = self.index(name)?;
        self.apply(i, input, cause, Arrival::Repair, out);
        self.settle(out);
        Ok(())
    }

    fn index(&self, name: &str) -> Result<usize, GroupError> {
        self.members
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| GroupError::UnknownMember(name.to_string()))
    }

    /// Runs the member state machine and the INACTIVE bookkeeping that
    /// goes with entering or leaving the functioning states.
    fn apply(
        &mut self,
        i: usize,
        input: MemberInput,
        cause: Cause,
        arrival: Arrival,
        out: &mut Vec<GroupEvent>,
    ) {
        let from = self.members[i].state;
        let Some(to) = next_state(from, input) else {
            return;
        };
        let was_active = self.members[i].is_active();
        self.members[i].state = to;
        out.push(GroupEvent::MemberChanged {
            member: self.members[i].name.clone(),
            from,
            to,
            cause,
        });
        if !to.is_functioning() {
            // A failure or offline always clears INACTIVE; if the member
            // was carrying traffic, an idle member takes its place.
            self.members[i].inactive = false;
            if was_active {
                self.activate_another(out);
            }
        } else if !from.is_functioning() {
            self.refresh_inactive(i, arrival, out);
        }
    }

    /// in.mpathd's "transition to running" and "standby refresh": decides
    /// the INACTIVE flag of member `i`, which has just become functioning
    /// (or whose STANDBY flag changed).
    fn refresh_inactive(
        &mut self,
        i: usize,
        arrival: Arrival,
        out: &mut Vec<GroupEvent>,
    ) {
        let others_active = self
            .members
            .iter()
            .enumerate()
            .filter(|(j, m)| *j != i && m.is_active())
            .count();
        let nonstandby = self.members.iter().filter(|m| !m.standby).count();
        let m = &self.members[i];
        let inactive = if self.anonymous {
            false
        } else if m.standby {
            // An idle standby until the group is short of active members.
            others_active >= nonstandby
        } else {
            match arrival {
                Arrival::Creation | Arrival::Online => false,
                // FAILBACK=no: a repaired member waits, INACTIVE, until
                // another fails, unless nothing else is active.
                Arrival::Repair => !self.failback && others_active > 0,
            }
        };
        self.set_inactive(i, inactive, out);
        if !inactive && !self.members[i].standby && others_active >= nonstandby
        {
            // Over capacity: an active standby goes back to idle.
            let standby = self.members.iter().position(|m| {
                m.standby && m.is_active() && m.name != self.members[i].name
            });
            if let Some(s) = standby {
                self.set_inactive(s, true, out);
            }
        }
    }

    /// Activates the first functioning INACTIVE member, preferring a
    /// standby.
    fn activate_another(&mut self, out: &mut Vec<GroupEvent>) {
        let idle = |m: &Member| m.state.is_functioning() && m.inactive;
        let pick = self
            .members
            .iter()
            .position(|m| idle(m) && m.standby)
            .or_else(|| self.members.iter().position(idle));
        if let Some(j) = pick {
            self.set_inactive(j, false, out);
        }
    }

    fn set_inactive(
        &mut self,
        i: usize,
        inactive: bool,
        out: &mut Vec<GroupEvent>,
    ) {
        let m = &mut self.members[i];
        if m.inactive == inactive {
            return;
        }
        m.inactive = inactive;
        let member = m.name.clone();
        out.push(if inactive {
            GroupEvent::Deactivated { member }
        } else {
            GroupEvent::Activated { member }
        });
    }

    /// After every change: keep at least one member active when any
    /// functions, place the addresses, and report the group state.
    fn settle(&mut self, out: &mut Vec<GroupEvent>) {
        if !self.members.iter().any(Member::is_active) {
            self.activate_another(out);
        }
        if self.held {
            self.unsettled = true;
            self.update_state(out);
            return;
        }
        self.unsettled = false;
        let homes: Vec<usize> = self.addresses.iter().map(|a| a.home).collect();
        let mut hosts: Vec<Option<usize>> =
            self.addresses.iter().map(|a| a.host).collect();
        for mv in place(&self.members, &homes, &mut hosts, self.failback) {
            let a = &mut self.addresses[mv.addr];
            a.host = Some(mv.to);
            out.push(GroupEvent::AddressMoved {
                addr: a.prefix,
                from: mv.from.map(|f| self.members[f].name.clone()),
                to: self.members[mv.to].name.clone(),
            });
        }
        self.update_state(out);
    }

    fn update_state(&mut self, out: &mut Vec<GroupEvent>) {
        if self.anonymous {
            return;
        }
        let usable = self
            .members
            .iter()
            .filter(|m| m.state.is_functioning())
            .count();
        let new = if usable == 0 {
            GroupState::Failed
        } else if usable == self.members.len() {
            GroupState::Ok
        } else {
            GroupState::Degraded
        };
        let old = self.state;
        if new == old {
            return;
        }
        self.state = new;
        out.push(GroupEvent::StateChanged { from: old, to: new });
        // Entering FAILED is news only if the group had worked before;
        // a group that starts failed says nothing.
        if new == GroupState::Failed && self.seen.iter().any(|s| *s) {
            self.failure_reported = true;
            out.push(GroupEvent::AllUnusable);
        } else if old == GroupState::Failed && self.failure_reported {
            self.failure_reported = false;
            let member = self
                .members
                .iter()
                .find(|m| m.state.is_functioning())
                .map(|m| m.name.clone())
                .unwrap_or_default();
            out.push(GroupEvent::UsableAgain { member });
        }
    }
}
