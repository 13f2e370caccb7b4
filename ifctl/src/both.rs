//! The commands that ask both daemons: the summary (`ifctl` alone) and
//! one interface (`ifctl IF`); `ifctl metrics` asks the same way.
//!
//! Both ask mpathd and laggd at once. A daemon that is not running
//! (nothing listens at its socket) is left out without a word, since
//! most hosts run only one of them; if neither runs, the error is
//! mpathd's, as it was before laggd had a socket. A daemon that fails
//! otherwise (no answer in time, a refusal, nonsense) is an error, but
//! what the other daemon said is printed first.
//!
//! `ifctl IF` looks the name up in laggd's aggregates and their ports
//! first, then in mpathd's interfaces: an aggregate or a port carries
//! no IP addresses for mpathd, so a name is in practice only ever
//! known to one of them.

use std::io::Write;
use std::path::Path;

use mpath_proto::laggd::LaggStatus;
use mpath_proto::mpathd::Status;
use mpath_proto::RequestBody;

use crate::args::Cli;
use crate::client::{self, Answer, Daemon, Sent};
use crate::lagg::{self, Found};
use crate::out::Out;
use crate::{json, show, Failure, EX_NOUSER, EX_UNAVAILABLE};

/// Sends `status` to mpathd and laggd; the replies are read as needed.
pub(crate) fn ask(cli: &Cli) -> Result<[Sent; 2], Failure> {
    let sock = |d: Daemon| Path::new(cli.socket_of(d));
    client::send_each([
        (Daemon::Mpathd, sock(Daemon::Mpathd), RequestBody::Status),
        (Daemon::Laggd, sock(Daemon::Laggd), RequestBody::Status),
    ])
}

/// Two failures to report at once: the first's lines, then the
/// second's, whose status ifctl exits with.
pub fn both_failed(first: Failure, second: Failure) -> Failure {
    match (first, second) {
        (
            Failure::Exit {
                message, details, ..
            },
            Failure::Exit {
                code,
                message: last,
                details: more,
            },
        ) => {
            let mut all = details;
            all.push(format!("ifctl: {message}"));
            all.extend(more);
            Failure::Exit {
                code,
                message: last,
                details: all,
            }
        }
        (Failure::Quiet, f) | (f, Failure::Quiet) => f,
    }
}

/// The failure to end with, if any: the daemons that failed, not those
/// that are merely not running.
pub(crate) fn failures(
    mpathd: Option<Failure>,
    laggd: Option<Failure>,
) -> Option<Failure> {
    match (mpathd, laggd) {
        (Some(m), Some(l)) => Some(both_failed(m, l)),
        (m, l) => m.or(l),
    }
}

/// What one daemon's answer gives: its status, or why there is none.
pub(crate) struct Part<T> {
    pub got: Option<T>,
    pub failed: Option<Failure>,
    pub absent: Option<Failure>,
}

pub(crate) fn part<T>(a: Answer<T>) -> Part<T> {
    let none = Part {
        got: None,
        failed: None,
        absent: None,
    };
    match a {
        Answer::Got(t) => Part {
            got: Some(t),
            ..none
        },
        Answer::Failed(f) => Part {
            failed: Some(f),
            ..none
        },
        Answer::Absent(f) => Part {
            absent: Some(f),
            ..none
        },
    }
}

/// `ifctl`: mpathd's groups, then laggd's aggregates and groups, a
/// blank line between; in JSON, one object with both.
pub fn summary<W: Write>(
    cli: &Cli,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let [m, l] = ask(cli)?;
    let m: Part<Status> = part(m.reply().and_then(client::mpathd_status));
    let l: Part<LaggStatus> = part(l.reply().and_then(client::laggd_status));
    let failed = failures(m.failed, l.failed);
    if m.got.is_none() && l.got.is_none() {
        // Nothing to print: a daemon that failed says why, else (neither
        // runs) mpathd's absence does.
        return Err(failed.or(m.absent).or(l.absent).unwrap_or_else(|| {
            Failure::new(EX_UNAVAILABLE, "no daemon answered")
        }));
    }
    if json {
        out.line(&json::summary(m.got.as_ref(), l.got.as_ref()))?;
    } else {
        let mut text = m.got.as_ref().map(show::summary).unwrap_or_default();
        let lagg = l
            .got
            .as_ref()
            .map(lagg::summary::summary)
            .unwrap_or_default();
        if !text.is_empty() && !lagg.is_empty() {
            text.push(String::new());
        }
        text.extend(lagg);
        out.lines(&text)?;
    }
    failed.map_or(Ok(()), Err)
}

