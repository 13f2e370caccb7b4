//! Where each data address should live.
//!
//! Placement is recomputed after every change, from the current hosts,
//! so that the rules below hold whatever sequence of events led here:
//!
//! 1. With no active member (the group has failed, or nothing is up
//!    yet) nothing moves: in.mpathd does not fail over when every member
//!    is unusable, because there is nowhere better to go and the cause is
//!    more likely a shared target than every NIC at once.
//! 2. An address whose home member is active goes home when FAILBACK=yes,
//!    or when its current host cannot keep it.
//! 3. An address on an active member stays there (no needless moves).
//! 4. Otherwise it moves to the active member hosting the fewest
//!    addresses, ties broken by configuration order. All the addresses
//!    leaving one member go to the same destination, as Solaris 8-10
//!    in.mpathd failed a whole interface over to one other interface. A
//!    standby that was just activated hosts nothing, so it normally
//!    receives a failed member's addresses, as the Solaris documentation
//!    describes; an active member with fewer addresses may be chosen.

use super::member::Member;

/// One decided move: address `addr` (an index) from `from` to `to`
/// (member indices; `from` is `None` for an address not hosted yet).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Move {
    /// Index of the address.
    pub addr: usize,
    /// Index of the member that hosted it, if any.
    pub from: Option<usize>,
    /// Index of the member that hosts it now.
    pub to: usize,
}

/// Decides the new host of every address. `homes[i]` and `hosts[i]` are
/// the home and the current host of address `i`; `hosts` is updated in
/// place and the moves are returned in address order.
pub fn place(
    members: &[Member],
    homes: &[usize],
    hosts: &mut [Option<usize>],
    failback: bool,
) -> Vec<Move> {
    let mut moves = Vec::new();
    // Destination chosen for the addresses leaving each source member
    // (`None`: addresses not hosted anywhere yet).
    let mut chosen: Vec<(Option<usize>, usize)> = Vec::new();
    if !members.iter().any(Member::is_active) {
        return moves;
    }
    let mut load = vec![0usize; members.len()];
    for h in hosts.iter().flatten() {
        if let Some(l) = load.get_mut(*h) {
            *l += 1;
        }
    }
    for (i, (&home, host)) in homes.iter().zip(hosts.iter_mut()).enumerate() {
        let active = |m: usize| members.get(m).is_some_and(Member::is_active);
        let current_ok = host.is_some_and(active);
        let desired = if active(home) && (failback || !current_ok) {
            home
        } else if let (true, Some(h)) = (current_ok, *host) {
            h
        } else if let Some(&(_, d)) = chosen.iter().find(|(s, _)| s == host) {
            d
        } else {
            match least_loaded(members, &load) {
                Some(m) => {
                    chosen.push((*host, m));
                    m
                }
                None => continue,
            }
        };
        if *host != Some(desired) {
            if let Some(old) = *host {
                load[old] -= 1;
            }
            load[desired] += 1;
            moves.push(Move {
                addr: i,
                from: *host,
                to: desired,
            });
            *host = Some(desired);
        }
    }
    moves
}

fn least_loaded(members: &[Member], load: &[usize]) -> Option<usize> {
    members
        .iter()
        .enumerate()
        .filter(|(_, m)| m.is_active())
        .min_by_key(|(i, _)| (load[*i], *i))
        .map(|(i, _)| i)
}
