//! Gateway routes follow the data addresses.
//!
//! A gateway route through a member that cannot carry traffic (failed,
//! offline, gone or INACTIVE) moves to an active member of its group,
//! preferably one hosting a data address on the gateway's subnet (so
//! that the kernel picks that address as the source). Without this, a
//! default route bound to a failed member's device would keep sending
//! off-link traffic into the failure after the data addresses had
//! moved. In a failed group nothing moves.

use super::action::{Action, Level, LogKind};
use super::machine::Engine;
use super::messages as msg;

impl Engine {
    /// Moves routes off the members of groups `groups` that can no
    /// longer carry them.
    pub(super) fn follow_routes(&mut self, groups: &[usize]) {
        if self.routes.is_empty() || groups.is_empty() {
            return;
        }
        let mut moves = Vec::new();
        for r in &self.routes {
            let Some(&i) = self.index.iface.get(&r.ifname) else {
                continue;
            };
            let Some(g) = self.index.group_of[i].filter(|g| groups.contains(g))
            else {
                continue;
            };
            let group = &self.groups[g];
            if group.is_anonymous() {
                continue;
            }
            let key = (r.dst, r.gateway, r.ifname.clone());
            let active =
                |m: &str| group.member(m).is_some_and(|m| m.is_active());
            if active(&r.ifname) || self.routes_moved.contains(&key) {
                continue;
            }
            let on_subnet = group
                .addresses()
                .into_iter()
                .find(|(a, _, h)| {
                    a.contains(r.gateway) && h.is_some_and(&active)
                })
                .and_then(|(_, _, h)| h.map(str::to_string));
            let to = on_subnet.or_else(|| {
                group
                    .members()
                    .iter()
                    .find(|m| m.is_active())
                    .map(|m| m.name.clone())
            });
            if let Some(to) = to {
                moves.push((key, to));
            }
        }
        for ((dst, gateway, from), to) in moves {
            let (Some(from_index), Some(to_index)) =
                (self.present_index(&from), self.present_index(&to))
            else {
                continue;
            };
            self.log(
                Level::Info,
                LogKind::Other,
                msg::moving_route(dst, gateway, &from, &to),
            );
            self.actions.push(Action::MoveRoute {
                dst,
                gateway,
                from: from.clone(),
                from_index,
                to,
                to_index,
            });
            self.routes_moved.insert((dst, gateway, from));
        }
    }
}
