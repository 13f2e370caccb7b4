//! The maintenance commands: `ifctl IF offline [force]` and `online`,
//! for laggd's ports and mpathd's members alike, and `ifctl track-group
//! NAME enable|disable`.
//!
//! Which daemon takes `IF offline` is asked, not guessed, as `ifctl IF`
//! does: laggd first (is IF one of its aggregates' ports?), else
//! mpathd, as before laggd had maintenance requests. Every connection
//! is opened before ifctl enters its sandbox, where it could open none,
//! so laggd is connected to twice (its status, then maybe the request)
//! and mpathd once; the connection not needed is closed unused.
//!
//! laggd's reply says what changed, in its log's words: ifctl prints
//! those lines (with `-j`, `{"version":1,"daemon":"laggd","done":true,
//! "changed":[...]}`). mpathd's says only that it is done (with `-j`,
//! `{"version":1,"daemon":"mpathd","done":true}`); its log tells the
//! rest.

use std::io::Write;
use std::path::Path;

use mpath_proto::{Payload, RequestBody};

use crate::args::Cli;
use crate::both::both_failed;
use crate::client::{self, protocol, Answer, Daemon};
use crate::json::done;
use crate::out::Out;
use crate::{lagg, Failure, EX_NOUSER, EX_USAGE};

/// `ifctl IF offline [force]` (`offline`), `ifctl IF online`.
pub fn service<W: Write>(
    cli: &Cli,
    name: &str,
    offline: bool,
    force: bool,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let lsock = Path::new(cli.socket_of(Daemon::Laggd));
    let msock = Path::new(cli.socket_of(Daemon::Mpathd));
    let [status, laggd, mpathd] = client::open_each([
        (Daemon::Laggd, lsock),
        (Daemon::Laggd, lsock),
        (Daemon::Mpathd, msock),
    ])?;
    let st = status
        .ask(RequestBody::Status)
        .and_then(client::laggd_status);
    let (laggd_answered, laggd_failed) = match st {
        Answer::Got(st) => {
            if lagg::find(&st, name).is_some() {
                let interface = name.to_string();
                let body = if offline {
                    RequestBody::PortOffline { interface, force }
                } else {
                    RequestBody::PortOnline { interface }
                };
                return print(Daemon::Laggd, laggd.ask(body), json, out);
            }
            (true, None)
        }
        Answer::Failed(f) => (false, Some(f)),
        Answer::Absent(_) => (false, None),
    };
    if force {
        return Err(Failure::new(
            EX_USAGE,
            format!(
                "{name}: `force` applies to laggd's ports only, and {name} \
                 is none of them"
            ),
        ));
    }
    let interface = name.to_string();
    let body = if offline {
        RequestBody::Offline { interface }
    } else {
        RequestBody::Online { interface }
    };
    match mpathd.ask(body) {
        Answer::Absent(_) if laggd_answered => Err(Failure::new(
            EX_NOUSER,
            format!(
                "{name}: not a port laggd supervises, and mpathd is not \
                 running at {}",
                cli.socket
            ),
        )),
        Answer::Failed(f) | Answer::Absent(f) => Err(match laggd_failed {
            // laggd failed: it might have known the name.
            Some(l) => both_failed(l, f),
            None => f,
        }),
        got => print(Daemon::Mpathd, got, json, out),
    }
}

/// `ifctl track-group NAME enable|disable`.
pub fn track_group<W: Write>(
    cli: &Cli,
    group: &str,
    enabled: bool,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let sock = Path::new(cli.socket_of(Daemon::Laggd));
    let body = RequestBody::TrackGroup {
        group: group.to_string(),
        enabled,
    };
    let answer = match client::request(Daemon::Laggd, sock, body) {
        Ok(p) => Answer::Got(p),
        Err(f) => Answer::Failed(f),
    };
    let state = if enabled { "enabled" } else { "disabled" };
    print_or(Daemon::Laggd, answer, json, out, || {
        format!("ifctl: link-state group {group} is {state} already; nothing changed")
    })
}

fn print<W: Write>(
    daemon: Daemon,
    answer: Answer<Payload>,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    print_or(daemon, answer, json, out, || {
        "ifctl: nothing changed".to_string()
    })
}

/// The reply: laggd's lines of what changed (`nothing` when none),
/// nothing for mpathd's; with `json`, the JSON object.
fn print_or<W: Write>(
    daemon: Daemon,
    answer: Answer<Payload>,
    json: bool,
    out: &mut Out<W>,
    nothing: impl FnOnce() -> String,
) -> Result<(), Failure> {
    let changed = match answer {
        Answer::Got(Payload::Maintained { changed })
            if daemon == Daemon::Laggd =>
        {
            Some(changed)
        }
        Answer::Got(Payload::Done) if daemon == Daemon::Mpathd => None,
        Answer::Got(_) => return Err(protocol(daemon, "an unexpected reply")),
        Answer::Failed(f) | Answer::Absent(f) => return Err(f),
    };
    if json {
        return out.line(&done(daemon.name(), changed.as_deref()));
    }
    match changed {
        Some(lines) if lines.is_empty() => out.line(&nothing()),
        Some(lines) => out.lines(&lines),
        None => Ok(()),
    }
}
