//! LACP's word on a bond's ports in mode 802.3ad: which aggregator each
//! slave is in, the bond's active aggregator, what the slave's LACP mux
//! allows, and its partner. See `mpath_core::laggd::lacp` for what laggd
//! makes of it.
//!
//! | what                       | where                                          |
//! |----------------------------|------------------------------------------------|
//! | the active aggregator      | `BOND/bonding/ad_aggregator` (0: none)         |
//! | a slave's aggregator       | `PORT/bonding_slave/ad_aggregator_id` (`N/A` outside 802.3ad or with none) |
//! | collecting, distributing   | `PORT/bonding_slave/ad_actor_oper_port_state`, bits 0x10 and 0x20 (IEEE 802.1AX actor state) |
//! | the partner's system MAC   | `/proc/net/bonding/BOND`, each slave's `details partner lacp pdu:` block |
//!
//! sysfs has no per-slave partner address (`bonding/ad_partner_mac` is
//! the active aggregator's), so it comes from the bond's /proc file,
//! whose `system mac address` lines bonding prints only to a reader
//! with `CAP_NET_ADMIN` (laggd runs as root). A partner that sends no
//! LACPDU is shown there as the all-zero default: no partner. The /proc
//! text is parsed by [`partners`], which never fails: what it cannot
//! read is "not known".

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use mpath_core::laggd::lacp::LacpPort;
use mpath_core::laggd::plan::bonding::BondMode;
use mpath_wire::MacAddr;

use super::bond::{bad_data, parse_mac, read, Bond};

/// IEEE 802.1AX actor state: `Collecting`.
const LACP_STATE_COLLECTING: u8 = 0x10;
/// IEEE 802.1AX actor state: `Distributing`.
const LACP_STATE_DISTRIBUTING: u8 = 0x20;

/// Where bonding describes a bond in /proc (in the reader's network
/// namespace).
const PROC_NET_BONDING: &str = "/proc/net/bonding";

impl Bond {
    /// Each slave's LACP state, in the bond's order; `None` when the
    /// bond is not in mode 802.3ad.
    ///
    /// # Errors
    ///
    /// Reading sysfs (the /proc file is optional: without it partners
    /// are not known).
    pub fn lacp_ports(&self) -> io::Result<Option<Vec<LacpPort>>> {
        if self.mode()? != BondMode::Lacp {
            return Ok(None);
        }
        let partners = read(&Path::new(PROC_NET_BONDING).join(self.name()))
            .map(|text| partners(&text))
            .unwrap_or_default();
        self.lacp_ports_with(&partners).map(Some)
    }

    /// Each slave's LACP state from sysfs, with `partners` as
    /// [`partners`] read them.
    ///
    /// # Errors
    ///
    /// Reading sysfs, or contents that are no number.
    pub fn lacp_ports_with(
        &self,
        partners: &BTreeMap<String, Option<MacAddr>>,
    ) -> io::Result<Vec<LacpPort>> {
        let active =
            number(&self.bonding_file("ad_aggregator"))?.filter(|&id| id != 0);
        let mut ports = Vec::new();
        for name in self.slaves()? {
            let aggregator =
                number(&self.slave_file(&name, "ad_aggregator_id")?)?;
            let state =
                number(&self.slave_file(&name, "ad_actor_oper_port_state")?)?
                    .and_then(|s| u8::try_from(s).ok())
                    .unwrap_or(0);
            ports.push(LacpPort {
                active: aggregator.is_some() && aggregator == active,
                collecting: state & LACP_STATE_COLLECTING != 0,
                distributing: state & LACP_STATE_DISTRIBUTING != 0,
                aggregator,
                active_aggregator: active,
                partner: partners
                    .get(&name)
                    .copied()
                    .flatten()
                    .map(|m| m.octets()),
                name,
            });
        }
        Ok(ports)
    }
}

/// A sysfs file holding a decimal number, or `N/A` (or nothing) for
/// none.
fn number(path: &Path) -> io::Result<Option<u32>> {
    let text = read(path)?;
    match text.trim() {
        "" | "N/A" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| bad_data(path, &text, "a number or N/A")),
    }
}

