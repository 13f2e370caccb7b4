//! The classic-BPF read filters, built as data.
//!
//! The probe filter runs in the kernel for every frame the interface
//! receives, so it decides what the daemon ever sees. It passes two
//! kinds of Ethernet frame, whole, and drops everything else:
//!
//! * ARP replies whose target protocol address is our test address:
//!   the answers to our own ARP requests, which feed the neighbour
//!   cache;
//! * IPv4 ICMP echo replies addressed to our test address, not
//!   fragmented (first fragment included: the header says "more
//!   fragments").
//!
//! ```text
//!      ldh  [12]                 EtherType
//!      jeq  #0x0806, 0, ip
//!      ldh  [20]                 ARP operation
//!      jeq  #2, 0, reject        reply
//!      ld   [38]                 ARP target protocol address
//!      jeq  #test, accept, reject
//! ip:  jeq  #0x0800, 0, reject
//!      ldb  [23]                 IPv4 protocol
//!      jeq  #1, 0, reject        ICMP
//!      ld   [30]                 IPv4 destination
//!      jeq  #test, 0, reject
//!      ldh  [20]                 flags and fragment offset
//!      jset #0x3fff, reject, 0   MF or an offset: a fragment
//!      ldxb 4*([14]&0xf)         IPv4 header length
//!      ldb  [x+14]               ICMP type
//!      jeq  #0, accept, reject   echo reply
//! accept: ret #-1                the whole frame
//! reject: ret #0
//! ```
//!
//! The user-space side ([`classify`](super::classify)) checks all of
//! this again and more (checksums, ARP hardware and protocol types): the
//! filter only has to pass a superset of what it accepts, which the
//! fuzz target checks by running this program through the interpreter
//! here.

use std::fmt;
use std::net::Ipv4Addr;

use crate::freebsd::abi::bpf::{
    bpf_insn, ARPOP_REPLY, ARP_OP_OFFSET, ARP_TPA_OFFSET, BPF_ABS, BPF_B,
    BPF_H, BPF_IND, BPF_JEQ, BPF_JMP, BPF_JSET, BPF_JUMP, BPF_K, BPF_LD,
    BPF_LDX, BPF_MAXINSNS, BPF_MSH, BPF_RET, BPF_STMT, BPF_W, ETHERTYPE_ARP,
    ETHERTYPE_IP, ETHER_HDR_LEN, ETHER_TYPE_OFFSET, ICMP_ECHOREPLY,
    IPPROTO_ICMP, IP_DST_OFFSET, IP_MF, IP_OFFMASK, IP_OFF_OFFSET, IP_P_OFFSET,
};

/// A filter program: what `BIOCSETF` installs.
#[derive(Clone)]
pub struct Filter {
    insns: Vec<bpf_insn>,
}

/// The labels the probe filter jumps to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Label {
    Ip,
    Accept,
    Reject,
}

/// Where a conditional jump goes.
#[derive(Clone, Copy)]
enum To {
    /// The next instruction.
    Next,
    /// A label.
    At(Label),
}

/// A tiny assembler: instructions with symbolic jump targets, resolved
/// once every label is placed.
struct Assembler {
    insns: Vec<(bpf_insn, To, To)>,
    labels: Vec<(Label, usize)>,
}

impl Assembler {
    fn new() -> Assembler {
        Assembler {
            insns: Vec::new(),
            labels: Vec::new(),
        }
    }

    fn label(&mut self, label: Label) {
        self.labels.push((label, self.insns.len()));
    }

    fn stmt(&mut self, code: u16, k: u32) {
        self.insns.push((BPF_STMT(code, k), To::Next, To::Next));
    }

    fn jump(&mut self, code: u16, k: u32, jt: To, jf: To) {
        self.insns.push((BPF_JUMP(code, k, 0, 0), jt, jf));
    }

    fn finish(self) -> Vec<bpf_insn> {
        let at = |label: Label| {
            self.labels
                .iter()
                .find(|(l, _)| *l == label)
                .map(|&(_, index)| index)
                .expect("every label used is placed")
        };
        let offset = |from: usize, to: To| match to {
            To::Next => 0,
            To::At(label) => {
                let target = at(label);
                assert!(target > from, "classic BPF jumps forward only");
                u8::try_from(target - from - 1).expect("a jump under 256")
            }
        };
        let mut out = Vec::with_capacity(self.insns.len());
        for (index, &(mut insn, jt, jf)) in self.insns.iter().enumerate() {
            insn.jt = offset(index, jt);
            insn.jf = offset(index, jf);
            out.push(insn);
        }
        out
    }
}

/// An offset into the frame, as an instruction's `k`.
fn k(offset: usize) -> u32 {
    u32::try_from(offset).expect("frame offsets are small")
}

