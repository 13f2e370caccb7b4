//! Linux bonding, driven through sysfs (`/sys/class/net/BOND/bonding/`,
//! `/sys/class/net/PORT/bonding_slave/`) and rtnetlink: laggd's view of
//! a bond and its actions on it.
//!
//! | read                        | file                                  |
//! |-----------------------------|---------------------------------------|
//! | [`Bond::slaves`], in order  | `bonding/slaves` (`p0 p1`)            |
//! | [`Bond::mode`]              | `bonding/mode` (`active-backup 1`)    |
//! | [`Bond::active_slave`]      | `bonding/active_slave` (empty: none)  |
//! | [`Bond::primary`]           | `bonding/primary` (empty: none)       |
//! | [`Bond::mac`]               | `address`                             |
//! | [`Bond::slave_state`]       | `PORT/bonding_slave/state`            |
//! | [`Bond::perm_hwaddr`]       | `PORT/bonding_slave/perm_hwaddr`      |
//! | [`Bond::lacp_ports`] (802.3ad) | see [`super::lacp`]                |
//!
//! | change                     | how                                    |
//! |----------------------------|----------------------------------------|
//! | [`Bond::set_active_slave`] | `PORT` to `bonding/active_slave`       |
//! | [`Bond::set_primary`]      | `PORT` (or nothing) to `bonding/primary` |
//! | [`Bond::add_slave`]        | port down, `+PORT` to `bonding/slaves` |
//! | [`Bond::remove_slave`]     | `-PORT` to `bonding/slaves`            |
//! | [`Bond::set_up`]           | rtnetlink, `IFF_UP` only ([`super::link`]) |
//!
//! The slave list is in the bond's own order, the order the ports were
//! enslaved in. Every error is an `io::Error` whose message starts with
//! the sysfs path (and, for writes, what was written); bonding says why
//! it refused a write in the kernel log (`dmesg`), not in the errno,
//! which is mostly `EINVAL` or `EPERM`.
//!
//! # Kernel rules worth knowing
//!
//! * `active_slave` and `primary` exist for active-backup, balance-tlb
//!   and balance-alb only; other modes refuse the write. A port that is
//!   down cannot be made active.
//! * A port must be down to be enslaved ("Device can not be enslaved
//!   while up"); [`Bond::add_slave`] takes it down first (and back up if
//!   enslaving fails). The bond opens it again itself.
//! * Releasing a port closes it (it is *down* afterwards) and gives it
//!   back its permanent address. A released port that laggd still wants
//!   to probe must be brought up again ([`super::link::set_admin_up`]).
//!
//! # The permanent address, and the bond's
//!
//! Every port of a bond (fail_over_mac `none`, the default) carries the
//! bond's address. Probing a standby port with that address as source
//! would make the switch move the bond's address to the standby's
//! switch port and black-hole the bond's traffic, so port probes use the
//! port's own, permanent address ([`Bond::perm_hwaddr`]). But a bond
//! takes its address from its first port, whose permanent address *is*
//! the bond's: [`Bond::probe_mac`] refuses that port (while its address
//! is the bond's), as probing it from standby would cause exactly the
//! move above. (The kernel itself warns about this address when that
//! port is released: "the permanent HWaddr of slave ... is still in use
//! by bond".)

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use mpath_wire::MacAddr;

use mpath_core::laggd::plan::bonding::BondMode;

use super::link;

/// Where sysfs shows network interfaces.
const SYS_CLASS_NET: &str = "/sys/class/net";

/// What a port is doing in its bond (`bonding_slave/state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SlaveState {
    /// Carrying traffic.
    Active,
    /// Standby.
    Backup,
}

/// A bonding interface, named, under a sysfs tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bond {
    name: String,
    /// `/sys/class/net`, or a stand-in.
    net: PathBuf,
}

impl Bond {
    /// The bond `name` as `/sys/class/net` shows it (in the network
    /// namespace sysfs was mounted in).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a name that cannot be an interface's;
    /// `NotFound` (with the path) if there is no bond of that name.
    pub fn new(name: &str) -> io::Result<Bond> {
        Bond::with_sysfs(SYS_CLASS_NET, name)
    }

