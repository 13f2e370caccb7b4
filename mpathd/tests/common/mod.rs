//! The shared lab set-up (in `mpath-lab`), with this crate's mpathd.
#![allow(dead_code)]

use std::path::Path;

pub use mpath_lab::mpathd::{wait, Setup, BASE};

/// A lab with this build's mpathd running `conf`.
pub fn setup(name: &str, members: usize, conf: &str) -> Setup {
    Setup::new(Path::new(env!("CARGO_BIN_EXE_mpathd")), name, members, conf)
}
