//! The control messages and socket addresses of the shared probe
//! sockets as bytes: the `IP_PKTINFO` / `IPV6_PKTINFO` sent with every
//! probe, and the packet information, receive time and source address
//! read with every reply.
//!
//! They are built and read in safe code over byte slices, with the
//! offsets of libc's structures (as `freebsd::cmsg` does), rather than
//! through the `CMSG_*` pointer macros or nix's control message types:
//! a probe's control message is built once per path and copied with
//! each probe, and a reply's is read where `recvmmsg` left it, with no
//! allocation and nothing zeroed per datagram.
//!
//! ```text
//! | cmsg_len | cmsg_level (4) | cmsg_type (4) | data | pad |
//!   ^ size_t (glibc) or socklen_t and padding (musl)
//!   CMSG_LEN(0) = the header rounded up to size_t's alignment
//!   the next header at CMSG_ALIGN(cmsg_len)
//! ```

use std::io;
use std::mem::{align_of, offset_of, size_of};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use libc::c_int;

/// Rounds `len` up as Linux's `CMSG_ALIGN` does, in glibc and musl
/// alike: to the size of `size_t`.
const fn align(len: usize) -> usize {
    let unit = size_of::<usize>();
    (len + unit - 1) & !(unit - 1)
}

/// `CMSG_LEN(0)`: where a control message's data begins.
const DATA_OFFSET: usize = align(size_of::<libc::cmsghdr>());

/// `CMSG_SPACE(len)`: the room a control message with `len` bytes of
/// data takes.
const fn space(len: usize) -> usize {
    DATA_OFFSET + align(len)
}

// SAFETY: CMSG_SPACE and CMSG_LEN compute with their argument only; they
// read no memory. Checked once, at compile time: the sizes used here are
// the C library's.
const _: () = unsafe {
    let v4 = size_of::<libc::in_pktinfo>();
    let v6 = size_of::<libc::in6_pktinfo>();
    assert!(space(v4) == libc::CMSG_SPACE(v4 as u32) as usize);
    assert!(space(v6) == libc::CMSG_SPACE(v6 as u32) as usize);
    assert!(DATA_OFFSET == libc::CMSG_LEN(0) as usize);
};

/// The size of a field of `S`, read off an accessor (`|h| &h.field`),
/// for the fields whose C type differs between C libraries.
const fn field_size<S, T>(_: fn(&S) -> &T) -> usize {
    size_of::<T>()
}

/// `cmsg_len`: `size_t` in glibc, `socklen_t` in musl.
const LEN_SIZE: usize = field_size(|h: &libc::cmsghdr| &h.cmsg_len);
/// `tv_sec` and `tv_nsec` of the `SCM_TIMESTAMPNS` stamp.
const SEC_SIZE: usize = field_size(|t: &libc::timespec| &t.tv_sec);
const NSEC_SIZE: usize = field_size(|t: &libc::timespec| &t.tv_nsec);

/// The largest packet information message sent: IPv6's.
const PKTINFO_SPACE: usize = space(size_of::<libc::in6_pktinfo>());

const _: () = assert!(align_of::<libc::cmsghdr>() <= 8);
const _: () = assert!(space(size_of::<libc::in_pktinfo>()) <= PKTINFO_SPACE);

/// The control message that sends a probe through one path: out of its
/// interface, from its test address (`IP_PKTINFO` with `ipi_ifindex`
/// and `ipi_spec_dst`, or `IPV6_PKTINFO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
// Aligned for `cmsghdr`, as `msg_control` must be.
#[repr(C, align(8))]
pub(super) struct Pktinfo {
    bytes: [u8; PKTINFO_SPACE],
    len: usize,
}