impl Filter {
    /// The probe socket's filter for test address `test` (see the
    /// module documentation).
    pub fn probe(test: Ipv4Addr) -> Filter {
        use Label::{Accept, Ip, Reject};
        let test = u32::from(test);
        let ip = ETHER_HDR_LEN;
        let mut asm = Assembler::new();
        asm.stmt(BPF_LD | BPF_H | BPF_ABS, k(ETHER_TYPE_OFFSET));
        let arp = u32::from(ETHERTYPE_ARP);
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, arp, To::Next, To::At(Ip));
        asm.stmt(BPF_LD | BPF_H | BPF_ABS, k(ip + ARP_OP_OFFSET));
        let reply = u32::from(ARPOP_REPLY);
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, reply, To::Next, To::At(Reject));
        asm.stmt(BPF_LD | BPF_W | BPF_ABS, k(ip + ARP_TPA_OFFSET));
        let (accept, reject) = (To::At(Accept), To::At(Reject));
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, test, accept, reject);

        asm.label(Ip);
        let ipv4 = u32::from(ETHERTYPE_IP);
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, ipv4, To::Next, reject);
        asm.stmt(BPF_LD | BPF_B | BPF_ABS, k(ip + IP_P_OFFSET));
        let icmp = u32::from(IPPROTO_ICMP);
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, icmp, To::Next, reject);
        asm.stmt(BPF_LD | BPF_W | BPF_ABS, k(ip + IP_DST_OFFSET));
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, test, To::Next, reject);
        asm.stmt(BPF_LD | BPF_H | BPF_ABS, k(ip + IP_OFF_OFFSET));
        let fragment = u32::from(IP_MF | IP_OFFMASK);
        asm.jump(BPF_JMP | BPF_JSET | BPF_K, fragment, reject, To::Next);
        asm.stmt(BPF_LDX | BPF_B | BPF_MSH, k(ip));
        asm.stmt(BPF_LD | BPF_B | BPF_IND, k(ip));
        let echo_reply = u32::from(ICMP_ECHOREPLY);
        asm.jump(BPF_JMP | BPF_JEQ | BPF_K, echo_reply, accept, reject);

        asm.label(Accept);
        // The snapshot length: all of the frame.
        asm.stmt(BPF_RET | BPF_K, u32::MAX);
        asm.label(Reject);
        asm.stmt(BPF_RET | BPF_K, 0);
        let insns = asm.finish();
        debug_assert!(insns.len() <= BPF_MAXINSNS);
        Filter { insns }
    }

    /// A filter that passes nothing, for descriptors that only write
    /// (the announcement frames): the kernel then copies no received
    /// frame into their buffers.
    pub fn nothing() -> Filter {
        Filter {
            insns: vec![BPF_STMT(BPF_RET | BPF_K, 0)],
        }
    }

    /// The instructions, for `BIOCSETF`.
    pub(crate) fn insns(&self) -> &[bpf_insn] {
        &self.insns
    }

    /// The number of instructions.
    pub fn len(&self) -> usize {
        self.insns.len()
    }

    /// Never true: every filter ends with a return.
    pub fn is_empty(&self) -> bool {
        self.insns.is_empty()
    }

    /// Runs the program over `packet` as the kernel's `bpf_filter` does
    /// and returns how many bytes it would capture (0: drop). A load
    /// past the end of the packet drops it, as in the kernel. Knows the
    /// instructions the filters here use; anything else panics.
    #[cfg(any(test, fuzzing))]
    pub fn run(&self, packet: &[u8]) -> u32 {
        let (mut a, mut x) = (0u32, 0u32);
        let mut pc = 0;
        let load = |at: u32, size: usize| -> Option<u32> {
            let at = usize::try_from(at).ok()?;
            let bytes = packet.get(at..at.checked_add(size)?)?;
            Some(bytes.iter().fold(0, |v, &b| v << 8 | u32::from(b)))
        };
        loop {
            let insn = self.insns[pc];
            pc += 1;
            let code = insn.code;
            // BPF_SIZE(code), BPF_CLASS(code), BPF_MODE(code).
            let size = |code: u16| match code & 0x18 {
                BPF_W => 4,
                BPF_H => 2,
                BPF_B => 1,
                _ => panic!("no such load size in {code:#x}"),
            };
            if code == BPF_LDX | BPF_B | BPF_MSH {
                let Some(byte) = load(insn.k, 1) else {
                    return 0;
                };
                x = (byte & 0xf) << 2;
            } else if code & 0x07 == BPF_LD && code & 0xe0 == BPF_ABS {
                let Some(v) = load(insn.k, size(code)) else {
                    return 0;
                };
                a = v;
            } else if code & 0x07 == BPF_LD && code & 0xe0 == BPF_IND {
                let Some(at) = x.checked_add(insn.k) else {
                    return 0;
                };
                let Some(v) = load(at, size(code)) else {
                    return 0;
                };
                a = v;
            } else if code == BPF_JMP | BPF_JEQ | BPF_K {
                let skip = if a == insn.k { insn.jt } else { insn.jf };
                pc += usize::from(skip);
            } else if code == BPF_JMP | BPF_JSET | BPF_K {
                let skip = if a & insn.k != 0 { insn.jt } else { insn.jf };
                pc += usize::from(skip);
            } else if code == BPF_RET | BPF_K {
                return insn.k;
            } else {
                panic!("the interpreter does not know opcode {code:#x}");
            }
        }
    }
}

impl fmt::Debug for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for insn in &self.insns {
            list.entry(&format_args!(
                "{{ code: {:#06x}, jt: {}, jf: {}, k: {:#x} }}",
                insn.code, insn.jt, insn.jf, insn.k
            ));
        }
        list.finish()
    }
}
