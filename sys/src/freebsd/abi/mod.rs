//! FreeBSD's kernel ABI as this crate uses it: constants, ioctl numbers
//! and `#[repr(C)]` structures, each checked against FreeBSD's own C
//! headers.
//!
//! # Why not just libc
//!
//! `libc` has part of what we need for FreeBSD (`if_msghdr`, `RTM_*`),
//! but not the rest (`rt_msghdr`, the `SIOC*` ioctls, `ifgroupreq`,
//! `in6_aliasreq`, `SO_RERROR`), and what it has exists only when
//! compiling *for* FreeBSD, while the routing-socket parsers must also
//! compile, be tested and be fuzzed on the Linux machines we build on. So
//! every FreeBSD number the code relies on is written down here once, as
//! plain data that compiles on any host, and proven right by construction
//! rather than by running on FreeBSD:
//!
//! 1. **The header check.** The macros below record every declaration in
//!    a per-module table: constants with their values, structures with
//!    their size, alignment and every field's offset and size
//!    (`offset_of!`, `size_of`). The test `abi::check` writes one C file
//!    per module that includes the module's headers and `_Static_assert`s
//!    each recorded number, and compiles it against FreeBSD's headers
//!    (`python3 -m ziglang cc -target x86_64-freebsd -fsyntax-only`, and
//!    `aarch64-freebsd`, the other 64-bit platform). A wrong number fails
//!    the test with the compiler's message. `tests/abi/freebsd-check`
//!    runs just that test.
//! 2. **The libc cross-check.** Where libc has the item for FreeBSD
//!    (nix's rule: take FFI declarations from libc), the declaration
//!    names it (`=> libc::NAME` for a constant, `#[libc = name]` for a
//!    structure), and a FreeBSD build asserts at compile time that
//!    libc's value, size, alignment and field offsets are ours. The
//!    number we use on FreeBSD is therefore libc's *and* the header's.
//!
//! # Rules (enforced by the test `abi::scan`)
//!
//! * Every FreeBSD ABI number in `sys/src/freebsd/` is declared in a
//!   module of this directory, through `abi_consts!` (constants and
//!   ioctl numbers) or `abi_struct!` (`#[repr(C)]` structures and
//!   unions), never with a bare `const` or `#[repr(C)]`. The macros are
//!   what put an item in the tables, so an item declared any other way
//!   would escape the header check.
//! * Outside this directory, no `const` is initialised from a numeric
//!   literal, no `#[repr(C)]` type is declared, no enum discriminant is
//!   set from a literal, and no long hex literal (5 digits or more: ioctl
//!   numbers, flag words) appears, unless the item carries a
//!   `// not ABI: <why>` comment (a buffer size or retry count is a
//!   choice of ours, not the kernel's). Offsets into kernel messages come
//!   from `offset_of!` on the structures here.
//! * Each module here invokes each macro exactly once (an empty
//!   `abi_struct! { headers: []; }` says it has no structures), and is
//!   listed in `abi_modules!` below, which declares it and puts its
//!   tables in `MODULES`, the list the header check walks. A second
//!   invocation does not compile (the tables would be defined twice), a
//!   module missing from the list is not compiled, and the scan fails on
//!   a file here that is not a listed module.
//! * Names are the C names, so that the generated C can name them; where
//!   an item has no C name of its own (a derived number, an anonymous
//!   union), `#[c = "..."]` or `#[c_type = "..."]` gives the C
//!   expression or type to compare with.
//! * Fields are fixed-width integers, arrays of them, raw pointers or
//!   other structures from here ([`Plain`], checked at compile time).
//!   All of them are valid as all-zero bytes, which makes `zeroed()`
//!   safe.
//! * The layouts are those of 64-bit FreeBSD (amd64, arm64: LP64); a
//!   32-bit FreeBSD build stops with a compile error below rather than
//!   use them.
//! * Each module lists the headers its items come from, in an order that
//!   compiles on its own (`sys/types.h` first). Never list
//!   `<netlink/netlink_route.h>` with `<net/route.h>`: it silently
//!   redefines `RTM_NEWADDR` and friends to the netlink numbers. The check
//!   refuses any `netlink/` header.

