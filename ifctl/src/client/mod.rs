//! The control sockets of mpathd and laggd: one request and its reply,
//! the same request to both daemons at once ([`send_each`]), or a watch
//! stream.
//!
//! A request waits at most [`TIMEOUT`] for its reply (in.mpathd's
//! IPMP_REQTIMEOUT); a watch stream waits for events for ever. Every
//! failure becomes a [`Failure`] with its sysexits(3) status: the daemon
//! cannot be reached (EX_UNAVAILABLE), the daemon refused (the status
//! for its error code), or the reply makes no sense (EX_PROTOCOL). Its
//! message names the daemon, since ifctl talks to two.

mod each;

pub use each::{open_each, send_each, Answer, Sent};

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mpath_proto::laggd::LaggStatus;
use mpath_proto::mpathd::Status;
use mpath_proto::{
    parse_response, ErrorCode, ErrorReply, Event, Payload, Request,
    RequestBody, Response, ResponseBody, MAX_RESPONSE, VERSION,
};

use crate::{
    Failure, EX_CONFIG, EX_NOPERM, EX_NOUSER, EX_OSERR, EX_PROTOCOL,
    EX_TEMPFAIL, EX_UNAVAILABLE,
};

/// A daemon ifctl talks to: for its default socket and for messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Daemon {
    /// The IPMP daemon (`-s`).
    Mpathd,
    /// The lagg(4) and bonding supervisor (`-S`).
    Laggd,
}

impl Daemon {
    /// Its name, as in messages and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Daemon::Mpathd => "mpathd",
            Daemon::Laggd => "laggd",
        }
    }

    /// Its default control socket.
    pub fn default_socket(self) -> &'static str {
        match self {
            Daemon::Mpathd => mpath_proto::MPATHD_SOCKET,
            Daemon::Laggd => mpath_proto::LAGGD_SOCKET,
        }
    }
}

/// How long a request waits for its reply (IPMP_REQTIMEOUT).
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The id of every request: one request per connection.
const ID: u64 = 1;

/// A connection to a daemon.
#[derive(Debug)]
struct Conn {
    reader: BufReader<UnixStream>,
    daemon: Daemon,
    path: PathBuf,
}

/// Why a connection could not be opened.
#[derive(Debug)]
struct Unreached {
    /// Nothing listens at the socket (no file, or nobody accepting):
    /// the daemon is not running, which is no error where the other
    /// daemon may answer instead.
    absent: bool,
    failure: Failure,
}

impl From<Unreached> for Failure {
    fn from(u: Unreached) -> Failure {
        u.failure
    }
}

impl Conn {
    fn open(daemon: Daemon, path: &Path) -> Result<Conn, Unreached> {
        let (name, shown) = (daemon.name(), path.display());
        let stream = UnixStream::connect(path).map_err(|e| {
            let absent = matches!(
                e.kind(),
                ErrorKind::NotFound | ErrorKind::ConnectionRefused
            );
            let failure = match e.kind() {
                ErrorKind::PermissionDenied => Failure::new(
                    EX_NOPERM,
                    format!(
                        "cannot contact {name} at {shown}: permission denied"
                    ),
                ),
                _ if absent => Failure::new(
                    EX_UNAVAILABLE,
                    format!(
                        "cannot contact {name} at {shown} -- is it running?"
                    ),
                ),
                _ => Failure::new(
                    EX_UNAVAILABLE,
                    format!("cannot contact {name} at {shown}: {e}"),
                ),
            };
            Unreached { absent, failure }
        })?;
        let timeouts = stream
            .set_read_timeout(Some(TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(TIMEOUT)));
        if let Err(e) = timeouts {
            return Err(Unreached {
                absent: false,
                failure: Failure::new(
                    EX_UNAVAILABLE,
                    format!("{shown}: cannot set a timeout: {e}"),
                ),
            });
        }
        Ok(Conn {
            // A status of a thousand members is hundreds of kB.
            reader: BufReader::with_capacity(1 << 16, stream),
            daemon,
            path: path.to_path_buf(),
        })
    }

