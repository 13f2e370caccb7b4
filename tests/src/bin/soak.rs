//! The soak: a daemon left running in the namespace lab for
//! SOAK_MINUTES (default 30) under 5 % random loss on every member's
//! path, while `tests/soak` keeps both CPUs busy; figures are printed,
//! nothing is asserted (the script judges the false failures).
//!
//! - **mpathd** (the lab's usual configuration, `BASE`: FDT 1000 ms,
//!   two members, two targets, a data address on each): every 5
//!   minutes a real path cut of mp0 (nftables drops its frames, its link
//!   stays up), timed to the failure and to the failover, then repaired.
//!   Any other "IP interface failure detected" is a false failure.
//! - **laggd** (link-state tracking: upstream mp0 mp1, downstream mp2):
//!   one upstream at a time flaps every 5-15 s (one flap in three
//!   handing over to the other in the same instant), which must never
//!   bring mp2 down; every 5 minutes both upstreams lose carrier (a real
//!   cut), timed to mp2 being err-disabled and, after one upstream
//!   returns, to mp2 being restored.
//!
//! Both print the daemon's resident memory at the start (after a
//! minute's warm-up) and at the end. SOAK_PARTS picks the parts
//! (default `mpathd laggd`); SOAK_CUT_SECONDS the time between real
//! cuts (default 300).

// A soak prints its figures by design.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use mpath_lab::client::{lagg_status, status};
use mpath_lab::events::{watch, Shell};
use mpath_lab::mpathd::{wait, BASE};
use mpath_lab::{
    env_or, root_or_skip, sibling_binary, Daemon, Lab, LabSpec, Ns,
};

const MINUTE: Duration = Duration::from_secs(60);

/// How often a real cut is made: SOAK_CUT_SECONDS, default 300.
fn cut_every() -> Duration {
    Duration::from_secs(env_or("SOAK_CUT_SECONDS", 300))
}
const LOSS_PERCENT: u32 = 5;

/// Resident memory of process `pid`, in kB.
fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A small xorshift, seeded from the clock: flap timings only.
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Rng(u64::from(t.subsec_nanos()) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

/// The daemon's events, sorted as they arrive into false failures (a
/// failure event outside the window of a real cut) and the rest; the
/// daemon's memory sampled once a minute.
struct Watcher {
    events: Receiver<(Instant, String)>,
    /// What marks a failure event.
    failure: &'static str,
    /// While a real cut is on: what a failure event of that cut
    /// contains.
    window: Option<&'static str>,
    false_failures: Vec<(Duration, String)>,
    real_failures: usize,
    started: Instant,
    pid: u32,
    rss: Vec<u64>,
    next_rss: Instant,
}

impl Watcher {
    fn new(sock: &Path, failure: &'static str, pid: u32) -> Watcher {
        let now = Instant::now();
        Watcher {
            events: watch(sock),
            failure,
            window: None,
            false_failures: Vec::new(),
            real_failures: 0,
            started: now,
            pid,
            rss: Vec::new(),
            next_rss: now + MINUTE,
        }
    }

    fn sort(&mut self, at: Instant, m: &str) {
        if std::env::var_os("SOAK_VERBOSE").is_some() {
            let when = at.duration_since(self.started).as_secs_f64();
            println!("  {when:8.3} s {m}");
        }
        if !m.contains(self.failure) {
            return;
        }
        if self.window.is_some_and(|w| m.contains(w)) {
            self.real_failures += 1;
        } else {
            let when = at.duration_since(self.started);
            println!("  FALSE FAILURE at {:.1} s: {m}", when.as_secs_f64());
            self.false_failures.push((when, m.to_string()));
        }
    }

    fn sample_rss(&mut self) {
        if Instant::now() >= self.next_rss {
            self.rss.push(rss_kb(self.pid));
            self.next_rss += MINUTE;
        }
    }

    /// Sorts events until `until`.
    fn pump(&mut self, until: Instant) {
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            self.sample_rss();
            let left = left.min(Duration::from_secs(1));
            if let Ok((at, m)) = self.events.recv_timeout(left) {
                self.sort(at, &m);
            }
        }
    }

    /// The arrival of the first event containing `needle` within
    /// `within`, sorting every event on the way.
    fn wait_for(&mut self, needle: &str, within: Duration) -> Option<Instant> {
        let end = Instant::now() + within;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            self.sample_rss();
            let left = left.min(Duration::from_secs(1));
            if let Ok((at, m)) = self.events.recv_timeout(left) {
                self.sort(at, &m);
                if m.contains(needle) {
                    return Some(at);
                }
            }
        }
        None
    }

    fn rss_line(&self, daemon: &str) {
        let (Some(first), Some(last)) = (self.rss.first(), self.rss.last())
        else {
            println!("{daemon} RSS: not sampled (run shorter than a minute)");
            return;
        };
        let max = self.rss.iter().max().copied().unwrap_or(0);
        println!(
            "{daemon} RSS: {first} kB after the first minute, {last} kB at \
             the end ({:+} kB), {max} kB at most, {} samples",
            *last as i64 - *first as i64,
            self.rss.len()
        );
    }
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn times(what: &str, v: &[Duration]) {
    let list: Vec<String> = v.iter().map(|d| ms(*d)).collect();
    println!("{what}: {}", list.join(", "));
}

