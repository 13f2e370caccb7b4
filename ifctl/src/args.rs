//! The command line. Parsing only: nothing here contacts the daemon or
//! prints; a command line is either a [`Cli`] or a [`UsageError`].
//!
//! Options come first (BSD getopt), then the command words, so that
//! `ifctl em0 -standby` reads `-standby` as a word, as ifconfig does.
//! The option table [`OPTIONS`] drives both the parser and `-h`.

use std::fmt;

use mpath_proto::RequestBody;

use crate::client::Daemon;
use crate::lagg::listings::LaggMode;
use crate::listings::{self, Mode};
use crate::table::Field;

/// The usage lines; ifctl(8)'s SYNOPSIS says the same.
pub const USAGE: &str = "\
usage: ifctl [-s socket] [-S socket] [-j]
       ifctl [-s socket] [-jnP] [-o field[,...]] -a | -g | -i | -p | -t
       ifctl [-S socket] [-jnP] [-o field[,...]] -L | -R
       ifctl [-S socket] [-bj] -T [group]
       ifctl [-s socket] [-S socket] [-j] interface
       ifctl [-s socket] [-S socket] [-j] interface offline [force] | online
       ifctl [-s socket] interface group name | -group
       ifctl [-s socket] interface standby | -standby
       ifctl [-s socket] interface test addr/plen | test inet6
       ifctl [-s socket] interface -test inet | -test inet6
       ifctl [-S socket] [-j] track-group group enable | disable
       ifctl [-s socket] [-S socket] [-j] watch [mpathd | laggd]
       ifctl [-s socket] [-S socket] reload [mpathd | laggd]
       ifctl [-S socket] switchover group [cancel]
       ifctl [-s socket] [-S socket] metrics [-o file]
       ifctl -h";

/// A listing, of either daemon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Listing {
    /// mpathd's, in ipmpstat's manner.
    Mpathd(Mode),
    /// laggd's.
    Laggd(LaggMode),
}

impl Listing {
    fn fields(self) -> &'static [Field] {
        match self {
            Listing::Mpathd(m) => m.fields(),
            Listing::Laggd(m) => m.fields(),
        }
    }

    fn flag(self) -> char {
        match self {
            Listing::Mpathd(m) => m.flag(),
            Listing::Laggd(m) => m.flag(),
        }
    }
}

/// How an option is given.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A listing: at most one of them.
    Mode(Listing),
    /// A flag.
    Flag,
    /// An option with an argument.
    Arg(&'static str),
}

/// One option: short name (or long, for `--libxo`), kind, help.
#[derive(Clone, Copy, Debug)]
struct Opt {
    name: &'static str,
    kind: Kind,
    help: &'static str,
}

const fn opt(name: &'static str, kind: Kind, help: &'static str) -> Opt {
    Opt { name, kind, help }
}

const fn mpathd(m: Mode) -> Kind {
    Kind::Mode(Listing::Mpathd(m))
}

const fn laggd(m: LaggMode) -> Kind {
    Kind::Mode(Listing::Laggd(m))
}

/// Every option ifctl takes.
const OPTIONS: [Opt; 17] = [
    opt("a", mpathd(Mode::Addresses), "data addresses (ipmpstat -a)"),
    opt("g", mpathd(Mode::Groups), "groups (ipmpstat -g)"),
    opt("i", mpathd(Mode::Interfaces), "interfaces (ipmpstat -i)"),
    opt("p", mpathd(Mode::Probes), "probes, live (ipmpstat -p)"),
    opt("t", mpathd(Mode::Targets), "probe targets (ipmpstat -t)"),
    opt("L", laggd(LaggMode::Aggregates), "laggd's aggregates"),
    opt(
        "R",
        laggd(LaggMode::Redundancy),
        "laggd's redundancy groups",
    ),
    opt(
        "T",
        laggd(LaggMode::Tracking),
        "laggd's link-state tracking groups",
    ),
    opt(
        "b",
        Kind::Flag,
        "brief -T: a line per group (show link state group)",
    ),
    opt("h", Kind::Flag, "print this help and exit"),
    opt("j", Kind::Flag, "JSON output"),
    opt("libxo", Kind::Arg("json"), "JSON output, as -j"),
    opt("n", Kind::Flag, "numeric output (names are never resolved)"),
    opt("o", Kind::Arg("field,..."), "fields to print, or `all`"),
    opt("P", Kind::Flag, "parsable output (needs -o)"),
    opt("s", Kind::Arg("socket"), "mpathd's control socket"),
    opt("S", Kind::Arg("socket"), "laggd's control socket"),
];

