//! mpathd's wing of the core: the /etc/default/mpathd format and the
//! group lines ([`config`]), IPMP group policy ([`group`]), and the
//! engine that runs both daemons' shared detectors for IPMP-like groups
//! ([`engine`]).

pub mod config;
pub mod engine;
pub mod group;
