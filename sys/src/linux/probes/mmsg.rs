//! Many datagrams per system call on one shared probe socket: the
//! probes of a turn queued in an [`Outbox`] and sent with `sendmmsg`,
//! the replies read with `recvmmsg` into an [`Inbox`] and handed out one
//! by one.
//!
//! Both keep their storage from one batch to the next (the outbox grows
//! to the most probes a turn has queued and stays there; the inbox is
//! allocated once, with its socket), so a probe or a reply costs no
//! allocation and no zeroing of buffers. The `mmsghdr`s and `iovec`s
//! pointing into that storage are built on the stack for each call and
//! live no longer than it: nothing here holds a pointer between calls.
//!
//! The calls are written by hand: nix's `sendmmsg` gives every message
//! of a batch the same control messages, and each probe needs its own
//! `IP_PKTINFO`; its `recvmmsg` hands the results out as borrows of its
//! own headers, which cannot be kept from one `recv` to the next.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::ptr;

use libc::c_int;
use mpath_core::addr::Family;
use mpath_core::probe::ProbeRequest;
use mpath_wire::{EchoRequestBytes, ECHO_REQUEST_LEN};
use nix::sys::socket::{SockaddrLike, SockaddrStorage};

use super::cmsg::Pktinfo;
use crate::unix::echo::encode_into;
use crate::unix::rawsock;

/// Probes given to one `sendmmsg`. A turn of a thousand members has a
/// dozen or two; more take more calls.
const SEND_BATCH: usize = 64;

/// Datagrams read by one `recvmmsg`.
pub(super) const RECV_BATCH: usize = 64;

/// The fewest buffers a `recvmmsg` offers.
const MIN_BATCH: usize = 8;

/// Room for one datagram: as `recvmsg` had, so that what counts as cut
/// short (`MSG_TRUNC`) is what it was. A reply is 52 bytes.
const DATAGRAM_LEN: usize = 2048;

/// Room for one datagram's control messages: packet information and a
/// stamp take 72 bytes.
const CONTROL_LEN: usize = 256;

/// Room for one datagram's source address.
const NAME_LEN: usize = std::mem::size_of::<libc::sockaddr_storage>();

/// One probe waiting to be sent: its bytes, where to, and through which
/// path.
#[derive(Clone, Copy, Debug)]
struct Outgoing {
    ifindex: u32,
    message: EchoRequestBytes,
    dst: SockaddrStorage,
    pktinfo: Pktinfo,
}

/// The probes of one family queued since the last flush.
#[derive(Debug)]
pub(super) struct Outbox {
    family: Family,
    queued: Vec<Outgoing>,
}

impl Outbox {
    /// An empty outbox, with room for a batch.
    pub(super) fn new(family: Family) -> Outbox {
        Outbox {
            family,
            queued: Vec::with_capacity(SEND_BATCH),
        }
    }

    /// Queues `req` for the path through `ifindex` whose control message
    /// is `pktinfo`.
    pub(super) fn push(
        &mut self,
        ifindex: u32,
        req: &ProbeRequest,
        pktinfo: &Pktinfo,
    ) {
        let mut message = [0; ECHO_REQUEST_LEN];
        encode_into(self.family, req, &mut message);
        self.queued.push(Outgoing {
            ifindex,
            message,
            dst: rawsock::sockaddr(req.dst, ifindex),
            pktinfo: *pktinfo,
        });
    }

    /// Sends every queued probe on `fd`, in order, and empties the
    /// queue. A probe that failed is reported to `failed` with its
    /// interface index; `EAGAIN` and `ENOBUFS` count as sent (see
    /// `ProbeSockets::send`).
    ///
    /// `sendmmsg` stops at the first message that fails and returns how
    /// many went before it, dropping the error (or returns the error if
    /// it was the first): that one is sent again alone to learn why,
    /// and the rest follow.
    pub(super) fn flush(
        &mut self,
        fd: BorrowedFd<'_>,
        failed: &mut impl FnMut(u32, io::Error),
    ) {
        let mut next = 0;
        while let Some(rest) = self.queued.get(next..).filter(|r| !r.is_empty())
        {
            let batch = rest.get(..SEND_BATCH).unwrap_or(rest);
            let sent = match send_batch(fd, batch) {
                Ok(sent) => sent,
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => {
                    report(batch[0].ifindex, Err(e), failed);
                    next += 1;
                    continue;
                }
            };
            next += sent;
            if sent < batch.len() {
                // Stopped at `next`: why?
                if let Some(stopped) = self.queued.get(next) {
                    report(stopped.ifindex, send_one(fd, stopped), failed);
                }
                next += 1;
            }
        }
        self.queued.clear();
    }
}