/// A directory for one part's files, removed at the end.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let d = std::env::temp_dir()
            .join(format!("mpath-soak-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).expect("soak directory");
        Dir(d)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spawn(lab: &Lab, dir: &Dir, name: &str, conf: &str) -> (Daemon, PathBuf) {
    let conf_path = dir.path(&format!("{name}.conf"));
    std::fs::write(&conf_path, conf).expect("configuration");
    let sock = dir.path(&format!("{name}.sock"));
    let d = Daemon::spawn(
        &lab.ns(Ns::Host),
        &sibling_binary(name),
        &[
            "-d",
            "-f",
            conf_path.to_str().expect("path"),
            "-s",
            sock.to_str().expect("path"),
        ],
        &dir.path(&format!("{name}.log")),
    );
    (d, sock)
}

fn mpathd(minutes: u64) -> usize {
    println!(
        "== mpathd: {minutes} min, FDT 1000 ms, {LOSS_PERCENT} % random loss \
         on both members, a real path cut of mp0 every 5 min"
    );
    let lab = Lab::new(LabSpec { members: 2 });
    let dir = Dir::new("mpathd");
    let (d, sock) = spawn(&lab, &dir, "mpathd", BASE);
    let healthy = wait(Duration::from_secs(30), || {
        status(&sock).is_some_and(|s| {
            s.interfaces.iter().all(|i| i.state == "ok")
                && s.addresses.iter().all(|a| a.host.as_ref() == Some(&a.home))
        })
    });
    assert!(healthy, "mpathd did not become healthy:\n{}", d.log());
    for i in 0..lab.members() {
        lab.random_loss(i, LOSS_PERCENT);
    }
    let mut w = Watcher::new(&sock, "IP interface failure detected", d.pid());
    let mut nft = Shell::new(&lab.ns(Ns::Sw), &["nft", "-i"]);
    let start = Instant::now();
    let end = start + MINUTE * minutes as u32;
    let mut next_cut = start + cut_every();
    let (mut detected, mut failed_over, mut missed) = (vec![], vec![], 0);
    let mut cuts = 0;
    loop {
        w.pump(next_cut.min(end));
        // A cut must have time to finish before the end.
        if next_cut + Duration::from_secs(30) > end {
            break;
        }
        cuts += 1;
        w.window = Some("on mp0");
        let t0 = Instant::now();
        nft.run("add element bridge lab cut { \"s0\" }");
        let failed = w.wait_for(
            "IP interface failure detected on mp0",
            Duration::from_secs(10),
        );
        let moved = failed.and_then(|_| {
            w.wait_for(
                "Successfully failed over from NIC mp0",
                Duration::from_secs(5),
            )
        });
        match (failed, moved) {
            (Some(f), Some(m)) => {
                detected.push(f - t0);
                failed_over.push(m - t0);
            }
            _ => missed += 1,
        }
        nft.run("delete element bridge lab cut { \"s0\" }");
        w.wait_for("IP interface repair detected on mp0", MINUTE);
        w.wait_for(
            "Successfully failed back to NIC mp0",
            Duration::from_secs(5),
        );
        w.window = None;
        next_cut += cut_every();
    }
    let took = start.elapsed();
    let st = status(&sock).expect("final status");
    let (mut sent, mut answered, mut lost, mut late) = (0, 0, 0, 0);
    for p in st.interfaces.iter().flat_map(|i| &i.paths) {
        sent += p.probes.sent;
        answered += p.probes.answered;
        lost += p.probes.lost;
        late += p.probes.late;
    }
    let failures: u64 = st.interfaces.iter().map(|i| i.counters.failures).sum();
    println!(
        "mpathd ran {:.1} min: probes sent {sent}, answered {answered}, lost \
         {lost} ({:.2} %, real cuts included), late {late}",
        took.as_secs_f64() / 60.0,
        lost as f64 * 100.0 / sent.max(1) as f64
    );
    println!(
        "mpathd real path cuts: {cuts}, detected {}, missed {missed}; \
         failures counted by mpathd {failures}, failovers {}, failbacks {}",
        detected.len(),
        st.groups[0].counters.failovers,
        st.groups[0].counters.failbacks
    );
    times("mpathd path cut -> failure detected", &detected);
    times(
        "mpathd path cut -> failed over (address moved)",
        &failed_over,
    );
    println!("mpathd false failures: {}", w.false_failures.len());
    w.rss_line("mpathd");
    w.false_failures.len() + missed
}

const LAGGD_CONF: &str =
    "track-group uplinks upstream mp0 mp1 downstream mp2 health link\n";

fn laggd(minutes: u64) -> usize {
    println!(
        "== laggd link-state tracking: {minutes} min, {LOSS_PERCENT} % random \
         loss on every member, one upstream flapping every 5-15 s, both \
         upstreams cut every 5 min"
    );
    let lab = Lab::new(LabSpec { members: 3 });
    let dir = Dir::new("laggd");
    let (d, sock) = spawn(&lab, &dir, "laggd", LAGGD_CONF);
    let up = wait(Duration::from_secs(30), || {
        lagg_status(&sock).is_some_and(|s| {
            s.tracking[0].state == "up"
                && s.tracking[0].upstream.iter().all(|u| u.state == "up")
        })
    });
    assert!(up, "laggd did not start:\n{}", d.log());
    for i in 0..lab.members() {
        lab.random_loss(i, LOSS_PERCENT);
    }
    let mut w = Watcher::new(&sock, "every upstream is down", d.pid());
    let mut ip = Shell::new(&lab.ns(Ns::Sw), &["ip", "-batch", "-"]);
    let mut rng = Rng::new();
    let start = Instant::now();
    let end = start + MINUTE * minutes as u32;
    let mut next_cut = start + cut_every();
    let (mut disabled, mut restored, mut missed) = (vec![], vec![], 0);
    let (mut cuts, mut flaps) = (0, 0);
    while Instant::now() < end {
        if Instant::now() >= next_cut
            && next_cut + Duration::from_secs(30) <= end
        {
            cuts += 1;
            w.window = Some("uplinks");
            let t0 = Instant::now();
            ip.run("link set s0 down");
            ip.run("link set s1 down");
            let down = w.wait_for("bringing mp2 down", Duration::from_secs(10));
            std::thread::sleep(Duration::from_secs(2));
            let t1 = Instant::now();
            ip.run("link set s0 up");
            let back = w.wait_for("restoring mp2", Duration::from_secs(10));
            match (down, back) {
                (Some(a), Some(b)) => {
                    disabled.push(a - t0);
                    restored.push(b - t1);
                }
                _ => missed += 1,
            }
            ip.run("link set s1 up");
            w.pump(Instant::now() + Duration::from_secs(3));
            w.window = None;
            next_cut += cut_every();
            continue;
        }
        // One upstream flaps: the other stays up, so mp2 must stay up.
        // One flap in three hands over: the flapping upstream returns
        // in the same instant as the other leaves, then that one
        // returns (the case that once bounced mp2).
        flaps += 1;
        let i = rng.below(2);
        let hold = |rng: &mut Rng| {
            Instant::now() + Duration::from_millis(500 + rng.below(2500))
        };
        ip.run(&format!("link set s{i} down"));
        w.pump(hold(&mut rng));
        ip.run(&format!("link set s{i} up"));
        if rng.below(3) == 0 {
            ip.run(&format!("link set s{} down", 1 - i));
            w.pump(hold(&mut rng));
            ip.run(&format!("link set s{} up", 1 - i));
        }
        let pause = Duration::from_millis(5000 + rng.below(10_000));
        let mut until = (Instant::now() + pause).min(end);
        if next_cut > Instant::now() {
            until = until.min(next_cut);
        }
        w.pump(until);
    }
    let took = start.elapsed();
    let st = lagg_status(&sock).expect("final status");
    println!(
        "laggd ran {:.1} min: single-upstream flaps {flaps}, real cuts \
         {cuts}, handled {}, missed {missed}; the group went down {} times",
        took.as_secs_f64() / 60.0,
        disabled.len(),
        st.tracking[0].downs
    );
    times("laggd both upstreams down -> mp2 err-disabled", &disabled);
    times("laggd one upstream back -> mp2 restored", &restored);
    println!("laggd false failures: {}", w.false_failures.len());
    w.rss_line("laggd");
    w.false_failures.len() + missed
}

fn main() {
    if !root_or_skip("soak") {
        std::process::exit(1);
    }
    let minutes: u64 = env_or("SOAK_MINUTES", 30);
    let parts: String = env_or("SOAK_PARTS", "mpathd laggd".into());
    let mut bad = 0;
    for part in parts.split_whitespace() {
        bad += match part {
            "mpathd" => mpathd(minutes),
            "laggd" => laggd(minutes),
            other => {
                println!("unknown SOAK_PARTS entry `{other}`");
                1
            }
        };
    }
    println!("soak: {bad} false failures or missed cuts in all");
    std::process::exit(i32::from(bad > 0));
}
