//! The control protocol spoken over the daemons' Unix sockets.
//!
//! One JSON object per line, both ways. Every message carries the
//! protocol `version`; a request may carry an `id` that its reply echoes.
//!
//! ```text
//! → {"version":1,"id":1,"request":"status"}
//! ← {"version":1,"id":1,"ok":{"status":{...}}}
//! → {"version":1,"id":2,"request":"offline","interface":"em1"}
//! ← {"version":1,"id":2,"error":{"code":"eminred","message":"cannot offline em1: ..."}}
//! → {"version":1,"id":3,"request":"watch"}
//! ← {"version":1,"id":3,"ok":"watching"}
//! ← {"version":1,"event":{...}}            (until the client leaves)
//! ```
//!
//! Requests are checked for size ([`MAX_REQUEST`]), encoding, shape and
//! version before anything looks at them ([`parse_request`]); a bad one
//! gets an error reply and changes nothing. Unknown fields are refused so
//! that a typo is an error rather than a silently ignored option.
//! Versioning: a new request kind or a new field in a reply is a
//! compatible change; anything else raises [`VERSION`].
//!
//! The shapes the daemons report in live here too ([`mpathd`]'s
//! `Status`, [`laggd`]'s `LaggStatus`): the engines build them, ifctl
//! reads them, and neither needs the other's code for it.
#![forbid(unsafe_code)]

pub mod laggd;
mod message;
pub mod mpathd;

/// mpathd's default control socket, under the OS's run directory; the
/// daemon (`-s`) and ifctl (`-s`) both start from it.
#[cfg(target_os = "linux")]
pub const MPATHD_SOCKET: &str = "/run/mpathd.sock";
/// mpathd's default control socket, under the OS's run directory; the
/// daemon (`-s`) and ifctl (`-s`) both start from it.
#[cfg(not(target_os = "linux"))]
pub const MPATHD_SOCKET: &str = "/var/run/mpathd.sock";

/// laggd's default control socket.
#[cfg(target_os = "linux")]
pub const LAGGD_SOCKET: &str = "/run/laggd.sock";
/// laggd's default control socket.
#[cfg(not(target_os = "linux"))]
pub const LAGGD_SOCKET: &str = "/var/run/laggd.sock";

pub use message::{
    encode, parse_request, parse_response, ErrorCode, ErrorReply, Event,
    Payload, ProbeInfo, ProtoError, Request, RequestBody, Response,
    ResponseBody, MAX_REQUEST, MAX_RESPONSE, VERSION,
};
