//! IPMP group policy in the address-moving model.
//!
//! FreeBSD and Linux have no kernel IPMP, so mpathd works the way
//! Solaris 8-10 in.mpathd did: data addresses live on the member
//! interfaces themselves and the daemon moves them. (Since Clearview,
//! illumos keeps data addresses on an IPMP meta-interface and the kernel
//! binds them; that model needs kernel support we do not have.)
//!
//! # Glossary
//!
//! - **member**: an interface in a group (in.mpathd's *phyint*).
//! - **data address**: an address the group keeps reachable. Each has a
//!   *home* member (where it is configured and where failback returns it)
//!   and a *host* (where it is now).
//! - **functioning**: a member that is `Ok`, or `NoTargets` (link up but
//!   nothing to probe). Only functioning members may host addresses.
//! - **INACTIVE**: a functioning member that deliberately hosts nothing:
//!   an idle standby, or a repaired member while FAILBACK=no.
//! - **active**: functioning and not INACTIVE.
//! - **standby**: configured to stay INACTIVE while the group has as many
//!   active members as it has non-standby members.
//!
//! # Rules (in.mpathd §5.3, §3.10 and the Solaris IPMP guide)
//!
//! | event                         | effect                                       |
//! |-------------------------------|----------------------------------------------|
//! | an active member fails        | INACTIVE cleared on it; the first idle member (standby first) is activated; its addresses move |
//! | failure with no other proof of a working network | **group failure**: every member is failed, nothing moves, state `failed` |
//! | standby becomes functioning   | INACTIVE if the group already has enough active members |
//! | repair, FAILBACK=yes          | active; home addresses return; an active standby over capacity goes idle |
//! | repair, FAILBACK=no           | INACTIVE (hosts nothing) unless nothing else is active |
//! | offline                       | refused for the last usable member; else as a failure |
//! | online                        | active even with FAILBACK=no (the operator asked)     |
//! | member missing at start       | its addresses are hosted elsewhere           |
//!
//! Address placement is in [`placement`]; the member state machine in
//! [`member`]. The group never performs I/O: every change is returned as
//! a [`GroupEvent`] for the daemon to log and carry out.
//!
//! Invariants, checked by the property tests after every step:
//!
//! - whenever any member is usable, every data address is hosted on
//!   exactly one usable, active member;
//! - a failed, offline or missing member hosts no data address unless the
//!   whole group has failed.

pub mod member;
pub mod placement;
mod policy;

pub use member::{Evidence, Health, Member, MemberState};
pub use policy::{Cause, Group, GroupError, GroupEvent, GroupState, Suspicion};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
