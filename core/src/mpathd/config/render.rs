//! Canonical text for a configuration: what `ifctl` and the daemon print
//! as "the line that would make this persist".
//!
//! Each statement's `Display` is one line in the form the parser reads;
//! [`MpathdConfig::render`] writes a whole file that parses back to the
//! same value (apart from line numbers).

use std::fmt;

use super::model::{
    DataAddressConfig, GroupConfig, InterfaceConfig, MpathdConfig, TestAddress,
};
use super::tunables::Tunables;

impl fmt::Display for TestAddress {
    /// `ADDR/PLEN`, or `inet6` for [`TestAddress::V6Auto`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestAddress::V4(p) | TestAddress::V6LinkLocal(p) => p.fmt(f),
            TestAddress::V6Auto => f.write_str("inet6"),
        }
    }
}

impl fmt::Display for Tunables {
    /// The three `KEY=VALUE` lines, all of them, separated by newlines
    /// (no trailing newline). The time is written in whole milliseconds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let yes = |b: bool| if b { "yes" } else { "no" };
        writeln!(
            f,
            "FAILURE_DETECTION_TIME={}",
            self.failure_detection_time.as_millis()
        )?;
        writeln!(f, "FAILBACK={}", yes(self.failback))?;
        write!(
            f,
            "TRACK_INTERFACES_ONLY_WITH_GROUPS={}",
            yes(self.track_interfaces_only_with_groups)
        )
    }
}

impl fmt::Display for GroupConfig {
    /// `group NAME [target ADDR ...]`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "group {}", self.name)?;
        write_targets(f, &self.targets)
    }
}

impl fmt::Display for InterfaceConfig {
    /// `interface IFNAME [group NAME] [standby] [test ADDR/PLEN]
    /// [test inet6|ADDR/PLEN] [target ADDR ...]`, in that order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interface {}", self.name)?;
        if let Some(g) = &self.group {
            write!(f, " group {g}")?;
        }
        if self.standby {
            f.write_str(" standby")?;
        }
        if let Some(p) = self.test_v4 {
            write!(f, " test {p}")?;
        }
        if let Some(t) = self.test_v6 {
            write!(f, " test {t}")?;
        }
        write_targets(f, &self.targets)
    }
}

impl fmt::Display for DataAddressConfig {
    /// `address ADDR/PLEN on IFNAME`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "address {} on {}", self.prefix, self.home)
    }
}

fn write_targets(
    f: &mut fmt::Formatter<'_>,
    targets: &[std::net::IpAddr],
) -> fmt::Result {
    if !targets.is_empty() {
        f.write_str(" target")?;
        for t in targets {
            write!(f, " {t}")?;
        }
    }
    Ok(())
}

impl MpathdConfig {
    /// The whole configuration as canonical text: the three tunables,
    /// then one `group` line for every group (implicit ones included),
    /// then the `interface` lines, then the `address` lines, each section
    /// in list order and ended by a newline. Parsing the result gives
    /// back this value with only the `line` fields changed.
    pub fn render(&self) -> String {
        let mut out = self.tunables.to_string();
        out.push('\n');
        let sections: [Vec<String>; 3] = [
            self.groups.iter().map(ToString::to_string).collect(),
            self.interfaces.iter().map(ToString::to_string).collect(),
            self.addresses.iter().map(ToString::to_string).collect(),
        ];
        for section in sections.iter().filter(|s| !s.is_empty()) {
            out.push('\n');
            for line in section {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}
