//! laggd on Linux: bonding through sysfs, per-port ARP/NS probes through
//! packet sockets, rtnetlink for the kernel view. Foreground only for
//! now, logging to stderr.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::IpAddr;
use std::os::fd::AsRawFd;
use std::time::Duration;

use mpath_core::addr::Family;
use mpath_core::engine::Level;
use mpath_core::lagg::config::{Effector, LaggdConfig};
use mpath_core::lagg::engine::{LaggAction, LaggEngine};
use mpath_sys::bond::Bond;
use mpath_sys::netlink::{self, NetlinkSocket};
use mpath_sys::packet::FrameSocket;
use mpath_sys::poll::{poll, PollFd};
use mpath_sys::portprobe::PortProbe;
use mpath_sys::signal::{Signal, SignalPipe};
use mpath_sys::{clock, link};
use mpath_wire::{ArpOp, NdpMessage};

struct PortIo {
    port: String,
    probe: PortProbe,
}

fn log(level: Level, msg: &str) {
    let tag = match level {
        Level::Err => "error",
        Level::Warning => "warning",
        Level::Info => "info",
        Level::Debug => "debug",
    };
    let _ = writeln!(io::stderr(), "laggd: {tag}: {msg}");
}

/// Runs until SIGTERM/SIGINT.
pub fn run(cfg: LaggdConfig) -> io::Result<()> {
    let signals =
        SignalPipe::install(&[Signal::Term, Signal::Int, Signal::Hup])?;
    let mut events = NetlinkSocket::open_events()?;
    let mut requests = NetlinkSocket::open_request()?;
    let frames = FrameSocket::open()?;
    let mut bonds = BTreeMap::new();
    let mut ports = Vec::new();
    for a in &cfg.aggregates {
        let bond = Bond::new(&a.name)?;
        for p in &a.ports {
            // The port's own permanent MAC, so that probing a standby
            // port never makes the switch move the bond's MAC. The port
            // whose MAC the bond took has no other: it is probed with it
            // (a known limit while it is a standby; see laggd(8)).
            let mac = bond.perm_hwaddr(p)?;
            for family in [Family::V4, Family::V6] {
                if a.targets_of(family).next().is_some() {
                    ports.push(PortIo {
                        port: p.clone(),
                        probe: PortProbe::open(p, family, mac)?,
                    });
                }
            }
        }
        bonds.insert(a.name.clone(), bond);
    }
    let now = clock::now();
    let seed = mpath_sys::daemon::random_seed().unwrap_or(now.as_nanos());
    let mut engine = LaggEngine::new(cfg, seed, now);
    let mut need_sync = true;
    let mut buf = [0u8; 2048];
    loop {
        let now = clock::now();
        if need_sync {
            need_sync = false;
            let snap = netlink::snapshot(&mut requests)?;
            let active = bonds
                .iter()
                .map(|(n, b)| (n.clone(), b.active_slave().unwrap_or(None)))
                .collect();
            engine.sync(&snap, &active, now);
        }
        engine.poll(now);
        for a in engine.take_actions() {
            act(a, &bonds, &ports, &frames);
        }
        let timeout = engine
            .next_deadline()
            .map_or(Duration::from_secs(1), |d| {
                d.saturating_since(clock::now())
            })
            .min(Duration::from_secs(1));
        let mut fds = vec![
            PollFd::readable(signals.as_raw_fd()),
            PollFd::readable(events.as_raw_fd()),
        ];
        fds.extend(ports.iter().map(|p| PollFd::readable(p.probe.as_raw_fd())));
        poll(&mut fds, Some(timeout))?;
        if fds[0].is_readable() {
            for s in signals.read_pending() {
                match s {
                    Signal::Term | Signal::Int | Signal::Quit => {
                        log(Level::Info, "exiting");
                        return Ok(());
                    }
                    Signal::Hup | Signal::Usr1 => {}
                }
            }
        }
        if fds[1].is_readable() {
            need_sync |= events.drain_events()?.needs_snapshot();
        }
        for (k, p) in ports.iter().enumerate() {
            if !fds[2 + k].is_readable() {
                continue;
            }
            while let Ok(Some(f)) = p.probe.recv(&mut buf) {
                let now = clock::now();
                let at =
                    f.rx_realtime_ns.map_or(now, clock::realtime_to_instant);
                let bytes = &buf[..f.len.min(buf.len())];
                if let Some(target) = reply_source(bytes) {
                    engine.on_probe_reply(&p.port, target, at, now);
                }
            }
        }
    }
}

