//! The ipmpstat listings: `-g` groups, `-i` interfaces, `-a` data
//! addresses, `-t` probe targets and `-p` probes, with ipmpstat's field
//! names, default widths and value words (research note §7.1).
//!
//! Every row is built with all of its mode's fields; `-o` picks from it.
//! There is no IPMP meta-interface on FreeBSD or Linux, so the GROUP
//! columns show the group name, as GROUPNAME does.

use mpath_proto::mpathd::{AddressStatus, InterfaceStatus, Status};
use mpath_proto::Event;

use crate::table::Field;

/// A listing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// `-g`.
    Groups,
    /// `-i`.
    Interfaces,
    /// `-a`.
    Addresses,
    /// `-t`.
    Targets,
    /// `-p`.
    Probes,
}

const fn f(name: &'static str, width: usize) -> Field {
    Field { name, width }
}

const GROUPS: [Field; 5] = [
    f("GROUP", 12),
    f("GROUPNAME", 12),
    f("STATE", 10),
    f("FDT", 10),
    f("INTERFACES", 30),
];

const INTERFACES: [Field; 7] = [
    f("INTERFACE", 12),
    f("ACTIVE", 8),
    f("GROUP", 12),
    f("FLAGS", 10),
    f("LINK", 10),
    f("PROBE", 10),
    f("STATE", 10),
];

const ADDRESSES: [Field; 5] = [
    f("ADDRESS", 26),
    f("STATE", 7),
    f("GROUP", 12),
    f("INBOUND", 12),
    f("OUTBOUND", 23),
];

const TARGETS: [Field; 4] = [
    f("INTERFACE", 12),
    f("MODE", 10),
    f("TESTADDR", 20),
    f("TARGETS", 38),
];

const PROBES: [Field; 8] = [
    f("TIME", 10),
    f("INTERFACE", 12),
    f("PROBE", 7),
    f("NETRTT", 10),
    f("RTT", 10),
    f("RTTAVG", 10),
    f("TARGET", 20),
    f("RTTDEV", 10),
];

impl Mode {
    /// Whether the listing shows the members' probe paths (targets,
    /// probes); the others ask for the brief status, without them.
    pub fn needs_paths(self) -> bool {
        match self {
            Mode::Groups | Mode::Interfaces | Mode::Addresses => false,
            Mode::Targets | Mode::Probes => true,
        }
    }

    /// Every field of the listing, in default order.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Mode::Groups => &GROUPS,
            Mode::Interfaces => &INTERFACES,
            Mode::Addresses => &ADDRESSES,
            Mode::Targets => &TARGETS,
            Mode::Probes => &PROBES,
        }
    }

    /// The option letter.
    pub fn flag(self) -> char {
        match self {
            Mode::Groups => 'g',
            Mode::Interfaces => 'i',
            Mode::Addresses => 'a',
            Mode::Targets => 't',
            Mode::Probes => 'p',
        }
    }

    /// The key of the row array in JSON output.
    pub fn json_key(self) -> &'static str {
        match self {
            Mode::Groups => "groups",
            Mode::Interfaces => "interfaces",
            Mode::Addresses => "addresses",
            Mode::Targets => "targets",
            Mode::Probes => "probes",
        }
    }
}

/// Resolves `-o` (comma-separated, any case, `all` for every field) to
/// field indices; `None` selects every field.
#[cfg(test)]
pub fn select(mode: Mode, spec: Option<&str>) -> Result<Vec<usize>, String> {
    select_from(mode.fields(), mode.flag(), spec)
}

