//! `tests/bench-ha`: how long until the client sees chassis B answer for
//! the virtual address, after chassis A's uplink is cut (a decrement
//! below B's priority; a decrement across the failover threshold, which
//! resigns) or after `switchover`, with laggd driving keepalived on A
//! (`mpath_lab::ha`), at `advert_int` 1 s and 0.1 s (VRRPv3). The three
//! take turns within each round, so they share the machine's conditions.
//!
//! Usage: `ha-bench LAGGD ARP-WATCH [TRIALS]` as root (20 trials by
//! default); prints one line per interval and path with the median and
//! p95 in milliseconds.

// A benchmark prints its figures.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use mpath_lab::client::{lagg_status, request};
use mpath_lab::ha::{Chassis, HaLab, HaSpec, VIP};
use mpath_lab::Daemon;
use mpath_proto::RequestBody;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cause {
    Decrement,
    Resign,
    Switchover,
}

const CAUSES: [Cause; 3] = [Cause::Decrement, Cause::Resign, Cause::Switchover];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (laggd, watch, trials) = match args.as_slice() {
        [l, w] => (l.clone(), w.clone(), 20),
        [l, w, n] => (l.clone(), w.clone(), n.parse().unwrap_or(20)),
        _ => {
            eprintln!("usage: ha-bench LAGGD ARP-WATCH [TRIALS]");
            std::process::exit(2);
        }
    };
    println!(
        "{:<10} {:<11} {:>3} {:>10} {:>8} {:>8} {:>8}",
        "advert", "path", "n", "median_ms", "p95_ms", "min_ms", "max_ms"
    );
    for advert_cs in [100, 10] {
        let lab = HaLab::new(HaSpec {
            advert_cs,
            ..HaSpec::default()
        });
        let mut times: Vec<Vec<f64>> = vec![Vec::new(); CAUSES.len()];
        let bench = Bench::start(&lab, Path::new(&laggd), advert_cs);
        for _ in 0..trials {
            for (k, p) in CAUSES.iter().enumerate() {
                times[k].push(bench.trial(*p, Path::new(&watch)));
            }
        }
        for (k, p) in CAUSES.iter().enumerate() {
            let mut t = times[k].clone();
            t.sort_by(f64::total_cmp);
            let n = t.len();
            let at =
                |q: f64| t[((q * n as f64).ceil() as usize).clamp(1, n) - 1];
            println!(
                "{:<10} {:<11} {:>3} {:>10.0} {:>8.0} {:>8.0} {:>8.0}",
                format!("{}.{:02} s", advert_cs / 100, advert_cs % 100),
                format!("{p:?}").to_lowercase(),
                n,
                at(0.5),
                at(0.95),
                t[0],
                t[n - 1]
            );
        }
    }
}

struct Bench<'l> {
    lab: &'l HaLab,
    sock: std::path::PathBuf,
    laggd: Daemon,
    advert: Duration,
}

impl<'l> Bench<'l> {
    fn start(lab: &'l HaLab, laggd: &Path, advert_cs: u32) -> Bench<'l> {
        let conf = lab.dir().join("laggd.conf");
        std::fs::write(
            &conf,
            format!(
                "redundancy rg1 priority 120 failover-threshold 60 preempt \
                 track up0 decrement 50 track p0 decrement 70 \
                 keepalived {} vip {VIP}\n",
                lab.track_file().display()
            ),
        )
        .expect("laggd.conf");
        let sock = lab.dir().join("laggd.sock");
        let d = Daemon::spawn(
            &lab.chassis(Chassis::A),
            laggd,
            &[
                "-d",
                "-f",
                conf.to_str().unwrap_or_default(),
                "-s",
                sock.to_str().unwrap_or_default(),
            ],
            &lab.dir().join("laggd.log"),
        );
        let b = Bench {
            lab,
            sock,
            laggd: d,
            advert: Duration::from_millis(u64::from(advert_cs) * 10),
        };
        for _ in 0..250 {
            let active = lagg_status(&b.sock)
                .is_some_and(|s| s.redundancy[0].role == "active");
            if active {
                return b;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("laggd not up:\n{}", b.laggd.log());
    }

    /// One trial: milliseconds from the cause to B's first ARP reply
    /// seen by the client.
    fn trial(&self, p: Cause, watch: &Path) -> f64 {
        let mac_b = self.lab.mac(Chassis::B);
        let mut child = Command::new("ip")
            .args(["netns", "exec", &self.lab.ns("c")])
            .arg(watch)
            .args(["eth0", "192.0.2.50", VIP, &mac_b])
            .stdout(Stdio::piped())
            .spawn()
            .expect("arp-watch");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout"))
            .lines()
            .map_while(Result::ok);
        assert_eq!(lines.next().as_deref(), Some("ready"));
        let t0 = mpath_sys::clock::realtime_ns();
        match p {
            Cause::Decrement => self.lab.carrier("up0", false),
            Cause::Resign => self.lab.carrier("p0", false),
            Cause::Switchover => {
                request(
                    &self.sock,
                    RequestBody::Switchover {
                        group: "rg1".into(),
                        cancel: false,
                    },
                );
            }
        }
        let t1: i64 =
            lines
                .next()
                .and_then(|l| l.parse().ok())
                .unwrap_or_else(|| {
                    panic!("no answer from B:\n{}", self.laggd.log())
                });
        let _ = child.wait();
        match p {
            Cause::Decrement => self.lab.carrier("up0", true),
            Cause::Resign => self.lab.carrier("p0", true),
            Cause::Switchover => {
                request(
                    &self.sock,
                    RequestBody::Switchover {
                        group: "rg1".into(),
                        cancel: true,
                    },
                );
            }
        }
        let back = self.lab.wait_holder(Chassis::A, Duration::from_secs(20));
        assert!(back.is_some(), "A not back:\n{}", self.laggd.log());
        // Let both settle (B's advertisements stop, A's resume).
        std::thread::sleep(self.advert * 2 + Duration::from_millis(200));
        (t1 - t0) as f64 / 1e6
    }
}
