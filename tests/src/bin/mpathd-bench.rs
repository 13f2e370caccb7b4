//! Measures mpathd in the namespace lab and prints figures (a benchmark,
//! not a test: nothing here asserts). Run as root: `bash tests/bench`.
//!
//! 1. Carrier loss on the member hosting a data address until the address
//!    is moved and announced (the "Successfully failed over" event, which
//!    the daemon emits after the remove, add and announcement).
//! 2. Path cut with the link up until "IP interface failure detected",
//!    for FDT 1000 ms and 100 ms.
//! 3. False failures during a run at FDT 100 ms with 2 % random loss on
//!    every member's path.
//!
//! Changes are made through long-lived `ip -batch` and `nft -i` processes
//! so that no process start-up sits inside a measurement; events are
//! timestamped as they arrive on the control socket's watch stream.

// A benchmark prints its figures by design.
#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use mpath_lab::client::status;
use mpath_lab::events::{drain, wait_event, watch, Shell};
use mpath_lab::{
    env_or, root_or_skip, sibling_binary, Daemon, Lab, LabSpec, Ns,
};

struct Stats(Vec<f64>);

impl Stats {
    fn pct(&self, p: f64) -> f64 {
        let mut v = self.0.clone();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        v[i.min(v.len() - 1)]
    }
    fn line(&self, what: &str) {
        println!(
            "{what:<44} n={:<3} median {:>7.1} ms  p99 {:>7.1} ms  min {:>7.1}  max {:>7.1}",
            self.0.len(),
            self.pct(50.0),
            self.pct(99.0),
            self.pct(0.0),
            self.pct(100.0)
        );
    }
}

struct Run {
    lab: Lab,
    _mpathd: Daemon,
    sock: PathBuf,
    dir: PathBuf,
}

fn start(fdt: u32, name: &str) -> Run {
    let lab = Lab::new(LabSpec { members: 2 });
    let dir = std::env::temp_dir()
        .join(format!("mpathd-bench-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let conf = dir.join("mpathd.conf");
    std::fs::write(
        &conf,
        format!(
            "FAILURE_DETECTION_TIME={fdt}\n\
             group ipmp0 target 192.0.2.1 192.0.2.2\n\
             interface mp0 group ipmp0 test 192.0.2.11/24\n\
             interface mp1 group ipmp0 test 192.0.2.12/24\n\
             address 192.0.2.10/24 on mp0\n"
        ),
    )
    .expect("conf");
    let sock = dir.join("sock");
    let d = Daemon::spawn(
        &lab.ns(Ns::Host),
        &sibling_binary("mpathd"),
        &[
            "-d",
            "-f",
            conf.to_str().unwrap(),
            "-s",
            sock.to_str().unwrap(),
        ],
        &dir.join("log"),
    );
    let end = Instant::now() + Duration::from_secs(20);
    while Instant::now() < end {
        let ok = status(&sock).is_some_and(|s| {
            s.interfaces.iter().all(|i| {
                i.state == "ok"
                    && i.paths.iter().all(|p| {
                        p.targets.iter().any(|t| t.rtt_avg_us.is_some())
                    })
            })
        });
        if ok {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Run {
        lab,
        _mpathd: d,
        sock,
        dir,
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn wait_home(run: &Run) {
    let end = Instant::now() + Duration::from_secs(30);
    while Instant::now() < end {
        let ok = status(&run.sock).is_some_and(|s| {
            s.interfaces.iter().all(|i| i.state == "ok")
                && s.addresses.iter().all(|a| a.host.as_deref() == Some("mp0"))
        });
        if ok {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn carrier_trials(n: usize) {
    let run = start(1000, "carrier");
    let events = watch(&run.sock);
    let mut ip = Shell::new(&run.lab.ns(Ns::Sw), &["ip", "-batch", "-"]);
    let mut st = Stats(Vec::new());
    for _ in 0..n {
        wait_home(&run);
        drain(&events);
        let t0 = Instant::now();
        ip.run("link set s0 down");
        if let Some(at) = wait_event(
            &events,
            "Successfully failed over from NIC mp0",
            Duration::from_secs(5),
        ) {
            st.0.push(at.duration_since(t0).as_secs_f64() * 1000.0);
        }
        ip.run("link set s0 up");
        wait_event(
            &events,
            "Successfully failed back to NIC mp0",
            Duration::from_secs(10),
        );
    }
    st.line("carrier loss -> address moved and announced");
}

fn cut_trials(fdt: u32, n: usize) -> Stats {
    let run = start(fdt, &format!("cut{fdt}"));
    let events = watch(&run.sock);
    let mut nft = Shell::new(&run.lab.ns(Ns::Sw), &["nft", "-i"]);
    let mut st = Stats(Vec::new());
    let settle = Duration::from_millis(u64::from(fdt) * 2);
    for _ in 0..n {
        wait_home(&run);
        // Cut at a random point of the probe cycle.
        std::thread::sleep(
            settle
                + Duration::from_micros(u64::from(rand_u32() % (fdt * 1000))),
        );
        drain(&events);
        let t0 = Instant::now();
        nft.run("add element bridge lab cut { \"s0\" }");
        if let Some(at) = wait_event(
            &events,
            "IP interface failure detected on mp0",
            Duration::from_millis(u64::from(fdt) * 5),
        ) {
            st.0.push(at.duration_since(t0).as_secs_f64() * 1000.0);
        }
        nft.run("delete element bridge lab cut { \"s0\" }");
        wait_event(
            &events,
            "IP interface repair detected on mp0",
            Duration::from_millis(u64::from(fdt) * 10),
        );
    }
    st
}

fn rand_u32() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    t.subsec_nanos().wrapping_mul(2654435761)
}

fn false_failures(secs: u64) {
    let run = start(100, "loss");
    let events = watch(&run.sock);
    run.lab.random_loss(0, 2);
    run.lab.random_loss(1, 2);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut failures = 0;
    let mut fdt_raised = 0;
    while let Some(left) = end.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok((_, m)) if m.contains("IP interface failure detected") => {
                failures += 1
            }
            Ok((_, m))
                if m.contains(
                    "Cannot meet requested failure detection time",
                ) =>
            {
                fdt_raised += 1
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let probes = status(&run.sock).map(|s| s.interfaces.len()).unwrap_or(0);
    println!(
        "false failures at FDT 100 ms, 2 % random loss, {secs} s x {probes} members: {failures} \
         (FDT raised {fdt_raised} times; ~{} probes per member)",
        secs * 1000 * 7 / 100
    );
}

fn main() {
    if !root_or_skip("mpathd-bench") {
        std::process::exit(1);
    }
    let n: usize = env_or("TRIALS", 50);
    let loss_secs: u64 = env_or("LOSS_SECONDS", 120);
    println!("mpathd benchmark: {n} trials each (TRIALS=), lab in network namespaces");
    carrier_trials(n);
    for fdt in [1000u32, 100] {
        let st = cut_trials(fdt, n);
        st.line(&format!("path cut -> failure detected, FDT {fdt} ms"));
        println!(
            "{:<44} worst {:.1} ms = {:.2} x FDT; {} of {n} within FDT",
            "",
            st.pct(100.0),
            st.pct(100.0) / f64::from(fdt),
            st.0.iter().filter(|v| **v <= f64::from(fdt)).count()
        );
    }
    false_failures(loss_secs);
}
