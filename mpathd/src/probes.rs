//! The probe paths mpathd keeps open: opened and closed when the
//! engine's paths change (not every turn), their descriptors registered
//! once with the event loop (the key is the descriptor). `mpath_sys`'s
//! `ProbeSockets` (behind [`ProbeIo`]) does the rest: on Linux every path
//! shares one socket per family, elsewhere each has its own.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::fd::RawFd;

use mpath_core::addr::Family;
use mpath_core::log::{Level, LogKind};
use mpath_core::mpathd::engine::{messages as msg, Engine, ProbePath};
use mpath_core::probe::{ProbeRequest, ReplyOutcome};
use mpath_daemon::backend::Io;
use mpath_sys::echo::Discard;

use crate::os::ProbeIo;

/// Datagrams read from one descriptor per turn: a flood must not starve
/// the loop (the rest is read next turn). A shared socket carries every
/// path's replies.
const READS_PER_TURN: usize = 1024;

/// The probe paths and their sockets.
#[derive(Debug)]
pub struct Probes<P> {
    sockets: P,
    /// Open paths by (interface index, family): looked up for every
    /// reply, and an ordered map of small integer keys is cheaper to
    /// search than std's SipHash is to compute.
    open: BTreeMap<(u32, Family), ProbePath>,
    /// The engine's paths version the open paths match.
    version: Option<u64>,
    /// Paths whose socket could not be opened (logged once).
    open_failed: BTreeSet<(u32, Family)>,
    /// Paths whose last send failed (logged once until it works).
    send_failed: BTreeSet<(u32, Family)>,
}

impl<P: ProbeIo> Probes<P> {
    /// No paths yet, on `sockets`.
    pub fn new(sockets: P) -> Probes<P> {
        Probes {
            sockets,
            open: BTreeMap::new(),
            version: None,
            open_failed: BTreeSet::new(),
            send_failed: BTreeSet::new(),
        }
    }

    /// Opens the engine's new paths and closes those no longer wanted,
    /// when its paths changed or `retry` asks to try failed ones again.
    pub fn reconcile(&mut self, engine: &Engine, retry: bool, io: &mut Io<'_>) {
        let version = engine.probe_paths_version();
        let retry = retry && !self.open_failed.is_empty();
        if self.version == Some(version) && !retry {
            return;
        }
        self.version = Some(version);
        let wanted: HashMap<(u32, Family), ProbePath> = engine
            .probe_paths()
            .into_iter()
            .map(|p| ((p.ifindex, p.family), p))
            .collect();
        let stale: Vec<(u32, Family)> = self
            .open
            .iter()
            .filter(|(k, p)| wanted.get(k) != Some(p))
            .map(|(k, _)| *k)
            .collect();
        for (ifindex, family) in stale {
            self.open.remove(&(ifindex, family));
            self.sockets.close(ifindex, family, |fd| io.deregister(fd));
        }
        self.open_failed.retain(|k| wanted.contains_key(k));
        for (k, path) in wanted {
            if self.open.contains_key(&k) {
                continue;
            }
            match self.sockets.open(&path) {
                Ok(fd) => {
                    if let Some(fd) = fd {
                        if let Err(e) = register(io, fd) {
                            io.log(
                                Level::Err,
                                LogKind::Other,
                                msg::cannot_open_probe(&path, &e),
                            );
                        }
                    }
                    self.open_failed.remove(&k);
                    self.open.insert(k, path);
                }
                Err(e) => {
                    if self.open_failed.insert(k) {
                        let m = msg::cannot_open_probe(&path, &e);
                        io.log(Level::Err, LogKind::Other, m);
                    }
                }
            }
        }
    }

    /// Sends `req` on the path of (`ifindex`, `family`).
    pub fn send(
        &mut self,
        ifindex: u32,
        family: Family,
        req: &ProbeRequest,
        io: &mut Io<'_>,
    ) {
        let k = (ifindex, family);
        match self.sockets.send(ifindex, family, req) {
            Ok(()) => {
                if !self.send_failed.is_empty() {
                    self.send_failed.remove(&k);
                }
            }
            Err(e) => {
                if self.send_failed.insert(k) {
                    // A path not open has no name here; its index says
                    // which it is.
                    let m = match self.open.get(&k) {
                        Some(p) => msg::send_failed(family, &p.ifname, &e),
                        None => {
                            msg::send_failed(family, &ifindex.to_string(), &e)
                        }
                    };
                    io.log(Level::Info, LogKind::Other, m);
                }
            }
        }
    }

    /// Reads the replies waiting on descriptor `fd` into `engine`. True
    /// if more may be waiting.
    pub fn read(
        &mut self,
        fd: RawFd,
        engine: &mut Engine,
        io: &mut Io<'_>,
    ) -> bool {
        let mut replies = engine.replies(io.now);
        for _ in 0..READS_PER_TURN {
            let received = match self.sockets.recv(fd) {
                Ok(Some(r)) => r,
                Ok(None) => return false,
                Err(e) => {
                    let m = msg::recv_failed_fd(fd, &e);
                    io.log(Level::Debug, LogKind::Other, m);
                    return false;
                }
            };
            let Some((&(ifindex, family), path)) =
                received.path.and_then(|k| self.open.get_key_value(&k))
            else {
                continue;
            };
            let ifname = path.ifname.as_str();
            match received.reply {
                Ok(reply) => {
                    let outcome = replies.on_reply(ifindex, family, &reply);
                    if let Some(ReplyOutcome::Rejected(why)) = outcome {
                        let m =
                            msg::reply_ignored(reply.src, family, ifname, &why);
                        io.log(Level::Debug, LogKind::Other, m);
                    }
                }
                Err(Discard::Quiet) => {}
                Err(Discard::Noisy(m)) => {
                    io.log(Level::Debug, LogKind::Other, m)
                }
            }
        }
        true
    }
}

/// Watches `fd` under its own number as the key.
fn register(io: &Io<'_>, fd: RawFd) -> std::io::Result<()> {
    let key = usize::try_from(fd)
        .map_err(|_| std::io::Error::other("bad descriptor"))?;
    io.register(fd, key)
}
