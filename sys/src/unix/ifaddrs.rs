//! Interface enumeration with `getifaddrs(3)`.
//!
//! [`interfaces`] walks the C library's list once and folds its entries,
//! one per address, into one [`Interface`] per physical interface.
//!
//! What the list holds differs per OS, and so does what we can learn:
//!
//! | OS      | link-layer entry          | carrier from              | lists  |
//! |---------|---------------------------|---------------------------|--------|
//! | Linux   | `AF_PACKET` `sockaddr_ll` | `IFF_LOWER_UP` flag       | all    |
//! | FreeBSD | `AF_LINK` `sockaddr_dl`   | `if_data.ifi_link_state`  | all    |
//! | illumos | none                      | `IFF_RUNNING` flag        | up only|
//!
//! * Linux: glibc builds the list from netlink. Every interface has an
//!   `AF_PACKET` entry (hardware address, index). IPv4 addresses with a
//!   label (`eth0:1`) carry the label as their name; it is folded into the
//!   device. `IFF_LOWER_UP` is the driver's carrier (a driver without
//!   carrier detection keeps it on), so the carrier is never unknown here.
//! * FreeBSD: libc builds the list from the `NET_RT_IFLIST` sysctl. Every
//!   interface has an `AF_LINK` entry whose `ifa_data` is the interface's
//!   `struct if_data`; its `ifi_link_state` is UNKNOWN, DOWN or UP. On
//!   FreeBSD `IFF_RUNNING` is `IFF_DRV_RUNNING` (driver resources
//!   allocated), not the link. Sockaddrs carry `sa_len`, and netmasks may
//!   be cut short after their last non-zero byte.
//! * illumos: libsocket builds the list from `SIOCGLIFCONF` and returns
//!   only addresses that are `IFF_UP`, so an interface without an up
//!   address is missing, and there is no `AF_LINK` entry: `mac` is always
//!   `None`. Logical interface names (`net0:1`) are cut to the physical
//!   name by libsocket. The link state is `IFF_RUNNING`, as in.mpathd
//!   reads it; whether the driver reports link state at all needs DLPI,
//!   so the carrier is never unknown here either. The IPMP daemon will
//!   need `SIOCGLIFCONF` itself for the complete picture.
//!
//! An interface that disappears while the list is read is left out, as if
//! the list had been read a moment later.

use std::ffi::{c_void, CStr};
use std::io;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::ptr;

use libc::c_int;
use mpath_core::addr::IpPrefix;
use nix::net::if_::InterfaceFlags;

use super::ifindex;
use super::sockaddr::Sockaddr;
use crate::os;

/// One network interface and its IP addresses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interface {
    /// The physical interface name (`em0`, `eth0`, `net0`), without
    /// logical-interface or label suffixes.
    pub name: String,
    /// The kernel's interface index (never 0).
    pub index: u32,
    /// Interface flags, merged over all the interface's entries.
    pub flags: IfFlags,
    /// The Ethernet (6-byte) hardware address, if the OS reports one
    /// through getifaddrs (never on illumos).
    pub mac: Option<[u8; 6]>,
    /// The driver's carrier: `Some(true)` link up, `Some(false)` link
    /// down, `None` the driver does not report link state (FreeBSD
    /// `LINK_STATE_UNKNOWN`). This is the input of
    /// `mpath_core::link::LinkDetector::on_carrier`.
    pub carrier: Option<bool>,
    /// IPv4 and IPv6 addresses, in the order the kernel lists them.
    /// Unspecified addresses (`0.0.0.0`, `::`) are left out.
    pub addrs: Vec<IfAddr>,
}

