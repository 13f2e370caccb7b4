//! Building, changing and tearing down the namespace lab.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub(crate) static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The namespaces of a lab.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ns {
    /// Runs mpathd; holds the member interfaces mp0, mp1, mp2.
    Host,
    /// The switch: a bridge with one port per member and per host.
    Sw,
    /// The router/target 192.0.2.1, 2001:db8::1.
    Rtr,
    /// A second target, 192.0.2.2, 2001:db8::2.
    T2,
    /// A peer that talks to the data addresses: 192.0.2.100.
    Peer,
}

impl Ns {
    fn suffix(self) -> &'static str {
        match self {
            Ns::Host => "host",
            Ns::Sw => "sw",
            Ns::Rtr => "rtr",
            Ns::T2 => "t2",
            Ns::Peer => "peer",
        }
    }

    /// The switch port that leads to this namespace (not for Host/Sw).
    fn port(self) -> &'static str {
        match self {
            Ns::Rtr => "srtr",
            Ns::T2 => "st2",
            Ns::Peer => "speer",
            Ns::Host | Ns::Sw => "",
        }
    }
}

const HOSTS: [(Ns, &str, &str); 3] = [
    (Ns::Rtr, "192.0.2.1/24", "2001:db8::1/64"),
    (Ns::T2, "192.0.2.2/24", "2001:db8::2/64"),
    (Ns::Peer, "192.0.2.100/24", "2001:db8::100/64"),
];

/// The shape of a lab.
#[derive(Clone, Copy, Debug)]
pub struct LabSpec {
    /// How many member interfaces the host has (1 to 3).
    pub members: usize,
}

impl Default for LabSpec {
    fn default() -> LabSpec {
        LabSpec { members: 2 }
    }
}

/// A lab; dropping it deletes every namespace it made.
#[derive(Debug)]
pub struct Lab {
    prefix: String,
    members: usize,
}

pub(crate) fn run_cmd(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    out
}

