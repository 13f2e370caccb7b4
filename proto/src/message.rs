//! Message types and their checked parsing.

use crate::laggd::LaggStatus;
use crate::mpathd::Status;
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

/// The requests. Only `ping`, `status`, `status_brief` and `watch` are
/// open to every local user; the others need root. `offline` to
/// `set_test` are mpathd's, `port_offline` to `track_group` laggd's.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum RequestBody {
    /// Is the daemon there?
    Ping,
    /// The whole state (ipmpstat's snapshot).
    Status,
    /// The state without each member's probe paths (their targets and
    /// counts), which ipmpstat's `-i`, `-g` and `-a` views do not show
    /// and which are most of a thousand members' status. laggd answers
    /// it as `status`.
    StatusBrief,
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
    /// ifconfig IF group NAME / -group: move an interface into a group,
    /// or out of every group. Runtime only: the next reload from the
    /// file undoes it.
    SetGroup {
        /// Interface.
        interface: String,
        /// New group, or `None` for `-group`.
        group: Option<String>,
    },
    /// ifconfig IF standby / -standby. Runtime only.
    SetStandby {
        /// Interface.
        interface: String,
        /// Standby or not.
        standby: bool,
    },
    /// ifconfig IF test ADDR/PLEN (or `inet6` for the link-local), or
    /// `-test inet|inet6` to stop probing that family. Runtime only.
    SetTest {
        /// Interface.
        interface: String,
        /// `ADDR/PLEN` or `inet6` to set; `None` to remove `family`'s.
        test: Option<String>,
        /// `inet` or `inet6`: the family to remove when `test` is None.
        family: Option<String>,
    },
    /// laggd: take an aggregate's port out of service (if_mpadm -d for
    /// a lagg port), until `port_online`, a reload or a restart.
    PortOffline {
        /// The port.
        interface: String,
        /// Even if it is the aggregate's last live port.
        force: bool,
    },
    /// laggd: put a port taken offline back.
    PortOnline {
        /// The port.
        interface: String,
    },
    /// laggd: enable or disable a link-state tracking group (Cisco
    /// `[no] link state track`), until a reload or a restart.
    TrackGroup {
        /// The group.
        group: String,
        /// Enable or disable.
        enabled: bool,
    },
    /// laggd: this chassis gives up a redundancy group's active role
    /// (Cisco `redundancy application reload group N self`), or, with
    /// `cancel`, may take it again.
    Switchover {
        /// Redundancy group.
        group: String,
        /// End the switchover.
        cancel: bool,
    },
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    standby: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    test: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    family: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    force: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    enabled: Option<bool>,
    cancel: Option<bool>,
}

impl Request {
    fn from_wire(w: WireRequest) -> Result<Request, ProtoError> {
        let bad = |m: String| Err(ProtoError::Malformed(m));
        let WireRequest {
            version,
            id,
            request,
            interface,
            group,
            standby,
            test,
            family,
            force,
            enabled,
            cancel,
        } = w;
        // Which optional fields each request takes; any other is refused.
        let allowed: &[&str] = match request.as_str() {
            "ping" | "status" | "status_brief" | "watch" | "reload" => &[],
            "offline" | "online" | "port_online" => &["interface"],
            "set_group" => &["interface", "group"],
            "set_standby" => &["interface", "standby"],
            "set_test" => &["interface", "test", "family"],
            "port_offline" => &["interface", "force"],
            "track_group" => &["group", "enabled"],
            "switchover" => &["group", "cancel"],
            other => return bad(format!("unknown request `{other}`")),
        };
        let given = [
            ("interface", interface.is_some()),
            ("group", group.is_some()),
            ("standby", standby.is_some()),
            ("test", test.is_some()),
            ("family", family.is_some()),
            ("force", force.is_some()),
            ("enabled", enabled.is_some()),
            ("cancel", cancel.is_some()),
        ];
        for (name, present) in given {
            if present && !allowed.contains(&name) {
                return bad(format!("`{request}` takes no `{name}`"));
            }
        }
        let need_if = || match &interface {
            Some(i) => Ok(i.clone()),
            None => Err(ProtoError::Malformed(format!(
                "`{request}` needs an `interface`"
            ))),
        };
        let body = match request.as_str() {
            "ping" => RequestBody::Ping,
            "status" => RequestBody::Status,
            "status_brief" => RequestBody::StatusBrief,
            "watch" => RequestBody::Watch,
            "reload" => RequestBody::Reload,
            "offline" => RequestBody::Offline {
                interface: need_if()?,
            },
            "online" => RequestBody::Online {
                interface: need_if()?,
            },
            "set_group" => RequestBody::SetGroup {
                interface: need_if()?,
                group,
            },
            "port_offline" => RequestBody::PortOffline {
                interface: need_if()?,
                force: force.unwrap_or(false),
            },
            "port_online" => RequestBody::PortOnline {
                interface: need_if()?,
            },
            "track_group" => RequestBody::TrackGroup {
                group: match group {
                    Some(g) => g,
                    None => return bad("`track_group` needs a `group`".into()),
                },
                enabled: match enabled {
                    Some(e) => e,
                    None => return bad("`track_group` needs `enabled`".into()),
                },
            },
            "set_standby" => RequestBody::SetStandby {
                interface: need_if()?,
                standby: match standby {
                    Some(s) => s,
                    None => return bad("`set_standby` needs `standby`".into()),
                },
            },
            "switchover" => RequestBody::Switchover {
                group: match group {
                    Some(g) => g,
                    None => return bad("`switchover` needs a `group`".into()),
                },
                cancel: cancel.unwrap_or(false),
            },
            _ => {
                if test.is_some() == family.is_some() {
                    return bad(
                        "`set_test` takes exactly one of `test` and `family`"
                            .into(),
                    );
                }
                RequestBody::SetTest {
                    interface: need_if()?,
                    test,
                    family,
                }
            }
        };
        Ok(Request { version, id, body })
    }

