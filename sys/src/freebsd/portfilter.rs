//! The read filter of FreeBSD's port probe (`freebsd::portprobe`): the
//! classic-BPF program Linux's port probe attaches to its packet socket
//! (`linux::portprobe::filter`), instruction for instruction, built from
//! FreeBSD's numbers. Classic BPF is one machine on both systems; a
//! test here checks that the two programs are the same, and Linux's is
//! run by its kernel in the tests there.
//!
//! ```text
//! IPv4: ldh [12]  jeq #0x0806     EtherType ARP
//!       ldh [20]  jeq #2          operation: reply
//!       ld  [32]  jeq #mac[0..4]  target hardware address:
//!       ldh [36]  jeq #mac[4..6]    the probe address
//! IPv6: ldh [12]  jeq #0x86dd     EtherType IPv6
//!       ldb [20]  jeq #58         next header: ICMPv6
//!       ldb [54]  jeq #136        type: neighbour advertisement
//!       ld  [0]   jeq #mac[0..4]  Ethernet destination:
//!       ldh [4]   jeq #mac[4..6]    the probe address
//! then  ret #-1 (the whole frame); on any mismatch ret #0
//! ```

use std::io;

use mpath_core::addr::Family;
use mpath_wire::MacAddr;

use crate::freebsd::abi::bpf::{
    bpf_insn, ARPOP_REPLY, ARP_OP_OFFSET, BPF_ABS, BPF_B, BPF_H, BPF_JEQ,
    BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_STMT, BPF_W, ETHERTYPE_ARP,
    ETHER_ADDR_LEN, ETHER_HDR_LEN, ETHER_TYPE_OFFSET,
};
use crate::freebsd::abi::lagg::{
    ARP_THA_OFFSET, ETHERTYPE_IPV6, ICMP6_TYPE_OFFSET, IP6_HDR_LEN,
    IP6_NXT_OFFSET, IPPROTO_ICMPV6_NXT, ND_NEIGHBOR_ADVERT,
};

/// An offset into the frame, as an instruction's `k`.
fn k(offset: usize) -> u32 {
    u32::try_from(offset).expect("frame offsets are small")
}

/// The filter of a port probe for `family` and probe address `mac`.
pub(crate) fn port_filter(family: Family, mac: MacAddr) -> Vec<bpf_insn> {
    let m = mac.octets();
    let mac_hi = u32::from_be_bytes([m[0], m[1], m[2], m[3]]);
    let mac_lo = u32::from(u16::from_be_bytes([m[4], m[5]]));
    let half = BPF_LD | BPF_H | BPF_ABS;
    let word = BPF_LD | BPF_W | BPF_ABS;
    let byte = BPF_LD | BPF_B | BPF_ABS;
    // The Ethernet destination starts the frame; its last two bytes
    // follow its first four.
    let (dst, dst_tail) = (0, 4);
    let tha = ETHER_HDR_LEN + ARP_THA_OFFSET;
    // (load, its offset, the value it must equal), all in turn.
    let tests: Vec<(u16, u32, u32)> = match family {
        Family::V4 => vec![
            (half, k(ETHER_TYPE_OFFSET), u32::from(ETHERTYPE_ARP)),
            (
                half,
                k(ETHER_HDR_LEN + ARP_OP_OFFSET),
                u32::from(ARPOP_REPLY),
            ),
            (word, k(tha), mac_hi),
            (half, k(tha + dst_tail), mac_lo),
        ],
        Family::V6 => vec![
            (half, k(ETHER_TYPE_OFFSET), u32::from(ETHERTYPE_IPV6)),
            (
                byte,
                k(ETHER_HDR_LEN + IP6_NXT_OFFSET),
                u32::from(IPPROTO_ICMPV6_NXT),
            ),
            (
                byte,
                k(ETHER_HDR_LEN + IP6_HDR_LEN + ICMP6_TYPE_OFFSET),
                u32::from(ND_NEIGHBOR_ADVERT),
            ),
            (word, k(dst), mac_hi),
            (half, k(dst_tail), mac_lo),
        ],
    };
    let mut program = Vec::with_capacity(tests.len() * 2 + 2);
    for (i, &(load, offset, value)) in tests.iter().enumerate() {
        program.push(BPF_STMT(load, offset));
        // The instructions after this jump, before "accept": the
        // remaining tests' pairs. A mismatch jumps past them and
        // "accept" to "reject"; the last test's match falls through to
        // "accept".
        let left =
            u8::try_from((tests.len() - 1 - i) * 2).expect("a short program");
        program.push(bpf_insn {
            code: BPF_JMP | BPF_JEQ | BPF_K,
            jt: 0,
            jf: left + 1,
            k: value,
        });
    }
    program.push(BPF_STMT(BPF_RET | BPF_K, u32::MAX));
    program.push(BPF_STMT(BPF_RET | BPF_K, 0));
    program
}

