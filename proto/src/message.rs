//! Message types and their checked parsing.

use mpath_core::engine::Status;
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks.
pub const VERSION: u32 = 1;

/// Longest request line accepted, in bytes (a request is small; anything
/// longer is a confused or hostile client).
pub const MAX_REQUEST: usize = 4096;

/// Longest response line a client accepts, in bytes.
pub const MAX_RESPONSE: usize = 16 * 1024 * 1024;

/// A request from a client.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Request {
    /// Protocol version the client speaks.
    pub version: u32,
    /// Echoed in the reply.
    pub id: u64,
    /// What is asked.
    pub body: RequestBody,
}

/// The requests. Only `ping`, `status` and `watch` are open to every
/// local user; the others need root.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RequestBody {
    /// Is the daemon there?
    Ping,
    /// The whole state (ipmpstat's snapshot).
    Status,
    /// Stream events until the client disconnects.
    Watch,
    /// if_mpadm -d.
    Offline {
        /// Interface to take out of service.
        interface: String,
    },
    /// if_mpadm -r.
    Online {
        /// Interface to put back.
        interface: String,
    },
    /// Re-read the configuration file, as SIGHUP does, and say whether
    /// the new configuration was taken.
    Reload,
}

/// The wire form of a request: a flat object, every field known. (serde's
/// `flatten` cannot be combined with `deny_unknown_fields`, so the shape
/// is checked by hand in [`Request::from_wire`].)
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRequest {
    version: u32,
    #[serde(default)]
    id: u64,
    request: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    interface: Option<String>,
}

impl Request {
    fn from_wire(w: WireRequest) -> Result<Request, ProtoError> {
        let bad = |m: String| Err(ProtoError::Malformed(m));
        let body = match (w.request.as_str(), w.interface) {
            ("ping", None) => RequestBody::Ping,
            ("status", None) => RequestBody::Status,
            ("watch", None) => RequestBody::Watch,
            ("reload", None) => RequestBody::Reload,
            ("offline", Some(interface)) => RequestBody::Offline { interface },
            ("online", Some(interface)) => RequestBody::Online { interface },
            ("offline" | "online", None) => {
                return bad(format!("`{}` needs an `interface`", w.request))
            }
            ("ping" | "status" | "watch" | "reload", Some(_)) => {
                return bad(format!("`{}` takes no `interface`", w.request))
            }
            (other, _) => return bad(format!("unknown request `{other}`")),
        };
        Ok(Request {
            version: w.version,
            id: w.id,
            body,
        })
    }

    fn to_wire(&self) -> WireRequest {
        let (request, interface) = match &self.body {
            RequestBody::Ping => ("ping", None),
            RequestBody::Status => ("status", None),
            RequestBody::Watch => ("watch", None),
            RequestBody::Reload => ("reload", None),
            RequestBody::Offline { interface } => {
                ("offline", Some(interface.clone()))
            }
            RequestBody::Online { interface } => {
                ("online", Some(interface.clone()))
            }
        };
        WireRequest {
            version: self.version,
            id: self.id,
            request: request.to_string(),
            interface,
        }
    }

    /// The request as one line, newline included.
    pub fn encode(&self) -> Vec<u8> {
        encode(&self.to_wire())
    }
}

impl RequestBody {
    /// Whether the request changes anything (and so needs root).
    pub fn mutates(&self) -> bool {
        match self {
            RequestBody::Ping | RequestBody::Status | RequestBody::Watch => {
                false
            }
            RequestBody::Offline { .. }
            | RequestBody::Online { .. }
            | RequestBody::Reload => true,
        }
    }
}

/// A message from the daemon. Clients ignore fields they do not know, so
/// that replies can grow without a version change.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Response {
    /// Protocol version the daemon speaks.
    pub version: u32,
    /// The request's id (absent on events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Result, error or event.
    #[serde(flatten)]
    pub body: ResponseBody,
}

/// What a response carries.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseBody {
    /// The request succeeded.
    Ok(Payload),
    /// The request failed; nothing was changed.
    Error(ErrorReply),
    /// Something happened (watch streams only).
    Event(Event),
}

/// Successful results.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// Answer to ping.
    Pong {
        /// Daemon name.
        daemon: String,
        /// Daemon version.
        version: String,
        /// Its process id.
        pid: u32,
    },
    /// Answer to status.
    Status(Status),
    /// offline/online done.
    Done,
    /// The new configuration is in force; with its warnings.
    Reloaded {
        /// `file:line: warning: ...` lines.
        warnings: Vec<String>,
    },
    /// Events follow.
    Watching,
}

/// Why a request failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON, wrong shape, too long, unknown request.
    BadRequest,
    /// The client speaks another protocol version.
    UnsupportedVersion,
    /// Only root may do that.
    PermissionDenied,
    /// No such interface under the daemon's care.
    UnknownInterface,
    /// Offline refused: no other usable member (IPMP_EMINRED).
    Eminred,
    /// Offline of an offline interface.
    AlreadyOffline,
    /// Online of an interface that is not offline.
    NotOffline,
    /// Reload refused: the file has errors; the old one stays.
    BadConfig,
    /// Anything else.
    Failed,
}

/// An error reply.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ErrorReply {
    /// Machine-readable.
    pub code: ErrorCode,
    /// For a person: what went wrong, in the daemon's words.
    pub message: String,
    /// More lines, e.g. every `file:line` problem of a refused reload.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// One event of a watch stream.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Event {
    /// Milliseconds since the daemon started.
    pub time_ms: u64,
    /// `state` (a change with its reason), `address` (a move), `probe`
    /// (a probe result), `log` (any other log line).
    pub kind: String,
    /// Interface concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Group concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// What happened, in the log's words.
    pub message: String,
}

