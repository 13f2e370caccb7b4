//! Socket buffers the daemons size themselves: a control client's send
//! buffer, so that a large status reply leaves in one write.

use std::os::fd::BorrowedFd;

use nix::sys::socket::{setsockopt, sockopt};

/// Asks for a send buffer of `bytes` on `fd`, best effort: on Linux, root
/// may exceed the system's cap (`SO_SNDBUFFORCE`); elsewhere the cap
/// (`kern.ipc.maxsockbuf`, `net.core.wmem_max`) applies.
pub fn raise_send_buffer(fd: BorrowedFd<'_>, bytes: usize) {
    if crate::os::force_send_buffer(fd, bytes) {
        return;
    }
    let _ = setsockopt(&fd, sockopt::SndBuf, &bytes);
}
