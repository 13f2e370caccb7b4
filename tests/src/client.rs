//! A minimal control-socket client for the lab: one request, one reply.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use mpath_proto::mpathd::Status;
use mpath_proto::{
    parse_response, Payload, Request, RequestBody, ResponseBody, VERSION,
};

/// Sends `body` to the daemon at `sock` and returns its answer.
pub fn request(sock: &Path, body: RequestBody) -> Option<ResponseBody> {
    let mut s = UnixStream::connect(sock).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let req = Request {
        version: VERSION,
        id: 1,
        body,
    };
    s.write_all(&req.encode()).ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    parse_response(line.as_bytes()).ok().map(|r| r.body)
}

/// The daemon's status, if it answers.
pub fn status(sock: &Path) -> Option<Status> {
    match request(sock, RequestBody::Status)? {
        ResponseBody::Ok(Payload::Status(s)) => Some(s),
        _ => None,
    }
}

/// laggd's status, if it answers.
pub fn lagg_status(sock: &Path) -> Option<mpath_proto::laggd::LaggStatus> {
    match request(sock, RequestBody::Status)? {
        ResponseBody::Ok(Payload::LaggStatus(s)) => Some(s),
        _ => None,
    }
}
