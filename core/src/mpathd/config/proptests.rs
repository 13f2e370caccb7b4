//! Property tests: the parser never panics, and rendering round-trips.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::addr::IpPrefix;

/// Words that exercise every branch of the grammar, good and bad.
const WORDS: &[&str] = &[
    "group",
    "interface",
    "address",
    "target",
    "test",
    "standby",
    "on",
    "inet6",
    "g0",
    "g1",
    "em0",
    "em1",
    "em0:1",
    "bad!",
    "#",
    "=",
    "x=y",
    "FAILBACK=yes",
    "FAILBACK=no",
    "failback=maybe",
    "FAILURE_DETECTION_TIME=0x3e8",
    "FAILURE_DETECTION_TIME=-1",
    "FAILURE_DETECTION_TIME=99999999999999999999999",
    "TRACK_INTERFACES_ONLY_WITH_GROUPS=no",
    "192.0.2.1",
    "192.0.2.10/24",
    "192.0.2.10/33",
    "198.51.100.7",
    "203.0.113.9/31",
    "2001:db8::1",
    "2001:db8::1/64",
    "fe80::1",
    "fe80::1/64",
    "fe80::2/129",
    "0.0.0.0",
    "255.255.255.255",
    "ff02::1",
    "/",
    "/24",
    "",
    "\t",
    "é",
    "0x",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_string),
        1 => "[ -~]{0,12}",
    ]
}

fn vocabulary_text() -> impl Strategy<Value = String> {
    let line =
        proptest::collection::vec(word(), 0..8).prop_map(|w| w.join(" "));
    proptest::collection::vec(line, 0..12).prop_map(|l| l.join("\n"))
}

/// Interface shape: (standby?, v4 test?, v6 test kind, own v4 targets,
/// own v6 targets, data addresses).
type Shape = (bool, bool, u8, usize, usize, usize);

/// A configuration that satisfies every rule, built from random choices.
fn valid_config() -> impl Strategy<Value = MpathdConfig> {
    let tunables = (
        prop_oneof![100u64..100_000, Just(i64::MAX.unsigned_abs())],
        any::<bool>(),
        any::<bool>(),
    );
    let group = ("[A-Za-z0-9_.-]{1,20}", 0usize..=2, 0usize..=2);
    let intf = (
        "[A-Za-z0-9_.-]{1,8}",
        proptest::option::of(0usize..4),
        (
            any::<bool>(),
            any::<bool>(),
            0u8..3,
            0usize..=3,
            0usize..=3,
            0usize..3,
        ),
    );
    (
        tunables,
        proptest::collection::vec(group, 0..4),
        proptest::collection::vec(intf, 0..6),
    )
        .prop_map(|(t, groups, intfs)| build(t, &groups, &intfs))
}

fn build(
    (fdt, failback, track): (u64, bool, bool),
    groups: &[(String, usize, usize)],
    intfs: &[(String, Option<usize>, Shape)],
) -> MpathdConfig {
    let v4 = |n: usize| IpAddr::V4(Ipv4Addr::new(192, 0, 2, n as u8));
    let ll = |n: usize| {
        IpAddr::V6(Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, n as u16))
    };
    let mut cfg = MpathdConfig {
        tunables: Tunables {
            failure_detection_time: Duration::from_millis(fdt),
            failback,
            track_interfaces_only_with_groups: track,
        },
        ..MpathdConfig::default()
    };
    // Group targets: 192.0.2.1-2 and fe80::1-2; own targets 3-5.
    for (i, (name, n4, n6)) in groups.iter().enumerate() {
        let mut targets: Vec<IpAddr> = (1..=*n4).map(v4).collect();
        targets.extend((1..=*n6).map(ll));
        cfg.groups.push(GroupConfig {
            name: format!("{name}{i}"),
            targets,
            line: 0,
        });
    }
    let mut data = 0u8;
    for (i, (name, group, shape)) in intfs.iter().enumerate() {
        let (standby, has_v4, v6, n4, n6, n_data) = *shape;
        let group = group
            .filter(|g| *g < cfg.groups.len())
            .map(|g| cfg.groups[g].name.clone());
        let standby = standby && group.is_some();
        let test_v4 = has_v4.then(|| IpPrefix::new(v4(10 + i), 24).unwrap());
        let test_v6 = match v6 {
            0 => None,
            1 => Some(TestAddress::V6Auto),
            _ => Some(TestAddress::V6LinkLocal(
                IpPrefix::new(ll(0x100 + i), 64).unwrap(),
            )),
        };
        let mut targets = Vec::new();
        if has_v4 {
            targets.extend((3..3 + n4).map(v4));
        }
        if test_v6.is_some() {
            targets.extend((3..3 + n6).map(ll));
        }
        let name = format!("{name}{i}");
        if group.is_some() && !standby {
            for _ in 0..n_data {
                data += 1;
                let addr = if data.is_multiple_of(2) {
                    IpAddr::V4(Ipv4Addr::new(198, 51, 100, data))
                } else {
                    IpAddr::V6(Ipv6Addr::new(
                        0x2001,
                        0xdb8,
                        0,
                        0,
                        0,
                        0,
                        0,
                        data.into(),
                    ))
                };
                let len = if addr.is_ipv4() { 24 } else { 64 };
                cfg.addresses.push(DataAddressConfig {
                    prefix: IpPrefix::new(addr, len).unwrap(),
                    home: name.clone(),
                    line: 0,
                });
            }
        }
        cfg.interfaces.push(InterfaceConfig {
            name,
            group,
            standby,
            test_v4,
            test_v6,
            targets,
            line: 0,
        });
    }
    cfg
}

/// The value with every line number zeroed.
fn without_lines(mut c: MpathdConfig) -> MpathdConfig {
    c.groups.iter_mut().for_each(|g| g.line = 0);
    c.interfaces.iter_mut().for_each(|i| i.line = 0);
    c.addresses.iter_mut().for_each(|a| a.line = 0);
    c
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = parse("f", &text);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes_as_text(
        bytes in proptest::collection::vec(any::<u8>(), 0..400)
    ) {
        let _ = parse("f", &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn never_panics_on_vocabulary(text in vocabulary_text()) {
        match parse("f", &text) {
            Ok(p) => {
                prop_assert!(p.warnings.iter().all(|d| !d.is_error()));
                // Whatever parses renders to text that parses the same.
                let again = parse("f", &p.config.render()).unwrap();
                prop_assert_eq!(
                    without_lines(again.config),
                    without_lines(p.config)
                );
            }
            Err(d) => {
                prop_assert!(d.iter().any(Diagnostic::is_error));
                prop_assert!(d.windows(2).all(|w| w[0].line <= w[1].line));
                let lines = text.lines().count();
                prop_assert!(d.iter().all(|x| x.line >= 1 && x.line <= lines));
            }
        }
    }

    #[test]
    fn valid_config_round_trips(cfg in valid_config()) {
        let text = cfg.render();
        let parsed = match parse("f", &text) {
            Ok(p) => p,
            Err(d) => {
                let msgs: Vec<String> =
 d.iter().map(ToString::to_string).collect();
                return Err(TestCaseError::fail(format!("{text}\n{msgs:#?}")));
            }
        };
        prop_assert!(parsed.warnings.is_empty());
        prop_assert_eq!(parsed.config.render(), text);
        prop_assert_eq!(without_lines(parsed.config), cfg);
    }
}
