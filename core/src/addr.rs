//! Addresses with prefix lengths, as an operator writes them
//! (`192.0.2.10/24`, `2001:db8::10/64`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// An address family; in.mpathd probes each family of an interface
/// separately (a "phyint instance").
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// The family of `addr`.
    pub fn of(addr: IpAddr) -> Family {
        match addr {
            IpAddr::V4(_) => Family::V4,
            IpAddr::V6(_) => Family::V6,
        }
    }

    /// The all-nodes multicast address (224.0.0.1, ff02::1) that
    /// in.mpathd probes to discover targets.
    pub fn all_nodes(self) -> IpAddr {
        match self {
            Family::V4 => IpAddr::V4(Ipv4Addr::new(224, 0, 0, 1)),
            Family::V6 => {
                IpAddr::V6(Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1))
            }
        }
    }

    /// `inet` or `inet6`, as ifconfig and in.mpathd's messages say.
    pub fn inet(self) -> &'static str {
        match self {
            Family::V4 => "inet",
            Family::V6 => "inet6",
        }
    }

    /// `IPv4` or `IPv6`, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// An IP address with a prefix length: a data or test address together
/// with the subnet it lives on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct IpPrefix {
    addr: IpAddr,
    len: u8,
}

/// Why a prefix could not be built or parsed.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum PrefixError {
    /// The text before the `/` is not an IP address.
    #[error("`{0}` is not an IP address")]
    BadAddress(String),
    /// The prefix length is not a number or too long for the family.
    #[error("bad prefix length `{0}` (IPv4 takes 0-32, IPv6 0-128)")]
    BadLength(String),
}

impl IpPrefix {
    /// `addr/len`, checked against the family's maximum length.
    pub fn new(addr: IpAddr, len: u8) -> Result<IpPrefix, PrefixError> {
        if len > max_len(addr) {
            return Err(PrefixError::BadLength(len.to_string()));
        }
        Ok(IpPrefix { addr, len })
    }

    /// A host prefix (/32 or /128) for `addr`.
    pub fn host(addr: IpAddr) -> IpPrefix {
        IpPrefix {
            addr,
            len: max_len(addr),
        }
    }

    /// The address itself (host bits kept).
    pub fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length.
    pub fn len(&self) -> u8 {
        self.len
    }

    /// True for a zero-length prefix (`0.0.0.0/0`, `::/0`).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether `other` lies on this prefix's subnet (same family, same
    /// leading `len` bits).
    pub fn contains(&self, other: IpAddr) -> bool {
        match (self.addr, other) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let mask = mask_u32(self.len);
                u32::from(a) & mask == u32::from(b) & mask
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let mask = mask_u128(self.len);
                u128::from(a) & mask == u128::from(b) & mask
            }
            _ => false,
        }
    }
}

fn max_len(addr: IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

fn mask_u32(len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(len.min(32)))
        .unwrap_or(0)
}

fn mask_u128(len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(len.min(128)))
        .unwrap_or(0)
}

impl FromStr for IpPrefix {
    type Err = PrefixError;

    /// Parses `ADDR/LEN`; a bare address is a host prefix.
    fn from_str(s: &str) -> Result<IpPrefix, PrefixError> {
        let (a, l) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .parse()
            .map_err(|_| PrefixError::BadAddress(a.to_string()))?;
        match l {
            None => Ok(IpPrefix::host(addr)),
            Some(l) => {
                let len: u8 = l
                    .parse()
                    .map_err(|_| PrefixError::BadLength(l.to_string()))?;
                IpPrefix::new(addr, len)
            }
        }
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_contains() {
        let p: IpPrefix = "192.0.2.10/24".parse().unwrap();
        assert!(p.contains("192.0.2.1".parse().unwrap()));
        assert!(!p.contains("198.51.100.1".parse().unwrap()));
        assert!(!p.contains("2001:db8::1".parse().unwrap()));
        let h: IpPrefix = "2001:db8::1".parse().unwrap();
        assert_eq!(h.len(), 128);
        let z: IpPrefix = "0.0.0.0/0".parse().unwrap();
        assert!(z.contains("203.0.113.9".parse().unwrap()));
        assert!("192.0.2.1/33".parse::<IpPrefix>().is_err());
        assert!("fe80::1/129".parse::<IpPrefix>().is_err());
        assert!("bogus/8".parse::<IpPrefix>().is_err());
        assert!("192.0.2.1/x".parse::<IpPrefix>().is_err());
        assert_eq!(p.to_string(), "192.0.2.10/24");
    }
}
