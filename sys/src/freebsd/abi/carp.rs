//! `netinet/ip_carp.h`: carp(4)'s per-vhid ioctls, their argument, and
//! the limits the kernel holds a vhid to.
//!
//! Both ioctls take a `struct ifreq` naming the interface whose
//! `ifr_data` points at a `struct carpreq`: the kernel copies the
//! `carpreq` in and out through that pointer, so the request number
//! encodes the size of the `ifreq`, not of the `carpreq`.
//!
//! # The state numbers
//!
//! The header does not name the states: their names (`INIT`, `BACKUP`,
//! `MASTER`) belong to an enum inside `sys/netinet/ip_carp.c`. What it
//! gives is `CARP_STATES`, the names as a list the kernel indexes by
//! state number (`carp_states[sc->sc_state]` in its log line and devctl
//! event; ifconfig(8) turns a name into its index in the same list), and
//! `CARP_MAXSTATE`, the highest number. The check below
//! proves the list has three names and that `CARP_MAXSTATE` is 2, with
//! the state numbers written relative to it; that the list reads
//! "INIT", "BACKUP", "MASTER" in that order is read from the header, not
//! proved by the compiler (C cannot compare strings in a constant
//! expression).

use std::ffi::{c_int, c_ulong};
use std::mem::size_of;

use super::ioccom::_IOWR;
use super::net_if::ifreq;

abi_consts! {
    headers: [
        "sys/types.h",
        "sys/ioccom.h",
        "sys/socket.h",
        "net/if.h",
        "netinet/ip_carp.h",
    ];

    /// `CARP_KEY_LEN`: the authentication key's bytes.
    pub(crate) const CARP_KEY_LEN: usize = 20;
    /// `CARP_MAXVHID`: the highest vhid (the lowest is 1).
    pub(crate) const CARP_MAXVHID: c_int = 255;
    /// `CARP_MAXSKEW`: the highest advskew a vhid advertises (the kernel
    /// clamps advskew plus the demotion counter to it).
    pub(crate) const CARP_MAXSKEW: c_int = 240;
    /// `CARP_MAXSTATE`: the highest state number.
    pub(crate) const CARP_MAXSTATE: c_int = 2;
    /// How many names `CARP_STATES` lists: one per state number.
    #[c = "sizeof((const char *[]){ CARP_STATES }) / sizeof(const char *)"]
    pub(crate) const CARP_NSTATES: usize = 3;
    /// `INIT`, `CARP_STATES`'s first name: the vhid's interface is down
    /// or carp is disabled (`net.inet.carp.allow=0`), or it has just come
    /// up.
    #[c = "CARP_MAXSTATE - 2"]
    pub(crate) const CARP_STATE_INIT: c_int = 0;
    /// `BACKUP`: listening for the master's advertisements.
    #[c = "CARP_MAXSTATE - 1"]
    pub(crate) const CARP_STATE_BACKUP: c_int = 1;
    /// `MASTER`: advertising, and answering for the vhid's addresses.
    #[c = "CARP_MAXSTATE"]
    pub(crate) const CARP_STATE_MASTER: c_int = 2;

    /// `SIOCSVH`: create or change a vhid
    /// (`_IOWR('i', 245, struct ifreq)`).
    pub(crate) const SIOCSVH: c_ulong = _IOWR(b'i', 245, size_of::<ifreq>());
    /// `SIOCGVH`: read one vhid, or all of an interface's
    /// (`_IOWR('i', 246, struct ifreq)`).
    pub(crate) const SIOCGVH: c_ulong = _IOWR(b'i', 246, size_of::<ifreq>());
}

abi_struct! {
    headers: [
        "sys/types.h",
        "sys/ioccom.h",
        "sys/socket.h",
        "net/if.h",
        "netinet/ip_carp.h",
    ];

    /// `struct carpreq`: one vhid, what `ifr_data` points at.
    pub(crate) struct carpreq {
        /// In: how many records the buffer holds (at least 1); out, when
        /// all vhids are asked for: how many the interface has.
        pub(crate) carpr_count: c_int,
        /// The vhid, 1..=`CARP_MAXVHID` (0 in `SIOCGVH`: all of them).
        pub(crate) carpr_vhid: c_int,
        /// The state number (`CARP_STATE_*`).
        pub(crate) carpr_state: c_int,
        /// The skew added to `advbase` in advertisements, in 1/256 s.
        pub(crate) carpr_advskew: c_int,
        /// The advertisement interval, in seconds (`SIOCSVH`: 0 keeps it).
        pub(crate) carpr_advbase: c_int,
        /// The key (`SIOCSVH`: a first byte of 0 keeps it; `SIOCGVH`:
        /// zeros unless root).
        pub(crate) carpr_key: [u8; CARP_KEY_LEN],
    }
}
