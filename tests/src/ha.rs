//! A two-chassis lab for the HA engines: keepalived (Debian's, really
//! run) on chassis A and B sharing one VRRP instance and virtual address,
//! a client on the same segment, and on A the interfaces laggd tracks.
//!
//! ```text
//!   a ns (chassis A, laggd)     sw ns          b ns (chassis B)
//!   eth0 192.0.2.11 ──────────┐ br0 ┌──────── eth0 192.0.2.12
//!   up0 p0 p1 p2 p3           │     │
//!    │  (veths to far ns)     └──┬──┘
//!   far ns: a-up0 a-p0 ...       └──────────── c ns: eth0 192.0.2.50
//! ```
//!
//! Both run keepalived with `state BACKUP`, A at priority `prio_a`, B at
//! `prio_b`, one instance (vrid 51) holding 192.0.2.100/24 on eth0, and
//! A's instance reads the track file [`HaLab::track_file`] with
//! `weight 1`, as laggd.conf(5) shows. Setting a far side down takes the
//! carrier of A's interface down. Namespace names follow [`crate::Lab`]'s
//! (so a killed run is swept), and [`HaLab`]'s `Drop` stops keepalived and
//! deletes them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::lab::{must, run_cmd, sweep_stale, COUNTER};
use crate::proc::Daemon;

/// The virtual address.
pub const VIP: &str = "192.0.2.100";

/// A's interfaces whose far side can be cut.
pub const A_LINKS: [&str; 5] = ["up0", "p0", "p1", "p2", "p3"];

/// A chassis.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Chassis {
    /// Runs laggd; the higher priority.
    A,
    /// The peer.
    B,
}

impl Chassis {
    fn suffix(self) -> &'static str {
        match self {
            Chassis::A => "a",
            Chassis::B => "b",
        }
    }
}

/// How the lab's keepalived instances are set up.
#[derive(Clone, Copy, Debug)]
pub struct HaSpec {
    /// `advert_int`, in centiseconds (VRRPv3 resolution; 100 = 1 s).
    pub advert_cs: u32,
    /// A's keepalived priority.
    pub prio_a: u8,
    /// B's.
    pub prio_b: u8,
}

impl Default for HaSpec {
    fn default() -> HaSpec {
        HaSpec {
            advert_cs: 100,
            prio_a: 120,
            prio_b: 100,
        }
    }
}

/// The lab; dropping it stops keepalived and deletes the namespaces.
#[derive(Debug)]
pub struct HaLab {
    prefix: String,
    dir: PathBuf,
    keepalived: Vec<Daemon>,
}

impl HaLab {
    /// Builds the lab and starts keepalived on both chassis; returns once
    /// A holds the virtual address. Panics, after cleaning up, on failure.
    pub fn new(spec: HaSpec) -> HaLab {
        sweep_stale();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let prefix = format!("mpl{}x{}", std::process::id(), n);
        let dir = std::env::temp_dir().join(format!("{prefix}-ha"));
        std::fs::create_dir_all(&dir).expect("lab directory");
        let mut lab = HaLab {
            prefix,
            dir,
            keepalived: Vec::new(),
        };
        lab.build();
        for c in [Chassis::A, Chassis::B] {
            lab.start_keepalived(c, spec);
        }
        let master = lab.wait_holder(Chassis::A, Duration::from_secs(15));
        assert!(
            master.is_some(),
            "A never became master:\n{}",
            lab.keepalived_log(Chassis::A)
        );
        lab
    }

    /// A namespace's name: `a`, `b`, `c` (the client), `sw`, `far`.
    pub fn ns(&self, which: &str) -> String {
        format!("{}-{which}", self.prefix)
    }

    /// A chassis's namespace.
    pub fn chassis(&self, c: Chassis) -> String {
        self.ns(c.suffix())
    }

    /// A scratch directory of this lab (removed with it).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The track file A's keepalived reads.
    pub fn track_file(&self) -> PathBuf {
        self.dir.join("a.track")
    }

    fn ip(&self, ns: &str, args: &[&str]) -> String {
        must(
            Command::new("ip")
                .args(["netns", "exec", &self.ns(ns), "ip"])
                .args(args),
        )
    }

    fn build(&self) {
        for ns in ["sw", "a", "b", "c", "far"] {
            must(Command::new("ip").args(["netns", "add", &self.ns(ns)]));
            self.ip(ns, &["link", "set", "lo", "up"]);
            // IPv4 only: no DAD or router solicitations in the timings.
            let _ = run_cmd(
                Command::new("ip")
                    .args(["netns", "exec", &self.ns(ns), "sysctl", "-qw"])
                    .arg("net.ipv6.conf.all.disable_ipv6=1"),
            );
        }
        self.ip(
            "sw",
            &["link", "add", "br0", "type", "bridge", "forward_delay", "0"],
        );
        self.ip("sw", &["link", "set", "br0", "up"]);
        for (ns, addr) in [
            ("a", "192.0.2.11/24"),
            ("b", "192.0.2.12/24"),
            ("c", "192.0.2.50/24"),
        ] {
            let port = format!("s{ns}");
            self.ip(
                "sw",
                &[
                    "link",
                    "add",
                    &port,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "eth0",
                    "netns",
                    &self.ns(ns),
                ],
            );
            self.ip("sw", &["link", "set", &port, "master", "br0", "up"]);
            self.ip(ns, &["addr", "add", addr, "dev", "eth0"]);
            self.ip(ns, &["link", "set", "eth0", "up"]);
        }
        for l in A_LINKS {
            let far = format!("a-{l}");
            self.ip(
                "a",
                &[
                    "link",
                    "add",
                    l,
                    "type",
                    "veth",
                    "peer",
                    "name",
                    &far,
                    "netns",
                    &self.ns("far"),
                ],
            );
            self.ip("a", &["link", "set", l, "up"]);
            self.ip("far", &["link", "set", &far, "up"]);
        }
    }

