//! One tracked interface: its link detector, its probe paths, and how
//! their verdicts combine into the member's health.
//!
//! | link     | probe paths (per family)            | health      |
//! |----------|-------------------------------------|-------------|
//! | down     | anything                            | `Failed`    |
//! | up/unk.  | none configured or none with a src  | `Ok`        |
//! | up/unk.  | every enabled path has no targets   | `NoTargets` |
//! | up/unk.  | some capable path `Ok`              | `Ok`        |
//! | up/unk.  | every capable path `Failed`         | `Failed`    |
//!
//! A *capable* path has a test address and targets. As in in.mpathd, an
//! interface probed on both families fails only when both fail, and is
//! repaired when either is repaired (each path already needs 10
//! consecutive replies to leave `Failed`).

use std::net::IpAddr;

use crate::addr::Family;
use crate::link::{LinkDetector, LinkState};
use crate::mpathd::config::TestAddress;
use crate::mpathd::group::{Evidence, Health};
use crate::probe::{Counters, ProbeDetector, Verdict};
use crate::time::Instant;

use crate::kernel::KernelLink;

/// Probing of one address family from one interface.
#[derive(Debug)]
pub(super) struct Path {
    /// IPv4 or IPv6.
    pub family: Family,
    /// The configured test address.
    pub test: TestAddress,
    /// The test address as found in the kernel; probing needs it.
    pub src: Option<IpAddr>,
    /// The detector, while the path can probe (source address present,
    /// member not offline).
    pub detector: Option<ProbeDetector>,
    /// The configured targets of this family (the interface's, then its
    /// group's); empty when targets are found from routes or multicast.
    pub explicit: Vec<IpAddr>,
    /// The counts of the detectors this path had before the current one
    /// (dropped while offline, without a test address, or rebuilt by a
    /// reload): the path's counters last as long as the daemon.
    pub retired: Counters,
}

impl Path {
    /// Drops the detector, keeping its counts; true if there was one.
    pub fn retire_detector(&mut self) -> bool {
        let Some(d) = self.detector.take() else {
            return false;
        };
        self.retired.add(&d.counters());
        true
    }

    /// Every probe this path ever sent and what became of them.
    pub fn counters(&self) -> Counters {
        let mut c = self.retired;
        if let Some(d) = &self.detector {
            c.add(&d.counters());
        }
        c
    }

    /// Probe-capable: probing and something to probe.
    pub fn capable(&self) -> bool {
        self.detector
            .as_ref()
            .is_some_and(|d| d.verdict() != Verdict::NoTargets)
    }
}

/// A tracked interface.
#[derive(Debug)]
pub(super) struct Iface {
    /// Interface name.
    pub name: String,
    /// Group name; empty for the anonymous group.
    pub group: String,
    /// The kernel's view, while the interface exists.
    pub kernel: Option<KernelLink>,
    /// Carrier detection.
    pub link: LinkDetector,
    /// Probe paths, at most one per family.
    pub paths: Vec<Path>,
    /// When the interface last appeared (for the test-address grace).
    pub appeared_at: Option<Instant>,
    /// "No test address configured" was logged and "now configured" is
    /// owed.
    pub no_test_logged: bool,
    /// Taken offline by the operator: no probing.
    pub offline: bool,
    /// The link came up while the daemon watched (the interface appeared
    /// after start, or its carrier returned): new probe paths get the
    /// quiet period meant for spanning tree.
    pub fresh_link: bool,
    /// A member only because the OS's interface group lists it (no
    /// `interface` line): it leaves when the OS group drops it.
    pub os_member: bool,
}

impl Iface {
    /// The interface index, if present.
    pub fn index(&self) -> Option<u32> {
        self.kernel.as_ref().map(|k| k.index)
    }

    /// Link up, or unknown (a driver without link state is trusted).
    pub fn link_up(&self) -> bool {
        match self.link.state() {
            LinkState::Up | LinkState::Unknown => true,
            LinkState::Down => false,
        }
    }

    /// Whether any path has a detector.
    pub fn probing_enabled(&self) -> bool {
        self.paths.iter().any(|p| p.detector.is_some())
    }

    /// The member's health from link and probes (see the module table).
    pub fn health(&self) -> Health {
        if !self.link_up() {
            return Health::Failed;
        }
        if !self.probing_enabled() {
            return Health::Ok;
        }
        let mut capable = self.paths.iter().filter(|p| p.capable()).peekable();
        if capable.peek().is_none() {
            return Health::NoTargets;
        }
        let any_ok = capable.any(|p| {
            p.detector
                .as_ref()
                .is_some_and(|d| d.verdict() == Verdict::Ok)
        });
        if any_ok {
            Health::Ok
        } else {
            Health::Failed
        }
    }

    /// Send time of the first lost probe of the failing run, the earliest
    /// over the failed paths.
    pub fn first_failure(&self) -> Option<Instant> {
        self.paths
            .iter()
            .filter_map(|p| p.detector.as_ref())
            .filter_map(ProbeDetector::first_failure)
            .min()
    }

    /// What the group needs to tell an interface failure from a group
    /// failure.
    pub fn evidence(&self) -> Evidence {
        Evidence {
            link_up: self.link_up() && self.kernel.is_some(),
            probing: self.paths.iter().any(Path::capable),
            last_ack: self
                .paths
                .iter()
                .filter_map(|p| p.detector.as_ref())
                .filter_map(ProbeDetector::last_ack)
                .max(),
        }
    }

    /// The ICMP identifier in.mpathd uses: the low byte of the process id,
    /// then the low byte of the interface index, shared by both families.
    pub fn icmp_id(&self, pid: u32) -> u16 {
        let idx = self.index().unwrap_or(0);
        (((pid & 0xff) as u16) << 8) | (idx & 0xff) as u16
    }
}
