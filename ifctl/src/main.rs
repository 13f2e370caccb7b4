//! ifctl: the operator's view of mpathd and laggd. This is the
//! command-line skeleton; the control protocol arrives with its own issue.

use std::io::Write;
use std::process::ExitCode;

const EX_USAGE: u8 = 64;
const EX_UNAVAILABLE: u8 = 69;

const USAGE: &str =
    "usage: ifctl [-hnP] [-o field[,...]] [-a | -g | -i | -p | -t]
       ifctl interface [offline | online]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut opts = getopts::Options::new();
    for (f, what) in [
        ("a", "data addresses"),
        ("g", "groups"),
        ("i", "interfaces"),
        ("p", "probes, live"),
        ("t", "probe targets"),
        ("h", "print this help"),
        ("n", "numeric addresses"),
        ("P", "parseable output"),
    ] {
        opts.optflag(f, "", what);
    }
    opts.optopt("o", "", "fields to print", "field,...");
    let m = match opts.parse(&args) {
        Ok(m) => m,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "ifctl: {e}\n{USAGE}");
            return ExitCode::from(EX_USAGE);
        }
    };
    if m.opt_present("h") {
        let _ = writeln!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    let _ = writeln!(
        std::io::stderr(),
        "ifctl: cannot contact mpathd: the control protocol is not \
         implemented yet"
    );
    ExitCode::from(EX_UNAVAILABLE)
}
