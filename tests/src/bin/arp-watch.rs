//! The client's view of a virtual address for `tests/bench-ha`: which
//! hardware address answers ARP for it, asked every 2 ms.
//!
//! Usage: `arp-watch IFACE SOURCE-IP TARGET-IP MAC` in the client's
//! namespace, as root. It prints `ready` once anyone answers, then waits
//! until MAC answers and prints the kernel's receive time of that reply
//! (realtime clock, nanoseconds since the epoch) and exits 0; after 60 s
//! without it, exits 1.

// A benchmark tool prints its result.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    match watch::run(&std::env::args().skip(1).collect::<Vec<_>>()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("arp-watch: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("arp-watch: Linux only (the lab runs in Linux namespaces)");
}

#[cfg(target_os = "linux")]
mod watch {
    use std::io::Write;
    use std::net::Ipv4Addr;
    use std::os::fd::AsFd;
    use std::time::{Duration, Instant};

    use mpath_core::addr::Family;
    use mpath_sys::portprobe::PortProbe;
    use mpath_wire::arp::{emit_arp_request, parse_arp_frame, ArpOp};
    use mpath_wire::mac::MacAddr;

    const EVERY: Duration = Duration::from_millis(2);
    const GIVE_UP: Duration = Duration::from_secs(60);

    fn mac(text: &str) -> Result<MacAddr, String> {
        let b: Vec<u8> = text
            .split(':')
            .map(|h| u8::from_str_radix(h, 16))
            .collect::<Result<_, _>>()
            .map_err(|_| format!("bad MAC `{text}`"))?;
        let b: [u8; 6] =
            b.try_into().map_err(|_| format!("bad MAC `{text}`"))?;
        Ok(MacAddr(b))
    }

    pub fn run(args: &[String]) -> Result<(), String> {
        let [iface, source, target, want] = args else {
            return Err("usage: arp-watch IFACE SOURCE-IP TARGET-IP MAC".into());
        };
        let ip =
            |s: &str| s.parse::<Ipv4Addr>().map_err(|e| format!("{s}: {e}"));
        let (source, target, want) = (ip(source)?, ip(target)?, mac(want)?);
        let own = mpath_sys::ifaddrs::interfaces()
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|i| i.name == *iface)
            .and_then(|i| i.mac)
            .ok_or_else(|| format!("{iface}: no such interface or no MAC"))?;
        let own = MacAddr(own);
        let probe = PortProbe::open(iface, Family::V4, own)
            .map_err(|e| e.to_string())?;
        let request = emit_arp_request(own, source, target);
        let start = Instant::now();
        let mut ready = false;
        let mut buf = [0u8; 256];
        while start.elapsed() < GIVE_UP {
            probe.send_frame(&request).map_err(|e| e.to_string())?;
            let sent = Instant::now();
            while sent.elapsed() < EVERY {
                let left = EVERY.saturating_sub(sent.elapsed());
                if !mpath_sys::wait::readable(probe.as_fd(), left)
                    .map_err(|e| e.to_string())?
                {
                    break;
                }
                while let Some(f) =
                    probe.recv(&mut buf).map_err(|e| e.to_string())?
                {
                    let Ok(arp) = parse_arp_frame(&buf[..f.len]) else {
                        continue;
                    };
                    if arp.op != ArpOp::Reply || arp.sender_ip != target {
                        continue;
                    }
                    if !ready {
                        ready = true;
                        println!("ready");
                        let _ = std::io::stdout().flush();
                    }
                    if arp.sender_mac == want {
                        let at = f
                            .rx_realtime_ns
                            .unwrap_or_else(mpath_sys::clock::realtime_ns);
                        println!("{at}");
                        return Ok(());
                    }
                }
            }
        }
        Err(format!("{want} never answered for {target}"))
    }
}
