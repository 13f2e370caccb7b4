//! laggd's policies, sans I/O: what to do with a link aggregate's ports,
//! with link-state tracking groups, and with redundancy groups, given the
//! ports' health (from [`crate::link`] and [`crate::probe`] detectors
//! running per port).
//!
//! | module         | concept                                       | source  |
//! |----------------|-----------------------------------------------|---------|
//! | [`port`]       | port health: link, ARP/NS probes, any/all/N   | issue    |
//! | [`aggregate`]  | port membership, min-links, failure threshold | seed 001 |
//! | [`lacp`]       | LACP's word on a port: live only if aggregated | seed 001 |
//! | [`tracking`]   | upstream/downstream link-state groups         | seed 000 |
//! | [`redundancy`] | priority, track/decrement, threshold, timers  | seed 002 |
//! | [`carp`]       | effects as CARP skews and demotion shares     | carp(4)  |
//! | [`keepalived`] | effects as keepalived track-file values       | keepalived |
//! | [`plan`]       | membership changes per kind of aggregate      | lagg(4), bonding |
//!
//! Per-port probing reuses the probe detector: laggd sends ARP requests
//! (IPv4) or neighbour solicitations (IPv6) through each port and feeds a
//! validated reply (right target, our sender address, answering a request
//! still outstanding) to the port's detector as an echo reply, so ports
//! have in.mpathd's FDT-based timing: five lost probes fail a port, ten
//! replies repair it.

pub mod aggregate;
pub mod carp;
pub mod config;
pub mod engine;
pub mod keepalived;
pub mod lacp;
pub mod messages;
pub mod plan;
pub mod port;
pub mod redundancy;
pub mod tracking;
