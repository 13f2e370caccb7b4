//! mpathd's command line: the daemons' shared options, with mpathd's
//! default paths.

pub use mpath_daemon::opts::Opts;
use mpath_daemon::opts::{Defaults, UsageError};

use crate::paths;

/// mpathd's name and default paths.
pub const DEFAULTS: Defaults = Defaults {
    name: "mpathd",
    config: paths::CONFIG,
    socket: paths::SOCKET,
    pidfile: paths::PIDFILE,
};

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Opts, UsageError> {
    mpath_daemon::opts::parse(args, &DEFAULTS)
}
