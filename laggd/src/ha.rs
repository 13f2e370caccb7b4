//! Telling the HA engines what the redundancy groups decided: the core
//! says what each effect means to each engine (`mpath_core::laggd::
//! {keepalived, carp}`), `mpath_sys::ha` makes the calls, and this keeps
//! what laggd changed so that it can put it back.
//!
//! - keepalived: one `track_file` per group (`weight 1`).
//! - CARP per vhid: each named vhid's advskew, from the skew configured
//!   on it; the configured skew comes back when the group is healthy.
//! - CARP host-wide: laggd's own share of the demotion counter.
//!
//! The role (who is active) is read back from the same engines: CARP's
//! vhid states here, keepalived's virtual address from the kernel
//! snapshot in the core.

use std::io;

use mpath_core::laggd::carp::{self, CarpShares, VhidSkews};
use mpath_core::laggd::config::{Effector, Vhid};
use mpath_core::laggd::keepalived;
use mpath_core::laggd::messages as msg;
use mpath_core::laggd::redundancy::{HaEffect, Role};
use mpath_sys::ha::CarpState;

/// What laggd has applied to the HA engines.
#[derive(Debug, Default)]
pub struct Ha {
    shares: CarpShares,
    skews: VhidSkews,
}

/// A log line: what was done, or what failed.
pub type Outcome = Result<String, String>;

impl Ha {
    /// Applies `effect` for `group`; one line per thing changed.
    pub fn apply(
        &mut self,
        group: &str,
        effector: Option<&Effector>,
        effect: HaEffect,
    ) -> Vec<Outcome> {
        let failed = |e: io::Error| msg::cannot_apply_ha(group, effect, &e);
        match effector {
            Some(Effector::Keepalived { file, .. }) => {
                let value = keepalived::track_value(effect);
                let done = mpath_sys::ha::write_track_file(file, value)
                    .map(|()| msg::keepalived_wrote(group, effect, value, file))
                    .map_err(failed);
                vec![done]
            }
            Some(Effector::Carp(vhids)) if vhids.is_empty() => {
                vec![self.carp_counter(group, effect).map_err(failed)]
            }
            Some(Effector::Carp(vhids)) => vhids
                .iter()
                .map(|v| self.carp_vhid(group, v, effect).map_err(failed))
                .collect(),
            None => vec![Ok(msg::no_effector(group, effect))],
        }
    }

    /// The coarse mode: laggd's share of `net.inet.carp.demotion`.
    fn carp_counter(
        &mut self,
        group: &str,
        effect: HaEffect,
    ) -> io::Result<String> {
        let demotion = carp::demotion(effect);
        let delta = i32::try_from(self.shares.delta(group, demotion)).map_err(
            |_| io::Error::new(io::ErrorKind::InvalidInput, "out of range"),
        )?;
        if delta != 0 {
            mpath_sys::ha::adjust_carp_demotion(delta)?;
        }
        self.shares.applied(group, demotion);
        Ok(msg::carp_adjusted(group, effect, delta, demotion))
    }

    /// One vhid's advskew, from the skew configured on it.
    fn carp_vhid(
        &mut self,
        group: &str,
        v: &Vhid,
        effect: HaEffect,
    ) -> io::Result<String> {
        let now = mpath_sys::ha::carp_vhid(&v.interface, v.vhid)?.advskew;
        let healthy = effect == HaEffect::default();
        let base = match self.skews.base(&v.interface, v.vhid) {
            Some(base) => base,
            None if healthy => now,
            None => self.skews.remember(&v.interface, v.vhid, now),
        };
        let want = carp::advskew(base, effect);
        if want != now {
            mpath_sys::ha::set_carp_advskew(&v.interface, v.vhid, want)?;
        }
        if healthy {
            self.skews.restored(&v.interface, v.vhid);
        }
        Ok(msg::carp_skew_set(
            group,
            effect,
            v.vhid,
            &v.interface,
            now,
            want,
        ))
    }
}

/// A group's role from its vhids' states: active when any is MASTER
/// (it holds at least part of the role), standby when those that could
/// be read are not, unknown when none could be.
pub fn carp_role(vhids: &[Vhid]) -> Role {
    let mut seen = false;
    for v in vhids {
        match mpath_sys::ha::carp_vhid(&v.interface, v.vhid) {
            Ok(r) if r.state == CarpState::Master => return Role::Active,
            Ok(_) => seen = true,
            Err(_) => {}
        }
    }
    if seen {
        Role::Standby
    } else {
        Role::Unknown
    }
}

/// Whether `net.inet.carp.preempt` needs a warning: CARP is driven and
/// the sysctl is 0 or unreadable.
pub fn carp_preempt_warning(effectors: &[&Effector]) -> Option<String> {
    if !effectors.iter().any(|e| matches!(e, Effector::Carp(_))) {
        return None;
    }
    match mpath_sys::ha::carp_preempt() {
        Ok(true) => None,
        Ok(false) => Some(msg::CARP_PREEMPT_OFF.to_string()),
        Err(e) => Some(msg::carp_preempt_unreadable(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalived_reads_each_effect_as_its_value() {
        let dir = std::env::temp_dir()
            .join(format!("laggd-ha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("rg1");
        let k = Effector::Keepalived {
            file: file.clone(),
            vip: None,
        };
        let mut ha = Ha::default();
        for (effect, want) in [
            (HaEffect::Demote(50), "-50\n"),
            (HaEffect::Resign, "-254\n"),
            (HaEffect::Yield, "-253\n"),
            (HaEffect::Demote(0), "0\n"),
        ] {
            let lines = ha.apply("rg1", Some(&k), effect);
            assert_eq!(std::fs::read_to_string(&file).unwrap(), want);
            let line = lines[0].as_ref().unwrap();
            assert!(line.contains(&format!("wrote {}", want.trim())), "{line}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn carp_elsewhere_says_why_it_cannot() {
        if cfg!(target_os = "freebsd") {
            return;
        }
        let c = Effector::Carp(vec![Vhid {
            vhid: 1,
            interface: "em0".into(),
        }]);
        let mut ha = Ha::default();
        let lines = ha.apply("rg1", Some(&c), HaEffect::Resign);
        let err = lines[0].as_ref().unwrap_err();
        assert!(err.starts_with("redundancy group rg1: cannot apply resign"));
        assert_eq!(
            carp_role(&[Vhid {
                vhid: 1,
                interface: "em0".into()
            }]),
            Role::Unknown
        );
    }
}
