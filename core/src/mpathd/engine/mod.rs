//! mpathd's engine: the whole daemon's logic, sans I/O.
//!
//! The engine owns the configured groups ([`crate::mpathd::group`]) and, per
//! member interface, a link detector ([`crate::link`]) and one probe
//! detector per address family ([`crate::probe`]). It is fed:
//!
//! - [`Engine::sync`]: a complete [`KernelSnapshot`] (interfaces, carrier,
//!   addresses, routes), whenever the kernel hints at a change and at
//!   least every 20 s;
//! - [`Engine::on_reply`]: a decoded probe reply, or a turn's replies
//!   together through [`Engine::replies`];
//! - [`Engine::poll`]: the clock, at [`Engine::next_deadline`];
//! - operator requests: [`Engine::offline`], [`Engine::online`],
//!   [`Engine::reconfigure`], [`Engine::shutdown`];
//!
//! and answers with [`Action`]s: send this probe, add or remove this
//! address, announce it, log this line. It never blocks, opens nothing
//! and reads no clock, so every scenario runs in simulated time
//! (`sim.rs`, `tests.rs`).
//!
//! Work per input is proportional to what it touches (`machine.rs`): a
//! probe reply updates one path; a timer runs one interface's
//! detectors; a group is evaluated only when a member's health changed.
//! Only a snapshot or a new configuration looks at every interface.
//!
//! | file         | concept                                                |
//! |--------------|--------------------------------------------------------|
//! | `machine.rs` | the engine's state, entry points, per-member deadlines |
//! | `install.rs` | a configuration installed, keeping unchanged state     |
//! | `sync.rs`    | a kernel snapshot diffed in                            |
//! | `paths.rs`   | probe paths, test addresses, targets, probe events     |
//! | `evaluate.rs`| member health to group decisions to actions           |
//! | `routes.rs`  | gateway routes following the data addresses            |
//! | `query.rs`   | the operator's status                                  |
//! | `tally.rs`   | failovers, failbacks, failures: counts for the daemon's life |
//!
//! Data addresses are observed, not assumed: each snapshot tells the
//! group where the kernel really has them, so an address left on two
//! members by a crash, or removed by hand, is put right on the next
//! sync. Test addresses are configured by the engine when missing, with
//! no prefix route, so that they never decide where subnet traffic goes.

mod action;
mod evaluate;
mod iface;
mod install;
mod machine;
pub mod messages;
mod paths;
mod query;
mod routes;
mod sync;
mod tally;

#[cfg(test)]
pub(crate) mod faults;
#[cfg(test)]
mod sim;
#[cfg(test)]
mod tests;

pub use action::{Action, AddressRole, Level, LogKind};
pub use machine::{Engine, EngineError, ProbePath, Replies};