/// Why bytes are not a valid message.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ProtoError {
    /// Longer than allowed.
    #[error("message too long ({0} bytes)")]
    TooLong(usize),
    /// Not UTF-8.
    #[error("message is not UTF-8")]
    NotUtf8,
    /// Not valid JSON or not the right shape.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// Another protocol version.
    #[error("unsupported protocol version {0} (this side speaks {VERSION})")]
    Version(u32),
}

impl ProtoError {
    /// The error code a daemon replies with.
    pub fn code(&self) -> ErrorCode {
        match self {
            ProtoError::Version(_) => ErrorCode::UnsupportedVersion,
            ProtoError::TooLong(_)
            | ProtoError::NotUtf8
            | ProtoError::Malformed(_) => ErrorCode::BadRequest,
        }
    }
}

fn check_text(bytes: &[u8], max: usize) -> Result<&str, ProtoError> {
    if bytes.len() > max {
        return Err(ProtoError::TooLong(bytes.len()));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| ProtoError::NotUtf8)?;
    Ok(text.trim_end_matches(['\n', '\r']))
}

/// Checks and decodes one request line (with or without its newline).
pub fn parse_request(bytes: &[u8]) -> Result<Request, ProtoError> {
    let text = check_text(bytes, MAX_REQUEST)?;
    // The version is checked first, on its own, so that a newer client
    // whose request has a shape we do not know gets "unsupported
    // version" rather than "malformed".
    #[derive(Deserialize)]
    struct Versioned {
        version: u32,
    }
    let v: Versioned = serde_json::from_str(text)
        .map_err(|e| ProtoError::Malformed(e.to_string()))?;
    if v.version != VERSION {
        return Err(ProtoError::Version(v.version));
    }
    let w: WireRequest = serde_json::from_str(text)
        .map_err(|e| ProtoError::Malformed(e.to_string()))?;
    Request::from_wire(w)
}

/// Checks and decodes one response line.
pub fn parse_response(bytes: &[u8]) -> Result<Response, ProtoError> {
    let text = check_text(bytes, MAX_RESPONSE)?;
    let r: Response = serde_json::from_str(text)
        .map_err(|e| ProtoError::Malformed(e.to_string()))?;
    if r.version != VERSION {
        return Err(ProtoError::Version(r.version));
    }
    Ok(r)
}

/// Encodes a message as one line, newline included.
pub fn encode<T: Serialize>(msg: &T) -> Vec<u8> {
    // Serialising these plain types cannot fail (no maps with non-string
    // keys, no custom serialisers); fall back to an empty object rather
    // than panic if it ever did.
    let mut v = serde_json::to_vec(msg).unwrap_or_else(|_| b"{}".to_vec());
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip() {
        for body in [
            RequestBody::Ping,
            RequestBody::Status,
            RequestBody::Watch,
            RequestBody::Reload,
            RequestBody::Offline {
                interface: "em0".into(),
            },
            RequestBody::Online {
                interface: "em0".into(),
            },
        ] {
            let r = Request {
                version: VERSION,
                id: 9,
                body,
            };
            assert_eq!(parse_request(&r.encode()).unwrap(), r);
        }
    }

    #[test]
    fn requests_parse() {
        let r = parse_request(br#"{"version":1,"id":4,"request":"status"}"#)
            .unwrap();
        assert_eq!(r.id, 4);
        assert_eq!(r.body, RequestBody::Status);
        let r = parse_request(
            b"{\"version\":1,\"request\":\"offline\",\"interface\":\"em1\"}\n",
        )
        .unwrap();
        assert_eq!(
            r.body,
            RequestBody::Offline {
                interface: "em1".into()
            }
        );
        assert!(r.body.mutates());
    }

    #[test]
    fn bad_requests_are_refused_with_a_reason() {
        let cases: &[(&[u8], ErrorCode)] = &[
            (b"", ErrorCode::BadRequest),
            (b"{", ErrorCode::BadRequest),
            (b"\xff\xfe", ErrorCode::BadRequest),
            (br#"{"request":"status"}"#, ErrorCode::BadRequest),
            (
                br#"{"version":2,"request":"status"}"#,
                ErrorCode::UnsupportedVersion,
            ),
            (
                br#"{"version":1,"request":"reboot"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"offline"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"status","extra":1}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"offline","interface":7}"#,
                ErrorCode::BadRequest,
            ),
        ];
        for (bytes, code) in cases {
            let e = parse_request(bytes).unwrap_err();
            assert_eq!(e.code(), *code, "{:?}", String::from_utf8_lossy(bytes));
        }
        let long = vec![b' '; MAX_REQUEST + 1];
        assert!(matches!(parse_request(&long), Err(ProtoError::TooLong(_))));
    }

    #[test]
    fn responses_round_trip() {
        let msgs = vec![
            Response {
                version: VERSION,
                id: Some(1),
                body: ResponseBody::Ok(Payload::Status(Status::default())),
            },
            Response {
                version: VERSION,
                id: Some(2),
                body: ResponseBody::Error(ErrorReply {
                    code: ErrorCode::Eminred,
                    message: "cannot offline em1".into(),
                    details: vec![],
                }),
            },
            Response {
                version: VERSION,
                id: None,
                body: ResponseBody::Event(Event {
                    time_ms: 5,
                    kind: "state".into(),
                    interface: Some("em0".into()),
                    group: None,
                    message: "IP interface failure detected on em0".into(),
                }),
            },
            Response {
                version: VERSION,
                id: Some(3),
                body: ResponseBody::Ok(Payload::Watching),
            },
        ];
        for m in msgs {
            let line = encode(&m);
            assert_eq!(line.last(), Some(&b'\n'));
            assert_eq!(parse_response(&line).unwrap(), m);
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_request_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = parse_request(&bytes);
        }
    }
}