/// Reports the outcome of sending one probe, if it failed.
fn report(
    ifindex: u32,
    outcome: io::Result<usize>,
    failed: &mut impl FnMut(u32, io::Error),
) {
    match outcome {
        Ok(n) if n == ECHO_REQUEST_LEN => {}
        Ok(n) => failed(
            ifindex,
            io::Error::other(format!("sent {n} of {ECHO_REQUEST_LEN} bytes")),
        ),
        Err(e) if counts_as_sent(&e) => {}
        Err(e) => failed(ifindex, e),
    }
}

/// A send that would block or finds no buffer space: the probe is lost,
/// never answered, which is how a lower layer that cannot send shows up
/// (in.mpathd's rule).
fn counts_as_sent(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::ENOBUFS))
}

/// A `msghdr` with every field zero.
fn empty_msghdr() -> libc::msghdr {
    // SAFETY: msghdr is plain C data (pointers, integers and, in musl,
    // private padding, which is why it cannot be written as a literal),
    // for which all zero bits are valid: null pointers, zero lengths.
    unsafe { std::mem::zeroed() }
}

/// The header that sends `out`, its one `iovec` being `iov`.
fn send_header(out: &Outgoing, iov: &mut libc::iovec) -> libc::msghdr {
    *iov = libc::iovec {
        // The kernel only reads what a send's pointers point to.
        iov_base: out.message.as_ptr().cast_mut().cast(),
        iov_len: out.message.len(),
    };
    let control = out.pktinfo.as_bytes();
    let mut h = empty_msghdr();
    h.msg_name = out.dst.as_ptr().cast_mut().cast();
    h.msg_namelen = out.dst.len();
    h.msg_iov = iov;
    h.msg_iovlen = 1;
    h.msg_control = control.as_ptr().cast_mut().cast();
    // size_t in glibc, socklen_t in musl; at most 40.
    h.msg_controllen = control.len() as _;
    h
}

/// Sends `batch` (at most [`SEND_BATCH`] probes) with one `sendmmsg`:
/// how many were sent, from the first; an error only if none was.
fn send_batch(fd: BorrowedFd<'_>, batch: &[Outgoing]) -> io::Result<usize> {
    let batch = batch.get(..SEND_BATCH).unwrap_or(batch);
    let mut iovs = [libc::iovec {
        iov_base: ptr::null_mut(),
        iov_len: 0,
    }; SEND_BATCH];
    let mut headers = [libc::mmsghdr {
        msg_hdr: empty_msghdr(),
        msg_len: 0,
    }; SEND_BATCH];
    for ((out, iov), h) in batch.iter().zip(&mut iovs).zip(&mut headers) {
        h.msg_hdr = send_header(out, iov);
    }
    let count = libc::c_uint::try_from(batch.len()).unwrap_or(0);
    // SAFETY: the first `count` headers point to their own iovec in
    // `iovs` and to the message, address and control bytes of a probe in
    // `batch`, each valid for the length given beside it and borrowed
    // for the length of the call; the kernel reads them, and writes only
    // the headers' `msg_len`. `fd` is an open descriptor (borrowed).
    let sent = syscall!(unsafe {
        libc::sendmmsg(fd.as_raw_fd(), headers.as_mut_ptr(), count, 0)
    })?;
    Ok(usize::try_from(sent).unwrap_or(0))
}