/// laggd's aggregate or port.
fn print_lagg<W: Write>(
    found: Found<'_>,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    match (found, json) {
        (Found::Aggregate(a), true) => out.line(&json::aggregate(a)),
        (Found::Aggregate(a), false) => out.lines(&lagg::show::aggregate(a)),
        (Found::Port(a, p), true) => out.line(&json::port(a, p)),
        (Found::Port(a, p), false) => out.lines(&lagg::show::port(a, p)),
    }
}

/// `ifctl IF`: laggd's aggregate or port of that name, else mpathd's
/// member.
pub fn show<W: Write>(
    cli: &Cli,
    name: &str,
    json: bool,
    out: &mut Out<W>,
) -> Result<(), Failure> {
    let [m, l] = ask(cli)?;
    let l: Part<LaggStatus> = part(l.reply().and_then(client::laggd_status));
    if let Some(found) = l.got.as_ref().and_then(|st| lagg::find(st, name)) {
        // mpathd's reply is not needed: it is never read.
        return print_lagg(found, json, out);
    }
    let m: Part<Status> = part(m.reply().and_then(client::mpathd_status));
    let member = m
        .got
        .as_ref()
        .and_then(|st| st.interfaces.iter().find(|i| i.name == name));
    if let Some(i) = member {
        if json {
            out.line(&json::interface(i))?;
        } else {
            out.lines(&show::interface(i))?;
        }
        // laggd failed: it might have known the name too.
        return l.failed.map_or(Ok(()), Err);
    }
    if let Some(f) = failures(m.failed, l.failed) {
        return Err(f);
    }
    let laggd_answered = l.got.is_some();
    match (m.absent, laggd_answered) {
        // Neither daemon runs: mpathd's error, as always.
        (Some(absent), false) => Err(absent),
        (Some(_), true) => Err(Failure::new(
            EX_NOUSER,
            format!(
                "{name}: not an interface laggd tracks, and mpathd is not \
                 running at {}",
                cli.socket
            ),
        )),
        (None, true) => Err(Failure::new(
            EX_NOUSER,
            format!("{name}: not an interface mpathd or laggd tracks"),
        )),
        (None, false) => Err(Failure::new(
            EX_NOUSER,
            format!("{name}: not an interface mpathd tracks"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit(code: u8, message: &str, details: &[&str]) -> Failure {
        Failure::Exit {
            code,
            message: message.into(),
            details: details.iter().map(|d| d.to_string()).collect(),
        }
    }

    fn parts(f: Failure) -> (u8, String, Vec<String>) {
        match f {
            Failure::Exit {
                code,
                message,
                details,
            } => (code, message, details),
            Failure::Quiet => panic!("quiet"),
        }
    }

    #[test]
    fn two_failures_are_both_told() {
        let f = both_failed(
            exit(78, "mpathd refused", &["a.conf:1: bad"]),
            exit(76, "laggd sent nonsense", &[]),
        );
        assert_eq!(
            parts(f),
            (
                76,
                "laggd sent nonsense".to_string(),
                vec![
                    "a.conf:1: bad".to_string(),
                    "ifctl: mpathd refused".to_string()
                ]
            )
        );
        let f = both_failed(Failure::Quiet, exit(69, "x", &[]));
        assert_eq!(parts(f).0, 69);
        assert!(failures(None, None).is_none());
        assert_eq!(
            parts(failures(None, Some(exit(69, "l", &[]))).unwrap()).1,
            "l"
        );
    }
}