impl Pktinfo {
    /// The message for the path through interface `ifindex` from `src`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for an IPv4 path whose interface index does not
    /// fit `in_pktinfo`'s `int`.
    pub(super) fn new(ifindex: u32, src: IpAddr) -> io::Result<Pktinfo> {
        let mut p = Pktinfo {
            bytes: [0; PKTINFO_SPACE],
            len: 0,
        };
        match src {
            IpAddr::V4(src) => {
                let index = c_int::try_from(ifindex).map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::InvalidInput,
                        format!("interface index {ifindex} too large"),
                    )
                })?;
                let mut data = [0; size_of::<libc::in_pktinfo>()];
                let at = offset_of!(libc::in_pktinfo, ipi_ifindex);
                put(&mut data, at, &index.to_ne_bytes());
                let at = offset_of!(libc::in_pktinfo, ipi_spec_dst);
                put(&mut data, at, &src.octets());
                p.set(libc::IPPROTO_IP, libc::IP_PKTINFO, &data);
            }
            IpAddr::V6(src) => {
                let mut data = [0; size_of::<libc::in6_pktinfo>()];
                let at = offset_of!(libc::in6_pktinfo, ipi6_addr);
                put(&mut data, at, &src.octets());
                let at = offset_of!(libc::in6_pktinfo, ipi6_ifindex);
                put(&mut data, at, &ifindex.to_ne_bytes());
                p.set(libc::IPPROTO_IPV6, libc::IPV6_PKTINFO, &data);
            }
        }
        Ok(p)
    }

    /// The bytes for `msg_control`, `CMSG_SPACE` of them.
    pub(super) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }

    fn set(&mut self, level: c_int, kind: c_int, data: &[u8]) {
        let len = DATA_OFFSET + data.len();
        let len_at = offset_of!(libc::cmsghdr, cmsg_len);
        match LEN_SIZE {
            4 => put(&mut self.bytes, len_at, &(len as u32).to_ne_bytes()),
            _ => put(&mut self.bytes, len_at, &(len as u64).to_ne_bytes()),
        }
        let at = offset_of!(libc::cmsghdr, cmsg_level);
        put(&mut self.bytes, at, &level.to_ne_bytes());
        let at = offset_of!(libc::cmsghdr, cmsg_type);
        put(&mut self.bytes, at, &kind.to_ne_bytes());
        put(&mut self.bytes, DATA_OFFSET, data);
        self.len = space(data.len());
    }
}

/// Copies `bytes` into `buf` at `at`; the callers' offsets are those of
/// the structures `buf` is sized for, so nothing is ever cut.
fn put(buf: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = buf.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

/// What a reply's control messages said.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Ancillary {
    /// The interface it came in on and the address it was sent to
    /// (`IP_PKTINFO`'s `ipi_ifindex` and `ipi_addr`, `IPV6_PKTINFO`).
    pub(super) arrived: Option<(u32, IpAddr)>,
    /// The kernel's receive time, nanoseconds since the epoch on the
    /// realtime clock (`SCM_TIMESTAMPNS`).
    pub(super) stamp_ns: Option<i64>,
}

/// Reads the control messages in `control` (the `msg_controllen` bytes
/// the kernel filled in). A message that claims more bytes than there
/// are ends the walk; unknown messages are skipped. As when nix read
/// them: the last packet information counts, and the first stamp.
pub(super) fn parse(control: &[u8]) -> Ancillary {
    let mut found = Ancillary::default();
    let mut at = 0;
    while let Some(header) = control.get(at..at + size_of::<libc::cmsghdr>()) {
        let len_at = offset_of!(libc::cmsghdr, cmsg_len);
        let len = uint(header, len_at, LEN_SIZE);
        let level = int(header, offset_of!(libc::cmsghdr, cmsg_level), 4);
        let kind = int(header, offset_of!(libc::cmsghdr, cmsg_type), 4);
        let (Some(len), Some(level), Some(kind)) = (len, level, kind) else {
            break;
        };
        let Ok(len) = usize::try_from(len) else { break };
        if len < DATA_OFFSET {
            break;
        }
        let Some(data) = at
            .checked_add(len)
            .and_then(|end| control.get(at + DATA_OFFSET..end))
        else {
            break;
        };
        match (c_int::try_from(level), c_int::try_from(kind)) {
            (Ok(libc::IPPROTO_IP), Ok(libc::IP_PKTINFO)) => {
                found.arrived = pktinfo_v4(data).or(found.arrived);
            }
            (Ok(libc::IPPROTO_IPV6), Ok(libc::IPV6_PKTINFO)) => {
                found.arrived = pktinfo_v6(data).or(found.arrived);
            }
            (Ok(libc::SOL_SOCKET), Ok(libc::SCM_TIMESTAMPNS)) => {
                found.stamp_ns = found.stamp_ns.or_else(|| timespec_ns(data));
            }
            _ => {}
        }
        match at.checked_add(align(len)) {
            Some(next) if next > at => at = next,
            _ => break,
        }
    }
    found
}

