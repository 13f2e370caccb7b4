//! What Linux bonding's modes mean for laggd, decided without touching
//! the kernel: the Linux backend (`mpath_sys`'s `bond`) reads a bond's
//! mode and slaves, asks here, and carries out the answer through sysfs.
//!
//! A failed port is taken out of service, in the modes with one active
//! port (active-backup, balance-tlb, balance-alb), by choosing another
//! active slave (`primary` and `active_slave` set to the first port
//! laggd wants in service), not by releasing it: a released port loses
//! the bond's address and its place in the slave order, and bonding
//! re-opens it on re-enslavement, which bounces its link. In the modes
//! where every port carries traffic (balance-rr, balance-xor, broadcast,
//! 802.3ad) there is no other way: the failed port is released (and
//! kept up, to go on probing it) and enslaved again once repaired.

use std::fmt;

/// A bonding mode (`bonding/mode`, `mode=` option).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BondMode {
    /// `balance-rr` (0).
    BalanceRr,
    /// `active-backup` (1): one active port, the others standby.
    ActiveBackup,
    /// `balance-xor` (2).
    BalanceXor,
    /// `broadcast` (3).
    Broadcast,
    /// `802.3ad` (4): LACP.
    Lacp,
    /// `balance-tlb` (5).
    BalanceTlb,
    /// `balance-alb` (6).
    BalanceAlb,
}

impl BondMode {
    /// The mode's number, as in `bonding/mode`'s second word.
    pub fn number(self) -> u8 {
        match self {
            BondMode::BalanceRr => 0,
            BondMode::ActiveBackup => 1,
            BondMode::BalanceXor => 2,
            BondMode::Broadcast => 3,
            BondMode::Lacp => 4,
            BondMode::BalanceTlb => 5,
            BondMode::BalanceAlb => 6,
        }
    }

    /// The mode's name, as bonding writes it.
    pub fn name(self) -> &'static str {
        match self {
            BondMode::BalanceRr => "balance-rr",
            BondMode::ActiveBackup => "active-backup",
            BondMode::BalanceXor => "balance-xor",
            BondMode::Broadcast => "broadcast",
            BondMode::Lacp => "802.3ad",
            BondMode::BalanceTlb => "balance-tlb",
            BondMode::BalanceAlb => "balance-alb",
        }
    }

    /// Whether the mode has an active slave and a primary
    /// (active-backup, balance-tlb, balance-alb).
    pub fn has_active_slave(self) -> bool {
        matches!(
            self,
            BondMode::ActiveBackup
                | BondMode::BalanceTlb
                | BondMode::BalanceAlb
        )
    }

    /// Parses `bonding/mode`'s contents (`active-backup 1`): the name
    /// and the number must agree.
    pub fn parse(text: &str) -> Option<BondMode> {
        let mut words = text.split_whitespace();
        let name = words.next()?;
        let number: u8 = words.next()?.parse().ok()?;
        if words.next().is_some() {
            return None;
        }
        let mode = [
            BondMode::BalanceRr,
            BondMode::ActiveBackup,
            BondMode::BalanceXor,
            BondMode::Broadcast,
            BondMode::Lacp,
            BondMode::BalanceTlb,
            BondMode::BalanceAlb,
        ]
        .into_iter()
        .find(|m| m.number() == number)?;
        (mode.name() == name).then_some(mode)
    }
}

/// A change to a bond.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BondOp {
    /// `primary` and `active_slave` set to the port.
    Activate(String),
    /// The port leaves the bond (`-port` to `bonding/slaves`), and is
    /// brought up again, to go on being probed.
    Release(String),
    /// The port joins the bond (`+port`).
    Enslave(String),
}

impl fmt::Display for BondOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BondOp::Activate(p) => write!(f, "active port {p}"),
            BondOp::Release(p) => write!(f, "released {p}"),
            BondOp::Enslave(p) => write!(f, "enslaved {p}"),
        }
    }
}

/// The changes that put a bond of `mode`, whose slaves are `slaves`,
/// with the ports of `wanted` in service (`wanted[0]` first: the active
/// slave where the mode has one). Nothing when nothing is wanted: laggd
/// never empties a bond (when every port failed, the cause is more
/// likely shared than every port at once).
pub fn plan(
    mode: BondMode,
    slaves: &[String],
    wanted: &[String],
) -> Vec<BondOp> {
    let Some(first) = wanted.first() else {
        return Vec::new();
    };
    if mode.has_active_slave() {
        // No address changes: every port keeps the bond's.
        return vec![BondOp::Activate(first.clone())];
    }
    let release = slaves
        .iter()
        .filter(|s| !wanted.contains(s))
        .map(|s| BondOp::Release(s.clone()));
    let enslave = wanted
        .iter()
        .filter(|p| !slaves.contains(p))
        .map(|p| BondOp::Enslave(p.clone()));
    release.chain(enslave).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &[&str]) -> Vec<String> {
        s.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn modes_parse_by_name_and_number() {
        let ab = BondMode::parse("active-backup 1\n");
        assert_eq!(ab, Some(BondMode::ActiveBackup));
        assert_eq!(BondMode::parse("802.3ad 4"), Some(BondMode::Lacp));
        assert_eq!(
            BondMode::parse("balance-alb 6"),
            Some(BondMode::BalanceAlb)
        );
        assert_eq!(BondMode::parse("active-backup 4"), None);
        assert_eq!(BondMode::parse("active-backup"), None);
        assert_eq!(BondMode::parse("active-backup 1 x"), None);
        assert_eq!(BondMode::parse("fast 9"), None);
        for n in 0..7 {
            let mode = BondMode::parse(&format!(
                "{} {n}",
                [
                    "balance-rr",
                    "active-backup",
                    "balance-xor",
                    "broadcast",
                    "802.3ad",
                    "balance-tlb",
                    "balance-alb"
                ][usize::from(n)]
            ))
            .unwrap();
            assert_eq!(mode.number(), n);
            assert_eq!(
                mode.has_active_slave(),
                matches!(n, 1 | 5 | 6),
                "{mode:?}"
            );
        }
    }

    #[test]
    fn one_active_port_modes_choose_the_first_wanted() {
        for mode in [
            BondMode::ActiveBackup,
            BondMode::BalanceTlb,
            BondMode::BalanceAlb,
        ] {
            let ops = plan(mode, &names(&["p0", "p1"]), &names(&["p1", "p0"]));
            assert_eq!(ops, vec![BondOp::Activate("p1".into())]);
            // A failed port is not released: it keeps its place.
            let ops = plan(mode, &names(&["p0", "p1"]), &names(&["p1"]));
            assert_eq!(ops, vec![BondOp::Activate("p1".into())]);
        }
    }

    #[test]
    fn every_port_modes_release_and_enslave_only_what_changes() {
        for mode in [
            BondMode::BalanceRr,
            BondMode::BalanceXor,
            BondMode::Broadcast,
            BondMode::Lacp,
        ] {
            let s = names(&["p0", "p1", "p2"]);
            assert_eq!(
                plan(mode, &s, &names(&["p1", "p2"])),
                vec![BondOp::Release("p0".into())]
            );
            assert_eq!(
                plan(mode, &names(&["p1"]), &names(&["p0", "p1"])),
                vec![BondOp::Enslave("p0".into())]
            );
            assert!(plan(mode, &s, &s).is_empty());
        }
    }

    #[test]
    fn nothing_wanted_changes_nothing() {
        for mode in [BondMode::ActiveBackup, BondMode::Lacp] {
            assert!(plan(mode, &names(&["p0"]), &[]).is_empty());
        }
    }
}
