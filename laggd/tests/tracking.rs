//! Link-state tracking end to end, on the host kernel (no bonding
//! needed): two upstream interfaces and one downstream interface in the
//! namespace lab. When every upstream loses its link, laggd brings the
//! downstream interface down (err-disabled), so the servers behind it
//! fail over to their other NIC; when one upstream returns, it comes back.

use std::path::Path;
use std::time::{Duration, Instant};

use mpath_lab::{root_or_skip, Daemon, Lab, LabSpec, Ns};

fn admin_up(lab: &Lab, ifname: &str) -> bool {
    let out = lab.must(Ns::Host, &["ip", "-o", "link", "show", ifname]);
    out.split('<')
        .nth(1)
        .and_then(|f| f.split('>').next())
        .is_some_and(|flags| flags.split(',').any(|f| f == "UP"))
}

fn wait(within: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + within;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn downstream_follows_the_upstream_links() {
    if !root_or_skip("laggd tracking") {
        return;
    }
    let lab = Lab::new(LabSpec { members: 3 });
    let dir = std::env::temp_dir()
        .join(format!("laggd-tracking-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("laggd.conf");
    std::fs::write(
        &conf,
        "track-group uplinks upstream mp0 mp1 downstream mp2 health link\n",
    )
    .unwrap();
    let d = Daemon::spawn(
        &lab.ns(Ns::Host),
        Path::new(env!("CARGO_BIN_EXE_laggd")),
        &["-d", "-f", conf.to_str().unwrap()],
        &dir.join("laggd.log"),
    );
    std::thread::sleep(Duration::from_millis(500));
    assert!(admin_up(&lab, "mp2"), "{}", d.log());
    // One upstream down: the group is still up.
    lab.carrier(0, false);
    std::thread::sleep(Duration::from_millis(500));
    assert!(admin_up(&lab, "mp2"), "{}", d.log());
    // Every upstream down: the downstream is err-disabled.
    lab.carrier(1, false);
    let down = wait(Duration::from_secs(3), || !admin_up(&lab, "mp2"));
    assert!(down, "mp2 still up:\n{}", d.log());
    assert!(
        d.log().contains("link-state group uplinks: every upstream is down; bringing mp2 down"),
        "{}",
        d.log()
    );
    // One upstream back: the downstream returns.
    lab.carrier(1, true);
    let up = wait(Duration::from_secs(3), || admin_up(&lab, "mp2"));
    assert!(up, "mp2 still down:\n{}", d.log());
    drop(d);
    let _ = std::fs::remove_dir_all(&dir);
}
