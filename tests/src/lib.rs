//! A network lab in Linux network namespaces, for end-to-end tests and
//! the demo.
//!
//! ```text
//!   host ns (runs mpathd)          sw ns (the switch)      other ns
//!   ┌────────────────┐            ┌──────────────────┐
//!   │ mp0 ───────────┼── veth ────┼ s0 ┐             │
//!   │ mp1 ───────────┼── veth ────┼ s1 ┤             │
//!   │ mp2 ───────────┼── veth ────┼ s2 ┤  br0        │
//!   └────────────────┘            │    ├ srtr ───────┼── rtr  192.0.2.1
//!                                 │    ├ st2  ───────┼── t2   192.0.2.2
//!                                 │    └ speer ──────┼── peer 192.0.2.100
//!                                 └──────────────────┘
//! ```
//!
//! A *path cut* drops a member's frames in the switch with nftables
//! (bridge family) while its link stays up; a *carrier loss* sets the
//! switch side of the veth down, which takes the member's carrier down.
//! Every namespace name carries the creating process id and a counter, so
//! concurrent tests never collide, and [`Lab`]'s `Drop` deletes them even
//! when a test fails. Namespaces left by a killed run are swept by the
//! next [`Lab::new`] (their creator's pid no longer exists).
//!
//! Only documentation addresses are used (192.0.2.0/24, 2001:db8::/32),
//! and no traffic leaves the namespaces.

// A test lab reports skips and progress on the terminal by design.
#![allow(clippy::print_stderr, clippy::print_stdout)]

pub mod client;
pub mod ha;
mod lab;
pub mod mpathd;
mod proc;

pub use lab::{Lab, LabSpec, Ns};
pub use proc::{root_or_skip, Daemon};
