//! The BPF device: `/dev/bpf` opened, attached to one interface and
//! configured, then read and written.
//!
//! The set-up follows bpf(4) and the order it requires:
//!
//! 1. `open("/dev/bpf")`, a cloning device: each open is a new
//!    descriptor (root only, by default). Non-blocking, close-on-exec.
//! 2. `BIOCSBLEN`: the buffer length, which can only be set before
//!    attaching.
//! 3. `BIOCSETIF`: attach to the interface.
//! 4. `BIOCGDLT`: refuse anything but Ethernet (`DLT_EN10MB`); the
//!    frames we build and parse are Ethernet frames.
//! 5. `BIOCIMMEDIATE` 1 (readers): a read returns as soon as a packet is
//!    captured, so that `poll(2)` wakes the daemon for each reply instead
//!    of when a buffer fills.
//! 6. `BIOCSHDRCMPLT` 1: the kernel sends written frames as they are,
//!    with the source MAC we wrote (otherwise it would put in the
//!    interface's current address).
//! 7. `BIOCSDIRECTION` `BPF_D_IN`: capture only what the interface
//!    receives, not our own writes or the host's other output.
//! 8. `BIOCSETF`: the read filter. It also flushes the buffers, so that
//!    nothing captured before it was in place is read.
//! 9. `BIOCGBLEN`: the buffer length the kernel chose, which is the
//!    only length `read(2)` accepts.
//! 10. `BIOCLOCK`: no further changes to the descriptor's settings.

use std::ffi::{c_uint, c_ulong};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::ptr;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::Filter;
use crate::freebsd::abi::bpf::{
    bpf_program, BIOCGBLEN, BIOCGDLT, BIOCIMMEDIATE, BIOCLOCK, BIOCSBLEN,
    BIOCSDIRECTION, BIOCSETF, BIOCSETIF, BIOCSHDRCMPLT, BPF_D_IN, DLT_EN10MB,
};
use crate::freebsd::abi::net_if::{ifreq, IFNAMSIZ};

/// How to set up a descriptor.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Setup<'a> {
    /// The interface to attach to.
    pub(crate) ifname: &'a str,
    /// The buffer length to ask for (the kernel may choose another).
    pub(crate) buffer_len: u32,
    /// Return reads at once (for descriptors that read).
    pub(crate) immediate: bool,
    /// The read filter.
    pub(crate) filter: &'a Filter,
}

/// An open, attached, configured and locked BPF descriptor.
#[derive(Debug)]
pub(crate) struct Bpf {
    fd: OwnedFd,
    buffer_len: usize,
}

