//! A fake daemon for ifctl's CLI tests: a Unix socket in a temporary
//! directory that answers each connection's request with canned lines,
//! and records what it was asked. No root, no lab.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use mpath_proto::{
    encode, parse_request, ErrorCode, ErrorReply, Event, Payload, RequestBody,
    Response, ResponseBody, VERSION,
};

static N: AtomicU32 = AtomicU32::new(0);

/// A socket path nothing listens on: a daemon that is not running.
pub const ABSENT: &str = "/nonexistent/ifctl-test.sock";

/// A daemon answering with `answer(request)`: the lines to send before
/// the connection is closed.
#[derive(Debug)]
pub struct Fake {
    /// Its socket.
    pub path: PathBuf,
    dir: PathBuf,
    asked: Arc<Mutex<Vec<RequestBody>>>,
}

impl Fake {
    /// Starts serving; the thread lives as long as the test process.
    pub fn start(
        answer: impl Fn(&RequestBody) -> Vec<String> + Send + 'static,
    ) -> Fake {
        let dir = std::env::temp_dir().join(format!(
            "ifctl-fake-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let path = dir.join("sock");
        let listener = UnixListener::bind(&path).expect("bind");
        let asked = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&asked);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let mut r = BufReader::new(stream);
                let mut line = String::new();
                if r.read_line(&mut line).is_err() || line.is_empty() {
                    continue; // ifctl connected but had nothing to ask
                }
                let Ok(req) = parse_request(line.as_bytes()) else {
                    // Not asked anything the tests look for.
                    let bad = error(ErrorCode::BadRequest, "bad request", &[]);
                    let _ = r.get_mut().write_all(bad.as_bytes());
                    continue;
                };
                log.lock().expect("log").push(req.body.clone());
                for reply in answer(&req.body) {
                    let _ = r.get_mut().write_all(reply.as_bytes());
                }
            }
        });
        Fake { path, dir, asked }
    }

    /// A daemon whose every reply to `status` is `status`, and that
    /// reloads when asked.
    pub fn with_status(status: Payload) -> Fake {
        Fake::start(move |body| match body {
            RequestBody::Status => vec![ok(status.clone())],
            RequestBody::Reload => {
                vec![ok(Payload::Reloaded { warnings: vec![] })]
            }
            _ => vec![error(ErrorCode::Failed, "not here", &[])],
        })
    }

    /// Its socket as a string.
    pub fn sock(&self) -> &str {
        self.path.to_str().expect("UTF-8 path")
    }

    /// What it was asked, in order.
    pub fn asked(&self) -> Vec<RequestBody> {
        self.asked.lock().expect("log").clone()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn line(body: ResponseBody, id: Option<u64>) -> String {
    let r = Response {
        version: VERSION,
        id,
        body,
    };
    String::from_utf8(encode(&r)).expect("UTF-8")
}

/// A successful reply to ifctl's request (whose id is always 1).
pub fn ok(p: Payload) -> String {
    line(ResponseBody::Ok(p), Some(1))
}

/// A refusal.
pub fn error(code: ErrorCode, message: &str, details: &[&str]) -> String {
    line(
        ResponseBody::Error(ErrorReply {
            code,
            message: message.into(),
            details: details.iter().map(|d| d.to_string()).collect(),
        }),
        Some(1),
    )
}

/// A watch event.
pub fn event(e: Event) -> String {
    line(ResponseBody::Event(e), None)
}

/// What one ifctl run did.
#[derive(Debug)]
pub struct Run {
    /// Exit status (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub out: String,
    /// Standard error.
    pub err: String,
}

impl Run {
    /// Standard output's lines.
    pub fn lines(&self) -> Vec<&str> {
        self.out.lines().collect()
    }
}

/// Runs ifctl with mpathd's socket `mpathd`, laggd's `laggd`, then
/// `args`.
pub fn ifctl(mpathd: &str, laggd: &str, args: &[&str]) -> Run {
    let o: Output = Command::new(env!("CARGO_BIN_EXE_ifctl"))
        .args(["-s", mpathd, "-S", laggd])
        .args(args)
        .output()
        .expect("run ifctl");
    Run {
        code: o.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// `path` as a str.
pub fn shown(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}
