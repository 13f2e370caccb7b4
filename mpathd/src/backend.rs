//! mpathd on the shared driver: the engine fed kernel snapshots and
//! probe replies, its actions carried out through `mpath_sys`.

use std::io;
use std::os::fd::RawFd;
use std::time::Duration;

use mpath_core::log::{Level, LogKind};
use mpath_core::messages::snapshot_failed;
use mpath_core::mpathd::config::MpathdConfig;
use mpath_core::mpathd::engine::{messages as msg, Action, Engine};
use mpath_core::time::Instant;
use mpath_daemon::backend::{Backend, Io};
use mpath_proto::{RequestBody, ResponseBody};
use mpath_sys::kernel::Kernel;
use mpath_sys::probes::ProbeSockets;

use crate::os::{KernelIo, ProbeIo};
use crate::probes::Probes;

/// The running mpathd, on the OS's kernel and probe sockets (or, in
/// tests, fakes of them).
#[derive(Debug)]
pub struct Mpathd<K = Kernel, P = ProbeSockets> {
    pub(crate) engine: Engine,
    kernel: K,
    probes: Probes<P>,
    /// The engine's action list, swapped back and forth (never
    /// reallocated per probe).
    actions: Vec<Action>,
    pub(crate) config_path: String,
}

impl<K: KernelIo, P: ProbeIo> Backend for Mpathd<K, P> {
    type Config = (MpathdConfig, String);
    const NAME: &'static str = "mpathd";
    /// in.mpathd's IF_SCAN_INTERVAL.
    const RESYNC_INTERVAL: Duration = Duration::from_secs(20);

    fn load(path: &str) -> Result<(Self::Config, Vec<String>), Vec<String>> {
        let (cfg, warnings) = crate::config::load(path)?;
        Ok(((cfg, path.to_string()), warnings))
    }

    fn open((cfg, path): Self::Config, now: Instant) -> io::Result<Self> {
        let engine = Engine::new(
            cfg,
            mpath_sys::daemon::getpid(),
            // The seed only spreads probe times and makes nonces
            // unguessable off-path; the clock is a fair fallback.
            mpath_sys::daemon::random_seed().unwrap_or(now.as_nanos()),
            now,
        );
        Ok(Mpathd::new(engine, K::open()?, P::default(), path))
    }

    fn start(&mut self, io: &mut Io<'_>) {
        self.execute(io);
    }

    fn hint_fd(&self) -> RawFd {
        self.kernel.hint_fd()
    }

    fn drain_hints(&mut self) -> io::Result<bool> {
        self.kernel.drain_hints()
    }

    fn resync(&mut self, io: &mut Io<'_>) {
        match self.kernel.snapshot() {
            Ok(s) => self.engine.sync(&s, io.now),
            Err(e) => io.log(Level::Err, LogKind::Other, snapshot_failed(&e)),
        }
        self.execute(io);
        // Paths whose socket would not open get another try.
        self.probes.reconcile(&self.engine, true, io);
    }

    fn readable(&mut self, key: usize, io: &mut Io<'_>) -> bool {
        let Ok(fd) = RawFd::try_from(key) else {
            return false;
        };
        self.engine.report_probes(io.watching());
        let more = self.probes.read(fd, &mut self.engine, io);
        self.execute(io);
        more
    }

    /// Also sends the probes the whole turn queued: the driver calls it
    /// last in every turn (see the trait).
    fn poll(&mut self, io: &mut Io<'_>) {
        self.engine.report_probes(io.watching());
        self.engine.poll(io.now);
        self.execute(io);
        self.probes.flush(io);
    }

    fn next_deadline(&self) -> Option<Instant> {
        self.engine.next_deadline()
    }

    fn pace(&self) -> Duration {
        let fdt = self.engine.config().tunables.failure_detection_time;
        mpath_core::probe::timer_slack(fdt)
    }

    fn reconfigure(&mut self, (cfg, _): Self::Config, io: &mut Io<'_>) {
        self.engine.reconfigure(cfg, io.now);
        self.execute(io);
    }

    fn answer(
        &mut self,
        request: RequestBody,
        io: &mut Io<'_>,
    ) -> ResponseBody {
        let body = crate::requests::answer(self, request, io);
        self.execute(io);
        body
    }

    fn dump(&mut self, io: &mut Io<'_>) {
        for i in self.engine.status().interfaces {
            io.log(Level::Info, LogKind::Other, msg::dump_interface(&i));
        }
    }

    fn shutdown(&mut self, io: &mut Io<'_>) {
        self.engine.shutdown();
        self.execute(io);
        // No poll follows the last turn.
        self.probes.flush(io);
    }
}

impl<K: KernelIo, P: ProbeIo> Mpathd<K, P> {
    /// mpathd around `engine`, on `kernel` and `sockets`, its
    /// configuration from `config_path`.
    pub(crate) fn new(
        engine: Engine,
        kernel: K,
        sockets: P,
        config_path: String,
    ) -> Self {
        Mpathd {
            engine,
            kernel,
            probes: Probes::new(sockets),
            actions: Vec::new(),
            config_path,
        }
    }

    /// Carries out the engine's actions, in order, then opens and closes
    /// probe sockets if its paths changed.
    fn execute(&mut self, io: &mut Io<'_>) {
        let mut actions = std::mem::take(&mut self.actions);
        loop {
            self.engine.swap_actions(&mut actions);
            if actions.is_empty() {
                break;
            }
            for a in actions.drain(..) {
                self.act(a, io);
            }
        }
        self.actions = actions;
        self.probes.reconcile(&self.engine, false, io);
    }

    fn act(&mut self, a: Action, io: &mut Io<'_>) {
        let k = &mut self.kernel;
        let failed = match a {
            Action::SendProbe {
                ifindex,
                family,
                request,
                ..
            } => {
                self.probes.send(ifindex, family, &request, io);
                None
            }
            Action::AddAddress {
                ifname,
                ifindex,
                addr,
                role,
            } => {
                io.resync_soon();
                k.add_address(ifindex, addr, role)
                    .err()
                    .map(|e| msg::cannot_add(addr, &ifname, &e))
            }
            Action::RemoveAddress {
                ifname,
                ifindex,
                addr,
            } => {
                io.resync_soon();
                k.remove_address(ifindex, addr)
                    .err()
                    .map(|e| msg::cannot_remove(addr, &ifname, &e))
            }
            Action::MoveRoute {
                dst,
                gateway,
                from,
                from_index,
                to,
                to_index,
            } => {
                io.resync_soon();
                k.move_route(dst, gateway, from_index, to_index).err().map(
                    |e| msg::cannot_move_route(dst, gateway, &from, &to, &e),
                )
            }
            Action::Announce {
                ifname,
                ifindex,
                mac,
                addr,
            } => {
                if let Err(e) = k.announce(ifindex, mac, addr) {
                    let m = msg::cannot_announce(addr, &ifname, &e);
                    io.log(Level::Warning, LogKind::Address, m);
                }
                None
            }
            Action::ProbeResult { .. } => {
                // Asked for only while somebody watches (readable, poll);
                // one may have left since.
                if io.watching() {
                    if let Some(ev) = crate::events::probe_event(&a, io) {
                        io.event(ev);
                    }
                }
                None
            }
            Action::Log {
                level,
                kind,
                message,
            } => {
                io.log(level, kind, message);
                None
            }
        };
        if let Some(m) = failed {
            io.log(Level::Err, LogKind::Address, m);
        }
    }
}