/// Sends one probe with `sendmsg`: the bytes sent.
fn send_one(fd: BorrowedFd<'_>, out: &Outgoing) -> io::Result<usize> {
    let mut iov = libc::iovec {
        iov_base: ptr::null_mut(),
        iov_len: 0,
    };
    let h = send_header(out, &mut iov);
    let sent = loop {
        // SAFETY: `h` points to `iov` and to the message, address and
        // control bytes of `out`, each valid for the length given beside
        // it and borrowed for the length of the call; the kernel only
        // reads them. `fd` is an open descriptor (borrowed).
        match syscall!(unsafe { libc::sendmsg(fd.as_raw_fd(), &h, 0) }) {
            Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
            other => break other?,
        }
    };
    Ok(usize::try_from(sent).unwrap_or(0))
}

/// The control bytes the kernel filled in, as `msg_controllen` says.
// size_t in glibc, socklen_t in musl.
#[allow(clippy::useless_conversion)]
fn control_len(h: &libc::msghdr) -> usize {
    usize::try_from(h.msg_controllen).unwrap_or(0)
}

/// A control buffer, aligned for `cmsghdr`.
#[derive(Clone, Copy)]
#[repr(C, align(8))]
struct ControlBuf([u8; CONTROL_LEN]);

/// What `recvmmsg` said of one datagram: the lengths it filled in, cut
/// to the buffers, and its flags.
#[derive(Clone, Copy, Debug, Default)]
struct Filled {
    len: usize,
    name_len: usize,
    control_len: usize,
    flags: c_int,
}

/// One datagram read, as the kernel left it.
#[derive(Debug)]
pub(super) struct Incoming<'a> {
    /// Its bytes (an IPv4 datagram, or an ICMPv6 message).
    pub(super) bytes: &'a [u8],
    /// Its source's socket address.
    pub(super) name: &'a [u8],
    /// Its control messages.
    pub(super) control: &'a [u8],
    /// `msg_flags`: `MSG_TRUNC`, `MSG_CTRUNC`.
    pub(super) flags: c_int,
}

/// The datagrams of one `recvmmsg` on one socket, handed out one by one
/// ([`Inbox::next`]).
pub(super) struct Inbox {
    data: Box<[[u8; DATAGRAM_LEN]]>,
    names: Box<[[u8; NAME_LEN]]>,
    controls: Box<[ControlBuf]>,
    filled: [Filled; RECV_BATCH],
    /// How many of the buffers the last `recvmmsg` filled.
    count: usize,
    /// The next of them to hand out.
    next: usize,
    /// How many buffers the next `recvmmsg` offers: twice what the last
    /// one brought, within [`MIN_BATCH`, `RECV_BATCH`], so that a turn
    /// with a few replies does not prepare a header for every buffer.
    want: usize,
    /// The last `recvmmsg` filled fewer buffers than it had: the socket
    /// was empty then, so once they are handed out there is nothing
    /// waiting (see [`Inbox::next`]).
    short: bool,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inbox")
            .field("count", &self.count)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

impl Inbox {
    /// Buffers for a batch (some 150 KB), allocated here once.
    pub(super) fn new() -> Inbox {
        Inbox {
            data: vec![[0; DATAGRAM_LEN]; RECV_BATCH].into_boxed_slice(),
            names: vec![[0; NAME_LEN]; RECV_BATCH].into_boxed_slice(),
            controls: vec![ControlBuf([0; CONTROL_LEN]); RECV_BATCH]
                .into_boxed_slice(),
            filled: [Filled::default(); RECV_BATCH],
            count: 0,
            next: 0,
            want: MIN_BATCH,
            short: false,
        }
    }

