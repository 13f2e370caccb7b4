//! Sans-IO failure detection for mpathd and laggd.
//!
//! Everything in this crate is a plain state machine: it is fed events
//! together with the current time ([`time::Instant`]), and it answers with
//! actions and the next instant at which it wants to be called again. It
//! opens no sockets, reads no clock and contains no unsafe code, so every
//! behaviour can be tested in simulated time. The daemons own the I/O and
//! the clock; the per-OS layer lives in the `mpath-sys` crate.
//!
//! What both daemons share sits at the top; mpathd's and laggd's wings
//! sit side by side below it.
//!
//! | module        | concept                                               |
//! |---------------|-------------------------------------------------------|
//! | [`time`]      | monotonic instants supplied by the caller             |
//! | [`deadlines`] | per-key deadlines, the earliest at hand               |
//! | [`addr`]      | IP addresses with prefix lengths                      |
//! | [`rng`]       | a small seeded generator for probe jitter and nonces  |
//! | [`kernel`]    | the kernel's state as both engines are fed it         |
//! | [`log`]       | log lines' priority and kind                          |
//! | [`messages`]  | the log texts of the daemons' shared driver           |
//! | [`syntax`]    | the configuration files' lexicon: `file:line`         |
//! |               | diagnostics, `strtol`, logical lines                  |
//! | [`probe`]     | probe-based detection of one path (FDT constants)     |
//! | [`link`]      | link-based detection: carrier with delays and damping |
//! | [`mpathd`]    | mpathd's wing: config, IPMP group policy, engine      |
//! | [`laggd`]     | laggd's wing: config, port, aggregate, tracking and   |
//! |               | redundancy policies, membership plans, engine         |
#![forbid(unsafe_code)]

pub mod addr;
pub mod deadlines;
pub mod kernel;
pub mod laggd;
pub mod link;
pub mod log;
pub mod messages;
pub mod mpathd;
pub mod probe;
pub mod rng;
pub mod syntax;
pub mod time;
