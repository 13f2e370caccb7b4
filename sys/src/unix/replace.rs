//! A file replaced whole: written under a temporary name beside it, then
//! renamed over it, so that a reader (node_exporter's textfile
//! collector, say) sees the old file or the new one, never half of
//! either. Unlike [`crate::ha::write_track_file`], the file and its
//! directory are opened first and the rename goes through the directory's
//! descriptor (`renameat(2)`), so it still works once the process is in
//! its sandbox (Capsicum's capability mode refuses paths, not
//! descriptors): ifctl opens the file, connects to the daemons, enters
//! the sandbox, and only then writes.

use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::fcntl::{renameat, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::{unlinkat, UnlinkatFlags};

/// The new content of a file, not yet in place. Dropped without
/// [`Replacement::commit`], it removes its temporary file.
#[derive(Debug)]
pub struct Replacement {
    dir: File,
    temp: OsString,
    name: OsString,
    file: File,
    committed: bool,
}

impl Replacement {
    /// Opens `path`'s directory and creates a temporary file in it
    /// (`.NAME.PID.tmp`: hidden, and without `NAME`'s suffix, so that a
    /// collector reading `*.prom` skips it).
    ///
    /// # Errors
    ///
    /// `path` has no file name, or the directory cannot be opened or
    /// written.
    pub fn create(path: &Path) -> io::Result<Replacement> {
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(io::ErrorKind::InvalidInput, "not a file name")
        })?;
        let dir_path = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let dir = File::from(nix::fcntl::open(
            dir_path,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?);
        let mut temp = OsString::from(".");
        temp.push(name);
        temp.push(format!(".{}.tmp", std::process::id()));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(dir_path.join(&temp))?;
        Ok(Replacement {
            dir,
            temp,
            name: name.to_owned(),
            file,
            committed: false,
        })
    }

    /// Puts `content` in place of the file: written, flushed to disk,
    /// then renamed over it.
    ///
    /// # Errors
    ///
    /// The write's, the sync's or the rename's; the temporary file is
    /// removed then.
    pub fn commit(mut self, content: &[u8]) -> io::Result<()> {
        self.file.write_all(content)?;
        self.file.sync_all()?;
        renameat(
            &self.dir,
            Path::new(&self.temp),
            &self.dir,
            Path::new(&self.name),
        )?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Replacement {
    fn drop(&mut self) {
        if !self.committed {
            let _ = unlinkat(
                &self.dir,
                self.temp.as_bytes(),
                UnlinkatFlags::NoRemoveDir,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir()
            .join(format!("mpath-sys-replace-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn entries(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn the_file_is_replaced_whole_and_nothing_is_left_beside_it() {
        let d = dir("whole");
        let path = d.join("mpathd.prom");
        std::fs::write(&path, "old\n").unwrap();
        let r = Replacement::create(&path).unwrap();
        // Until the commit, readers see the old file.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        r.commit(b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(entries(&d), ["mpathd.prom"]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_abandoned_replacement_removes_its_temporary_file() {
        let d = dir("abandoned");
        let path = d.join("x.prom");
        drop(Replacement::create(&path).unwrap());
        assert!(entries(&d).is_empty());
        assert!(Replacement::create(&d.join("no/such/dir/x.prom")).is_err());
        assert!(Replacement::create(Path::new("/")).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }
}
