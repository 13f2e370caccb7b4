//! The values inside statements: names, test addresses and targets,
//! each checked on its own.

use std::net::{IpAddr, Ipv6Addr};

use crate::addr::IpPrefix;

use super::model::{
    InterfaceConfig, TestAddress, MAX_GROUP_NAME, MAX_INTERFACE_NAME,
};
use super::statements::Kind;
use crate::syntax::diagnostic::Sink;

/// The argument of `test`.
pub(super) fn test_address(
    line: usize,
    token: &str,
    intf: &mut InterfaceConfig,
    bad_test: &mut [bool; 2],
    sink: &mut Sink,
) {
    let test = if token == "inet6" {
        Some(TestAddress::V6Auto)
    } else {
        match with_length(token, "test address") {
            Err(msg) => {
                // The family is unknown; quiet both families' checks.
                *bad_test = [true, true];
                sink.error(line, msg);
                None
            }
            Ok(p) => match p.addr() {
                IpAddr::V4(_) if !is_unicast(p.addr()) => {
                    bad_test[0] = true;
                    sink.error(
                        line,
                        format!("test address {p} is not a unicast address"),
                    );
                    None
                }
                IpAddr::V4(_) => Some(TestAddress::V4(p)),
                IpAddr::V6(a) if is_link_local(a) => {
                    Some(TestAddress::V6LinkLocal(p))
                }
                IpAddr::V6(_) => {
                    bad_test[1] = true;
                    sink.error(
                        line,
                        format!(
                            "IPv6 test address {p} is not link-local: IPv6 \
                             probes are sent only from link-local addresses \
                             (write `test inet6` to use the interface's own)"
                        ),
                    );
                    None
                }
            },
        }
    };
    let Some(test) = test else { return };
    let family = test.family();
    if intf.test(family).is_some() {
        sink.error(
            line,
            format!(
                "second {} test address `{token}`: an interface has at most \
                 one test address per family",
                family.name()
            ),
        );
        return;
    }
    match test {
        TestAddress::V4(p) => intf.test_v4 = Some(p),
        v6 => intf.test_v6 = Some(v6),
    }
}

/// The addresses after `target`. The list ends at the next option
/// keyword or at the first word that cannot be meant as an address (one
/// with no `.`, `:` or `/`), which is left to the caller: `target
/// 192.0.2.1 stanby` is then a misspelt option, not a bad address.
/// Returns the words left over.
pub(super) fn target_list<'a, 'b>(
    line: usize,
    mut opts: &'b [&'a str],
    keywords: &[&str],
    targets: &mut Vec<IpAddr>,
    sink: &mut Sink,
) -> &'b [&'a str] {
    let mut count = 0;
    while let Some((&t, tail)) = opts.split_first() {
        if keywords.contains(&t) || !t.contains(['.', ':', '/']) {
            break;
        }
        opts = tail;
        count += 1;
        if let Some(addr) = target(line, t, sink) {
            if targets.contains(&addr) {
                sink.error(line, format!("duplicate target {addr}"));
            } else {
                targets.push(addr);
            }
        }
    }
    if count == 0 {
        sink.error(line, "`target` needs at least one address".to_string());
    }
    opts
}

/// One target address, with the checks that need only the address.
fn target(line: usize, token: &str, sink: &mut Sink) -> Option<IpAddr> {
    let Ok(addr) = token.parse::<IpAddr>() else {
        let msg = if token.contains('/') {
            format!(
                "target `{token}` must be an address without a prefix length"
            )
        } else {
            format!("bad target `{token}`: not an IP address")
        };
        sink.error(line, msg);
        return None;
    };
    match addr {
        _ if !is_unicast(addr) => {
            sink.error(line, format!("target {addr} is not a unicast address"));
            None
        }
        IpAddr::V6(a) if !is_link_local(a) => {
            sink.error(
                line,
                format!(
                    "IPv6 target {addr} is not link-local: IPv6 probe \
                     replies must come from link-local addresses"
                ),
            );
            None
        }
        _ => Some(addr),
    }
}

/// `ADDR/PLEN` with the length required.
pub(super) fn with_length(token: &str, what: &str) -> Result<IpPrefix, String> {
    match token.parse::<IpPrefix>() {
        Err(e) => Err(format!("bad {what} `{token}`: {e}")),
        Ok(_) if !token.contains('/') => Err(format!(
            "{what} `{token}` needs a prefix length (`ADDR/PLEN`)"
        )),
        Ok(p) => Ok(p),
    }
}

/// Checks a group or interface name; true when it is fine.
pub(super) fn check_name(
    line: usize,
    name: &str,
    kind: Kind,
    sink: &mut Sink,
) -> bool {
    let (what, max) = match kind {
        Kind::Group => ("group", MAX_GROUP_NAME),
        Kind::Interface => ("interface", MAX_INTERFACE_NAME),
    };
    let ok = !name.is_empty()
        && name.len() <= max
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b));
    if !ok {
        sink.error(
            line,
            format!(
                "bad {what} name `{name}`: use 1-{max} characters from \
                 A-Z a-z 0-9 _ . -"
            ),
        );
    }
    ok
}

/// Not unspecified, loopback, multicast or the IPv4 limited broadcast.
pub(super) fn is_unicast(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(a) => {
            !(a.is_unspecified()
                || a.is_loopback()
                || a.is_multicast()
                || a.is_broadcast())
        }
        IpAddr::V6(a) => {
            !(a.is_unspecified() || a.is_loopback() || a.is_multicast())
        }
    }
}

/// `fe80::/10`.
pub(super) fn is_link_local(addr: Ipv6Addr) -> bool {
    addr.segments()[0] & 0xffc0 == 0xfe80
}
