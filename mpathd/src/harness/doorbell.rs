//! A doorbell: a real descriptor for the event loop to watch, made
//! readable by ringing it. The fakes have no sockets of their own, but
//! the driver registers every source with mio; a doorbell gives each
//! fake source a descriptor that becomes ready exactly when the fake has
//! something to deliver, so readiness reaches the driver as it would
//! from the kernel.

use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixDatagram;

/// The two ends of a datagram socket pair: the watched end and the bell.
#[derive(Debug)]
pub struct Doorbell {
    watched: UnixDatagram,
    bell: UnixDatagram,
}

impl Doorbell {
    /// A doorbell not rung.
    pub fn new() -> Doorbell {
        let (watched, bell) = UnixDatagram::pair().expect("socketpair");
        watched.set_nonblocking(true).expect("non-blocking");
        bell.set_nonblocking(true).expect("non-blocking");
        Doorbell { watched, bell }
    }

    /// The descriptor to watch: readable once rung, until drained.
    pub fn fd(&self) -> RawFd {
        self.watched.as_raw_fd()
    }

    /// Makes [`Doorbell::fd`] readable.
    pub fn ring(&self) {
        self.bell.send(&[1]).expect("ring");
    }

    /// Empties it; true if it had been rung.
    pub fn drain(&self) -> bool {
        let mut rung = false;
        let mut buf = [0u8; 16];
        while self.watched.recv(&mut buf).is_ok() {
            rung = true;
        }
        rung
    }
}
