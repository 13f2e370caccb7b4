//! The probe history: a 52-slot ring of failure-detection probes.
//!
//! Every `PROBE_UNI` probe takes the next sequence number and the next
//! slot. A slot is one of
//!
//! ```text
//!   Unused ──send──▶ Unacked ──reply──────────────▶ Acked
//!                       │                             ▲
//!                       └──timeout / forced──▶ Lost ──┘ late reply
//! ```
//!
//! PROBE_STATS_COUNT = 10 × 5 + 2 = 52 slots is also the reply window:
//! a reply is matched only if its sequence number lies in
//! `[snxt − 52, snxt)`, compared circularly (sequence numbers are 16-bit
//! and wrap). All decisions walk the ring from the newest probe back:
//!
//! * [`History::loss_run`]: consecutive `Lost` probes over all targets,
//!   with the loss time of the oldest one (tff, time of first failure).
//!   `Acked` and `Unused` end the run.
//! * [`History::losses_to`]: consecutive `Lost` probes to one target; only
//!   an ack *from that target* ends the run.
//! * [`History::ack_run`] and [`History::acks_to`]: the same for acks.
//!
//! `Unacked` probes are still in flight. The walks skip them: they
//! neither count nor end a run (the detector resolves the ones whose
//! timeout has passed before it asks).

use std::net::IpAddr;

use crate::time::Instant;

/// Slots in the ring, and the width of the reply window (in.mpathd's
/// PROBE_STATS_COUNT = NUM_PROBE_REPAIRS × NUM_PROBE_FAILS + 2).
pub const PROBE_STATS_COUNT: usize = 52;

/// What the detector remembers about a probe it sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentProbe {
    /// ICMP sequence number.
    pub seq: u16,
    /// Where it went.
    pub target: IpAddr,
    /// The random nonce in its payload, which a reply must echo.
    pub nonce: u64,
    /// When it was sent (also carried in its payload).
    pub sent_at: Instant,
}

/// One slot of the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// Never used since the last clear.
    Unused,
    /// Sent, no reply yet, timeout not reached.
    Unacked(SentProbe),
    /// Answered; the instant is the reply's receive time.
    Acked(SentProbe, Instant),
    /// Not answered in time; the instant is when it was declared lost.
    Lost(SentProbe, Instant),
}

impl Slot {
    /// The probe in this slot, unless it is unused.
    pub fn probe(&self) -> Option<&SentProbe> {
        match self {
            Slot::Unused => None,
            Slot::Unacked(p) | Slot::Acked(p, _) | Slot::Lost(p, _) => Some(p),
        }
    }
}

/// Why a sequence number does not name a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocateError {
    /// Outside `[snxt − 52, snxt)`.
    OutOfWindow,
    /// In the window, but the slot is unused or holds another probe.
    UnknownSlot,
}

/// A run of consecutive losses, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LossRun {
    /// How many consecutive probes were lost.
    pub count: u32,
    /// When the oldest probe of the run was declared lost (tff).
    pub first_failure: Option<Instant>,
}

/// The ring of the last 52 detection probes and the sequence counter.
#[derive(Clone, Debug)]
pub struct History {
    /// The slots; `next` is where the next probe goes.
    slots: [Slot; PROBE_STATS_COUNT],
    /// Index of the slot the next probe will use.
    next: usize,
    /// Sequence number of the next probe (snxt). Starts at 1.
    snxt: u16,
    /// How many slots are unacked: the walk for them stops there (it
    /// runs after every event of the path; at most two are in flight).
    unacked: usize,
}

impl Default for History {
    fn default() -> History {
        History::new()
    }
}

impl History {
    /// An empty history whose first probe will be sequence number 1.
    pub fn new() -> History {
        History {
            slots: [Slot::Unused; PROBE_STATS_COUNT],
            next: 0,
            snxt: 1,
            unacked: 0,
        }
    }

    /// The sequence number the next probe will carry.
    pub fn snxt(&self) -> u16 {
        self.snxt
    }

