//! The routing socket (`PF_ROUTE`): checked views of its messages
//! (`msg`, pure and portable, tested and fuzzed on any host) and, on
//! FreeBSD, the event socket (`RouteSocket`). Exported through `route`.

pub mod msg;
#[cfg(target_os = "freebsd")]
mod socket;

#[cfg(target_os = "freebsd")]
pub use socket::{Drained, RouteSocket};