    /// The next datagram waiting on `fd`: one read before, or else the
    /// first of a new batch; `None` when the socket has nothing waiting.
    ///
    /// `None` comes from `EAGAIN`, or, without a system call, once a
    /// short batch is handed out: the queue was empty when that batch
    /// was read, and whatever came in since has made the socket ready
    /// again (an edge-triggered wait reports every arrival that finds
    /// the socket's readiness already taken). The call after a `None`
    /// reads again. So a turn costs one `recvmmsg` when fewer datagrams
    /// than a batch wait, not one more that finds nothing.
    ///
    /// # Errors
    ///
    /// `recvmmsg`'s; the next call tries again.
    pub(super) fn next(
        &mut self,
        fd: BorrowedFd<'_>,
    ) -> io::Result<Option<Incoming<'_>>> {
        if self.next >= self.count {
            self.next = 0;
            self.count = 0;
            if std::mem::take(&mut self.short) {
                return Ok(None);
            }
            self.count = self.read_batch(fd)?;
        }
        let i = self.next;
        let Some(got) = self.filled.get(i).filter(|_| i < self.count) else {
            return Ok(None);
        };
        self.next += 1;
        let (data, name, control) =
            (&self.data[i], &self.names[i], &self.controls[i].0);
        Ok(Some(Incoming {
            bytes: data.get(..got.len).unwrap_or(data),
            name: name.get(..got.name_len).unwrap_or(name),
            control: control.get(..got.control_len).unwrap_or(control),
            flags: got.flags,
        }))
    }

    /// Reads up to `want` datagrams with one `recvmmsg`: how many came
    /// (0 on `EAGAIN`).
    fn read_batch(&mut self, fd: BorrowedFd<'_>) -> io::Result<usize> {
        let want = self.want.clamp(MIN_BATCH, RECV_BATCH);
        let mut iovs = [libc::iovec {
            iov_base: ptr::null_mut(),
            iov_len: 0,
        }; RECV_BATCH];
        let mut headers = [libc::mmsghdr {
            msg_hdr: empty_msghdr(),
            msg_len: 0,
        }; RECV_BATCH];
        let buffers = self
            .data
            .iter_mut()
            .zip(self.names.iter_mut())
            .zip(self.controls.iter_mut());
        for (((data, name), control), (iov, h)) in
            buffers.zip(iovs.iter_mut().zip(&mut headers)).take(want)
        {
            *iov = libc::iovec {
                iov_base: data.as_mut_ptr().cast(),
                iov_len: data.len(),
            };
            h.msg_hdr.msg_name = name.as_mut_ptr().cast();
            h.msg_hdr.msg_namelen = NAME_LEN as libc::socklen_t;
            h.msg_hdr.msg_iov = iov;
            h.msg_hdr.msg_iovlen = 1;
            h.msg_hdr.msg_control = control.0.as_mut_ptr().cast();
            // size_t in glibc, socklen_t in musl; 256.
            h.msg_hdr.msg_controllen = CONTROL_LEN as _;
        }
        let vlen =
            libc::c_uint::try_from(want.min(self.data.len())).unwrap_or(0);
        let flags = libc::MSG_DONTWAIT;
        let got = loop {
            // SAFETY: the first `vlen` headers point to their own iovec
            // in `iovs` and to one datagram, name and control buffer of
            // `self`, each writable for the length given beside it and
            // borrowed mutably for the length of the call, and to
            // nothing else; the kernel writes at most those lengths and
            // updates the headers. No timeout. `fd` is an open
            // descriptor (borrowed).
            let r = syscall!(unsafe {
                libc::recvmmsg(
                    fd.as_raw_fd(),
                    headers.as_mut_ptr(),
                    vlen,
                    flags,
                    ptr::null_mut(),
                )
            });
            match r {
                Ok(n) => break usize::try_from(n).unwrap_or(0),
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => {}
                Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => {
                    return Ok(0)
                }
                Err(e) => return Err(e),
            }
        };
        let got = got.min(want);
        self.short = got > 0 && got < want;
        self.want = (2 * got).clamp(MIN_BATCH, RECV_BATCH);
        for (h, filled) in headers.iter().zip(&mut self.filled).take(got) {
            *filled = Filled {
                len: usize::try_from(h.msg_len).unwrap_or(0).min(DATAGRAM_LEN),
                name_len: usize::try_from(h.msg_hdr.msg_namelen)
                    .unwrap_or(0)
                    .min(NAME_LEN),
                control_len: control_len(&h.msg_hdr).min(CONTROL_LEN),
                flags: h.msg_hdr.msg_flags,
            };
        }
        Ok(got)
    }
}
