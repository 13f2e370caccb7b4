//! The control socket: a Unix stream socket speaking the JSON-lines
//! protocol of `mpath-proto`. The listener and every client are
//! registered once with the driver's event loop (clients as tokens
//! above [`CLIENT_BASE`]) and read only when ready.
//!
//! Clients never stall the daemon: every socket is non-blocking, input is
//! bounded by [`MAX_REQUEST`] per line, and a client whose unread output
//! passes [`MAX_PENDING_OUTPUT`] (a stuck `ifctl watch`, say) is
//! disconnected. Rights come from the peer's credentials: any local user
//! may query; only root may change anything.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind, Read, Write};
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};

use mpath_proto::{
    encode, parse_request, ErrorCode, ErrorReply, Event, Request, Response,
    ResponseBody, MAX_REQUEST, VERSION,
};

use mpath_core::messages as msg;

use crate::backend::CLIENT_BASE;

/// Output a client may leave unread before it is dropped.
pub const MAX_PENDING_OUTPUT: usize = 1 << 20;

/// The send buffer asked for each client: a whole status reply of a
/// thousand members (several hundred kB) fits.
pub const SEND_BUFFER: usize = 4 << 20;

/// Connections served at once; more are refused.
pub const MAX_CLIENTS: usize = 64;

#[derive(Debug)]
struct Client {
    stream: UnixStream,
    uid: u32,
    inbuf: Vec<u8>,
    outbuf: Vec<u8>,
    watching: bool,
    /// Close once the output is flushed.
    closing: bool,
    dead: bool,
}

/// A request for the daemon to carry out and answer.
#[derive(Debug)]
pub struct Pending {
    /// Which client asked.
    pub client: usize,
    /// What it asked.
    pub request: Request,
}

/// The listening socket and its clients.
#[derive(Debug)]
pub struct Control {
    /// The daemon's name, for messages.
    daemon: &'static str,
    listener: UnixListener,
    path: PathBuf,
    /// Clients by id; a client's token is `CLIENT_BASE + id`.
    clients: BTreeMap<usize, Client>,
    next_id: usize,
}

