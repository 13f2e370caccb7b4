//! Applying redundancy groups' demotions to the HA engine.
//!
//! - keepalived: a `track_file` per group. keepalived multiplies the
//!   number in it by the `weight` of its `track_file` block and adds it
//!   to the VRRP priority, so laggd writes the negated demotion
//!   (`-50`); a faulted group writes the maximum demotion (240), which
//!   with `weight 1` takes any priority to the floor. The file is
//!   replaced atomically (write, then rename) so keepalived never reads
//!   half a number.
//! - CARP: `net.inet.carp.demotion` is one counter for the whole host,
//!   changed by adding to it, and shared with the kernel's own demotions
//!   (a link going down, pfsync bulk update). laggd remembers what it
//!   added per group and only ever adds or takes back its own share, so
//!   it never cancels a demotion the kernel made.

use std::collections::BTreeMap;
use std::io;
use std::path::Path;

use mpath_core::laggd::config::Effector;
use mpath_core::laggd::redundancy::HaEffect;

/// What laggd has applied to the HA engine.
#[derive(Debug, Default)]
pub struct Ha {
    /// The demotion each group added to CARP's counter.
    carp: BTreeMap<String, u32>,
}

impl Ha {
    /// Applies `effect` for `group`, adding to CARP's demotion counter
    /// through `carp`; returns the log line.
    pub fn apply(
        &mut self,
        group: &str,
        effector: Option<&Effector>,
        effect: HaEffect,
        carp: impl FnOnce(i32) -> io::Result<()>,
    ) -> io::Result<String> {
        let state = if effect.faulted {
            "faulted".to_string()
        } else {
            format!("demotion {}", effect.demotion)
        };
        match effector {
            Some(Effector::Keepalived(path)) => {
                let value = -i64::from(effect.demotion);
                write_atomically(path, &format!("{value}\n"))?;
                Ok(format!(
                    "redundancy group {group}: {state}; wrote {value} to {}",
                    path.display()
                ))
            }
            Some(Effector::Carp) => {
                let had = self.carp.get(group).copied().unwrap_or(0);
                let delta = i64::from(effect.demotion) - i64::from(had);
                let delta = i32::try_from(delta).map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "demotion out of range",
                    )
                })?;
                if delta != 0 {
                    carp(delta)?;
                }
                if effect.demotion == 0 {
                    self.carp.remove(group);
                } else {
                    self.carp.insert(group.to_string(), effect.demotion);
                }
                Ok(format!(
                    "redundancy group {group}: {state}; CARP demotion {delta:+} (laggd's share now {})",
                    effect.demotion
                ))
            }
            None => Ok(format!(
                "redundancy group {group}: {state} (no effector configured)"
            )),
        }
    }
}

fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".laggd-new");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effect(demotion: u32) -> HaEffect {
        HaEffect {
            demotion,
            faulted: false,
        }
    }

    #[test]
    fn carp_gets_only_laggds_own_share_added_and_taken_back() {
        let mut ha = Ha::default();
        let mut deltas = Vec::new();
        let carp = Some(&Effector::Carp);
        for (group, d) in [
            ("rg1", 50),
            ("rg2", 20),
            ("rg1", 30),
            ("rg1", 30),
            ("rg1", 0),
            ("rg2", 0),
        ] {
            ha.apply(group, carp, effect(d), |x| {
                deltas.push(x);
                Ok(())
            })
            .unwrap();
        }
        assert_eq!(deltas, vec![50, 20, -20, -30, -20]);
        assert_eq!(deltas.iter().sum::<i32>(), 0, "all given back");
    }

    #[test]
    fn keepalived_reads_the_negated_demotion_from_a_whole_file() {
        let dir = std::env::temp_dir()
            .join(format!("laggd-ha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rg1");
        let k = Effector::Keepalived(path.clone());
        let mut ha = Ha::default();
        let no_carp = |_| -> io::Result<()> { panic!("CARP touched") };
        let line = ha.apply("rg1", Some(&k), effect(50), no_carp).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "-50\n");
        assert!(line.contains("wrote -50"), "{line}");
        ha.apply("rg1", Some(&k), effect(0), no_carp).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0\n");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
