//! The real driver (`mpath_daemon::driver::Driver`) running mpathd's
//! real backend in simulated time, on a fake kernel ([`fake_kernel`])
//! and fake probe sockets with a fake network behind them
//! ([`fake_net`]): no root, no namespaces, no sleeping. The control
//! socket is real, in a temporary directory; signals are not caught.
//!
//! Each turn is the driver's own ([`Driver::turn`]): the harness picks
//! its time, the earliest of the driver's next turn and the next reply's
//! arrival, delivers the replies due by then, asks the driver's event
//! loop what is ready without waiting ([`Driver::wait`] with a zero
//! timeout: the fakes' descriptors are doorbells rung when they have
//! something), and runs the turn.

mod doorbell;
mod fake_kernel;
mod fake_net;
mod tests;

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mpath_core::log::Level;
use mpath_core::mpathd::engine::Engine;
use mpath_core::time::Instant;
use mpath_daemon::control::Control;
use mpath_daemon::driver::{Driver, Ready};
use mpath_daemon::log::{Lines, Logger};
use mpath_proto::{
    mpathd::Status, parse_response, Payload, Request, RequestBody,
    ResponseBody, VERSION,
};

use crate::backend::Mpathd;
pub use fake_kernel::{Call, FakeKernel};
pub use fake_net::FakeNet;

/// Turns at one instant after which the loop is taken to spin.
const MAX_TURNS_AT_ONCE: usize = 1000;

/// mpathd on the fakes, and the simulated clock.
#[derive(Debug)]
pub struct Harness {
    driver: Driver<Mpathd<FakeKernel, FakeNet>>,
    /// The kernel the daemon sees.
    pub kernel: FakeKernel,
    /// The network its probes cross.
    pub net: FakeNet,
    /// The simulated time.
    pub now: Instant,
    /// Every log line so far, with the time of its turn.
    pub log: Vec<(Instant, Level, String)>,
    lines: Lines,
    ready: Ready,
    turns_at_now: usize,
    dir: PathBuf,
}

impl Harness {
    /// mpathd started with configuration `conf` on interfaces `ifnames`.
    pub fn new(conf: &str, ifnames: &[&str]) -> Harness {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mpathd-harness-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let config_path = dir.join("mpathd.conf");
        std::fs::write(&config_path, conf).expect("configuration file");
        let config_path = config_path.to_str().expect("UTF-8 path");
        let (cfg, _warnings) =
            crate::config::load(config_path).expect("a valid configuration");
        let control = Control::bind(&dir.join("mpathd.sock"), "mpathd")
            .expect("control socket");
        let (log, lines) = Logger::memory("mpathd");
        let now = Instant::from_secs(1000);
        let kernel = FakeKernel::new(ifnames);
        let net = FakeNet::default();
        let backend = Mpathd::new(
            Engine::new(cfg, 4242, 7, now),
            kernel.clone(),
            net.clone(),
            config_path.to_string(),
        );
        let poll = mio::Poll::new().expect("poll");
        let driver =
            Driver::new(poll, backend, config_path, control, None, log);
        let mut h = Harness {
            driver,
            kernel,
            net,
            now,
            log: Vec::new(),
            lines,
            ready: Ready::default(),
            turns_at_now: 0,
            dir,
        };
        h.driver.begin(now).expect("the loop begins");
        h.take_lines();
        h
    }

    /// One turn at the current time, with whatever is ready.
    pub fn turn(&mut self) {
        self.turns_at_now += 1;
        assert!(
            self.turns_at_now < MAX_TURNS_AT_ONCE,
            "the loop spins at {:?}",
            self.now
        );
        self.net.deliver(self.now);
        self.driver.wait(Duration::ZERO, &mut self.ready);
        let exit = self.driver.turn(&self.ready, self.now);
        assert_eq!(exit, None, "the daemon exited");
        self.take_lines();
    }

    /// Runs turns until `d` from now, each at the next instant something
    /// is due (a timer, a resync, a reply's arrival).
    pub fn run_for(&mut self, d: Duration) {
        let until = self.now + d;
        loop {
            let turn = self.driver.next_turn(self.now);
            let next = self.net.next_arrival().map_or(turn, |a| a.min(turn));
            let next = next.max(self.now);
            if next > until {
                self.advance(until);
                return;
            }
            self.advance(next);
            self.turn();
        }
    }

    /// Runs until a line containing `needle` is logged, at most `limit`
    /// from now; the time of the turn that logged it.
    pub fn run_until_logged(
        &mut self,
        needle: &str,
        limit: Duration,
    ) -> Option<Instant> {
        let until = self.now + limit;
        let seen = self.logged(needle).len();
        while self.now < until {
            self.run_for(Duration::from_millis(1));
            if let Some(t) = self.logged(needle).get(seen) {
                return Some(*t);
            }
        }
        None
    }

    /// Asks `body` through the control socket, as ifctl would, and
    /// returns the answer (turns run at the current time meanwhile).
    pub fn request(&mut self, body: RequestBody) -> ResponseBody {
        let path = self.dir.join("mpathd.sock");
        let mut client = UnixStream::connect(path).expect("connect");
        let req = Request {
            version: VERSION,
            id: 7,
            body,
        };
        client.write_all(&req.encode()).expect("request");
        client.set_nonblocking(true).expect("non-blocking");
        let mut got = Vec::new();
        for _ in 0..8 {
            self.turn();
            let mut buf = [0u8; 4096];
            loop {
                match client.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) => panic!("control socket: {e}"),
                }
            }
            if let Some(nl) = got.iter().position(|b| *b == b'\n') {
                let r = parse_response(&got[..=nl]).expect("a response");
                assert_eq!(r.id, Some(7));
                return r.body;
            }
        }
        panic!("no answer on the control socket");
    }

    /// The daemon's status, asked through the control socket.
    pub fn status(&mut self) -> Status {
        match self.request(RequestBody::Status) {
            ResponseBody::Ok(Payload::Status(s)) => s,
            other => panic!("status: {other:?}"),
        }
    }

    /// The times of the log lines containing `needle`.
    pub fn logged(&self, needle: &str) -> Vec<Instant> {
        let lines = self.log.iter().filter(|(_, _, m)| m.contains(needle));
        lines.map(|(t, ..)| *t).collect()
    }

    /// The log, one line each, for assertion messages.
    pub fn log_text(&self) -> String {
        let lines = self
            .log
            .iter()
            .map(|(t, l, m)| format!("{:>8} {l:?} {m}\n", t.as_millis()));
        lines.collect()
    }

    fn advance(&mut self, to: Instant) {
        if to > self.now {
            self.now = to;
            self.turns_at_now = 0;
        }
    }

    fn take_lines(&mut self) {
        let mut lines = self.lines.lock().unwrap_or_else(|p| p.into_inner());
        for (level, message) in lines.drain(..) {
            self.log.push((self.now, level, message));
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