    /// The bond `name` under `net` instead of `/sys/class/net` (a sysfs
    /// mounted elsewhere, or a test's stand-in tree).
    ///
    /// # Errors
    ///
    /// As [`Bond::new`].
    pub fn with_sysfs(net: impl Into<PathBuf>, name: &str) -> io::Result<Bond> {
        check_name(name)?;
        let bond = Bond {
            name: name.to_owned(),
            net: net.into(),
        };
        let dir = bond.bonding_file("");
        if !dir.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "{}: no such directory: {name} is no bond",
                    dir.display()
                ),
            ));
        }
        Ok(bond)
    }

    /// The bond's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bonding mode.
    ///
    /// # Errors
    ///
    /// The read's, or `InvalidData` for contents that are no mode.
    pub fn mode(&self) -> io::Result<BondMode> {
        let path = self.bonding_file("mode");
        let text = read(&path)?;
        BondMode::parse(&text).ok_or_else(|| bad_data(&path, &text, "a mode"))
    }

    /// The ports, in the bond's order (the order they were enslaved).
    ///
    /// # Errors
    ///
    /// The read's.
    pub fn slaves(&self) -> io::Result<Vec<String>> {
        let text = read(&self.bonding_file("slaves"))?;
        Ok(text.split_whitespace().map(str::to_owned).collect())
    }

    /// The active port; `None` when there is none, or in a mode without
    /// one.
    ///
    /// # Errors
    ///
    /// The read's.
    pub fn active_slave(&self) -> io::Result<Option<String>> {
        read_name(&self.bonding_file("active_slave"))
    }

    /// The primary port; `None` when none is set, or in a mode without
    /// one.
    ///
    /// # Errors
    ///
    /// The read's.
    pub fn primary(&self) -> io::Result<Option<String>> {
        read_name(&self.bonding_file("primary"))
    }

    /// The bond's current hardware address.
    ///
    /// # Errors
    ///
    /// The read's, or `InvalidData`.
    pub fn mac(&self) -> io::Result<MacAddr> {
        read_mac(&self.net.join(&self.name).join("address"))
    }

    /// Whether the bond is administratively up (`IFF_UP`).
    ///
    /// # Errors
    ///
    /// The read's, or `InvalidData`.
    pub fn is_up(&self) -> io::Result<bool> {
        is_up_at(&self.net.join(&self.name).join("flags"))
    }

    /// What port `port` is doing in the bond.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; the read's (`NotFound` for a port
    /// that is no bond's), or `InvalidData`.
    pub fn slave_state(&self, port: &str) -> io::Result<SlaveState> {
        let path = self.slave_file(port, "state")?;
        let text = read(&path)?;
        match text.trim() {
            "active" => Ok(SlaveState::Active),
            "backup" => Ok(SlaveState::Backup),
            _ => Err(bad_data(&path, &text, "active or backup")),
        }
    }

    /// The permanent (burnt-in) hardware address of port `port`, which
    /// bonding keeps while the port carries the bond's address.
    ///
    /// # Errors
    ///
    /// As [`Bond::slave_state`].
    pub fn perm_hwaddr(&self, port: &str) -> io::Result<MacAddr> {
        read_mac(&self.slave_file(port, "perm_hwaddr")?)
    }

    /// The source address for probes sent through port `port`: its
    /// permanent address, unless that is the bond's current address (see
    /// the module documentation).
    ///
    /// # Errors
    ///
    /// `AddrInUse` when the permanent address is the bond's; otherwise
    /// as [`Bond::perm_hwaddr`] and [`Bond::mac`].
    pub fn probe_mac(&self, port: &str) -> io::Result<MacAddr> {
        let perm = self.perm_hwaddr(port)?;
        let bond = self.mac()?;
        if perm == bond {
            return Err(io::Error::new(
                io::ErrorKind::AddrInUse,
                format!(
                    "{port}'s permanent address {perm} is {}'s address: \
                     probes from {port} while it is standby would move \
                     {}'s address to {port}'s switch port; give {} an \
                     address of its own",
                    self.name, self.name, self.name
                ),
            ));
        }
        Ok(perm)
    }

    /// Makes `port` the active port (active-backup, balance-tlb,
    /// balance-alb). The bond switches at once.
    ///
    /// # Errors
    ///
    /// The write's: `EINVAL` in other modes, for a port that is not this
    /// bond's or is down (the kernel log says which).
    pub fn set_active_slave(&self, port: &str) -> io::Result<()> {
        check_name(port)?;
        write(&self.bonding_file("active_slave"), port)
    }

    /// Sets the primary port, the one the bond returns to whenever it is
    /// usable (subject to `primary_reselect`), or clears it (`None`).
    ///
    /// # Errors
    ///
    /// The write's, as for [`Bond::set_active_slave`].
    pub fn set_primary(&self, port: Option<&str>) -> io::Result<()> {
        if let Some(port) = port {
            check_name(port)?;
        }
        write(&self.bonding_file("primary"), port.unwrap_or(""))
    }

    /// Enslaves `port`, which joins the end of the slave list: takes it
    /// down first if it is up (bonding requires that), then writes
    /// `+PORT`; if that fails, brings it back up. A port that is already
    /// this bond's is left alone.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; bringing the port down (`ENODEV`:
    /// no such interface); the write's (`EBUSY`: another bond's or
    /// another master's port, `EPERM`, `EINVAL`).
    pub fn add_slave(&self, port: &str) -> io::Result<()> {
        check_name(port)?;
        if self.slaves()?.iter().any(|s| s == port) {
            return Ok(());
        }
        let was_up = is_up_at(&self.net.join(port).join("flags"))?;
        if was_up {
            link::set_admin_up(port, false)?;
        }
        let res = write(&self.bonding_file("slaves"), &format!("+{port}"));
        if res.is_err() && was_up {
            // Best effort: the error that matters is the write's.
            let _ = link::set_admin_up(port, true);
        }
        res
    }

    /// Releases `port` from the bond. The kernel closes it: it is down
    /// afterwards, with its permanent address back. A port that is not
    /// this bond's is left alone.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a bad name; the write's.
    pub fn remove_slave(&self, port: &str) -> io::Result<()> {
        check_name(port)?;
        if !self.slaves()?.iter().any(|s| s == port) {
            return Ok(());
        }
        write(&self.bonding_file("slaves"), &format!("-{port}"))
    }

    /// Sets the bond administratively up or down (min-links), changing
    /// `IFF_UP` only ([`link::set_admin_up`]).
    ///
    /// # Errors
    ///
    /// As [`link::set_admin_up`].
    pub fn set_up(&self, up: bool) -> io::Result<()> {
        link::set_admin_up(&self.name, up)
    }

    pub(super) fn bonding_file(&self, file: &str) -> PathBuf {
        self.net.join(&self.name).join("bonding").join(file)
    }

    pub(super) fn slave_file(
        &self,
        port: &str,
        file: &str,
    ) -> io::Result<PathBuf> {
        check_name(port)?;
        Ok(self.net.join(port).join("bonding_slave").join(file))
    }
}

