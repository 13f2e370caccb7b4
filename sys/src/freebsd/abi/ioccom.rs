//! `sys/ioccom.h`: an ioctl number encodes the direction of the copy, the
//! argument's size, a group letter and a number:
//!
//! ```text
//!  31 30 29 28..16         15..8   7..0
//! +--+--+--+--------------+-------+------+
//! |IN|OUT|VOID| size (13 bits) | group | num  |
//! +--+--+--+--------------+-------+------+
//! ```
//!
//! The encoders are `const fn`s named like the C macros, so that a
//! declaration reads like its header line
//! (`_IOW(b'i', 43, size_of::<ifaliasreq>())` for
//! `_IOW('i', 43, struct ifaliasreq)`). They are checked through their
//! results: every ioctl number built with them is compared with the C
//! macro's value.

use std::ffi::c_ulong;

abi_consts! {
    headers: ["sys/types.h", "sys/ioccom.h"];

    /// `IOCPARM_SHIFT`: the bits of the size field.
    pub(crate) const IOCPARM_SHIFT: u32 = 13;
    /// `IOCPARM_MASK`: the size field, before shifting into place.
    pub(crate) const IOCPARM_MASK: usize = (1 << IOCPARM_SHIFT) - 1;
    /// `IOCPARM_MAX`: argument sizes must be below this.
    pub(crate) const IOCPARM_MAX: usize = 1 << IOCPARM_SHIFT;
    /// `IOC_VOID`: no argument is copied.
    pub(crate) const IOC_VOID: c_ulong = 0x2000_0000;
    /// `IOC_OUT`: the kernel copies the argument out.
    pub(crate) const IOC_OUT: c_ulong = 0x4000_0000;
    /// `IOC_IN`: the kernel copies the argument in.
    pub(crate) const IOC_IN: c_ulong = 0x8000_0000;
    /// `IOC_INOUT`: both.
    pub(crate) const IOC_INOUT: c_ulong = IOC_IN | IOC_OUT;
}

abi_struct! {
    headers: [];
}

/// `_IOC(inout, group, num, len)`. A `len` that does not fit the size
/// field stops the build (it would be a different ioctl).
pub(crate) const fn _IOC(
    inout: c_ulong,
    group: u8,
    num: u8,
    len: usize,
) -> c_ulong {
    assert!(len < IOCPARM_MAX, "ioctl argument too large to encode");
    // The casts widen: `len` is below 2^13, group and num are bytes.
    inout | ((len as c_ulong) << 16) | ((group as c_ulong) << 8) | num as c_ulong
}

/// `_IO(group, num)`: no argument.
pub(crate) const fn _IO(group: u8, num: u8) -> c_ulong {
    _IOC(IOC_VOID, group, num, 0)
}

/// `_IOR(group, num, type)`, with `len` = `sizeof(type)`: the kernel
/// writes the argument.
pub(crate) const fn _IOR(group: u8, num: u8, len: usize) -> c_ulong {
    _IOC(IOC_OUT, group, num, len)
}

/// `_IOW(group, num, type)`: the kernel reads the argument.
pub(crate) const fn _IOW(group: u8, num: u8, len: usize) -> c_ulong {
    _IOC(IOC_IN, group, num, len)
}

/// `_IOWR(group, num, type)`: the kernel reads and writes the argument.
pub(crate) const fn _IOWR(group: u8, num: u8, len: usize) -> c_ulong {
    _IOC(IOC_INOUT, group, num, len)
}

/// `IOCPARM_LEN(cmd)`: the argument size encoded in an ioctl number.
pub(crate) const fn IOCPARM_LEN(cmd: c_ulong) -> usize {
    // Masked to 13 bits: the cast cannot truncate.
    ((cmd >> 16) as usize) & IOCPARM_MASK
}