/// The interface flags that mpathd and laggd look at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct IfFlags {
    /// `IFF_UP`: administratively up.
    pub up: bool,
    /// `IFF_RUNNING`: the link on illumos and Linux (operational state);
    /// driver resources allocated on FreeBSD.
    pub running: bool,
    /// `IFF_LOOPBACK`.
    pub loopback: bool,
    /// `IFF_MULTICAST`: in.mpathd ignores interfaces without it.
    pub multicast: bool,
    /// `IFF_POINTOPOINT`: in.mpathd ignores these.
    pub pointopoint: bool,
    /// `IFF_BROADCAST`.
    pub broadcast: bool,
}

impl From<InterfaceFlags> for IfFlags {
    fn from(flags: InterfaceFlags) -> IfFlags {
        IfFlags {
            up: flags.contains(InterfaceFlags::IFF_UP),
            running: flags.contains(InterfaceFlags::IFF_RUNNING),
            loopback: flags.contains(InterfaceFlags::IFF_LOOPBACK),
            multicast: flags.contains(InterfaceFlags::IFF_MULTICAST),
            pointopoint: flags.contains(InterfaceFlags::IFF_POINTOPOINT),
            broadcast: flags.contains(InterfaceFlags::IFF_BROADCAST),
        }
    }
}

/// An IP address on an interface with the length of its subnet prefix.
///
/// An IPv6 link-local address is scoped to the interface it is listed
/// under: its scope id is that interface's [`Interface::index`]. The
/// address itself is given without scope, also on FreeBSD, where the
/// kernel may embed the scope in bytes 2 and 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IfAddr {
    /// The address.
    pub addr: IpAddr,
    /// The prefix length from the netmask (32 or 128 if there is none).
    pub prefix_len: u8,
}

impl IfAddr {
    /// As the core's address type.
    pub fn prefix(&self) -> IpPrefix {
        IpPrefix::new(self.addr, self.prefix_len)
            .unwrap_or_else(|_| IpPrefix::host(self.addr))
    }
}

/// Every interface the kernel reports, with flags, link-layer address,
/// carrier and IP addresses.
///
/// # Errors
///
/// Whatever `getifaddrs` or `if_nametoindex` report (out of memory, out
/// of file descriptors, ...).
pub fn interfaces() -> io::Result<Vec<Interface>> {
    let list = IfAddrs::new()?;
    let mut found: Vec<Partial> = Vec::new();
    for entry in list.iter() {
        let Some(name) = entry.name() else { continue };
        let name = name.to_string_lossy();
        let name = os::ifaddrs::physical_name(&name);
        let at = match found.iter().position(|p| p.name == name) {
            Some(at) => at,
            None => {
                found.push(Partial::new(name));
                found.len() - 1
            }
        };
        found[at].add(&entry);
    }
    let mut interfaces = Vec::with_capacity(found.len());
    for partial in found {
        if let Some(interface) = partial.finish()? {
            interfaces.push(interface);
        }
    }
    Ok(interfaces)
}

/// What the link-layer entry of an interface says; see
/// `os::ifaddrs::link_info`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LinkInfo {
    pub(crate) mac: Option<[u8; 6]>,
    pub(crate) index: Option<u32>,
    pub(crate) carrier: Option<bool>,
}

/// An interface being assembled from its entries.
#[derive(Debug)]
struct Partial {
    name: String,
    flags: InterfaceFlags,
    link: Option<LinkInfo>,
    addrs: Vec<IfAddr>,
}

impl Partial {
    fn new(name: &str) -> Partial {
        Partial {
            name: name.to_owned(),
            flags: InterfaceFlags::empty(),
            link: None,
            addrs: Vec::new(),
        }
    }

    fn add(&mut self, entry: &Entry<'_>) {
        self.flags |= entry.flags();
        let Some(addr) = entry.addr() else { return };
        let Some(ip) = addr.ip() else {
            if self.link.is_none() {
                self.link = os::ifaddrs::link_info(entry, &addr);
            }
            return;
        };
        if ip.is_unspecified() {
            return;
        }
        let prefix_len = entry
            .netmask(addr.family())
            .and_then(|mask| mask.prefix_len())
            .unwrap_or(match ip {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            });
        let ifaddr = IfAddr {
            addr: ip,
            prefix_len,
        };
        if !self.addrs.contains(&ifaddr) {
            self.addrs.push(ifaddr);
        }
    }

