//! `net/bpf.h` (and `net/dlt.h`, which it includes): the BPF device's
//! ioctls, record header and filter machine; and the frame layouts the
//! probe filter and the frame code read (`net/ethernet.h`,
//! `netinet/ip.h`, `netinet/ip_icmp.h`, `netinet/if_ether.h`).
//!
//! The frame layouts are wire formats (IEEE 802.3, RFC 791, RFC 792,
//! RFC 826), the same on every system, not kernel ABI. They are declared
//! here anyway, under FreeBSD's names or as `offsetof` expressions on
//! FreeBSD's structures, so that FreeBSD's own headers check each number
//! the filter program loads.

use std::ffi::{c_uint, c_ulong};
use std::mem::size_of;

use super::ioccom::{_IO, _IOR, _IOW, _IOWR};
use super::net_if::ifreq;

abi_consts! {
    headers: [
        "sys/types.h",
        "sys/time.h",
        "sys/ioccom.h",
        "sys/socket.h",
        "net/if.h",
        "net/bpf.h",
        "net/ethernet.h",
        "net/if_arp.h",
        "netinet/in.h",
        "netinet/in_systm.h",
        "netinet/ip.h",
        "netinet/ip_icmp.h",
        "netinet/if_ether.h",
    ];

    /// `BIOCGBLEN`: the buffer length, which is also the only length
    /// `read(2)` accepts (`_IOR('B', 102, u_int)`).
    pub(crate) const BIOCGBLEN: c_ulong =
        _IOR(b'B', 102, size_of::<c_uint>()) => libc::BIOCGBLEN;
    /// `BIOCSBLEN`: ask for a buffer length, before `BIOCSETIF`; the
    /// kernel answers with the length it chose
    /// (`_IOWR('B', 102, u_int)`).
    pub(crate) const BIOCSBLEN: c_ulong =
        _IOWR(b'B', 102, size_of::<c_uint>()) => libc::BIOCSBLEN;
    /// `BIOCSETF`: install the read filter and flush the buffers
    /// (`_IOW('B', 103, struct bpf_program)`).
    pub(crate) const BIOCSETF: c_ulong =
        _IOW(b'B', 103, size_of::<bpf_program>()) => libc::BIOCSETF;
    /// `BIOCGDLT`: the attached interface's link type, `DLT_*`
    /// (`_IOR('B', 106, u_int)`).
    pub(crate) const BIOCGDLT: c_ulong =
        _IOR(b'B', 106, size_of::<c_uint>()) => libc::BIOCGDLT;
    /// `BIOCSETIF`: attach to the interface named in an `ifreq`
    /// (`_IOW('B', 108, struct ifreq)`).
    pub(crate) const BIOCSETIF: c_ulong =
        _IOW(b'B', 108, size_of::<ifreq>()) => libc::BIOCSETIF;
    /// `BIOCIMMEDIATE`: 1 makes `read(2)` return as soon as a packet is
    /// there rather than when the buffer fills (`_IOW('B', 112, u_int)`).
    pub(crate) const BIOCIMMEDIATE: c_ulong =
        _IOW(b'B', 112, size_of::<c_uint>()) => libc::BIOCIMMEDIATE;
    /// `BIOCSHDRCMPLT`: 1 means written frames carry their own link-level
    /// source address, which the kernel must not overwrite
    /// (`_IOW('B', 117, u_int)`).
    pub(crate) const BIOCSHDRCMPLT: c_ulong =
        _IOW(b'B', 117, size_of::<c_uint>()) => libc::BIOCSHDRCMPLT;
    /// `BIOCSDIRECTION`: which packets to capture, `BPF_D_*`
    /// (`_IOW('B', 119, u_int)`; libc has it under its obsolete name
    /// `BIOCSSEESENT`).
    pub(crate) const BIOCSDIRECTION: c_ulong =
        _IOW(b'B', 119, size_of::<c_uint>()) => libc::BIOCSSEESENT;
    /// `BIOCLOCK`: no more changes to this descriptor's settings, until
    /// it is closed (`_IO('B', 122)`).
    pub(crate) const BIOCLOCK: c_ulong = _IO(b'B', 122);
    /// `DLT_EN10MB` (`net/dlt.h`): Ethernet framing, the only link type
    /// the probe frames are built for.
    pub(crate) const DLT_EN10MB: c_uint = 1;
    /// `BPF_D_IN` (`enum bpf_direction`): capture received packets only,
    /// not our own writes or the host's other output.
    pub(crate) const BPF_D_IN: c_uint = 0;
    /// `BPF_ALIGNMENT`: records in a read buffer start at multiples of
    /// this (`sizeof(long)`).
    pub(crate) const BPF_ALIGNMENT: usize = 8 => libc::BPF_ALIGNMENT;
    /// `BPF_MAXINSNS`: the longest filter program the kernel accepts.
    pub(crate) const BPF_MAXINSNS: usize = 512;
    /// `BPF_MINBUFSIZE`: the smallest buffer length.
    pub(crate) const BPF_MINBUFSIZE: usize = 32;
    /// `bh_hdrlen` of an Ethernet record: the kernel pads the header so
    /// that the network-layer header after the 14-byte Ethernet header
    /// is aligned. A derived number: it checks [`BPF_WORDALIGN`].
    #[c = "BPF_WORDALIGN(sizeof(struct bpf_hdr) + ETHER_HDR_LEN) \
           - ETHER_HDR_LEN"]
    pub(crate) const BPF_HDRLEN_EN10MB: usize =
        BPF_WORDALIGN(size_of::<bpf_hdr>() + ETHER_HDR_LEN) - ETHER_HDR_LEN;

    /// `BPF_LD`: instruction class, load into the accumulator.
    pub(crate) const BPF_LD: u16 = 0x00;
    /// `BPF_LDX`: instruction class, load into the index register.
    pub(crate) const BPF_LDX: u16 = 0x01;
    /// `BPF_JMP`: instruction class, conditional jump.
    pub(crate) const BPF_JMP: u16 = 0x05;
    /// `BPF_RET`: instruction class, accept this many bytes (0: drop).
    pub(crate) const BPF_RET: u16 = 0x06;
    /// `BPF_W`: load size, 32 bits (network byte order).
    pub(crate) const BPF_W: u16 = 0x00;
    /// `BPF_H`: load size, 16 bits.
    pub(crate) const BPF_H: u16 = 0x08;
    /// `BPF_B`: load size, 8 bits.
    pub(crate) const BPF_B: u16 = 0x10;
    /// `BPF_ABS`: load mode, at a fixed offset into the packet.
    pub(crate) const BPF_ABS: u16 = 0x20;
    /// `BPF_IND`: load mode, at the index register plus an offset.
    pub(crate) const BPF_IND: u16 = 0x40;
    /// `BPF_MSH`: load mode (`BPF_LDX | BPF_B` only), 4 times the low
    /// nibble of a byte: an IPv4 header's length.
    pub(crate) const BPF_MSH: u16 = 0xa0;
    /// `BPF_JEQ`: jump if the accumulator equals the operand.
    pub(crate) const BPF_JEQ: u16 = 0x10;
    /// `BPF_JSET`: jump if the accumulator and the operand share a bit.
    pub(crate) const BPF_JSET: u16 = 0x40;
    /// `BPF_K`: the operand is the instruction's constant `k`.
    pub(crate) const BPF_K: u16 = 0x00;

    /// `ETHER_ADDR_LEN`: an Ethernet address's length.
    pub(crate) const ETHER_ADDR_LEN: usize = 6;
    /// `ETHER_HDR_LEN`: destination, source, type.
    pub(crate) const ETHER_HDR_LEN: usize = 14;
    /// Where the EtherType sits in the Ethernet header.
    #[c = "offsetof(struct ether_header, ether_type)"]
    pub(crate) const ETHER_TYPE_OFFSET: usize = 12;
    /// `ETHERTYPE_IP`: IPv4.
    pub(crate) const ETHERTYPE_IP: u16 = 0x0800;
    /// `ETHERTYPE_ARP`.
    pub(crate) const ETHERTYPE_ARP: u16 = 0x0806;
    /// `ARPOP_REPLY`.
    pub(crate) const ARPOP_REPLY: u16 = 2;
    /// Where the operation sits in an Ethernet/IPv4 ARP message.
    #[c = "offsetof(struct ether_arp, ea_hdr.ar_op)"]
    pub(crate) const ARP_OP_OFFSET: usize = 6;
    /// Where the target protocol address sits in an Ethernet/IPv4 ARP
    /// message.
    #[c = "offsetof(struct ether_arp, arp_tpa)"]
    pub(crate) const ARP_TPA_OFFSET: usize = 24;
    /// `IPVERSION`.
    pub(crate) const IPVERSION: u8 = 4;
    /// An IPv4 header without options (`struct ip`).
    #[c = "sizeof(struct ip)"]
    pub(crate) const IP_HDR_LEN: usize = 20;
    /// Where the total length sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_len)"]
    pub(crate) const IP_LEN_OFFSET: usize = 2;
    /// Where the flags and fragment offset sit in the IPv4 header.
    #[c = "offsetof(struct ip, ip_off)"]
    pub(crate) const IP_OFF_OFFSET: usize = 6;
    /// Where the time to live sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_ttl)"]
    pub(crate) const IP_TTL_OFFSET: usize = 8;
    /// Where the protocol sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_p)"]
    pub(crate) const IP_P_OFFSET: usize = 9;
    /// Where the header checksum sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_sum)"]
    pub(crate) const IP_SUM_OFFSET: usize = 10;
    /// Where the source address sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_src)"]
    pub(crate) const IP_SRC_OFFSET: usize = 12;
    /// Where the destination address sits in the IPv4 header.
    #[c = "offsetof(struct ip, ip_dst)"]
    pub(crate) const IP_DST_OFFSET: usize = 16;
    /// `IP_DF`: the don't-fragment flag in `ip_off`.
    pub(crate) const IP_DF: u16 = 0x4000;
    /// `IP_MF`: the more-fragments flag in `ip_off`.
    pub(crate) const IP_MF: u16 = 0x2000;
    /// `IP_OFFMASK`: the fragment offset in `ip_off`.
    pub(crate) const IP_OFFMASK: u16 = 0x1fff;
    /// `IPPROTO_ICMP`.
    pub(crate) const IPPROTO_ICMP: u8 = 1;
    /// `ICMP_ECHOREPLY`: the ICMP type of an echo reply.
    pub(crate) const ICMP_ECHOREPLY: u8 = 0;
}

