//! Sans-IO failure detection for mpathd and laggd.
//!
//! Everything in this crate is a plain state machine: it is fed events
//! together with the current time ([`time::Instant`]), and it answers with
//! actions and the next instant at which it wants to be called again. It
//! opens no sockets, reads no clock and contains no unsafe code, so every
//! behaviour can be tested in simulated time. The daemons own the I/O and
//! the clock; the per-OS layer lives in the `mpath-sys` crate.
//!
//! | module     | concept                                                  |
//! |------------|----------------------------------------------------------|
//! | [`addr`]   | IP addresses with prefix lengths                         |
//! | [`time`]   | monotonic instants supplied by the caller                |
//! | [`rng`]    | a small seeded generator for probe jitter and nonces     |
//! | [`deadlines`] | per-key deadlines, the earliest at hand            |
//! | [`log`]    | log lines' priority and kind, for both engines           |
//! | [`messages`] | the log texts of the daemons' shared driver            |
//! | [`probe`]  | probe-based detection of one path (interface, family)    |
//! | [`link`]   | link-based detection: carrier with delays and damping    |
//! | [`group`]  | IPMP group policy: who hosts which data address          |
//! | [`lagg`]   | laggd policies: ports, min-links, tracking, redundancy   |
//! | [`config`] | the /etc/default/mpathd format and mpathd's group lines   |
#![forbid(unsafe_code)]

pub mod addr;
pub mod config;
pub mod deadlines;
pub mod engine;
pub mod group;
pub mod lagg;
pub mod link;
pub mod log;
pub mod messages;
pub mod probe;
pub mod rng;
pub mod time;
