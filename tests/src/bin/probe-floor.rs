//! The floor under mpathd's CPU figures (`tests/bench-scale`): the same
//! probes through the same sockets at the same rate, with no engine.
//!
//! It opens `mpath_sys::probes::ProbeSockets` for N members (`m0` ...,
//! test address 198.18.(4 + i/250).(i%250 + 1), as the benchmark's lab
//! has them), sends each member's probes at mpathd's rate (7 a second at
//! FDT 1000 ms, alternating the two targets 198.18.0.1 and 198.18.0.2),
//! in turns paced as mpathd's driver paces them at that FDT (4.5 ms,
//! `mpath_core::probe::timer_slack`), and reads every reply. As mpathd
//! does, it queues a turn's probes (`ProbeSockets::send`), sends them
//! with one `ProbeSockets::flush` at the end of the turn, and reads
//! replies a batch at a time. What it costs is what the kernel, the
//! lab's forwarding (which runs in the sender's system calls) and the
//! system calls cost for that traffic; what mpathd costs beyond it is
//! mpathd's own. A benchmark tool: it runs until killed and prints
//! nothing but errors.
//!
//! Usage: `probe-floor N` in the lab's host namespace, as root.

// A benchmark tool reports on stderr.
#![allow(clippy::print_stderr)]

use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::RawFd;
use std::time::Duration;

use mpath_core::addr::Family;
use mpath_core::mpathd::engine::ProbePath;
use mpath_core::probe::{ProbeKind, ProbeRequest};
use mpath_core::time::Instant;
use mpath_sys::probes::ProbeSockets;
use mpath_sys::{clock, ifindex};

/// The benchmark's failure detection time.
const FDT: Duration = Duration::from_millis(1000);

/// Probes per path per second at FDT 1000 ms (FDT / 7).
const PER_SECOND: u64 = 7;

fn test_address(i: usize) -> IpAddr {
    let hi = u8::try_from(4 + i / 250).unwrap_or(u8::MAX);
    let lo = u8::try_from(i % 250 + 1).unwrap_or(u8::MAX);
    IpAddr::V4(Ipv4Addr::new(198, 18, hi, lo))
}

struct Path {
    ifindex: u32,
    next: Instant,
    seq: u16,
}

fn main() {
    let n: usize = match std::env::args().nth(1).map(|a| a.parse()) {
        Some(Ok(n)) if n > 0 => n,
        _ => {
            eprintln!("usage: probe-floor N");
            std::process::exit(64);
        }
    };
    // The shortest time between two turns, as mpathd's driver.
    let turn = mpath_core::probe::timer_slack(FDT);
    let interval = Duration::from_nanos(1_000_000_000 / PER_SECOND);
    let mut sockets = ProbeSockets::new();
    let mut fds: Vec<RawFd> = Vec::new();
    let mut paths = Vec::with_capacity(n);
    let start = clock::now();
    for i in 0..n {
        let ifname = format!("m{i}");
        let ifindex = match ifindex::name_to_index(&ifname) {
            Ok(x) => x,
            Err(e) => {
                eprintln!("probe-floor: {ifname}: {e}");
                std::process::exit(1);
            }
        };
        let p = ProbePath {
            ifname,
            ifindex,
            family: Family::V4,
            src: test_address(i),
        };
        match sockets.open(&p) {
            Ok(fd) => fds.extend(fd),
            Err(e) => {
                eprintln!("probe-floor: {}: {e}", p.ifname);
                std::process::exit(1);
            }
        }
        // Spread the paths over the interval, as mpathd's random phases.
        let phase = interval.mul_f64(i as f64 / n as f64);
        paths.push(Path {
            ifindex,
            next: start + phase,
            seq: 0,
        });
    }
    let targets = [
        IpAddr::V4(Ipv4Addr::new(198, 18, 0, 1)),
        IpAddr::V4(Ipv4Addr::new(198, 18, 0, 2)),
    ];
    let id = u16::try_from(std::process::id() & 0xffff).unwrap_or(0);
    // Every path has the same interval and the phases rise with the
    // index, so the due paths are always the next ones after the last
    // sent: a cursor finds them without looking at the others.
    let mut cursor = 0;
    loop {
        std::thread::sleep(turn);
        let now = clock::now();
        for fd in &fds {
            while let Ok(Some(_)) = sockets.recv(*fd) {}
        }
        loop {
            let p = &mut paths[cursor];
            if p.next > now {
                break;
            }
            {
                p.seq = p.seq.wrapping_add(1);
                let req = ProbeRequest {
                    kind: ProbeKind::Uni,
                    dst: targets[usize::from(p.seq % 2)],
                    id,
                    seq: p.seq,
                    nonce: u64::from(p.seq),
                    sent_at: now,
                };
                if let Err(e) = sockets.send(p.ifindex, Family::V4, &req) {
                    eprintln!("probe-floor: send: {e}");
                }
                p.next += interval;
            }
            cursor = (cursor + 1) % n;
        }
        sockets.flush(|(ifindex, _), e| {
            eprintln!("probe-floor: send on interface {ifindex}: {e}");
        });
    }
}
