//! Bringing an interface administratively up or down through rtnetlink:
//! what laggd does to an aggregate for min-links, to downstream
//! interfaces for link-state tracking, and to a port before it is
//! enslaved (bonding refuses a port that is up).
//!
//! One `RTM_NEWLINK` request with `ifi_change` = `IFF_UP` changes that
//! one flag and no other, atomically: unlike `SIOCGIFFLAGS` followed by
//! `SIOCSIFFLAGS` (or a read and a write of `/sys/class/net/X/flags`), it
//! cannot undo a change someone else made to another flag in between.
//!
//! The request goes through a socket of its own, opened per call: these
//! are rare administrative actions, and a fresh socket can hold no late
//! answer to an earlier request.

use std::io;
use std::os::fd::AsRawFd;

use libc::c_int;
use nix::errno::Errno;
use nix::sys::socket::{
    recvfrom, sendto, setsockopt, socket, sockopt as nix_opt, AddressFamily,
    MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

use super::netlink::msg::{ifinfomsg, messages, Message, Request};
use crate::ifindex;

/// How long to wait for the kernel's acknowledgement (not a kernel
/// number: the kernel answers at once; this only bounds a wedged one).
const ACK_TIMEOUT_SECS: libc::time_t = 5;

/// The request's sequence number: one request per socket.
const SEQ: u32 = 1;

/// Where `ifi_index`, `ifi_flags` and `ifi_change` sit in
/// `struct ifinfomsg` (family, pad, type, then these three).
const IFI_INDEX: usize = 4;
const IFI_FLAGS: usize = 8;
const IFI_CHANGE: usize = 12;

/// Sets interface `name` administratively up (`up`) or down, like
/// `ip link set dev NAME up|down`. Setting the state it already has is
/// not an error.
///
/// # Errors
///
/// `NotFound`/`ENODEV` for no such interface, `EPERM` without
/// `CAP_NET_ADMIN`, or whatever the driver answers (a bond refuses to
/// come up in some configurations); the message names the interface.
pub fn set_admin_up(name: &str, up: bool) -> io::Result<()> {
    let index = ifindex::name_to_index(name)
        .map_err(|err| io::Error::new(err.kind(), format!("{name}: {err}")))?;
    set_admin_up_index(index, up).map_err(|err| {
        let state = if up { "up" } else { "down" };
        io::Error::new(err.kind(), format!("{name}: set {state}: {err}"))
    })
}

/// [`set_admin_up`] by interface index.
///
/// # Errors
///
/// As [`set_admin_up`], without the name in the message.
pub fn set_admin_up_index(index: u32, up: bool) -> io::Result<()> {
    let index = i32::try_from(index).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("interface index {index} too large"),
        )
    })?;
    let iff_up = libc::IFF_UP.cast_unsigned();
    let mut fixed = ifinfomsg(0);
    fixed[IFI_INDEX..IFI_INDEX + 4].copy_from_slice(&index.to_ne_bytes());
    let flags = if up { iff_up } else { 0 };
    fixed[IFI_FLAGS..IFI_FLAGS + 4].copy_from_slice(&flags.to_ne_bytes());
    fixed[IFI_CHANGE..IFI_CHANGE + 4].copy_from_slice(&iff_up.to_ne_bytes());
    let flags = u16::try_from(libc::NLM_F_REQUEST | libc::NLM_F_ACK)
        .unwrap_or_default();
    let mut request = Request::new(libc::RTM_NEWLINK, flags, &fixed);
    request_ack(&mut request)
}

/// Sends `request` on a new `NETLINK_ROUTE` socket and waits for the
/// kernel's acknowledgement.
fn request_ack(request: &mut Request) -> io::Result<()> {
    let fd = socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )?;
    let timeout = TimeVal::new(ACK_TIMEOUT_SECS, 0);
    setsockopt(&fd, nix_opt::ReceiveTimeout, &timeout)?;
    let bytes = request.set_seq(SEQ);
    // The kernel's address: port 0.
    let to = NetlinkAddr::new(0, 0);
    let sent = sendto(fd.as_raw_fd(), bytes, &to, MsgFlags::empty())?;
    if sent != bytes.len() {
        return Err(io::Error::other("netlink request sent in part"));
    }
    let mut buf = vec![0u8; 8192];
    loop {
        let res = recvfrom::<NetlinkAddr>(fd.as_raw_fd(), &mut buf);
        let (len, from) = match res {
            Ok((len, from)) => (len.min(buf.len()), from),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "no netlink acknowledgement within 5 s",
                ));
            }
            Err(err) => return Err(err.into()),
        };
        if from.is_none_or(|from| from.pid() != 0) {
            continue; // not from the kernel
        }
        for raw in messages(&buf[..len]) {
            let raw = raw?;
            if raw.header.seq != SEQ {
                continue;
            }
            if let Message::Error { errno } = raw.parse()? {
                return match errno {
                    0 => Ok(()),
                    errno => Err(io::Error::from_raw_os_error(errno)),
                };
            }
        }
    }
}

/// Whether interface `name` is administratively up (`IFF_UP`), read
/// from `/sys/class/net/NAME/flags` (sysfs shows the network namespace
/// it was mounted in, which `ip netns exec` arranges to be the one it
/// enters).
///
/// # Errors
///
/// The read's (`NotFound` for no such interface) or `InvalidData`, with
/// the path in the message.
pub fn is_admin_up(name: &str) -> io::Result<bool> {
    let path = format!("/sys/class/net/{name}/flags");
    let text = std::fs::read_to_string(&path)
        .map_err(|err| io::Error::new(err.kind(), format!("{path}: {err}")))?;
    let flags = parse_flags(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{path}: not a flag word: {:?}", text.trim()),
        )
    })?;
    Ok(flags & libc::IFF_UP != 0)
}

/// A flag word as sysfs prints it (`0x1003`).
fn parse_flags(text: &str) -> Option<c_int> {
    let hex = text.trim().strip_prefix("0x")?;
    c_int::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linux::testns::{in_fresh_netns, ip};

    #[test]
    fn flag_words_parse() {
        assert_eq!(parse_flags("0x1003\n"), Some(0x1003));
        assert_eq!(parse_flags("0x0"), Some(0));
        assert_eq!(parse_flags("1003"), None);
        assert_eq!(parse_flags("0xzz"), None);
    }

    /// The flags of `name` as `ip -o link` shows them, from this
    /// thread's namespace (sysfs would show the host's).
    fn is_up(name: &str) -> bool {
        let out = std::process::Command::new("ip")
            .args(["-o", "link", "show", "dev", name])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let flags = text.split('<').nth(1).unwrap().split('>').next().unwrap();
        flags.split(',').any(|f| f == "UP")
    }

    #[test]
    fn an_interface_goes_up_and_down() {
        in_fresh_netns("link::an_interface_goes_up_and_down", || {
            let veth = "link add name mpd0 type veth peer name mpd1";
            ip(&veth.split(' ').collect::<Vec<_>>());
            assert!(!is_up("mpd0"));
            let index = ifindex::name_to_index("mpd0").unwrap();
            set_admin_up_index(index, true).unwrap();
            assert!(is_up("mpd0"));
            // Again: no error.
            set_admin_up_index(index, true).unwrap();
            set_admin_up_index(index, false).unwrap();
            assert!(!is_up("mpd0"));
            let err = set_admin_up_index(999_999, true).unwrap_err();
            assert_eq!(err.raw_os_error(), Some(libc::ENODEV), "{err}");
            let err = set_admin_up("mpd-none", true).unwrap_err();
            assert!(err.to_string().contains("mpd-none"), "{err}");
        });
    }
}
