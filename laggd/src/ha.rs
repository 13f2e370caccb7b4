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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::net::IpAddr;
    use std::os::fd::RawFd;

    use mpath_core::engine::KernelSnapshot;
    use mpath_core::lagg::config::LaggdConfig;

    use super::*;
    use crate::platform::{ActivePorts, MembershipChange, PortReply};

    /// Records CARP adjustments; nothing else is used.
    #[derive(Default)]
    struct Carp {
        deltas: Vec<i32>,
    }

    impl Platform for Carp {
        fn kernel_fd(&self) -> RawFd {
            -1
        }
        fn drain_kernel(&mut self) -> io::Result<bool> {
            Ok(false)
        }
        fn snapshot(
            &mut self,
            _: &LaggdConfig,
        ) -> io::Result<(KernelSnapshot, ActivePorts)> {
            Ok((KernelSnapshot::default(), BTreeMap::new()))
        }
        fn open_ports(&mut self, _: &LaggdConfig) -> Vec<String> {
            Vec::new()
        }
        fn port_fds(&self) -> Vec<RawFd> {
            Vec::new()
        }
        fn read_port(&mut self, _: usize, _: &mut Vec<PortReply>) {}
        fn send_probe(
            &mut self,
            _: &str,
            _: IpAddr,
            _: IpAddr,
        ) -> io::Result<()> {
            Ok(())
        }
        fn set_membership(
            &mut self,
            _: &str,
            _: &[String],
        ) -> io::Result<MembershipChange> {
            Ok(MembershipChange::default())
        }
        fn set_admin_up(&mut self, _: &str, _: bool) -> io::Result<()> {
            Ok(())
        }
        fn announce(&mut self, _: &str) -> io::Result<usize> {
            Ok(0)
        }
        fn protocol(&mut self, _: &str) -> Option<String> {
            None
        }
        fn adjust_carp_demotion(&mut self, delta: i32) -> io::Result<()> {
            self.deltas.push(delta);
            Ok(())
        }
    }

    fn effect(demotion: u32) -> HaEffect {
        HaEffect {
            demotion,
            faulted: false,
        }
    }

    #[test]
    fn carp_gets_only_laggds_own_share_added_and_taken_back() {
        let mut ha = Ha::default();
        let mut os = Carp::default();
        let carp = Some(&Effector::Carp);
        ha.apply("rg1", carp, effect(50), &mut os).unwrap();
        ha.apply("rg2", carp, effect(20), &mut os).unwrap();
        ha.apply("rg1", carp, effect(30), &mut os).unwrap();
        ha.apply("rg1", carp, effect(30), &mut os).unwrap();
        ha.apply("rg1", carp, effect(0), &mut os).unwrap();
        ha.apply("rg2", carp, effect(0), &mut os).unwrap();
        assert_eq!(os.deltas, vec![50, 20, -20, -30, -20]);
        assert_eq!(os.deltas.iter().sum::<i32>(), 0, "all given back");
    }

    #[test]
    fn keepalived_reads_the_negated_demotion_from_a_whole_file() {
        let dir = std::env::temp_dir()
            .join(format!("laggd-ha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rg1");
        let k = Effector::Keepalived(path.clone());
        let mut ha = Ha::default();
        let mut os = Carp::default();
        let line = ha.apply("rg1", Some(&k), effect(50), &mut os).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "-50\n");
        assert!(line.contains("wrote -50"), "{line}");
        ha.apply("rg1", Some(&k), effect(0), &mut os).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0\n");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        assert!(os.deltas.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