    fn to_wire(&self) -> WireRequest {
        let mut w = WireRequest {
            version: self.version,
            id: self.id,
            request: String::new(),
            interface: None,
            group: None,
            standby: None,
            test: None,
            family: None,
            force: None,
            enabled: None,
            cancel: None,
        };
        let name = match &self.body {
            RequestBody::Ping => "ping",
            RequestBody::Status => "status",
            RequestBody::StatusBrief => "status_brief",
            RequestBody::Watch => "watch",
            RequestBody::Reload => "reload",
            RequestBody::Offline { interface } => {
                w.interface = Some(interface.clone());
                "offline"
            }
            RequestBody::Online { interface } => {
                w.interface = Some(interface.clone());
                "online"
            }
            RequestBody::SetGroup { interface, group } => {
                w.interface = Some(interface.clone());
                w.group.clone_from(group);
                "set_group"
            }
            RequestBody::SetStandby { interface, standby } => {
                w.interface = Some(interface.clone());
                w.standby = Some(*standby);
                "set_standby"
            }
            RequestBody::SetTest {
                interface,
                test,
                family,
            } => {
                w.interface = Some(interface.clone());
                w.test.clone_from(test);
                w.family.clone_from(family);
                "set_test"
            }
            RequestBody::PortOffline { interface, force } => {
                w.interface = Some(interface.clone());
                w.force = Some(*force);
                "port_offline"
            }
            RequestBody::PortOnline { interface } => {
                w.interface = Some(interface.clone());
                "port_online"
            }
            RequestBody::TrackGroup { group, enabled } => {
                w.group = Some(group.clone());
                w.enabled = Some(*enabled);
                "track_group"
            }
            RequestBody::Switchover { group, cancel } => {
                w.group = Some(group.clone());
                w.cancel = cancel.then_some(true);
                "switchover"
            }
        };
        w.request = name.to_string();
        w
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
            RequestBody::Ping
            | RequestBody::Status
            | RequestBody::StatusBrief
            | RequestBody::Watch => false,
            RequestBody::Offline { .. }
            | RequestBody::Online { .. }
            | RequestBody::Reload
            | RequestBody::SetGroup { .. }
            | RequestBody::SetStandby { .. }
            | RequestBody::SetTest { .. }
            | RequestBody::PortOffline { .. }
            | RequestBody::PortOnline { .. }
            | RequestBody::TrackGroup { .. }
            | RequestBody::Switchover { .. } => true,
        }
    }
}

/// A message from the daemon. Clients ignore fields they do not know, so
/// that replies can grow without a version change.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(try_from = "WireResponse")]
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

/// A [`Response`] as read: the body's three keys side by side, exactly
/// one of them present. Read through serde's `flatten`, a status of a
/// thousand interfaces was first buffered whole as untyped content and
/// then decoded again, which doubled `ifctl -i`'s time.
#[derive(Deserialize)]
struct WireResponse {
    version: u32,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    ok: Option<Payload>,
    #[serde(default)]
    error: Option<ErrorReply>,
    #[serde(default)]
    event: Option<Event>,
}

impl TryFrom<WireResponse> for Response {
    type Error = String;