/// Resolves `-o` among `fields`, the listing of option `-flag`.
pub fn select_from(
    fields: &[Field],
    flag: char,
    spec: Option<&str>,
) -> Result<Vec<usize>, String> {
    let Some(spec) = spec else {
        return Ok((0..fields.len()).collect());
    };
    let mut picked = Vec::new();
    for name in spec.split(',') {
        if name.eq_ignore_ascii_case("all") {
            picked.extend(0..fields.len());
            continue;
        }
        match fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
        {
            Some(k) => picked.push(k),
            None => {
                let known: Vec<String> =
                    fields.iter().map(|f| f.name.to_lowercase()).collect();
                return Err(format!(
                    "unknown output field `{name}` for -{flag} (fields: {}, \
                     all)",
                    known.join(", ")
                ));
            }
        }
    }
    Ok(picked)
}

/// The selected fields.
pub fn pick_fields(mode: Mode, sel: &[usize]) -> Vec<Field> {
    pick_from(mode.fields(), sel)
}

/// The selected fields among `fields`; `sel` comes from
/// [`select_from`] on the same fields, so every index is in range.
pub fn pick_from(fields: &[Field], sel: &[usize]) -> Vec<Field> {
    sel.iter().filter_map(|k| fields.get(*k).copied()).collect()
}

/// The selected values of a full row.
pub fn pick(row: &[String], sel: &[usize]) -> Vec<String> {
    sel.iter()
        .map(|k| row.get(*k).cloned().unwrap_or_default())
        .collect()
}

/// Every row of a snapshot listing, all fields; `-p` has none (its rows
/// come from probe events, see [`probe_row`]).
pub fn rows(mode: Mode, st: &Status) -> Vec<Vec<String>> {
    match mode {
        Mode::Groups => st.groups.iter().map(group_row).collect(),
        Mode::Interfaces => st.interfaces.iter().map(interface_row).collect(),
        Mode::Addresses => st.addresses.iter().map(address_row).collect(),
        Mode::Targets => st.interfaces.iter().flat_map(target_rows).collect(),
        Mode::Probes => Vec::new(),
    }
}

/// `%.2fs` of milliseconds (negative allowed).
pub fn seconds(ms: i64) -> String {
    format!("{:.2}s", ms as f64 / 1000.0)
}

fn millis_us(us: u64) -> String {
    format!("{:.2}ms", us as f64 / 1000.0)
}

fn group_row(g: &mpath_proto::mpathd::GroupStatus) -> Vec<String> {
    let mut members: Vec<String> = g.active.clone();
    if !g.inactive.is_empty() {
        members.push(format!("({})", g.inactive.join(" ")));
    }
    if !g.unusable.is_empty() {
        members.push(format!("[{}]", g.unusable.join(" ")));
    }
    vec![
        g.name.clone(),
        g.name.clone(),
        g.state.clone(),
        g.fdt_ms.map(|ms| seconds(ms_i64(ms))).unwrap_or_default(),
        members.join(" "),
    ]
}

fn ms_i64(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// ipmpstat -i FLAGS: seven positions, `-` when unset. There are no
/// multicast or broadcast nominees here and no duplicate hardware
/// address detection, so `m`, `b`, `M` and `h` are always `-`; `d` marks
/// an interface missing from the kernel.
pub fn flags(i: &InterfaceStatus) -> String {
    let bit = |on: bool, c: char| if on { c } else { '-' };
    [
        bit(i.inactive, 'i'),
        bit(i.standby, 's'),
        '-',
        '-',
        '-',
        bit(!i.present, 'd'),
        '-',
    ]
    .iter()
    .collect()
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.to_string()
}

fn interface_row(i: &InterfaceStatus) -> Vec<String> {
    vec![
        i.name.clone(),
        yes_no(i.active),
        i.group.clone(),
        flags(i),
        i.link.clone(),
        i.probe.clone(),
        i.state.clone(),
    ]
}

/// The address without its prefix length, as ipmpstat prints it.
fn bare(addr: &str) -> String {
    addr.split('/').next().unwrap_or(addr).to_string()
}

fn address_row(a: &AddressStatus) -> Vec<String> {
    let up = a.state == "up";
    let inbound = match &a.host {
        Some(h) if up => h.clone(),
        _ => String::new(),
    };
    // mpathd moves each address whole: the member that hosts it sends
    // its traffic too (in.mpathd spreads outbound traffic over the
    // group's active members; nothing here does).
    let outbound = inbound.clone();
    vec![
        bare(&a.address),
        a.state.clone(),
        a.group.clone(),
        inbound,
        outbound,
    ]
}

/// One row per probing family; one `disabled` row if none probes.
fn target_rows(i: &InterfaceStatus) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = i
        .paths
        .iter()
        .filter(|p| p.mode != "disabled")
        .map(|p| {
            let targets: Vec<&str> = p
                .targets
                .iter()
                .filter(|t| t.state == "active")
                .map(|t| t.address.as_str())
                .collect();
            vec![
                i.name.clone(),
                p.mode.clone(),
                p.test_address.clone().unwrap_or_default(),
                targets.join(" "),
            ]
        })
        .collect();
    if rows.is_empty() {
        let disabled = "disabled".to_string();
        return vec![vec![
            i.name.clone(),
            disabled,
            String::new(),
            String::new(),
        ]];
    }
    rows
}

