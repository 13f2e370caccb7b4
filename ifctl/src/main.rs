//! ifctl: the operator's view of mpathd and laggd, and its hands. It is
//! to mpathd what ipmpstat(8), if_mpadm(8) and ifconfig's IPMP options
//! are to illumos in.mpathd: status listings with ipmpstat's columns,
//! offline and online, runtime changes, reload and a live event stream,
//! all through the daemon's control socket. For laggd it shows
//! aggregates as ifconfig shows lagg(4) with each port's health,
//! link-state tracking groups as Cisco's `show link state group`, and
//! redundancy groups. See ifctl(8).
//!
//! | module     | concept                                               |
//! |------------|-------------------------------------------------------|
//! | `args`     | the command line, parsed without side effects         |
//! | `client`   | the control sockets: a request, or a watch stream     |
//! | `run`      | carrying out a command                                |
//! | `both`     | the summary and `ifctl IF`, which ask both daemons    |
//! | `maintain` | offline, online (laggd's port or mpathd's member) and |
//! |            | track-group                                           |
//! | `listings` | ipmpstat's -g -i -a -t -p rows from the status        |
//! | `table`    | ipmpstat's human and parsable column output           |
//! | `show`     | the summary and one member's status (mpathd)          |
//! | `lagg`     | laggd's status for people (`-L -R -T`, `ifctl lagg0`) |
//! | `json`     | `-j` output                                           |
//! | `metrics`  | `ifctl metrics`: the Prometheus text format           |
//! | `events`   | `watch` lines and the clock of `-p`                   |
//! | `out`      | output that ends quietly on a closed pipe             |

mod args;
mod both;
mod client;
mod events;
mod json;
mod lagg;
mod listings;
mod maintain;
mod metrics;
mod out;
mod run;
mod show;
mod table;
#[cfg(test)]
mod testdata;

use std::process::ExitCode;
use std::time::Instant;

use crate::out::{say, say_raw, Out};

// Exit statuses, from sysexits(3); ifctl(8) lists what each means here.
/// Bad command line.
pub const EX_USAGE: u8 = 64;
/// No such interface under either daemon's care.
pub const EX_NOUSER: u8 = 67;
/// The daemon cannot be reached, does not answer, or nothing probes
/// (-p).
pub const EX_UNAVAILABLE: u8 = 69;
/// Standard output (or the `metrics -o` file) failed (other than a
/// closed pipe).
pub const EX_IOERR: u8 = 74;
/// The `metrics -o` file cannot be created.
pub const EX_CANTCREAT: u8 = 73;
/// sysexits(3) EX_OSERR: the OS refused something it should allow.
pub const EX_OSERR: u8 = 71;
/// The daemon refused in the current state (last usable member, already
/// offline, not offline).
pub const EX_TEMPFAIL: u8 = 75;
/// The daemon's reply makes no sense, or it speaks another version.
pub const EX_PROTOCOL: u8 = 76;
/// Only root may change a daemon's state.
pub const EX_NOPERM: u8 = 77;
/// A reload or runtime change was refused: the configuration has errors.
pub const EX_CONFIG: u8 = 78;

/// Why ifctl stops before finishing its work.
#[derive(Debug)]
pub enum Failure {
    /// Standard output was closed by its reader: a normal end, status 0.
    Quiet,
    /// An error: the `details`, then `ifctl: message`, on standard
    /// error; exit with `code`.
    Exit {
        /// sysexits(3) status.
        code: u8,
        /// One line.
        message: String,
        /// More lines, printed as they are (`file:line: ...`).
        details: Vec<String>,
    },
}

impl Failure {
    /// An error without details.
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure::Exit {
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }
}

fn main() -> ExitCode {
    let started = Instant::now();
    let mut argv = Vec::new();
    for a in std::env::args_os().skip(1) {
        match a.into_string() {
            Ok(s) => argv.push(s),
            Err(a) => {
                say(&format!("argument {a:?} is not UTF-8\n{}", args::USAGE));
                return ExitCode::from(EX_USAGE);
            }
        }
    }
    let cli = match args::parse(&argv) {
        Ok(c) => c,
        Err(e) => {
            say(&e.to_string());
            return ExitCode::from(EX_USAGE);
        }
    };
    let mut out = Out::stdout();
    let done = run::run(&cli, &mut out, started).and_then(|()| out.flush());
    match done {
        Ok(()) | Err(Failure::Quiet) => ExitCode::SUCCESS,
        Err(Failure::Exit {
            code,
            message,
            details,
        }) => {
            // What was printed comes before the error.
            let _ = out.flush();
            for d in &details {
                say_raw(d);
            }
            say(&message);
            ExitCode::from(code)
        }
    }
}
