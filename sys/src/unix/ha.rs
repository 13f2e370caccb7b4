//! The HA engines laggd drives: keepalived through a `track_file` it
//! reads, CARP through its demotion counter (FreeBSD only; elsewhere the
//! call says so).

use std::io;
use std::path::Path;

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
}
