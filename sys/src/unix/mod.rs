//! Code shared by every supported OS (Linux, FreeBSD, illumos): the public
//! modules, the `syscall!` helper and safe views of the C data they read.

/// Evaluates a C call that returns -1 and sets errno on failure, mapping
/// that to `Err(io::Error::last_os_error())` and anything else to `Ok`.
///
/// The call is written out at the use site, `unsafe` block and `SAFETY:`
/// comment included, so each call documents its own contract:
///
/// ```text
/// // SAFETY: ...
/// syscall!(unsafe { libc::getrandom(buf.as_mut_ptr().cast(), len, 0) })?;
/// ```
macro_rules! syscall {
    ($call:expr) => {{
        let res = $call;
        if res == -1 {
            Err(::std::io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}

pub mod aggregate;
#[cfg(any(target_os = "linux", target_os = "freebsd"))]
pub(crate) mod announce;
pub mod clock;
pub mod daemon;
pub mod echo;
pub mod ha;
pub mod ifaddrs;
pub mod ifindex;
pub mod netns;
#[cfg(not(target_os = "freebsd"))]
pub(crate) mod no_carp;
pub mod peercred;
#[cfg(not(target_os = "linux"))]
pub(crate) mod probes;
pub(crate) mod rawsock;
pub mod replace;
pub mod sandbox;
pub mod signal;
pub(crate) mod sockaddr;
pub mod sockbuf;
pub(crate) mod sockopt;
pub mod wait;
