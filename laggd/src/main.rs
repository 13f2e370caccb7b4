//! laggd: a supervisor for lagg(4) (Linux: bonding) that probes through
//! each member port. This is the command-line skeleton; the daemon itself
//! arrives with its own issue.

use std::io::Write;
use std::process::ExitCode;

const EX_USAGE: u8 = 64;
const EX_UNAVAILABLE: u8 = 69;

const USAGE: &str = "usage: laggd [-dhn] [-f file]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = getopts::Options::new();
    opts.optflag("d", "", "run in the foreground, log to stderr");
    opts.optflag("h", "", "print this help");
    opts.optflag("n", "", "check the configuration and exit");
    opts.optopt("f", "", "configuration file", "file");
    let m = match opts.parse(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "laggd: {e}\n{USAGE}");
            return ExitCode::from(EX_USAGE);
        }
    };
    if m.opt_present("h") {
        let _ = writeln!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    if !m.free.is_empty() {
        let _ = writeln!(std::io::stderr(), "{USAGE}");
        return ExitCode::from(EX_USAGE);
    }
    let _ = writeln!(
        std::io::stderr(),
        "laggd: not implemented yet: only -h works in this version"
    );
    ExitCode::from(EX_UNAVAILABLE)
}
