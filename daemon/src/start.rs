//! A daemon's start, after its kernel interfaces are open: bind the
//! control socket, catch signals, detach (unless `-d`) and open the log,
//! write the pid file. The order matters: the socket is bound before
//! detaching, so that a zero exit status from the parent means the
//! daemon answers (in.mpathd does the same).

use std::ffi::CStr;
use std::fmt;
use std::path::Path;

use mpath_core::engine::Level;
use mpath_sys::daemon::PidFile;
use mpath_sys::signal::{Signal, SignalPipe};

use crate::control::Control;
use crate::log::Logger;
use crate::opts::Opts;

/// sysexits(3) EX_UNAVAILABLE.
pub const EX_UNAVAILABLE: u8 = 69;
/// sysexits(3) EX_OSERR.
pub const EX_OSERR: u8 = 71;

/// A started daemon's plumbing.
#[derive(Debug)]
pub struct Started {
    /// The bound control socket.
    pub control: Control,
    /// SIGHUP, SIGTERM, SIGINT, SIGQUIT and SIGUSR1, as readable bytes.
    pub signals: SignalPipe,
    /// Where log lines go.
    pub log: Logger,
    /// Held open (and locked) while the daemon runs.
    pub pidfile: Option<PidFile>,
}

/// Why a daemon could not start, and its exit status.
#[derive(Debug)]
pub struct StartError {
    /// What went wrong.
    pub message: String,
    /// sysexits(3) status.
    pub exit: u8,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn fail(exit: u8, message: String) -> StartError {
    StartError { message, exit }
}

/// Starts daemon `name` (syslog ident `ident`) as `o` asks. Errors before
/// detaching are for stderr; a pid file error is also logged.
pub fn start(
    o: &Opts,
    name: &'static str,
    ident: &'static CStr,
) -> Result<Started, StartError> {
    let control = Control::bind(Path::new(&o.socket), name).map_err(|e| {
        fail(EX_UNAVAILABLE, format!("control socket {}: {e}", o.socket))
    })?;
    let signals = SignalPipe::install(&[
        Signal::Hup,
        Signal::Term,
        Signal::Int,
        Signal::Quit,
        Signal::Usr1,
    ])
    .map_err(|e| fail(EX_OSERR, format!("signals: {e}")))?;
    let log = if o.debug {
        Logger::stderr(name)
    } else {
        mpath_sys::daemon::daemonize()
            .map_err(|e| fail(EX_OSERR, format!("cannot daemonize: {e}")))?;
        Logger::syslog(name, ident)
    };
    let pidfile = match &o.pidfile {
        Some(p) => match mpath_sys::daemon::write_pidfile(Path::new(p)) {
            Ok(f) => Some(f),
            Err(e) => {
                let message = format!("pid file {p}: {e}");
                log.log(Level::Err, &message);
                return Err(fail(EX_UNAVAILABLE, message));
            }
        },
        None => None,
    };
    log.log(
        Level::Info,
        &format!(
            "{name} {} starting with {}",
            env!("CARGO_PKG_VERSION"),
            o.config
        ),
    );
    Ok(Started {
        control,
        signals,
        log,
        pidfile,
    })
}
