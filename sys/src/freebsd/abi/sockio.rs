//! `sys/sockio.h`: the generic interface ioctls (IPv4 addresses,
//! groups). The IPv6 ones are in `in6`.

use std::ffi::c_ulong;
use std::mem::size_of;

use super::ioccom::{_IOW, _IOWR};
use super::net_if::{ifaliasreq, ifgroupreq, ifreq};

abi_consts! {
    headers: ["sys/types.h", "sys/socket.h", "sys/sockio.h", "net/if.h"];

    /// `SIOCAIFADDR`: add (or change) an IPv4 address
    /// (`_IOW('i', 43, struct ifaliasreq)`).
    pub(crate) const SIOCAIFADDR: c_ulong =
        _IOW(b'i', 43, size_of::<ifaliasreq>());
    /// `SIOCDIFADDR`: remove an IPv4 address
    /// (`_IOW('i', 25, struct ifreq)`).
    pub(crate) const SIOCDIFADDR: c_ulong =
        _IOW(b'i', 25, size_of::<ifreq>());
    /// `SIOCGIFGROUP`: the groups an interface is in
    /// (`_IOWR('i', 136, struct ifgroupreq)`).
    pub(crate) const SIOCGIFGROUP: c_ulong =
        _IOWR(b'i', 136, size_of::<ifgroupreq>());
    /// `SIOCGIFGMEMB`: the members of a group
    /// (`_IOWR('i', 138, struct ifgroupreq)`).
    pub(crate) const SIOCGIFGMEMB: c_ulong =
        _IOWR(b'i', 138, size_of::<ifgroupreq>());
}

abi_struct! {
    headers: [];
}