/// `-h`: the usage and a line per option.
pub fn help() -> String {
    let mut s = format!("{USAGE}\n\noptions:\n");
    for o in OPTIONS {
        let dashes = if o.name.len() > 1 { "--" } else { "-" };
        let left = match o.kind {
            Kind::Arg(a) => format!("{dashes}{} {a}", o.name),
            Kind::Mode(_) | Kind::Flag => format!("{dashes}{}", o.name),
        };
        s.push_str(&format!("  {left:<14}  {}\n", o.help));
    }
    s.push_str(&format!(
        "\nThe default sockets are {} (-s) and {} (-S); see ifctl(8).",
        Daemon::Mpathd.default_socket(),
        Daemon::Laggd.default_socket()
    ));
    s
}

/// How a listing is printed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Output {
    /// Header and columns.
    Human,
    /// `-P`.
    Parsable,
    /// `-j`.
    Json,
}

/// What to do.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Command {
    /// `-h`.
    Help,
    /// No arguments: every group of mpathd, every aggregate and group
    /// of laggd.
    Summary {
        /// `-j`.
        json: bool,
    },
    /// `-a`, `-g`, `-i`, `-p`, `-t`.
    List {
        /// Which listing.
        mode: Mode,
        /// Field indices, in print order.
        fields: Vec<usize>,
        /// How.
        output: Output,
    },
    /// `-L`, `-R`.
    Lagg {
        /// Which listing.
        mode: LaggMode,
        /// Field indices, in print order.
        fields: Vec<usize>,
        /// How.
        output: Output,
    },
    /// `-T [group]`: laggd's link-state tracking groups, or one.
    Tracking {
        /// Only this group.
        group: Option<String>,
        /// `-b`: a line per group, without the interfaces.
        brief: bool,
        /// Human or `-j`.
        output: Output,
    },
    /// `IF offline [force]`, `IF online`: laggd's port if laggd has
    /// one of that name, else mpathd's member.
    Service {
        /// The port or member.
        interface: String,
        /// Offline (or online).
        offline: bool,
        /// `force`: even the last live port of an aggregate.
        force: bool,
        /// `-j`.
        json: bool,
    },
    /// `track-group NAME enable|disable`.
    TrackGroup {
        /// The group.
        group: String,
        /// Enable (or disable).
        enabled: bool,
        /// `-j`.
        json: bool,
    },
    /// `ifctl IF`: laggd's aggregate or port, else mpathd's member.
    Show {
        /// The interface.
        interface: String,
        /// `-j`.
        json: bool,
    },
    /// A runtime change of mpathd's, reload: one request to one daemon,
    /// whose reply is printed.
    Admin(Daemon, RequestBody),
    /// `watch`.
    Watch {
        /// Whose events.
        daemon: Daemon,
        /// `-j`.
        json: bool,
    },
    /// `metrics`: both daemons in the Prometheus text format.
    Metrics {
        /// `-o FILE`: replace this file instead of printing.
        file: Option<String>,
    },
}

/// A parsed command line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Cli {
    /// mpathd's control socket.
    pub socket: String,
    /// laggd's control socket.
    pub lagg_socket: String,
    /// What to do.
    pub command: Command,
}

impl Cli {
    /// The control socket of `daemon`.
    pub fn socket_of(&self, daemon: Daemon) -> &str {
        match daemon {
            Daemon::Mpathd => &self.socket,
            Daemon::Laggd => &self.lagg_socket,
        }
    }
}