    fn io_failure(&self, e: &std::io::Error) -> Failure {
        let (name, shown) = (self.daemon.name(), self.path.display());
        match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => Failure::new(
                EX_UNAVAILABLE,
                format!(
                    "{name} at {shown} did not answer within {} s",
                    TIMEOUT.as_secs()
                ),
            ),
            _ => Failure::new(
                EX_UNAVAILABLE,
                format!("lost contact with {name} at {shown}: {e}"),
            ),
        }
    }

    fn send(&mut self, body: RequestBody) -> Result<(), Failure> {
        let req = Request {
            version: VERSION,
            id: ID,
            body,
        };
        let r = self.reader.get_mut().write_all(&req.encode());
        r.map_err(|e| self.io_failure(&e))
    }

    /// The next message; EOF is a lost daemon.
    fn recv(&mut self) -> Result<Response, Failure> {
        let mut line = Vec::new();
        let limit = u64::try_from(MAX_RESPONSE).unwrap_or(u64::MAX) + 1;
        let r = (&mut self.reader).take(limit).read_until(b'\n', &mut line);
        match r {
            Ok(0) => {
                return Err(Failure::new(
                    EX_UNAVAILABLE,
                    format!(
                        "{} at {} closed the connection",
                        self.daemon.name(),
                        self.path.display()
                    ),
                ))
            }
            Ok(_) => {}
            Err(e) => return Err(self.io_failure(&e)),
        }
        if line.last() != Some(&b'\n') {
            return Err(protocol(
                self.daemon,
                "a reply without its end of line",
            ));
        }
        parse_response(&line).map_err(|e| protocol(self.daemon, &e.to_string()))
    }

    /// The reply to our request: its payload, or the daemon's refusal.
    fn reply(&mut self) -> Result<Payload, Failure> {
        let r = self.recv()?;
        match r.body {
            ResponseBody::Ok(p) if r.id == Some(ID) => Ok(p),
            // Errors about an unreadable request carry no id.
            ResponseBody::Error(e) if r.id.is_none() || r.id == Some(ID) => {
                Err(refused(e))
            }
            _ => Err(protocol(
                self.daemon,
                "a reply that does not answer the request",
            )),
        }
    }
}

/// The daemon's reply makes no sense: `what` says how.
pub fn protocol(daemon: Daemon, what: &str) -> Failure {
    Failure::new(EX_PROTOCOL, format!("{} sent {what}", daemon.name()))
}

/// The exit status for the daemon's error code.
pub fn exit_status(code: ErrorCode) -> u8 {
    match code {
        ErrorCode::PermissionDenied => EX_NOPERM,
        ErrorCode::UnknownInterface | ErrorCode::UnknownGroup => EX_NOUSER,
        ErrorCode::BadConfig => EX_CONFIG,
        ErrorCode::BadRequest | ErrorCode::UnsupportedVersion => EX_PROTOCOL,
        // Refused in the current state: it may work once that changes.
        ErrorCode::Eminred
        | ErrorCode::AlreadyOffline
        | ErrorCode::NotOffline
        | ErrorCode::Failed => EX_TEMPFAIL,
    }
}

/// A refusal: the daemon's words and details, with the status for its
/// code.
fn refused(e: ErrorReply) -> Failure {
    Failure::Exit {
        code: exit_status(e.code),
        message: e.message,
        details: e.details,
    }
}

/// Enters the OS's sandbox (FreeBSD: Capsicum capability mode) once the
/// last connection is open: from then on ifctl can only use the socket
/// and its standard streams.
fn sandbox() -> Result<(), Failure> {
    mpath_sys::sandbox::enter().map(|_| ()).map_err(|e| {
        Failure::new(EX_OSERR, format!("cannot enter capability mode: {e}"))
    })
}