    /// The interface, or `None` if it has vanished meanwhile.
    fn finish(self) -> io::Result<Option<Interface>> {
        let link = self.link.unwrap_or_default();
        let index = match ifindex::name_to_index(&self.name) {
            Ok(index) => index,
            Err(err) => match (link.index, vanished(&err)) {
                (Some(index), _) => index,
                (None, true) => return Ok(None),
                (None, false) => return Err(err),
            },
        };
        Ok(Some(Interface {
            index,
            flags: IfFlags::from(self.flags),
            mac: link.mac,
            carrier: link
                .carrier
                .or_else(|| os::ifaddrs::carrier_from_flags(self.flags)),
            addrs: self.addrs,
            name: self.name,
        }))
    }
}

/// Whether `if_nametoindex` failed because there is no such interface.
fn vanished(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::NotFound
        || matches!(err.raw_os_error(), Some(libc::ENXIO | libc::ENODEV))
}

/// Owns the list returned by `getifaddrs` and frees it on drop.
/// Hand-written rather than nix's `getifaddrs`, which drops `ifa_data`
/// (FreeBSD's link state, CARP's vhid) and reads a BSD netmask's family
/// from the mask, where the kernel leaves it unset.
#[derive(Debug)]
pub(crate) struct IfAddrs {
    /// The first entry; null for an empty list.
    head: *mut libc::ifaddrs,
}

impl IfAddrs {
    pub(crate) fn new() -> io::Result<IfAddrs> {
        let mut head = ptr::null_mut();
        // SAFETY: `head` is a valid place for the list pointer. On success
        // getifaddrs stores a list (or null) that we own and free in Drop;
        // on failure it stores nothing we must free.
        syscall!(unsafe { libc::getifaddrs(&mut head) })?;
        Ok(IfAddrs { head })
    }

    pub(crate) fn iter(&self) -> Iter<'_> {
        Iter {
            next: self.head,
            _list: PhantomData,
        }
    }
}

impl Drop for IfAddrs {
    fn drop(&mut self) {
        if !self.head.is_null() {
            // SAFETY: `head` came from a successful getifaddrs, is freed
            // only here, and no borrow of the list outlives `self`.
            unsafe { libc::freeifaddrs(self.head) };
        }
    }
}

/// Walks the list; entries borrow it.
pub(crate) struct Iter<'a> {
    next: *const libc::ifaddrs,
    _list: PhantomData<&'a IfAddrs>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        // SAFETY: `next` is null or an entry of the list owned by the
        // `IfAddrs` borrowed for `'a`: properly aligned and initialised
        // by the C library, and neither freed nor modified during `'a`.
        let ifa = unsafe { self.next.as_ref() }?;
        self.next = ifa.ifa_next;
        Some(Entry { ifa })
    }
}

/// One entry of a getifaddrs list: an address (or the link layer) of an
/// interface.
#[derive(Clone, Copy)]
pub(crate) struct Entry<'a> {
    ifa: &'a libc::ifaddrs,
}

