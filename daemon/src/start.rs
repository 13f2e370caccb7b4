//! A daemon's start, in two steps around opening its kernel interfaces,
//! and its run ([`run`]). [`begin`]: the command line, the configuration
//! check (`-n` stops there). [`start`]: bind the control socket, catch
//! signals, detach (unless `-d`) and open the log, write the pid file.
//! The order matters: the socket is bound before detaching, so that a
//! zero exit status from the parent means the daemon answers (in.mpathd
//! does the same).

use std::ffi::CStr;
use std::fmt;
use std::io::Write;
use std::os::fd::AsFd;
use std::path::Path;
use std::process::ExitCode;

use mpath_core::log::Level;
use mpath_core::messages as msg;
use mpath_sys::daemon::PidFile;
use mpath_sys::sandbox::{self, Kept};
use mpath_sys::signal::{Signal, SignalPipe};

use crate::backend::Backend;
use crate::control::Control;
use crate::driver::{Driver, Exit};
use crate::log::Logger;
use crate::opts::{Defaults, Opts};

/// sysexits(3) EX_USAGE.
pub const EX_USAGE: u8 = 64;
/// sysexits(3) EX_UNAVAILABLE.
pub const EX_UNAVAILABLE: u8 = 69;
/// sysexits(3) EX_OSERR.
pub const EX_OSERR: u8 = 71;
/// sysexits(3) EX_CONFIG.
pub const EX_CONFIG: u8 = 78;

/// `NAME: msg` on stderr (a closed stderr must not kill the daemon).
pub fn say(name: &str, msg: &str) {
    let _ = writeln!(std::io::stderr(), "{name}: {msg}");
}

/// Parses the command line of daemon `d` and loads its configuration
/// with `load` (the configuration and its warnings, or every problem as
/// `file:line: ...`). Returns the options and the configuration to run
/// with, or the exit status when there is nothing to run: `-h`, `-n`,
/// a bad command line (64), a bad configuration (78).
pub fn begin<C>(
    d: &Defaults,
    load: impl FnOnce(&str) -> Result<(C, Vec<String>), Vec<String>>,
) -> Result<(Opts, C), ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = crate::opts::parse(&args, d).map_err(|e| {
        say(d.name, &e.to_string());
        ExitCode::from(EX_USAGE)
    })?;
    if o.help {
        let _ = writeln!(std::io::stdout(), "{}", d.usage());
        return Err(ExitCode::SUCCESS);
    }
    let (cfg, warnings) = load(&o.config).map_err(|errors| {
        for e in errors {
            let _ = writeln!(std::io::stderr(), "{e}");
        }
        say(d.name, &msg::config_not_valid(&o.config));
        ExitCode::from(EX_CONFIG)
    })?;
    for w in &warnings {
        let _ = writeln!(std::io::stderr(), "{w}");
    }
    if o.check_only {
        say(d.name, &msg::config_ok(&o.config));
        return Err(ExitCode::SUCCESS);
    }
    // A client that hangs up must be an EPIPE, not the end of us.
    mpath_sys::signal::ignore_sigpipe().map_err(|e| {
        say(d.name, &msg::signals_failed(&e));
        ExitCode::from(EX_OSERR)
    })?;
    Ok((o, cfg))
}

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
        fail(EX_UNAVAILABLE, msg::control_socket_failed(&o.socket, &e))
    })?;
    let signals = SignalPipe::install(&[
        Signal::Hup,
        Signal::Term,
        Signal::Int,
        Signal::Quit,
        Signal::Usr1,
    ])
    .map_err(|e| fail(EX_OSERR, msg::signals_failed(&e)))?;
    let log = if o.debug {
        Logger::stderr(name)
    } else {
        mpath_sys::daemon::daemonize()
            .map_err(|e| fail(EX_OSERR, msg::daemonize_failed(&e)))?;
        Logger::syslog(name, ident)
    };
    let pidfile = match &o.pidfile {
        Some(p) => match mpath_sys::daemon::write_pidfile(Path::new(p)) {
            Ok(f) => Some(f),
            Err(e) => {
                let message = msg::pidfile_failed(p, &e);
                log.log(Level::Err, &message);
                return Err(fail(EX_UNAVAILABLE, message));
            }
        },
        None => None,
    };
    log.log(
        Level::Info,
        &msg::starting(name, env!("CARGO_PKG_VERSION"), &o.config),
    );
    // Descriptors with one fixed use keep only the rights for it
    // (Capsicum on FreeBSD; nothing elsewhere).
    let kept = [(signals.as_fd(), Kept::EventReader)]
        .into_iter()
        .chain(pidfile.as_ref().map(|p| (p.as_fd(), Kept::LockedFile)));
    for (fd, k) in kept {
        if let Err(e) = sandbox::limit(fd, k) {
            log.log(Level::Warning, &msg::rights_limit_failed(&e));
        }
    }
    Ok(Started {
        control,
        signals,
        log,
        pidfile,
    })
}

/// A daemon's whole life: the command line and configuration check,
/// opening the backend's kernel interfaces, the start sequence, then
/// the driver until a terminating signal. Returns the exit status.
pub fn run<B: Backend>(d: &Defaults, ident: &'static CStr) -> ExitCode {
    let (o, cfg) = match begin(d, B::load) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let poll = match mio::Poll::new() {
        Ok(p) => p,
        Err(e) => {
            say(d.name, &msg::event_loop_failed(&e));
            return ExitCode::from(EX_OSERR);
        }
    };
    let backend = match B::open(cfg, mpath_sys::clock::now()) {
        Ok(b) => b,
        Err(e) => {
            say(d.name, &msg::kernel_open_failed(&e));
            // laggd on illumos, say: not this OS's service.
            let status = match e.kind() {
                std::io::ErrorKind::Unsupported => EX_UNAVAILABLE,
                _ => EX_OSERR,
            };
            return ExitCode::from(status);
        }
    };
    let started = match start(&o, d.name, ident) {
        Ok(s) => s,
        Err(e) => {
            say(d.name, &e.message);
            return ExitCode::from(e.exit);
        }
    };
    let _pidfile = started.pidfile;
    let driver = Driver::new(
        poll,
        backend,
        &o.config,
        started.control,
        Some(started.signals),
        started.log,
    );
    match driver.run() {
        Exit::Signal(_) => ExitCode::SUCCESS,
        Exit::Failed => ExitCode::from(EX_OSERR),
    }
}