abi_struct! {
    headers: [
        "sys/types.h",
        "sys/time.h",
        "sys/socket.h",
        "net/if.h",
        "net/bpf.h",
    ];

    /// `struct timeval` (`sys/time.h`): seconds and microseconds, the
    /// time stamp of a BPF record (and of `SCM_TIMESTAMP`).
    #[libc = timeval]
    pub(crate) struct timeval {
        /// Seconds since the epoch (`time_t`).
        pub(crate) tv_sec: i64,
        /// Microseconds (`suseconds_t`, a `long`).
        pub(crate) tv_usec: i64,
    }

    /// `struct bpf_hdr`: the header in front of each packet in a read
    /// buffer (with the default time stamp format, `BPF_T_MICROTIME`:
    /// the realtime clock, microseconds).
    #[libc = bpf_hdr]
    pub(crate) struct bpf_hdr {
        /// When the packet was captured.
        pub(crate) bh_tstamp: timeval,
        /// How many bytes of it follow.
        pub(crate) bh_caplen: u32,
        /// How long it was on the wire.
        pub(crate) bh_datalen: u32,
        /// This header's length with its padding: the packet starts this
        /// many bytes after the header's start.
        pub(crate) bh_hdrlen: u16,
    }

    /// `struct bpf_insn`: one instruction of a filter program.
    #[libc = bpf_insn]
    pub(crate) struct bpf_insn {
        /// `BPF_*` class, size, mode, operation and source, or-ed.
        pub(crate) code: u16,
        /// Instructions to skip if a jump's condition holds.
        pub(crate) jt: u8,
        /// Instructions to skip if it does not.
        pub(crate) jf: u8,
        /// The constant operand.
        pub(crate) k: u32,
    }

    /// `struct bpf_program`: `BIOCSETF`'s argument.
    #[libc = bpf_program]
    pub(crate) struct bpf_program {
        /// The number of instructions.
        pub(crate) bf_len: c_uint,
        /// The instructions.
        pub(crate) bf_insns: *mut bpf_insn,
    }
}

/// `BPF_WORDALIGN(x)`: `x` rounded up to a multiple of
/// [`BPF_ALIGNMENT`].
pub(crate) const fn BPF_WORDALIGN(x: usize) -> usize {
    (x + (BPF_ALIGNMENT - 1)) & !(BPF_ALIGNMENT - 1)
}

/// `BPF_STMT(code, k)`: an instruction that does not jump.
pub(crate) const fn BPF_STMT(code: u16, k: u32) -> bpf_insn {
    bpf_insn {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

/// `BPF_JUMP(code, k, jt, jf)`: a conditional jump.
pub(crate) const fn BPF_JUMP(code: u16, k: u32, jt: u8, jf: u8) -> bpf_insn {
    bpf_insn { code, jt, jf, k }
}
