//! Giving up the right to open anything new, once a process has what it
//! needs.
//!
//! On FreeBSD this is Capsicum's capability mode (`cap_enter(2)`): after
//! it, the process can use the descriptors it holds but cannot open
//! files, sockets or paths, so a bug exploited through a reply from the
//! daemon cannot reach the rest of the system. ifctl enters it once its
//! control-socket connection is open. Linux and illumos have no drop-in
//! equivalent used here (seccomp and privileges(5) need per-call policy),
//! so there [`enter`] does nothing and says so.

use std::io;

/// Enters the sandbox. `Ok(true)` if the process is now sandboxed,
/// `Ok(false)` if this OS (or this kernel: FreeBSD built without
/// `CAPABILITY_MODE`) has none.
pub fn enter() -> io::Result<bool> {
    crate::os::enter_sandbox()
}