/// The target that answered, if `frame` is an ARP reply or a neighbour
/// advertisement. (The packet socket's filter already keeps only those;
/// the engine checks that a request to that target is outstanding.)
fn reply_source(frame: &[u8]) -> Option<IpAddr> {
    if let Ok(arp) = mpath_wire::parse_arp_frame(frame) {
        return (arp.op == ArpOp::Reply).then_some(IpAddr::V4(arp.sender_ip));
    }
    if let Ok(nd) = mpath_wire::parse_ndp_frame(frame) {
        if let NdpMessage::NeighborAdvert { target, .. } = nd.message {
            return Some(IpAddr::V6(target));
        }
    }
    None
}

fn act(
    a: LaggAction,
    bonds: &BTreeMap<String, Bond>,
    ports: &[PortIo],
    frames: &FrameSocket,
) {
    match a {
        LaggAction::SendProbe {
            port,
            target,
            source,
        } => {
            let family = Family::of(target);
            let Some(p) = ports
                .iter()
                .find(|p| p.port == port && p.probe.family() == family)
            else {
                return;
            };
            let mac = p.probe.mac();
            let frame = match (source, target) {
                // An ARP probe (RFC 5227): sender address 0.0.0.0, so the
                // target does not learn the bond's address at this port's
                // MAC; it still answers, to this MAC.
                (IpAddr::V4(_), IpAddr::V4(t)) => mpath_wire::emit_arp_request(
                    mac,
                    std::net::Ipv4Addr::UNSPECIFIED,
                    t,
                ),
                (IpAddr::V6(s), IpAddr::V6(t)) => {
                    mpath_wire::emit_neighbor_solicitation_frame(mac, s, t)
                }
                _ => return,
            };
            if let Err(e) = p.probe.send_frame(&frame) {
                log(Level::Debug, &format!("probe on {port}: {e}"));
            }
        }
        LaggAction::SetMembership { aggregate, ports } => {
            // Active-backup: the first port of the wanted membership
            // carries the traffic; failed ports stay enslaved but are
            // never chosen while a working one exists.
            let Some(bond) = bonds.get(&aggregate) else {
                return;
            };
            if let Some(first) = ports.first() {
                let r = bond
                    .set_primary(Some(first))
                    .and_then(|()| bond.set_active_slave(first));
                match r {
                    Ok(()) => log(
                        Level::Info,
                        &format!(
                            "{aggregate}: active port {first} (wanted: {})",
                            ports.join(" ")
                        ),
                    ),
                    Err(e) => log(Level::Err, &format!("{aggregate}: {e}")),
                }
            }
        }
        LaggAction::SetInterfaceUp { iface, up } => {
            if let Err(e) = link::set_admin_up(&iface, up) {
                log(Level::Err, &format!("{iface}: {e}"));
            }
        }
        LaggAction::ApplyHa {
            group,
            effector,
            effect,
        } => match effector {
            Some(Effector::Keepalived(path)) => {
                // keepalived's track_file: the number, times the weight,
                // is added to the priority.
                let text = format!("-{}\n", effect.demotion);
                if let Err(e) = std::fs::write(&path, text) {
                    log(
                        Level::Err,
                        &format!("{group}: {}: {e}", path.display()),
                    );
                }
            }
            Some(Effector::Carp) | None => log(
                Level::Info,
                &format!(
                    "{group}: demotion {} faulted {}",
                    effect.demotion, effect.faulted
                ),
            ),
        },
        LaggAction::Announce { aggregate } => {
            announce(&aggregate, bonds, frames)
        }
        LaggAction::Log { level, message } => log(level, &message),
    }
}

/// Gratuitous ARP / unsolicited NA for the aggregate's addresses, so
/// that the switch and neighbours learn the new active port at once.
fn announce(
    aggregate: &str,
    bonds: &BTreeMap<String, Bond>,
    frames: &FrameSocket,
) {
    let (Some(bond), Ok(index)) = (
        bonds.get(aggregate),
        mpath_sys::ifindex::name_to_index(aggregate),
    ) else {
        return;
    };
    let Ok(mac) = bond.mac() else { return };
    let Ok(ifs) = mpath_sys::ifaddrs::interfaces() else {
        return;
    };
    for a in ifs
        .iter()
        .filter(|i| i.name == aggregate)
        .flat_map(|i| i.addrs.iter())
    {
        let frame = match a.addr {
            IpAddr::V4(v4) => mpath_wire::emit_gratuitous_arp(mac, v4),
            IpAddr::V6(v6) => mpath_wire::emit_unsolicited_na_frame(mac, v6),
        };
        let _ = frames.send_frame(index, &frame);
    }
}
