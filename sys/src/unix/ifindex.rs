//! Interface names and indexes (`if_nametoindex(3)`, `if_indextoname(3)`).
//!
//! Indexes are what the kernel uses in routing messages and socket
//! options; names are what operators write and what survives an interface
//! being destroyed and recreated. The daemons track interfaces by name and
//! refresh the index on every rescan.

use std::io;

use nix::errno::Errno;
use nix::net::if_::{if_indextoname, if_nametoindex};

/// The index of the interface called `name`.
///
/// # Errors
///
/// `InvalidInput` for a name containing a NUL byte; otherwise the C
/// library's error, typically `ENXIO` or `ENODEV` for no such interface
/// (`NotFound` if the library set no errno).
pub fn name_to_index(name: &str) -> io::Result<u32> {
    if name.contains('\0') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface name {name:?} contains a NUL byte"),
        ));
    }
    // if_nametoindex reports failure as 0 and may or may not set errno.
    Errno::clear();
    match if_nametoindex(name) {
        Ok(index) => Ok(index),
        Err(Errno::UnknownErrno) => Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("no interface named {name:?}"),
        )),
        Err(err) => Err(err.into()),
    }
}

/// The name of the interface with index `index`.
///
/// # Errors
///
/// `InvalidInput` for index 0 (no interface has it); otherwise the C
/// library's error, typically `ENXIO` for no such interface.
pub fn index_to_name(index: u32) -> io::Result<String> {
    if index == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "interface index 0",
        ));
    }
    Errno::clear();
    let name = if_indextoname(index)?;
    // nix 0.30 checks the returned pointer against -1, not null, so a
    // failure comes back as an empty name, with errno set.
    if name.is_empty() {
        return Err(match Errno::last() {
            Errno::UnknownErrno => io::Error::from_raw_os_error(libc::ENXIO),
            err => err.into(),
        });
    }
    Ok(name.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_and_indexes_are_errors() {
        assert!(name_to_index("no-such-if9").is_err());
        assert_eq!(
            name_to_index("lo\0").unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert_eq!(
            index_to_name(0).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        assert!(index_to_name(u32::MAX).is_err());
    }
}

#[cfg(all(test, target_os = "linux"))]
mod linux_tests {
    use super::*;

    #[test]
    fn lo_round_trips() {
        let index = name_to_index("lo").unwrap();
        assert_ne!(index, 0);
        assert_eq!(index_to_name(index).unwrap(), "lo");
    }
}
