//! The kernel's view on Linux through rtnetlink: snapshots of links,
//! addresses and routes ([`snapshot()`]), change notifications
//! ([`NetlinkSocket::drain_events`]) and address changes
//! ([`add_address`], [`del_address`]).
//!
//! # Why our own rtnetlink
//!
//! mpathd needs four requests and six message types, a few hundred lines.
//! The netlink crates bring async runtimes and generated bindings for
//! hundreds of attributes; written here, the whole path from the socket
//! to the [`KernelSnapshot`] can be read in one sitting, and the parser
//! is ours to fuzz.
//!
//! # Events are hints
//!
//! As in.mpathd does with its routing socket, the daemon never patches
//! its model from individual messages: it drains the event socket, and
//! if anything arrived it takes a full [`snapshot()`] and lets the engine
//! diff it. Lost events (`ENOBUFS` when the socket's buffer overflowed)
//! or a message we cannot parse cost nothing but that snapshot: they set
//! [`Drained::resync`], and a snapshot is always the right answer.
//!
//! # Two sockets
//!
//! [`NetlinkSocket::open_events`] listens to multicast groups and never
//! blocks; [`NetlinkSocket::open_request`] sends requests and waits for
//! the answers with a timeout. Keeping them apart means a dump is never
//! interleaved with event traffic and the event socket's buffer is never
//! spent on dump replies.
//!
//! # Layout
//!
//! | file          | what                                              |
//! |---------------|---------------------------------------------------|
//! | `abi.rs`      | the kernel's numbers, typed                       |
//! | [`msg`]       | checked views: messages, attributes, the parsers  |
//! | `socket.rs`   | the socket: open, receive, requests, dumps, events|
//! | `snapshot.rs` | the dumps assembled into a [`KernelSnapshot`]     |
//! | `addr.rs`     | adding and removing addresses                     |
//!
//! [`KernelSnapshot`]: mpath_core::kernel::KernelSnapshot

mod abi;
mod addr;
pub mod msg;
mod route_ops;
mod snapshot;
mod socket;

pub use addr::{add_address, del_address, AddFlags};
pub use route_ops::move_route;
pub use snapshot::snapshot;
pub use socket::{Drained, NetlinkSocket};

#[cfg(test)]
mod live_tests;
