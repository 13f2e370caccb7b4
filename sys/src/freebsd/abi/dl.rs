//! `net/if_dl.h`: link-level socket addresses.

abi_consts! {
    headers: [];
}

abi_struct! {
    headers: ["sys/types.h", "sys/socket.h", "net/if_dl.h"];

    /// `struct sockaddr_dl`: an interface's link-level address (`AF_LINK`),
    /// with its index and name. `sdl_data` holds `sdl_nlen` bytes of name
    /// (no NUL) and then `sdl_alen` bytes of address (`LLADDR`); it may
    /// be longer than declared, `sdl_len` says how long.
    #[libc = sockaddr_dl]
    pub(crate) struct sockaddr_dl {
        /// The whole address's length.
        pub(crate) sdl_len: u8,
        /// `AF_LINK`.
        pub(crate) sdl_family: u8,
        /// The interface's index, if not 0.
        pub(crate) sdl_index: u16,
        /// `IFT_*`.
        pub(crate) sdl_type: u8,
        /// The name's length.
        pub(crate) sdl_nlen: u8,
        /// The link-level address's length.
        pub(crate) sdl_alen: u8,
        /// The link-layer selector's length.
        pub(crate) sdl_slen: u8,
        /// Name, then address, then selector.
        pub(crate) sdl_data: [u8; 46],
    }
}