/// A command line that cannot be used.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{USAGE}", self.0)
    }
}

fn usage<T>(msg: impl Into<String>) -> Result<T, UsageError> {
    Err(UsageError(msg.into()))
}

/// Whether `text` is `addr/plen` or an address: caught here so that a
/// typo gets the usage, not a round trip (the daemon checks it again,
/// with the rest of its configuration).
fn check_prefix(text: &str) -> Result<(), String> {
    let (a, l) = text
        .split_once('/')
        .map_or((text, None), |(a, l)| (a, Some(l)));
    let addr: std::net::IpAddr = a
        .parse()
        .map_err(|_| format!("`{a}` is not an IP address"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    match l.map(str::parse::<u8>) {
        None => Ok(()),
        Some(Ok(n)) if n <= max => Ok(()),
        Some(_) => Err(format!(
            "bad prefix length `{}` (IPv4 takes 0-32, IPv6 0-128)",
            l.unwrap_or_default()
        )),
    }
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Cli, UsageError> {
    let mut o = getopts::Options::new();
    o.parsing_style(getopts::ParsingStyle::StopAtFirstFree);
    for opt in OPTIONS {
        let (short, long) = if opt.name.len() > 1 {
            ("", opt.name)
        } else {
            (opt.name, "")
        };
        match opt.kind {
            Kind::Mode(_) => o.optflagmulti(short, long, opt.help),
            Kind::Flag => o.optflag(short, long, opt.help),
            Kind::Arg(hint) => o.optopt(short, long, opt.help, hint),
        };
    }
    let m = o.parse(args).map_err(|e| UsageError(e.to_string()))?;
    if m.opt_present("h") {
        return Ok(Cli {
            socket: Daemon::Mpathd.default_socket().to_string(),
            lagg_socket: Daemon::Laggd.default_socket().to_string(),
            command: Command::Help,
        });
    }
    let socket = socket_arg(&m, "s", Daemon::Mpathd)?;
    let lagg_socket = socket_arg(&m, "S", Daemon::Laggd)?;
    let mut modes = Vec::new();
    for opt in OPTIONS {
        if let Kind::Mode(mode) = opt.kind {
            modes.extend(std::iter::repeat_n(mode, m.opt_count(opt.name)));
        }
    }
    if modes.len() > 1 {
        return usage("only one output format may be specified");
    }
    let json = match m.opt_str("libxo") {
        Some(f) if f == "json" => true,
        Some(f) => {
            return usage(format!(
                "--libxo {f}: only the json format is supported"
            ))
        }
        None => m.opt_present("j"),
    };
    let parsable = m.opt_present("P");
    let fields = m.opt_str("o");
    let brief = m.opt_present("b");
    let tracking = modes.first() == Some(&Listing::Laggd(LaggMode::Tracking));
    if brief && !tracking {
        return usage("-b applies to -T");
    }
    let command = match modes.first() {
        Some(&listing) => {
            let flag = listing.flag();
            let extra = if tracking {
                m.free.get(1)
            } else {
                m.free.first()
            };
            if let Some(extra) = extra {
                let what = if tracking {
                    "one group"
                } else {
                    "no arguments"
                };
                return usage(format!("-{flag} takes {what}: `{extra}`"));
            }
            if parsable && json {
                return usage("-P and -j cannot be used together");
            }
            // -T is a report, not columns.
            if listing.fields().is_empty()
                && (parsable || fields.is_some() || m.opt_present("n"))
            {
                return usage(format!("-n, -o and -P do not apply to -{flag}"));
            }
            // laggd's objects are printed whole, as the daemon sent them.
            if matches!(listing, Listing::Laggd(_)) && json && fields.is_some()
            {
                return usage(format!(
                    "-o does not apply to -j with -{flag}: laggd's objects \
                     are printed whole"
                ));
            }
            if parsable && fields.is_none() {
                return usage("-P requires -o");
            }
            let fields = listings::select_from(
                listing.fields(),
                flag,
                fields.as_deref(),
            )
            .map_err(UsageError)?;
            let output = if json {
                Output::Json
            } else if parsable {
                Output::Parsable
            } else {
                Output::Human
            };
            if tracking {
                if brief && json {
                    return usage("-b and -j cannot be used together");
                }
                return Ok(Cli {
                    socket,
                    lagg_socket,
                    command: Command::Tracking {
                        group: m.free.first().cloned(),
                        brief,
                        output,
                    },
                });
            }
            match listing {
                Listing::Mpathd(mode) => Command::List {
                    mode,
                    fields,
                    output,
                },
                Listing::Laggd(mode) => Command::Lagg {
                    mode,
                    fields,
                    output,
                },
            }
        }
        None => {
            if parsable || fields.is_some() || m.opt_present("n") {
                return usage(
                    "-n, -o and -P apply to the listings \
                     -a, -g, -i, -p, -t, -L and -R",
                );
            }
            words(&m.free, json)?
        }
    };
    Ok(Cli {
        socket,
        lagg_socket,
        command,
    })
}

/// The socket given with `-opt`, or `daemon`'s default.
fn socket_arg(
    m: &getopts::Matches,
    opt: &str,
    daemon: Daemon,
) -> Result<String, UsageError> {
    match m.opt_str(opt) {
        Some(s) if s.is_empty() => usage(format!("-{opt} needs a socket path")),
        Some(s) => Ok(s),
        None => Ok(daemon.default_socket().to_string()),
    }
}

/// `mpathd` or `laggd`, after `watch` and `reload`.
fn daemon_word(w: &str) -> Option<Daemon> {
    [Daemon::Mpathd, Daemon::Laggd]
        .into_iter()
        .find(|d| d.name() == w)
}

/// The command words after the options.
fn words(free: &[String], json: bool) -> Result<Command, UsageError> {
    let w: Vec<&str> = free.iter().map(String::as_str).collect();
    let command = match w.as_slice() {
        [] => return Ok(Command::Summary { json }),
        [cmd @ ("watch" | "reload"), rest @ ..] => {
            let daemon = match rest {
                [] => Daemon::Mpathd,
                [d] => match daemon_word(d) {
                    Some(daemon) => daemon,
                    None => {
                        return usage(format!(
                            "unexpected argument `{d}`: {cmd} takes mpathd \
                             or laggd"
                        ))
                    }
                },
                [_, extra, ..] => {
                    return usage(format!("unexpected argument `{extra}`"))
                }
            };
            if *cmd == "watch" {
                return Ok(Command::Watch { daemon, json });
            }
            Command::Admin(daemon, RequestBody::Reload)
        }
        ["track-group", rest @ ..] => {
            return match rest {
                [group, how @ ("enable" | "disable")] => {
                    Ok(Command::TrackGroup {
                        group: group.to_string(),
                        enabled: *how == "enable",
                        json,
                    })
                }
                [_, how] => usage(format!(
                    "track-group: `{how}`: say enable or disable"
                )),
                [] | [_] => {
                    usage("track-group needs a group and enable or disable")
                }
                [_, _, extra, ..] => {
                    usage(format!("unexpected argument `{extra}`"))
                }
            };
        }
        ["switchover", group, rest @ ..] => {
            let cancel = match rest {
                [] => false,
                ["cancel"] => true,
                [other, ..] => {
                    return usage(format!(
                        "unexpected argument `{other}`: switchover takes a \
                         redundancy group and `cancel`"
                    ))
                }
            };
            Command::Admin(
                Daemon::Laggd,
                RequestBody::Switchover {
                    group: group.to_string(),
                    cancel,
                },
            )
        }
        ["switchover"] => return usage("switchover needs a redundancy group"),
        ["metrics", rest @ ..] => Command::Metrics {
            file: match rest {
                [] => None,
                ["-o", f] if !f.is_empty() => Some(f.to_string()),
                ["-o"] | ["-o", _] => {
                    return usage("metrics -o needs a file name")
                }
                [extra, ..] => {
                    return usage(format!(
                        "unexpected argument `{extra}`: metrics takes -o file"
                    ))
                }
            },
        },
        [interface] => {
            return Ok(Command::Show {
                interface: interface.to_string(),
                json,
            })
        }
        [interface, cmd @ ("offline" | "online"), rest @ ..] => {
            let offline = *cmd == "offline";
            let force = match (offline, rest) {
                (_, []) => false,
                (true, ["force"]) => true,
                (true, [other]) => {
                    return usage(format!(
                        "unexpected `{other}` after offline: only `force` \
                         may follow"
                    ))
                }
                _ => return usage(format!("too many arguments after `{cmd}`")),
            };
            return Ok(Command::Service {
                interface: interface.to_string(),
                offline,
                force,
                json,
            });
        }
        [interface, rest @ ..] => {
            Command::Admin(Daemon::Mpathd, change(interface.to_string(), rest)?)
        }
    };
    if json {
        return usage(
            "-j applies to the summary, the listings, an interface's \
             status, offline, online, track-group and watch",
        );
    }
    Ok(command)
}

/// mpathd's runtime changes.
fn change(interface: String, w: &[&str]) -> Result<RequestBody, UsageError> {
    let test = |t: Option<&str>, family: Option<&str>| RequestBody::SetTest {
        interface: interface.clone(),
        test: t.map(str::to_string),
        family: family.map(str::to_string),
    };
    Ok(match w {
        ["group", name] => RequestBody::SetGroup {
            interface: interface.clone(),
            group: Some(name.to_string()),
        },
        ["-group"] => RequestBody::SetGroup {
            interface: interface.clone(),
            group: None,
        },
        ["standby" | "-standby"] => RequestBody::SetStandby {
            interface: interface.clone(),
            standby: w[0] == "standby",
        },
        ["test", "inet6"] => test(Some("inet6"), None),
        ["test", "inet"] => {
            return usage("an IPv4 test address is given as `test addr/plen`")
        }
        ["test", addr] => match check_prefix(addr) {
            Ok(()) => test(Some(*addr), None),
            Err(e) => return usage(format!("test {addr}: {e}")),
        },
        ["-test", family @ ("inet" | "inet6")] => test(None, Some(*family)),
        ["-test", other] => {
            return usage(format!("-test {other}: say inet or inet6"))
        }
        ["group"] => return usage("group needs a group name"),
        ["test"] => return usage("test needs addr/plen or inet6"),
        ["-test"] => return usage("-test needs inet or inet6"),
        [cmd @ ("group" | "-group" | "standby" | "-standby" | "test"
        | "-test"), ..] => {
            return usage(format!("too many arguments after `{cmd}`"))
        }
        [other, ..] => {
            return usage(format!("unknown command `{other}` for {interface}"))
        }
        [] => {
            return usage(format!("nothing to do with {interface}"));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    fn ok(s: &str) -> Cli {
        parse(&args(s)).unwrap_or_else(|e| panic!("`{s}`: {e}"))
    }

    fn cmd(s: &str) -> Command {
        ok(s).command
    }

    fn admin(s: &str) -> RequestBody {
        match cmd(s) {
            Command::Admin(Daemon::Mpathd, b) => b,
            other => panic!("`{s}`: {other:?}"),
        }
    }

    #[test]
    fn summary_and_socket() {
        let c = ok("");
        assert_eq!(c.socket, mpath_proto::MPATHD_SOCKET);
        assert_eq!(c.lagg_socket, mpath_proto::LAGGD_SOCKET);
        assert_eq!(c.command, Command::Summary { json: false });
        let c = ok("-s /tmp/x.sock -j");
        assert_eq!(c.socket, "/tmp/x.sock");
        assert_eq!(c.lagg_socket, mpath_proto::LAGGD_SOCKET);
        assert_eq!(c.command, Command::Summary { json: true });
        let c = ok("-S /tmp/l.sock -s /tmp/m.sock");
        assert_eq!(c.socket_of(Daemon::Mpathd), "/tmp/m.sock");
        assert_eq!(c.socket_of(Daemon::Laggd), "/tmp/l.sock");
        assert_eq!(cmd("--libxo json"), Command::Summary { json: true });
        assert_eq!(cmd("--libxo=json"), Command::Summary { json: true });
        assert_eq!(cmd("-h"), Command::Help);
        assert_eq!(cmd("-h -i em0 bogus"), Command::Help);
    }

    #[test]
    fn listings() {
        for (flag, mode) in [
            ("-a", Mode::Addresses),
            ("-g", Mode::Groups),
            ("-i", Mode::Interfaces),
            ("-p", Mode::Probes),
            ("-t", Mode::Targets),
        ] {
            let all = (0..mode.fields().len()).collect::<Vec<_>>();
            assert_eq!(
                cmd(flag),
                Command::List {
                    mode,
                    fields: all,
                    output: Output::Human
                }
            );
        }
        assert_eq!(
            cmd("-i -P -o interface,STATE,Link,probe"),
            Command::List {
                mode: Mode::Interfaces,
                fields: vec![0, 6, 4, 5],
                output: Output::Parsable
            }
        );
        assert_eq!(
            cmd("-nPo address,inbound -a"),
            Command::List {
                mode: Mode::Addresses,
                fields: vec![0, 3],
                output: Output::Parsable
            }
        );
        assert_eq!(
            cmd("-gj -o state"),
            Command::List {
                mode: Mode::Groups,
                fields: vec![2],
                output: Output::Json
            }
        );
        assert_eq!(
            cmd("--libxo json -t"),
            Command::List {
                mode: Mode::Targets,
                fields: vec![0, 1, 2, 3],
                output: Output::Json
            }
        );
    }

    #[test]
    fn laggd_listings() {
        assert_eq!(
            cmd("-L"),
            Command::Lagg {
                mode: LaggMode::Aggregates,
                fields: (0..8).collect(),
                output: Output::Human
            }
        );
        assert_eq!(
            cmd("-S /x -R -P -o group,role"),
            Command::Lagg {
                mode: LaggMode::Redundancy,
                fields: vec![0, 3],
                output: Output::Parsable
            }
        );
        assert_eq!(
            cmd("-nL -o ports,STATE"),
            Command::Lagg {
                mode: LaggMode::Aggregates,
                fields: vec![7, 2],
                output: Output::Human
            }
        );
        let tracking = |group: Option<&str>, brief, output| Command::Tracking {
            group: group.map(str::to_string),
            brief,
            output,
        };
        for (line, want) in [
            ("-T", tracking(None, false, Output::Human)),
            ("-jT", tracking(None, false, Output::Json)),
            ("--libxo json -T", tracking(None, false, Output::Json)),
            (
                "-T uplinks",
                tracking(Some("uplinks"), false, Output::Human),
            ),
            ("-bT", tracking(None, true, Output::Human)),
            (
                "-S /x -b -T core",
                tracking(Some("core"), true, Output::Human),
            ),
            ("-jT core", tracking(Some("core"), false, Output::Json)),
        ] {
            assert_eq!(cmd(line), want, "{line}");
        }
        assert_eq!(
            cmd("-j -L"),
            Command::Lagg {
                mode: LaggMode::Aggregates,
                fields: (0..8).collect(),
                output: Output::Json
            }
        );
    }

    #[test]
    fn interface_commands() {
        assert_eq!(
            cmd("em0"),
            Command::Show {
                interface: "em0".into(),
                json: false
            }
        );
        assert_eq!(
            cmd("-j em0"),
            Command::Show {
                interface: "em0".into(),
                json: true
            }
        );
        let em0 = || "em0".to_string();
        let service = |offline, force, json| Command::Service {
            interface: em0(),
            offline,
            force,
            json,
        };
        assert_eq!(cmd("em0 offline"), service(true, false, false));
        assert_eq!(cmd("em0 offline force"), service(true, true, false));
        assert_eq!(cmd("-j em0 offline"), service(true, false, true));
        assert_eq!(cmd("-s /x em0 online"), service(false, false, false));
        assert_eq!(
            cmd("-S /l -j track-group uplinks disable"),
            Command::TrackGroup {
                group: "uplinks".into(),
                enabled: false,
                json: true
            }
        );
        assert_eq!(
            cmd("track-group 1 enable"),
            Command::TrackGroup {
                group: "1".into(),
                enabled: true,
                json: false
            }
        );
        assert_eq!(
            admin("em0 group web"),
            RequestBody::SetGroup {
                interface: em0(),
                group: Some("web".into())
            }
        );
        assert_eq!(
            admin("em0 -group"),
            RequestBody::SetGroup {
                interface: em0(),
                group: None
            }
        );
        assert_eq!(
            admin("em0 standby"),
            RequestBody::SetStandby {
                interface: em0(),
                standby: true
            }
        );
        assert_eq!(
            admin("em0 -standby"),
            RequestBody::SetStandby {
                interface: em0(),
                standby: false
            }
        );
        let test = |t: Option<&str>, f: Option<&str>| RequestBody::SetTest {
            interface: em0(),
            test: t.map(str::to_string),
            family: f.map(str::to_string),
        };
        assert_eq!(
            admin("em0 test 192.0.2.5/24"),
            test(Some("192.0.2.5/24"), None)
        );
        assert_eq!(
            admin("em0 test fe80::5/64"),
            test(Some("fe80::5/64"), None)
        );
        assert_eq!(admin("em0 test inet6"), test(Some("inet6"), None));
        assert_eq!(admin("em0 -test inet"), test(None, Some("inet")));
        assert_eq!(admin("em0 -test inet6"), test(None, Some("inet6")));
    }

    #[test]
    fn daemon_commands() {
        let (m, l) = (Daemon::Mpathd, Daemon::Laggd);
        assert_eq!(admin("reload"), RequestBody::Reload);
        for (line, cancel) in
            [("switchover rg1", false), ("switchover rg1 cancel", true)]
        {
            assert_eq!(
                cmd(line),
                Command::Admin(
                    Daemon::Laggd,
                    RequestBody::Switchover {
                        group: "rg1".into(),
                        cancel
                    }
                )
            );
        }
        for bad in ["switchover", "switchover rg1 now", "-j switchover rg1"] {
            assert!(parse(&args(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            cmd("reload mpathd"),
            Command::Admin(m, RequestBody::Reload)
        );
        assert_eq!(cmd("reload laggd"), Command::Admin(l, RequestBody::Reload));
        let watch = |daemon, json| Command::Watch { daemon, json };
        assert_eq!(cmd("watch"), watch(m, false));
        assert_eq!(cmd("-j watch"), watch(m, true));
        assert_eq!(cmd("watch mpathd"), watch(m, false));
        assert_eq!(cmd("-S /l.sock -j watch laggd"), watch(l, true));
        // Runtime changes are always mpathd's; offline and online go
        // to whichever daemon knows the interface (asked at run time).
        assert!(
            matches!(cmd("-S /l em0 standby"), Command::Admin(d, _) if d == m)
        );
    }

    #[test]
    fn metrics_command() {
        assert_eq!(cmd("metrics"), Command::Metrics { file: None });
        let c = ok("-s /m.sock -S /l.sock metrics -o /var/tmp/ipmp.prom");
        assert_eq!(
            c.command,
            Command::Metrics {
                file: Some("/var/tmp/ipmp.prom".into())
            }
        );
        assert_eq!(c.socket_of(Daemon::Laggd), "/l.sock");
        for (line, why) in [
            ("metrics -o", "needs a file name"),
            ("metrics x", "unexpected argument `x`"),
            ("metrics -o a b", "unexpected argument `-o`"),
            ("-j metrics", "-j applies to"),
        ] {
            let e = parse(&args(line)).unwrap_err().0;
            assert!(e.contains(why), "`{line}`: {e}");
        }
    }

    #[test]
    fn usage_errors() {
        for (line, why) in [
            ("-x", "Unrecognized option"),
            ("-s", "missing"),
            ("-o", "missing"),
            ("-s ''", "-s needs a socket path"),
            ("-S ''", "-S needs a socket path"),
            ("-S", "missing"),
            ("-L -i", "only one output format"),
            ("-LR", "only one output format"),
            ("-T g1 g2", "-T takes one group: `g2`"),
            ("-b", "-b applies to -T"),
            ("-b -L", "-b applies to -T"),
            ("-b em0", "-b applies to -T"),
            ("-bjT", "-b and -j cannot be used together"),
            ("track-group", "track-group needs a group"),
            ("track-group g1", "track-group needs a group"),
            ("track-group g1 off", "`off`: say enable or disable"),
            ("track-group g1 enable now", "unexpected argument `now`"),
            ("em0 offline now", "only `force` may follow"),
            ("em0 online force", "too many arguments after `online`"),
            (
                "em0 offline force now",
                "too many arguments after `offline`",
            ),
            ("-L bond0", "-L takes no arguments"),
            ("-T -o state", "do not apply to -T"),
            ("-T -n", "do not apply to -T"),
            ("-T -P", "do not apply to -T"),
            ("-L -j -o state", "-o does not apply to -j with -L"),
            ("-R -j -o group", "-o does not apply to -j with -R"),
            ("-L -P", "-P requires -o"),
            ("-R -P -j -o group", "cannot be used together"),
            ("-L -o bogus", "unknown output field `bogus` for -L"),
            ("-R -o aggregate", "unknown output field `aggregate` for -R"),
            ("watch lagd", "watch takes mpathd or laggd"),
            ("reload laggd now", "unexpected argument `now`"),
            ("-j reload laggd", "-j applies"),
            ("-i -g", "only one output format"),
            ("-i -i", "only one output format"),
            ("-ai", "only one output format"),
            ("-i em0", "takes no arguments"),
            ("-P -i", "-P requires -o"),
            ("-P -j -o state -i", "cannot be used together"),
            ("-i -o bogus", "unknown output field `bogus`"),
            ("-g -o interface", "unknown output field `interface`"),
            ("-i -o state,", "unknown output field ``"),
            ("--libxo xml -i", "only the json format"),
            ("-o state", "apply to the listings"),
            ("-P", "apply to the listings"),
            ("-n", "apply to the listings"),
            ("-n em0", "apply to the listings"),
            ("watch now", "unexpected argument `now`"),
            ("reload em0", "unexpected argument `em0`"),
            ("-j reload", "-j applies"),
            ("-j em0 standby", "-j applies"),
            ("em0 ofline", "unknown command `ofline`"),
            ("em0 group", "group needs a group name"),
            ("em0 group a b", "too many arguments after `group`"),
            ("em0 -group web", "too many arguments after `-group`"),
            ("em0 standby yes", "too many arguments"),
            ("em0 test", "test needs"),
            ("em0 test inet", "test addr/plen"),
            ("em0 test 192.0.2.300/24", "test 192.0.2.300/24"),
            ("em0 test 192.0.2.5/33", "test 192.0.2.5/33"),
            ("em0 -test", "-test needs"),
            ("em0 -test ipx", "say inet or inet6"),
            ("em0 -test inet inet6", "too many arguments"),
        ] {
            // `''` stands for an empty argument.
            let a: Vec<String> = args(line)
                .into_iter()
                .map(|s| if s == "''" { String::new() } else { s })
                .collect();
            let e = match parse(&a) {
                Ok(c) => panic!("`{line}` parsed: {c:?}"),
                Err(e) => e,
            };
            assert!(e.0.contains(why), "`{line}`: {}", e.0);
            assert!(e.to_string().ends_with(USAGE), "usage follows");
        }
    }

    #[test]
    fn help_lists_every_option() {
        let h = help();
        assert!(h.starts_with(USAGE));
        for o in OPTIONS {
            assert!(h.contains(o.help), "{}", o.help);
        }
        assert!(h.contains("--libxo json"));
        assert!(h.contains("-o field,..."));
        assert!(h.contains("-S socket"));
        assert!(h.contains(mpath_proto::LAGGD_SOCKET));
    }
}
