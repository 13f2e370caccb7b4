//! The probe sockets of every port laggd probes, one per (port, family):
//! opened for what the configuration asks, kept across reloads when
//! still wanted, and read into [`PortReply`]s. The OS modules supply the
//! socket (`mpath_sys::portprobe`, a packet socket on Linux, BPF on
//! FreeBSD, with the same interface) and each port's source MAC.

use std::io;
use std::net::IpAddr;
use std::os::fd::{AsRawFd, RawFd};

use mpath_core::addr::Family;
use mpath_core::lagg::config::LaggdConfig;
use mpath_sys::clock;
use mpath_sys::portprobe::PortProbe;
use mpath_wire::MacAddr;

use super::{reply_source, PortReply};

/// One probe socket.
#[derive(Debug)]
pub struct PortIo {
    /// The aggregate the port belongs to.
    pub aggregate: String,
    /// The port.
    pub port: String,
    /// Its socket for one family.
    pub probe: PortProbe,
}

/// Every probe socket.
#[derive(Debug, Default)]
pub struct PortSockets {
    ports: Vec<PortIo>,
}

impl PortSockets {
    /// Opens a socket for every (port, family) `cfg` probes, with the
    /// source MAC `mac(aggregate, port)` gives; keeps those already open
    /// and closes the rest. Returns problems to log.
    pub fn reconcile(
        &mut self,
        cfg: &LaggdConfig,
        mut mac: impl FnMut(&str, &str) -> io::Result<MacAddr>,
    ) -> Vec<String> {
        let mut problems = Vec::new();
        let mut wanted = Vec::new();
        for a in &cfg.aggregates {
            for family in [Family::V4, Family::V6] {
                if a.targets_of(family).next().is_some() {
                    wanted.extend(a.ports.iter().map(|p| (&a.name, p, family)));
                }
            }
        }
        let mut old = std::mem::take(&mut self.ports);
        for (aggregate, port, family) in wanted {
            if let Some(k) = old.iter().position(|p| {
                &p.aggregate == aggregate
                    && &p.port == port
                    && p.probe.family() == family
            }) {
                self.ports.push(old.swap_remove(k));
                continue;
            }
            let opened = mac(aggregate, port)
                .and_then(|m| PortProbe::open(port, family, m));
            match opened {
                Ok(probe) => self.ports.push(PortIo {
                    aggregate: aggregate.clone(),
                    port: port.clone(),
                    probe,
                }),
                Err(e) => problems.push(format!(
                    "{aggregate}: cannot probe through {port}: {e}"
                )),
            }
        }
        problems
    }

    /// The sockets' descriptors, in the order [`PortSockets::read`] takes.
    pub fn fds(&self) -> Vec<RawFd> {
        self.ports.iter().map(|p| p.probe.as_raw_fd()).collect()
    }

    /// Reads what is pending on socket `k`: ARP replies and neighbour
    /// advertisements, with the kernel's receive time.
    pub fn read(&self, k: usize, out: &mut Vec<PortReply>) {
        let Some(p) = self.ports.get(k) else {
            return;
        };
        let mut buf = [0u8; 2048];
        while let Ok(Some(f)) = p.probe.recv(&mut buf) {
            let at = f
                .rx_realtime_ns
                .map_or_else(clock::now, clock::realtime_to_instant);
            let bytes = &buf[..f.len.min(buf.len())];
            if let Some(target) = reply_source(bytes) {
                out.push(PortReply {
                    port: p.port.clone(),
                    target,
                    received_at: at,
                });
            }
        }
    }

    /// The socket probing `target`'s family through `port`.
    pub fn find(&self, port: &str, target: IpAddr) -> io::Result<&PortIo> {
        let family = Family::of(target);
        self.ports
            .iter()
            .find(|p| p.port == port && p.probe.family() == family)
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no {} probe socket on {port}", family.inet()),
                )
            })
    }
}