    fn try_from(w: WireResponse) -> Result<Response, String> {
        let body = match (w.ok, w.error, w.event) {
            (Some(p), None, None) => ResponseBody::Ok(p),
            (None, Some(e), None) => ResponseBody::Error(e),
            (None, None, Some(e)) => ResponseBody::Event(e),
            _ => {
                return Err("a response carries exactly one of `ok`, \
                            `error` and `event`"
                    .to_string())
            }
        };
        Ok(Response {
            version: w.version,
            id: w.id,
            body,
        })
    }
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
    /// mpathd's answer to status.
    Status(Status),
    /// laggd's answer to status.
    LaggStatus(LaggStatus),
    /// offline/online done.
    Done,
    /// laggd's maintenance request is in force until it is undone, the
    /// next reload or a restart; `changed` says what it did, one log
    /// line each (empty: it already was so).
    Maintained {
        /// The log lines of the change.
        changed: Vec<String>,
    },
    /// The new configuration is in force; with its warnings.
    Reloaded {
        /// `file:line: warning: ...` lines.
        warnings: Vec<String>,
    },
    /// Events follow.
    Watching,
    /// A runtime change is in force until the next reload; `persist` is
    /// the configuration line that would make it permanent.
    Changed {
        /// The `interface ...` line for mpathd.conf (empty if the
        /// interface is no longer configured).
        persist: String,
    },
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
    /// Offline refused: no other usable member (IPMP_EMINRED), or for
    /// laggd the aggregate's last live port.
    Eminred,
    /// Offline of an offline interface.
    AlreadyOffline,
    /// Online of an interface that is not offline.
    NotOffline,
    /// Reload refused: the file has errors; the old one stays.
    BadConfig,
    /// No such group under the daemon's care (laggd: a link-state or
    /// redundancy group).
    UnknownGroup,
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
    /// For `probe` events: the probe and its result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeInfo>,
}

/// One resolved probe (ipmpstat -p).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ProbeInfo {
    /// `inet` or `inet6`.
    pub family: String,
    /// ICMP sequence number (the probe id).
    pub seq: u16,
    /// Target probed.
    pub target: String,
    /// Send time, ms since the daemon started.
    pub sent_ms: u64,
    /// Round-trip time in µs; absent if the probe was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_us: Option<u64>,
    /// The target's smoothed RTT in µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_avg_us: Option<u64>,
    /// The target's RTT deviation in µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rtt_dev_us: Option<u64>,
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
            RequestBody::StatusBrief,
            RequestBody::Watch,
            RequestBody::Reload,
            RequestBody::Offline {
                interface: "em0".into(),
            },
            RequestBody::Online {
                interface: "em0".into(),
            },
            RequestBody::SetGroup {
                interface: "em0".into(),
                group: Some("web".into()),
            },
            RequestBody::SetGroup {
                interface: "em0".into(),
                group: None,
            },
            RequestBody::SetStandby {
                interface: "em0".into(),
                standby: true,
            },
            RequestBody::SetTest {
                interface: "em0".into(),
                test: Some("192.0.2.5/24".into()),
                family: None,
            },
            RequestBody::SetTest {
                interface: "em0".into(),
                test: None,
                family: Some("inet6".into()),
            },
            RequestBody::PortOffline {
                interface: "em0".into(),
                force: true,
            },
            RequestBody::PortOffline {
                interface: "em0".into(),
                force: false,
            },
            RequestBody::PortOnline {
                interface: "em0".into(),
            },
            RequestBody::TrackGroup {
                group: "uplinks".into(),
                enabled: false,
            },
            RequestBody::Switchover {
                group: "rg1".into(),
                cancel: false,
            },
            RequestBody::Switchover {
                group: "rg1".into(),
                cancel: true,
            },
        ] {
            let laggds = matches!(
                body,
                RequestBody::PortOffline { .. }
                    | RequestBody::PortOnline { .. }
                    | RequestBody::TrackGroup { .. }
            );
            assert!(!laggds || body.mutates(), "root only: {body:?}");
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
            (
                br#"{"version":1,"request":"status","interface":"em0"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"set_standby","interface":"em0"}"#,
                ErrorCode::BadRequest,
            ),
            (br#"{"version":1,"request":"switchover"}"#, ErrorCode::BadRequest),
            (
                br#"{"version":1,"request":"switchover","interface":"x"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"status","cancel":true}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"set_test","interface":"e","test":"inet6","family":"inet"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"track_group","group":"g"}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"track_group","enabled":true}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"port_online","interface":"p0","force":true}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"offline","interface":"p0","force":true}"#,
                ErrorCode::BadRequest,
            ),
            (
                br#"{"version":1,"request":"port_offline","force":true}"#,
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
                    probe: None,
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

    #[test]
    fn a_response_has_exactly_one_body_and_may_grow_fields() {
        let ok = br#"{"version":1,"id":4,"ok":"watching","later":[1]}"#;
        assert_eq!(
            parse_response(ok).unwrap().body,
            ResponseBody::Ok(Payload::Watching)
        );
        for bad in [
            &br#"{"version":1,"id":4}"#[..],
            br#"{"version":1,"ok":"watching","error":{"code":"busy","message":"x"}}"#,
        ] {
            let e = parse_response(bad).unwrap_err();
            assert!(matches!(e, ProtoError::Malformed(_)), "{e:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_request_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600)) {
            let _ = parse_request(&bytes);
        }
    }
}
