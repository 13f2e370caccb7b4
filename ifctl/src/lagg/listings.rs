//! laggd's listings: `-L` aggregates and `-R` redundancy groups, as rows
//! with ipmpstat's column rules (so `-o` and `-P` work as for mpathd's
//! listings), and `-T` link-state tracking groups, which are printed as
//! Cisco prints them (see [`super::tracking`]) and have no columns.

use mpath_proto::laggd::{
    AggregateStatus, LaggStatus, PortStatus, RedundancyStatus,
};

use super::words::{aggregate_state, cisco_state};
use crate::table::Field;

/// A listing of laggd's.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LaggMode {
    /// `-L`.
    Aggregates,
    /// `-R`.
    Redundancy,
    /// `-T`.
    Tracking,
}

const fn f(name: &'static str, width: usize) -> Field {
    Field { name, width }
}

const AGGREGATES: [Field; 8] = [
    f("AGGREGATE", 12),
    f("PROTO", 10),
    f("STATE", 10),
    f("LIVE", 6),
    f("MINLINKS", 9),
    f("FLAGS", 7),
    f("ACTIVE", 10),
    f("PORTS", 30),
];

const REDUNDANCY: [Field; 8] = [
    f("GROUP", 12),
    f("PRIORITY", 10),
    f("THRESHOLD", 11),
    f("ROLE", 9),
    f("STATE", 11),
    f("APPLIED", 9),
    f("EFFECTOR", 12),
    f("TRACKS", 30),
];

impl LaggMode {
    /// Every field of the listing, in default order; none for `-T`.
    pub fn fields(self) -> &'static [Field] {
        match self {
            LaggMode::Aggregates => &AGGREGATES,
            LaggMode::Redundancy => &REDUNDANCY,
            LaggMode::Tracking => &[],
        }
    }

    /// The option letter.
    pub fn flag(self) -> char {
        match self {
            LaggMode::Aggregates => 'L',
            LaggMode::Redundancy => 'R',
            LaggMode::Tracking => 'T',
        }
    }

    /// The key of laggd's objects in JSON output: that of the status.
    pub fn json_key(self) -> &'static str {
        match self {
            LaggMode::Aggregates => "aggregates",
            LaggMode::Redundancy => "redundancy",
            LaggMode::Tracking => "tracking",
        }
    }
}

/// Every row of a listing, all fields; none for `-T`.
pub fn rows(mode: LaggMode, st: &LaggStatus) -> Vec<Vec<String>> {
    match mode {
        LaggMode::Aggregates => {
            st.aggregates.iter().map(aggregate_row).collect()
        }
        LaggMode::Redundancy => {
            st.redundancy.iter().map(redundancy_row).collect()
        }
        LaggMode::Tracking => Vec::new(),
    }
}

/// `-L` FLAGS: four positions, `-` when unset: `m` fewer live ports than
/// min-links, `b` bad score (more bad ports than the failure
/// threshold), `D` administratively down, `d` missing from the kernel
/// (as in `-i`).
pub fn aggregate_flags(a: &AggregateStatus) -> String {
    let bit = |on: bool, c: char| if on { c } else { '-' };
    [
        bit(a.below_min_links, 'm'),
        bit(a.bad_score, 'b'),
        bit(a.present && !a.admin_up, 'D'),
        bit(!a.present, 'd'),
    ]
    .iter()
    .collect()
}

/// The ports as `-g` lists members: those in service in master order,
/// then in parentheses those that work but are kept out, then in
/// brackets the rest.
fn ports(a: &AggregateStatus) -> String {
    let names = |keep: &dyn Fn(&PortStatus) -> bool| -> Vec<&str> {
        a.ports
            .iter()
            .filter(|p| keep(p))
            .map(|p| p.name.as_str())
            .collect()
    };
    let mut words: Vec<String> = a.in_service.clone();
    let idle = names(&|p| !p.in_service && p.state == "ok");
    if !idle.is_empty() {
        words.push(format!("({})", idle.join(" ")));
    }
    let unusable = names(&|p| !p.in_service && p.state != "ok");
    if !unusable.is_empty() {
        words.push(format!("[{}]", unusable.join(" ")));
    }
    words.join(" ")
}

