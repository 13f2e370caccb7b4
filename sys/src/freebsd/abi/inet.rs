//! `netinet/in.h`: IPv4 socket addresses.

abi_consts! {
    headers: [];
}

abi_struct! {
    headers: ["sys/types.h", "sys/socket.h", "netinet/in.h"];

    /// `struct in_addr`: an IPv4 address, network byte order.
    #[libc = in_addr]
    pub(crate) struct in_addr {
        /// The address.
        pub(crate) s_addr: u32,
    }

    /// `struct sockaddr_in`: an IPv4 socket address. Netmasks in routing
    /// messages may be cut short after their last non-zero byte
    /// (`sin_len` says how much is there).
    #[libc = sockaddr_in]
    pub(crate) struct sockaddr_in {
        /// The length: 16.
        pub(crate) sin_len: u8,
        /// `AF_INET` (netmasks: anything).
        pub(crate) sin_family: u8,
        /// The port, network byte order.
        pub(crate) sin_port: u16,
        /// The address.
        pub(crate) sin_addr: in_addr,
        /// Zeros.
        pub(crate) sin_zero: [u8; 8],
    }
}
