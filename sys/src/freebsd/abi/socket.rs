//! `sys/socket.h`: address families, socket types and options, and the
//! generic socket address.

use std::ffi::c_int;

abi_consts! {
    headers: ["sys/types.h", "sys/socket.h"];

    /// `AF_UNSPEC`, as the `sa_family` byte.
    pub(crate) const AF_UNSPEC: u8 = 0 => libc::AF_UNSPEC;
    /// `AF_LOCAL` (`AF_UNIX`).
    pub(crate) const AF_LOCAL: u8 = 1 => libc::AF_LOCAL;
    /// `AF_INET`.
    pub(crate) const AF_INET: u8 = 2 => libc::AF_INET;
    /// `AF_INET6` (28 on FreeBSD).
    pub(crate) const AF_INET6: u8 = 28 => libc::AF_INET6;
    /// `AF_LINK`: link-level addresses (`sockaddr_dl`).
    pub(crate) const AF_LINK: u8 = 18 => libc::AF_LINK;
    /// `PF_ROUTE`: the routing socket's domain (and the routing sysctls'
    /// second name).
    pub(crate) const PF_ROUTE: c_int = 17 => libc::PF_ROUTE;
    /// `SOCK_DGRAM`.
    pub(crate) const SOCK_DGRAM: c_int = 2 => libc::SOCK_DGRAM;
    /// `SOCK_RAW`.
    pub(crate) const SOCK_RAW: c_int = 3 => libc::SOCK_RAW;
    /// `SOCK_CLOEXEC`, or-ed into the type.
    pub(crate) const SOCK_CLOEXEC: c_int = 0x1000_0000 => libc::SOCK_CLOEXEC;
    /// `SOCK_NONBLOCK`, or-ed into the type.
    pub(crate) const SOCK_NONBLOCK: c_int =
        0x2000_0000 => libc::SOCK_NONBLOCK;
    /// `SOL_SOCKET`: the level of the generic options.
    pub(crate) const SOL_SOCKET: c_int = 0xffff => libc::SOL_SOCKET;
    /// `SO_RCVBUF`: the receive buffer's size.
    pub(crate) const SO_RCVBUF: c_int = 0x1002 => libc::SO_RCVBUF;
    /// `SO_RERROR`: report a receive buffer overflow as `ENOBUFS` from
    /// the next receive instead of dropping silently (FreeBSD 14.0+;
    /// not in libc).
    pub(crate) const SO_RERROR: c_int = 0x0002_0000;
}

abi_struct! {
    headers: ["sys/types.h", "sys/socket.h"];

    /// `struct sockaddr`: the header every socket address starts with.
    /// BSD addresses carry their own length, `sa_len`.
    #[libc = sockaddr]
    pub(crate) struct sockaddr {
        /// The address's length in bytes, this header included.
        pub(crate) sa_len: u8,
        /// `AF_*`.
        pub(crate) sa_family: u8,
        /// The address proper (its size varies with the family).
        pub(crate) sa_data: [u8; 14],
    }
}