// The items keep their C names (`rt_msghdr`, `_IOWR`, `__ifi_epoch`).
#![allow(non_camel_case_types, non_snake_case, non_upper_case_globals)]
// This is a header: it declares what the code needs and the pieces those
// are built from (the ioctl encoding, the members of a union), whether
// or not each one is used on its own.
#![allow(dead_code)]

use std::mem::MaybeUninit;

#[cfg(all(target_os = "freebsd", not(target_pointer_width = "64")))]
compile_error!(
    "the FreeBSD ABI tables are for 64-bit FreeBSD (amd64, arm64) only"
);

/// Types that are plain old data, valid as any bytes and in particular as
/// all zeros: the integers, arrays of them, raw pointers (all-zero is
/// null), and the structures and unions `abi_struct!` declares, which
/// it checks to consist of such fields.
///
/// # Safety
///
/// Implement only for types without padding-dependent invariants and for
/// which every bit pattern, all zeros included, is a valid value.
pub(crate) unsafe trait Plain: Copy {}

macro_rules! plain {
    ($($ty:ty),*) => {$(
        // SAFETY: an integer or raw pointer: every bit pattern is valid.
        unsafe impl Plain for $ty {}
    )*};
}
plain!(u8, u16, u32, u64, i8, i16, i32, i64, usize, isize);

// SAFETY: an array of Plain values has no other bytes than theirs.
unsafe impl<T: Plain, const N: usize> Plain for [T; N] {}
// SAFETY: any address is a valid raw pointer value; all zeros is null.
unsafe impl<T> Plain for *mut T {}
// SAFETY: as for `*mut T`.
unsafe impl<T> Plain for *const T {}

/// Compiles only for [`Plain`] types; `abi_struct!` calls it for every
/// field type.
pub(crate) const fn assert_plain<T: Plain>() {}

/// A [`Plain`] value of all-zero bytes: the start of every request
/// structure handed to the kernel (unused fields and padding zero).
pub(crate) const fn zeroed<T: Plain>() -> T {
    // SAFETY: Plain types are valid as all-zero bytes (the trait's
    // contract).
    unsafe { MaybeUninit::<T>::zeroed().assume_init() }
}

/// One recorded constant.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Const {
    /// The Rust (and C) name.
    pub(crate) name: &'static str,
    /// The C expression to compare with: the name, or `#[c = "..."]`.
    pub(crate) c: &'static str,
    /// The Rust type, as written (`c_ulong` marks an ioctl number).
    pub(crate) rust_type: &'static str,
    /// The value.
    pub(crate) value: i128,
}

/// One recorded structure or union.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Struct {
    /// The Rust name.
    pub(crate) name: &'static str,
    /// The C type: `struct NAME`, `union NAME`, or `#[c_type = "..."]`.
    pub(crate) c_type: &'static str,
    /// `size_of`.
    pub(crate) size: usize,
    /// `align_of`.
    pub(crate) align: usize,
    /// Every field, in order.
    pub(crate) fields: &'static [Field],
}

/// One field of a recorded structure.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    /// The Rust (and C member) name.
    pub(crate) name: &'static str,
    /// `offset_of!`.
    pub(crate) offset: usize,
    /// `size_of` of the field's type.
    pub(crate) size: usize,
}

/// What one invocation of a macro recorded, and the headers it names.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Table<T: 'static> {
    /// The C headers, in include order.
    pub(crate) headers: &'static [&'static str],
    /// The items.
    pub(crate) items: &'static [T],
}

/// A module of this directory: its name and its two tables.
#[cfg(test)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Module {
    /// The module's name (its file is `abi/NAME.rs`).
    pub(crate) name: &'static str,
    /// Its `abi_consts!`.
    pub(crate) consts: Table<Const>,
    /// Its `abi_struct!`.
    pub(crate) structs: Table<Struct>,
}

