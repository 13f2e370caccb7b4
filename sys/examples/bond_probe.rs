//! `bond_probe`: mpath-sys's Linux bonding control and per-port probe
//! socket from the command line, for the VM test `tests/vm/laggsys.sh`
//! (and for poking at a bond by hand, as root).
//!
//! ```text
//! bond_probe show BOND                   mode, slaves, active, primary, ports
//! bond_probe set-active BOND PORT
//! bond_probe set-primary BOND [PORT]     no PORT: clear it
//! bond_probe add BOND PORT
//! bond_probe remove BOND PORT
//! bond_probe set-up BOND up|down
//! bond_probe arp BOND PORT TARGET [MS]   ARP probe through PORT
//! bond_probe ns BOND PORT TARGET6 [MS]   neighbour solicitation through PORT
//! ```
//!
//! `arp` and `ns` send one probe from PORT's permanent address (refused
//! if that is the bond's) and wait up to MS milliseconds (default 2000)
//! for the answer: exit 0 and a `REPLY` line if it came, 1 and
//! `NO REPLY` if not. Errors exit 2.

#![allow(clippy::print_stdout, clippy::print_stderr)]

#[cfg(target_os = "linux")]
fn main() {
    std::process::exit(linux::main());
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("bond_probe: Linux only");
    std::process::exit(2);
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io;
    use std::net::{Ipv4Addr, Ipv6Addr};
    use std::os::fd::AsFd;
    use std::time::{Duration, Instant};

    use mpath_core::addr::Family;
    use mpath_sys::bond::{Bond, SlaveState};
    use mpath_sys::clock;
    use mpath_sys::portprobe::PortProbe;
    use mpath_wire::{
        emit_arp_request, emit_neighbor_solicitation_frame, parse_arp_frame,
        parse_ndp_frame, ArpOp, MacAddr, NdpMessage,
    };

    const USAGE: &str = "usage: bond_probe show BOND | set-active BOND PORT \
        | set-primary BOND [PORT] | add BOND PORT | remove BOND PORT \
        | set-up BOND up|down | arp BOND PORT TARGET [MS] \
        | ns BOND PORT TARGET6 [MS]";

    pub(crate) fn main() -> i32 {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match run(&args) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("bond_probe: {err}");
                2
            }
        }
    }

    fn run(args: &[&str]) -> io::Result<i32> {
        let usage = || io::Error::new(io::ErrorKind::InvalidInput, USAGE);
        let (&cmd, rest) = args.split_first().ok_or_else(usage)?;
        let (&bond, rest) = rest.split_first().ok_or_else(usage)?;
        let bond = Bond::new(bond)?;
        match (cmd, rest) {
            ("show", []) => show(&bond).map(|()| 0),
            ("set-active", [port]) => {
                bond.set_active_slave(port)?;
                println!("active: {}", name(bond.active_slave()?));
                Ok(0)
            }
            ("set-primary", [port]) => {
                bond.set_primary(Some(port))?;
                println!("primary: {}", name(bond.primary()?));
                Ok(0)
            }
            ("set-primary", []) => {
                bond.set_primary(None)?;
                println!("primary: {}", name(bond.primary()?));
                Ok(0)
            }
            ("add", [port]) => {
                bond.add_slave(port)?;
                println!("slaves: {}", bond.slaves()?.join(" "));
                Ok(0)
            }
            ("remove", [port]) => {
                bond.remove_slave(port)?;
                println!("slaves: {}", bond.slaves()?.join(" "));
                Ok(0)
            }
            ("set-up", [state @ ("up" | "down")]) => {
                bond.set_up(*state == "up")?;
                let up = bond.is_up()?;
                println!("admin: {}", if up { "up" } else { "down" });
                Ok(0)
            }
            ("arp" | "ns", [port, target, more @ ..]) => {
                let wait_ms: u64 = match more {
                    [] => 2000,
                    [ms] => ms.parse().map_err(|_| usage())?,
                    _ => return Err(usage()),
                };
                let wait = Duration::from_millis(wait_ms);
                if cmd == "arp" {
                    let target = target.parse().map_err(|_| usage())?;
                    probe_arp(&bond, port, target, wait)
                } else {
                    let target = target.parse().map_err(|_| usage())?;
                    probe_ns(&bond, port, target, wait)
                }
            }
            _ => Err(usage()),
        }
    }

    fn name(port: Option<String>) -> String {
        port.unwrap_or_else(|| "none".to_owned())
    }

    fn show(bond: &Bond) -> io::Result<()> {
        println!("bond: {}", bond.name());
        println!("mode: {}", bond.mode()?.name());
        let slaves = bond.slaves()?;
        println!("slaves: {}", slaves.join(" "));
        println!("active: {}", name(bond.active_slave()?));
        println!("primary: {}", name(bond.primary()?));
        println!("mac: {}", bond.mac()?);
        println!("admin: {}", if bond.is_up()? { "up" } else { "down" });
        for port in &slaves {
            let state = match bond.slave_state(port)? {
                SlaveState::Active => "active",
                SlaveState::Backup => "backup",
            };
            let probe = match bond.probe_mac(port) {
                Ok(mac) => format!("probe-from {mac}"),
                Err(err) if err.kind() == io::ErrorKind::AddrInUse => {
                    "probe-refused (permanent address is the bond's)".into()
                }
                Err(err) => return Err(err),
            };
            println!(
                "port {port}: {state} perm {} {probe}",
                bond.perm_hwaddr(port)?
            );
        }
        Ok(())
    }

    /// Waits up to `wait` for a frame `accept` takes; returns what it
    /// returned and the frame's receive stamp.
    fn wait_for<T>(
        probe: &PortProbe,
        wait: Duration,
        mut accept: impl FnMut(&[u8]) -> Option<T>,
    ) -> io::Result<Option<(T, Option<i64>)>> {
        let deadline = Instant::now() + wait;
        let mut buf = vec![0u8; 2048];
        loop {
            while let Some(frame) = probe.recv(&mut buf)? {
                match accept(&buf[..frame.len]) {
                    Some(found) => {
                        return Ok(Some((found, frame.rx_realtime_ns)));
                    }
                    None => println!("ignored a {}-byte frame", frame.len),
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            mpath_sys::wait::readable(probe.as_fd(), left)?;
        }
    }

    fn report(
        what: &str,
        port: &str,
        sent_ns: i64,
        got: Option<(String, Option<i64>)>,
    ) -> i32 {
        match got {
            Some((text, stamp)) => {
                let rtt = stamp.map_or_else(
                    || "no stamp".to_owned(),
                    |s| format!("{} us", (s - sent_ns) / 1000),
                );
                println!("REPLY {what} via {port}: {text} ({rtt})");
                0
            }
            None => {
                println!("NO REPLY {what} via {port}");
                1
            }
        }
    }

    fn probe_arp(
        bond: &Bond,
        port: &str,
        target: Ipv4Addr,
        wait: Duration,
    ) -> io::Result<i32> {
        let mac = bond.probe_mac(port)?;
        let probe = PortProbe::open(port, Family::V4, mac)?;
        // An ARP Probe (sender IP 0.0.0.0): the target answers without
        // learning the bond's address at this port's MAC.
        let frame = emit_arp_request(mac, Ipv4Addr::UNSPECIFIED, target);
        let sent_ns = clock::realtime_ns();
        probe.send_frame(&frame)?;
        println!("sent ARP probe for {target} via {port} from {mac}");
        let got = wait_for(&probe, wait, |bytes| {
            let arp = parse_arp_frame(bytes).ok()?;
            let ours = arp.op == ArpOp::Reply
                && arp.sender_ip == target
                && arp.target_mac == mac;
            ours.then(|| {
                format!(
                    "{} is at {}, sent to {}",
                    arp.sender_ip, arp.sender_mac, arp.eth_dst
                )
            })
        })?;
        Ok(report("arp", port, sent_ns, got))
    }

    fn probe_ns(
        bond: &Bond,
        port: &str,
        target: Ipv6Addr,
        wait: Duration,
    ) -> io::Result<i32> {
        let mac = bond.probe_mac(port)?;
        let probe = PortProbe::open(port, Family::V6, mac)?;
        // From the link-local address of the port's own MAC, which no
        // interface has: the target learns nothing about the bond.
        let src = link_local(mac);
        let frame = emit_neighbor_solicitation_frame(mac, src, target);
        let sent_ns = clock::realtime_ns();
        probe.send_frame(&frame)?;
        println!("sent NS for {target} via {port} from {mac} {src}");
        let got = wait_for(&probe, wait, |bytes| {
            let ndp = parse_ndp_frame(bytes).ok()?;
            match ndp.message {
                NdpMessage::NeighborAdvert {
                    target: t,
                    target_mac,
                    flags,
                } if t == target && ndp.ip_dst == src && flags.solicited => {
                    Some(format!(
                        "{t} is at {}, sent to {}",
                        target_mac.unwrap_or(ndp.eth_src),
                        ndp.eth_dst
                    ))
                }
                _ => None,
            }
        })?;
        Ok(report("ns", port, sent_ns, got))
    }

    /// The link-local address of `mac` (modified EUI-64).
    fn link_local(mac: MacAddr) -> Ipv6Addr {
        let m = mac.octets();
        Ipv6Addr::from([
            0xfe,
            0x80,
            0,
            0,
            0,
            0,
            0,
            0,
            m[0] ^ 2,
            m[1],
            m[2],
            0xff,
            0xfe,
            m[3],
            m[4],
            m[5],
        ])
    }
}
