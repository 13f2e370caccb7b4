//! mpathd's engine: the sans-IO core of the daemon (in progress; the
//! kernel snapshot types come first because the OS backends produce
//! them).

mod kernel;
mod status;

pub use kernel::{KernelLink, KernelRoute, KernelSnapshot};
pub use status::{
    AddressStatus, GroupStatus, InterfaceStatus, PathInfo, Status, TargetStatus,
};