/// The `-p` row for a probe event, all fields. `offset_ms` turns the
/// daemon's clock into ifctl's (see `events::Anchor`). mpathd measures
/// one round-trip time per probe, so NETRTT and RTT both show it.
pub fn probe_row(ev: &Event, offset_ms: i64) -> Option<Vec<String>> {
    let p = ev.probe.as_ref()?;
    let rtt = p.rtt_us.map(millis_us).unwrap_or_default();
    let nonzero = |v: Option<u64>| {
        v.filter(|us| *us > 0).map(millis_us).unwrap_or_default()
    };
    Some(vec![
        seconds(ms_i64(p.sent_ms).saturating_add(offset_ms)),
        ev.interface.clone().unwrap_or_default(),
        p.seq.to_string(),
        rtt.clone(),
        rtt,
        nonzero(p.rtt_avg_us),
        p.target.clone(),
        nonzero(p.rtt_dev_us),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{header, row, Style};
    use crate::testdata::status;
    use mpath_proto::ProbeInfo;

    fn table(mode: Mode, spec: Option<&str>, style: Style) -> Vec<String> {
        let sel = select(mode, spec).unwrap();
        let fields = pick_fields(mode, &sel);
        let mut out = Vec::new();
        if style == Style::Human {
            out.push(header(&fields));
        }
        for r in rows(mode, &status()) {
            out.push(row(&fields, &pick(&r, &sel), style));
        }
        out
    }

    #[test]
    fn groups_like_ipmpstat() {
        assert_eq!(
            table(Mode::Groups, None, Style::Human),
            [
                "GROUP       GROUPNAME   STATE     FDT       INTERFACES",
                "ipmp0       ipmp0       degraded  1.00s     em1 (em2) [em0]",
                "--          --          ok        --        [em3]",
            ]
        );
        assert_eq!(
            table(Mode::Groups, Some("groupname,fdt"), Style::Parsable),
            ["ipmp0:1.00s", ":"]
        );
    }

    #[test]
    fn interfaces_like_ipmpstat() {
        assert_eq!(
            table(Mode::Interfaces, None, Style::Human),
            [
                "INTERFACE   ACTIVE  GROUP       FLAGS     LINK      PROBE     STATE",
                "em0         no      ipmp0       -------   up        failed    failed",
                "em1         yes     ipmp0       -------   up        ok        ok",
                "em2         no      ipmp0       is-----   up        ok        ok",
                "em3         no      --          -----d-   down      disabled  failed",
            ]
        );
        assert_eq!(
            table(
                Mode::Interfaces,
                Some("Interface,STATE,link,probe"),
                Style::Parsable
            ),
            [
                "em0:failed:up:failed",
                "em1:ok:up:ok",
                "em2:ok:up:ok",
                "em3:failed:down:disabled"
            ]
        );
    }

    #[test]
    fn addresses_like_ipmpstat() {
        assert_eq!(
            table(Mode::Addresses, None, Style::Human),
            [
                "ADDRESS                   STATE  GROUP       INBOUND     OUTBOUND",
                "192.0.2.10                up     ipmp0       em1         em1",
                "2001:db8::10              up     ipmp0       em1         em1",
                "192.0.2.30                down   ipmp0       --          --",
            ]
        );
        assert_eq!(
            table(Mode::Addresses, Some("address,inbound"), Style::Parsable),
            ["192.0.2.10:em1", "2001\\:db8\\:\\:10:em1", "192.0.2.30:"]
        );
    }

    #[test]
    fn outbound_is_the_member_that_hosts_the_address() {
        // Two active members: each address still leaves through its
        // host alone.
        let mut st = status();
        st.groups[0].active = vec!["em1".into(), "em2".into()];
        let rows = rows(Mode::Addresses, &st);
        assert_eq!(rows[0][3..], ["em1".to_string(), "em1".to_string()]);
        assert_eq!(rows[2][3..], [String::new(), String::new()], "down");
    }

    #[test]
    fn targets_like_ipmpstat() {
        assert_eq!(
            table(Mode::Targets, None, Style::Human),
            [
                "INTERFACE   MODE      TESTADDR            TARGETS",
                "em0         explicit  192.0.2.11          --",
                "em1         explicit  192.0.2.12          192.0.2.2 192.0.2.1",
                "em1         multicast fe80::1             fe80::99",
                "em2         routes    192.0.2.13          192.0.2.1",
                "em3         disabled  --                  --",
            ]
        );
    }

    #[test]
    fn field_selection() {
        assert_eq!(select(Mode::Groups, Some("ALL")).unwrap(), [0, 1, 2, 3, 4]);
        assert_eq!(
            select(Mode::Targets, Some("targets,mode")).unwrap(),
            [3, 1]
        );
        let e = select(Mode::Interfaces, Some("state,bogus")).unwrap_err();
        assert!(e.contains("`bogus`") && e.contains("-i"), "{e}");
        assert!(select(Mode::Interfaces, Some("")).is_err());
        assert!(select(Mode::Interfaces, Some("state,")).is_err());
    }

    fn probe(rtt: Option<u64>) -> Event {
        Event {
            time_ms: 5_000,
            kind: "probe".into(),
            interface: Some("em0".into()),
            group: None,
            message: "probe".into(),
            probe: Some(ProbeInfo {
                family: "inet".into(),
                seq: 42,
                target: "192.0.2.1".into(),
                sent_ms: 4_990,
                rtt_us: rtt,
                rtt_avg_us: Some(420),
                rtt_dev_us: Some(0),
            }),
        }
    }

    #[test]
    fn probe_rows() {
        let sel = select(Mode::Probes, None).unwrap();
        let fields = pick_fields(Mode::Probes, &sel);
        assert_eq!(
            header(&fields),
            "TIME      INTERFACE   PROBE  NETRTT    RTT       RTTAVG    \
             TARGET              RTTDEV"
        );
        // Sent at 4.99 s daemon time; ifctl started at 4.5 s daemon time.
        let r = probe_row(&probe(Some(516)), -4_500).unwrap();
        assert_eq!(
            row(&fields, &r, Style::Human),
            "0.49s     em0         42     0.52ms    0.52ms    0.42ms    \
             192.0.2.1           --"
        );
        let r = probe_row(&probe(None), -5_500).unwrap();
        assert_eq!(
            row(&fields, &r, Style::Parsable),
            "-0.51s:em0:42:::0.42ms:192.0.2.1:"
        );
        let mut not_probe = probe(None);
        not_probe.probe = None;
        assert_eq!(probe_row(&not_probe, 0), None);
    }
}