/// `in_pktinfo`'s interface index and header destination address.
fn pktinfo_v4(data: &[u8]) -> Option<(u32, IpAddr)> {
    if data.len() < size_of::<libc::in_pktinfo>() {
        return None;
    }
    let index = int(data, offset_of!(libc::in_pktinfo, ipi_ifindex), 4)?;
    let to: [u8; 4] = field(data, offset_of!(libc::in_pktinfo, ipi_addr))?;
    // A negative index is nobody's interface.
    let index = u32::try_from(index).unwrap_or(0);
    Some((index, IpAddr::V4(Ipv4Addr::from(to))))
}

/// `in6_pktinfo`'s interface index and destination address.
fn pktinfo_v6(data: &[u8]) -> Option<(u32, IpAddr)> {
    if data.len() < size_of::<libc::in6_pktinfo>() {
        return None;
    }
    let at = offset_of!(libc::in6_pktinfo, ipi6_ifindex);
    let index = u32::try_from(uint(data, at, 4)?).ok()?;
    let to: [u8; 16] = field(data, offset_of!(libc::in6_pktinfo, ipi6_addr))?;
    Some((index, IpAddr::V6(Ipv6Addr::from(to))))
}

/// A `timespec` as nanoseconds, saturating.
fn timespec_ns(data: &[u8]) -> Option<i64> {
    if data.len() < size_of::<libc::timespec>() {
        return None;
    }
    let sec = int(data, offset_of!(libc::timespec, tv_sec), SEC_SIZE)?;
    let nsec = int(data, offset_of!(libc::timespec, tv_nsec), NSEC_SIZE)?;
    Some(sec.saturating_mul(1_000_000_000).saturating_add(nsec))
}

/// The IP address of the `sockaddr_in` or `sockaddr_in6` in `name` (the
/// `msg_namelen` bytes the kernel filled in).
pub(super) fn source(name: &[u8]) -> Option<IpAddr> {
    let family_at = offset_of!(libc::sockaddr, sa_family);
    let family = uint(name, family_at, size_of::<libc::sa_family_t>())?;
    match c_int::try_from(family).ok()? {
        libc::AF_INET if name.len() >= size_of::<libc::sockaddr_in>() => {
            let at = offset_of!(libc::sockaddr_in, sin_addr);
            let octets: [u8; 4] = field(name, at)?;
            Some(IpAddr::V4(Ipv4Addr::from(octets)))
        }
        libc::AF_INET6 if name.len() >= size_of::<libc::sockaddr_in6>() => {
            let at = offset_of!(libc::sockaddr_in6, sin6_addr);
            let octets: [u8; 16] = field(name, at)?;
            Some(IpAddr::V6(Ipv6Addr::from(octets)))
        }
        _ => None,
    }
}

