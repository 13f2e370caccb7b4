//! Where there is no CARP (Linux, illumos): every CARP call of the
//! contract says so, in the words of the OS module's [`NO_CARP`]
//! (`crate::os::NO_CARP`), so that laggd's log tells the operator what
//! to use instead.

use std::io;

use super::ha::CarpVhid;
use crate::os::NO_CARP;

fn no_carp() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, NO_CARP)
}

/// See `unix::ha`.
pub(crate) fn adjust_carp_demotion(_delta: i32) -> io::Result<()> {
    Err(no_carp())
}

/// See `unix::ha`.
pub(crate) fn carp_vhid(_ifname: &str, _vhid: u8) -> io::Result<CarpVhid> {
    Err(no_carp())
}

/// See `unix::ha`.
pub(crate) fn set_carp_advskew(
    _ifname: &str,
    _vhid: u8,
    _advskew: u8,
) -> io::Result<()> {
    Err(no_carp())
}

/// See `unix::ha`.
pub(crate) fn carp_preempt() -> io::Result<bool> {
    Err(no_carp())
}
