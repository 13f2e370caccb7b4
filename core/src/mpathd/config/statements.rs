//! The project's statements: `group`, `interface` and `address` lines,
//! with the checks that need nothing but the line itself.
//!
//! A line with any error is dropped whole (never half-entered); its
//! interface or group name is kept as [`Stmt::Broken`] so that the
//! cross-line checks neither miss a duplicate nor pile up follow-on
//! errors about a name that "has no line".

use super::model::{
    DataAddressConfig, Family, GroupConfig, InterfaceConfig, TestAddress,
};
use super::tunables::KEYS;
use super::values::{
    check_name, is_unicast, target_list, test_address, with_length,
};
use crate::syntax::diagnostic::{did_you_mean, Sink};

/// One statement line, in file order.
#[derive(Debug)]
pub(super) enum Stmt {
    Group(GroupConfig),
    Interface(InterfaceConfig),
    Address(DataAddressConfig),
    /// A `group` or `interface` line that had errors; `name` is what it
    /// declared.
    Broken {
        kind: Kind,
        name: String,
        line: usize,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kind {
    Group,
    Interface,
}

const KEYWORDS: [&str; 3] = ["group", "interface", "address"];
const GROUP_OPTIONS: [&str; 1] = ["target"];
const INTERFACE_OPTIONS: [&str; 4] = ["group", "standby", "test", "target"];

/// Parses one statement line (comment removed, trimmed, not a tunable).
pub(super) fn read(line: usize, body: &str, sink: &mut Sink) -> Option<Stmt> {
    let mut words = body.split_whitespace();
    let keyword = words.next()?;
    let rest: Vec<&str> = words.collect();
    match keyword {
        "group" => group(line, &rest, sink),
        "interface" => interface(line, &rest, sink),
        "address" => address(line, &rest, sink),
        _ => {
            unknown_keyword(line, keyword, &rest, sink);
            None
        }
    }
}

fn unknown_keyword(line: usize, keyword: &str, rest: &[&str], sink: &mut Sink) {
    let tunable = KEYS.iter().find(|k| k.eq_ignore_ascii_case(keyword));
    let msg = match tunable {
        Some(k) if rest.first().is_some_and(|r| r.starts_with('=')) => {
            format!(
                "unknown keyword `{keyword}`; tunables are written \
                 `{k}=VALUE`, with no space before `=`"
            )
        }
        _ => format!(
            "unknown keyword `{keyword}`{}",
            did_you_mean(keyword, &KEYWORDS)
        ),
    };
    sink.error(line, msg);
}

/// `group NAME [target ADDR ...]`
fn group(line: usize, rest: &[&str], sink: &mut Sink) -> Option<Stmt> {
    let before = sink.errors();
    let Some((&name, mut opts)) = rest.split_first() else {
        sink.error(line, "`group` needs a group name".to_string());
        return None;
    };
    check_name(line, name, Kind::Group, sink);
    let mut targets = Vec::new();
    while let Some((&opt, tail)) = opts.split_first() {
        opts = tail;
        if opt == "target" {
            opts = target_list(line, opts, &GROUP_OPTIONS, &mut targets, sink);
        } else {
            sink.error(
                line,
                format!(
                    "unknown option `{opt}` for `group`{}",
                    did_you_mean(opt, &GROUP_OPTIONS)
                ),
            );
            break;
        }
    }
    let name = name.to_string();
    if sink.errors() > before {
        return Some(Stmt::Broken {
            kind: Kind::Group,
            name,
            line,
        });
    }
    Some(Stmt::Group(GroupConfig {
        name,
        targets,
        line,
    }))
}

/// `interface IFNAME [group NAME] [standby] [test ADDR/PLEN] [test inet6]
/// [target ADDR ...]`, options in any order.
fn interface(line: usize, rest: &[&str], sink: &mut Sink) -> Option<Stmt> {
    let before = sink.errors();
    let Some((&name, mut opts)) = rest.split_first() else {
        sink.error(line, "`interface` needs an interface name".to_string());
        return None;
    };
    check_name(line, name, Kind::Interface, sink);
    let mut intf = InterfaceConfig {
        name: name.to_string(),
        group: None,
        standby: false,
        test_v4: None,
        test_v6: None,
        targets: Vec::new(),
        line,
    };
    // Set when an option was present but wrong, so that the checks below
    // do not add a second error about the same mistake.
    let mut bad_group = false;
    let mut bad_test = [false, false];
    // Cleared when the options could not be read to the end: what follows
    // is unknown, so the checks below would guess.
    let mut complete = true;
    while let Some((&opt, tail)) = opts.split_first() {
        opts = tail;
        match opt {
            "group" => {
                let Some((&g, tail)) = opts.split_first() else {
                    sink.error(line, "`group` needs a group name".to_string());
                    complete = false;
                    break;
                };
                opts = tail;
                if intf.group.is_some() || bad_group {
                    sink.error(line, "`group` given twice".to_string());
                } else if check_name(line, g, Kind::Group, sink) {
                    intf.group = Some(g.to_string());
                } else {
                    bad_group = true;
                }
            }
            "standby" => {
                if intf.standby {
                    sink.error(line, "`standby` given twice".to_string());
                }
                intf.standby = true;
            }
            "test" => {
                let Some((&t, tail)) = opts.split_first() else {
                    sink.error(
                        line,
                        "`test` needs `ADDR/PLEN` or `inet6`".to_string(),
                    );
                    complete = false;
                    break;
                };
                opts = tail;
                test_address(line, t, &mut intf, &mut bad_test, sink);
            }
            "target" => {
                opts = target_list(
                    line,
                    opts,
                    &INTERFACE_OPTIONS,
                    &mut intf.targets,
                    sink,
                );
            }
            _ => {
                sink.error(
                    line,
                    format!(
                        "unknown option `{opt}` for `interface`{}",
                        did_you_mean(opt, &INTERFACE_OPTIONS)
                    ),
                );
                complete = false;
                break;
            }
        }
    }
    if complete {
        line_checks(&intf, bad_group, bad_test, sink);
    }
    if sink.errors() > before {
        return Some(Stmt::Broken {
            kind: Kind::Interface,
            name: intf.name,
            line,
        });
    }
    Some(Stmt::Interface(intf))
}

/// What an `interface` line must satisfy as a whole: `standby` needs a
/// group, and each target a test address of its family (for IPv4, one
/// whose subnet holds the target). `bad_group` and `bad_test` (IPv4,
/// IPv6) say which options were already reported as wrong.
fn line_checks(
    intf: &InterfaceConfig,
    bad_group: bool,
    bad_test: [bool; 2],
    sink: &mut Sink,
) {
    let line = intf.line;
    if intf.standby && intf.group.is_none() && !bad_group {
        sink.error(
            line,
            format!(
                "`standby` needs a group: interface `{}` is in no group",
                intf.name
            ),
        );
    }
    for &t in &intf.targets {
        let family = Family::of(t);
        let test = intf.test(family);
        match (family, test) {
            (Family::V4, None) if bad_test[0] => {}
            (Family::V6, None) if bad_test[1] => {}
            (_, None) => sink.error(
                line,
                format!(
                    "target {t} needs an {} test address on interface `{}`",
                    family.name(),
                    intf.name
                ),
            ),
            (Family::V4, Some(TestAddress::V4(p))) if !p.contains(t) => {
                sink.error(
                    line,
                    format!(
                        "target {t} is not on the subnet of test address {p}"
                    ),
                );
            }
            _ => {}
        }
    }
}

/// `address ADDR/PLEN on IFNAME`
fn address(line: usize, rest: &[&str], sink: &mut Sink) -> Option<Stmt> {
    let before = sink.errors();
    let [addr, on, ifname, extra @ ..] = rest else {
        sink.error(line, "`address` needs `ADDR/PLEN on IFNAME`".to_string());
        return None;
    };
    let prefix = match with_length(addr, "data address") {
        Ok(p) if !is_unicast(p.addr()) => {
            sink.error(
                line,
                format!("data address {p} is not a unicast address"),
            );
            None
        }
        Ok(p) => Some(p),
        Err(msg) => {
            sink.error(line, msg);
            None
        }
    };
    if *on != "on" {
        sink.error(
            line,
            format!("expected `on` after the data address, found `{on}`"),
        );
    }
    check_name(line, ifname, Kind::Interface, sink);
    if let Some(x) = extra.first() {
        sink.error(line, format!("unexpected `{x}` after the interface name"));
    }
    match prefix {
        Some(prefix) if sink.errors() == before => {
            Some(Stmt::Address(DataAddressConfig {
                prefix,
                home: ifname.to_string(),
                line,
            }))
        }
        _ => None,
    }
}
