//! LACP's word on an aggregate's ports (lagg(4) `laggproto lacp`, Linux
//! bonding mode 802.3ad), and what laggd makes of it.
//!
//! A port whose link is up and whose probes answer still carries nothing
//! in an LACP aggregate until LACP has aggregated it: the partner must
//! answer LACPDUs and agree to put the port in the same aggregator as
//! the others. FortiGate's min-links (seed 001) counts "LACP members
//! that are up"; laggd does the same: such a port is *live* only when it
//! is in the aggregate's active aggregator and both collecting and
//! distributing. Each OS reads that into a [`LacpPort`]:
//!
//! | field         | FreeBSD lagg(4)             | Linux bonding                      |
//! |---------------|-----------------------------|------------------------------------|
//! | `active`      | port flag `ACTIVE`          | `bonding_slave/ad_aggregator_id` = `bonding/ad_aggregator` |
//! | `collecting`, `distributing` | port flags `COLLECTING`, `DISTRIBUTING` | `bonding_slave/ad_actor_oper_port_state` bits 0x10, 0x20 |
//! | `aggregator`, `active_aggregator` | —              | the two ids above                  |
//! | `partner`     | —                           | the partner's system MAC, `/proc/net/bonding/BOND` |
//!
//! What the engine does with it (timing, the bring-up retry) is in
//! [`crate::laggd::engine`]; this module holds the reading and its
//! verdict.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// How long a port that joined an LACP aggregate, or whose aggregate
/// laggd brought up, or any port as laggd starts, counts as aggregated
/// before LACP has had its say: a port that joins (or a bond that
/// starts) sends its LACPDU at once, and the exchange, bonding's
/// aggregator selection wait (2 s) and the mux machine take a few
/// seconds.
pub const LACP_SETTLE: Duration = Duration::from_secs(10);

/// The same when laggd brings an aggregate up again to see whether LACP
/// aggregates its ports ([`LACP_RETRY_FIRST`]): those ports kept their
/// LACP state while it was down, and a port whose partner fell silent
/// uses LACP's default partner, whose long timeout makes both ends
/// speak only every 30 s (the slow periodic time): one such exchange
/// must fit.
pub const LACP_RETRY_SETTLE: Duration = Duration::from_secs(35);

/// The first wait, doubled after every attempt that LACP did not
/// confirm up to [`LACP_RETRY_MAX`], before laggd brings up an LACP
/// aggregate that min-links took down because LACP had not aggregated
/// enough ports. An aggregate that is down runs no LACP, so laggd
/// cannot learn that the partner is back without bringing it up.
pub const LACP_RETRY_FIRST: Duration = Duration::from_secs(10);

/// The longest wait between two such attempts.
pub const LACP_RETRY_MAX: Duration = Duration::from_secs(160);

/// One port of an LACP aggregate as the OS reports it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LacpPort {
    /// The port's interface name.
    pub name: String,
    /// In the aggregate's active aggregator (the one that carries
    /// traffic).
    pub active: bool,
    /// LACP's mux lets the port receive (`COLLECTING`).
    pub collecting: bool,
    /// LACP's mux lets the port send (`DISTRIBUTING`).
    pub distributing: bool,
    /// The aggregator the port is in, where the OS numbers them (Linux).
    pub aggregator: Option<u32>,
    /// The aggregate's active aggregator, where the OS numbers them.
    pub active_aggregator: Option<u32>,
    /// The partner's system MAC; `None` when the OS does not say, or
    /// the port has no partner (it heard no LACPDU, and LACP uses its
    /// all-zero default).
    pub partner: Option<[u8; 6]>,
}

impl LacpPort {
    /// Whether LACP aggregated the port: in the active aggregator,
    /// collecting and distributing.
    pub fn aggregated(&self) -> bool {
        self.active && self.collecting && self.distributing
    }
}

/// What the OS says of each LACP aggregate's ports: an aggregate is a
/// key here exactly when it is in LACP mode; a port of it that the OS
/// does not list is not in the aggregate (so not aggregated).
pub type LacpView = BTreeMap<String, Vec<LacpPort>>;

/// `aa:bb:cc:dd:ee:ff`.
#[derive(Debug)]
pub struct Mac<'a>(pub &'a [u8; 6]);

impl fmt::Display for Mac<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// For the log: `aggregator 2, active 1, partner none`, or what of it
/// the OS tells.
impl fmt::Display for LacpPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        match (self.aggregator, self.active_aggregator) {
            (Some(a), Some(b)) => {
                parts.push(format!("aggregator {a}, active {b}"))
            }
            (Some(a), None) => parts.push(format!("aggregator {a}")),
            _ => {}
        }
        let mut flags = Vec::new();
        if self.active {
            flags.push("ACTIVE");
        }
        if self.collecting {
            flags.push("COLLECTING");
        }
        if self.distributing {
            flags.push("DISTRIBUTING");
        }
        parts.push(format!("<{}>", flags.join(",")));
        match &self.partner {
            Some(m) => parts.push(format!("partner {}", Mac(m))),
            None if self.aggregator.is_some() => {
                parts.push("partner none".into())
            }
            None => {}
        }
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_means_active_collecting_and_distributing() {
        let all = LacpPort {
            name: "p0".into(),
            active: true,
            collecting: true,
            distributing: true,
            ..LacpPort::default()
        };
        assert!(all.aggregated());
        for p in [
            LacpPort {
                active: false,
                ..all.clone()
            },
            LacpPort {
                collecting: false,
                ..all.clone()
            },
            LacpPort {
                distributing: false,
                ..all.clone()
            },
        ] {
            assert!(!p.aggregated(), "{p:?}");
        }
    }

    #[test]
    fn shown_with_what_the_os_tells() {
        let linux = LacpPort {
            name: "p1".into(),
            aggregator: Some(2),
            active_aggregator: Some(1),
            ..LacpPort::default()
        };
        assert_eq!(
            linux.to_string(),
            "aggregator 2, active 1, <>, partner none"
        );
        let linux = LacpPort {
            active: true,
            collecting: true,
            distributing: true,
            aggregator: Some(1),
            partner: Some([2, 0, 0, 0, 0, 0xb1]),
            ..linux
        };
        assert_eq!(
            linux.to_string(),
            "aggregator 1, active 1, <ACTIVE,COLLECTING,DISTRIBUTING>, \
             partner 02:00:00:00:00:b1"
        );
        let freebsd = LacpPort {
            name: "em0".into(),
            active: true,
            ..LacpPort::default()
        };
        assert_eq!(freebsd.to_string(), "<ACTIVE>");
    }
}