/// Sends `body` and returns the reply's payload; the process is
/// sandboxed once the connection is open, so this is the last request.
pub fn request(
    daemon: Daemon,
    path: &Path,
    body: RequestBody,
) -> Result<Payload, Failure> {
    let mut c = Conn::open(daemon, path)?;
    sandbox()?;
    c.send(body)?;
    c.reply()
}

/// [`request`] without entering the sandbox, for a request that another
/// connection follows (`-p` asks for the status, then watches).
pub fn request_not_last(
    daemon: Daemon,
    path: &Path,
    body: RequestBody,
) -> Result<Payload, Failure> {
    let mut c = Conn::open(daemon, path)?;
    c.send(body)?;
    c.reply()
}

/// mpathd's status out of its reply to `status`.
pub fn mpathd_status(p: Payload) -> Result<Status, Failure> {
    match p {
        Payload::Status(s) => Ok(s),
        _ => Err(protocol(Daemon::Mpathd, "something other than its status")),
    }
}

/// laggd's status out of its reply to `status` (a socket of mpathd's
/// given for laggd's sends mpathd's status: an error too).
pub fn laggd_status(p: Payload) -> Result<LaggStatus, Failure> {
    match p {
        Payload::LaggStatus(s) => Ok(s),
        _ => Err(protocol(Daemon::Laggd, "something other than its status")),
    }
}

/// An open watch stream.
#[derive(Debug)]
pub struct Watch {
    conn: Conn,
}

/// Subscribes to events.
pub fn watch(daemon: Daemon, path: &Path) -> Result<Watch, Failure> {
    let mut conn = Conn::open(daemon, path)?;
    sandbox()?;
    conn.send(RequestBody::Watch)?;
    match conn.reply()? {
        Payload::Watching => {}
        _ => return Err(protocol(daemon, "an unexpected answer to `watch`")),
    }
    if let Err(e) = conn.reader.get_ref().set_read_timeout(None) {
        return Err(conn.io_failure(&e));
    }
    Ok(Watch { conn })
}

