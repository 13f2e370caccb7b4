//! The configuration files' shared lexicon: problems tied to
//! `file:line` and the did-you-mean suggestions ([`diagnostic`]), C's
//! `strtol` as in.mpathd reads numbers ([`strtol`]), and logical lines
//! with `\\` continuation ([`lines`]). mpathd.conf and laggd.conf report
//! problems alike because both use these.

pub mod diagnostic;
pub(crate) mod lines;
pub mod strtol;

pub(crate) use diagnostic::{closest, did_you_mean, near, Sink};
pub use diagnostic::{Diagnostic, Severity};
