//! The per-OS kernel interface layer of mpathd, laggd and ifctl: the only
//! crate in the workspace with `unsafe` code.
//!
//! Everything above this crate is safe and portable: `mpath-core` is a
//! sans-IO state machine that is handed the time and the kernel's answers;
//! the daemons are thin loops around it. This crate is where those answers
//! come from.
//!
//! # One contract, every OS
//!
//! The daemons carry no per-OS code: every item below has the same name,
//! types and methods on Linux, FreeBSD and illumos (where an OS cannot
//! do something, the call says so with `ErrorKind::Unsupported`).
//!
//! | module        | what                                                  |
//! |---------------|-------------------------------------------------------|
//! | [`kernel`]    | `Kernel`: the kernel's view (snapshot), its change    |
//! |               | hints, address and route changes, announcements, up   |
//! | [`probes`]    | `ProbeSockets`: mpathd's ICMP probes per path (Linux: |
//! |               | one shared socket per family; FreeBSD, illumos: one   |
//! |               | per path); [`echo`]: their bytes                      |
//! | [`aggregate`] | `Aggregates`: laggd's bonds or laggs (membership,     |
//! |               | announcements, CARP demotion); refused on illumos     |
//! | [`portprobe`] | `PortProbe`: laggd's per-port ARP/NS socket           |
//! | [`ha`]        | the HA engines laggd drives: keepalived's track file, |
//! |               | CARP's demotion counter, vhids' state and advskew,    |
//! |               | preemption (FreeBSD)                                  |
//! | [`clock`]     | the monotonic clock the daemons feed to the core      |
//! | [`daemon`]    | daemonize, pid file, ids, random seed                 |
//! | [`ifaddrs`]   | interface enumeration: names, indexes, flags, MAC, IPs|
//! | [`ifindex`]   | interface name <-> index                              |
//! | [`peercred`]  | the uid at the other end of a control connection      |
//! | [`signal`]    | signals as bytes on a self-pipe                       |
//! | [`sandbox`]   | ifctl's sandbox (Capsicum on FreeBSD)                 |
//! | [`replace`]   | a file replaced whole, even from inside the sandbox   |
//! | [`netns`]     | a thread into a network namespace (the test lab;      |
//! |               | Linux only)                                           |
//!
//! Per-OS extras, for tests, examples and fuzzing: Linux `netlink`,
//! `bond`, `lacp`, `link`, `packet`; FreeBSD `route`, `lagg`,
//! `carp`, `packet`, `bpf`; illumos `rtsock`, `syslog`.
//!
//! # Layout (after mio's `sys/`)
//!
//! * `unix/`: code shared by Linux, FreeBSD and illumos. It holds the
//!   public types and most of the logic, the `syscall!` helper and the
//!   safe views of C data (`Sockaddr`, the getifaddrs list guard).
//! * `linux/`, `freebsd/`, `illumos/`: what differs, one module per OS,
//!   each selected by `#[cfg(target_os = ...)]` on its `mod` line and
//!   imported as `os`. Each provides the same small set of items, a
//!   contract between modules rather than a trait:
//!
//!   | item                  | purpose                                     |
//!   |-----------------------|---------------------------------------------|
//!   | `ifaddrs::sockaddr_len` | how many bytes of a getifaddrs address are |
//!   |                       | its own (BSD `sa_len`, else by family)      |
//!   | `ifaddrs::link_info`  | MAC, index and carrier from the link-layer  |
//!   |                       | entry (`AF_PACKET`, `AF_LINK`, none)        |
//!   | `ifaddrs::carrier_from_flags` | carrier from interface flags, where |
//!   |                       | that is how the OS reports it               |
//!   | `ifaddrs::physical_name` | strip logical-interface/label suffixes   |
//!   | `ifaddrs::unembed_scope` | undo KAME's scope embedding (FreeBSD)    |
//!   | `peercred::peer_uid`  | a Unix socket peer's euid (`SO_PEERCRED`,   |
//!   |                       | `getpeereid`, `getpeerucred`)               |
//!
//! OS differences are chosen at module level in this way, never with `cfg`
//! inside function bodies, so each OS's behaviour reads top to bottom in
//! one place and a new OS is a new module, not a hunt through `if`s.
//!
//! # Rules for unsafe code
//!
//! * Every `unsafe` block carries a `// SAFETY:` comment (enforced by
//!   clippy's `undocumented_unsafe_blocks`, denied in Cargo.toml).
//! * A call that `nix` wraps safely (sockets, socket options with a
//!   typed option, control messages, signals, pipes, fork and the rest of
//!   daemonizing, flock, clocks, interface indexes, peer credentials) goes
//!   through `nix`; sysctls by name through `sysctl`, `cap_enter` through
//!   `capsicum` (FreeBSD). Only what those crates cannot express is
//!   hand-written, with a comment saying why.
//! * All FFI declarations come from `libc`; none are written here.
//! * C calls that return -1 and set errno go through `syscall!`.
//! * C-owned memory is freed by a guard's `Drop`; file descriptors are
//!   held as `OwnedFd`.
//! * Kernel-provided lengths are trusted only after a bounds check; byte
//!   parsing happens in safe code over a slice of exactly the bytes that
//!   belong to the object.

#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "illumos"
)))]
compile_error!("mpath-sys supports Linux, FreeBSD and illumos only");

#[macro_use]
mod unix;

// FreeBSD's ABI tables and routing-socket parsers are plain code that
// also compiles elsewhere, to be tested (the ABI header check runs on
// Linux) and fuzzed (cargo-fuzz sets `cfg(fuzzing)`); the rest of the
// module is FreeBSD-only.
#[cfg(any(target_os = "freebsd", test, fuzzing))]
#[cfg_attr(not(target_os = "freebsd"), allow(dead_code))]
mod freebsd;
#[cfg(target_os = "illumos")]
mod illumos;
#[cfg(target_os = "linux")]
mod linux;

#[cfg(target_os = "freebsd")]
use freebsd as os;
#[cfg(target_os = "illumos")]
use illumos as os;
#[cfg(target_os = "linux")]
use linux as os;

#[cfg(any(target_os = "freebsd", fuzzing))]
pub use freebsd::route;
#[cfg(target_os = "illumos")]
pub use illumos::{portprobe, rtsock, syslog};
// The pure BPF code is public on FreeBSD, and for the fuzz targets and
// the Linux-host tests.
#[cfg(any(target_os = "freebsd", fuzzing, test))]
pub use freebsd::bpf;
#[cfg(target_os = "freebsd")]
pub use freebsd::{carp, lagg, packet, portprobe};
#[cfg(target_os = "linux")]
pub use linux::{bond, lacp, link, netlink, packet, portprobe};
/// Aggregate control (Linux bonding, FreeBSD lagg(4); refused on
/// illumos), with what every OS's shares.
pub mod aggregate {
    pub use crate::os::aggregate::Aggregates;
    pub use crate::unix::aggregate::{ActivePorts, MembershipChange};
}
pub use os::{kernel, probes};
pub use unix::{
    clock, daemon, echo, ha, ifaddrs, ifindex, netns, peercred, replace,
    sandbox, signal, sockbuf, wait,
};
