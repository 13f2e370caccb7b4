//! The probe sockets: one per probing path, opened and closed when the
//! engine's paths change (not every turn), each registered once with the
//! event loop under its slot number.

use std::collections::{BTreeSet, HashMap};
use std::os::fd::AsRawFd;

use mpath_core::addr::Family;
use mpath_core::engine::{Engine, ProbePath};
use mpath_core::log::{Level, LogKind};
use mpath_core::probe::{ProbeRequest, ReplyOutcome};
use mpath_daemon::backend::Io;
use mpath_sys::echo::Discard;
use mpath_sys::probe::ProbeSocket;

use mpath_core::engine::messages as msg;

/// Datagrams read from one socket per turn: a flood must not starve the
/// loop (the rest is read next turn).
const READS_PER_TURN: usize = 64;

#[derive(Debug)]
struct Open {
    path: ProbePath,
    socket: ProbeSocket,
}

/// Every open probe socket.
#[derive(Debug, Default)]
pub struct Probes {
    /// Sockets by slot (the event loop's key).
    slots: Vec<Option<Open>>,
    /// Slots by (interface, family).
    by_path: HashMap<(String, Family), usize>,
    /// The engine's paths version the sockets match.
    version: Option<u64>,
    /// Paths whose socket could not be opened (logged once).
    open_failed: BTreeSet<(String, Family)>,
    /// Paths whose last send failed (logged once until it works).
    send_failed: BTreeSet<(String, Family)>,
}

impl Probes {
    /// Opens sockets for the engine's new paths and closes those no
    /// longer wanted, when its paths changed or `retry` asks to try
    /// failed ones again.
    pub fn reconcile(&mut self, engine: &Engine, retry: bool, io: &mut Io<'_>) {
        let version = engine.probe_paths_version();
        let retry = retry && !self.open_failed.is_empty();
        if self.version == Some(version) && !retry {
            return;
        }
        self.version = Some(version);
        let wanted: HashMap<(String, Family), ProbePath> = engine
            .probe_paths()
            .into_iter()
            .map(|p| ((p.ifname.clone(), p.family), p))
            .collect();
        for slot in 0..self.slots.len() {
            let keep = self.slots[slot]
                .as_ref()
                .is_some_and(|o| wanted.get(&key(&o.path)) == Some(&o.path));
            if !keep {
                if let Some(o) = self.slots[slot].take() {
                    io.deregister(o.socket.as_raw_fd());
                    self.by_path.remove(&key(&o.path));
                }
            }
        }
        self.open_failed.retain(|k| wanted.contains_key(k));
        for (k, path) in wanted {
            if self.by_path.contains_key(&k) {
                continue;
            }
            match self.open(path, io) {
                Ok(()) => {
                    self.open_failed.remove(&k);
                }
                Err(e) => {
                    if self.open_failed.insert(k) {
                        io.log(Level::Err, LogKind::Other, e);
                    }
                }
            }
        }
    }

    fn open(&mut self, path: ProbePath, io: &mut Io<'_>) -> Result<(), String> {
        let socket = ProbeSocket::open(
            path.family,
            &path.ifname,
            path.ifindex,
            path.src,
        )
        .map_err(|e| msg::cannot_open_probe(&path, &e))?;
        let slot =
            self.slots
                .iter()
                .position(Option::is_none)
                .unwrap_or_else(|| {
                    self.slots.push(None);
                    self.slots.len() - 1
                });
        io.register(socket.as_raw_fd(), slot)
            .map_err(|e| msg::cannot_open_probe(&path, &e))?;
        self.by_path.insert(key(&path), slot);
        self.slots[slot] = Some(Open { path, socket });
        Ok(())
    }

    /// Sends `req` on the socket of (`ifname`, `family`).
    pub fn send(
        &mut self,
        ifname: &str,
        family: Family,
        req: &ProbeRequest,
        io: &mut Io<'_>,
    ) {
        let k = (ifname.to_string(), family);
        let open = self.by_path.get(&k).and_then(|&s| self.slots[s].as_ref());
        let r = match open {
            Some(o) => o.socket.send_probe(req).map_err(|e| e.to_string()),
            None => Err(msg::no_probe_socket(family, ifname)),
        };
        match r {
            Ok(()) => {
                if !self.send_failed.is_empty() {
                    self.send_failed.remove(&k);
                }
            }
            Err(e) => {
                let m = msg::send_failed(family, ifname, &e);
                if self.send_failed.insert(k) {
                    io.log(Level::Info, LogKind::Other, m);
                }
            }
        }
    }

    /// Reads the replies waiting on socket `slot` into `engine`. True if
    /// more may be waiting.
    pub fn read(
        &mut self,
        slot: usize,
        engine: &mut Engine,
        io: &mut Io<'_>,
    ) -> bool {
        let Some(Some(o)) = self.slots.get(slot) else {
            return false;
        };
        for _ in 0..READS_PER_TURN {
            let (ifname, family) = (&o.path.ifname, o.path.family);
            match o.socket.recv_reply(ifname) {
                Ok(None) => return false,
                Ok(Some(Ok(reply))) => {
                    let outcome =
                        engine.on_reply(ifname, family, &reply, io.now);
                    if let Some(ReplyOutcome::Rejected(why)) = outcome {
                        io.log(
                            Level::Debug,
                            LogKind::Other,
                            msg::reply_ignored(reply.src, family, ifname, &why),
                        );
                    }
                }
                Ok(Some(Err(Discard::Quiet))) => {}
                Ok(Some(Err(Discard::Noisy(m)))) => {
                    io.log(Level::Debug, LogKind::Other, m);
                }
                Err(e) => {
                    io.log(
                        Level::Debug,
                        LogKind::Other,
                        msg::recv_failed(family, ifname, &e),
                    );
                    return false;
                }
            }
        }
        true
    }
}

fn key(p: &ProbePath) -> (String, Family) {
    (p.ifname.clone(), p.family)
}
