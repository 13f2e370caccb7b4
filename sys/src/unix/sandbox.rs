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
use std::os::fd::BorrowedFd;

/// What a descriptor is kept for, and so the only rights it keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    /// A file held open only for its lock (the pid file): `fstat` and
    /// `flock`.
    LockedFile,
    /// A descriptor only read when the event loop says it is readable
    /// (the signal pipe): `read`, `kevent`, `fstat`.
    EventReader,
}

/// Limits `fd` to the rights `kept` needs (Capsicum's
/// `cap_rights_limit(2)`), where a daemon cannot enter capability mode:
/// mpathd and laggd open probe sockets and BPF devices as interfaces come
/// and go, so only their descriptors with a fixed use are limited.
/// `Ok(false)` where the OS (or kernel) has no such limits.
pub fn limit(fd: BorrowedFd<'_>, kept: Kept) -> io::Result<bool> {
    crate::os::limit_rights(fd, kept)
}

/// Enters the sandbox. `Ok(true)` if the process is now sandboxed,
/// `Ok(false)` if this OS (or this kernel: FreeBSD built without
/// `CAPABILITY_MODE`) has none.
pub fn enter() -> io::Result<bool> {
    crate::os::enter_sandbox()
}