/// Declares constants and records them in the module's table `CONSTS`.
///
/// ```text
/// abi_consts! {
///     headers: ["sys/types.h", "sys/socket.h"];
///
///     /// `SO_RCVBUF`: the receive buffer's size.
///     pub(crate) const SO_RCVBUF: c_int = 0x1002 => libc::SO_RCVBUF;
///     /// `SA_SIZE`'s unit, `sizeof(long)`.
///     #[c = "sizeof(long)"]
///     pub(crate) const SA_ALIGN: usize = 8;
/// }
/// ```
///
/// `=> libc::NAME` adds a compile-time assertion, in FreeBSD builds, that
/// libc's value is the same. Constants of type `c_ulong` are compared in
/// C as `unsigned long` (ioctl numbers), the others as `long long`.
macro_rules! abi_consts {
    (
        headers: [$($header:literal),* $(,)?];
        $(
            $(#[doc = $doc:literal])*
            $(#[c = $c:literal])?
            $vis:vis const $name:ident: $ty:ty = $value:expr
                $(=> $libc:path)?;
        )*
    ) => {
        $(
            $(#[doc = $doc])*
            $vis const $name: $ty = $value;
            $(
                #[cfg(target_os = "freebsd")]
                const _: () = assert!(
                    $name as i128 == $libc as i128,
                    concat!(
                        stringify!($name), " differs from ", stringify!($libc)
                    ),
                );
            )?
        )*

        /// The constants of this module, for the header check.
        #[cfg(test)]
        pub(crate) const CONSTS: $crate::freebsd::abi::Table<
            $crate::freebsd::abi::Const,
        > = $crate::freebsd::abi::Table {
            headers: &[$($header),*],
            items: &[$(
                $crate::freebsd::abi::Const {
                    name: stringify!($name),
                    c: abi_consts!(@c $name $($c)?),
                    rust_type: stringify!($ty),
                    value: $name as i128,
                },
            )*],
        };
    };
    (@c $name:ident) => { stringify!($name) };
    (@c $name:ident $c:literal) => { $c };
}

/// Declares `#[repr(C)]` structures and unions (`Clone`, `Copy`, with a
/// `const fn zeroed()`) and records them in the module's table `STRUCTS`.
///
/// ```text
/// abi_struct! {
///     headers: ["sys/types.h", "sys/socket.h"];
///
///     /// `struct sockaddr`.
///     #[libc = sockaddr]
///     pub(crate) struct sockaddr {
///         pub(crate) sa_len: u8,
///         pub(crate) sa_family: u8,
///         pub(crate) sa_data: [u8; 14],
///     }
///
///     /// `ifr_ifru`, the anonymous union in `struct ifreq`.
///     #[c_type = "__typeof__(((struct ifreq *)0)->ifr_ifru)"]
///     pub(crate) union ifreq_ifru { ... }
/// }
/// ```
///
/// Field names are the C member names (for the check's `offsetof`).
/// Attributes go in this order: doc comments, `#[c_type]`, `#[libc]`.
/// `#[libc = name]` asserts at compile time, in FreeBSD builds, that
/// `libc::name` has the same size, alignment and field offsets.
macro_rules! abi_struct {
    (
        headers: [$($header:literal),* $(,)?];
        $(
            $(#[doc = $doc:literal])*
            $(#[c_type = $c_type:literal])?
            $(#[libc = $libc:ident])?
            $vis:vis $kind:ident $name:ident {
                $(
                    $(#[doc = $fdoc:literal])*
                    $fvis:vis $field:ident: $fty:ty
                ),* $(,)?
            }
        )*
    ) => {
        $(
            $(#[doc = $doc])*
            #[repr(C)]
            #[derive(Clone, Copy)]
            $vis $kind $name {
                $(
                    $(#[doc = $fdoc])*
                    $fvis $field: $fty,
                )*
            }

            // SAFETY: every field is Plain (checked just below), and a
            // repr(C) aggregate of Plain fields is valid as any bytes.
            unsafe impl $crate::freebsd::abi::Plain for $name {}

            const _: () = {
                $($crate::freebsd::abi::assert_plain::<$fty>();)*
            };

            impl $name {
                /// All zeros: every field 0 or null.
                pub(crate) const fn zeroed() -> $name {
                    $crate::freebsd::abi::zeroed()
                }
            }

            abi_struct!(@libc $name [$($libc)?] [$($field)*]);
        )*

        /// The structures of this module, for the header check.
        #[cfg(test)]
        pub(crate) const STRUCTS: $crate::freebsd::abi::Table<
            $crate::freebsd::abi::Struct,
        > = $crate::freebsd::abi::Table {
            headers: &[$($header),*],
            items: &[$(
                $crate::freebsd::abi::Struct {
                    name: stringify!($name),
                    c_type: abi_struct!(@c_type $kind $name [$($c_type)?]),
                    size: ::std::mem::size_of::<$name>(),
                    align: ::std::mem::align_of::<$name>(),
                    fields: &[$(
                        $crate::freebsd::abi::Field {
                            name: stringify!($field),
                            offset: ::std::mem::offset_of!($name, $field),
                            size: ::std::mem::size_of::<$fty>(),
                        },
                    )*],
                },
            )*],
        };
    };
    (@c_type $kind:ident $name:ident []) => {
        concat!(stringify!($kind), " ", stringify!($name))
    };
    (@c_type $kind:ident $name:ident [$c_type:literal]) => { $c_type };
    (@libc $name:ident [] [$($field:ident)*]) => {};
    (@libc $name:ident [$libc:ident] [$($field:ident)*]) => {
        #[cfg(target_os = "freebsd")]
        const _: () = {
            use ::std::mem::{align_of, offset_of, size_of};
            assert!(
                size_of::<$name>() == size_of::<libc::$libc>(),
                concat!("size of ", stringify!($name), " differs from libc's"),
            );
            assert!(
                align_of::<$name>() == align_of::<libc::$libc>(),
                concat!(
                    "alignment of ", stringify!($name), " differs from libc's"
                ),
            );
            $(
                assert!(
                    offset_of!($name, $field)
                        == offset_of!(libc::$libc, $field),
                    concat!(
                        "offset of ", stringify!($name), ".",
                        stringify!($field), " differs from libc's"
                    ),
                );
            )*
        };
    };
}

/// Declares the modules of this directory and lists their tables in
/// `MODULES` for the header check.
macro_rules! abi_modules {
    ($($(#[doc = $doc:literal])* $module:ident,)*) => {
        $(
            $(#[doc = $doc])*
            pub(crate) mod $module;
        )*

        /// Every module of this directory, for the header check.
        #[cfg(test)]
        pub(crate) const MODULES: &[Module] = &[$(
            Module {
                name: stringify!($module),
                consts: $module::CONSTS,
                structs: $module::STRUCTS,
            },
        )*];
    };
}

abi_modules! {
    /// `sys/ioccom.h`: how ioctl numbers are made.
    ioccom,
    /// `sys/socket.h`: families, socket types and options, `sockaddr`.
    socket,
    /// `net/if.h`: interface flags, messages, ioctl arguments.
    net_if,
    /// `net/route.h` and the routing sysctls.
    route,
    /// `net/if_dl.h`: `sockaddr_dl`.
    dl,
    /// `netinet/in.h`: `sockaddr_in`.
    inet,
    /// `netinet6/`: `sockaddr_in6`, the IPv6 address ioctls.
    in6,
    /// `sys/sockio.h`: the generic interface ioctls.
    sockio,
    /// `net/bpf.h`: the BPF device, and the frame layouts its filter reads.
    bpf,
    /// `netinet/icmp6.h`, IPv6 socket options, control messages.
    icmp6,
    /// `net/if_lagg.h`: lagg(4)'s ioctls; what laggd's port probes add.
    lagg,
    /// `netinet/ip_carp.h`: carp(4)'s per-vhid ioctls and `carpreq`.
    carp,
}

#[cfg(test)]
mod check;
#[cfg(test)]
mod scan;