impl<'a> Entry<'a> {
    /// The entry's interface name (on Linux possibly an address label).
    pub(crate) fn name(&self) -> Option<&'a CStr> {
        if self.ifa.ifa_name.is_null() {
            return None;
        }
        // SAFETY: a non-null `ifa_name` is a NUL-terminated string in the
        // list's memory, which lives and stays unchanged for `'a`.
        Some(unsafe { CStr::from_ptr(self.ifa.ifa_name) })
    }

    /// The interface flags (`ifa_flags` is `unsigned int` on Linux and
    /// FreeBSD, `uint64_t` on illumos; nix's flags are the signed type of
    /// the same width, so the bits are kept as they are).
    pub(crate) fn flags(&self) -> InterfaceFlags {
        InterfaceFlags::from_bits_retain(self.ifa.ifa_flags.cast_signed())
    }

    /// The entry's address, if any.
    pub(crate) fn addr(&self) -> Option<Sockaddr<'a>> {
        // SAFETY: `ifa_addr` is null or an address in the list, which
        // lives and stays unchanged for `'a`.
        unsafe { Sockaddr::from_ptr(self.ifa.ifa_addr, None) }
    }

    /// The entry's netmask, read as a mask for `family`.
    pub(crate) fn netmask(&self, family: c_int) -> Option<Sockaddr<'a>> {
        // SAFETY: as for `addr`.
        unsafe { Sockaddr::from_ptr(self.ifa.ifa_netmask, Some(family)) }
    }

    /// The entry's `ifa_data`: OS-specific, possibly null.
    #[cfg_attr(not(target_os = "freebsd"), allow(dead_code))]
    pub(crate) fn data(&self) -> *const c_void {
        self.ifa.ifa_data
    }
}

impl std::fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry")
            .field("name", &self.name())
            .field("flags", &self.flags())
            .field("addr", &self.addr())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn localhost() -> IfAddr {
        IfAddr {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            prefix_len: 8,
        }
    }

    #[test]
    fn finds_the_loopback_interface() {
        let all = interfaces().unwrap();
        let lo = all
            .iter()
            .find(|i| i.addrs.contains(&localhost()))
            .unwrap_or_else(|| panic!("no 127.0.0.1/8 in {all:#?}"));
        assert!(lo.flags.loopback, "{lo:?}");
        assert!(lo.flags.up, "{lo:?}");
        assert_ne!(lo.index, 0);
        assert_eq!(localhost().prefix().to_string(), "127.0.0.1/8");
    }

    #[test]
    fn names_and_indexes_are_unique() {
        let all = interfaces().unwrap();
        for (n, a) in all.iter().enumerate() {
            for b in &all[n + 1..] {
                assert_ne!(a.name, b.name);
                assert_ne!(a.index, b.index);
            }
        }
    }

    #[test]
    fn index_matches_name_to_index() {
        for interface in interfaces().unwrap() {
            let index = ifindex::name_to_index(&interface.name).unwrap();
            assert_eq!(index, interface.index, "{}", interface.name);
            let name = ifindex::index_to_name(index).unwrap();
            assert_eq!(name, interface.name);
        }
    }
}

/// Linux specifics, checked on the Linux test host.
#[cfg(all(test, target_os = "linux"))]
mod linux_tests {
    use std::net::Ipv4Addr;

    use super::*;

    #[test]
    fn lo_has_127_0_0_1_slash_8_and_the_loopback_flag() {
        let all = interfaces().unwrap();
        let lo = all.iter().find(|i| i.name == "lo").expect("no lo");
        assert!(lo.flags.loopback && lo.flags.up && lo.flags.running);
        assert!(!lo.flags.broadcast && !lo.flags.pointopoint);
        assert!(lo.addrs.contains(&IfAddr {
            addr: IpAddr::V4(Ipv4Addr::LOCALHOST),
            prefix_len: 8,
        }));
        assert_eq!(lo.index, ifindex::name_to_index("lo").unwrap());
        // The AF_PACKET entry of lo: a 6-byte, all-zero address.
        assert_eq!(lo.mac, Some([0; 6]));
        assert_eq!(lo.carrier, Some(true));
    }

    #[test]
    fn ipv6_loopback_is_slash_128() {
        let all = interfaces().unwrap();
        let lo = all.iter().find(|i| i.name == "lo").expect("no lo");
        // ::1/128 exists unless IPv6 is disabled on this host.
        for a in lo.addrs.iter().filter(|a| a.addr.is_ipv6()) {
            assert_eq!(a.prefix_len, 128, "{a:?}");
        }
    }
}
