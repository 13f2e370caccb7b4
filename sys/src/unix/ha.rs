//! The HA engines laggd drives: keepalived through a `track_file` it
//! reads; CARP through its host-wide demotion counter, or vhid by vhid
//! through each one's advskew (FreeBSD only; elsewhere the calls say
//! so).

use std::fmt;
use std::io;
use std::path::Path;

/// The highest advskew [`set_carp_advskew`] sets: carp(4)'s
/// `CARP_MAXSKEW`, the most a vhid ever advertises (the kernel clamps
/// advskew plus the demotion counter to it). FreeBSD builds assert that
/// this is the ABI module's number, which the header check proves.
pub const CARP_MAX_SKEW: u8 = 240;

/// A vhid's state as carp(4) reports it (`CARP_STATES`: "INIT",
/// "BACKUP", "MASTER").
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CarpState {
    /// Not running: the interface is down or has no carrier, carp is
    /// disabled (`net.inet.carp.allow=0`), or the vhid has no address.
    Init,
    /// Listening for the master's advertisements.
    Backup,
    /// Advertising, and answering for the vhid's addresses.
    Master,
}

impl fmt::Display for CarpState {
    /// carp(4)'s name, as ifconfig(8) prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CarpState::Init => "INIT",
            CarpState::Backup => "BACKUP",
            CarpState::Master => "MASTER",
        })
    }
}

/// One vhid on one interface, as `SIOCGVH` returns it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CarpVhid {
    /// Its state.
    pub state: CarpState,
    /// The advertisement interval, in seconds.
    pub advbase: u8,
    /// The skew added to it, in 1/256 s. Mastership goes to the host
    /// advertising the shortest interval, `advbase + advskew/256` s, with
    /// its demotion counter added to advskew (capped at
    /// [`CARP_MAX_SKEW`]).
    pub advskew: u8,
}

/// Replaces the track file at `path` with `value`, atomically (written
/// beside it, then renamed over it), so that keepalived never reads half
/// a number.
///
/// # Errors
///
/// The write's or the rename's (the temporary file is removed then).
pub fn write_track_file(path: &Path, value: i64) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".laggd-new");
    std::fs::write(&tmp, format!("{value}\n"))?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Adds `delta` to CARP's demotion counter (`net.inet.carp.demotion`).
///
/// # Errors
///
/// `Unsupported` where there is no CARP; the sysctl's otherwise.
pub fn adjust_carp_demotion(delta: i32) -> io::Result<()> {
    crate::os::adjust_carp_demotion(delta)
}

/// Reads vhid `vhid` on interface `ifname` (`SIOCGVH`); needs no
/// privilege.
///
/// # Errors
///
/// `Unsupported` where there is no CARP; `InvalidInput` for a bad
/// interface name or vhid 0; `NotFound` when carp(4) is not loaded, or
/// there is no such interface or no such vhid on it; `InvalidData` for
/// an answer out of range; the kernel's otherwise. The message says
/// which, in carp(4)'s terms.
pub fn carp_vhid(ifname: &str, vhid: u8) -> io::Result<CarpVhid> {
    crate::os::carp_vhid(ifname, vhid)
}

/// Sets vhid `vhid`'s advskew on interface `ifname`: `SIOCGVH` (so that
/// a vhid that does not exist is an error, not created), then `SIOCSVH`
/// with the advbase just read, an empty key (the kernel keeps its key)
/// and no state request (the kernel keeps the state; see
/// `mpath_sys::carp` on FreeBSD). The vhid advertises the new skew from
/// its next advertisement on.
///
/// # Errors
///
/// `InvalidInput`, before any call, for an advskew over
/// [`CARP_MAX_SKEW`]; `PermissionDenied` unless root; otherwise as
/// [`carp_vhid`].
pub fn set_carp_advskew(ifname: &str, vhid: u8, advskew: u8) -> io::Result<()> {
    crate::os::set_carp_advskew(ifname, vhid, advskew)
}

/// Whether `net.inet.carp.preempt` is set: whether a BACKUP vhid on
/// this host takes over at once from a master advertising a longer
/// interval than its own. Without it a backup waits for the master to
/// fall silent, so lowering a backup's advskew here moves nothing by
/// itself; raising a master's advskew hands mastership over only if the
/// backup's host preempts.
///
/// # Errors
///
/// `Unsupported` where there is no CARP; `NotFound` when carp(4) is not
/// loaded; the sysctl's otherwise.
pub fn carp_preempt() -> io::Result<bool> {
    crate::os::carp_preempt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_track_file_is_replaced_whole() {
        let dir = std::env::temp_dir()
            .join(format!("mpath-sys-ha-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rg1");
        write_track_file(&path, -50).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "-50\n");
        write_track_file(&path, 0).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "0\n");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file left");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn states_print_as_carp_names_them() {
        let names = [CarpState::Init, CarpState::Backup, CarpState::Master]
            .map(|state| state.to_string());
        assert_eq!(names, ["INIT", "BACKUP", "MASTER"]);
    }
}
