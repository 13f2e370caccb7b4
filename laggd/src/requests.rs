//! laggd's requests (the driver answers `ping`, `watch` and `reload`,
//! the backend `status`): the maintenance ones, a port out of service
//! and back, a link-state group disabled and enabled, whose reply
//! carries the log lines of what changed; and a redundancy group's
//! switchover.

use mpath_core::laggd::aggregate::OfflineError;
use mpath_core::laggd::engine::{
    LaggEngine, MaintenanceError, SwitchoverError,
};
use mpath_core::laggd::messages as msg;
use mpath_core::time::Instant;
use mpath_proto::{ErrorCode, ErrorReply, Payload, RequestBody, ResponseBody};

/// Answers `request` (anything but `status` and the driver's own).
pub fn answer(
    engine: &mut LaggEngine,
    request: RequestBody,
    now: Instant,
) -> ResponseBody {
    let done = match request {
        RequestBody::PortOffline { interface, force } => {
            engine.port_offline(&interface, force, now)
        }
        RequestBody::PortOnline { interface } => {
            engine.port_online(&interface, now)
        }
        RequestBody::TrackGroup { group, enabled } => {
            engine.set_track_group(&group, enabled, now)
        }
        RequestBody::Switchover { group, cancel } => {
            return match engine.switchover(&group, !cancel, now) {
                Ok(_) => ResponseBody::Ok(Payload::Done),
                Err(SwitchoverError::NoSuchGroup(g)) => {
                    error(ErrorCode::UnknownGroup, msg::no_such_group(&g))
                }
            };
        }
        _ => return error(ErrorCode::BadRequest, msg::NOT_LAGGDS.into()),
    };
    match done {
        Ok(changed) => ResponseBody::Ok(Payload::Maintained { changed }),
        Err(e) => error(code(&e), e.to_string()),
    }
}

/// The protocol's word for why a request was refused (mpathd's codes
/// for the same situations).
fn code(e: &MaintenanceError) -> ErrorCode {
    match e {
        MaintenanceError::UnknownPort(_)
        | MaintenanceError::IsAggregate(_)
        | MaintenanceError::Refused(OfflineError::UnknownPort(_)) => {
            ErrorCode::UnknownInterface
        }
        MaintenanceError::UnknownGroup(_) => ErrorCode::UnknownGroup,
        MaintenanceError::Refused(OfflineError::AlreadyOffline(_)) => {
            ErrorCode::AlreadyOffline
        }
        MaintenanceError::Refused(OfflineError::NotOffline(_)) => {
            ErrorCode::NotOffline
        }
        MaintenanceError::Refused(OfflineError::LastLivePort { .. }) => {
            ErrorCode::Eminred
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
