//! Timing what a daemon does from outside: its control socket's watch
//! stream with each event's arrival time, and long-lived `ip -batch` /
//! `nft -i` shells, so that no process start-up sits inside a
//! measurement (the benchmark and the soak).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use mpath_proto::{
    parse_response, Request, RequestBody, ResponseBody, VERSION,
};

/// A command reading lines on its standard input, in a namespace.
#[derive(Debug)]
pub struct Shell {
    child: Child,
    stdin: ChildStdin,
}

impl Shell {
    /// Starts `argv` in namespace `ns`.
    pub fn new(ns: &str, argv: &[&str]) -> Shell {
        let mut child = Command::new("ip")
            .args(["netns", "exec", ns])
            .args(argv)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take().expect("stdin");
        Shell { child, stdin }
    }

    /// Sends it one line.
    pub fn run(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("write command");
        self.stdin.flush().expect("flush");
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Watch-stream events with their arrival times.
pub fn watch(sock: &Path) -> Receiver<(Instant, String)> {
    let (tx, rx) = channel();
    let mut s = UnixStream::connect(sock).expect("connect");
    let req = Request {
        version: VERSION,
        id: 1,
        body: RequestBody::Watch,
    };
    s.write_all(&req.encode()).expect("watch");
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { break };
            let at = Instant::now();
            if let Ok(r) = parse_response(line.as_bytes()) {
                if let ResponseBody::Event(e) = r.body {
                    if tx.send((at, e.message)).is_err() {
                        break;
                    }
                }
            }
        }
    });
    rx
}

/// The arrival time of the first event containing `needle`, waiting
/// at most `within`.
pub fn wait_event(
    rx: &Receiver<(Instant, String)>,
    needle: &str,
    within: Duration,
) -> Option<Instant> {
    let end = Instant::now() + within;
    loop {
        let left = end.checked_duration_since(Instant::now())?;
        match rx.recv_timeout(left) {
            Ok((at, m)) if m.contains(needle) => return Some(at),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// Forgets the events received so far.
pub fn drain(rx: &Receiver<(Instant, String)>) {
    while rx.try_recv().is_ok() {}
}
