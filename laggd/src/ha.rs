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

use mpath_core::lagg::config::Effector;
use mpath_core::lagg::redundancy::HaEffect;

use crate::platform::Platform;

/// What laggd has applied to the HA engine.
#[derive(Debug, Default)]
pub struct Ha {
    /// The demotion each group added to CARP's counter.
    carp: BTreeMap<String, u32>,
}

impl Ha {
    /// Applies `effect` for `group`; returns the log line.
    pub fn apply(
        &mut self,
        group: &str,
        effector: Option<&Effector>,
        effect: HaEffect,
        os: &mut dyn Platform,
    ) -> io::Result<String> {
        let state = if effect.faulted {
            "faulted".to_string()
        } else {
            format!("demotion {}", effect.demotion)
        };
        match effector {
            Some(Effector::Keepalived(path)) => {
                write_atomically(path, &format!("-{}\n", effect.demotion))?;
                Ok(format!(
                    "redundancy group {group}: {state}; wrote -{} to {}",
                    effect.demotion,
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
                    os.adjust_carp_demotion(delta)?;
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