impl Bpf {
    /// Opens a descriptor set up as `setup` says (see the module
    /// documentation for the steps).
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an impossible interface name; `Unsupported`
    /// for an interface that is not Ethernet; `open`'s and the ioctls'
    /// (`EACCES` unless root, `ENXIO` for no such interface).
    pub(crate) fn open(setup: &Setup<'_>) -> io::Result<Bpf> {
        let mut ifr = ifreq_for(setup.ifname)?;
        let owned = open_device()?;
        let fd = owned.as_fd();

        set_uint(fd, BIOCSBLEN, setup.buffer_len)?;
        // SAFETY: BIOCSETIF is `_IOW('B', 108, struct ifreq)`, encoded
        // with the size of our `ifreq`, whose layout the ABI check proves
        // to be the kernel's: the kernel copies in exactly `*ifr`.
        syscall!(unsafe {
            libc::ioctl(fd.as_raw_fd(), BIOCSETIF, ptr::from_mut(&mut ifr))
        })?;
        let dlt = get_uint(fd, BIOCGDLT)?;
        if dlt != DLT_EN10MB {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "{}: not an Ethernet interface (link type {dlt})",
                    setup.ifname
                ),
            ));
        }
        if setup.immediate {
            set_uint(fd, BIOCIMMEDIATE, 1)?;
        }
        set_uint(fd, BIOCSHDRCMPLT, 1)?;
        set_uint(fd, BIOCSDIRECTION, BPF_D_IN)?;
        let insns = setup.filter.insns();
        let mut program = bpf_program {
            bf_len: c_uint::try_from(insns.len()).unwrap_or(c_uint::MAX),
            // The kernel only reads the program (it copies it in).
            bf_insns: insns.as_ptr().cast_mut(),
        };
        // SAFETY: BIOCSETF is `_IOW('B', 103, struct bpf_program)`,
        // encoded with our `bpf_program`'s size (layout checked); the
        // kernel copies it in, then copies in `bf_len` instructions from
        // `bf_insns`, which points to that many `bpf_insn`s (layout
        // checked) borrowed for the call. It keeps no pointer to them.
        syscall!(unsafe {
            libc::ioctl(fd.as_raw_fd(), BIOCSETF, ptr::from_mut(&mut program))
        })?;
        let buffer_len = usize::try_from(get_uint(fd, BIOCGBLEN)?)
            .map_err(|_| io::Error::other("BIOCGBLEN: no usize"))?;
        // SAFETY: BIOCLOCK is `_IO('B', 122)`: no argument.
        syscall!(unsafe { libc::ioctl(fd.as_raw_fd(), BIOCLOCK) })?;
        Ok(Bpf {
            fd: owned,
            buffer_len,
        })
    }

    /// The length `read` needs: the kernel's buffer length.
    pub(crate) fn buffer_len(&self) -> usize {
        self.buffer_len
    }

    /// Reads the captured records into `buf`, which must be
    /// [`buffer_len`](Bpf::buffer_len) long (bpf(4) refuses other
    /// lengths). Returns the bytes read, or `None` if nothing was
    /// captured.
    ///
    /// # Errors
    ///
    /// `read`'s: `ENXIO` once the interface is gone.
    pub(crate) fn read<'b>(
        &self,
        buf: &'b mut [u8],
    ) -> io::Result<Option<&'b [u8]>> {
        loop {
            match nix::unistd::read(&self.fd, buf) {
                Ok(n) => {
                    let n = n.min(buf.len());
                    return Ok(Some(&buf[..n]));
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN) => return Ok(None),
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Sends one whole Ethernet frame, as it is.
    ///
    /// # Errors
    ///
    /// `write`'s: `ENETDOWN` if the interface is down, `EMSGSIZE` for a
    /// frame longer than its MTU, `ENOBUFS` or `EAGAIN` when its queue is
    /// full, `ENXIO` once it is gone.
    pub(crate) fn write(&self, frame: &[u8]) -> io::Result<()> {
        let n = nix::unistd::write(&self.fd, frame)?;
        if n != frame.len() {
            return Err(io::Error::other(format!(
                "wrote {n} of {} bytes",
                frame.len()
            )));
        }
        Ok(())
    }
}

impl AsFd for Bpf {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl AsRawFd for Bpf {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// An `ifreq` naming `ifname`.
fn ifreq_for(ifname: &str) -> io::Result<ifreq> {
    let name = ifname.as_bytes();
    if name.is_empty() || name.len() >= IFNAMSIZ || name.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("bad interface name {ifname:?}"),
        ));
    }
    let mut ifr = ifreq::zeroed();
    ifr.ifr_name[..name.len()].copy_from_slice(name);
    Ok(ifr)
}

/// An ioctl whose argument is a `u_int` the kernel reads.
fn set_uint(
    fd: BorrowedFd<'_>,
    request: c_ulong,
    value: c_uint,
) -> io::Result<()> {
    let mut value = value;
    // SAFETY: every `request` passed here is encoded with
    // `size_of::<c_uint>()` (`_IOW`/`_IOWR('B', n, u_int)`): the kernel
    // copies in (and, for `_IOWR`, out) exactly the `c_uint` we lend
    // for the call.
    syscall!(unsafe {
        libc::ioctl(fd.as_raw_fd(), request, ptr::from_mut(&mut value))
    })?;
    Ok(())
}

/// `/dev/bpf`, read-write, non-blocking and close-on-exec: a new BPF
/// descriptor (the cloning device).
pub(crate) fn open_device() -> io::Result<OwnedFd> {
    let flags = OFlag::O_RDWR | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC;
    Ok(nix::fcntl::open("/dev/bpf", flags, Mode::empty())?)
}

/// An ioctl whose argument is a `u_int` the kernel writes.
fn get_uint(fd: BorrowedFd<'_>, request: c_ulong) -> io::Result<c_uint> {
    let mut value: c_uint = 0;
    // SAFETY: every `request` passed here is `_IOR('B', n, u_int)`: the
    // kernel copies out exactly one `c_uint` into `value`, borrowed for
    // the call.
    syscall!(unsafe {
        libc::ioctl(fd.as_raw_fd(), request, ptr::from_mut(&mut value))
    })?;
    Ok(value)
}
