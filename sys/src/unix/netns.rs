//! Moving the calling thread into a network namespace, for the test
//! lab: a socket belongs to the namespace of the thread that opens it,
//! so a test that wants to see what an application in one of the lab's
//! namespaces would get (the source address the kernel picks, say)
//! opens its socket on a thread moved there. Linux only (`setns(2)` with
//! `CLONE_NEWNET`, through nix); other OSes have no network namespaces
//! and say `Unsupported`.

use std::io;
use std::path::Path;

/// Moves the calling thread (only it) into the network namespace whose
/// file is `path` (`/run/netns/NAME` for `ip netns`).
///
/// # Errors
///
/// Opening `path`; `setns`'s (`EPERM` without `CAP_SYS_ADMIN`);
/// `Unsupported` on FreeBSD and illumos.
pub fn enter(path: &Path) -> io::Result<()> {
    crate::os::enter_netns(path)
}
