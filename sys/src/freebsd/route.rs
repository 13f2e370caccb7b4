//! The kernel's view on FreeBSD: snapshots of interfaces, addresses and
//! routes ([`snapshot()`]), change notifications
//! ([`RouteSocket::drain_events`]), address changes ([`add_address`],
//! [`del_address`]) and interface groups ([`interface_groups`],
//! [`group_members`]).
//!
//! The FreeBSD counterpart of Linux's `netlink` module, from the routing
//! socket, the routing sysctls and the interface ioctls. Every kernel
//! number they use is declared in `freebsd/abi/` and checked against
//! FreeBSD's headers; the message parsers ([`msg`]) are pure and compile
//! on every host, so they are tested and fuzzed (`rtsock_parse`) on
//! Linux too.
//!
//! # Events are hints
//!
//! As in.mpathd does with its routing socket, the daemon never patches
//! its model from individual messages: it drains the socket, and if
//! anything relevant arrived it takes a full [`snapshot()`] and lets the
//! engine diff it. Lost messages (the socket's buffer overflowed:
//! `ENOBUFS`, which `SO_RERROR` makes visible) or a message we cannot
//! parse cost nothing but that snapshot: they set [`Drained::resync`].
//!
//! # Layout
//!
//! | file              | what                                          |
//! |-------------------|-----------------------------------------------|
//! | `abi/`            | the kernel's numbers and layouts, checked     |
//! | `rtsock/msg/`     | checked views: messages, addresses, snapshot  |
//! | `rtsock/socket.rs`| the event socket                              |
//! | `snapshot.rs`     | the routing sysctls read into a snapshot      |
//! | `addr.rs`         | adding and removing addresses (ioctls)        |
//! | `groups.rs`       | interface groups (ioctls)                     |
//! | `ioctl.rs`        | interface names and the ioctl socket          |

pub use super::rtsock::msg;

#[cfg(target_os = "freebsd")]
pub use super::addr::{add_address, del_address};
#[cfg(target_os = "freebsd")]
pub use super::groups::{group_members, interface_groups};
#[cfg(target_os = "freebsd")]
pub use super::rtsock::{Drained, RouteSocket};
#[cfg(target_os = "freebsd")]
pub use super::snapshot::snapshot;