/// Refuses a name that is not a possible interface name, and so could
/// not be a single path component below `/sys/class/net`.
fn check_name(name: &str) -> io::Result<()> {
    let ok = !name.is_empty()
        && name.len() < libc::IFNAMSIZ
        && name != "."
        && name != ".."
        && !name.contains(['/', '\0'])
        && !name.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {name:?}"),
        ))
    }
}

pub(super) fn read(path: &Path) -> io::Result<String> {
    fs::read_to_string(path).map_err(|err| {
        io::Error::new(err.kind(), format!("{}: {err}", path.display()))
    })
}

/// A file holding one interface name or nothing.
/// The current hardware address of any interface (a port released from
/// its bond has its permanent address back).
///
/// # Errors
///
/// `InvalidInput` for a bad name; the read's, or `InvalidData`.
pub fn interface_mac(name: &str) -> io::Result<MacAddr> {
    if name.is_empty() || name.contains('/') || name.starts_with('.') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {name:?}"),
        ));
    }
    read_mac(&Path::new(SYS_CLASS_NET).join(name).join("address"))
}

fn read_name(path: &Path) -> io::Result<Option<String>> {
    let text = read(path)?;
    let name = text.trim();
    Ok((!name.is_empty()).then(|| name.to_owned()))
}

fn read_mac(path: &Path) -> io::Result<MacAddr> {
    let text = read(path)?;
    parse_mac(&text).ok_or_else(|| bad_data(path, &text, "a MAC address"))
}

