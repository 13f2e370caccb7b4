//! laggd on the shared driver: the engine fed kernel snapshots, each
//! aggregate's active port and the ports' probe replies; its actions
//! carried out through `mpath_sys` (aggregates, the kernel, the HA
//! engine).

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use mpath_core::laggd::config::{Effector, LaggdConfig};
use mpath_core::laggd::engine::{LaggAction, LaggEngine};
use mpath_core::laggd::messages as msg;
use mpath_core::log::{Level, LogKind};
use mpath_core::messages::snapshot_failed;
use mpath_core::time::Instant;
use mpath_daemon::backend::{Backend, Io};
use mpath_proto::{Payload, RequestBody, ResponseBody};
use mpath_sys::aggregate::Aggregates;
use mpath_sys::kernel::Kernel;

use crate::ha::{self, Ha};
use crate::ports::Ports;

/// The running laggd.
#[derive(Debug)]
pub struct Laggd {
    cfg: LaggdConfig,
    engine: LaggEngine,
    kernel: Kernel,
    aggregates: Aggregates,
    ports: Ports,
    ha: Ha,
}

/// A seed for the probe detectors' jitter.
fn seed(now: Instant) -> u64 {
    mpath_sys::daemon::random_seed().unwrap_or(now.as_nanos())
}

impl Backend for Laggd {
    type Config = LaggdConfig;
    const NAME: &'static str = "laggd";
    /// Kernel messages are hints, and bonding changes its active port
    /// without always saying so.
    const RESYNC_INTERVAL: Duration = Duration::from_secs(2);

    fn load(path: &str) -> Result<(LaggdConfig, Vec<String>), Vec<String>> {
        crate::load::load(path)
    }

    fn open(cfg: LaggdConfig, now: Instant) -> io::Result<Laggd> {
        let mut aggregates = Aggregates::open()?;
        aggregates.set_managed(&managed(&cfg));
        Ok(Laggd {
            engine: LaggEngine::new(cfg.clone(), seed(now), now),
            cfg,
            kernel: Kernel::open()?,
            aggregates,
            ports: Ports::default(),
            ha: Ha::default(),
        })
    }

    fn start(&mut self, io: &mut Io<'_>) {
        self.open_ports(io);
        self.check_carp_preempt(io);
    }

    fn hint_fd(&self) -> RawFd {
        self.kernel.hint_fd()
    }

    fn drain_hints(&mut self) -> io::Result<bool> {
        self.kernel.drain_hints()
    }

    fn resync(&mut self, io: &mut Io<'_>) {
        match self.kernel.snapshot() {
            Ok(snap) => {
                let names: Vec<&str> = self
                    .cfg
                    .aggregates
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect();
                let active = self.aggregates.active_ports(&names, &snap);
                let lacp = self.aggregates.lacp(&names);
                self.engine.observe_lacp(&lacp);
                self.engine.sync(&snap, &active, io.now);
                self.carp_roles(io.now);
            }
            Err(e) => io.log(Level::Err, LogKind::Other, snapshot_failed(&e)),
        }
        self.execute(io);
    }

    fn readable(&mut self, key: usize, io: &mut Io<'_>) -> bool {
        let more = self.ports.read(key, &mut self.engine, io.now);
        self.execute(io);
        more
    }

    fn poll(&mut self, io: &mut Io<'_>) {
        self.engine.poll(io.now);
        self.execute(io);
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.engine.next_deadline()
    }

    fn reconfigure(&mut self, cfg: LaggdConfig, io: &mut Io<'_>) {
        self.engine.reconfigure(cfg.clone(), seed(io.now), io.now);
        self.aggregates.set_managed(&managed(&cfg));
        self.cfg = cfg;
        self.open_ports(io);
        self.check_carp_preempt(io);
        io.resync_soon();
        self.execute(io);
    }

    fn answer(
        &mut self,
        request: RequestBody,
        io: &mut Io<'_>,
    ) -> ResponseBody {
        // laggd's status has nothing to leave out of a brief one.
        if matches!(request, RequestBody::Status | RequestBody::StatusBrief) {
            let mut s = self.engine.status(io.now);
            for a in &mut s.aggregates {
                a.protocol = self.aggregates.protocol(&a.name);
            }
            return ResponseBody::Ok(Payload::LaggStatus(s));
        }
        let body = crate::requests::answer(&mut self.engine, request, io.now);
        io.resync_soon();
        self.execute(io);
        body
    }