pub(crate) fn must(cmd: &mut Command) -> String {
    let out = run_cmd(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Lab {
    /// Builds the lab. Panics, after cleaning up, if any step fails.
    pub fn new(spec: LabSpec) -> Lab {
        sweep_stale();
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let lab = Lab {
            prefix: format!("mpl{}x{}", std::process::id(), n),
            members: spec.members.clamp(1, 3),
        };
        lab.build();
        lab
    }

    /// The name of a namespace of this lab.
    pub fn ns(&self, ns: Ns) -> String {
        format!("{}-{}", self.prefix, ns.suffix())
    }

    /// Name of member `i` inside the host namespace.
    pub fn member(&self, i: usize) -> String {
        format!("mp{i}")
    }

    fn sw_port(&self, i: usize) -> String {
        format!("s{i}")
    }

    /// Runs `args` in namespace `ns` and returns its output.
    pub fn exec(&self, ns: Ns, args: &[&str]) -> Output {
        run_cmd(
            Command::new("ip")
                .args(["netns", "exec", &self.ns(ns)])
                .args(args),
        )
    }

    /// Runs `args` in `ns`, panicking if it fails; returns stdout.
    pub fn must(&self, ns: Ns, args: &[&str]) -> String {
        must(
            Command::new("ip")
                .args(["netns", "exec", &self.ns(ns)])
                .args(args),
        )
    }

    fn sh(&self, ns: Ns, script: &str) -> String {
        self.must(ns, &["sh", "-ec", script])
    }

    fn build(&self) {
        for ns in [Ns::Host, Ns::Sw, Ns::Rtr, Ns::T2, Ns::Peer] {
            must(Command::new("ip").args(["netns", "add", &self.ns(ns)]));
            // No DAD: addresses are usable at once, which keeps the tests
            // quick; lo up for local delivery.
            self.sh(
                ns,
                "sysctl -qw net.ipv6.conf.default.accept_dad=0 \
                 net.ipv6.conf.all.accept_dad=0; ip link set lo up",
            );
        }
        // The switch. No IPv6 in it: a bridge with a link-local address
        // answers all-nodes echoes itself, from behind any cut.
        self.sh(
            Ns::Sw,
            "sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
             net.ipv6.conf.default.disable_ipv6=1",
        );
        self.sh(
            Ns::Sw,
            "ip link add br0 type bridge stp_state 0 forward_delay 0 \
             mcast_snooping 0; ip link set br0 up",
        );
        self.sh(
            Ns::Sw,
            "nft -f - <<'EOF'
table bridge lab {
    set cut { type ifname; }
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname @cut drop
        oifname @cut drop
    }
}
EOF",
        );
        // Arp and source-address behaviour for several interfaces on one
        // subnet: answer ARP only for addresses on the receiving
        // interface and announce the outgoing interface's own address,
        // so that each member's test address is reached through that
        // member. mpathd's manual asks operators for the same settings.
        self.sh(
            Ns::Host,
            "sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
             net.ipv4.conf.all.arp_announce=2 \
             net.ipv4.conf.all.rp_filter=0 \
             net.ipv4.conf.default.rp_filter=0",
        );
        for i in 0..self.members {
            self.add_member(i);
        }
        for (ns, v4, v6) in HOSTS {
            let port = ns.port();
            must(Command::new("ip").args([
                "-n",
                &self.ns(Ns::Sw),
                "link",
                "add",
                port,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                &self.ns(ns),
            ]));
            self.sh(
                Ns::Sw,
                &format!(
                    "ip link set {port} master br0; ip link set {port} up"
                ),
            );
            self.sh(
                ns,
                &format!(
                    "ip link set eth0 up; ip addr add {v4} dev eth0; \
                     ip addr add {v6} dev eth0"
                ),
            );
        }
    }

    fn add_member(&self, i: usize) {
        let (m, s) = (self.member(i), self.sw_port(i));
        must(Command::new("ip").args([
            "-n",
            &self.ns(Ns::Host),
            "link",
            "add",
            &m,
            "type",
            "veth",
            "peer",
            "name",
            &s,
            "netns",
            &self.ns(Ns::Sw),
        ]));
        // Stable, locally administered MACs make the IPv6 link-locals
        // the same in every lab: mp0 is fe80::ff:fe00:100, and so on.
        self.sh(
            Ns::Host,
            &format!(
                "ip link set {m} address 02:00:00:00:01:0{i}; \
                 ip link set {m} up"
            ),
        );
        self.sh(
            Ns::Sw,
            &format!("ip link set {s} master br0; ip link set {s} up"),
        );
    }

    /// Drops every frame to and from member `i` in the switch; its link
    /// stays up.
    pub fn cut_path(&self, i: usize) {
        self.nft_set("add", &self.sw_port(i));
    }

    /// Undoes [`Lab::cut_path`].
    pub fn restore_path(&self, i: usize) {
        self.nft_set("delete", &self.sw_port(i));
    }

    /// Drops every frame to and from a target or the peer.
    pub fn cut_host(&self, ns: Ns) {
        self.nft_set("add", ns.port());
    }

    /// Undoes [`Lab::cut_host`].
    pub fn restore_host(&self, ns: Ns) {
        self.nft_set("delete", ns.port());
    }

    fn nft_set(&self, op: &str, port: &str) {
        self.sh(
            Ns::Sw,
            &format!("nft {op} element bridge lab cut {{ \"{port}\" }}"),
        );
    }

    /// Drops `percent` % of the frames member `i` sends, at random.
    pub fn random_loss(&self, i: usize, percent: u32) {
        self.sh(
            Ns::Sw,
            &format!(
                "nft add rule bridge lab forward iifname \"{}\" \
                 numgen random mod 100 lt {percent} drop",
                self.sw_port(i)
            ),
        );
    }

    /// Sets the switch side of member `i` down or up: the member's
    /// carrier follows.
    pub fn carrier(&self, i: usize, up: bool) {
        let state = if up { "up" } else { "down" };
        self.sh(Ns::Sw, &format!("ip link set {} {state}", self.sw_port(i)));
    }

    /// Deletes member `i` (both ends of its veth).
    pub fn delete_member(&self, i: usize) {
        self.sh(Ns::Host, &format!("ip link del {}", self.member(i)));
    }

    /// Re-creates a deleted member `i`, up, with no addresses.
    pub fn recreate_member(&self, i: usize) {
        self.add_member(i);
    }

    /// The addresses on member `i`, as `ADDR/LEN` (link-locals omitted).
    pub fn addrs(&self, i: usize) -> Vec<String> {
        let out = self.exec(
            Ns::Host,
            &["ip", "-o", "addr", "show", "dev", &self.member(i)],
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| {
                let mut w = l.split_whitespace();
                w.find(|x| *x == "inet" || *x == "inet6")?;
                w.next().map(str::to_string)
            })
            .filter(|a| !a.starts_with("fe80:"))
            .collect()
    }

    /// Whether `ifname` in namespace `ns` is administratively up.
    pub fn admin_up(&self, ns: Ns, ifname: &str) -> bool {
        let out = self.must(ns, &["ip", "-o", "link", "show", ifname]);
        out.split('<')
            .nth(1)
            .and_then(|f| f.split('>').next())
            .is_some_and(|flags| flags.split(',').any(|f| f == "UP"))
    }

    /// The source address the kernel of namespace `ns` gives a socket
    /// bound to nothing that connects to `target` (UDP: `connect` sends
    /// nothing), as an application would get it: `getsockname` after
    /// `connect`. A link-local `target` goes out of `scope`'s interface.
    pub fn source_for(
        &self,
        ns: Ns,
        target: std::net::IpAddr,
        scope: Option<&str>,
    ) -> std::io::Result<std::net::IpAddr> {
        use std::net::{SocketAddr, SocketAddrV6, UdpSocket};
        let path = format!("/run/netns/{}", self.ns(ns));
        let scope_id = scope
            .map(|ifname| {
                let out = self.must(
                    ns,
                    &["cat", &format!("/sys/class/net/{ifname}/ifindex")],
                );
                out.trim().parse::<u32>().unwrap_or(0)
            })
            .unwrap_or(0);
        // setns(CLONE_NEWNET) moves only the calling thread: a thread of
        // its own, whose socket lives in the lab's namespace.
        std::thread::spawn(move || {
            mpath_sys::netns::enter(std::path::Path::new(&path))?;
            let (any, to): (SocketAddr, SocketAddr) = match target {
                std::net::IpAddr::V4(a) => {
                    ("0.0.0.0:0".parse().expect("any"), (a, 9).into())
                }
                std::net::IpAddr::V6(a) => (
                    "[::]:0".parse().expect("any"),
                    SocketAddrV6::new(a, 9, 0, scope_id).into(),
                ),
            };
            let sock = UdpSocket::bind(any)?;
            sock.connect(to)?;
            Ok(sock.local_addr()?.ip())
        })
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
    }

    /// The member that has `addr` (as `ADDR/LEN`), if exactly one has it;
    /// `Err` lists every holder otherwise.
    pub fn holder(&self, addr: &str) -> Result<usize, Vec<usize>> {
        let holders: Vec<usize> = (0..self.members)
            .filter(|i| self.addrs(*i).iter().any(|a| a == addr))
            .collect();
        match holders.as_slice() {
            [one] => Ok(*one),
            _ => Err(holders),
        }
    }

    /// Pings `dst` from `from`: (sent, received).
    pub fn ping(
        &self,
        from: Ns,
        dst: &str,
        count: u32,
        interval: &str,
    ) -> (u32, u32) {
        let c = count.to_string();
        let out = self.exec(
            from,
            &["ping", "-n", "-q", "-c", &c, "-i", interval, "-W", "1", dst],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        for line in text.lines() {
            if let Some((sent, rest)) =
                line.split_once(" packets transmitted, ")
            {
                let recv = rest.split_whitespace().next().unwrap_or("0");
                return (
                    sent.trim().parse().unwrap_or(0),
                    recv.parse().unwrap_or(0),
                );
            }
        }
        (count, 0)
    }

    /// Number of member interfaces.
    pub fn members(&self) -> usize {
        self.members
    }

    /// Kills every process still running in the lab's namespaces.
    fn kill_all(&self) {
        for ns in [Ns::Host, Ns::Sw, Ns::Rtr, Ns::T2, Ns::Peer] {
            let out = run_cmd(Command::new("ip").args([
                "netns",
                "pids",
                &self.ns(ns),
            ]));
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).status();
            }
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.kill_all();
        for ns in [Ns::Host, Ns::Sw, Ns::Rtr, Ns::T2, Ns::Peer] {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(ns)])
                .status();
        }
    }
}

/// Deletes namespaces left by lab runs whose process no longer exists.
pub(crate) fn sweep_stale() {
    let out = run_cmd(Command::new("ip").args(["netns", "list"]));
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let Some(rest) = name.strip_prefix("mpl") else {
            continue;
        };
        let pid = rest.split('x').next().unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let pids =
                run_cmd(Command::new("ip").args(["netns", "pids", name]));
            for p in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", p]).status();
            }
            let _ = Command::new("ip").args(["netns", "del", name]).status();
        }
    }
}