impl Control {
    /// Binds `path`, refusing if another daemon answers there and
    /// replacing a stale socket file otherwise.
    pub fn bind(path: &Path, daemon: &'static str) -> io::Result<Control> {
        if UnixStream::connect(path).is_ok() {
            return Err(io::Error::new(
                ErrorKind::AddrInUse,
                format!(
                    "{}: is another instance of {daemon} already active?",
                    path.display()
                ),
            ));
        }
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path)?;
        listener.set_nonblocking(true)?;
        // Queries are open to every local user; rights are checked per
        // request from the peer's credentials.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666))?;
        Ok(Control {
            daemon,
            listener,
            path: path.to_path_buf(),
            clients: BTreeMap::new(),
            next_id: 0,
        })
    }

    /// The listening socket.
    pub fn listener_fd(&self) -> RawFd {
        self.listener.as_raw_fd()
    }

    /// How many clients are connected.
    pub fn clients(&self) -> usize {
        self.clients.len()
    }

    /// Accepts every waiting connection and registers each for input
    /// and output readiness with `registry`; the new clients' ids are
    /// added to `fresh`.
    pub fn accept(
        &mut self,
        registry: &Registry,
        fresh: &mut Vec<usize>,
    ) -> Vec<String> {
        let mut notes = Vec::new();
        loop {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    if self.clients.len() >= MAX_CLIENTS {
                        notes.push(msg::TOO_MANY_CLIENTS.into());
                        continue;
                    }
                    let uid =
                        match mpath_sys::peercred::peer_uid(stream.as_fd()) {
                            Ok(u) => u,
                            Err(e) => {
                                notes.push(msg::peer_credentials_failed(&e));
                                continue;
                            }
                        };
                    if stream.set_nonblocking(true).is_err() {
                        continue;
                    }
                    // Room for a whole status reply, so that it leaves
                    // in one write, not over several turns.
                    mpath_sys::sockbuf::raise_send_buffer(
                        stream.as_fd(),
                        SEND_BUFFER,
                    );
                    let id = self.next_id;
                    self.next_id = (id + 1) % CLIENT_BASE;
                    let fd = stream.as_raw_fd();
                    if let Err(e) = registry.register(
                        &mut SourceFd(&fd),
                        Token(CLIENT_BASE + id),
                        Interest::READABLE | Interest::WRITABLE,
                    ) {
                        notes.push(msg::client_register_failed(&e));
                        continue;
                    }
                    self.clients.insert(
                        id,
                        Client {
                            stream,
                            uid,
                            inbuf: Vec::new(),
                            outbuf: Vec::new(),
                            watching: false,
                            closing: false,
                            dead: false,
                        },
                    );
                    fresh.push(id);
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    notes.push(msg::accept_failed(&e));
                    break;
                }
            }
        }
        notes
    }

    /// Reads from client `i` and returns its complete, valid, permitted
    /// requests; malformed or forbidden ones are answered here.
    pub fn read(&mut self, i: usize) -> Vec<Pending> {
        let mut out = Vec::new();
        let Some(c) = self.clients.get_mut(&i) else {
            return out;
        };
        let mut buf = [0u8; 4096];
        loop {
            match c.stream.read(&mut buf) {
                Ok(0) => {
                    c.dead = true;
                    break;
                }
                Ok(n) => c.inbuf.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => {
                    c.dead = true;
                    break;
                }
            }
            if c.inbuf.len() > MAX_REQUEST * 4 {
                break;
            }
        }
        while let Some(nl) = c.inbuf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = c.inbuf.drain(..=nl).collect();
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match parse_request(&line) {
                Ok(req) if req.body.mutates() && c.uid != 0 => {
                    let r = error(
                        Some(req.id),
                        ErrorCode::PermissionDenied,
                        &format!(
                            "permission denied: only root may change {}'s state",
                            self.daemon
                        ),
                    );
                    c.outbuf.extend(encode(&r));
                }
                Ok(req) => out.push(Pending {
                    client: i,
                    request: req,
                }),
                Err(e) => {
                    let r = error(None, e.code(), &e.to_string());
                    c.outbuf.extend(encode(&r));
                }
            }
        }
        if c.inbuf.len() > MAX_REQUEST {
            let r = error(None, ErrorCode::BadRequest, "request too long");
            c.outbuf.extend(encode(&r));
            c.inbuf.clear();
            c.closing = true;
        }
        out
    }

    /// Queues `body` as the answer to `req` from client `i`; a `watch`
    /// that succeeded turns the client into an event subscriber.
    pub fn reply(
        &mut self,
        i: usize,
        id: u64,
        body: ResponseBody,
        watch: bool,
    ) {
        if let Some(c) = self.clients.get_mut(&i) {
            let r = Response {
                version: VERSION,
                id: Some(id),
                body,
            };
            c.outbuf.extend(encode(&r));
            c.watching |= watch;
        }
    }

    /// Whether any client is watching (so events are worth building).
    pub fn has_watchers(&self) -> bool {
        self.clients.values().any(|c| c.watching)
    }

    /// Sends an event to every watcher.
    pub fn broadcast(&mut self, event: &Event) {
        let line = encode(&Response {
            version: VERSION,
            id: None,
            body: ResponseBody::Event(event.clone()),
        });
        for c in self.clients.values_mut().filter(|c| c.watching) {
            c.outbuf.extend_from_slice(&line);
        }
    }

    /// Writes what each client can take, then drops dead, finished and
    /// stuck clients (deregistered from `registry` first). Returns notes
    /// for the log.
    pub fn flush(&mut self, registry: &Registry) -> Vec<String> {
        let mut notes = Vec::new();
        for c in self.clients.values_mut() {
            while !c.outbuf.is_empty() && !c.dead {
                match c.stream.write(&c.outbuf) {
                    Ok(0) => c.dead = true,
                    Ok(n) => {
                        c.outbuf.drain(..n);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(_) => c.dead = true,
                }
            }
            if c.outbuf.len() > MAX_PENDING_OUTPUT {
                notes.push(msg::client_dropped(c.uid));
                c.dead = true;
            }
            if c.closing && c.outbuf.is_empty() {
                c.dead = true;
            }
        }
        self.clients.retain(|_, c| {
            if c.dead {
                let fd = c.stream.as_raw_fd();
                let _ = registry.deregister(&mut SourceFd(&fd));
            }
            !c.dead
        });
        notes
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// An error response.
pub fn error(id: Option<u64>, code: ErrorCode, message: &str) -> Response {
    Response {
        version: VERSION,
        id,
        body: ResponseBody::Error(ErrorReply {
            code,
            message: message.to_string(),
            details: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};

    use mpath_proto::{Payload, Request, RequestBody, VERSION};

    use super::*;

    fn poll() -> mio::Poll {
        mio::Poll::new().expect("poll")
    }

    fn control() -> (Control, PathBuf) {
        let dir = std::env::temp_dir()
            .join(format!("mpathd-control-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join(format!("{:?}.sock", std::thread::current().id()));
        (Control::bind(&path, "mpathd").expect("bind"), path)
    }

    fn event(n: usize) -> Event {
        Event {
            time_ms: 0,
            kind: "log".into(),
            interface: None,
            group: None,
            message: "x".repeat(n),
            probe: None,
        }
    }

    #[test]
    fn a_watcher_that_stops_reading_is_dropped_not_waited_for() {
        let (mut c, path) = control();
        let poll = poll();
        let mut stuck = UnixStream::connect(&path).unwrap();
        let req = Request {
            version: VERSION,
            id: 1,
            body: RequestBody::Watch,
        };
        stuck.write_all(&req.encode()).unwrap();
        // Accept and read the request (the client never reads anything).
        let mut pending = Vec::new();
        for _ in 0..100 {
            c.accept(poll.registry(), &mut Vec::new());
            let ids: Vec<usize> = c.clients.keys().copied().collect();
            for i in ids {
                pending.extend(c.read(i));
            }
            if !pending.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let p = pending.pop().expect("the watch request");
        c.reply(
            p.client,
            p.request.id,
            ResponseBody::Ok(Payload::Watching),
            true,
        );
        assert!(c.has_watchers());
        // Flood: each flush returns at once (non-blocking writes), and
        // the client is dropped once its backlog passes the limit (the
        // socket's buffer, SEND_BUFFER where root may, then ours).
        let start = std::time::Instant::now();
        let floods = (SEND_BUFFER + MAX_PENDING_OUTPUT) / (16 * 1024) * 2;
        for _ in 0..floods {
            c.broadcast(&event(16 * 1024));
            let _ = c.flush(poll.registry());
            if c.clients() == 0 {
                break;
            }
        }
        assert_eq!(c.clients(), 0, "stuck client still connected");
        assert!(!c.has_watchers());
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        drop(stuck);
    }

    #[test]
    fn a_request_line_too_long_is_answered_and_the_client_closed() {
        let (mut c, path) = control();
        let p = poll();
        let client = UnixStream::connect(&path).unwrap();
        (&client).write_all(&vec![b'{'; MAX_REQUEST + 10]).unwrap();
        for _ in 0..100 {
            c.accept(p.registry(), &mut Vec::new());
            if c.clients() > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let got = c.read(0);
        assert!(got.is_empty());
        let _ = c.flush(p.registry());
        let mut line = String::new();
        BufReader::new(&client).read_line(&mut line).unwrap();
        assert!(line.contains("bad_request"), "{line}");
        assert_eq!(c.clients(), 0, "closed after the error");
    }
}
