//! Property tests: the parser never panics, and rendering round-trips.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::PathBuf;
use std::time::Duration;

use proptest::prelude::*;

use super::*;
use crate::laggd::aggregate::MinLinksAction;
use crate::laggd::redundancy::{Track, TrackEffect};

/// Values that exercise every branch of the grammar, good and bad; the
/// keywords come from the grammar's own lists.
const VALUES: &str = "down report any all on off link probe /run/k run/k \
    lagg0 lagg1 em0 em1 em2 g1 rg1 1 2 0 255 256 100 x min-link \\ # = \
    FAILURE_DETECTION_TIME=0x3e8 failure_detection_time=-1 X=1 192.0.2.1 \
    192.0.2.2 192.0.2.1/24 0.0.0.0 2001:db8::1 fe80::1 :: ff02::1 192.0.2";

fn vocabulary() -> Vec<&'static str> {
    let mut v: Vec<&str> = VALUES.split_whitespace().collect();
    v.extend(words::STATEMENTS);
    for list in [
        words::LAGG_OPTIONS,
        words::TRACK_OPTIONS,
        words::REDUNDANCY_OPTIONS,
    ] {
        v.extend(list);
    }
    v.push("");
    v
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(vocabulary()).prop_map(str::to_string),
        1 => "[ -~]{0,10}",
    ]
}

/// Lines of random words: mostly rejected.
fn vocabulary_text() -> impl Strategy<Value = String> {
    let line =
        proptest::collection::vec(word(), 0..12).prop_map(|w| w.join(" "));
    proptest::collection::vec(line, 0..10).prop_map(|l| l.join("\n"))
}

/// Plausible options of each statement, `|`-separated.
const LAGG_CHUNKS: &str = "ports em0 em1|ports em2|min-links 1|min-links 0|\
    action report|action down|failure-threshold 1|targets 192.0.2.1|\
    targets 2001:db8::1 fe80::1|rule all|rule 1|rule any|source 0.0.0.0|\
    source 2001:db8::9|failure-detection-time 500|up-delay 10|\
    down-delay 0|damping off";
const TRACK_CHUNKS: &str = "upstream lagg0|upstream em5 em6|downstream em7|\
    downstream em0|health probe|health link|disabled";
const REDUNDANCY_CHUNKS: &str = "priority 100|priority 1|\
    failover-threshold 100|preempt|preempt off|track lagg0 decrement 10|\
    track em0 shutdown|track g1 shutdown|track wan0 decrement 255|delay 5|\
    reload 7|carp|carp vhid 1 on em0|carp vhid 2 on em0 vhid 2 on em1|\
    keepalived /run/k|keepalived /run/k vip 192.0.2.100|vhid 3 on em0|\
    keepalived /run/k vip 2001:db8::100";

/// One statement of plausible option chunks, sometimes with a stray word
/// and sometimes continued over lines: often accepted, with warnings.
fn statement() -> impl Strategy<Value = String> {
    let kinds: [(&str, [&str; 2], &str); 3] = [
        ("lagg", ["lagg0", "lagg1"], LAGG_CHUNKS),
        ("track-group", ["g1", "g2"], TRACK_CHUNKS),
        ("redundancy", ["rg1", "rg2"], REDUNDANCY_CHUNKS),
    ];
    (
        proptest::sample::select(kinds.to_vec()),
        any::<bool>(),
        proptest::collection::vec(any::<proptest::sample::Index>(), 0..6),
        proptest::option::weighted(0.1, word()),
        any::<bool>(),
    )
        .prop_map(|((kw, names, chunks), n, picks, stray, wrap)| {
            let mut words = vec![format!("{kw} {}", names[usize::from(n)])];
            let chunks: Vec<&str> = chunks.split('|').collect();
            words.extend(picks.iter().map(|i| i.get(&chunks).to_string()));
            words.extend(stray);
            words.join(if wrap { " \\\n  " } else { " " })
        })
}

/// Structured statements, a tunable, comments.
fn structured_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        8 => statement(),
        1 => Just("FAILURE_DETECTION_TIME=500 # fast".to_string()),
        1 => Just("# comment".to_string()),
    ];
    proptest::collection::vec(line, 1..5).prop_map(|l| l.join("\n"))
}

