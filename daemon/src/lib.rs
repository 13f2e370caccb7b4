//! What the daemons (mpathd, laggd) share around their engines: the one
//! event loop ([`driver`]) each runs its [`backend::Backend`] on, the
//! control socket server, the log, the command line and the start
//! sequence ([`run`] ties them together).
#![forbid(unsafe_code)]

pub mod backend;
pub mod control;
pub mod driver;
pub mod log;
pub mod opts;
pub mod start;

pub use start::run;
