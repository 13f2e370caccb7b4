//! Checks across lines, and assembly of the [`MpathdConfig`].
//!
//! References may point forward: an `address` line may come before the
//! `interface` line of its home, and a `group` line after the interfaces
//! that name the group. Every error is reported on the line whose
//! statement has to change, naming the other line involved.

use std::collections::HashMap;
use std::net::IpAddr;

use super::model::{
    DataAddressConfig, Family, GroupConfig, InterfaceConfig, MpathdConfig,
    TestAddress, MAX_TARGETS,
};
use super::statements::{Kind, Stmt};
use super::tunables::Tunables;
use crate::syntax::diagnostic::Sink;

/// Builds the configuration from the statements in file order, reporting
/// what does not fit together.
pub(super) fn build(
    tunables: Tunables,
    stmts: Vec<Stmt>,
    sink: &mut Sink,
) -> MpathdConfig {
    let mut cfg = MpathdConfig {
        tunables,
        ..MpathdConfig::default()
    };
    // Name -> line of the `group` / `interface` statement, good or broken.
    let mut group_lines: HashMap<String, usize> = HashMap::new();
    let mut intf_lines: HashMap<String, usize> = HashMap::new();
    let mut broken_intfs: Vec<String> = Vec::new();
    for stmt in stmts {
        match stmt {
            Stmt::Group(g) => {
                if let Some(&first) = group_lines.get(&g.name) {
                    sink.error(g.line, already(Kind::Group, &g.name, first));
                    continue;
                }
                group_lines.insert(g.name.clone(), g.line);
                match cfg.groups.iter_mut().find(|x| x.name == g.name) {
                    Some(seen) => seen.targets = g.targets,
                    None => cfg.groups.push(g),
                }
            }
            Stmt::Interface(i) => {
                if let Some(&first) = intf_lines.get(&i.name) {
                    sink.error(
                        i.line,
                        already(Kind::Interface, &i.name, first),
                    );
                    continue;
                }
                intf_lines.insert(i.name.clone(), i.line);
                if let Some(g) = &i.group {
                    if !cfg.groups.iter().any(|x| &x.name == g) {
                        cfg.groups.push(GroupConfig {
                            name: g.clone(),
                            targets: Vec::new(),
                            line: i.line,
                        });
                    }
                }
                cfg.interfaces.push(i);
            }
            Stmt::Address(a) => cfg.addresses.push(a),
            Stmt::Broken { kind, name, line } => {
                let lines = match kind {
                    Kind::Group => &mut group_lines,
                    Kind::Interface => &mut intf_lines,
                };
                if let Some(&first) = lines.get(&name) {
                    sink.error(line, already(kind, &name, first));
                } else {
                    lines.insert(name.clone(), line);
                }
                if kind == Kind::Interface {
                    broken_intfs.push(name);
                }
            }
        }
    }
    let over = group_target_counts(&cfg, &group_lines, sink);
    for intf in &cfg.interfaces {
        member_targets(&cfg, intf, &group_lines, &over, sink);
    }
    addresses_on_host(&cfg, &group_lines, sink);
    homes(&cfg, &broken_intfs, sink);
    cfg
}

fn already(kind: Kind, name: &str, first: usize) -> String {
    let what = match kind {
        Kind::Group => "group",
        Kind::Interface => "interface",
    };
    format!("{what} `{name}` is already declared on line {first}")
}

/// A group's own targets may not exceed the limit for any member.
/// Returns the (group, family) pairs that do, so members are not blamed
/// for them again.
fn group_target_counts(
    cfg: &MpathdConfig,
    group_lines: &HashMap<String, usize>,
    sink: &mut Sink,
) -> Vec<(String, Family)> {
    let mut over = Vec::new();
    for g in &cfg.groups {
        for family in [Family::V4, Family::V6] {
            let n = g.targets_of(family).count();
            if n > MAX_TARGETS {
                let line = group_lines.get(&g.name).copied().unwrap_or(g.line);
                sink.error(
                    line,
                    format!(
                        "group `{}` has {n} {} targets; at most {MAX_TARGETS} \
                         are allowed",
                        g.name,
                        family.name()
                    ),
                );
                over.push((g.name.clone(), family));
            }
        }
    }
    over
}

/// How the group's targets combine with a member's own: on the member's
/// subnet, not repeated, and no more than [`MAX_TARGETS`] together.
fn member_targets(
    cfg: &MpathdConfig,
    intf: &InterfaceConfig,
    group_lines: &HashMap<String, usize>,
    over: &[(String, Family)],
    sink: &mut Sink,
) {
    let group = intf.group.as_deref().and_then(|g| cfg.group(g));
    for family in [Family::V4, Family::V6] {
        let Some(test) = intf.test(family) else {
            continue;
        };
        let own = intf
            .targets
            .iter()
            .filter(|t| Family::of(**t) == family)
            .count();
        let mut shared = 0;
        if let Some(g) = group {
            let gline = group_lines.get(&g.name).copied().unwrap_or(g.line);
            for t in g.targets_of(family) {
                shared += 1;
                if intf.targets.contains(&t) {
                    sink.error(
                        intf.line,
                        format!(
                            "target {t} is already a target of group `{}` \
                             (line {gline})",
                            g.name
                        ),
                    );
                }
                if let TestAddress::V4(p) = test {
                    if !p.contains(t) {
                        sink.error(
                            intf.line,
                            format!(
                                "target {t} of group `{}` (line {gline}) is \
                                 not on the subnet of test address {p} of \
                                 interface `{}`",
                                g.name, intf.name
                            ),
                        );
                    }
                }
            }
            if over.contains(&(g.name.clone(), family)) {
                // Already reported on the group's line.
                shared = 0;
            }
        }
        if own + shared > MAX_TARGETS {
            let from_group = match group {
                Some(g) if shared > 0 => {
                    format!(
                        " ({own} of its own, {shared} from group `{}`)",
                        g.name
                    )
                }
                _ => String::new(),
            };
            sink.error(
                intf.line,
                format!(
                    "interface `{}` has {} {} targets{from_group}; at most \
                     {MAX_TARGETS} are allowed",
                    intf.name,
                    own + shared,
                    family.name()
                ),
            );
        }
    }
}