impl Watch {
    /// Waits for the next event.
    pub fn next_event(&mut self) -> Result<Event, Failure> {
        loop {
            let r = self.conn.recv()?;
            match r.body {
                ResponseBody::Event(e) => return Ok(e),
                ResponseBody::Error(e) => return Err(refused(e)),
                // Nothing else is sent on a watch stream; a newer daemon
                // may add messages, which are not ours to judge.
                ResponseBody::Ok(_) => continue,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;
    use std::sync::atomic::{AtomicU32, Ordering};

    pub(super) static N: AtomicU32 = AtomicU32::new(0);

    /// A one-shot fake daemon: reads one request, sends `replies`.
    pub(super) fn serve(
        replies: &'static [&'static str],
    ) -> (PathBuf, std::thread::JoinHandle<String>) {
        let dir = std::env::temp_dir().join(format!(
            "ifctl-client-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sock");
        let l = UnixListener::bind(&path).unwrap();
        let h = std::thread::spawn(move || {
            let (s, _) = l.accept().unwrap();
            let mut r = BufReader::new(s);
            let mut req = String::new();
            r.read_line(&mut req).unwrap();
            for rep in replies {
                r.get_mut().write_all(rep.as_bytes()).unwrap();
            }
            // The connection outlives its name.
            let _ = std::fs::remove_dir_all(&dir);
            req
        });
        (path, h)
    }

    #[test]
    fn a_request_and_its_reply() {
        let (p, h) = serve(&["{\"version\":1,\"id\":1,\"ok\":\"done\"}\n"]);
        let r = request(
            Daemon::Mpathd,
            &p,
            RequestBody::Offline {
                interface: "em0".into(),
            },
        );
        assert!(matches!(r, Ok(Payload::Done)), "{r:?}");
        let req = h.join().unwrap();
        assert!(req.contains("\"offline\"") && req.contains("\"em0\""));
    }

    #[test]
    fn refusals_carry_the_daemons_words_and_status() {
        let (p, h) = serve(&[
            "{\"version\":1,\"id\":1,\"error\":{\"code\":\"eminred\",\
             \"message\":\"cannot offline em1: no other functioning \
             interfaces are in its IPMP group\"}}\n",
        ]);
        match request(Daemon::Mpathd, &p, RequestBody::Status) {
            Err(Failure::Exit { code, message, .. }) => {
                assert_eq!(code, EX_TEMPFAIL);
                assert!(message.starts_with("cannot offline em1: no other"));
            }
            other => panic!("{other:?}"),
        }
        h.join().unwrap();
    }

    #[test]
    fn nonsense_is_a_protocol_error() {
        for reply in [
            &["not json\n"][..],
            &["{\"version\":1,\"id\":7,\"ok\":\"done\"}\n"],
            &["{\"version\":2,\"id\":1,\"ok\":\"done\"}\n"],
            &["{\"version\":1,\"id\":1,\"ok\":\"done\"}"],
        ] {
            let (p, h) = serve(reply);
            match request(Daemon::Mpathd, &p, RequestBody::Ping) {
                Err(Failure::Exit { code, .. }) => {
                    assert_eq!(code, EX_PROTOCOL, "{reply:?}")
                }
                other => panic!("{reply:?}: {other:?}"),
            }
            h.join().unwrap();
        }
    }

    #[test]
    fn no_daemon_is_unavailable() {
        let p = Path::new("/nonexistent/ifctl-test.sock");
        match request(Daemon::Mpathd, p, RequestBody::Ping) {
            Err(Failure::Exit { code, message, .. }) => {
                assert_eq!(code, EX_UNAVAILABLE);
                assert_eq!(
                    message,
                    "cannot contact mpathd at /nonexistent/ifctl-test.sock \
                     -- is it running?"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn messages_name_the_daemon() {
        let (p, h) = serve(&["{\"version\":1,\"id\":1,\"ok\":\"done\"}"]);
        match request(Daemon::Laggd, &p, RequestBody::Ping) {
            Err(Failure::Exit { code, message, .. }) => {
                assert_eq!(code, EX_PROTOCOL);
                assert_eq!(
                    message,
                    "laggd sent a reply without its end of line"
                );
            }
            other => panic!("{other:?}"),
        }
        h.join().unwrap();
        let p = Path::new("/nonexistent/laggd.sock");
        match request(Daemon::Laggd, p, RequestBody::Ping) {
            Err(Failure::Exit { message, .. }) => assert_eq!(
                message,
                "cannot contact laggd at /nonexistent/laggd.sock -- is it \
                 running?"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_daemon_must_send_its_own_status() {
        let lagg = Payload::LaggStatus(LaggStatus::default());
        let mpath = Payload::Status(Status::default());
        assert!(laggd_status(lagg.clone()).is_ok());
        assert!(mpathd_status(mpath.clone()).is_ok());
        for f in [
            mpathd_status(lagg).err(),
            laggd_status(mpath).map(|_| ()).err(),
        ] {
            assert!(
                matches!(&f, Some(Failure::Exit { code, message, .. })
                    if *code == EX_PROTOCOL
                    && message.ends_with("sent something other than its status")),
                "{f:?}"
            );
        }
        assert!(laggd_status(Payload::Done).is_err());
    }

    #[test]
    fn error_codes_map_to_sysexits() {
        assert_eq!(exit_status(ErrorCode::PermissionDenied), 77);
        assert_eq!(exit_status(ErrorCode::UnknownInterface), 67);
        assert_eq!(exit_status(ErrorCode::BadConfig), 78);
        assert_eq!(exit_status(ErrorCode::UnsupportedVersion), 76);
        assert_eq!(exit_status(ErrorCode::Eminred), 75);
    }
}
