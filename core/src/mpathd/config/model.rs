//! The parsed configuration: what the daemon acts on.

use std::net::IpAddr;

use crate::addr::IpPrefix;

use super::tunables::Tunables;

/// At most this many probe targets per interface and address family,
/// counting the group's targets (in.mpathd's `MAX_PROBE_TARGETS`).
pub const MAX_TARGETS: usize = 5;

/// Longest group name: illumos's `LIFGRNAMSIZ` is 32 including the NUL.
pub const MAX_GROUP_NAME: usize = 31;

/// Longest interface name: `IFNAMSIZ` is 16 including the NUL.
pub const MAX_INTERFACE_NAME: usize = 15;

pub use crate::addr::Family;

/// The whole file: tunables and the project's statements, each list in
/// file order.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct MpathdConfig {
    /// The illumos tunables.
    pub tunables: Tunables,
    /// Every group, whether declared by a `group` line or only named by an
    /// `interface` line, in order of first mention.
    pub groups: Vec<GroupConfig>,
    /// Every `interface` line.
    pub interfaces: Vec<InterfaceConfig>,
    /// Every `address` line.
    pub addresses: Vec<DataAddressConfig>,
}

/// A group: `group NAME [target ADDR ...]`, or a name an `interface` line
/// mentioned.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GroupConfig {
    /// The group name (1-31 characters of `[A-Za-z0-9_.-]`).
    pub name: String,
    /// Group-wide probe targets, both families, in file order. Each one
    /// applies to every member that has a test address of its family.
    pub targets: Vec<IpAddr>,
    /// The line of the group's first mention.
    pub line: usize,
}

impl GroupConfig {
    /// The group-wide targets of one family.
    pub fn targets_of(
        &self,
        family: Family,
    ) -> impl Iterator<Item = IpAddr> + '_ {
        self.targets
            .iter()
            .copied()
            .filter(move |t| Family::of(*t) == family)
    }
}

/// Where an interface sends probes from, for one family.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum TestAddress {
    /// An IPv4 test address with its subnet.
    V4(IpPrefix),
    /// A given IPv6 link-local test address (`fe80::/10`).
    V6LinkLocal(IpPrefix),
    /// `test inet6`: whatever link-local address the interface has.
    V6Auto,
}

impl TestAddress {
    /// The configured prefix, if the address is spelled out.
    pub fn prefix(&self) -> Option<IpPrefix> {
        match *self {
            TestAddress::V4(p) | TestAddress::V6LinkLocal(p) => Some(p),
            TestAddress::V6Auto => None,
        }
    }

    /// The family probed from this address.
    pub fn family(&self) -> Family {
        match self {
            TestAddress::V4(_) => Family::V4,
            TestAddress::V6LinkLocal(_) | TestAddress::V6Auto => Family::V6,
        }
    }
}

/// One `interface` line.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct InterfaceConfig {
    /// The interface name (1-15 characters of `[A-Za-z0-9_.-]`).
    pub name: String,
    /// The group it belongs to, if any.
    pub group: Option<String>,
    /// Whether it is a standby: it carries no data addresses while
    /// another member of its group is usable.
    pub standby: bool,
    /// The IPv4 test address, with the subnet its targets must lie on.
    pub test_v4: Option<IpPrefix>,
    /// The IPv6 test address: [`TestAddress::V6LinkLocal`] or
    /// [`TestAddress::V6Auto`].
    pub test_v6: Option<TestAddress>,
    /// The interface's own targets, both families, in file order; the
    /// group's targets are not repeated here (see
    /// [`MpathdConfig::targets_for`]).
    pub targets: Vec<IpAddr>,
    /// The line of the `interface` statement.
    pub line: usize,
}

impl InterfaceConfig {
    /// The test address for `family`, if one is configured.
    pub fn test(&self, family: Family) -> Option<TestAddress> {
        match family {
            Family::V4 => self.test_v4.map(TestAddress::V4),
            Family::V6 => self.test_v6,
        }
    }
}

/// One `address ADDR/PLEN on IFNAME` line: a data address and its home.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DataAddressConfig {
    /// The address and its prefix length.
    pub prefix: IpPrefix,
    /// The home member: it hosts the address at start and after failback.
    pub home: String,
    /// The line of the `address` statement.
    pub line: usize,
}

impl MpathdConfig {
    /// The group names, in order of first mention.
    pub fn group_names(&self) -> impl Iterator<Item = &str> + '_ {
        self.groups.iter().map(|g| g.name.as_str())
    }

    /// The group called `name`.
    pub fn group(&self, name: &str) -> Option<&GroupConfig> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// The `interface` line for `ifname`.
    pub fn interface(&self, ifname: &str) -> Option<&InterfaceConfig> {
        self.interfaces.iter().find(|i| i.name == ifname)
    }

    /// The configured members of `group`, in file order. (On FreeBSD a
    /// group may also gain members from OS interface groups; those are
    /// not in the file.)
    pub fn members<'a>(
        &'a self,
        group: &'a str,
    ) -> impl Iterator<Item = &'a InterfaceConfig> + 'a {
        self.interfaces
            .iter()
            .filter(move |i| i.group.as_deref() == Some(group))
    }

    /// The group `ifname` belongs to according to the file.
    pub fn group_of(&self, ifname: &str) -> Option<&str> {
        self.interface(ifname)?.group.as_deref()
    }

    /// The explicit probe targets of `ifname` for `family`: its own
    /// targets, then its group's, in file order. Empty when the interface
    /// has no test address of that family (group targets apply only to
    /// members that can probe them) or has no `interface` line.
    pub fn targets_for(&self, ifname: &str, family: Family) -> Vec<IpAddr> {
        let Some(intf) = self.interface(ifname) else {
            return Vec::new();
        };
        if intf.test(family).is_none() {
            return Vec::new();
        }
        let own = intf
            .targets
            .iter()
            .copied()
            .filter(|t| Family::of(*t) == family);
        let group = intf
            .group
            .as_deref()
            .and_then(|g| self.group(g))
            .into_iter()
            .flat_map(|g| g.targets_of(family));
        own.chain(group).collect()
    }

    /// The data addresses whose home is `ifname`, in file order.
    pub fn addresses_on<'a>(
        &'a self,
        ifname: &'a str,
    ) -> impl Iterator<Item = &'a DataAddressConfig> + 'a {
        self.addresses.iter().filter(move |a| a.home == ifname)
    }

    /// The data addresses of `group`: those whose home is a member.
    pub fn addresses_of_group<'a>(
        &'a self,
        group: &'a str,
    ) -> impl Iterator<Item = &'a DataAddressConfig> + 'a {
        self.addresses
            .iter()
            .filter(move |a| self.group_of(&a.home) == Some(group))
    }
}
