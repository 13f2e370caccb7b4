//! The newcomer's demo: mpathd on a built-in lab. It shows the group
//! healthy, cuts a path behind one member while its link stays up, shows
//! the failover and the log lines, repairs the path, shows the failback,
//! and cleans up. Run as root: `bash tests/demo`.

// A terminal demo prints by design.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mpath_lab::client::status;
use mpath_lab::{root_or_skip, Daemon, Lab, LabSpec, Ns};

const CONFIG: &str = "\
# The demo lab: three members on one switch; mp2 is a standby.
FAILURE_DETECTION_TIME=1000
FAILBACK=yes

group ipmp0 target 192.0.2.1 192.0.2.2
interface mp0 group ipmp0 test 192.0.2.11/24
interface mp1 group ipmp0 test 192.0.2.12/24
interface mp2 group ipmp0 standby test 192.0.2.13/24
address 192.0.2.10/24 on mp0
address 192.0.2.20/24 on mp1
";

fn say(s: &str) {
    println!("\n\x1b[1m### {s}\x1b[0m");
}

/// Shows the state the way an operator would: with ifctl.
fn show(sock: &Path) {
    for args in [&[][..], &["-i"][..]] {
        let out = std::process::Command::new(binary("ifctl"))
            .arg("-s")
            .arg(sock)
            .args(args)
            .output();
        let cmd = format!("ifctl {}", args.join(" "));
        println!("$ {}", cmd.trim_end());
        match out {
            Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
            Err(e) => println!("cannot run ifctl: {e}"),
        }
    }
}

fn wait(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().expect("bin dir").join(name)
}

fn new_log_lines(d: &Daemon, seen: &mut usize) {
    let log = d.log();
    let lines: Vec<&str> = log.lines().collect();
    for l in lines.iter().skip(*seen) {
        if !l.contains("debug:") {
            println!("  {l}");
        }
    }
    *seen = lines.len();
}

fn main() {
    if !root_or_skip("mpathd-demo") {
        std::process::exit(1);
    }
    let dir = std::env::temp_dir()
        .join(format!("mpathd-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let conf = dir.join("mpathd.conf");
    let sock = dir.join("mpathd.sock");
    std::fs::write(&conf, CONFIG).expect("write config");

    say("building the lab: host (mp0 mp1 mp2) -- switch -- router 192.0.2.1, target 192.0.2.2, peer 192.0.2.100");
    let lab = Lab::new(LabSpec { members: 3 });
    println!("namespaces: {} {} ...", lab.ns(Ns::Host), lab.ns(Ns::Sw));
    say(&format!("configuration {}", conf.display()));
    print!("{CONFIG}");

    say("starting mpathd -d in the host namespace");
    let d = Daemon::spawn(
        &lab.ns(Ns::Host),
        &binary("mpathd"),
        &[
            "-d",
            "-f",
            conf.to_str().unwrap(),
            "-s",
            sock.to_str().unwrap(),
        ],
        &dir.join("mpathd.log"),
    );
    let mut seen = 0;
    let healthy = wait(Duration::from_secs(15), || {
        status(&sock).is_some_and(|s| {
            s.groups.first().is_some_and(|g| g.state == "ok")
                && s.interfaces.iter().all(|i| i.probe == "ok")
        })
    });
    new_log_lines(&d, &mut seen);
    if !healthy {
        println!("mpathd did not become healthy:\n{}", d.log());
        std::process::exit(1);
    }
    show(&sock);
    let (s, r) = lab.ping(Ns::Peer, "192.0.2.10", 3, "0.2");
    println!("peer -> 192.0.2.10: {r}/{s} replies");

    say("cutting the path behind mp0 in the switch (nftables); mp0's link stays up");
    let cut = Instant::now();
    lab.cut_path(0);
    let moved = wait(Duration::from_secs(5), || {
        lab.holder("192.0.2.10/24") == Ok(2)
    });
    let took = cut.elapsed();
    new_log_lines(&d, &mut seen);
    println!(
        "192.0.2.10 moved: {moved}, {} ms after the cut",
        took.as_millis()
    );
    show(&sock);
    let (s, r) = lab.ping(Ns::Peer, "192.0.2.10", 3, "0.2");
    println!("peer -> 192.0.2.10: {r}/{s} replies (now via mp2, the standby)");

    say(
        "repairing the path; ten consecutive replies repair mp0, then failback",
    );
    lab.restore_path(0);
    let back = wait(Duration::from_secs(8), || {
        lab.holder("192.0.2.10/24") == Ok(0)
    });
    new_log_lines(&d, &mut seen);
    println!("192.0.2.10 back on mp0: {back}");
    show(&sock);

    say("stopping mpathd (SIGTERM) and removing the lab");
    d.signal("TERM");
    std::thread::sleep(Duration::from_millis(300));
    new_log_lines(&d, &mut seen);
    drop(d);
    drop(lab);
    let _ = std::fs::remove_dir_all(Path::new(&dir));
    println!("done");
}