/// (ports, min-links, report, threshold, v4 targets, v6 targets, rule,
/// sources, fdt, up, down, damping)
type AggShape = (
    usize,
    usize,
    bool,
    Option<usize>,
    usize,
    usize,
    u8,
    (u8, bool),
    bool,
    u64,
    u64,
    bool,
);

fn agg_shape() -> impl Strategy<Value = AggShape> {
    (
        1usize..4,
        0usize..4,
        any::<bool>(),
        proptest::option::of(0usize..4),
        0usize..=MAX_TARGETS,
        0usize..=MAX_TARGETS,
        0u8..12,
        (0u8..3, any::<bool>()),
        any::<bool>(),
        0u64..100_000,
        0u64..100_000,
        any::<bool>(),
    )
}

fn aggregate(i: usize, s: AggShape) -> LaggConfig {
    let (n, min, report, thr, n4, n6, rule, (s4, s6), fdt, up, down, damp) = s;
    let mut a = LaggConfig::new(&format!("lagg{i}"), 0);
    a.ports = (0..n).map(|j| format!("em{i}{j}")).collect();
    a.min_links = min.min(n);
    if a.min_links > 0 && report {
        a.min_links_action = MinLinksAction::Report;
    }
    a.link_failure_threshold = thr.filter(|t| *t < n);
    let v4 = |k: usize| IpAddr::V4(Ipv4Addr::new(192, 0, 2, k as u8 + 1));
    let v6 = |k: usize| {
        let head = if k.is_multiple_of(2) { 0x2001 } else { 0xfe80 };
        let mid = if k.is_multiple_of(2) { 0xdb8 } else { 0 };
        IpAddr::V6(Ipv6Addr::new(head, mid, 0, 0, 0, 0, 0, k as u16 + 1))
    };
    a.targets = (0..n4).map(v4).chain((0..n6).map(v6)).collect();
    let total = a.targets.len();
    if total > 0 {
        a.rule = match rule {
            0..=3 => TargetRule::Any,
            4..=5 => TargetRule::All,
            k => TargetRule::AtLeast(usize::from(k) % total + 1),
        };
        a.failure_detection_time = fdt.then(|| Duration::from_millis(100 + up));
    }
    if n4 > 0 {
        a.source_v4 = match s4 {
            0 => None,
            1 => Some(Ipv4Addr::UNSPECIFIED),
            _ => Some(Ipv4Addr::new(198, 51, 100, i as u8 + 1)),
        };
    }
    if n6 > 0 && s6 {
        a.source_v6 = Some(Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 1));
    }
    a.up_delay = Duration::from_millis(up);
    a.down_delay = Duration::from_millis(down);
    a.damping = damp;
    a
}

/// (upstream count, use aggregates, downstream count, probe, enabled,
/// numeric name)
type GroupShape = (usize, bool, usize, bool, bool, bool);

/// (priority, threshold, preempt, tracks (object, decrement: 0 is
/// shutdown), delay, reload, keepalived)
type RgShape = (u8, u8, bool, Vec<(usize, u8)>, u64, u64, bool);

fn valid_config() -> impl Strategy<Value = LaggdConfig> {
    let group = (
        1usize..3,
        any::<bool>(),
        0usize..3,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    );
    let tracks = proptest::collection::vec((0usize..40, any::<u8>()), 0..5);
    let rg = (
        1u8..=255,
        any::<u8>(),
        any::<bool>(),
        tracks,
        0u64..1000,
        0u64..1000,
        any::<bool>(),
    );
    (
        prop_oneof![100u64..100_000, Just(i64::MAX.unsigned_abs())],
        proptest::collection::vec(agg_shape(), 0..4),
        proptest::collection::vec(group, 0..4),
        proptest::collection::vec(rg, 0..3),
    )
        .prop_map(|(fdt, aggs, groups, rgs)| build(fdt, &aggs, &groups, rgs))
}

