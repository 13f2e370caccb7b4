//! `-T`: the link-state tracking groups as Cisco's
//! `show link state group detail` prints them, a block per group and
//! the legend once at the end (`-bT`: the first line of each block, as
//! `show link state group` without `detail`):
//!
//! ```text
//! Link State Group: uplinks      Status: Enabled, Up      Health: link
//! Upstream Interfaces   : bond0(Up)
//! Downstream Interfaces : d0(Up) d1(Dis)
//!
//! (Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled
//! ```
//!
//! Cisco's groups are numbered; laggd's are named, and say whether
//! upstream health means link state or probes (`Health:`). An upstream
//! interface laggd has no word on yet is `(Unk)`, and the legend says
//! so when one is shown.

use mpath_proto::laggd::{TrackedInterface, TrackingGroupStatus};

use super::summary::interfaces;

const LEGEND: &str =
    "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled";

/// `Enabled, Up`, `Enabled, Down` or `Disabled`.
fn status(state: &str) -> &'static str {
    match state {
        "up" => "Enabled, Up",
        "down" => "Enabled, Down",
        "disabled" => "Disabled",
        _ => "Enabled, Unknown",
    }
}

fn unknown(list: &[TrackedInterface]) -> bool {
    list.iter()
        .any(|i| !["up", "down", "disabled"].contains(&i.state.as_str()))
}

/// A group's first line; a state the operator set at run time says
/// so, since the next reload undoes it.
fn head(g: &TrackingGroupStatus) -> String {
    let runtime = if g.runtime {
        " (ifctl, until reload)"
    } else {
        ""
    };
    format!(
        "Link State Group: {}      Status: {}{runtime}      Health: {}",
        g.name,
        status(&g.state),
        g.health
    )
}

/// `-bT`: Cisco's `show link state group` without `detail`, a line
/// per group.
pub fn brief(groups: &[TrackingGroupStatus]) -> Vec<String> {
    groups.iter().map(head).collect()
}

/// Every group, one string per line; nothing when there is none.
pub fn detail(groups: &[TrackingGroupStatus]) -> Vec<String> {
    let mut out = Vec::new();
    for g in groups {
        out.push(head(g));
        out.push(format!(
            "Upstream Interfaces   : {}",
            interfaces(&g.upstream)
        ));
        out.push(format!(
            "Downstream Interfaces : {}",
            interfaces(&g.downstream)
        ));
        out.push(String::new());
    }
    if !groups.is_empty() {
        let mut legend = LEGEND.to_string();
        if groups
            .iter()
            .any(|g| unknown(&g.upstream) || unknown(&g.downstream))
        {
            legend.push_str("   (Unk):Interface state unknown");
        }
        out.push(legend);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::lagg::lagg_status;

    #[test]
    fn like_cisco_show_link_state_group_detail() {
        let st = lagg_status();
        assert_eq!(
            detail(&st.tracking[..1]),
            [
                "Link State Group: uplinks      Status: Enabled, Up      Health: link",
                "Upstream Interfaces   : bond0(Up)",
                "Downstream Interfaces : d0(Up) d1(Dis)",
                "",
                "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled",
            ]
        );
        assert_eq!(
            detail(&st.tracking),
            [
                "Link State Group: uplinks      Status: Enabled, Up      Health: link",
                "Upstream Interfaces   : bond0(Up)",
                "Downstream Interfaces : d0(Up) d1(Dis)",
                "",
                "Link State Group: core      Status: Enabled, Down      Health: probe",
                "Upstream Interfaces   : lagg1(Dwn) bond1(Unk)",
                "Downstream Interfaces : d2(Dis)",
                "",
                "Link State Group: spare      Status: Disabled      Health: link",
                "Upstream Interfaces   : bond1(Dwn)",
                "Downstream Interfaces : none",
                "",
                "(Up):Interface up   (Dwn):Interface Down   (Dis):Interface disabled   \
                 (Unk):Interface state unknown",
            ]
        );
        assert!(detail(&[]).is_empty());
    }

    #[test]
    fn brief_like_cisco_show_link_state_group() {
        let mut st = lagg_status();
        st.tracking[0].state = "disabled".into();
        st.tracking[0].runtime = true;
        assert_eq!(
            brief(&st.tracking),
            [
                "Link State Group: uplinks      Status: Disabled (ifctl, until \
                 reload)      Health: link",
                "Link State Group: core      Status: Enabled, Down      Health: probe",
                "Link State Group: spare      Status: Disabled      Health: link",
            ]
        );
        assert!(brief(&[]).is_empty());
    }
}
