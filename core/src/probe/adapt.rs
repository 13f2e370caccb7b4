//! The adaptive failure detection time.
//!
//! The detector promises to notice a failure within the FDT, which only
//! works while every target answers well within one probe interval. When
//! a target's crtt exceeds the interval, the FDT is raised so that the
//! interval is twice that crtt (in.mpathd `incoming_echo_reply()`):
//!
//! ```text
//!   interval' = 2 × crtt        fdt' = 7 × interval' = 14 × crtt
//! ```
//!
//! Unlike in.mpathd, the raise is capped at `max_fdt_factor` × the
//! configured FDT, and lowering goes straight to the smallest FDT the
//! current round-trip times allow, once 10 user intervals have passed
//! since the last raise:
//!
//! ```text
//!   fdt' = max(configured, 14 × max crtt of the active targets)
//! ```
//!
//! so that every active target has `crtt ≤ interval'/2`: the same factor
//! of two as the raise, which gives the hysteresis. A lowering that does
//! not reach the configured FDT must cut it by at least a quarter, so
//! that a slowly decaying crtt gives a few steps rather than one per
//! sample. See "Where we differ from in.mpathd" in the module
//! documentation for why.

use std::time::Duration;

use super::probe_interval;
use crate::time::Instant;

/// Intervals per FDT, and the raise factor: a raise sets the interval
/// to NEXT_FDT_MULTIPLE × crtt.
const NEXT_FDT_MULTIPLE: u32 = 2;

/// Lowering waits this many user intervals after the last raise.
pub const SETTLE_INTERVALS: u32 = 10;

/// A lowering that stops short of the configured FDT must cut at least a
/// quarter (`to ≤ 3/4 × fdt`). After a spike the crtt decays a little
/// with every sample; without this, each sample would lower the FDT by a
/// few percent and every step would be an event (and a log line).
const LOWER_NUM: u32 = 3;
const LOWER_DEN: u32 = 4;

/// `fdt = FDT_PER_CRTT × crtt` puts the interval at 2 × crtt.
const FDT_PER_CRTT: u32 = NEXT_FDT_MULTIPLE * (super::NUM_PROBE_FAILS + 2);

/// The current FDT of one path and the rules that move it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FdtController {
    /// The configured FDT.
    configured: Duration,
    /// The highest FDT a raise may reach.
    ceiling: Duration,
    /// The current FDT (in.mpathd `pg_fdt`).
    fdt: Duration,
    /// When the FDT was last raised.
    raised_at: Option<Instant>,
}

/// A change of the FDT: `(from, to)`.
pub type FdtChange = (Duration, Duration);

impl FdtController {
    /// Start at the configured FDT; raises stop at `factor` × it.
    pub fn new(configured: Duration, factor: u32) -> FdtController {
        FdtController {
            configured,
            ceiling: configured.saturating_mul(factor.max(1)),
            fdt: configured,
            raised_at: None,
        }
    }

    /// The current FDT.
    pub fn fdt(&self) -> Duration {
        self.fdt
    }

    /// The configured FDT.
    pub fn configured(&self) -> Duration {
        self.configured
    }

    /// The current failure-detection interval (FDT / 7).
    pub fn interval(&self) -> Duration {
        probe_interval(self.fdt)
    }

    /// Whether the FDT is above the configured one.
    pub fn is_raised(&self) -> bool {
        self.fdt > self.configured
    }

    /// A target's crtt exceeded the interval: raise the FDT to
    /// `14 × crtt`, capped at the ceiling. Returns the change, if any.
    pub fn raise(&mut self, crtt: Duration, now: Instant) -> Option<FdtChange> {
        let to = crtt.saturating_mul(FDT_PER_CRTT).min(self.ceiling);
        if to <= self.fdt {
            return None;
        }
        let from = self.fdt;
        self.fdt = to;
        self.raised_at = Some(now);
        Some((from, to))
    }

    /// After any RTT sample: if the FDT is raised and has settled, lower
    /// it to the smallest value that the largest active crtt allows.
    pub fn lower(
        &mut self,
        max_crtt: Option<Duration>,
        now: Instant,
    ) -> Option<FdtChange> {
        if !self.is_raised() {
            return None;
        }
        let settle =
            probe_interval(self.configured).saturating_mul(SETTLE_INTERVALS);
        if self.raised_at.is_some_and(|at| now < at + settle) {
            return None;
        }
        let need = max_crtt
            .unwrap_or(Duration::ZERO)
            .saturating_mul(FDT_PER_CRTT);
        let to = need.max(self.configured);
        let worth_it = to == self.configured
            || to.saturating_mul(LOWER_DEN)
                <= self.fdt.saturating_mul(LOWER_NUM);
        if to >= self.fdt || !worth_it {
            return None;
        }
        let from = self.fdt;
        self.fdt = to;
        Some((from, to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn raise_puts_the_interval_at_twice_the_crtt() {
        let mut c = FdtController::new(ms(7000), 8);
        assert_eq!(c.interval(), ms(1000));
        let now = Instant::from_secs(1);
        assert_eq!(c.raise(ms(1500), now), Some((ms(7000), ms(21000))));
        assert_eq!(c.interval(), ms(3000));
        // A smaller crtt does not raise again.
        assert_eq!(c.raise(ms(1400), now), None);
    }

    #[test]
    fn raise_stops_at_the_ceiling() {
        let mut c = FdtController::new(ms(7000), 2);
        let now = Instant::from_secs(1);
        assert_eq!(c.raise(ms(5000), now), Some((ms(7000), ms(14000))));
        assert_eq!(c.raise(ms(9000), now), None);
        assert_eq!(c.fdt(), ms(14000));
        // Factor 1: never adapts.
        let mut c = FdtController::new(ms(7000), 1);
        assert_eq!(c.raise(ms(5000), now), None);
    }

    #[test]
    fn lowering_waits_ten_intervals_then_goes_straight_down() {
        let mut c = FdtController::new(ms(7000), 8);
        let t0 = Instant::from_secs(100);
        c.raise(ms(4000), t0);
        assert_eq!(c.fdt(), ms(56000));
        let small = Some(ms(10));
        assert_eq!(c.lower(small, t0 + ms(9999)), None);
        assert_eq!(c.lower(small, t0 + ms(10000)), Some((ms(56000), ms(7000))));
        assert!(!c.is_raised());
        assert_eq!(c.interval(), ms(1000));
        assert_eq!(c.lower(small, t0 + ms(20000)), None);
    }

    #[test]
    fn lowering_stops_where_the_crtt_needs_it() {
        let mut c = FdtController::new(ms(7000), 8);
        let t0 = Instant::from_secs(100);
        c.raise(ms(4000), t0);
        let later = t0 + ms(60000);
        // crtt 1 s needs interval 2 s, FDT 14 s.
        assert_eq!(
            c.lower(Some(ms(1000)), later),
            Some((ms(56000), ms(14000)))
        );
        assert_eq!(c.interval() / 2, ms(1000));
        // Not lower than needed, and never up.
        assert_eq!(c.lower(Some(ms(1000)), later), None);
        assert_eq!(c.lower(Some(ms(3000)), later), None);
        assert_eq!(c.fdt(), ms(14000));
        // Less than a quarter off: not worth an event.
        assert_eq!(c.lower(Some(ms(800)), later), None);
        assert_eq!(c.lower(Some(ms(750)), later), Some((ms(14000), ms(10500))));
        // Reaching the configured FDT is always worth it.
        assert_eq!(c.lower(Some(ms(490)), later), Some((ms(10500), ms(7000))));
    }
}