/// `N` bytes at `at`, if there are.
fn field<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// The unsigned integer of `size` (2, 4 or 8) bytes at `at`, in the
/// machine's byte order.
fn uint(bytes: &[u8], at: usize, size: usize) -> Option<u64> {
    match size {
        2 => field(bytes, at).map(|b| u64::from(u16::from_ne_bytes(b))),
        4 => field(bytes, at).map(|b| u64::from(u32::from_ne_bytes(b))),
        8 => field(bytes, at).map(u64::from_ne_bytes),
        _ => None,
    }
}

/// The signed integer of `size` (4 or 8) bytes at `at`.
fn int(bytes: &[u8], at: usize, size: usize) -> Option<i64> {
    match size {
        4 => field(bytes, at).map(|b| i64::from(i32::from_ne_bytes(b))),
        8 => field(bytes, at).map(i64::from_ne_bytes),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` in `size` bytes, the machine's order.
    fn ne(value: i64, size: usize) -> Vec<u8> {
        match size {
            4 => i32::try_from(value).unwrap().to_ne_bytes().to_vec(),
            _ => value.to_ne_bytes().to_vec(),
        }
    }

    fn put_at(buf: &mut [u8], at: usize, bytes: &[u8]) {
        buf[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// A control message as the kernel writes it.
    fn message(level: c_int, kind: c_int, data: &[u8]) -> Vec<u8> {
        let mut buf = vec![0; space(data.len())];
        let len = i64::try_from(DATA_OFFSET + data.len()).unwrap();
        put_at(
            &mut buf,
            offset_of!(libc::cmsghdr, cmsg_len),
            &ne(len, LEN_SIZE),
        );
        let at = offset_of!(libc::cmsghdr, cmsg_level);
        put_at(&mut buf, at, &level.to_ne_bytes());
        put_at(
            &mut buf,
            offset_of!(libc::cmsghdr, cmsg_type),
            &kind.to_ne_bytes(),
        );
        put_at(&mut buf, DATA_OFFSET, data);
        buf
    }

    fn in_pktinfo(ifindex: c_int, to: Ipv4Addr) -> Vec<u8> {
        let mut data = vec![0; size_of::<libc::in_pktinfo>()];
        let at = offset_of!(libc::in_pktinfo, ipi_ifindex);
        put_at(&mut data, at, &ifindex.to_ne_bytes());
        put_at(
            &mut data,
            offset_of!(libc::in_pktinfo, ipi_addr),
            &to.octets(),
        );
        message(libc::IPPROTO_IP, libc::IP_PKTINFO, &data)
    }

    fn timestamp(sec: i64, nsec: i64) -> Vec<u8> {
        let mut data = vec![0; size_of::<libc::timespec>()];
        let at = offset_of!(libc::timespec, tv_sec);
        put_at(&mut data, at, &ne(sec, SEC_SIZE));
        let at = offset_of!(libc::timespec, tv_nsec);
        put_at(&mut data, at, &ne(nsec, NSEC_SIZE));
        message(libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS, &data)
    }

    fn sockaddr(
        family: c_int,
        at: usize,
        octets: &[u8],
        len: usize,
    ) -> Vec<u8> {
        let mut buf = vec![0; len];
        let family = u16::try_from(family).unwrap().to_ne_bytes();
        put_at(&mut buf, offset_of!(libc::sockaddr, sa_family), &family);
        put_at(&mut buf, at, octets);
        buf
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn the_sizes_are_linuxs() {
        assert_eq!(DATA_OFFSET, 16);
        assert_eq!(space(size_of::<libc::in_pktinfo>()), 32);
        assert_eq!(PKTINFO_SPACE, 40);
    }

    #[test]
    fn pktinfo_sends_from_the_test_address_through_the_interface() {
        let src = Ipv4Addr::new(192, 0, 2, 1);
        let p = Pktinfo::new(7, IpAddr::V4(src)).unwrap();
        let mut data = vec![0; size_of::<libc::in_pktinfo>()];
        let at = offset_of!(libc::in_pktinfo, ipi_ifindex);
        put_at(&mut data, at, &7i32.to_ne_bytes());
        let at = offset_of!(libc::in_pktinfo, ipi_spec_dst);
        put_at(&mut data, at, &src.octets());
        let want = message(libc::IPPROTO_IP, libc::IP_PKTINFO, &data);
        assert_eq!(p.as_bytes(), want);
        let err = Pktinfo::new(u32::MAX, IpAddr::V4(src)).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);

        // IPv6's reads back as what the kernel would say of a packet
        // that came in that way.
        let src: Ipv6Addr = "fe80::1".parse().unwrap();
        let p = Pktinfo::new(u32::MAX, IpAddr::V6(src)).unwrap();
        assert_eq!(p.as_bytes().len(), PKTINFO_SPACE);
        let got = parse(p.as_bytes());
        assert_eq!(got.arrived, Some((u32::MAX, IpAddr::V6(src))));
    }

    #[test]
    fn a_reply_says_where_it_came_in_and_when() {
        let to = Ipv4Addr::new(192, 0, 2, 1);
        let mut control = timestamp(1_700_000_000, 5);
        control.extend(in_pktinfo(3, to));
        // A later stamp does not replace the first.
        control.extend(timestamp(9, 9));
        let got = parse(&control);
        assert_eq!(got.arrived, Some((3, IpAddr::V4(to))));
        assert_eq!(got.stamp_ns, Some(1_700_000_000_000_000_005));
        // Negative index: nobody's interface.
        let got = parse(&in_pktinfo(-1, to));
        assert_eq!(got.arrived, Some((0, IpAddr::V4(to))));
    }

    #[test]
    fn bad_control_messages_end_the_walk_without_panicking() {
        let to = Ipv4Addr::new(192, 0, 2, 1);
        let good = in_pktinfo(3, to);
        assert_eq!(parse(&[]), Ancillary::default());
        // Cut short anywhere: what is whole is read, nothing else.
        for cut in 0..good.len() {
            let got = parse(&good[..cut]);
            let whole = cut >= DATA_OFFSET + size_of::<libc::in_pktinfo>();
            assert_eq!(got.arrived.is_some(), whole, "cut at {cut}");
        }
        // A length smaller than the header, or past the end.
        let len_at = offset_of!(libc::cmsghdr, cmsg_len);
        for lie in [3, 0xff] {
            let mut lying = good.clone();
            put_at(&mut lying, len_at, &ne(lie, LEN_SIZE));
            assert_eq!(parse(&lying), Ancillary::default(), "{lie}");
        }
        // Data too short for its type: skipped, the next one read.
        let mut control = message(libc::IPPROTO_IP, libc::IP_PKTINFO, &[1]);
        control.extend(message(libc::SOL_SOCKET, libc::SCM_TIMESTAMPNS, &[]));
        control.extend(good);
        assert_eq!(parse(&control).arrived, Some((3, IpAddr::V4(to))));
        assert_eq!(parse(&control).stamp_ns, None);
    }

    #[test]
    fn the_source_address_is_read_from_the_socket_address() {
        let v4 = [192, 0, 2, 9];
        let at = offset_of!(libc::sockaddr_in, sin_addr);
        let len = size_of::<libc::sockaddr_in>();
        let name = sockaddr(libc::AF_INET, at, &v4, len);
        assert_eq!(source(&name), Some(IpAddr::from(v4)));
        assert_eq!(source(&name[..len - 1]), None, "cut short");
        let v6: Ipv6Addr = "fe80::9".parse().unwrap();
        let at = offset_of!(libc::sockaddr_in6, sin6_addr);
        let len = size_of::<libc::sockaddr_in6>();
        let name = sockaddr(libc::AF_INET6, at, &v6.octets(), len);
        assert_eq!(source(&name), Some(IpAddr::V6(v6)));
        assert_eq!(source(&[]), None);
        assert_eq!(source(&[0; 64]), None, "AF_UNSPEC");
    }
}