    /// Forget all probes (link down, no targets, forced failure). The
    /// sequence counter keeps running so that late replies to forgotten
    /// probes fall on unused slots or outside the window.
    pub fn clear(&mut self) {
        self.slots = [Slot::Unused; PROBE_STATS_COUNT];
        self.unacked = 0;
    }

    /// Record a probe being sent now; returns its sequence number.
    pub fn record(
        &mut self,
        target: IpAddr,
        nonce: u64,
        sent_at: Instant,
    ) -> u16 {
        let seq = self.snxt;
        if !matches!(self.slots[self.next], Slot::Unacked(_)) {
            self.unacked += 1;
        }
        self.slots[self.next] = Slot::Unacked(SentProbe {
            seq,
            target,
            nonce,
            sent_at,
        });
        self.next = (self.next + 1) % PROBE_STATS_COUNT;
        self.snxt = self.snxt.wrapping_add(1);
        seq
    }

    /// Indices of all slots, newest first.
    fn newest_first(&self) -> impl Iterator<Item = usize> + '_ {
        (1..=PROBE_STATS_COUNT).map(move |back| {
            (self.next + PROBE_STATS_COUNT - back) % PROBE_STATS_COUNT
        })
    }

    /// The slot at `index` (from [`History::locate`] or
    /// [`History::outstanding`]).
    pub fn slot(&self, index: usize) -> &Slot {
        &self.slots[index]
    }

    /// Find the slot of sequence number `seq`.
    pub fn locate(&self, seq: u16) -> Result<usize, LocateError> {
        let back = usize::from(self.snxt.wrapping_sub(seq));
        if back == 0 || back > PROBE_STATS_COUNT {
            return Err(LocateError::OutOfWindow);
        }
        let index = (self.next + PROBE_STATS_COUNT - back) % PROBE_STATS_COUNT;
        match self.slots[index].probe() {
            Some(p) if p.seq == seq => Ok(index),
            Some(_) | None => Err(LocateError::UnknownSlot),
        }
    }

    /// Indices of the probes still in flight, newest first.
    pub fn outstanding(&self) -> Vec<usize> {
        self.unacked().collect()
    }

    /// [`History::outstanding`] without collecting them (the deadline
    /// of every path is asked for after every event).
    pub fn unacked(&self) -> impl Iterator<Item = usize> + '_ {
        self.newest_first()
            .filter(|&i| matches!(self.slots[i], Slot::Unacked(_)))
            .take(self.unacked)
    }

    /// The target of the most recent probe (in.mpathd's "current
    /// target" for the target-failure test).
    pub fn most_recent_target(&self) -> Option<IpAddr> {
        self.newest_first()
            .next()
            .and_then(|i| self.slots[i].probe().map(|p| p.target))
    }

    /// Declare the unacked probe at `index` lost at `at`. Returns the
    /// probe, or `None` if the slot was not unacked.
    pub fn mark_lost(
        &mut self,
        index: usize,
        at: Instant,
    ) -> Option<SentProbe> {
        match self.slots[index] {
            Slot::Unacked(p) => {
                self.slots[index] = Slot::Lost(p, at);
                self.unacked -= 1;
                Some(p)
            }
            Slot::Unused | Slot::Acked(..) | Slot::Lost(..) => None,
        }
    }

    /// Record a reply received at `at` for the probe at `index`, which
    /// must be unacked or lost. Returns the probe and whether it was lost
    /// (a late ack).
    pub fn mark_acked(
        &mut self,
        index: usize,
        at: Instant,
    ) -> Option<(SentProbe, bool)> {
        let (p, late) = match self.slots[index] {
            Slot::Unacked(p) => {
                self.unacked -= 1;
                (p, false)
            }
            Slot::Lost(p, _) => (p, true),
            Slot::Unused | Slot::Acked(..) => return None,
        };
        self.slots[index] = Slot::Acked(p, at);
        Some((p, late))
    }

    /// Whether a probe to `target` newer than the one at `index` has
    /// already been acked (then a reply for `index` is not the highest
    /// acked sequence for that target and gives no RTT sample).
    pub fn newer_ack_to(&self, index: usize, target: IpAddr) -> bool {
        self.newest_first().take_while(|&i| i != index).any(|i| {
            match self.slots[i] {
                Slot::Acked(p, _) => p.target == target,
                Slot::Unused | Slot::Unacked(_) | Slot::Lost(..) => false,
            }
        })
    }

    /// Consecutive losses over all targets, newest first, with the time
    /// of first failure.
    pub fn loss_run(&self) -> LossRun {
        let mut run = LossRun::default();
        for i in self.newest_first() {
            match self.slots[i] {
                Slot::Unacked(_) => {}
                Slot::Lost(_, at) => {
                    run.count += 1;
                    run.first_failure = Some(at);
                }
                Slot::Acked(..) | Slot::Unused => break,
            }
        }
        run
    }

    /// Consecutive losses of probes to `target`, newest first. Probes to
    /// other targets are skipped; an ack from `target` ends the run.
    pub fn losses_to(&self, target: IpAddr) -> u32 {
        let mut n = 0;
        for i in self.newest_first() {
            match self.slots[i] {
                Slot::Unused => break,
                Slot::Unacked(_) => {}
                Slot::Lost(p, _) => {
                    if p.target == target {
                        n += 1;
                    }
                }
                Slot::Acked(p, _) => {
                    if p.target == target {
                        break;
                    }
                }
            }
        }
        n
    }

    /// Consecutive acks over all targets, newest first.
    pub fn ack_run(&self) -> u32 {
        let mut n = 0;
        for i in self.newest_first() {
            match self.slots[i] {
                Slot::Unacked(_) => {}
                Slot::Acked(..) => n += 1,
                Slot::Lost(..) | Slot::Unused => break,
            }
        }
        n
    }

    /// Consecutive acks from `target`, newest first; a loss of a probe to
    /// `target` ends the run, other targets are skipped.
    pub fn acks_to(&self, target: IpAddr) -> u32 {
        let mut n = 0;
        for i in self.newest_first() {
            match self.slots[i] {
                Slot::Unused => break,
                Slot::Unacked(_) => {}
                Slot::Acked(p, _) => {
                    if p.target == target {
                        n += 1;
                    }
                }
                Slot::Lost(p, _) => {
                    if p.target == target {
                        break;
                    }
                }
            }
        }
        n
    }

    /// Receive time of the newest acked probe (in.mpathd's tls, time of
    /// last success).
    pub fn last_ack(&self) -> Option<Instant> {
        self.newest_first().find_map(|i| match self.slots[i] {
            Slot::Acked(_, at) => Some(at),
            Slot::Unused | Slot::Unacked(_) | Slot::Lost(..) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const A: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    const B: IpAddr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2));

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    /// Send one probe to `tg` and resolve it as `acked` or lost.
    fn push(h: &mut History, tg: IpAddr, acked: bool, at: u64) -> u16 {
        let seq = h.record(tg, u64::from(h.snxt()), t(at));
        let i = h.locate(seq).unwrap();
        if acked {
            h.mark_acked(i, t(at + 1)).unwrap();
        } else {
            h.mark_lost(i, t(at + 2)).unwrap();
        }
        seq
    }

    #[test]
    fn sequence_starts_at_one_and_wraps() {
        let mut h = History::new();
        assert_eq!(h.record(A, 0, t(0)), 1);
        assert_eq!(h.record(A, 0, t(1)), 2);
        for _ in 0..65532 {
            h.record(A, 0, t(2));
        }
        assert_eq!(h.snxt(), 0xffff);
        assert_eq!(h.record(A, 7, t(3)), 0xffff);
        assert_eq!(h.record(A, 8, t(4)), 0);
        assert_eq!(h.record(A, 9, t(5)), 1);
        // Window across the wrap.
        for seq in [0xffff, 0, 1] {
            assert!(h.locate(seq).is_ok(), "seq {seq}");
        }
        assert_eq!(h.slot(h.locate(0).unwrap()).probe().unwrap().nonce, 8);
    }

    #[test]
    fn window_is_the_last_52() {
        let mut h = History::new();
        for i in 0..60 {
            h.record(A, i, t(i));
        }
        // snxt = 61; window is [9, 61).
        assert_eq!(h.snxt(), 61);
        assert_eq!(h.locate(61), Err(LocateError::OutOfWindow));
        assert_eq!(h.locate(8), Err(LocateError::OutOfWindow));
        assert!(h.locate(9).is_ok());
        assert!(h.locate(60).is_ok());
        h.clear();
        assert_eq!(h.locate(60), Err(LocateError::UnknownSlot));
    }

    #[test]
    fn loss_run_counts_newest_first_and_reports_tff() {
        let mut h = History::new();
        push(&mut h, A, true, 0);
        push(&mut h, B, false, 10);
        push(&mut h, A, false, 20);
        push(&mut h, B, false, 30);
        let run = h.loss_run();
        assert_eq!(run.count, 3);
        assert_eq!(run.first_failure, Some(t(12)));
        // An outstanding probe is skipped, not counted.
        h.record(A, 0, t(40));
        assert_eq!(h.loss_run().count, 3);
        assert_eq!(h.ack_run(), 0);
    }

    #[test]
    fn per_target_runs_skip_other_targets() {
        let mut h = History::new();
        push(&mut h, A, true, 0);
        for i in 0..5 {
            push(&mut h, A, false, 10 + i * 20);
            push(&mut h, B, true, 20 + i * 20);
        }
        assert_eq!(h.loss_run().count, 0);
        assert_eq!(h.losses_to(A), 5);
        assert_eq!(h.losses_to(B), 0);
        assert_eq!(h.acks_to(B), 5);
        assert_eq!(h.acks_to(A), 0);
        assert_eq!(h.ack_run(), 1);
        assert_eq!(h.most_recent_target(), Some(B));
    }

    #[test]
    fn late_ack_ends_the_loss_run() {
        let mut h = History::new();
        let s1 = push(&mut h, A, false, 0);
        push(&mut h, A, false, 10);
        assert_eq!(h.loss_run().count, 2);
        let i = h.locate(s1).unwrap();
        let (p, late) = h.mark_acked(i, t(50)).unwrap();
        assert!(late);
        assert_eq!(p.seq, s1);
        assert_eq!(h.loss_run().count, 1);
        assert_eq!(h.last_ack(), Some(t(50)));
        // A second reply is no longer accepted by the ring.
        assert_eq!(h.mark_acked(i, t(51)), None);
    }

    #[test]
    fn newer_ack_to_finds_later_acks_of_the_same_target() {
        let mut h = History::new();
        let s1 = h.record(A, 1, t(0));
        let s2 = h.record(A, 2, t(1));
        let i1 = h.locate(s1).unwrap();
        let i2 = h.locate(s2).unwrap();
        assert!(!h.newer_ack_to(i1, A));
        h.mark_acked(i2, t(2));
        assert!(h.newer_ack_to(i1, A));
        assert!(!h.newer_ack_to(i1, B));
        assert_eq!(h.outstanding(), vec![i1]);
    }

    proptest::proptest! {
        /// The count the walk for unacked probes stops at is always the
        /// number of unacked slots, whatever happens to them.
        #[test]
        fn unacked_count_matches_the_slots(
            ops in proptest::collection::vec((0u8..4, 0u16..60), 0..300)
        ) {
            let mut h = History::new();
            for (op, n) in ops {
                match op {
                    0 | 1 => {
                        h.record(A, u64::from(n), t(u64::from(n)));
                    }
                    2 => {
                        if let Ok(i) = h.locate(h.snxt().wrapping_sub(n)) {
                            h.mark_lost(i, t(1));
                        }
                    }
                    _ => {
                        if n == 0 {
                            h.clear();
                        } else if let Ok(i) = h.locate(h.snxt().wrapping_sub(n)) {
                            h.mark_acked(i, t(2));
                        }
                    }
                }
                let brute = h
                    .slots
                    .iter()
                    .filter(|s| matches!(s, Slot::Unacked(_)))
                    .count();
                proptest::prop_assert_eq!(h.unacked().count(), brute);
            }
        }
    }
}