fn aggregate_row(a: &AggregateStatus) -> Vec<String> {
    vec![
        a.name.clone(),
        a.protocol.clone().unwrap_or_default(),
        aggregate_state(a).to_string(),
        format!("{}/{}", a.live, a.ports.len()),
        if a.min_links == 0 {
            String::new()
        } else {
            a.min_links.to_string()
        },
        aggregate_flags(a),
        a.active_port.clone().unwrap_or_default(),
        ports(a),
    ]
}

fn redundancy_row(g: &RedundancyStatus) -> Vec<String> {
    let tracks: Vec<String> = g
        .tracks
        .iter()
        .map(|t| {
            let state = cisco_state(if t.up { "up" } else { "down" });
            format!("{}({state})", t.object)
        })
        .collect();
    vec![
        g.name.clone(),
        format!("{}/{}", g.current_priority, g.priority),
        g.failover_threshold.to_string(),
        match g.role.as_str() {
            "unknown" => String::new(),
            role => role.to_string(),
        },
        redundancy_state(g).to_string(),
        g.applied
            .as_deref()
            .map(|a| a.strip_prefix("demotion ").unwrap_or(a).to_string())
            .unwrap_or_default(),
        g.effector.clone(),
        tracks.join(" "),
    ]
}

/// The one word that says most: a switchover in force, else a fault,
/// else a hold (no preempt), else `ok`.
fn redundancy_state(g: &RedundancyStatus) -> &'static str {
    if g.switchover {
        "switchover"
    } else if g.faulted {
        "faulted"
    } else if g.held {
        "held"
    } else {
        "ok"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listings::{pick, pick_from, select_from};
    use crate::table::{header, row, Style};
    use crate::testdata::lagg::lagg_status;

    fn table(mode: LaggMode, spec: Option<&str>, style: Style) -> Vec<String> {
        let sel = select_from(mode.fields(), mode.flag(), spec).unwrap();
        let fields = pick_from(mode.fields(), &sel);
        let mut out = Vec::new();
        if style == Style::Human {
            out.push(header(&fields));
        }
        for r in rows(mode, &lagg_status()) {
            out.push(row(&fields, &pick(&r, &sel), style));
        }
        out
    }

    #[test]
    fn aggregates() {
        assert_eq!(
            table(LaggMode::Aggregates, None, Style::Human),
            [
                "AGGREGATE   PROTO     STATE     LIVE  MINLINKS FLAGS  ACTIVE    PORTS",
                "bond0       failover  degraded  1/2   1        ----   p1        p1 [p0]",
                "lagg1       lacp      ok        2/2   --       ----   --        p2 p3",
                "bond1       --        failed    0/1   2        mb-d   --        [p4]",
            ]
        );
        assert_eq!(
            table(
                LaggMode::Aggregates,
                Some("aggregate,state,ports"),
                Style::Parsable
            ),
            [
                "bond0:degraded:p1 [p0]",
                "lagg1:ok:p2 p3",
                "bond1:failed:[p4]"
            ]
        );
    }

    #[test]
    fn a_working_port_kept_out_of_service_is_in_parentheses() {
        let mut st = lagg_status();
        st.aggregates[0].ports[0].state = "ok".into();
        assert_eq!(ports(&st.aggregates[0]), "p1 (p0)");
        st.aggregates[1].admin_up = false;
        assert_eq!(aggregate_flags(&st.aggregates[1]), "--D-");
    }

    #[test]
    fn redundancy_groups() {
        assert_eq!(
            table(LaggMode::Redundancy, None, Style::Human),
            [
                "GROUP       PRIORITY  THRESHOLD  ROLE     STATE      APPLIED  EFFECTOR    TRACKS",
                "rg1         90/120    80         active   ok         30       carp vhid 1 on em0 bond0(Up) p0(Dwn)",
                "rg2         100/100   50         --       faulted    --       keepalived /run/keepalived/rg2.track core(Dwn)",
            ]
        );
        assert_eq!(
            table(
                LaggMode::Redundancy,
                Some("group,role,state,applied"),
                Style::Parsable
            ),
            ["rg1:active:ok:30", "rg2::faulted:"]
        );
    }

    #[test]
    fn field_selection_names_the_listing() {
        let m = LaggMode::Aggregates;
        assert_eq!(
            select_from(m.fields(), m.flag(), Some("Ports,live")).unwrap(),
            [7, 3]
        );
        let e =
            select_from(m.fields(), m.flag(), Some("groupname")).unwrap_err();
        assert!(e.contains("`groupname` for -L"), "{e}");
        assert!(rows(LaggMode::Tracking, &lagg_status()).is_empty());
    }
}