/// Each slave's partner system MAC from `/proc/net/bonding/BOND`'s
/// text: `Some` for a partner, `None` for the all-zero default (no
/// LACPDU heard); a slave whose partner block is missing (not 802.3ad,
/// or read without `CAP_NET_ADMIN`) is left out.
pub fn partners(text: &str) -> BTreeMap<String, Option<MacAddr>> {
    let mut out = BTreeMap::new();
    let mut slave: Option<&str> = None;
    let mut in_partner = false;
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("Slave Interface:") {
            slave = Some(name.trim()).filter(|n| !n.is_empty());
            in_partner = false;
        } else if line.starts_with("details partner lacp pdu:") {
            in_partner = true;
        } else if line.starts_with("details ") {
            in_partner = false;
        } else if let (true, Some(name), Some(mac)) =
            (in_partner, slave, line.strip_prefix("system mac address:"))
        {
            let Some(mac) = parse_mac(mac.trim()) else {
                continue;
            };
            let partner = (mac.octets() != [0; 6]).then_some(mac);
            out.insert(name.to_owned(), partner);
            in_partner = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Debian's 6.1 kernel prints for a bond whose p1 lost its
    /// partner (trimmed to the lines that matter, indentation kept).
    const PROC: &str = "\
Ethernet Channel Bonding Driver: v6.1.0-57-amd64

Bonding Mode: IEEE 802.3ad Dynamic link aggregation
802.3ad info
LACP active: on
LACP rate: fast
Active Aggregator Info:
\tAggregator ID: 1
\tPartner Mac Address: 02:00:00:00:09:01

Slave Interface: p0
MII Status: up
Aggregator ID: 1
details actor lacp pdu:
    system priority: 65535
    system mac address: 02:00:00:00:01:01
    port state: 63
details partner lacp pdu:
    system priority: 65535
    system mac address: 02:00:00:00:09:01
    oper key: 15
    port state: 63

Slave Interface: p1
MII Status: up
Aggregator ID: 2
details actor lacp pdu:
    system mac address: 02:00:00:00:01:01
details partner lacp pdu:
    system mac address: 00:00:00:00:00:00

Slave Interface: p2
MII Status: down
";

    #[test]
    fn partners_per_slave_from_proc() {
        let p = partners(PROC);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p["p0"], Some(MacAddr([2, 0, 0, 0, 9, 1])));
        assert_eq!(p["p1"], None, "the all-zero default: no partner");
        assert!(!p.contains_key("p2"));
        // Garbage is nothing known, never a panic.
        assert!(partners("Slave Interface:\nsystem mac address: x").is_empty());
        assert!(partners("").is_empty());
    }

    fn fake(files: &[(&str, &str)]) -> std::path::PathBuf {
        let root = std::env::temp_dir().join(format!(
            "mpath-lacp-{}-{}",
            std::process::id(),
            files.len()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (file, text) in files {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        root
    }

    #[test]
    fn slaves_in_the_active_aggregator_collecting_and_distributing() {
        let root = fake(&[
            ("bond0/bonding/mode", "802.3ad 4\n"),
            ("bond0/bonding/slaves", "p0 p1 p2\n"),
            ("bond0/bonding/ad_aggregator", "1\n"),
            ("p0/bonding_slave/ad_aggregator_id", "1\n"),
            ("p0/bonding_slave/ad_actor_oper_port_state", "63\n"),
            ("p1/bonding_slave/ad_aggregator_id", "2\n"),
            ("p1/bonding_slave/ad_actor_oper_port_state", "71\n"),
            ("p2/bonding_slave/ad_aggregator_id", "N/A\n"),
            ("p2/bonding_slave/ad_actor_oper_port_state", "N/A\n"),
        ]);
        let bond = Bond::with_sysfs(&root, "bond0").unwrap();
        let ports = bond.lacp_ports_with(&partners(PROC)).unwrap();
        let _ = std::fs::remove_dir_all(&root);
        let seen: Vec<(&str, bool, Option<u32>, bool)> = ports
            .iter()
            .map(|p| {
                (
                    p.name.as_str(),
                    p.aggregated(),
                    p.aggregator,
                    p.partner.is_some(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("p0", true, Some(1), true),
                ("p1", false, Some(2), false),
                ("p2", false, None, false)
            ]
        );
        assert_eq!(ports[1].active_aggregator, Some(1));
        // 71 = 0x47: activity, timeout, aggregation, defaulted.
        assert!(!ports[1].collecting && !ports[1].distributing);
    }
}
