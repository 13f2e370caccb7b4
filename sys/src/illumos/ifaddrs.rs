//! getifaddrs on illumos: built by libsocket from `SIOCGLIFCONF`, only
//! `IFF_UP` addresses, no link-layer entries, `IFF_RUNNING` as the link.

use std::mem::size_of;

use libc::c_int;
use nix::net::if_::InterfaceFlags;

use crate::unix::ifaddrs::{Entry, LinkInfo};
use crate::unix::sockaddr::Sockaddr;

/// The bytes that belong to a getifaddrs address. illumos's `struct
/// sockaddr` has no length field; libsocket allocates every address,
/// netmask and destination as a full `struct sockaddr_storage` and copies
/// the kernel's `lifr_addr` into it.
///
/// # Safety
///
/// `sa` points to an address in a getifaddrs list (it is not read here;
/// the contract is the same on every OS).
pub(crate) unsafe fn sockaddr_len(
    _sa: *const libc::sockaddr,
    _family: c_int,
) -> usize {
    size_of::<libc::sockaddr_storage>()
}

/// illumos's getifaddrs returns only `AF_INET` and `AF_INET6` entries, so
/// there is no link-layer entry and no MAC address; that needs DLPI
/// (`dlpi_get_physaddr`) or `SIOCGLIFHWADDR`.
pub(crate) fn link_info(
    _entry: &Entry<'_>,
    _addr: &Sockaddr<'_>,
) -> Option<LinkInfo> {
    None
}

/// `IFF_RUNNING`, which the kernel keeps in step with the driver's
/// DL_NOTE_LINK_UP/DOWN notifications; in.mpathd's link state.
pub(crate) fn carrier_from_flags(flags: InterfaceFlags) -> Option<bool> {
    Some(flags.contains(InterfaceFlags::IFF_RUNNING))
}

/// libsocket already cuts `net0:1` to `net0`; do it again in case a
/// future version does not.
pub(crate) fn physical_name(name: &str) -> &str {
    name.split_once(':').map_or(name, |(physical, _)| physical)
}

/// illumos never embeds scope ids in addresses.
pub(crate) fn unembed_scope(_addr: &mut [u8; 16]) {}
