//! mpathd's name and default paths for the daemons' shared command line
//! (`mpath_daemon::opts`).

use mpath_daemon::opts::Defaults;

use crate::paths;

/// mpathd's name and default paths.
pub const DEFAULTS: Defaults = Defaults {
    name: "mpathd",
    config: paths::CONFIG,
    socket: paths::SOCKET,
    pidfile: paths::PIDFILE,
};
