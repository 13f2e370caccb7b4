//! Applying redundancy groups' demotions to the HA engine: the core
//! keeps laggd's share of CARP's counter (`mpath_core::laggd::carp`),
//! `mpath_sys::ha` writes.
//!
//! - keepalived: a `track_file` per group. keepalived multiplies the
//!   number in it by the `weight` of its `track_file` block and adds it
//!   to the VRRP priority, so laggd writes the negated demotion
//!   (`-50`); a faulted group writes the maximum demotion (240), which
//!   with `weight 1` takes any priority to the floor.
//! - CARP: only laggd's own share of the host's counter is ever added or
//!   taken back.

use std::io;

use mpath_core::laggd::carp::CarpShares;
use mpath_core::laggd::config::Effector;
use mpath_core::laggd::messages as msg;
use mpath_core::laggd::redundancy::HaEffect;

/// What laggd has applied to the HA engine.
#[derive(Debug, Default)]
pub struct Ha {
    carp: CarpShares,
}

impl Ha {
    /// Applies `effect` for `group`; returns the log line.
    pub fn apply(
        &mut self,
        group: &str,
        effector: Option<&Effector>,
        effect: HaEffect,
    ) -> io::Result<String> {
        match effector {
            Some(Effector::Keepalived(path)) => {
                let value = -i64::from(effect.demotion);
                mpath_sys::ha::write_track_file(path, value)?;
                Ok(msg::keepalived_wrote(group, effect, value, path))
            }
            Some(Effector::Carp) => {
                let delta = self.carp.delta(group, effect.demotion);
                let delta = i32::try_from(delta).map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "demotion out of range",
                    )
                })?;
                if delta != 0 {
                    mpath_sys::ha::adjust_carp_demotion(delta)?;
                }
                self.carp.applied(group, effect.demotion);
                Ok(msg::carp_adjusted(group, effect, delta))
            }
            None => Ok(msg::no_effector(group, effect)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalived_reads_the_negated_demotion() {
        let dir = std::env::temp_dir()
            .join(format!("laggd-ha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rg1");
        let k = Effector::Keepalived(path.clone());
        let mut ha = Ha::default();
        let effect = |demotion| HaEffect {
            demotion,
            faulted: false,
        };
        let line = ha.apply("rg1", Some(&k), effect(50)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "-50\n");
        assert!(line.contains("wrote -50"), "{line}");
        ha.apply("rg1", Some(&k), effect(0)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
