//! What laggd writes to keepalived's track file for a redundancy group's
//! [`HaEffect`].
//!
//! keepalived (2.2.7, checked in the lab) reads an integer from a
//! `track_file` whenever the file changes, multiplies it by the block's
//! `weight` and adds it to the VRRP priority, which it clamps to 1-254;
//! a product below -253 puts the instance in FAULT, and a master entering
//! FAULT sends a priority-0 advertisement and removes its virtual
//! addresses, so the backup takes over after its skew time (about 0.6 s
//! at `advert_int 1`) instead of the whole master-down interval (three
//! intervals plus skew, about 3.6 s). laggd.conf(5) therefore asks for
//! `weight 1`, and laggd writes:
//!
//! | effect      | value  | keepalived                                  |
//! |-------------|--------|---------------------------------------------|
//! | demotion N  | -N     | priority less N (at least 1; N up to 253)   |
//! | yield       | -253   | priority 1: backup, takes over if alone     |
//! | resign      | -254   | FAULT: priority-0 advertisement, no VIPs    |

use super::redundancy::HaEffect;

/// The value that takes any priority to keepalived's floor, 1, without
/// a fault.
pub const LOWEST: i64 = -253;

/// The value that puts the instance in FAULT.
pub const FAULT: i64 = -254;

/// What to write for `effect` (with `weight 1`).
pub fn track_value(effect: HaEffect) -> i64 {
    match effect {
        // Past -253 would be a fault: any demotion that large already
        // takes the priority to the floor.
        HaEffect::Demote(d) => -i64::from(d).min(-LOWEST),
        HaEffect::Yield => LOWEST,
        HaEffect::Resign => FAULT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HaEffect::{Demote, Resign, Yield};

    #[test]
    fn each_effect_has_its_value() {
        let table = [
            (Demote(0), 0),
            (Demote(50), -50),
            (Demote(253), -253),
            (Demote(255), -253),
            (Yield, -253),
            (Resign, -254),
        ];
        for (effect, want) in table {
            assert_eq!(track_value(effect), want, "{effect}");
        }
    }
}