fn is_up_at(path: &Path) -> io::Result<bool> {
    let text = read(path)?;
    let flags = text
        .trim()
        .strip_prefix("0x")
        .and_then(|hex| u32::from_str_radix(hex, 16).ok())
        .ok_or_else(|| bad_data(path, &text, "a flag word"))?;
    Ok(flags & libc::IFF_UP.cast_unsigned() != 0)
}

/// Writes `value` and a newline to sysfs file `path` in one `write`
/// (sysfs takes each write as one command).
fn write(path: &Path, value: &str) -> io::Result<()> {
    let context = |err: io::Error| {
        io::Error::new(
            err.kind(),
            format!("{}: write {value:?}: {err}", path.display()),
        )
    };
    // O_TRUNC, as `echo value > file`: sysfs ignores it; a stand-in
    // file must not keep the tail of a longer old value.
    let mut file = fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .map_err(context)?;
    file.write_all(format!("{value}\n").as_bytes())
        .map_err(context)
}

/// `aa:bb:cc:dd:ee:ff`, as sysfs prints addresses.
pub(super) fn parse_mac(text: &str) -> Option<MacAddr> {
    let mut octets = [0u8; 6];
    let mut parts = text.trim().split(':');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *octet = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(MacAddr(octets))
}

pub(super) fn bad_data(path: &Path, text: &str, what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {:?} is not {what}", path.display(), text.trim()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for `/sys/class/net` with bond0 over p0 and p1, in a
    /// fresh temporary directory.
    struct FakeSysfs {
        root: PathBuf,
    }

    impl FakeSysfs {
        fn new(test: &str) -> FakeSysfs {
            let root = std::env::temp_dir()
                .join(format!("mpath-bond-{test}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&root);
            let files = [
                ("bond0/bonding/mode", "active-backup 1\n"),
                ("bond0/bonding/slaves", "p0 p1\n"),
                ("bond0/bonding/active_slave", "p0\n"),
                ("bond0/bonding/primary", "\n"),
                ("bond0/address", "02:00:00:00:00:a0\n"),
                ("bond0/flags", "0x1003\n"),
                ("p0/bonding_slave/state", "active\n"),
                ("p0/bonding_slave/perm_hwaddr", "02:00:00:00:00:a0\n"),
                ("p0/flags", "0x1803\n"),
                ("p1/bonding_slave/state", "backup\n"),
                ("p1/bonding_slave/perm_hwaddr", "02:00:00:00:00:b1\n"),
                ("p1/flags", "0x1803\n"),
                ("p2/flags", "0x1002\n"),
            ];
            for (file, text) in files {
                let path = root.join(file);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, text).unwrap();
            }
            FakeSysfs { root }
        }

        fn read(&self, file: &str) -> String {
            fs::read_to_string(self.root.join(file)).unwrap()
        }

        fn bond(&self) -> Bond {
            Bond::with_sysfs(&self.root, "bond0").unwrap()
        }
    }

    impl Drop for FakeSysfs {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.root);
        }
    }

    #[test]
    fn macs_parse() {
        let mac = parse_mac("02:00:5e:10:00:0a\n").unwrap();
        assert_eq!(mac, MacAddr([2, 0, 0x5e, 0x10, 0, 0x0a]));
        assert_eq!(parse_mac("02:00:5e:10:00"), None);
        assert_eq!(parse_mac("02:00:5e:10:00:0a:01"), None);
        assert_eq!(parse_mac("2:00:5e:10:00:0a"), None);
        assert_eq!(parse_mac("zz:00:5e:10:00:0a"), None);
    }

    #[test]
    fn names_that_are_not_one_path_component_are_refused() {
        for name in ["", ".", "..", "a/b", "a b", "a\0", "sixteen-chars-xx"] {
            let err = check_name(name).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
        }
        check_name("bond0").unwrap();
        check_name("enp3s0f1.100").unwrap();
    }

    #[test]
    fn reads_the_bond() {
        let fake = FakeSysfs::new("reads");
        let bond = fake.bond();
        assert_eq!(bond.name(), "bond0");
        assert_eq!(bond.mode().unwrap(), BondMode::ActiveBackup);
        assert_eq!(bond.slaves().unwrap(), ["p0", "p1"]);
        assert_eq!(bond.active_slave().unwrap().as_deref(), Some("p0"));
        assert_eq!(bond.primary().unwrap(), None);
        assert!(bond.is_up().unwrap());
        assert_eq!(bond.slave_state("p0").unwrap(), SlaveState::Active);
        assert_eq!(bond.slave_state("p1").unwrap(), SlaveState::Backup);
        let p1 = MacAddr([2, 0, 0, 0, 0, 0xb1]);
        assert_eq!(bond.perm_hwaddr("p1").unwrap(), p1);
        assert_eq!(bond.probe_mac("p1").unwrap(), p1);
        // p0's permanent address is the bond's.
        let err = bond.probe_mac("p0").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        assert!(err.to_string().contains("bond0's address"), "{err}");
    }

    #[test]
    fn errors_name_the_file() {
        let fake = FakeSysfs::new("errors");
        let err = Bond::with_sysfs(&fake.root, "p0").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("p0/bonding"), "{err}");
        let bond = fake.bond();
        let err = bond.slave_state("p2").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(err.to_string().contains("p2/bonding_slave/state"), "{err}");
        fs::write(fake.root.join("bond0/bonding/mode"), "fast 9\n").unwrap();
        let err = bond.mode().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("bond0/bonding/mode"), "{err}");
        assert!(err.to_string().contains("\"fast 9\""), "{err}");
        let err = bond.set_active_slave("../p0").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn writes_the_commands_sysfs_expects() {
        let fake = FakeSysfs::new("writes");
        let bond = fake.bond();
        bond.set_active_slave("p1").unwrap();
        assert_eq!(fake.read("bond0/bonding/active_slave"), "p1\n");
        bond.set_primary(Some("p1")).unwrap();
        assert_eq!(fake.read("bond0/bonding/primary"), "p1\n");
        bond.set_primary(None).unwrap();
        assert_eq!(fake.read("bond0/bonding/primary"), "\n");
        // p2 is down: enslaved without touching its flags.
        bond.add_slave("p2").unwrap();
        assert_eq!(fake.read("bond0/bonding/slaves"), "+p2\n");
        // Already a slave, or not one: nothing written.
        fs::write(fake.root.join("bond0/bonding/slaves"), "p0 p1\n").unwrap();
        bond.add_slave("p1").unwrap();
        bond.remove_slave("p2").unwrap();
        assert_eq!(fake.read("bond0/bonding/slaves"), "p0 p1\n");
        bond.remove_slave("p1").unwrap();
        assert_eq!(fake.read("bond0/bonding/slaves"), "-p1\n");
        // A missing file: the error names it and what was written.
        fs::remove_file(fake.root.join("bond0/bonding/active_slave")).unwrap();
        let err = bond.set_active_slave("p0").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        let text = err.to_string();
        assert!(text.contains("bond0/bonding/active_slave"), "{text}");
        assert!(text.contains("write \"p0\""), "{text}");
    }
}