fn build(
    fdt: u64,
    aggs: &[AggShape],
    groups: &[GroupShape],
    rgs: Vec<RgShape>,
) -> LaggdConfig {
    let mut c = LaggdConfig::default();
    c.tunables.failure_detection_time = Duration::from_millis(fdt);
    for (i, s) in aggs.iter().enumerate() {
        c.aggregates.push(aggregate(i, *s));
    }
    let mut free_aggs = c.aggregates.iter().map(|a| a.name.clone());
    for (g, &(n_up, use_aggs, n_down, probe, enabled, numeric)) in
        groups.iter().enumerate()
    {
        let upstream: Vec<String> = (0..n_up)
            .map(|k| match free_aggs.next().filter(|_| use_aggs) {
                Some(a) => a,
                None => format!("up{g}{k}"),
            })
            .collect();
        let probe = probe
            && upstream
                .iter()
                .all(|u| c.aggregate(u).is_some_and(|a| !a.targets.is_empty()));
        c.tracking.push(TrackingGroupConf {
            name: if numeric {
                format!("{g}")
            } else {
                format!("tg{g}")
            },
            upstream,
            downstream: (0..n_down).map(|k| format!("dn{g}{k}")).collect(),
            health: if probe {
                UpstreamHealth::Probe
            } else {
                UpstreamHealth::Link
            },
            enabled,
            line: 0,
        });
    }
    let mut objects: Vec<String> = Vec::new();
    for a in &c.aggregates {
        objects.push(a.name.clone());
        objects.extend(a.ports.iter().cloned());
    }
    objects.extend(c.tracking.iter().map(|g| g.name.clone()));
    objects.extend((0..4).map(|k| format!("wan{k}")));
    for (r, (prio, thr, preempt, picks, delay, reload, ka)) in
        rgs.into_iter().enumerate()
    {
        let mut tracks: Vec<Track> = Vec::new();
        for (o, d) in picks {
            let object = objects[o % objects.len()].clone();
            if tracks.iter().any(|t| t.object == object) {
                continue;
            }
            let effect = match d {
                0 => TrackEffect::Shutdown,
                n => TrackEffect::Decrement(n),
            };
            tracks.push(Track { object, effect });
        }
        let name = format!("rg{r}");
        c.redundancy.push(RedundancyGroupConf {
            effector: Some(if ka {
                Effector::Keepalived {
                    file: PathBuf::from(format!("/run/{name}")),
                    vip: (!preempt).then(|| "192.0.2.100".parse().unwrap()),
                }
            } else {
                Effector::Carp(if preempt {
                    Vec::new()
                } else {
                    vec![Vhid {
                        vhid: r as u8 + 1,
                        interface: "em0".into(),
                    }]
                })
            }),
            name,
            priority: prio,
            failover_threshold: thr % prio,
            preempt,
            tracks,
            delay: Duration::from_secs(delay),
            reload_delay: Duration::from_secs(reload),
            line: 0,
        });
    }
    c
}

/// The value with every line number zeroed.
fn without_lines(mut c: LaggdConfig) -> LaggdConfig {
    c.aggregates.iter_mut().for_each(|a| a.line = 0);
    c.tracking.iter_mut().for_each(|g| g.line = 0);
    c.redundancy.iter_mut().for_each(|g| g.line = 0);
    c
}

fn printed(d: &[Diagnostic]) -> Vec<String> {
    d.iter().map(ToString::to_string).collect()
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
    fn what_parses_round_trips_and_errors_come_in_line_order(
        text in prop_oneof![vocabulary_text(), structured_text()]
    ) {
        let lines = text.lines().count();
        match parse("f", &text) {
            Ok(p) => {
                prop_assert!(p.warnings.iter().all(|d| !d.is_error()));
                // Whatever parses renders to text that parses the same.
                let again = match parse("f", &p.config.render()) {
                    Ok(a) => a,
                    Err(d) => return Err(TestCaseError::fail(format!(
                        "{}\n{:#?}", p.config.render(), printed(&d)))),
                };
                prop_assert_eq!(
                    without_lines(again.config),
                    without_lines(p.config)
                );
            }
            Err(d) => {
                prop_assert!(d.iter().any(Diagnostic::is_error));
                prop_assert!(d.windows(2).all(|w| w[0].line <= w[1].line));
                prop_assert!(d.iter().all(|x| x.line >= 1 && x.line <= lines));
            }
        }
    }

    #[test]
    fn valid_configs_round_trip(cfg in valid_config()) {
        let text = cfg.render();
        let parsed = match parse("f", &text) {
            Ok(p) => p,
            Err(d) => return Err(TestCaseError::fail(format!(
                "{text}\n{:#?}", printed(&d)))),
        };
        prop_assert!(parsed.warnings.is_empty(), "{}\n{:#?}", text,
            printed(&parsed.warnings));
        prop_assert_eq!(parsed.config.render(), text);
        prop_assert!(parsed.config.tracking().is_ok());
        prop_assert_eq!(without_lines(parsed.config), cfg);
    }
}
