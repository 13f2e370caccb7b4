//! mpathd's control requests (the driver answers `ping`, `watch` and
//! `reload` itself): status, if_mpadm's offline and online, and runtime
//! changes in the Solaris ifconfig spirit.

use mpath_core::log::{Level, LogKind};
use mpath_core::mpathd::engine::{messages as msg, EngineError};
use mpath_core::mpathd::group::GroupError;
use mpath_daemon::backend::Io;
use mpath_proto::{ErrorCode, ErrorReply, Payload, RequestBody, ResponseBody};

use crate::backend::Mpathd;
use mpath_core::mpathd::config::runtime::{self, Change};

/// Answers `request`.
pub fn answer<K, P>(
    d: &mut Mpathd<K, P>,
    request: RequestBody,
    io: &mut Io<'_>,
) -> ResponseBody {
    let now = io.now;
    let change = match request {
        RequestBody::Status => {
            return ResponseBody::Ok(Payload::Status(d.engine.status()))
        }
        RequestBody::StatusBrief => {
            return ResponseBody::Ok(Payload::Status(d.engine.status_brief()))
        }
        RequestBody::Offline { interface } => {
            return engine_result(d.engine.offline(&interface, now))
        }
        RequestBody::Online { interface } => {
            return engine_result(d.engine.online(&interface, now))
        }
        RequestBody::SetGroup { interface, group } => {
            (interface, Change::Group(group))
        }
        RequestBody::SetStandby { interface, standby } => {
            (interface, Change::Standby(standby))
        }
        RequestBody::SetTest {
            interface,
            test,
            family,
        } => {
            let change = match (test, family) {
                (Some(t), _) => Change::SetTest(t),
                (None, f) => Change::ClearTest(f.unwrap_or_default()),
            };
            (interface, change)
        }
        // The driver's own; nothing else reaches mpathd.
        RequestBody::Ping | RequestBody::Watch | RequestBody::Reload => {
            return error(ErrorCode::BadRequest, "not for mpathd".into())
        }
        RequestBody::PortOffline { .. }
        | RequestBody::PortOnline { .. }
        | RequestBody::TrackGroup { .. } => {
            return error(ErrorCode::BadRequest, msg::NOT_MPATHDS.into())
        }
        RequestBody::Switchover { .. } => {
            return error(
                ErrorCode::BadRequest,
                "mpathd has no redundancy groups (switchover is laggd's)"
                    .into(),
            )
        }
    };
    apply(d, &change.0, &change.1, io)
}

/// A runtime change: checked like a file, then in force until the next
/// reload.
fn apply<K, P>(
    d: &mut Mpathd<K, P>,
    ifname: &str,
    change: &Change,
    io: &mut Io<'_>,
) -> ResponseBody {
    match runtime::apply(d.engine.config(), ifname, change) {
        Ok((cfg, persist)) => {
            let m =
                msg::runtime_change(ifname, change, &d.config_path, &persist);
            io.log(Level::Info, LogKind::Other, m);
            d.engine.reconfigure(cfg, io.now);
            io.resync_soon();
            ResponseBody::Ok(Payload::Changed { persist })
        }
        Err(runtime::Refused::UnknownInterface(m)) => {
            error(ErrorCode::UnknownInterface, m)
        }
        Err(runtime::Refused::Invalid(problems)) => {
            ResponseBody::Error(ErrorReply {
                code: ErrorCode::BadConfig,
                message: msg::change_refused(ifname, &problems),
                details: problems,
            })
        }
    }
}

fn error(code: ErrorCode, message: String) -> ResponseBody {
    ResponseBody::Error(ErrorReply {
        code,
        message,
        details: Vec::new(),
    })
}

fn engine_result(r: Result<(), EngineError>) -> ResponseBody {
    use EngineError as E;
    use GroupError as G;
    let Err(e) = r else {
        return ResponseBody::Ok(Payload::Done);
    };
    let code = match &e {
        E::UnknownInterface(_) | E::Group(G::UnknownMember(_)) => {
            ErrorCode::UnknownInterface
        }
        E::Group(G::NoOtherFunctioning(_)) => ErrorCode::Eminred,
        E::Group(G::AlreadyOffline(_)) => ErrorCode::AlreadyOffline,
        E::Group(G::NotOffline(_)) => ErrorCode::NotOffline,
        E::Group(G::NotPresent(_))
        | E::Group(G::NotInGroup(_))
        | E::Group(G::HomeOfAddress(_)) => ErrorCode::Failed,
    };
    error(code, e.to_string())
}