/// The checks `PortProbe::send_frame` makes before writing: a whole
/// Ethernet header, the probe address as source (never the lagg's MAC),
/// the family's EtherType.
pub(crate) fn check_frame(
    frame: &[u8],
    family: Family,
    mac: MacAddr,
) -> io::Result<()> {
    let Some(header) = frame.get(..ETHER_HDR_LEN) else {
        return Err(invalid(format!(
            "a {}-byte frame has no Ethernet header",
            frame.len()
        )));
    };
    let src = &header[ETHER_ADDR_LEN..2 * ETHER_ADDR_LEN];
    if src != mac.octets() {
        return Err(invalid(format!(
            "frame from {}, not from the probe address {mac}",
            MacAddr(src.try_into().unwrap_or_default())
        )));
    }
    let at = ETHER_TYPE_OFFSET;
    let ethertype = u16::from_be_bytes([header[at], header[at + 1]]);
    let expected = match family {
        Family::V4 => ETHERTYPE_ARP,
        Family::V6 => ETHERTYPE_IPV6,
    };
    if ethertype != expected {
        return Err(invalid(format!(
            "EtherType {ethertype:#06x} on an {} port probe",
            family.name()
        )));
    }
    Ok(())
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_are_accepted_whole_and_the_rest_dropped() {
        let mac = MacAddr([2, 0, 0x5e, 0x10, 0, 0x0a]);
        for family in [Family::V4, Family::V6] {
            let program = port_filter(family, mac);
            let n = program.len();
            assert_eq!(program[n - 2].k, u32::MAX);
            assert_eq!(program[n - 1].k, 0);
            for (i, insn) in program.iter().enumerate().take(n - 2) {
                if i % 2 == 1 {
                    assert_eq!(i + 1 + usize::from(insn.jf), n - 1);
                    assert_eq!(insn.jt, 0);
                }
            }
        }
    }

    #[test]
    fn frames_from_another_address_or_protocol_are_refused() {
        use std::net::{Ipv4Addr, Ipv6Addr};
        let mac = MacAddr([2, 0, 0x5e, 0x10, 0, 0x0a]);
        let other = MacAddr([2, 0, 0x5e, 0x10, 0, 0x0b]);
        let target = Ipv4Addr::new(192, 0, 2, 1);
        let arp =
            mpath_wire::emit_arp_request(mac, Ipv4Addr::UNSPECIFIED, target);
        check_frame(&arp, Family::V4, mac).unwrap();
        let err = check_frame(&arp, Family::V4, other).unwrap_err();
        assert!(err.to_string().contains("not from the probe address"));
        let err = check_frame(&arp, Family::V6, mac).unwrap_err();
        assert!(err.to_string().contains("0x0806"), "{err}");
        let target6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
        let ns = mpath_wire::emit_neighbor_solicitation_frame(
            mac,
            Ipv6Addr::UNSPECIFIED,
            target6,
        );
        check_frame(&ns, Family::V6, mac).unwrap();
        let err = check_frame(&ns[..10], Family::V6, mac).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    /// FreeBSD's program is Linux's, which the Linux tests run in the
    /// kernel against real frames.
    #[cfg(target_os = "linux")]
    #[test]
    fn the_program_is_linux_s() {
        let macs = [
            MacAddr([2, 0, 0x5e, 0x10, 0, 0x0a]),
            MacAddr([0x52, 0x54, 0, 0x12, 0x34, 0x56]),
            MacAddr([0xfe, 0xff, 0xff, 0xff, 0xff, 0xfe]),
        ];
        for family in [Family::V4, Family::V6] {
            for mac in macs {
                let ours: Vec<(u16, u8, u8, u32)> = port_filter(family, mac)
                    .iter()
                    .map(|i| (i.code, i.jt, i.jf, i.k))
                    .collect();
                let linux: Vec<(u16, u8, u8, u32)> =
                    crate::linux::portprobe::filter(family, mac)
                        .iter()
                        .map(|i| (i.code, i.jt, i.jf, i.k))
                        .collect();
                assert_eq!(ours, linux, "{family:?} {mac}");
            }
        }
    }
}
