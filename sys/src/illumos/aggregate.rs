//! Aggregates on illumos: not supervised. illumos's link aggregations
//! (dladm) and IPMP are the kernel's own; laggd runs on Linux (bonding)
//! and FreeBSD (lagg). Every call says so, so that laggd builds here and
//! refuses to start with a clear message.

use std::io;

use mpath_core::kernel::KernelSnapshot;
use mpath_core::laggd::lacp::LacpView;
use mpath_wire::MacAddr;

use crate::unix::aggregate::{ActivePorts, MembershipChange};

/// No aggregates.
#[derive(Debug)]
pub struct Aggregates(());

fn unsupported() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "laggd supervises Linux bonding and FreeBSD lagg(4) only",
    )
}

impl Aggregates {
    /// Refused.
    pub fn open() -> io::Result<Aggregates> {
        Err(unsupported())
    }

    /// Nothing to remember.
    pub fn set_managed(&mut self, _: &[(String, Vec<String>)]) {}

    /// None.
    pub fn active_ports(
        &mut self,
        _: &[&str],
        _: &KernelSnapshot,
    ) -> ActivePorts {
        ActivePorts::new()
    }

    /// None.
    pub fn lacp(&mut self, _: &[&str]) -> LacpView {
        LacpView::new()
    }

    /// Refused.
    pub fn port_mac(&self, _: &str, _: &str) -> io::Result<MacAddr> {
        Err(unsupported())
    }

    /// Refused.
    pub fn check_source(&self, _: &str, _: &str, _: MacAddr) -> io::Result<()> {
        Err(unsupported())
    }

    /// Refused.
    pub fn set_membership(
        &mut self,
        _: &str,
        _: &[String],
    ) -> io::Result<MembershipChange> {
        Err(unsupported())
    }

    /// Refused.
    pub fn announce(&mut self, _: &str) -> io::Result<usize> {
        Err(unsupported())
    }

    /// None.
    pub fn protocol(&mut self, _: &str) -> Option<String> {
        None
    }
}
