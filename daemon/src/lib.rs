//! What the daemons (mpathd, laggd) share around their engines: the
//! control socket server and the logger. Each daemon keeps its own poll
//! loop; these are the pieces it polls and writes to.
#![forbid(unsafe_code)]

pub mod control;
pub mod log;
pub mod opts;
pub mod start;
