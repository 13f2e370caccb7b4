//! The probe paths mpathd keeps open: opened and closed when the
//! engine's paths change (not every turn), their descriptors registered
//! once with the event loop (the key is the descriptor). `mpath_sys`'s
//! `ProbeSockets` (behind [`ProbeIo`]) does the rest: on Linux every path
//! shares one socket per family, elsewhere each has its own.
//!
//! Probes are queued by [`Probes::send`] and go out with
//! [`Probes::flush`], once a turn (Linux sends a turn's probes with one
//! system call; elsewhere `send` sends at once and the flush has nothing
//! left to do). A send that fails is logged once, when it is reported,
//! until a flush in which every probe of that path went.

use std::borrow::Cow;
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
    /// Paths of `send_failed` with probes taken since the last flush:
    /// if the flush reports none of theirs, they work again.
    retrying: BTreeSet<(u32, Family)>,
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
            retrying: BTreeSet::new(),
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
        if !stale.is_empty() {
            // Probes queued for a path go while it is still open, and a
            // failure is logged under its name.
            self.flush(io);
        }
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

    /// Sends `req` on the path of (`ifindex`, `family`) with the next
    /// [`Probes::flush`].
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
                // Taken: whether it went, the flush says.
                if self.send_failed.contains(&k) {
                    self.retrying.insert(k);
                }
            }
            Err(e) => {
                self.retrying.remove(&k);
                if self.send_failed.insert(k) {
                    let name = path_name(&self.open, k);
                    let m = msg::send_failed(family, &name, &e);
                    io.log(Level::Info, LogKind::Other, m);
                }
            }
        }
    }

    /// Sends the probes taken since the last flush. A path whose probe
    /// failed is logged (once until it works); a path whose probes all
    /// went works again.
    pub fn flush(&mut self, io: &mut Io<'_>) {
        let Probes {
            sockets,
            open,
            send_failed,
            retrying,
            ..
        } = self;
        sockets.flush(|k, e| {
            retrying.remove(&k);
            if send_failed.insert(k) {
                let m = msg::send_failed(k.1, &path_name(open, k), &e);
                io.log(Level::Info, LogKind::Other, m);
            }
        });
        while let Some(k) = retrying.pop_first() {
            send_failed.remove(&k);
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

/// Path `k`'s name in a log line: its interface's, or `#index` for a
/// path not open (a send refused, or a flush before paths close).
fn path_name(
    open: &BTreeMap<(u32, Family), ProbePath>,
    k: (u32, Family),
) -> Cow<'_, str> {
    match open.get(&k) {
        Some(path) => Cow::Borrowed(&path.ifname),
        None => Cow::Owned(format!("#{}", k.0)),
    }
}

/// Watches `fd` under its own number as the key.
fn register(io: &Io<'_>, fd: RawFd) -> std::io::Result<()> {
    let key = usize::try_from(fd)
        .map_err(|_| std::io::Error::other("bad descriptor"))?;
    io.register(fd, key)
}