/// Where an address of this host is configured, for messages.
#[derive(Clone, Debug)]
struct Owner {
    what: String,
    line: usize,
}

/// Test addresses, data addresses and targets must not collide.
///
/// IPv4 addresses and data addresses are host-wide: each may appear once
/// in the file. A link-local address is only unique on its link, so IPv6
/// link-local test addresses and targets are compared within a group
/// (whose members share a link) or, for an interface in no group, within
/// the interface, as in.mpathd's `check_addr_unique` does.
fn addresses_on_host(
    cfg: &MpathdConfig,
    group_lines: &HashMap<String, usize>,
    sink: &mut Sink,
) {
    // Host-wide addresses, and link-local ones keyed by their link.
    let mut host: HashMap<IpAddr, Owner> = HashMap::new();
    let mut link: HashMap<(String, IpAddr), Owner> = HashMap::new();
    for intf in &cfg.interfaces {
        let tests = [intf.test_v4.map(TestAddress::V4), intf.test_v6];
        for test in tests.into_iter().flatten() {
            let Some(p) = test.prefix() else { continue };
            let owner = Owner {
                what: format!("the test address of interface `{}`", intf.name),
                line: intf.line,
            };
            let seen = match test {
                TestAddress::V6LinkLocal(_) => {
                    link.entry((link_of(intf), p.addr())).or_insert(owner)
                }
                _ => host.entry(p.addr()).or_insert(owner),
            };
            if seen.line != intf.line {
                sink.error(
                    intf.line,
                    format!(
                        "test address {} is already {} (line {})",
                        p.addr(),
                        seen.what,
                        seen.line
                    ),
                );
            }
        }
    }
    for a in &cfg.addresses {
        let addr = a.prefix.addr();
        let clash = host.get(&addr).or_else(|| {
            link.iter().find(|((_, x), _)| *x == addr).map(|(_, o)| o)
        });
        if let Some(seen) = clash {
            sink.error(
                a.line,
                format!(
                    "data address {addr} is already {} (line {})",
                    seen.what, seen.line
                ),
            );
            continue;
        }
        host.insert(
            addr,
            Owner {
                what: "a data address".to_string(),
                line: a.line,
            },
        );
    }
    let mut check = |t: &IpAddr, scope: &str, line: usize| {
        let seen = match t {
            IpAddr::V6(_) => {
                host.get(t).or_else(|| link.get(&(scope.to_string(), *t)))
            }
            IpAddr::V4(_) => host.get(t),
        };
        if let Some(seen) = seen {
            sink.error(
                line,
                format!(
                    "target {t} is {} (line {}): a target must be another \
                     host",
                    seen.what, seen.line
                ),
            );
        }
    };
    for g in &cfg.groups {
        let line = group_lines.get(&g.name).copied().unwrap_or(g.line);
        for t in &g.targets {
            check(t, &g.name, line);
        }
    }
    for intf in &cfg.interfaces {
        for t in &intf.targets {
            check(t, &link_of(intf), intf.line);
        }
    }
}

/// The key of the link an interface's link-local addresses live on.
fn link_of(intf: &InterfaceConfig) -> String {
    match &intf.group {
        Some(g) => g.clone(),
        // Group names cannot contain `/`, so this cannot collide.
        None => format!("/{}", intf.name),
    }
}

/// Each data address needs a home that is a grouped, non-standby member.
fn homes(cfg: &MpathdConfig, broken: &[String], sink: &mut Sink) {
    for a in &cfg.addresses {
        let DataAddressConfig { prefix, home, line } = a;
        match cfg.interface(home) {
            None if broken.contains(home) => {}
            None => sink.error(
                *line,
                format!(
                    "data address {prefix} is on interface `{home}`, which \
                     has no `interface` line"
                ),
            ),
            Some(i) if i.group.is_none() => sink.error(
                *line,
                format!(
                    "data address {prefix} is on interface `{home}` (line \
                     {}), which is in no group",
                    i.line
                ),
            ),
            Some(i) if i.standby => sink.error(
                *line,
                format!(
                    "data address {prefix} cannot have standby interface \
                     `{home}` (line {}) as its home: a standby carries data \
                     addresses only while another member has failed",
                    i.line
                ),
            ),
            Some(_) => {}
        }
    }
}