    fn dump(&mut self, io: &mut Io<'_>) {
        for a in self.engine.status(io.now).aggregates {
            for p in &a.ports {
                io.log(Level::Info, LogKind::Other, msg::dump_port(&a.name, p));
            }
        }
    }

    fn shutdown(&mut self, io: &mut Io<'_>) {
        self.engine.shutdown();
        self.execute(io);
    }
}

/// The ports each aggregate's configuration names: the only ones laggd
/// adds or removes.
fn managed(cfg: &LaggdConfig) -> Vec<(String, Vec<String>)> {
    cfg.aggregates
        .iter()
        .map(|a| (a.name.clone(), a.ports.clone()))
        .collect()
}

impl Laggd {
    /// CARP shows the role through the vhids' states, which the kernel
    /// does not announce: read them at every resync.
    fn carp_roles(&mut self, now: Instant) {
        for g in &self.cfg.redundancy {
            if let Some(Effector::Carp(vhids)) = &g.effector {
                if !vhids.is_empty() {
                    self.engine.set_role(&g.name, ha::carp_role(vhids), now);
                }
            }
        }
    }

    /// CARP moves nothing on a demotion unless preemption is on.
    fn check_carp_preempt(&self, io: &mut Io<'_>) {
        let effectors: Vec<&Effector> = self
            .cfg
            .redundancy
            .iter()
            .filter_map(|g| g.effector.as_ref())
            .collect();
        if let Some(line) = ha::carp_preempt_warning(&effectors) {
            io.log(Level::Warning, LogKind::Other, line);
        }
    }

    fn open_ports(&mut self, io: &mut Io<'_>) {
        for p in self.ports.reconcile(&self.cfg, &self.aggregates, io) {
            io.log(Level::Err, LogKind::Other, p);
        }
    }

    /// Carries out the engine's actions, in order.
    fn execute(&mut self, io: &mut Io<'_>) {
        loop {
            let actions = self.engine.take_actions();
            if actions.is_empty() {
                return;
            }
            for a in actions {
                self.act(a, io);
            }
        }
    }

    fn act(&mut self, a: LaggAction, io: &mut Io<'_>) {
        let (level, kind, line) = match a {
            LaggAction::SendProbe {
                port,
                target,
                source,
            } => {
                let sent =
                    self.ports.send(&self.aggregates, &port, target, source);
                match sent {
                    Ok(()) => return,
                    Err(e) => (
                        Level::Debug,
                        LogKind::Other,
                        msg::probe_failed(target, &port, &e),
                    ),
                }
            }
            LaggAction::SetMembership { aggregate, ports } => {
                match self.aggregates.set_membership(&aggregate, &ports) {
                    Ok(change) => {
                        // The kernel changed: read it again soon. (Not
                        // after a refusal: the engine asks again at the
                        // next periodic resync, not in a tight loop.)
                        io.resync_soon();
                        self.engine.settle(&change.touched, io.now);
                        let m = msg::membership_done(&aggregate, &change.done);
                        (Level::Info, LogKind::State, m)
                    }
                    Err(e) => {
                        self.engine.membership_failed(&aggregate);
                        let m = msg::membership_failed(&aggregate, &ports, &e);
                        (Level::Err, LogKind::State, m)
                    }
                }
            }
            LaggAction::SetInterfaceUp { iface, up } => {
                io.resync_soon();
                match self.kernel.set_admin_up(&iface, up) {
                    Ok(()) => return,
                    Err(e) => (
                        Level::Err,
                        LogKind::State,
                        msg::cannot_set_up(&iface, up, &e),
                    ),
                }
            }
            LaggAction::ApplyHa {
                group,
                effector,
                effect,
            } => {
                for done in self.ha.apply(&group, effector.as_ref(), effect) {
                    match done {
                        Ok(line) => io.log(Level::Info, LogKind::State, line),
                        Err(line) => io.log(Level::Err, LogKind::State, line),
                    }
                }
                return;
            }
            LaggAction::Announce { aggregate } => {
                match self.aggregates.announce(&aggregate) {
                    Ok(n) => (
                        Level::Info,
                        LogKind::Address,
                        msg::announced(&aggregate, n),
                    ),
                    Err(e) => (
                        Level::Err,
                        LogKind::Address,
                        msg::cannot_announce(&aggregate, &e),
                    ),
                }
            }
            LaggAction::Log {
                level,
                kind,
                message,
            } => (level, kind, message),
        };
        io.log(level, kind, line);
    }
}