    fn start_keepalived(&mut self, c: Chassis, spec: HaSpec) {
        let s = c.suffix();
        let (prio, track) = match c {
            Chassis::A => (
                spec.prio_a,
                "  track_file {\n    laggd_rg1 weight 1\n  }\n".to_string(),
            ),
            Chassis::B => (spec.prio_b, String::new()),
        };
        let file = self.dir.join(format!("{s}.track"));
        std::fs::write(&file, "0\n").expect("track file");
        let advert =
            format!("{}.{:02}", spec.advert_cs / 100, spec.advert_cs % 100);
        let version = if spec.advert_cs.is_multiple_of(100) {
            2
        } else {
            3
        };
        let conf = format!(
            "global_defs {{\n  router_id {s}\n  vrrp_version {version}\n}}\n\
             track_file laggd_rg1 {{\n  file {}\n}}\n\
             vrrp_instance VI_1 {{\n  state BACKUP\n  interface eth0\n  \
             virtual_router_id 51\n  priority {prio}\n  advert_int {advert}\n  \
             virtual_ipaddress {{\n    {VIP}/24\n  }}\n{track}}}\n",
            file.display()
        );
        let path = self.dir.join(format!("{s}.conf"));
        std::fs::write(&path, conf).expect("keepalived.conf");
        let arg = |name: &str| {
            self.dir.join(format!("{s}.{name}")).display().to_string()
        };
        let d = Daemon::spawn(
            &self.ns(s),
            Path::new("keepalived"),
            &[
                "-n",
                "-l",
                "-D",
                "-f",
                &path.display().to_string(),
                "-p",
                &arg("pid"),
                "-r",
                &arg("vrrp.pid"),
                "-c",
                &arg("check.pid"),
            ],
            &self.dir.join(format!("{s}.log")),
        );
        self.keepalived.push(d);
    }

    /// Kills a chassis's keepalived, as a failure would: no last
    /// advertisement.
    pub fn stop_keepalived(&mut self, c: Chassis) {
        let i = match c {
            Chassis::A => 0,
            Chassis::B => 1,
        };
        if let Some(d) = self.keepalived.get_mut(i) {
            d.signal("KILL");
            let _ = d.wait_exit(Duration::from_secs(3));
        }
    }

    /// What a chassis's keepalived logged.
    pub fn keepalived_log(&self, c: Chassis) -> String {
        std::fs::read_to_string(self.dir.join(format!("{}.log", c.suffix())))
            .unwrap_or_default()
    }

    /// Whether `c` has the virtual address.
    pub fn holds(&self, c: Chassis) -> bool {
        self.ip(c.suffix(), &["-o", "addr", "show", "dev", "eth0"])
            .contains(&format!(" {VIP}/"))
    }

    /// The one chassis with the virtual address, if exactly one has it.
    pub fn holder(&self) -> Option<Chassis> {
        match (self.holds(Chassis::A), self.holds(Chassis::B)) {
            (true, false) => Some(Chassis::A),
            (false, true) => Some(Chassis::B),
            _ => None,
        }
    }

    /// Waits until `c` alone holds the address; how long that took.
    pub fn wait_holder(
        &self,
        c: Chassis,
        within: Duration,
    ) -> Option<Duration> {
        let start = Instant::now();
        while start.elapsed() < within {
            if self.holder() == Some(c) {
                return Some(start.elapsed());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    /// Whether `c` still holds the address after `d` (it never left).
    pub fn keeps(&self, c: Chassis, d: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < d {
            if self.holder() != Some(c) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Takes the carrier of A's interface `link` down (its far side
    /// down) or back up.
    pub fn carrier(&self, link: &str, up: bool) {
        let far = format!("a-{link}");
        let state = if up { "up" } else { "down" };
        self.ip("far", &["link", "set", &far, state]);
    }

    /// A chassis's eth0 hardware address, as `ip` prints it.
    pub fn mac(&self, c: Chassis) -> String {
        let out = self.ip(c.suffix(), &["-o", "link", "show", "dev", "eth0"]);
        out.split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_default()
            .to_string()
    }
}

impl Drop for HaLab {
    fn drop(&mut self) {
        for d in &self.keepalived {
            d.signal("TERM");
        }
        for d in &mut self.keepalived {
            if d.wait_exit(Duration::from_secs(3)).is_none() {
                d.signal("KILL");
            }
        }
        self.keepalived.clear();
        for ns in ["a", "b", "c", "sw", "far"] {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(ns)])
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
